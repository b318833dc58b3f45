//! The default in-process signer, derived from a 32-byte seed.
//!
//! - [`KeysManager`]: the node key ([`NodeSigner`](crate::traits::NodeSigner)) and the
//!   provider of channel signers ([`SignerProvider`](crate::traits::SignerProvider)), all
//!   derived from one seed by the scheme in [`derive`](mod@derive).
//! - [`InMemoryChannelSigner`]: a [`ChannelSigner`](crate::traits::ChannelSigner) holding one
//!   channel's secrets, which rebuilds every transaction with [`crate::tx`] before signing.

mod checks;
pub mod derive;
mod holder_points;
mod in_memory;
mod manager;
mod onchain;

pub use in_memory::InMemoryChannelSigner;
pub use manager::{KeysManager, KeysManagerError};
