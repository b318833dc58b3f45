//! Small helpers of the persisted encodings (channel and manager): optional values, flags,
//! length-prefixed blobs, transactions, and a reader of top-level TLV records.

use alloc::vec::Vec;

use bitcoin::consensus::encode::{deserialize, serialize};
use bitcoin::Transaction;

use crate::wire::{read_tlv_stream, Decode, DecodeError, Encode, Reader};

/// Writes a presence byte, then the value if present.
pub(crate) fn put_opt<T: Encode>(value: &Option<T>, out: &mut Vec<u8>) {
    match value {
        Some(v) => {
            out.push(1);
            v.encode(out);
        }
        None => out.push(0),
    }
}

/// Reads what [`put_opt`] wrote.
pub(crate) fn get_opt<T: Decode>(r: &mut Reader<'_>) -> Result<Option<T>, DecodeError> {
    match u8::decode(r)? {
        0 => Ok(None),
        1 => Ok(Some(T::decode(r)?)),
        _ => Err(DecodeError::InvalidValue),
    }
}

/// Writes a flag as one byte.
pub(crate) fn put_bool(value: bool, out: &mut Vec<u8>) {
    out.push(u8::from(value));
}

/// Reads a flag written by [`put_bool`].
pub(crate) fn get_bool(r: &mut Reader<'_>) -> Result<bool, DecodeError> {
    match u8::decode(r)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(DecodeError::InvalidValue),
    }
}

/// Writes bytes with a `u32` length prefix.
pub(crate) fn put_blob(bytes: &[u8], out: &mut Vec<u8>) {
    // Persisted values are far below 4 GiB.
    (bytes.len() as u32).encode(out);
    out.extend_from_slice(bytes);
}

/// Reads bytes written by [`put_blob`] (never more than the input holds).
pub(crate) fn get_blob<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], DecodeError> {
    let len = usize::try_from(u32::decode(r)?).map_err(|_| DecodeError::ShortRead)?;
    r.read_bytes(len)
}

/// Writes a transaction (consensus encoding) as a blob.
pub(crate) fn put_tx(tx: &Transaction, out: &mut Vec<u8>) {
    put_blob(&serialize(tx), out);
}

/// Reads a transaction written by [`put_tx`].
pub(crate) fn get_tx(r: &mut Reader<'_>) -> Result<Transaction, DecodeError> {
    deserialize(get_blob(r)?).map_err(|_| DecodeError::InvalidValue)
}

/// Writes a list with a `u32` count, each element with `write`.
pub(crate) fn put_list<T>(items: &[T], out: &mut Vec<u8>, write: impl Fn(&T, &mut Vec<u8>)) {
    // Persisted lists are far below 4 billion entries.
    (items.len() as u32).encode(out);
    for item in items {
        write(item, out);
    }
}

/// Reads a list written by [`put_list`]; the count reserves nothing up front.
pub(crate) fn get_list<'a, T, E: From<DecodeError>>(
    r: &mut Reader<'a>,
    mut read: impl FnMut(&mut Reader<'a>) -> Result<T, E>,
) -> Result<Vec<T>, E> {
    let count = u32::decode(r)?;
    let mut items = Vec::new();
    for _ in 0..count {
        items.push(read(r)?);
    }
    Ok(items)
}

/// The records of a top-level TLV stream, by type (unknown odd records are skipped by the
/// caller simply not asking for them; unknown even ones are refused by [`Records::read`]).
pub(crate) struct Records<'a> {
    records: Vec<(u64, &'a [u8])>,
}

impl<'a> Records<'a> {
    /// Reads the stream; even types above `max_known_even` are refused (written by a newer
    /// version that requires them to be understood).
    pub fn read(bytes: &'a [u8], max_known_even: u64) -> Result<Self, DecodeError> {
        let mut records = Vec::new();
        read_tlv_stream(&mut Reader::new(bytes), |t, value| {
            if t % 2 == 0 && t > max_known_even {
                return Ok(false);
            }
            records.push((t, value.read_remaining()));
            Ok(true)
        })?;
        Ok(Records { records })
    }

    /// The value of record `t`, if present.
    pub fn get(&self, t: u64) -> Option<&'a [u8]> {
        self.records
            .iter()
            .find(|(rt, _)| *rt == t)
            .map(|(_, v)| *v)
    }
}
