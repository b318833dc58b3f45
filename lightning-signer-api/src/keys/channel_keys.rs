//! The per-channel key sets: the public basepoints a node announces for a channel, and the
//! secrets behind them.

use bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey, Signing};
use core::fmt;

use super::derivation::KeyDerivationError;
use super::per_commitment::{
    per_commitment_point, per_commitment_secret, CommitmentNumberError, PerCommitmentSecret,
};

/// The public keys one side of a channel sends in `open_channel` / `accept_channel`: its
/// funding key and the basepoints every per-commitment key is derived from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelPublicKeys {
    /// The key in the 2-of-2 funding output.
    pub funding_pubkey: PublicKey,
    /// Basepoint of the revocation keys this side can use to punish the other side.
    pub revocation_basepoint: PublicKey,
    /// This side's payment point: with static_remotekey, the `remotepubkey` the other side's
    /// commitments pay this side's balance to, untweaked.
    pub payment_point: PublicKey,
    /// Basepoint of the `delayedpubkey` of this side's `to_local` and second-stage HTLC
    /// outputs.
    pub delayed_payment_basepoint: PublicKey,
    /// Basepoint of this side's `htlcpubkey`.
    pub htlc_basepoint: PublicKey,
}

/// Why a key of a [`ChannelSecrets`] could not be produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKeyError {
    /// The commitment number is beyond 2^48 - 1.
    CommitmentNumber(CommitmentNumberError),
    /// The derived secret is not a valid key (probability about 2^-128).
    Derivation(KeyDerivationError),
}

impl fmt::Display for ChannelKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CommitmentNumber(e) => write!(f, "{e}"),
            Self::Derivation(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for ChannelKeyError {}

impl From<CommitmentNumberError> for ChannelKeyError {
    fn from(e: CommitmentNumberError) -> Self {
        Self::CommitmentNumber(e)
    }
}

impl From<KeyDerivationError> for ChannelKeyError {
    fn from(e: KeyDerivationError) -> Self {
        Self::Derivation(e)
    }
}

/// The secrets of one side of one channel: the private keys of its [`ChannelPublicKeys`] and
/// the seed of its per-commitment secret chain.
///
/// Only a signer holds this. Its `Debug` output hides every secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ChannelSecrets {
    /// Private key of `funding_pubkey`.
    pub funding_key: SecretKey,
    /// Private key of `revocation_basepoint`.
    pub revocation_base_key: SecretKey,
    /// Private key of `payment_point`.
    pub payment_key: SecretKey,
    /// Private key of `delayed_payment_basepoint`.
    pub delayed_payment_base_key: SecretKey,
    /// Private key of `htlc_basepoint`.
    pub htlc_base_key: SecretKey,
    /// Seed of this side's per-commitment secrets (never revealed).
    pub commitment_seed: [u8; 32],
}

impl fmt::Debug for ChannelSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChannelSecrets { .. }")
    }
}

impl ChannelSecrets {
    /// The public keys of these secrets, to announce to the counterparty.
    pub fn public_keys<C: Signing>(&self, secp: &Secp256k1<C>) -> ChannelPublicKeys {
        let public = |key: &SecretKey| PublicKey::from_secret_key(secp, key);
        ChannelPublicKeys {
            funding_pubkey: public(&self.funding_key),
            revocation_basepoint: public(&self.revocation_base_key),
            payment_point: public(&self.payment_key),
            delayed_payment_basepoint: public(&self.delayed_payment_base_key),
            htlc_basepoint: public(&self.htlc_base_key),
        }
    }

    /// The per-commitment secret of our commitment number `commitment_number`. Reveal it only
    /// once that commitment is revoked.
    pub fn per_commitment_secret(
        &self,
        commitment_number: u64,
    ) -> Result<PerCommitmentSecret, CommitmentNumberError> {
        per_commitment_secret(&self.commitment_seed, commitment_number)
    }

    /// The per-commitment point of our commitment number `commitment_number`.
    pub fn per_commitment_point<C: Signing>(
        &self,
        secp: &Secp256k1<C>,
        commitment_number: u64,
    ) -> Result<PublicKey, ChannelKeyError> {
        let secret = self.per_commitment_secret(commitment_number)?;
        Ok(per_commitment_point(secp, &secret)?)
    }
}
