//! TLV streams (BOLT 1 "Type-Length-Value Format").
//!
//! A stream is a series of `(type: bigsize, length: bigsize, value)` records with strictly
//! increasing types. Reading enforces every rule of BOLT 1: minimal `bigsize`s, strictly
//! increasing types, lengths within the stream, known values taking exactly their length,
//! unknown even types rejected and unknown odd types skipped (and kept, see [`UnknownTlv`]).
//!
//! Reading a stream whose known types a message defines:
//! ```
//! use lightning::wire::{read_tlv_stream, Decode, DecodeError, Reader, Tu64};
//! # fn main() -> Result<(), DecodeError> {
//! let bytes = [0x01, 0x02, 0x01, 0x00, 0x03, 0x00];
//! let mut amount = None;
//! let unknown = read_tlv_stream(&mut Reader::new(&bytes), |record_type, value| {
//!     match record_type {
//!         1 => amount = Some(Tu64::decode(value)?.0),
//!         _ => return Ok(false), // not known: odd is kept, even is an error
//!     }
//!     Ok(true)
//! })?;
//! assert_eq!(amount, Some(256));
//! assert_eq!(unknown[0].record_type, 3);
//! # Ok(()) }
//! ```
//! Writing one, with [`TlvWriter`], in increasing type order:
//! ```
//! use lightning::wire::{TlvWriter, Tu64};
//! let mut out = Vec::new();
//! let mut writer = TlvWriter::new(&mut out, &[]);
//! writer.write(1, &Tu64(256));
//! writer.finish();
//! assert_eq!(out, [0x01, 0x02, 0x01, 0x00]);
//! ```

use alloc::vec::Vec;

use super::codec::{BigSize, Decode, DecodeError, Encode, Reader};

/// A TLV record of an odd type that the reader did not know, kept so the message can be
/// re-encoded (and re-signed) unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct UnknownTlv {
    /// The record type (always odd when it comes from a decoder).
    pub record_type: u64,
    /// The raw value bytes.
    pub value: Vec<u8>,
}

/// One record as it appears in a stream, borrowing the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlvRecord<'a> {
    /// The record type.
    pub record_type: u64,
    /// The value bytes (exactly `length` of them).
    pub value: &'a [u8],
}

/// Walks the records of a stream one at a time, checking the framing rules (minimal bigsizes,
/// strictly increasing types, lengths within the stream) but not the even/odd rule, which needs
/// to know which types are known. Most callers want [`read_tlv_stream`] instead.
#[derive(Clone, Debug)]
pub struct TlvStreamReader<'a> {
    reader: Reader<'a>,
    last_type: Option<u64>,
}

impl<'a> TlvStreamReader<'a> {
    /// A reader over a stream that fills all of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        TlvStreamReader {
            reader: Reader::new(bytes),
            last_type: None,
        }
    }

    /// The next record, `Ok(None)` at the end of the stream, or the framing error.
    pub fn next_record(&mut self) -> Result<Option<TlvRecord<'a>>, DecodeError> {
        if self.reader.is_empty() {
            return Ok(None);
        }
        let record_type = BigSize::decode(&mut self.reader)?.0;
        if self.last_type.is_some_and(|last| record_type <= last) {
            return Err(DecodeError::TlvTypesNotIncreasing);
        }
        self.last_type = Some(record_type);
        let length = BigSize::decode(&mut self.reader)?.0;
        let length = usize::try_from(length)
            .ok()
            .filter(|len| *len <= self.reader.remaining())
            .ok_or(DecodeError::TlvLengthExceedsStream)?;
        let value = self.reader.read_bytes(length)?;
        Ok(Some(TlvRecord { record_type, value }))
    }
}

/// Reads a TLV stream taking every remaining byte of `r`.
///
/// For each record `on_record(type, value)` is called with a reader bounded to the value. It
/// decodes the value and returns `Ok(true)` if the type is known, or returns `Ok(false)` if it
/// is not. A known value must be consumed exactly: leftover bytes, or a
/// [`DecodeError::ShortRead`] from the value reader, give [`DecodeError::TlvValueLengthMismatch`]. Unknown even types fail with [`DecodeError::UnknownEvenTlvType`]; unknown odd
/// records are returned, in stream order.
///
/// For a stream with a length prefix (an onion payload), take a [`Reader::sub_reader`] first.
pub fn read_tlv_stream<'a, F>(
    r: &mut Reader<'a>,
    mut on_record: F,
) -> Result<Vec<UnknownTlv>, DecodeError>
where
    F: FnMut(u64, &mut Reader<'a>) -> Result<bool, DecodeError>,
{
    let mut stream = TlvStreamReader::new(r.read_remaining());
    let mut unknown = Vec::new();
    while let Some(record) = stream.next_record()? {
        let mut value = Reader::new(record.value);
        // The value reader is bounded to the record, so running out means the length was
        // too short for the known encoding.
        let known = on_record(record.record_type, &mut value).map_err(|error| match error {
            DecodeError::ShortRead => DecodeError::TlvValueLengthMismatch,
            other => other,
        })?;
        if known {
            if !value.is_empty() {
                return Err(DecodeError::TlvValueLengthMismatch);
            }
        } else if record.record_type % 2 == 0 {
            return Err(DecodeError::UnknownEvenTlvType(record.record_type));
        } else {
            unknown.push(UnknownTlv {
                record_type: record.record_type,
                value: record.value.to_vec(),
            });
        }
    }
    Ok(unknown)
}

/// Writes a TLV stream into a buffer, merging in the unknown records kept from a decode.
///
/// Call [`write`](Self::write)/[`write_bytes`](Self::write_bytes) for the known records in
/// strictly increasing type order, then [`finish`](Self::finish). Unknown records are slotted
/// in by type; one whose type equals a known record's is dropped (the known one wins).
pub struct TlvWriter<'o, 'u> {
    out: &'o mut Vec<u8>,
    pending_unknown: Vec<&'u UnknownTlv>,
    next_unknown: usize,
    scratch: Vec<u8>,
}

impl<'o, 'u> TlvWriter<'o, 'u> {
    /// A writer appending to `out`, which will also emit the records of `unknown`.
    pub fn new(out: &'o mut Vec<u8>, unknown: &'u [UnknownTlv]) -> Self {
        let mut pending_unknown: Vec<&UnknownTlv> = unknown.iter().collect();
        pending_unknown.sort_by_key(|record| record.record_type);
        pending_unknown.dedup_by_key(|record| record.record_type);
        TlvWriter {
            out,
            pending_unknown,
            next_unknown: 0,
            scratch: Vec::new(),
        }
    }

    /// Writes one record whose value is the encoding of `value`.
    pub fn write<T: Encode + ?Sized>(&mut self, record_type: u64, value: &T) {
        let mut scratch = core::mem::take(&mut self.scratch);
        scratch.clear();
        value.encode(&mut scratch);
        self.write_bytes(record_type, &scratch);
        self.scratch = scratch;
    }

    /// Writes one record whose value is the given bytes.
    pub fn write_bytes(&mut self, record_type: u64, value: &[u8]) {
        self.flush_unknown_below(record_type);
        // Skip an unknown record that this known one replaces.
        if self
            .pending_unknown
            .get(self.next_unknown)
            .is_some_and(|record| record.record_type == record_type)
        {
            self.next_unknown += 1;
        }
        write_record(self.out, record_type, value);
    }

    /// Writes the remaining unknown records. Call once, after the last known record.
    pub fn finish(mut self) {
        self.flush_unknown_below(u64::MAX);
        if let Some(record) = self.pending_unknown.get(self.next_unknown) {
            write_record(self.out, record.record_type, &record.value);
        }
    }

    fn flush_unknown_below(&mut self, record_type: u64) {
        while let Some(record) = self.pending_unknown.get(self.next_unknown) {
            if record.record_type >= record_type {
                break;
            }
            write_record(self.out, record.record_type, &record.value);
            self.next_unknown += 1;
        }
    }
}

fn write_record(out: &mut Vec<u8>, record_type: u64, value: &[u8]) {
    BigSize(record_type).encode(out);
    BigSize(value.len() as u64).encode(out);
    out.extend_from_slice(value);
}

/// How a message field holds one TLV record, for the `tlv_message!` macro: `Option<T>` is a
/// record whose value is `T`'s encoding, `bool` a record with an empty value (a flag).
pub(crate) trait TlvField: Default {
    /// Writes the record if the field holds one.
    fn write_tlv(&self, record_type: u64, writer: &mut TlvWriter<'_, '_>);
    /// Fills the field from a record's value.
    fn read_tlv(&mut self, value: &mut Reader<'_>) -> Result<(), DecodeError>;
}

impl<T: Encode + Decode> TlvField for Option<T> {
    fn write_tlv(&self, record_type: u64, writer: &mut TlvWriter<'_, '_>) {
        if let Some(value) = self {
            writer.write(record_type, value);
        }
    }

    fn read_tlv(&mut self, value: &mut Reader<'_>) -> Result<(), DecodeError> {
        *self = Some(T::decode(value)?);
        Ok(())
    }
}

impl TlvField for bool {
    fn write_tlv(&self, record_type: u64, writer: &mut TlvWriter<'_, '_>) {
        if *self {
            writer.write_bytes(record_type, &[]);
        }
    }

    /// A flag's value must be empty; leftover bytes fail the stream.
    fn read_tlv(&mut self, _value: &mut Reader<'_>) -> Result<(), DecodeError> {
        *self = true;
        Ok(())
    }
}
