//! BOLT 3 per-commitment key derivation ("Key Derivation").
//!
//! Every commitment transaction uses keys tweaked by that commitment's per-commitment point:
//!
//! - `localpubkey`, `htlcpubkey`, `delayedpubkey`:
//!   `basepoint + SHA256(per_commitment_point || basepoint) * G` ([`derive_public_key`]), and
//!   the matching private key `basepoint_secret + SHA256(per_commitment_point || basepoint)`
//!   ([`derive_private_key`]).
//! - `remotepubkey` is the counterparty's `payment_basepoint` itself (static_remotekey); it is
//!   not derived.
//! - `revocationpubkey`: `revocation_basepoint * SHA256(revocation_basepoint ||
//!   per_commitment_point) + per_commitment_point * SHA256(per_commitment_point ||
//!   revocation_basepoint)` ([`derive_revocation_public_key`]); its private key needs both the
//!   revocation basepoint secret and the (revealed) per-commitment secret
//!   ([`derive_revocation_private_key`]).

use bitcoin::hashes::{sha256, Hash, HashEngine};
use bitcoin::secp256k1::{PublicKey, Scalar, Secp256k1, SecretKey, Signing, Verification};
use core::fmt;

/// Why a key could not be derived.
///
/// With honestly generated inputs these failures have probability about 2^-128; they exist
/// because the inputs may come from a counterparty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDerivationError {
    /// 32 bytes given as a secret are not a valid secp256k1 private key.
    InvalidSecret,
    /// A tweak hash is not below the curve order, or the derived key is zero / the point at
    /// infinity.
    DegenerateTweak,
}

impl fmt::Display for KeyDerivationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidSecret => f.write_str("bytes are not a valid secp256k1 private key"),
            Self::DegenerateTweak => f.write_str("key tweak is out of range or degenerate"),
        }
    }
}

impl core::error::Error for KeyDerivationError {}

/// SHA256(first || second) over the compressed encodings, as a curve scalar.
fn tweak_of(first: &PublicKey, second: &PublicKey) -> Result<Scalar, KeyDerivationError> {
    let mut engine = sha256::Hash::engine();
    engine.input(&first.serialize());
    engine.input(&second.serialize());
    let hash = sha256::Hash::from_engine(engine).to_byte_array();
    Scalar::from_be_bytes(hash).map_err(|_| KeyDerivationError::DegenerateTweak)
}

/// A per-commitment public key: `basepoint + SHA256(per_commitment_point || basepoint) * G`.
///
/// Use it for `localpubkey` (payment basepoint, legacy non-static_remotekey channels),
/// `htlcpubkey` (htlc basepoint) and `delayedpubkey` (delayed payment basepoint), of either
/// side.
pub fn derive_public_key<C: Verification>(
    secp: &Secp256k1<C>,
    basepoint: &PublicKey,
    per_commitment_point: &PublicKey,
) -> Result<PublicKey, KeyDerivationError> {
    let tweak = tweak_of(per_commitment_point, basepoint)?;
    basepoint
        .add_exp_tweak(secp, &tweak)
        .map_err(|_| KeyDerivationError::DegenerateTweak)
}

/// The private key of [`derive_public_key`]:
/// `basepoint_secret + SHA256(per_commitment_point || basepoint)`.
pub fn derive_private_key<C: Signing>(
    secp: &Secp256k1<C>,
    basepoint_secret: &SecretKey,
    per_commitment_point: &PublicKey,
) -> Result<SecretKey, KeyDerivationError> {
    let basepoint = PublicKey::from_secret_key(secp, basepoint_secret);
    derive_private_key_with_basepoint(basepoint_secret, &basepoint, per_commitment_point)
}

/// [`derive_private_key`] for a caller that already holds `basepoint`, the public key of
/// `basepoint_secret` (it saves a point multiplication; a wrong `basepoint` gives a wrong key).
pub(crate) fn derive_private_key_with_basepoint(
    basepoint_secret: &SecretKey,
    basepoint: &PublicKey,
    per_commitment_point: &PublicKey,
) -> Result<SecretKey, KeyDerivationError> {
    let tweak = tweak_of(per_commitment_point, basepoint)?;
    basepoint_secret
        .add_tweak(&tweak)
        .map_err(|_| KeyDerivationError::DegenerateTweak)
}

/// The `revocationpubkey` of a commitment, from the revocation basepoint of the side that
/// can punish and the per-commitment point of the side whose commitment it is.
pub fn derive_revocation_public_key<C: Verification>(
    secp: &Secp256k1<C>,
    revocation_basepoint: &PublicKey,
    per_commitment_point: &PublicKey,
) -> Result<PublicKey, KeyDerivationError> {
    let basepoint_tweak = tweak_of(revocation_basepoint, per_commitment_point)?;
    let point_tweak = tweak_of(per_commitment_point, revocation_basepoint)?;
    let basepoint_part = revocation_basepoint
        .mul_tweak(secp, &basepoint_tweak)
        .map_err(|_| KeyDerivationError::DegenerateTweak)?;
    let point_part = per_commitment_point
        .mul_tweak(secp, &point_tweak)
        .map_err(|_| KeyDerivationError::DegenerateTweak)?;
    basepoint_part
        .combine(&point_part)
        .map_err(|_| KeyDerivationError::DegenerateTweak)
}

/// The `revocationprivkey` of a revoked commitment, once its per-commitment secret is known:
/// `revocation_basepoint_secret * SHA256(revocation_basepoint || per_commitment_point) +
/// per_commitment_secret * SHA256(per_commitment_point || revocation_basepoint)`.
pub fn derive_revocation_private_key<C: Signing>(
    secp: &Secp256k1<C>,
    revocation_basepoint_secret: &SecretKey,
    per_commitment_secret: &SecretKey,
) -> Result<SecretKey, KeyDerivationError> {
    let revocation_basepoint = PublicKey::from_secret_key(secp, revocation_basepoint_secret);
    let per_commitment_point = PublicKey::from_secret_key(secp, per_commitment_secret);
    let basepoint_tweak = tweak_of(&revocation_basepoint, &per_commitment_point)?;
    let point_tweak = tweak_of(&per_commitment_point, &revocation_basepoint)?;
    let basepoint_part = revocation_basepoint_secret
        .mul_tweak(&basepoint_tweak)
        .map_err(|_| KeyDerivationError::DegenerateTweak)?;
    let point_part = per_commitment_secret
        .mul_tweak(&point_tweak)
        .map_err(|_| KeyDerivationError::DegenerateTweak)?;
    basepoint_part
        .add_tweak(&Scalar::from(point_part))
        .map_err(|_| KeyDerivationError::DegenerateTweak)
}
