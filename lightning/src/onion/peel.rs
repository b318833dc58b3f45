//! Peeling one layer of a payment onion at a hop (BOLT 4 "Onion Decryption").

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use bitcoin::hashes::{sha256, Hash};
use secp256k1::ecdh::SharedSecret;
use secp256k1::PublicKey;

use crate::wire::{BigSize, Decode, Reader};

use super::crypto::{self, KeyType};
use super::failure::FailureCode;
use super::packet::{OnionPacket, HMAC_LEN, HOP_PAYLOADS_LEN, ONION_PACKET_LEN, ONION_VERSION};

/// One layer of an onion, peeled: either a packet to forward or the final hop's payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeeledOnion {
    /// This node is an intermediate hop: check `payload`, then forward `next_packet`.
    Forward {
        /// The shared secret with the origin: store it to wrap a returned failure, and use the
        /// packet's HMAC to detect replays.
        shared_secret: SharedSecret,
        /// The decrypted hop payload (a TLV stream for payments), without its length prefix.
        payload: Vec<u8>,
        /// The packet for the next hop, with the blinded ephemeral key.
        next_packet: Box<OnionPacket>,
    },
    /// This node is the final destination (the next HMAC is all-zero).
    Final {
        /// The shared secret with the origin (to create a failure if the payment is refused).
        shared_secret: SharedSecret,
        /// The decrypted hop payload, without its length prefix.
        payload: Vec<u8>,
    },
}

impl PeeledOnion {
    /// The shared secret with the origin, whichever the outcome.
    pub fn shared_secret(&self) -> &SharedSecret {
        match self {
            PeeledOnion::Forward { shared_secret, .. }
            | PeeledOnion::Final { shared_secret, .. } => shared_secret,
        }
    }

    /// The decrypted hop payload, whichever the outcome.
    pub fn payload(&self) -> &[u8] {
        match self {
            PeeledOnion::Forward { payload, .. } | PeeledOnion::Final { payload, .. } => payload,
        }
    }
}

/// Why a hop's payload could not be framed after the HMAC was verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadFramingError {
    /// The BigSize length prefix is truncated or not minimally encoded.
    MalformedLength,
    /// The length is 0 (the retired legacy format) or 1 (reserved).
    ReservedLength,
    /// The length runs past the end of the hop payloads or leaves no room for the next HMAC.
    LengthTooLarge,
}

/// Why peeling failed. [`PeelError::failure_code`] names the failure to return.
///
/// `E` is the error type of the caller's ECDH function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeelError<E> {
    /// The serialized onion is not 1,366 bytes long (`invalid_onion_hmac`: it cannot be
    /// authenticated).
    WrongLength {
        /// The length received.
        len: usize,
    },
    /// The version byte is not 0 (`invalid_onion_version`).
    UnknownVersion {
        /// The version received.
        version: u8,
    },
    /// The ephemeral public key is not a valid point (`invalid_onion_key`).
    InvalidPublicKey,
    /// The HMAC does not match (`invalid_onion_hmac`).
    InvalidHmac,
    /// The caller's ECDH failed. No failure code is implied: this is our signer's failure,
    /// not the peer's; the caller decides (typically retry, or `temporary_node_failure`).
    Ecdh(E),
    /// The origin's packet authenticated but its payload cannot be framed
    /// (`invalid_onion_payload`). The shared secret is known, so a failure packet can be
    /// returned with `update_fail_htlc`.
    InvalidPayload {
        /// The shared secret with the origin.
        shared_secret: SharedSecret,
        /// What was wrong with the framing.
        reason: PayloadFramingError,
    },
}

impl<E> PeelError<E> {
    /// The failure code to return for this error, `None` for [`PeelError::Ecdh`].
    ///
    /// When the code has the BADONION bit, answer with `update_fail_malformed_htlc` carrying
    /// the code and the SHA256 of the onion as received (see `MalformedHtlc`); otherwise build
    /// a failure packet with the shared secret.
    pub fn failure_code(&self) -> Option<FailureCode> {
        match self {
            PeelError::WrongLength { .. } | PeelError::InvalidHmac => {
                Some(FailureCode::INVALID_ONION_HMAC)
            }
            PeelError::UnknownVersion { .. } => Some(FailureCode::INVALID_ONION_VERSION),
            PeelError::InvalidPublicKey => Some(FailureCode::INVALID_ONION_KEY),
            PeelError::Ecdh(_) => None,
            PeelError::InvalidPayload { .. } => Some(FailureCode::INVALID_ONION_PAYLOAD),
        }
    }
}

impl<E: fmt::Display> fmt::Display for PeelError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeelError::WrongLength { len } => {
                write!(f, "onion is {len} bytes, expected {ONION_PACKET_LEN}")
            }
            PeelError::UnknownVersion { version } => write!(f, "unknown onion version {version}"),
            PeelError::InvalidPublicKey => f.write_str("onion ephemeral key is not a valid point"),
            PeelError::InvalidHmac => f.write_str("onion HMAC does not match"),
            PeelError::Ecdh(err) => write!(f, "ECDH with the node key failed: {err}"),
            PeelError::InvalidPayload { reason, .. } => {
                write!(f, "onion hop payload cannot be framed: {reason:?}")
            }
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for PeelError<E> {}

/// The data of an `update_fail_malformed_htlc` answering a BADONION failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MalformedHtlc {
    /// SHA256 of the onion exactly as received.
    pub sha256_of_onion: [u8; 32],
    /// The failure code, which has the BADONION bit.
    pub failure_code: FailureCode,
}

impl MalformedHtlc {
    /// The malformed-HTLC answer for `onion_bytes` (as received) if `code` has BADONION.
    pub fn new(onion_bytes: &[u8], code: FailureCode) -> Option<Self> {
        code.is_bad_onion().then(|| MalformedHtlc {
            sha256_of_onion: sha256::Hash::hash(onion_bytes).to_byte_array(),
            failure_code: code,
        })
    }

    /// The malformed-HTLC answer for a peel error, if its failure code has BADONION.
    pub fn for_peel_error<E>(onion_bytes: &[u8], error: &PeelError<E>) -> Option<Self> {
        error
            .failure_code()
            .and_then(|code| Self::new(onion_bytes, code))
    }
}

/// Peels one layer of a serialized onion (as received in `update_add_htlc`).
///
/// `associated_data` is the payment hash. `ecdh` must compute the SHA256 of the compressed
/// point `node_secret * point`, as `NodeSigner::ecdh` of `lightning-signer-api` does.
pub fn peel_onion_bytes<E, F>(
    onion_bytes: &[u8],
    associated_data: &[u8],
    ecdh: F,
) -> Result<PeeledOnion, PeelError<E>>
where
    F: FnMut(&PublicKey) -> Result<SharedSecret, E>,
{
    let packet = OnionPacket::from_bytes(onion_bytes)
        .map_err(|err| PeelError::WrongLength { len: err.len })?;
    peel_onion(&packet, associated_data, ecdh)
}

/// Peels one layer of `packet` with the caller's ECDH (see [`peel_onion_bytes`]).
///
/// Checks the version, parses the ephemeral key, computes the shared secret, verifies the HMAC
/// in constant time, decrypts and frames this hop's payload.
pub fn peel_onion<E, F>(
    packet: &OnionPacket,
    associated_data: &[u8],
    mut ecdh: F,
) -> Result<PeeledOnion, PeelError<E>>
where
    F: FnMut(&PublicKey) -> Result<SharedSecret, E>,
{
    if packet.version != ONION_VERSION {
        return Err(PeelError::UnknownVersion {
            version: packet.version,
        });
    }
    let ephemeral =
        PublicKey::from_slice(&packet.public_key).map_err(|_| PeelError::InvalidPublicKey)?;
    let shared_secret = ecdh(&ephemeral).map_err(PeelError::Ecdh)?;
    peel_with_shared_secret(packet, &ephemeral, shared_secret, associated_data)
}

/// A failure to peel an onion received with a `path_key` (inside a blinded route).
///
/// Whatever went wrong, BOLT 4 asks a node inside a blinded route to answer
/// `invalid_onion_blinding` (with `update_fail_malformed_htlc`), so that errors cannot be used
/// to unblind the route; [`BlindedPeelError::failure_code`] says so. The inner error says
/// what actually happened, for logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlindedPeelError<E>(pub PeelError<E>);

impl<E> BlindedPeelError<E> {
    /// `invalid_onion_blinding`, or `None` when the caller's own ECDH failed.
    pub fn failure_code(&self) -> Option<FailureCode> {
        match self.0 {
            PeelError::Ecdh(_) => None,
            _ => Some(FailureCode::INVALID_ONION_BLINDING),
        }
    }
}

impl<E: fmt::Display> fmt::Display for BlindedPeelError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "blinded onion: {}", self.0)
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for BlindedPeelError<E> {}

/// Peels a layer of an onion that arrived with `path_key` in `update_add_htlc` (this node is
/// inside a blinded route and the sender encrypted to its blinded node id).
///
/// Calls `ecdh` twice: first on `path_key` (giving the blinding shared secret, whose
/// `HMAC("blinded_node_id", ...)` tweaks the onion's ephemeral key), then on the tweaked key.
/// The next `path_key` to send on comes from route blinding (the decrypted
/// `encrypted_recipient_data`), not from here.
pub fn peel_blinded_onion<E, F>(
    packet: &OnionPacket,
    associated_data: &[u8],
    path_key: &PublicKey,
    mut ecdh: F,
) -> Result<PeeledOnion, BlindedPeelError<E>>
where
    F: FnMut(&PublicKey) -> Result<SharedSecret, E>,
{
    if packet.version != ONION_VERSION {
        return Err(BlindedPeelError(PeelError::UnknownVersion {
            version: packet.version,
        }));
    }
    let ephemeral = PublicKey::from_slice(&packet.public_key)
        .map_err(|_| BlindedPeelError(PeelError::InvalidPublicKey))?;
    let blinding_secret = ecdh(path_key).map_err(|err| BlindedPeelError(PeelError::Ecdh(err)))?;
    let tweak = crypto::hmac_sha256(b"blinded_node_id", &[&blinding_secret.secret_bytes()]);
    let tweaked = crypto::blind_public_key(&ephemeral, &tweak)
        .map_err(|_| BlindedPeelError(PeelError::InvalidPublicKey))?;
    let shared_secret = ecdh(&tweaked).map_err(|err| BlindedPeelError(PeelError::Ecdh(err)))?;
    peel_with_shared_secret(packet, &ephemeral, shared_secret, associated_data)
        .map_err(BlindedPeelError)
}

/// Peels with a shared secret already computed for the packet's ephemeral key.
fn peel_with_shared_secret<E>(
    packet: &OnionPacket,
    ephemeral: &PublicKey,
    shared_secret: SharedSecret,
    associated_data: &[u8],
) -> Result<PeeledOnion, PeelError<E>> {
    let secret = shared_secret.secret_bytes();
    let mu = crypto::derive_key(KeyType::Mu, &secret);
    let expected = crypto::hmac_sha256(&mu, &[&packet.hop_payloads, associated_data]);
    if !crypto::constant_time_eq(&expected, &packet.hmac) {
        return Err(PeelError::InvalidHmac);
    }

    let mut unwrapped = alloc::vec![0u8; 2 * HOP_PAYLOADS_LEN];
    unwrapped[..HOP_PAYLOADS_LEN].copy_from_slice(&packet.hop_payloads);
    let rho = crypto::derive_key(KeyType::Rho, &secret);
    crypto::apply_stream(&rho, &mut unwrapped);

    let invalid = |reason| PeelError::InvalidPayload {
        shared_secret,
        reason,
    };
    let mut reader = Reader::new(&unwrapped);
    let length = BigSize::decode(&mut reader)
        .map_err(|_| invalid(PayloadFramingError::MalformedLength))?
        .0;
    let prefix_len = reader.position();
    if length < 2 {
        return Err(invalid(PayloadFramingError::ReservedLength));
    }
    // The payload and the next HMAC must come from the packet's own 1,300 bytes.
    let room = HOP_PAYLOADS_LEN - prefix_len - HMAC_LEN;
    if length > room as u64 {
        return Err(invalid(PayloadFramingError::LengthTooLarge));
    }
    let payload_end = prefix_len + length as usize;
    let payload = unwrapped[prefix_len..payload_end].to_vec();
    let hmac_end = payload_end + HMAC_LEN;
    let mut next_hmac = [0u8; HMAC_LEN];
    next_hmac.copy_from_slice(&unwrapped[payload_end..hmac_end]);

    if next_hmac == [0u8; HMAC_LEN] {
        return Ok(PeeledOnion::Final {
            shared_secret,
            payload,
        });
    }
    let factor = crypto::blinding_factor(ephemeral, &secret);
    let next_key =
        crypto::blind_public_key(ephemeral, &factor).map_err(|_| PeelError::InvalidPublicKey)?;
    let mut hop_payloads = [0u8; HOP_PAYLOADS_LEN];
    hop_payloads.copy_from_slice(&unwrapped[hmac_end..hmac_end + HOP_PAYLOADS_LEN]);
    let next_packet = OnionPacket {
        version: ONION_VERSION,
        public_key: next_key.serialize(),
        hop_payloads,
        hmac: next_hmac,
    };
    Ok(PeeledOnion::Forward {
        shared_secret,
        payload,
        next_packet: Box::new(next_packet),
    })
}
