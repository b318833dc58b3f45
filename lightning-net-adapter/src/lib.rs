//! TCP sockets for the `lightning` crate (tokio). Work on this crate has not started yet; it
//! exists so that the workspace has the shape the design describes.
#![deny(missing_docs)]
