//! The per-commitment keys of one commitment transaction, derived from both sides' basepoints.

use bitcoin::secp256k1::{PublicKey, Secp256k1, Verification};

use super::channel_keys::ChannelPublicKeys;
use super::derivation::{derive_public_key, derive_revocation_public_key, KeyDerivationError};
use crate::tx::CommitmentKeys;

/// The keys of the commitment transaction whose broadcaster has `broadcaster` basepoints, for
/// the broadcaster's `per_commitment_point` (BOLT 3 "Key Derivation").
///
/// - `revocationpubkey` from the countersignatory's revocation basepoint (the countersignatory
///   is the side that can punish this commitment once it is revoked);
/// - the broadcaster's `delayedpubkey` and `htlcpubkey`, and the countersignatory's
///   `htlcpubkey`, each tweaked by the per-commitment point;
/// - `remotepubkey`: the countersignatory's payment point, untweaked (static_remotekey).
///
/// For our own commitment pass our keys as `broadcaster` and our per-commitment point; for the
/// counterparty's, pass its keys as `broadcaster` and the point it sent us.
pub fn commitment_keys<C: Verification>(
    secp: &Secp256k1<C>,
    per_commitment_point: &PublicKey,
    broadcaster: &ChannelPublicKeys,
    countersignatory: &ChannelPublicKeys,
) -> Result<CommitmentKeys, KeyDerivationError> {
    Ok(CommitmentKeys {
        revocation_pubkey: derive_revocation_public_key(
            secp,
            &countersignatory.revocation_basepoint,
            per_commitment_point,
        )?,
        broadcaster_delayed_payment_key: derive_public_key(
            secp,
            &broadcaster.delayed_payment_basepoint,
            per_commitment_point,
        )?,
        broadcaster_htlc_key: derive_public_key(
            secp,
            &broadcaster.htlc_basepoint,
            per_commitment_point,
        )?,
        countersignatory_htlc_key: derive_public_key(
            secp,
            &countersignatory.htlc_basepoint,
            per_commitment_point,
        )?,
        countersignatory_payment_key: countersignatory.payment_point,
    })
}
