//! Returned failure packets (BOLT 4 "Returning Errors"): the erring node creates one, each
//! hop back wraps it, the origin unwraps it and attributes it to the hop that made it.

use alloc::vec::Vec;
use core::fmt;

use secp256k1::ecdh::SharedSecret;

use super::attribution::{verify_attribution, AttributionData, AttributionReport};
use super::crypto::{self, KeyType};
use super::failure::{FailureDecodeError, FailureMessage};
use super::packet::{HMAC_LEN, MAX_HOPS};

/// The length `failure_len + pad_len` must reach at least (and should equal when it fits).
pub const MIN_FAILURE_PADDED_LEN: usize = 256;
/// The padded length used when a failure message is longer than 256 bytes (the length the
/// BOLT 4 test vector with a large TLV stream uses).
pub const LARGE_FAILURE_PADDED_LEN: usize = 1024;

/// A failure message too long to fit a return packet (its length is a `u16`), or a requested
/// padded length shorter than the message or than 256 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailurePaddingError {
    /// Length of the failure message.
    pub message_len: usize,
    /// The padded length asked for.
    pub padded_len: usize,
}

impl fmt::Display for FailurePaddingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot pad a {}-byte failure message to {} bytes",
            self.message_len, self.padded_len
        )
    }
}

impl core::error::Error for FailurePaddingError {}

/// The padded length chosen by default for a message of `message_len` bytes: 256 if it fits,
/// else 1,024 if it fits, else the message length itself.
pub fn default_padded_len(message_len: usize) -> usize {
    if message_len <= MIN_FAILURE_PADDED_LEN {
        MIN_FAILURE_PADDED_LEN
    } else if message_len <= LARGE_FAILURE_PADDED_LEN {
        LARGE_FAILURE_PADDED_LEN
    } else {
        message_len
    }
}

/// The erring node's return packet before obfuscation: `hmac || failure_len || failuremsg ||
/// pad_len || pad`, the HMAC keyed by `um`, where `failure_len + pad_len == padded_len`.
pub fn encode_failure_packet(
    shared_secret: &SharedSecret,
    failure_message: &[u8],
    padded_len: usize,
) -> Result<Vec<u8>, FailurePaddingError> {
    let error = FailurePaddingError {
        message_len: failure_message.len(),
        padded_len,
    };
    let failure_len = u16::try_from(failure_message.len()).map_err(|_| error)?;
    let pad_len = padded_len.checked_sub(failure_message.len()).ok_or(error)?;
    let pad_len = u16::try_from(pad_len).map_err(|_| error)?;
    if padded_len < MIN_FAILURE_PADDED_LEN {
        return Err(error);
    }
    let mut body = Vec::with_capacity(4 + padded_len);
    body.extend_from_slice(&failure_len.to_be_bytes());
    body.extend_from_slice(failure_message);
    body.extend_from_slice(&pad_len.to_be_bytes());
    body.resize(body.len() + usize::from(pad_len), 0);
    let um = crypto::derive_key(KeyType::Um, &shared_secret.secret_bytes());
    let hmac = crypto::hmac_sha256(&um, &[&body]);
    let mut packet = Vec::with_capacity(HMAC_LEN + body.len());
    packet.extend_from_slice(&hmac);
    packet.extend_from_slice(&body);
    Ok(packet)
}

/// Applies this hop's `ammag` stream to a return packet in place. The erring node does this
/// once after encoding; every intermediate node does it once before passing the packet back
/// in `update_fail_htlc`. The origin undoes it hop by hop.
pub fn obfuscate_failure_packet(shared_secret: &SharedSecret, packet: &mut [u8]) {
    let ammag = crypto::derive_key(KeyType::Ammag, &shared_secret.secret_bytes());
    crypto::apply_stream(&ammag, packet);
}

/// What the erring node sends back: the `reason` of `update_fail_htlc` and, when attribution
/// data is used, its `attribution_data` TLV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnedFailure {
    /// The obfuscated failure packet (`reason`).
    pub packet: Vec<u8>,
    /// The attribution data (obfuscated).
    pub attribution: AttributionData,
}

/// The erring node: encodes `message` padded to the default length, adds attribution data
/// with `hold_time` (units of 100 ms), and obfuscates both. `shared_secret` is the one
/// peeling the incoming onion returned.
pub fn create_failure(
    shared_secret: &SharedSecret,
    message: &FailureMessage,
    hold_time: u32,
) -> Result<ReturnedFailure, FailurePaddingError> {
    let bytes = message.encode();
    create_failure_padded(
        shared_secret,
        &bytes,
        default_padded_len(bytes.len()),
        hold_time,
    )
}

/// Like [`create_failure`] with raw `failuremsg` bytes and an explicit padded length.
pub fn create_failure_padded(
    shared_secret: &SharedSecret,
    failure_message: &[u8],
    padded_len: usize,
    hold_time: u32,
) -> Result<ReturnedFailure, FailurePaddingError> {
    let mut packet = encode_failure_packet(shared_secret, failure_message, padded_len)?;
    let mut attribution = AttributionData::new();
    attribution.add_hop(shared_secret, hold_time, &packet);
    obfuscate_failure_packet(shared_secret, &mut packet);
    Ok(ReturnedFailure {
        packet,
        attribution,
    })
}

/// An intermediate node passing a failure back: adds its attribution layer (starting from
/// zeroes when downstream sent none) over the packet as received, then obfuscates the packet.
pub fn wrap_failure(
    shared_secret: &SharedSecret,
    packet: &mut [u8],
    attribution: Option<AttributionData>,
    hold_time: u32,
) -> AttributionData {
    let mut attribution = attribution.unwrap_or_default();
    attribution.add_hop(shared_secret, hold_time, packet);
    obfuscate_failure_packet(shared_secret, packet);
    attribution
}

/// Who the origin found responsible for a returned failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureSource {
    /// Hop `index` (0 = first hop after the origin) authenticated the packet.
    Hop {
        /// Index of the erring hop in the route.
        index: usize,
        /// The raw `failuremsg`.
        message: Vec<u8>,
        /// The message parsed (an error when it is too short for its code's data).
        decoded: Result<FailureMessage, FailureDecodeError>,
    },
    /// Hop `index` authenticated the packet but its `failure_len` runs past the packet's end.
    MalformedFromHop {
        /// Index of the erring hop in the route.
        index: usize,
    },
    /// No hop's HMAC matched: the packet was mangled on the way back.
    Unattributable,
}

/// The origin's reading of a returned failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedFailure {
    /// Which hop made the failure, if any could be identified.
    pub source: FailureSource,
    /// What the attribution data said, when it was supplied.
    pub attribution: Option<AttributionReport>,
}

/// The origin: unwraps `packet` (the `reason` of `update_fail_htlc`) layer by layer with the
/// per-hop shared secrets of the session (route order, as returned by the builder or by
/// `derive_hop_keys`), and attributes it to the first hop whose `um` HMAC matches.
///
/// When `attribution` is given it is verified too: the report gives the hold times and, for a
/// mangled packet, the first hop whose attribution HMAC fails (the blame lies with it or its
/// upstream neighbour). For timing privacy the unwrapping runs a constant 27 rounds.
pub fn decode_failure(
    hop_secrets: &[SharedSecret],
    packet: &[u8],
    attribution: Option<&AttributionData>,
) -> DecodedFailure {
    let mut current = packet.to_vec();
    let mut as_received = Vec::with_capacity(hop_secrets.len());
    let mut source = FailureSource::Unattributable;
    let dummy = SharedSecret::from_bytes([0u8; 32]);
    for round in 0..MAX_HOPS.max(hop_secrets.len()) {
        let (secret, real) = match hop_secrets.get(round) {
            Some(secret) if matches!(source, FailureSource::Unattributable) => (secret, true),
            _ => (&dummy, false),
        };
        obfuscate_failure_packet(secret, &mut current);
        if real {
            as_received.push(current.clone());
        }
        let found = check_failure_hmac(secret, &current, round);
        if real {
            if let Some(found) = found {
                source = found;
            }
        }
    }
    let erring = match source {
        FailureSource::Hop { index, .. } | FailureSource::MalformedFromHop { index } => Some(index),
        FailureSource::Unattributable => None,
    };
    let attribution = attribution.map(|data| {
        let messages: Vec<&[u8]> = as_received.iter().map(Vec::as_slice).collect();
        verify_attribution(hop_secrets, data, &messages, erring)
    });
    DecodedFailure {
        source,
        attribution,
    }
}

/// Checks whether the unwrapped `packet` authenticates under `secret`'s `um` key.
fn check_failure_hmac(secret: &SharedSecret, packet: &[u8], index: usize) -> Option<FailureSource> {
    let (hmac, body) = packet.split_at_checked(HMAC_LEN)?;
    let um = crypto::derive_key(KeyType::Um, &secret.secret_bytes());
    let expected = crypto::hmac_sha256(&um, &[body]);
    if !crypto::constant_time_eq(&expected, hmac) {
        return None;
    }
    let failure_len = body
        .get(..2)
        .map(|len| usize::from(u16::from_be_bytes([len[0], len[1]])));
    let message = failure_len.and_then(|len| body.get(2..2 + len));
    Some(match message {
        Some(message) => FailureSource::Hop {
            index,
            message: message.to_vec(),
            decoded: FailureMessage::decode(message),
        },
        None => FailureSource::MalformedFromHop { index },
    })
}
