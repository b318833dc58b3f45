//! What a Lightning node signs, and who signs it.
//!
//! This crate is for anyone who holds a Lightning node's keys: the default in-process
//! [`keys_manager`], or a hardware-wallet or remote signer that implements the [`traits`].
//! Every signing request carries the data needed to rebuild what is signed (BOLT 3
//! transactions in [`tx`], keys derived in [`keys`]), so a signer never has to trust the node.
//!
//! # For signer vendors
//!
//! A node talks to its keys through four traits in [`traits`]:
//!
//! - [`EntropySource`](traits::EntropySource): 32 random bytes on demand. The node never uses
//!   OS randomness; the caller (or the device) supplies it.
//! - [`NodeSigner`](traits::NodeSigner): the node key. ECDH for the BOLT 8 transport and BOLT 4
//!   onions, BOLT 11 invoice signatures (you receive the human-readable and data parts, not a
//!   hash), gossip signatures (you receive the signed bytes of `channel_announcement`,
//!   `node_announcement`, `channel_update`), and `signmessage` signatures.
//! - [`SignerProvider`](traits::SignerProvider): derives one [`ChannelSigner`](traits::ChannelSigner)
//!   per channel from a 32-byte [`ChannelKeysId`](traits::ChannelKeysId) the node stores, and
//!   names the scripts the node's own funds go to (sweeps, cooperative close).
//! - [`ChannelSigner`](traits::ChannelSigner): one channel's keys. Each request carries the
//!   [`ChannelSetup`](traits::ChannelSetup) (funding outpoint, both sides' keys, delays, dust
//!   limits, commitment format) and the state to sign (commitment number, feerate, balances,
//!   HTLCs, per-commitment point), never a bare sighash.
//!
//! Every answer is a [`SignerReply`](traits::SignerReply): `Ready`, `Pending` (a device is
//! busy or a human must confirm: the node pauses that channel and repeats the same call after
//! you tell it `signer_ready`) or `Refused` with a typed [`Refusal`](traits::Refusal).
//!
//! # What to check before signing
//!
//! Rebuild what you sign with [`tx`] from the request, and sign what you built. A validating
//! signer should at least:
//!
//! - check that the [`ChannelSetup`](traits::ChannelSetup) is consistent
//!   ([`ChannelSetup::check`](traits::ChannelSetup::check)), names your own keys, and does not
//!   change during the channel's life;
//! - release a per-commitment secret only for a commitment that is superseded: a later holder
//!   commitment, signed by the peer, has been validated
//!   ([`PolicyCode::SecretNotSuperseded`](traits::PolicyCode::SecretNotSuperseded));
//! - never sign a holder commitment (or its HTLC transactions) after releasing its secret
//!   ([`PolicyCode::RevokedHolderCommitment`](traits::PolicyCode::RevokedHolderCommitment));
//! - check that balances, HTLCs and fees follow the channel's history, and that closes and
//!   sweeps pay to destinations you approve (your own wallet, an allowlist);
//! - check that invoices and announcements name your node ([`keys_manager::KeysManager`] does).
//!
//! [`keys_manager::InMemoryChannelSigner`] performs the first two structural checks and
//! rebuilds every transaction; wrap it (or write your own) to add policy.
//!
//! # Example: a device signer delegating to the in-memory signer
//!
//! A vendor signer that asks its user before every cooperative close, and otherwise delegates
//! to [`InMemoryChannelSigner`](keys_manager::InMemoryChannelSigner) derived by a
//! [`KeysManager`](keys_manager::KeysManager):
//!
//! ```
//! use lightning_signer_api::bitcoin::secp256k1::{ecdsa::Signature, PublicKey};
//! use lightning_signer_api::bitcoin::Transaction;
//! use lightning_signer_api::keys::{ChannelPublicKeys, PerCommitmentSecret};
//! use lightning_signer_api::keys_manager::{InMemoryChannelSigner, KeysManager};
//! use lightning_signer_api::traits::*;
//! use lightning_signer_api::tx::CommitmentInputs;
//!
//! /// Signs like the in-memory signer, but a close needs the user's approval first.
//! struct DeviceSigner {
//!     inner: InMemoryChannelSigner,
//!     user_approved_close: Option<bool>, // None: the user has not answered yet
//! }
//!
//! impl ChannelSigner for DeviceSigner {
//!     fn sign_closing_transaction(&mut self, s: &ChannelSetup, p: &ClosingProposal) -> SignerReply<Signature> {
//!         match self.user_approved_close {
//!             None => SignerReply::Pending, // shown on the device; the node retries later
//!             Some(false) => PolicyCode::UserDeclined.into(),
//!             Some(true) => self.inner.sign_closing_transaction(s, p),
//!         }
//!     }
//!     // Everything else is delegated unchanged.
//!     fn channel_keys_id(&self) -> ChannelKeysId { self.inner.channel_keys_id() }
//!     fn public_keys(&mut self) -> SignerReply<ChannelPublicKeys> { self.inner.public_keys() }
//!     fn per_commitment_point(&mut self, n: u64) -> SignerReply<PublicKey> { self.inner.per_commitment_point(n) }
//!     fn release_commitment_secret(&mut self, n: u64) -> SignerReply<PerCommitmentSecret> {
//!         self.inner.release_commitment_secret(n)
//!     }
//!     fn validate_holder_commitment(&mut self, s: &ChannelSetup, c: &CommitmentInputs, sigs: &CommitmentSignatures) -> SignerReply<()> {
//!         self.inner.validate_holder_commitment(s, c, sigs)
//!     }
//!     fn validate_counterparty_revocation(&mut self, s: &ChannelSetup, n: u64, secret: &PerCommitmentSecret) -> SignerReply<()> {
//!         self.inner.validate_counterparty_revocation(s, n, secret)
//!     }
//!     fn sign_counterparty_commitment(&mut self, s: &ChannelSetup, c: &CommitmentInputs, point: &PublicKey) -> SignerReply<CommitmentSignatures> {
//!         self.inner.sign_counterparty_commitment(s, c, point)
//!     }
//!     fn sign_holder_commitment(&mut self, s: &ChannelSetup, c: &CommitmentInputs) -> SignerReply<Signature> {
//!         self.inner.sign_holder_commitment(s, c)
//!     }
//!     fn sign_holder_htlc_transaction(&mut self, s: &ChannelSetup, c: &CommitmentInputs, htlc: usize, tx: &Transaction, input: usize) -> SignerReply<Signature> {
//!         self.inner.sign_holder_htlc_transaction(s, c, htlc, tx, input)
//!     }
//!     fn sign_justice_input(&mut self, s: &ChannelSetup, r: &JusticeRequest<'_>) -> SignerReply<Signature> {
//!         self.inner.sign_justice_input(s, r)
//!     }
//!     fn sign_sweep_input(&mut self, s: &ChannelSetup, r: &SweepRequest<'_>) -> SignerReply<Signature> {
//!         self.inner.sign_sweep_input(s, r)
//!     }
//!     fn sign_anchor_input(&mut self, s: &ChannelSetup, tx: &Transaction, input: usize) -> SignerReply<Signature> {
//!         self.inner.sign_anchor_input(s, tx, input)
//!     }
//!     fn sign_channel_announcement(&mut self, s: &ChannelSetup, bytes: &[u8]) -> SignerReply<Signature> {
//!         self.inner.sign_channel_announcement(s, bytes)
//!     }
//! }
//!
//! let manager = KeysManager::new(&[42; 32]).expect("valid seed");
//! let id = ChannelKeysId([7; 32]);
//! let mut signer: Box<dyn ChannelSigner> = Box::new(DeviceSigner {
//!     inner: manager.derive_in_memory_signer(&id),
//!     user_approved_close: None,
//! });
//! assert!(matches!(signer.public_keys(), SignerReply::Ready(_)));
//! // Nothing superseded yet: the in-memory signer refuses to reveal commitment 0's secret.
//! assert_eq!(
//!     signer.release_commitment_secret(0),
//!     SignerReply::Refused(Refusal::Policy(PolicyCode::SecretNotSuperseded)),
//! );
//! ```
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
