//! BOLT 3 key derivation and the per-commitment secret chain.
//!
//! - [`per_commitment`]: the per-commitment secret chain generated from a 32-byte seed (the
//!   BOLT 3 `generate_from_seed` scheme) and the per-commitment point of a secret. Commitment
//!   numbers count up from 0; BOLT 3 indices count down from 2^48 - 1
//!   ([`commitment_index`] converts).
//! - [`secret_store`]: [`CounterpartyCommitmentSecrets`], the compact store (at most 49
//!   entries) of the secrets a counterparty revealed, which derives any older secret and
//!   rejects a secret that does not come from the same seed.
//! - [`derivation`]: the per-commitment keys (`localpubkey`, `htlcpubkey`, `delayedpubkey`
//!   and their private keys) and the revocation key pair.
//! - [`channel_keys`]: the basepoint set [`ChannelPublicKeys`] a node announces in
//!   `open_channel`/`accept_channel`, and the matching secret set [`ChannelSecrets`].
//! - [`commitment_keys()`]: the per-commitment [`CommitmentKeys`](crate::tx::CommitmentKeys)
//!   of one commitment transaction, for the [`tx`](crate::tx) builders.
//!
//! All functions are pure: no randomness, no state beyond their arguments.

pub mod channel_keys;
pub mod commitment_keys;
pub mod derivation;
pub mod per_commitment;
pub mod secret_store;

pub use channel_keys::{ChannelKeyError, ChannelPublicKeys, ChannelSecrets};
pub use commitment_keys::commitment_keys;
pub use derivation::{
    derive_private_key, derive_public_key, derive_revocation_private_key,
    derive_revocation_public_key, KeyDerivationError,
};
pub use per_commitment::{
    commitment_index, commitment_number_from_index, per_commitment_point, per_commitment_secret,
    per_commitment_secret_at_index, CommitmentNumberError, PerCommitmentSecret,
    FIRST_COMMITMENT_INDEX, MAX_COMMITMENT_NUMBER,
};
pub use secret_store::{CounterpartyCommitmentSecrets, SecretStoreDecodeError, SecretStoreError};
