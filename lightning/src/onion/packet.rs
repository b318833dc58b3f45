//! The 1,366-byte `onion_packet` and its construction by the origin node (BOLT 4 "Packet
//! Construction" and "Filler Generation").

use alloc::vec::Vec;
use core::fmt;

use bitcoin::hashes::{sha256, Hash};
use secp256k1::{PublicKey, SecretKey};

use crate::wire::{BigSize, Encode};

use super::crypto::{self, derive_hop_keys, HopKeys, KeyDerivationError, KeyType};

/// Length of the `hop_payloads` field of a payment onion.
pub const HOP_PAYLOADS_LEN: usize = 1300;
/// Length of an HMAC in the onion.
pub const HMAC_LEN: usize = 32;
// The length of a serialized payment `onion_packet` is the wire codec's constant (the size of
// `update_add_htlc.onion_routing_packet`), shared so the two cannot drift.
pub use crate::wire::htlc::ONION_PACKET_LEN;
// Version, point, hop payloads, HMAC.
const _: () = assert!(ONION_PACKET_LEN == 1 + 33 + HOP_PAYLOADS_LEN + HMAC_LEN);
/// The most hops a route may have (the limit of the TLV payload format).
pub const MAX_HOPS: usize = 27;
/// The only onion version this implementation understands.
pub const ONION_VERSION: u8 = 0;

/// A payment `onion_packet` as it travels in `update_add_htlc`.
///
/// The public key is kept as raw bytes: a packet from a peer may carry an invalid point, which
/// peeling reports as `invalid_onion_key`.
#[derive(Clone, PartialEq, Eq)]
pub struct OnionPacket {
    /// The version byte (0 for this specification).
    pub version: u8,
    /// The compressed ephemeral public key, possibly invalid when received from a peer.
    pub public_key: [u8; 33],
    /// The obfuscated hop payloads.
    pub hop_payloads: [u8; HOP_PAYLOADS_LEN],
    /// The HMAC over `hop_payloads` and the associated data for the receiving hop.
    pub hmac: [u8; HMAC_LEN],
}

impl fmt::Debug for OnionPacket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnionPacket")
            .field("version", &self.version)
            .field("public_key", &HexSlice(&self.public_key))
            .field("hmac", &HexSlice(&self.hmac))
            .finish_non_exhaustive()
    }
}

struct HexSlice<'a>(&'a [u8]);

impl fmt::Debug for HexSlice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

/// The input to [`OnionPacket::from_bytes`] is not exactly [`ONION_PACKET_LEN`] bytes long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WrongPacketLength {
    /// The length received.
    pub len: usize,
}

impl fmt::Display for WrongPacketLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "onion packet is {} bytes, expected {}",
            self.len, ONION_PACKET_LEN
        )
    }
}

impl core::error::Error for WrongPacketLength {}

impl OnionPacket {
    /// Parses the fixed-size serialization. The version and the point are not checked here;
    /// peeling checks them and names the failure to return.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WrongPacketLength> {
        if bytes.len() != ONION_PACKET_LEN {
            return Err(WrongPacketLength { len: bytes.len() });
        }
        let mut public_key = [0u8; 33];
        public_key.copy_from_slice(&bytes[1..34]);
        let mut hop_payloads = [0u8; HOP_PAYLOADS_LEN];
        hop_payloads.copy_from_slice(&bytes[34..34 + HOP_PAYLOADS_LEN]);
        let mut hmac = [0u8; HMAC_LEN];
        hmac.copy_from_slice(&bytes[34 + HOP_PAYLOADS_LEN..]);
        Ok(OnionPacket {
            version: bytes[0],
            public_key,
            hop_payloads,
            hmac,
        })
    }

    /// Serializes the packet to its 1,366 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ONION_PACKET_LEN);
        out.push(self.version);
        out.extend_from_slice(&self.public_key);
        out.extend_from_slice(&self.hop_payloads);
        out.extend_from_slice(&self.hmac);
        out
    }

    /// SHA256 of the serialized packet: the `sha256_of_onion` of BADONION failures.
    pub fn sha256(&self) -> [u8; 32] {
        sha256::Hash::hash(&self.to_bytes()).to_byte_array()
    }
}

/// One hop of a route to build an onion for: the hop's node id and its raw payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnionHop {
    /// The node id the hop's layer is encrypted to (a blinded node id inside a blinded path).
    pub node_id: PublicKey,
    /// The hop's payload (a TLV stream for payments), without the BigSize length prefix, which
    /// the builder adds. Build it with `HopPayload::encode` or supply any bytes.
    pub payload: Vec<u8>,
}

/// Why an onion could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The route has no hops.
    NoHops,
    /// The route has more than [`MAX_HOPS`] hops.
    TooManyHops {
        /// Number of hops given.
        hops: usize,
    },
    /// A payload is shorter than 2 bytes (lengths 0 and 1 are reserved).
    PayloadTooShort {
        /// Index of the hop in the route.
        hop: usize,
    },
    /// The payloads with their length prefixes and HMACs exceed the 1,300 bytes available.
    PayloadsTooLarge {
        /// Bytes the payloads would need.
        needed: usize,
    },
    /// A derived key was invalid (negligible probability; try another session key).
    KeyDerivation,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::NoHops => f.write_str("route has no hops"),
            BuildError::TooManyHops { hops } => {
                write!(f, "route has {hops} hops, at most {MAX_HOPS} are allowed")
            }
            BuildError::PayloadTooShort { hop } => {
                write!(f, "payload of hop {hop} is shorter than 2 bytes")
            }
            BuildError::PayloadsTooLarge { needed } => write!(
                f,
                "payloads need {needed} bytes, only {HOP_PAYLOADS_LEN} fit in the onion"
            ),
            BuildError::KeyDerivation => f.write_str("a derived onion key was invalid"),
        }
    }
}

impl core::error::Error for BuildError {}

impl From<KeyDerivationError> for BuildError {
    fn from(_: KeyDerivationError) -> Self {
        BuildError::KeyDerivation
    }
}

/// A freshly built onion and the keys the origin keeps to read a returned failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltOnion {
    /// The packet to put in `update_add_htlc` to the first hop.
    pub packet: OnionPacket,
    /// The ephemeral key and shared secret of each hop, in route order. Keep the shared
    /// secrets (or the session key and route) to call `decode_failure` later.
    pub hop_keys: Vec<HopKeys>,
}

/// The bytes one hop takes in `hop_payloads`: length prefix, payload, HMAC.
fn shift_size(payload_len: usize) -> usize {
    BigSize::encoded_len(payload_len as u64) + payload_len + HMAC_LEN
}

/// Builds a payment onion for `hops` (first hop first) from the caller's random
/// `session_key`, committing to `associated_data` (the payment hash for payments).
///
/// Returns the packet for the first hop and the per-hop keys the origin needs later to
/// attribute a returned failure.
pub fn build_onion(
    session_key: &SecretKey,
    hops: &[OnionHop],
    associated_data: &[u8],
) -> Result<BuiltOnion, BuildError> {
    check_route(hops)?;
    let node_ids: Vec<PublicKey> = hops.iter().map(|hop| hop.node_id).collect();
    let hop_keys = derive_hop_keys(session_key, &node_ids)?;
    let secrets: Vec<[u8; 32]> = hop_keys
        .iter()
        .map(|keys| keys.shared_secret.secret_bytes())
        .collect();
    let filler = generate_filler(hops, &secrets);

    let mut mix_header = [0u8; HOP_PAYLOADS_LEN];
    let pad_key = crypto::derive_key(KeyType::Pad, &session_key.secret_bytes());
    crypto::apply_stream(&pad_key, &mut mix_header);

    let mut next_hmac = [0u8; HMAC_LEN];
    for (index, hop) in hops.iter().enumerate().rev() {
        let shift = shift_size(hop.payload.len());
        mix_header.copy_within(..HOP_PAYLOADS_LEN - shift, shift);
        let mut record = Vec::with_capacity(shift);
        BigSize(hop.payload.len() as u64).encode(&mut record);
        record.extend_from_slice(&hop.payload);
        record.extend_from_slice(&next_hmac);
        mix_header[..shift].copy_from_slice(&record);

        let rho = crypto::derive_key(KeyType::Rho, &secrets[index]);
        crypto::apply_stream(&rho, &mut mix_header);
        if index == hops.len() - 1 {
            mix_header[HOP_PAYLOADS_LEN - filler.len()..].copy_from_slice(&filler);
        }
        let mu = crypto::derive_key(KeyType::Mu, &secrets[index]);
        next_hmac = crypto::hmac_sha256(&mu, &[&mix_header, associated_data]);
    }

    let packet = OnionPacket {
        version: ONION_VERSION,
        public_key: hop_keys[0].ephemeral_public_key.serialize(),
        hop_payloads: mix_header,
        hmac: next_hmac,
    };
    Ok(BuiltOnion { packet, hop_keys })
}

/// Checks the route's hop count and payload sizes before any key work.
fn check_route(hops: &[OnionHop]) -> Result<(), BuildError> {
    if hops.is_empty() {
        return Err(BuildError::NoHops);
    }
    if hops.len() > MAX_HOPS {
        return Err(BuildError::TooManyHops { hops: hops.len() });
    }
    if let Some(hop) = hops.iter().position(|hop| hop.payload.len() < 2) {
        return Err(BuildError::PayloadTooShort { hop });
    }
    let needed = hops.iter().fold(0usize, |sum, hop| {
        sum.saturating_add(shift_size(hop.payload.len()))
    });
    if needed > HOP_PAYLOADS_LEN {
        return Err(BuildError::PayloadsTooLarge { needed });
    }
    Ok(())
}

/// The filler: what the last hop will see at the end of its `hop_payloads` after every earlier
/// hop appended zeros and applied its `rho` stream. The origin writes it so each HMAC matches.
fn generate_filler(hops: &[OnionHop], secrets: &[[u8; 32]]) -> Vec<u8> {
    let mut filler: Vec<u8> = Vec::new();
    let forwarding_hops = hops.len().saturating_sub(1);
    for (hop, secret) in hops.iter().zip(secrets).take(forwarding_hops) {
        let shift = shift_size(hop.payload.len());
        filler.resize(filler.len() + shift, 0);
        let rho = crypto::derive_key(KeyType::Rho, secret);
        let stream = crypto::generate_stream(&rho, 2 * HOP_PAYLOADS_LEN);
        // The filler occupies the bytes just before the end of the shifted, padded buffer.
        let start = HOP_PAYLOADS_LEN + shift - filler.len();
        for (byte, key) in filler.iter_mut().zip(&stream[start..]) {
            *byte ^= key;
        }
    }
    filler
}
