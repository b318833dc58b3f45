//! The signer traits: entropy, the node signer, the channel signer and the provider of channel
//! signers.
//!
//! - [`EntropySource`]: the caller's randomness.
//! - [`NodeSigner`]: the node key (node id, ECDH, invoice, gossip and message signatures).
//! - [`SignerProvider`]: derives a [`ChannelSigner`] from a [`ChannelKeysId`], and gives the
//!   scripts the node pays its own funds to.
//! - [`ChannelSigner`]: one channel's keys; every request carries what is needed to rebuild
//!   what is signed ([`ChannelSetup`], [`CommitmentInputs`](crate::tx::CommitmentInputs), ...).
//! - [`SignerReply`]: every answer is `Ready`, `Pending` (ask again after `signer_ready`) or
//!   `Refused` with a typed [`Refusal`].
//!
//! The traits are object safe: the node holds `Box<dyn ...>` plugs.

pub mod channel;
pub mod entropy;
pub mod node;
pub mod provider;
pub mod reply;
pub mod requests;

pub use channel::ChannelSigner;
pub use entropy::EntropySource;
pub use node::{
    gossip_signing_hash, invoice_signing_hash, signed_message_hash, NodeSigner, UnsignedGossip,
    SIGNED_MESSAGE_PREFIX,
};
pub use provider::{ChannelKeysId, SignerProvider};
pub use reply::{InvalidInput, PolicyCode, Refusal, SignerReply};
pub use requests::{
    ChannelSetup, ClosingProposal, CommitmentSignatures, JusticeKind, JusticeRequest, SweepKind,
    SweepRequest,
};
