//! Identifier value types that appear in messages: [`ChannelId`], [`ShortChannelId`],
//! [`PaymentHash`] and [`PaymentPreimage`].

use alloc::vec::Vec;
use core::fmt;

use super::codec::{Decode, DecodeError, Encode, Reader};

impl ChannelId {
    /// The all-zero id: in `error`/`warning` it refers to every channel with the peer.
    pub const ALL_CHANNELS: ChannelId = ChannelId([0; 32]);

    /// The v1 channel id: the funding txid (in its internal byte order, as serialized in a
    /// transaction input) XOR the funding output index in the last two bytes, big-endian.
    pub fn from_funding_outpoint(funding_txid: [u8; 32], funding_output_index: u16) -> Self {
        let mut id = funding_txid;
        let index = funding_output_index.to_be_bytes();
        id[30] ^= index[0];
        id[31] ^= index[1];
        ChannelId(id)
    }

    /// Whether this is the all-zero id.
    pub fn is_all_channels(&self) -> bool {
        self.0 == [0; 32]
    }
}

/// An 8-byte `short_channel_id` (BOLT 7): the funding output's block height (3 bytes),
/// transaction index in the block (3 bytes) and output index (2 bytes), or an alias.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShortChannelId(pub u64);

impl ShortChannelId {
    /// Builds the id of an output, or `None` if the height or tx index does not fit 3 bytes.
    pub fn new(block_height: u32, tx_index: u32, output_index: u16) -> Option<Self> {
        if block_height >= 1 << 24 || tx_index >= 1 << 24 {
            return None;
        }
        Some(ShortChannelId(
            (u64::from(block_height) << 40) | (u64::from(tx_index) << 16) | u64::from(output_index),
        ))
    }

    /// The block height of the funding transaction.
    pub fn block_height(&self) -> u32 {
        (self.0 >> 40) as u32
    }

    /// The index of the funding transaction in its block.
    pub fn tx_index(&self) -> u32 {
        ((self.0 >> 16) & 0xff_ffff) as u32
    }

    /// The index of the funding output in its transaction.
    pub fn output_index(&self) -> u16 {
        (self.0 & 0xffff) as u16
    }
}

/// The human-readable `BLOCKxTXxOUTPUT` form, e.g. `539268x845x1`.
impl fmt::Display for ShortChannelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}x{}x{}",
            self.block_height(),
            self.tx_index(),
            self.output_index()
        )
    }
}

impl Encode for ShortChannelId {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
    }
}

impl Decode for ShortChannelId {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ShortChannelId(u64::decode(r)?))
    }
}

macro_rules! bytes32_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; 32]);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for byte in self.0 {
                    write!(f, "{byte:02x}")?;
                }
                Ok(())
            }
        }

        impl Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.0);
            }
        }

        impl Decode for $name {
            fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok($name(r.read_array()?))
            }
        }
    };
}

bytes32_newtype! {
    /// The SHA256 hash of a [`PaymentPreimage`]: what an HTLC is locked to (`payment_hash`).
    PaymentHash
}

bytes32_newtype! {
    /// The secret whose SHA256 is the [`PaymentHash`]; revealing it settles the HTLC
    /// (`payment_preimage` in `update_fulfill_htlc`).
    PaymentPreimage
}

bytes32_newtype! {
    /// A 32-byte channel identifier (`channel_id`, BOLT 2).
    ///
    /// Before funding it holds the random `temporary_channel_id`; afterwards it is derived from
    /// the funding outpoint with [`ChannelId::from_funding_outpoint`]. All zeroes means "all
    /// channels" in `error` and `warning`.
    ChannelId
}
