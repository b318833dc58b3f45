//! What a Lightning node signs, and who signs it.
//!
//! This crate is for anyone who holds a Lightning node's keys: the default in-process
//! [`keys_manager`], or a hardware-wallet or remote signer that implements the [`traits`].
//! Every signing request carries the data needed to rebuild what is signed (BOLT 3
//! transactions in [`tx`], keys derived in [`keys`]), so a signer never has to trust the node.
//!
//! Built with `--no-default-features` the crate is `#![no_std]` + `alloc`.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;

pub use bitcoin;

pub mod keys;
pub mod keys_manager;
pub mod traits;
pub mod tx;
