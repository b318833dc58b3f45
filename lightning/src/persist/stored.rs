//! The stored form of a full monitor: a versioned envelope carrying the channel id and the
//! monitor's latest update id next to the monitor's own encoding, so a reader can tell which
//! stored deltas the monitor already contains without decoding the monitor.

use alloc::vec::Vec;
use core::fmt;

use crate::wire::{read_tlv_stream, ChannelId, Decode, DecodeError, Reader, TlvWriter};

/// The format version written as the first byte of a stored monitor.
pub const STORED_MONITOR_FORMAT_VERSION: u8 = 1;

/// Why bytes could not be read as a stored monitor envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredMonitorDecodeError {
    /// The input is empty.
    Empty,
    /// The format version byte is not one this library reads.
    UnknownVersion(u8),
    /// The TLV framing or a field's encoding is bad.
    Wire(DecodeError),
    /// A required field is missing.
    MissingField(&'static str),
}

impl fmt::Display for StoredMonitorDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty stored monitor"),
            Self::UnknownVersion(v) => write!(f, "unknown stored monitor format version {v}"),
            Self::Wire(e) => write!(f, "bad stored monitor encoding: {e}"),
            Self::MissingField(name) => write!(f, "stored monitor lacks its {name}"),
        }
    }
}

impl core::error::Error for StoredMonitorDecodeError {}

impl From<DecodeError> for StoredMonitorDecodeError {
    fn from(e: DecodeError) -> Self {
        Self::Wire(e)
    }
}

/// A decoded envelope, borrowing the monitor's bytes.
pub(crate) struct StoredMonitorRef<'a> {
    pub channel_id: ChannelId,
    pub update_id: u64,
    pub monitor: &'a [u8],
}

/// [`STORED_MONITOR_FORMAT_VERSION`], then a TLV stream: `channel_id` (0), the monitor's
/// latest `update_id` (2), the monitor's encoding (4).
pub(crate) fn encode_stored_monitor(
    channel_id: &ChannelId,
    update_id: u64,
    monitor: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(monitor.len().saturating_add(64));
    out.push(STORED_MONITOR_FORMAT_VERSION);
    let mut tlvs = TlvWriter::new(&mut out, &[]);
    tlvs.write(0, channel_id);
    tlvs.write(2, &update_id);
    tlvs.write_bytes(4, monitor);
    tlvs.finish();
    out
}

pub(crate) fn decode_stored_monitor(
    bytes: &[u8],
) -> Result<StoredMonitorRef<'_>, StoredMonitorDecodeError> {
    let (&version, rest) = bytes.split_first().ok_or(StoredMonitorDecodeError::Empty)?;
    if version != STORED_MONITOR_FORMAT_VERSION {
        return Err(StoredMonitorDecodeError::UnknownVersion(version));
    }
    let mut channel_id = None;
    let mut update_id = None;
    let mut monitor: Option<&[u8]> = None;
    read_tlv_stream(&mut Reader::new(rest), |t, value| {
        match t {
            0 => channel_id = Some(ChannelId::decode(value)?),
            2 => update_id = Some(u64::decode(value)?),
            4 => monitor = Some(value.read_remaining()),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(StoredMonitorRef {
        channel_id: channel_id.ok_or(StoredMonitorDecodeError::MissingField("channel_id"))?,
        update_id: update_id.ok_or(StoredMonitorDecodeError::MissingField("update_id"))?,
        monitor: monitor.ok_or(StoredMonitorDecodeError::MissingField("monitor"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bad_input() {
        let id = ChannelId([7; 32]);
        let bytes = encode_stored_monitor(&id, 42, b"monitor");
        let stored = decode_stored_monitor(&bytes).unwrap();
        assert_eq!(stored.channel_id, id);
        assert_eq!(stored.update_id, 42);
        assert_eq!(stored.monitor, b"monitor");
        assert!(matches!(
            decode_stored_monitor(&[]),
            Err(StoredMonitorDecodeError::Empty)
        ));
        assert!(matches!(
            decode_stored_monitor(&[9]),
            Err(StoredMonitorDecodeError::UnknownVersion(9))
        ));
        assert!(matches!(
            decode_stored_monitor(&[1]),
            Err(StoredMonitorDecodeError::MissingField("channel_id"))
        ));
        for cut in 1..bytes.len() {
            assert!(decode_stored_monitor(&bytes[..cut]).is_err());
        }
    }
}
