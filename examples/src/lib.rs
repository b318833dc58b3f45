//! Runnable programs for new users of the `lightning` crate; see `src/bin/`. The `node`
//! program's code is the [`node`] module.
#![deny(missing_docs)]

pub mod node;
