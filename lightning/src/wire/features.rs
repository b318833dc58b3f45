//! BOLT 9 feature bits for each context (init, node, channel announcement, invoice, channel type).
//!
//! A feature vector is a bit field. On the wire it is big-endian: the last byte holds bits 0-7.
//! Bit `2k` is the "required" (even) bit of feature `k`, bit `2k+1` the "optional" (odd) bit.

use alloc::vec::Vec;
use core::marker::PhantomData;

/// The context of `init` messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct InitContext;
/// The context of `node_announcement` messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NodeContext;
/// The context of `channel_announcement` messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChannelContext;
/// The context of BOLT 11 invoices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bolt11InvoiceContext;
/// The context of the `channel_type` TLV of `open_channel`/`accept_channel`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChannelTypeContext;

/// A feature bit vector in context `C`.
///
/// Stored little-endian by byte (`le_flags[0]` holds bits 0-7) without trailing zero bytes, so
/// two vectors with the same bits compare equal whatever padding they arrived with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Features<C> {
    le_flags: Vec<u8>,
    context: PhantomData<C>,
}

/// Features of an `init` message.
pub type InitFeatures = Features<InitContext>;
/// Features of a `node_announcement`.
pub type NodeFeatures = Features<NodeContext>;
/// Features of a `channel_announcement`.
pub type ChannelFeatures = Features<ChannelContext>;
/// Features of a BOLT 11 invoice.
pub type Bolt11InvoiceFeatures = Features<Bolt11InvoiceContext>;
/// A channel type (`channel_type` TLV).
pub type ChannelTypeFeatures = Features<ChannelTypeContext>;

impl<C> Features<C> {
    /// A vector with no bit set.
    pub fn empty() -> Self {
        Features {
            le_flags: Vec::new(),
            context: PhantomData,
        }
    }

    /// Reads a vector from its wire form (big-endian bytes, as in `init` or `channel_type`).
    pub fn from_wire_bytes(be_bytes: &[u8]) -> Self {
        let mut le_flags: Vec<u8> = be_bytes.iter().rev().copied().collect();
        trim_trailing_zeros(&mut le_flags);
        Features {
            le_flags,
            context: PhantomData,
        }
    }

    /// The wire form: big-endian bytes, as short as the highest set bit allows.
    pub fn to_wire_bytes(&self) -> Vec<u8> {
        self.le_flags.iter().rev().copied().collect()
    }

    /// Whether bit `bit` is set.
    pub fn is_bit_set(&self, bit: usize) -> bool {
        self.le_flags
            .get(bit / 8)
            .is_some_and(|byte| byte & (1 << (bit % 8)) != 0)
    }

    /// Sets bit `bit`, growing the vector as needed.
    pub fn set_bit(&mut self, bit: usize) {
        let index = bit / 8;
        if self.le_flags.len() <= index {
            self.le_flags.resize(index + 1, 0);
        }
        self.le_flags[index] |= 1 << (bit % 8);
    }

    /// Clears bit `bit`.
    pub fn clear_bit(&mut self, bit: usize) {
        if let Some(byte) = self.le_flags.get_mut(bit / 8) {
            *byte &= !(1 << (bit % 8));
        }
        trim_trailing_zeros(&mut self.le_flags);
    }

    /// Iterates over the numbers of the bits that are set, lowest first.
    pub fn set_bits(&self) -> impl Iterator<Item = usize> + '_ {
        self.le_flags.iter().enumerate().flat_map(|(index, byte)| {
            (0..8).filter_map(move |shift| (byte & (1 << shift) != 0).then_some(index * 8 + shift))
        })
    }
}

fn trim_trailing_zeros(le_flags: &mut Vec<u8>) {
    while le_flags.last() == Some(&0) {
        le_flags.pop();
    }
}
