//! Runnable programs for new users of the `lightning` crate; see `src/bin/`.
