//! The sphinx key schedule of BOLT 4: per-hop shared secrets with ephemeral key blinding, the
//! derived `rho`/`mu`/`um`/`pad`/`ammag`/`ammagext` keys and the ChaCha20 byte streams.

use alloc::vec::Vec;
use core::fmt;

use bitcoin::hashes::hmac::{Hmac, HmacEngine};
use bitcoin::hashes::{sha256, Hash, HashEngine};
use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::ChaCha20;
use secp256k1::ecdh::SharedSecret;
use secp256k1::{PublicKey, Scalar, Secp256k1, SecretKey};

/// The kinds of key BOLT 4 derives from a hop's 32-byte shared secret.
///
/// Each key is `HMAC-SHA256(key = the type's ASCII name, message = shared secret)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// `rho`: the stream that obfuscates the hop payloads of the forward packet.
    Rho,
    /// `mu`: the HMAC key of the forward packet.
    Mu,
    /// `um`: the HMAC key of a returned failure packet (and of attribution data).
    Um,
    /// `pad`: the stream that fills the initial 1,300 bytes of a new packet (keyed by the
    /// session key rather than a shared secret).
    Pad,
    /// `ammag`: the stream that obfuscates a returned failure packet at each hop.
    Ammag,
    /// `ammagext`: the stream that obfuscates the attribution data at each hop.
    AmmagExt,
}

impl KeyType {
    /// The ASCII label used as the HMAC key (no terminating zero byte).
    pub fn label(self) -> &'static [u8] {
        match self {
            KeyType::Rho => b"rho",
            KeyType::Mu => b"mu",
            KeyType::Um => b"um",
            KeyType::Pad => b"pad",
            KeyType::Ammag => b"ammag",
            KeyType::AmmagExt => b"ammagext",
        }
    }
}

/// Derives the 32-byte key of `key_type` from a hop's shared secret (or, for [`KeyType::Pad`],
/// from the session key bytes).
pub fn derive_key(key_type: KeyType, secret: &[u8; 32]) -> [u8; 32] {
    hmac_sha256(key_type.label(), &[secret])
}

/// HMAC-SHA256 of the concatenation of `parts` under `key` (used by the onion and by the BOLT 8
/// HKDF in `transport`).
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut engine = HmacEngine::<sha256::Hash>::new(key);
    for part in parts {
        engine.input(part);
    }
    Hmac::<sha256::Hash>::from_engine(engine).to_byte_array()
}

/// XORs `buf` in place with the ChaCha20 stream of `key` (zero nonce, counter 0).
///
/// Applying it to zero bytes yields the pseudo-random byte stream of BOLT 4.
pub fn apply_stream(key: &[u8; 32], buf: &mut [u8]) {
    let mut cipher = ChaCha20::new(key.into(), &[0u8; 12].into());
    cipher.apply_keystream(buf);
}

/// The first `len` bytes of the ChaCha20 stream of `key` (zero nonce).
pub fn generate_stream(key: &[u8; 32], len: usize) -> Vec<u8> {
    let mut out = alloc::vec![0u8; len];
    apply_stream(key, &mut out);
    out
}

/// Compares two byte strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The blinding factor `SHA256(ephemeral_pubkey || shared_secret)` that moves the ephemeral
/// key to the next hop.
pub(crate) fn blinding_factor(ephemeral: &PublicKey, shared_secret: &[u8; 32]) -> [u8; 32] {
    let mut engine = sha256::Hash::engine();
    engine.input(&ephemeral.serialize());
    engine.input(shared_secret);
    sha256::Hash::from_engine(engine).to_byte_array()
}

/// Multiplies `point` by the 32-byte big-endian scalar `factor`.
pub(crate) fn blind_public_key(
    point: &PublicKey,
    factor: &[u8; 32],
) -> Result<PublicKey, KeyDerivationError> {
    let secp = Secp256k1::verification_only();
    let scalar = Scalar::from_be_bytes(*factor).map_err(|_| KeyDerivationError)?;
    point
        .mul_tweak(&secp, &scalar)
        .map_err(|_| KeyDerivationError)
}

/// A blinding factor or tweak fell outside the curve order, or produced the point at infinity.
///
/// This happens with negligible probability for honest inputs; it is reported rather than
/// panicking because the inputs may come from a peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyDerivationError;

impl fmt::Display for KeyDerivationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a derived blinding factor is not a valid secp256k1 scalar")
    }
}

impl core::error::Error for KeyDerivationError {}

/// What the origin knows about one hop of a route after deriving the session's keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HopKeys {
    /// The ephemeral public key this hop sees in its onion packet.
    pub ephemeral_public_key: PublicKey,
    /// The ECDH shared secret with this hop (SHA256 of the compressed shared point).
    pub shared_secret: SharedSecret,
}

/// Derives, for each hop of a route in order, the ephemeral public key and the shared secret
/// that the origin shares with it, starting from `session_key`.
///
/// Call it to build a packet (the builder does) or, later, to unwrap a returned failure from the
/// session key and the route alone.
pub fn derive_hop_keys(
    session_key: &SecretKey,
    hop_node_ids: &[PublicKey],
) -> Result<Vec<HopKeys>, KeyDerivationError> {
    let secp = Secp256k1::new();
    let mut ephemeral_secret = *session_key;
    let mut keys = Vec::with_capacity(hop_node_ids.len());
    for node_id in hop_node_ids {
        let ephemeral_public_key = PublicKey::from_secret_key(&secp, &ephemeral_secret);
        let shared_secret = SharedSecret::new(node_id, &ephemeral_secret);
        let factor = blinding_factor(&ephemeral_public_key, &shared_secret.secret_bytes());
        let scalar = Scalar::from_be_bytes(factor).map_err(|_| KeyDerivationError)?;
        ephemeral_secret = ephemeral_secret
            .mul_tweak(&scalar)
            .map_err(|_| KeyDerivationError)?;
        keys.push(HopKeys {
            ephemeral_public_key,
            shared_secret,
        });
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_detects_any_difference() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn stream_is_chacha20_keystream() {
        // RFC 8439 section 2.4.2 style sanity check: stream of a zero key starts with the
        // well-known ChaCha20 zero-key block.
        let stream = generate_stream(&[0u8; 32], 8);
        assert_eq!(stream, [0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90]);
    }
}
