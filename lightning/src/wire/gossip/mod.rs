//! BOLT 7 gossip messages: announcements, channel updates and the gossip queries.
//!
//! Each message is a struct of public fields implementing [`Encode`](super::Encode),
//! [`Decode`] and [`WireMessage`](super::WireMessage) (payload without the
//! 2-byte type):
//! - [`AnnouncementSignatures`] (259), [`ChannelAnnouncement`] (256),
//!   [`NodeAnnouncement`] (257) with its [`AddressDescriptor`]s, [`ChannelUpdate`] (258);
//! - [`QueryShortChannelIds`] (261), [`ReplyShortChannelIdsEnd`] (262),
//!   [`QueryChannelRange`] (263), [`ReplyChannelRange`] (264),
//!   [`GossipTimestampFilter`] (265).
//!
//! The signed messages keep any bytes after their known fields (`excess_data`), since the
//! signatures cover them, and offer `signed_bytes()`, `message_hash()` and signature checks.
//!
//! The query messages carry arrays in the "encoded" form of BOLT 7: an encoding byte, then the
//! elements. Only encoding 0 (uncompressed) is accepted; the deprecated zlib encoding (1) and
//! unknown encodings fail with a [`GossipDecodeError`] from `decode_detailed`, which plain
//! [`Decode::decode`] reports as [`DecodeError::InvalidValue`].

mod address;
mod announcement;
mod query;
mod update;

pub use address::{AddressDescriptor, Hostname};
pub use announcement::{
    AnnouncementSignatures, ChannelAnnouncement, GossipSignatureError, NodeAnnouncement,
};
pub use query::{
    ChannelUpdateChecksums, ChannelUpdateTimestamps, GossipTimestampFilter, QueryChannelRange,
    QueryFlags, QueryOptionFlags, QueryShortChannelIds, ReplyChannelRange, ReplyShortChannelIdsEnd,
    MAX_ENCODED_SHORT_IDS,
};
pub use update::ChannelUpdate;

use alloc::vec::Vec;
use core::fmt;

use super::codec::{Decode, DecodeError, Reader};

/// Why a gossip query could not be decoded, in more detail than [`DecodeError`].
///
/// Returned by the `decode_detailed` methods of the query messages; their
/// [`Decode`] impls turn the variants other than `Codec` into
/// [`DecodeError::InvalidValue`]. BOLT 7 lets the receiver send a `warning` and close the
/// connection for any of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GossipDecodeError {
    /// The codec failed (short input, bad TLV stream, ...).
    Codec(DecodeError),
    /// An encoded array used encoding 1, the deprecated zlib compression, which must no
    /// longer be used.
    ZlibEncoding,
    /// An encoded array used an encoding type BOLT 7 does not define.
    UnknownEncoding(u8),
    /// An encoded array's bytes are not a whole number of elements.
    PartialElement,
    /// A per-channel array (query flags, timestamps, checksums) does not have exactly one
    /// entry per `short_channel_id`.
    CountMismatch,
}

impl fmt::Display for GossipDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GossipDecodeError::Codec(error) => write!(f, "{error}"),
            GossipDecodeError::ZlibEncoding => {
                f.write_str("encoded array uses the deprecated zlib encoding")
            }
            GossipDecodeError::UnknownEncoding(encoding) => {
                write!(f, "encoded array uses unknown encoding type {encoding}")
            }
            GossipDecodeError::PartialElement => {
                f.write_str("encoded array is not a whole number of elements")
            }
            GossipDecodeError::CountMismatch => {
                f.write_str("per-channel array does not match the number of short_channel_ids")
            }
        }
    }
}

impl core::error::Error for GossipDecodeError {}

impl From<DecodeError> for GossipDecodeError {
    fn from(error: DecodeError) -> Self {
        GossipDecodeError::Codec(error)
    }
}

impl From<GossipDecodeError> for DecodeError {
    fn from(error: GossipDecodeError) -> Self {
        match error {
            GossipDecodeError::Codec(error) => error,
            _ => DecodeError::InvalidValue,
        }
    }
}

/// Encoding type 0: an uncompressed array.
const ENCODING_UNCOMPRESSED: u8 = 0;
/// Encoding type 1: zlib, deprecated.
const ENCODING_ZLIB: u8 = 1;

/// Reads the encoding byte of an encoded array and returns the elements' bytes, checking the
/// encoding is 0. An empty input is an empty array (some peers omit the byte when there is
/// nothing to encode).
fn uncompressed_payload(encoded: &[u8]) -> Result<&[u8], GossipDecodeError> {
    match encoded.split_first() {
        None => Ok(&[]),
        Some((&ENCODING_UNCOMPRESSED, elements)) => Ok(elements),
        Some((&ENCODING_ZLIB, _)) => Err(GossipDecodeError::ZlibEncoding),
        Some((&other, _)) => Err(GossipDecodeError::UnknownEncoding(other)),
    }
}

/// Decodes a sequence of fixed-size elements filling all of `bytes`.
fn decode_fixed_array<T: Decode>(
    bytes: &[u8],
    element_len: usize,
) -> Result<Vec<T>, GossipDecodeError> {
    if !bytes.len().is_multiple_of(element_len) {
        return Err(GossipDecodeError::PartialElement);
    }
    // The input holds exactly this many elements, so the allocation is bounded by it.
    let mut elements = Vec::with_capacity(bytes.len() / element_len);
    let mut r = Reader::new(bytes);
    while !r.is_empty() {
        elements.push(T::decode(&mut r)?);
    }
    Ok(elements)
}

/// Decodes an encoded array (encoding byte, then fixed-size elements).
fn decode_encoded_array<T: Decode>(
    encoded: &[u8],
    element_len: usize,
) -> Result<Vec<T>, GossipDecodeError> {
    decode_fixed_array(uncompressed_payload(encoded)?, element_len)
}

/// Checks that a per-channel array has one entry per `short_channel_id`.
fn check_count<T>(
    entries: &Option<Vec<T>>,
    short_channel_ids: usize,
) -> Result<(), GossipDecodeError> {
    match entries {
        Some(entries) if entries.len() != short_channel_ids => {
            Err(GossipDecodeError::CountMismatch)
        }
        _ => Ok(()),
    }
}
