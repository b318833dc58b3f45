//! The BOLT 1 wire codec: primitives, TLV streams and every BOLT 1, 2 and 7 message, plus the
//! BOLT 9 feature bits.
//!
//! # The codec
//!
//! - [`Encode`] appends a value's wire form to a `Vec<u8>`; it cannot fail.
//! - [`Decode`] reads a value from a [`Reader`], a cursor over `&[u8]` that refuses to read past
//!   its end ([`DecodeError::ShortRead`]). Decoding borrows from the input and never allocates
//!   more than the input can hold, whatever length prefixes claim.
//! - Errors are [`DecodeError`]s: every one means the peer broke the spec.
//!
//! Implemented for the BOLT 1 fundamental types: `u8`..`u64` and `i8`..`i64` (big-endian),
//! `[u8; N]`, [`BigSize`] (minimal encoding enforced), the truncated integers [`Tu16`],
//! [`Tu32`], [`Tu64`] (they take the rest of their reader: use them as the last value of a TLV
//! record), [`PublicKey`] (33 bytes, must be a valid point), [`Signature`] (64-byte compact
//! ECDSA), [`ChainHash`], [`ChannelId`], [`ShortChannelId`], [`Features`] (u16 length + bytes)
//! and `Vec<T>` (a `u16` count then the elements; so `Vec<u8>` is a `u16`-length-prefixed byte
//! field). [`encode_u16_prefixed`] and [`Reader::read_u16_prefixed`] do the same for slices.
//!
//! # Messages
//!
//! Each message is a struct of public fields named as in the spec, in a module per concern:
//! [`setup`] (BOLT 1); [`channel`], [`htlc`], [`reestablish`], [`simple_close`],
//! [`dual_fund`], [`interactive`] and [`splice`] (BOLT 2); [`gossip`] (BOLT 7). Each implements [`WireMessage`] (its `TYPE`) and `Encode`/`Decode` for its
//! payload, i.e. without the 2-byte type. A payload decoder consumes its whole reader: bytes
//! after the known fields are the TLV extension when the message defines one (so they must be
//! a valid stream), and are ignored otherwise (BOLT 1 forward compatibility). Each TLV record
//! the spec defines is an `Option` field; unknown odd records are kept in `unknown_tlvs`.
//!
//! Inside this module two macros declare messages: `fixed_message!` (fixed fields only) and
//! `tlv_message!` (fixed fields, then TLV records as `Option<T>` fields or `bool` flags, plus
//! `unknown_tlvs`); see `wire/macros.rs`. Messages whose TLV values are raw `...*byte` (such
//! as `upfront_shutdown_script`) write their stream by hand with [`TlvWriter`] and
//! [`read_tlv_stream`].
//!
//! [`Message`] is the enum of every message: [`Message::read`] a decrypted frame,
//! [`Message::encode`] one to send.
//!
//! # TLV streams
//!
//! [`read_tlv_stream`] reads a stream to the end of a reader, calling back for each record so
//! the message can decode the types it knows; it enforces the BOLT 1 rules and returns the
//! unknown odd records as [`UnknownTlv`]s so they can be written back. [`TlvWriter`] writes a
//! stream in type order and merges those unknown records back in. [`TlvStreamReader`] walks raw
//! records for callers that need to see them one by one. Onion payloads are TLV streams too:
//! read their `bigsize` length, take a [`Reader::sub_reader`] of that length, and read the
//! stream from it.
//!
//! [`PublicKey`]: secp256k1::PublicKey
//! [`Signature`]: secp256k1::ecdsa::Signature

#[macro_use]
mod macros;

pub mod channel;
mod codec;
pub mod dual_fund;
pub mod features;
pub mod gossip;
pub mod htlc;
pub mod interactive;
mod message;
pub mod reestablish;
pub mod setup;
pub mod simple_close;
pub mod splice;
mod tlv;
mod types;

pub use bitcoin::constants::ChainHash;
pub use channel::{
    AcceptChannel, ChannelReady, ClosingFeeRange, ClosingSigned, FundingCreated, FundingSigned,
    OpenChannel, OpeningTlvs, Shutdown,
};
pub use codec::{
    encode_u16_prefixed, BigSize, Decode, DecodeError, Encode, Reader, Tu16, Tu32, Tu64,
    WireMessage,
};
pub use dual_fund::{AcceptChannel2, DualFundingTlvs, OpenChannel2};
pub use features::Features;
pub use htlc::{
    AttributionData, CommitmentSigned, RevokeAndAck, UpdateAddHtlc, UpdateFailHtlc,
    UpdateFailMalformedHtlc, UpdateFee, UpdateFulfillHtlc,
};
pub use interactive::{
    TxAbort, TxAckRbf, TxAddInput, TxAddOutput, TxComplete, TxInitRbf, TxRemoveInput,
    TxRemoveOutput, TxSignatures,
};
pub use message::Message;
pub use reestablish::{ChannelReestablish, FundingRetransmit};
pub use setup::{
    ErrorMessage, Init, PeerStorage, PeerStorageRetrieval, Ping, Pong, WarningMessage,
};
pub use simple_close::{ClosingComplete, ClosingSig};
pub use splice::{SpliceAck, SpliceInit, SpliceLocked, StartBatch, Stfu};
pub use tlv::{read_tlv_stream, TlvRecord, TlvStreamReader, TlvWriter, UnknownTlv};
pub use types::{ChannelId, PaymentHash, PaymentPreimage, ShortChannelId};
