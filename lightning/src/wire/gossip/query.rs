//! The gossip query messages: `query_short_channel_ids`, `reply_short_channel_ids_end`,
//! `query_channel_range`, `reply_channel_range` and `gossip_timestamp_filter`.

use alloc::vec::Vec;

use super::{
    check_count, decode_encoded_array, decode_fixed_array, uncompressed_payload, GossipDecodeError,
    ENCODING_UNCOMPRESSED,
};
use crate::wire::codec::{BigSize, Decode, DecodeError, Encode, Reader, WireMessage};
use crate::wire::tlv::{read_tlv_stream, TlvWriter, UnknownTlv};
use crate::wire::types::ShortChannelId;
use crate::wire::ChainHash;

/// The most `short_channel_id`s an `encoded_short_ids` field can hold (its `u16` length
/// covers the encoding byte and 8 bytes per id). Encoding writes at most this many; the whole
/// message must also fit in 65535 bytes.
pub const MAX_ENCODED_SHORT_IDS: usize = (u16::MAX as usize - 1) / 8;

/// Writes an `encoded_short_ids` field: `u16` length, encoding 0, the ids.
fn encode_short_ids(ids: &[ShortChannelId], out: &mut Vec<u8>) {
    let ids = &ids[..ids.len().min(MAX_ENCODED_SHORT_IDS)];
    // At most 1 + 8 * 8191 = 65529 bytes by the line above.
    let len = (1 + 8 * ids.len()) as u16;
    len.encode(out);
    out.push(ENCODING_UNCOMPRESSED);
    for id in ids {
        id.encode(out);
    }
}

/// Reads an `encoded_short_ids` field (`u16` length, then the encoded array).
fn decode_short_ids(r: &mut Reader<'_>) -> Result<Vec<ShortChannelId>, GossipDecodeError> {
    decode_encoded_array(r.read_u16_prefixed()?, 8)
}

/// The query flag of one `short_channel_id` in `query_short_channel_ids`: which messages the
/// sender wants for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct QueryFlags(pub u64);

impl QueryFlags {
    /// Bit 0: the `channel_announcement`.
    pub const CHANNEL_ANNOUNCEMENT: u64 = 1 << 0;
    /// Bit 1: the `channel_update` from `node_id_1`.
    pub const CHANNEL_UPDATE_NODE_1: u64 = 1 << 1;
    /// Bit 2: the `channel_update` from `node_id_2`.
    pub const CHANNEL_UPDATE_NODE_2: u64 = 1 << 2;
    /// Bit 3: the `node_announcement` of `node_id_1`.
    pub const NODE_ANNOUNCEMENT_NODE_1: u64 = 1 << 3;
    /// Bit 4: the `node_announcement` of `node_id_2`.
    pub const NODE_ANNOUNCEMENT_NODE_2: u64 = 1 << 4;

    /// Whether every bit of `flags` is set.
    pub fn contains(&self, flags: u64) -> bool {
        self.0 & flags == flags
    }
}

/// The `query_option_flags` of `query_channel_range`: what extra data the sender wants.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct QueryOptionFlags(pub u64);

impl QueryOptionFlags {
    /// Bit 0: `channel_update` timestamps.
    pub const WANT_TIMESTAMPS: u64 = 1 << 0;
    /// Bit 1: `channel_update` checksums.
    pub const WANT_CHECKSUMS: u64 = 1 << 1;

    /// Whether every bit of `flags` is set.
    pub fn contains(&self, flags: u64) -> bool {
        self.0 & flags == flags
    }
}

macro_rules! update_pair {
    ($(#[$doc:meta])* $name:ident { $(#[$doc1:meta])* $first:ident, $(#[$doc2:meta])* $second:ident }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name {
            $(#[$doc1])*
            pub $first: u32,
            $(#[$doc2])*
            pub $second: u32,
        }

        impl Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                self.$first.encode(out);
                self.$second.encode(out);
            }
        }

        impl Decode for $name {
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok($name { $first: r.decode()?, $second: r.decode()? })
            }
        }
    };
}

update_pair! {
    /// `channel_update_timestamps`: the timestamps of a channel's two latest updates.
    ChannelUpdateTimestamps {
        /// The timestamp of `node_id_1`'s update, or 0 if there is none.
        timestamp_node_id_1,
        /// The timestamp of `node_id_2`'s update, or 0 if there is none.
        timestamp_node_id_2
    }
}

update_pair! {
    /// `channel_update_checksums`: the checksums (see
    /// [`ChannelUpdate::checksum`](super::ChannelUpdate::checksum)) of a channel's two latest
    /// updates.
    ChannelUpdateChecksums {
        /// The checksum of `node_id_1`'s update, or 0 if there is none.
        checksum_node_id_1,
        /// The checksum of `node_id_2`'s update, or 0 if there is none.
        checksum_node_id_2
    }
}

/// `query_short_channel_ids` (type 261): asks for the announcements and updates of these
/// channels. The receiver answers with them and then [`ReplyShortChannelIdsEnd`].
///
/// Send only one at a time per peer (wait for the end marker). Decoding rejects zlib and
/// unknown encodings and a `query_flags` that does not have one flag per id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryShortChannelIds {
    /// The chain of the channels.
    pub chain_hash: ChainHash,
    /// The channels queried (in ascending order), at most [`MAX_ENCODED_SHORT_IDS`].
    pub short_channel_ids: Vec<ShortChannelId>,
    /// TLV 1 `query_flags`: one flag per id saying what to send for it. Without it the
    /// receiver sends everything.
    pub query_flags: Option<Vec<QueryFlags>>,
    /// Unknown odd TLV records, written back on encode.
    pub unknown_tlvs: Vec<UnknownTlv>,
}

impl QueryShortChannelIds {
    /// Decodes the payload like [`Decode::decode`], but says precisely why an encoded array
    /// was refused (e.g. [`GossipDecodeError::ZlibEncoding`]).
    pub fn decode_detailed(r: &mut Reader<'_>) -> Result<Self, GossipDecodeError> {
        let chain_hash = r.decode()?;
        let short_channel_ids = decode_short_ids(r)?;
        let mut query_flags_field = None;
        let unknown_tlvs = read_tlv_stream(r, |record_type, value| {
            match record_type {
                1 => query_flags_field = Some(value.read_remaining()),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let query_flags = query_flags_field.map(decode_query_flags).transpose()?;
        check_count(&query_flags, short_channel_ids.len())?;
        Ok(QueryShortChannelIds {
            chain_hash,
            short_channel_ids,
            query_flags,
            unknown_tlvs,
        })
    }
}

/// Decodes `query_flags`: an encoding byte (which must be present), then minimal bigsizes.
fn decode_query_flags(field: &[u8]) -> Result<Vec<QueryFlags>, GossipDecodeError> {
    if field.is_empty() {
        return Err(GossipDecodeError::Codec(
            DecodeError::TlvValueLengthMismatch,
        ));
    }
    let mut r = Reader::new(uncompressed_payload(field)?);
    let mut flags = Vec::new();
    while !r.is_empty() {
        flags.push(QueryFlags(BigSize::decode(&mut r)?.0));
    }
    Ok(flags)
}

impl WireMessage for QueryShortChannelIds {
    const TYPE: u16 = 261;
}

impl Encode for QueryShortChannelIds {
    fn encode(&self, out: &mut Vec<u8>) {
        self.chain_hash.encode(out);
        encode_short_ids(&self.short_channel_ids, out);
        let mut tlvs = TlvWriter::new(out, &self.unknown_tlvs);
        if let Some(flags) = &self.query_flags {
            let mut value = alloc::vec![ENCODING_UNCOMPRESSED];
            for flag in flags {
                BigSize(flag.0).encode(&mut value);
            }
            tlvs.write_bytes(1, &value);
        }
        tlvs.finish();
    }
}

impl Decode for QueryShortChannelIds {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self::decode_detailed(r)?)
    }
}

fixed_message! {
    /// `reply_short_channel_ids_end` (type 262): ends the answer to a
    /// [`QueryShortChannelIds`]; the peer may then send another query.
    pub struct ReplyShortChannelIdsEnd = 262 {
        /// The chain of the query.
        pub chain_hash: ChainHash,
        /// 1 if the sender keeps up-to-date information for this chain, 0 if not.
        pub full_information: u8,
    }
}

impl ReplyShortChannelIdsEnd {
    /// Whether the sender claims full information (`full_information` is non-zero).
    pub fn has_full_information(&self) -> bool {
        self.full_information != 0
    }
}

/// `query_channel_range` (type 263): asks for the ids of the channels whose funding
/// transaction is in blocks `first_blocknum .. first_blocknum + number_of_blocks`.
///
/// The receiver answers with one or more [`ReplyChannelRange`]s, the last with
/// `sync_complete` set; send only one query at a time per peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryChannelRange {
    /// The chain of the channels.
    pub chain_hash: ChainHash,
    /// The first block of the range.
    pub first_blocknum: u32,
    /// How many blocks (at least 1).
    pub number_of_blocks: u32,
    /// TLV 1 `query_option`: ask for timestamps and/or checksums with the ids.
    pub query_option: Option<QueryOptionFlags>,
    /// Unknown odd TLV records, written back on encode.
    pub unknown_tlvs: Vec<UnknownTlv>,
}

impl QueryChannelRange {
    /// The first block after the range (`first_blocknum + number_of_blocks`, without
    /// overflow).
    pub fn end_blocknum(&self) -> u64 {
        u64::from(self.first_blocknum) + u64::from(self.number_of_blocks)
    }
}

impl WireMessage for QueryChannelRange {
    const TYPE: u16 = 263;
}

impl Encode for QueryChannelRange {
    fn encode(&self, out: &mut Vec<u8>) {
        self.chain_hash.encode(out);
        self.first_blocknum.encode(out);
        self.number_of_blocks.encode(out);
        let mut tlvs = TlvWriter::new(out, &self.unknown_tlvs);
        if let Some(option) = &self.query_option {
            tlvs.write(1, &BigSize(option.0));
        }
        tlvs.finish();
    }
}

impl Decode for QueryChannelRange {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let chain_hash = r.decode()?;
        let first_blocknum = r.decode()?;
        let number_of_blocks = r.decode()?;
        let mut query_option = None;
        let unknown_tlvs = read_tlv_stream(r, |record_type, value| {
            match record_type {
                1 => query_option = Some(QueryOptionFlags(BigSize::decode(value)?.0)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(QueryChannelRange {
            chain_hash,
            first_blocknum,
            number_of_blocks,
            query_option,
            unknown_tlvs,
        })
    }
}

/// `reply_channel_range` (type 264): one part of the answer to a [`QueryChannelRange`]: the
/// channels in blocks `first_blocknum .. first_blocknum + number_of_blocks`.
///
/// Decoding rejects zlib and unknown encodings, and timestamps or checksums that do not have
/// one entry per id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyChannelRange {
    /// The chain of the query.
    pub chain_hash: ChainHash,
    /// The first block this reply covers.
    pub first_blocknum: u32,
    /// How many blocks this reply covers.
    pub number_of_blocks: u32,
    /// 1 on the last reply to the query, 0 before.
    pub sync_complete: u8,
    /// The channels (ascending), at most [`MAX_ENCODED_SHORT_IDS`].
    pub short_channel_ids: Vec<ShortChannelId>,
    /// TLV 1 `timestamps_tlv`: one pair per id, if the query asked for them.
    pub timestamps: Option<Vec<ChannelUpdateTimestamps>>,
    /// TLV 3 `checksums_tlv`: one pair per id, if the query asked for them.
    pub checksums: Option<Vec<ChannelUpdateChecksums>>,
    /// Unknown odd TLV records, written back on encode.
    pub unknown_tlvs: Vec<UnknownTlv>,
}

impl ReplyChannelRange {
    /// Whether this is the last reply (`sync_complete` is non-zero).
    pub fn is_sync_complete(&self) -> bool {
        self.sync_complete != 0
    }

    /// The first block after the range this reply covers (without overflow).
    pub fn end_blocknum(&self) -> u64 {
        u64::from(self.first_blocknum) + u64::from(self.number_of_blocks)
    }

    /// Decodes the payload like [`Decode::decode`], but says precisely why an encoded array
    /// was refused (e.g. [`GossipDecodeError::ZlibEncoding`]).
    pub fn decode_detailed(r: &mut Reader<'_>) -> Result<Self, GossipDecodeError> {
        let chain_hash = r.decode()?;
        let first_blocknum = r.decode()?;
        let number_of_blocks = r.decode()?;
        let sync_complete = r.decode()?;
        let short_channel_ids = decode_short_ids(r)?;
        let (mut timestamps_field, mut checksums_field) = (None, None);
        let unknown_tlvs = read_tlv_stream(r, |record_type, value| {
            match record_type {
                1 => timestamps_field = Some(value.read_remaining()),
                3 => checksums_field = Some(value.read_remaining()),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let timestamps = timestamps_field
            .map(|field| {
                if field.is_empty() {
                    return Err(GossipDecodeError::Codec(
                        DecodeError::TlvValueLengthMismatch,
                    ));
                }
                decode_encoded_array(field, 8)
            })
            .transpose()?;
        let checksums = checksums_field
            .map(|field| decode_fixed_array(field, 8))
            .transpose()?;
        check_count(&timestamps, short_channel_ids.len())?;
        check_count(&checksums, short_channel_ids.len())?;
        Ok(ReplyChannelRange {
            chain_hash,
            first_blocknum,
            number_of_blocks,
            sync_complete,
            short_channel_ids,
            timestamps,
            checksums,
            unknown_tlvs,
        })
    }
}

impl WireMessage for ReplyChannelRange {
    const TYPE: u16 = 264;
}

impl Encode for ReplyChannelRange {
    fn encode(&self, out: &mut Vec<u8>) {
        self.chain_hash.encode(out);
        self.first_blocknum.encode(out);
        self.number_of_blocks.encode(out);
        self.sync_complete.encode(out);
        encode_short_ids(&self.short_channel_ids, out);
        let mut tlvs = TlvWriter::new(out, &self.unknown_tlvs);
        if let Some(timestamps) = &self.timestamps {
            let mut value = alloc::vec![ENCODING_UNCOMPRESSED];
            for pair in timestamps {
                pair.encode(&mut value);
            }
            tlvs.write_bytes(1, &value);
        }
        if let Some(checksums) = &self.checksums {
            let mut value = Vec::with_capacity(8 * checksums.len());
            for pair in checksums {
                pair.encode(&mut value);
            }
            tlvs.write_bytes(3, &value);
        }
        tlvs.finish();
    }
}

impl Decode for ReplyChannelRange {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self::decode_detailed(r)?)
    }
}

fixed_message! {
    /// `gossip_timestamp_filter` (type 265): asks the peer to send only gossip with a
    /// timestamp in `first_timestamp .. first_timestamp + timestamp_range`, replacing any
    /// earlier filter. Without one, a peer sends no gossip.
    pub struct GossipTimestampFilter = 265 {
        /// The chain the filter applies to.
        pub chain_hash: ChainHash,
        /// The first timestamp wanted.
        pub first_timestamp: u32,
        /// How many seconds from `first_timestamp` are wanted.
        pub timestamp_range: u32,
    }
}

impl GossipTimestampFilter {
    /// Whether gossip with this `timestamp` passes the filter (computed without overflow).
    pub fn includes(&self, timestamp: u32) -> bool {
        let end = u64::from(self.first_timestamp) + u64::from(self.timestamp_range);
        timestamp >= self.first_timestamp && u64::from(timestamp) < end
    }
}
