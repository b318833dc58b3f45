//! The codec primitives: the [`Encode`]/[`Decode`] traits, the bounded [`Reader`], the
//! [`DecodeError`] enum and the encodings of the BOLT 1 fundamental types.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use bitcoin::constants::ChainHash;
use bitcoin::hashes::Hash;
use bitcoin::{ScriptBuf, Txid};
use secp256k1::ecdsa::Signature;
use secp256k1::PublicKey;

use super::features::Features;

/// Why bytes could not be decoded.
///
/// Every variant means the peer sent something that does not follow the spec; BOLT 1 asks the
/// receiver to close the connection (and it may fail the channels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DecodeError {
    /// The input ended before the value did.
    ShortRead,
    /// A `bigsize` was not encoded in its shortest form.
    NonMinimalBigSize,
    /// A truncated integer (`tu16`/`tu32`/`tu64`) had a leading zero byte.
    NonMinimalTruncatedInt,
    /// A truncated integer was longer than its type allows.
    TruncatedIntTooLong,
    /// A `point` was not a valid compressed secp256k1 public key.
    InvalidPoint,
    /// A `signature` was not a valid compact ECDSA signature.
    InvalidSignature,
    /// A message of an unknown even type (the receiver must close the connection).
    UnknownEvenMessageType(u16),
    /// A TLV record of an unknown even type.
    UnknownEvenTlvType(u64),
    /// TLV record types were not strictly increasing (a repeat counts).
    TlvTypesNotIncreasing,
    /// A TLV record claimed more bytes than the stream holds.
    TlvLengthExceedsStream,
    /// A known TLV record's length did not match what its encoding needs.
    TlvValueLengthMismatch,
    /// A field held a value the spec does not allow (e.g. a bad flag or an amount out of range).
    InvalidValue,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::ShortRead => f.write_str("input ended before the value did"),
            DecodeError::NonMinimalBigSize => f.write_str("bigsize is not minimally encoded"),
            DecodeError::NonMinimalTruncatedInt => {
                f.write_str("truncated integer has a leading zero byte")
            }
            DecodeError::TruncatedIntTooLong => f.write_str("truncated integer is too long"),
            DecodeError::InvalidPoint => f.write_str("invalid public key"),
            DecodeError::InvalidSignature => f.write_str("invalid signature"),
            DecodeError::UnknownEvenMessageType(t) => write!(f, "unknown even message type {t}"),
            DecodeError::UnknownEvenTlvType(t) => write!(f, "unknown even TLV type {t}"),
            DecodeError::TlvTypesNotIncreasing => f.write_str("TLV types are not increasing"),
            DecodeError::TlvLengthExceedsStream => {
                f.write_str("TLV length exceeds the remaining stream")
            }
            DecodeError::TlvValueLengthMismatch => {
                f.write_str("TLV value length does not match its type")
            }
            DecodeError::InvalidValue => f.write_str("field value not allowed by the spec"),
        }
    }
}

impl core::error::Error for DecodeError {}

/// A cursor over a byte slice that refuses to read past its end.
///
/// Decoders take `&mut Reader` and advance it. Slices handed out borrow the input, so decoding
/// never allocates more than the input can hold.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    /// A reader positioned at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, position: 0 }
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.position
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// How many bytes have been read so far.
    pub fn position(&self) -> usize {
        self.position
    }

    /// Reads the next `len` bytes, or fails with [`DecodeError::ShortRead`] (reading nothing).
    pub fn read_bytes(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        if len > self.remaining() {
            return Err(DecodeError::ShortRead);
        }
        let bytes = &self.data[self.position..self.position + len];
        self.position += len;
        Ok(bytes)
    }

    /// Reads the next `N` bytes as an array.
    pub fn read_array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut array = [0u8; N];
        array.copy_from_slice(self.read_bytes(N)?);
        Ok(array)
    }

    /// Reads everything that is left (possibly nothing).
    pub fn read_remaining(&mut self) -> &'a [u8] {
        let bytes = &self.data[self.position..];
        self.position = self.data.len();
        bytes
    }

    /// Reads a `u16` length followed by that many bytes.
    pub fn read_u16_prefixed(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = u16::decode(self)?;
        self.read_bytes(usize::from(len))
    }

    /// Splits off the next `len` bytes as a reader of their own, bounded to them.
    pub fn sub_reader(&mut self, len: usize) -> Result<Reader<'a>, DecodeError> {
        Ok(Reader::new(self.read_bytes(len)?))
    }

    /// Decodes a `T` from the reader.
    pub fn decode<T: Decode>(&mut self) -> Result<T, DecodeError> {
        T::decode(self)
    }
}

/// A value with a BOLT wire encoding. Encoding appends to `out` and cannot fail.
pub trait Encode {
    /// Appends the wire form of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// The wire form of `self` in a fresh vector.
    fn encode_to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// A value that can be read from its BOLT wire encoding.
pub trait Decode: Sized {
    /// Reads one value from `r`, advancing it past the bytes used.
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Decodes a value that must take all of `bytes` (e.g. a TLV value).
    fn decode_exact(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let value = Self::decode(&mut r)?;
        if !r.is_empty() {
            return Err(DecodeError::TlvValueLengthMismatch);
        }
        Ok(value)
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out)
    }
}

macro_rules! big_endian_int {
    ($($ty:ty),*) => {$(
        impl Encode for $ty {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_be_bytes());
            }
        }
        impl Decode for $ty {
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(<$ty>::from_be_bytes(r.read_array()?))
            }
        }
    )*};
}
big_endian_int!(u8, u16, u32, u64, i8, i16, i32, i64);

impl<const N: usize> Encode for [u8; N] {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl<const N: usize> Decode for [u8; N] {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.read_array()
    }
}

/// A `bigsize`: a variable-length big-endian unsigned integer (1, 3, 5 or 9 bytes).
///
/// Decoding rejects non-minimal encodings with [`DecodeError::NonMinimalBigSize`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BigSize(pub u64);

impl Encode for BigSize {
    fn encode(&self, out: &mut Vec<u8>) {
        let value = self.0;
        if value < 0xfd {
            out.push(value as u8);
        } else if value <= 0xffff {
            out.push(0xfd);
            out.extend_from_slice(&(value as u16).to_be_bytes());
        } else if value <= 0xffff_ffff {
            out.push(0xfe);
            out.extend_from_slice(&(value as u32).to_be_bytes());
        } else {
            out.push(0xff);
            out.extend_from_slice(&value.to_be_bytes());
        }
    }
}

impl Decode for BigSize {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let (value, minimum) = match u8::decode(r)? {
            0xfd => (u64::from(u16::decode(r)?), 0xfd),
            0xfe => (u64::from(u32::decode(r)?), 0x1_0000),
            0xff => (u64::decode(r)?, 0x1_0000_0000),
            small => return Ok(BigSize(u64::from(small))),
        };
        if value < minimum {
            return Err(DecodeError::NonMinimalBigSize);
        }
        Ok(BigSize(value))
    }
}

impl BigSize {
    /// The number of bytes the encoding of `value` takes.
    pub fn encoded_len(value: u64) -> usize {
        match value {
            0..=0xfc => 1,
            0xfd..=0xffff => 3,
            0x1_0000..=0xffff_ffff => 5,
            _ => 9,
        }
    }
}

macro_rules! truncated_int {
    ($(#[$doc:meta] $name:ident($ty:ty);)*) => {$(
        #[$doc]
        ///
        /// It is the last value of a TLV record: decoding takes every remaining byte of the
        /// reader, which must be minimal (no leading zero byte) and at most the integer's width.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $ty);

        impl Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                let bytes = self.0.to_be_bytes();
                let skip = (self.0.leading_zeros() / 8) as usize;
                out.extend_from_slice(&bytes[skip..]);
            }
        }

        impl Decode for $name {
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                let bytes = r.read_remaining();
                const WIDTH: usize = core::mem::size_of::<$ty>();
                let mut full = [0u8; WIDTH];
                if bytes.len() > WIDTH {
                    return Err(DecodeError::TruncatedIntTooLong);
                }
                if bytes.first() == Some(&0) {
                    return Err(DecodeError::NonMinimalTruncatedInt);
                }
                full[WIDTH - bytes.len()..].copy_from_slice(bytes);
                Ok($name(<$ty>::from_be_bytes(full)))
            }
        }
    )*};
}
truncated_int! {
    /// A `tu16`: a `u16` without leading zero bytes (0 to 2 bytes).
    Tu16(u16);
    /// A `tu32`: a `u32` without leading zero bytes (0 to 4 bytes).
    Tu32(u32);
    /// A `tu64`: a `u64` without leading zero bytes (0 to 8 bytes).
    Tu64(u64);
}

/// Appends `bytes` with a `u16` length prefix.
///
/// A message can never exceed 65535 bytes, so longer input cannot be sent: it is cut to its
/// first 65535 bytes (callers keep fields short enough to fit their message).
pub fn encode_u16_prefixed(bytes: &[u8], out: &mut Vec<u8>) {
    let len = bytes.len().min(usize::from(u16::MAX));
    // `len` is at most u16::MAX by the line above.
    (len as u16).encode(out);
    out.extend_from_slice(&bytes[..len]);
}

impl Encode for PublicKey {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.serialize());
    }
}

impl Decode for PublicKey {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let bytes: [u8; 33] = r.read_array()?;
        PublicKey::from_slice(&bytes).map_err(|_| DecodeError::InvalidPoint)
    }
}

impl Encode for Signature {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.serialize_compact());
    }
}

impl Decode for Signature {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let bytes: [u8; 64] = r.read_array()?;
        Signature::from_compact(&bytes).map_err(|_| DecodeError::InvalidSignature)
    }
}

impl Encode for ChainHash {
    fn encode(&self, out: &mut Vec<u8>) {
        let bytes: &[u8; 32] = self.as_ref();
        out.extend_from_slice(bytes);
    }
}

impl Decode for ChainHash {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ChainHash::from(r.read_array::<32>()?))
    }
}

/// Features as a message field: a `u16` length then the big-endian bit vector.
impl<C> Encode for Features<C> {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_u16_prefixed(&self.to_wire_bytes(), out);
    }
}

impl<C> Decode for Features<C> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Features::from_wire_bytes(r.read_u16_prefixed()?))
    }
}

/// A list as a message field: a `u16` count, then the elements.
///
/// Decoding never reserves more elements up front than the remaining input could hold.
impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        let count = self.len().min(usize::from(u16::MAX));
        // `count` is at most u16::MAX by the line above.
        (count as u16).encode(out);
        for item in &self[..count] {
            item.encode(out);
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let count = usize::from(u16::decode(r)?);
        // Reserve no more memory than the remaining input takes; if the elements really are
        // there the vector grows as they are read.
        let fits = r.remaining() / core::mem::size_of::<T>().max(1);
        let mut items = Vec::with_capacity(count.min(fits));
        for _ in 0..count {
            items.push(T::decode(r)?);
        }
        Ok(items)
    }
}

impl<T: Encode> Encode for Box<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out)
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Box::new(T::decode(r)?))
    }
}

/// A txid as a `sha256` field, in its internal byte order (as serialized in transactions).
impl Encode for Txid {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_byte_array());
    }
}

impl Decode for Txid {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Txid::from_byte_array(r.read_array()?))
    }
}

/// A script as a message field: a `u16` length then the script bytes (as in `shutdown`).
/// Inside a TLV record (`...*byte`) the script takes the whole value instead; message codecs
/// handle that case themselves.
impl Encode for ScriptBuf {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_u16_prefixed(self.as_bytes(), out);
    }
}

impl Decode for ScriptBuf {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ScriptBuf::from_bytes(r.read_u16_prefixed()?.to_vec()))
    }
}

/// A message whose `Encode`/`Decode` handle its payload (everything after the 2-byte type).
///
/// A payload decoder consumes its whole reader: bytes after the known fields are the TLV
/// extension of messages that define one, and are ignored otherwise (BOLT 1 forward
/// compatibility).
pub trait WireMessage: Encode + Decode {
    /// The 2-byte message type.
    const TYPE: u16;

    /// The full message: the 2-byte big-endian type followed by the payload.
    fn encode_with_type(&self) -> Vec<u8> {
        let mut out = Vec::new();
        Self::TYPE.encode(&mut out);
        self.encode(&mut out);
        out
    }
}
