//! Light parsing of what the node signer is asked to sign, to refuse messages that are not
//! about this node's keys.

use alloc::vec::Vec;

use crate::traits::InvalidInput;

/// BOLT 11 tag value of the payee node id field (`n`).
const PAYEE_TAG: u8 = 19;
/// 5-bit values in a 33-byte `n` field.
const PAYEE_LEN: usize = 53;

/// Reads a big-endian u16 length-prefixed `features` field at the start of `bytes`, returning
/// the bytes after it.
fn skip_features(bytes: &[u8]) -> Result<&[u8], InvalidInput> {
    let len_bytes = bytes.get(..2).ok_or(InvalidInput::MalformedMessage)?;
    let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
    bytes.get(2 + len..).ok_or(InvalidInput::MalformedMessage)
}

/// The 33 bytes at `offset`.
fn key_at(bytes: &[u8], offset: usize) -> Result<[u8; 33], InvalidInput> {
    let mut key = [0u8; 33];
    let end = offset
        .checked_add(33)
        .ok_or(InvalidInput::MalformedMessage)?;
    key.copy_from_slice(
        bytes
            .get(offset..end)
            .ok_or(InvalidInput::MalformedMessage)?,
    );
    Ok(key)
}

/// The `node_id` of a `node_announcement`'s signed bytes (`features`, `timestamp`,
/// `node_id`, ...).
pub(crate) fn node_announcement_node_id(signed: &[u8]) -> Result<[u8; 33], InvalidInput> {
    key_at(skip_features(signed)?, 4)
}

/// `node_id_1`, `node_id_2`, `bitcoin_key_1`, `bitcoin_key_2` of a `channel_announcement`'s
/// signed bytes (`features`, `chain_hash`, `short_channel_id`, then the four keys).
pub(crate) fn channel_announcement_keys(signed: &[u8]) -> Result<[[u8; 33]; 4], InvalidInput> {
    let rest = skip_features(signed)?;
    let first = 32 + 8;
    Ok([
        key_at(rest, first)?,
        key_at(rest, first + 33)?,
        key_at(rest, first + 66)?,
        key_at(rest, first + 99)?,
    ])
}

/// The payee node ids (`n` fields of the right length) of a BOLT 11 data part given as 5-bit
/// values: the 35-bit timestamp, then tagged fields `type (5) | length (10) | data`.
pub(crate) fn invoice_payees(data: &[u8]) -> Result<Vec<[u8; 33]>, InvalidInput> {
    let mut rest = data.get(7..).ok_or(InvalidInput::MalformedMessage)?;
    let mut payees = Vec::new();
    while !rest.is_empty() {
        let header = rest.get(..3).ok_or(InvalidInput::MalformedMessage)?;
        let len = usize::from(header[1]) * 32 + usize::from(header[2]);
        let field = rest.get(3..3 + len).ok_or(InvalidInput::MalformedMessage)?;
        if header[0] == PAYEE_TAG && len == PAYEE_LEN {
            payees.push(pack_33_bytes(field));
        }
        rest = &rest[3 + len..];
    }
    Ok(payees)
}

/// Packs 53 5-bit values into 33 bytes, dropping the final padding bit.
fn pack_33_bytes(values: &[u8]) -> [u8; 33] {
    let mut out = [0u8; 33];
    let mut accumulator: u32 = 0;
    let mut bits = 0u32;
    let mut written = 0;
    for &value in values {
        accumulator = (accumulator << 5) | u32::from(value & 31);
        bits += 5;
        if bits >= 8 && written < out.len() {
            bits -= 8;
            out[written] = (accumulator >> bits) as u8;
            written += 1;
            accumulator &= (1 << bits) - 1;
        }
    }
    out
}
