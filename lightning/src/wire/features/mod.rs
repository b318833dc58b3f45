//! BOLT 9 feature bits for each context (init, node, channel announcement, invoice, channel type).
//!
//! A feature vector is a bit field. On the wire it is big-endian: the last byte holds bits 0-7.
//! Bit `2k` is the "required" (even) bit of feature `k`, bit `2k+1` the "optional" (odd) bit.
//!
//! The pieces:
//! - [`Features`] is the bit vector, typed by its context ([`InitFeatures`], [`NodeFeatures`],
//!   [`ChannelFeatures`], [`Bolt11InvoiceFeatures`], [`ChannelTypeFeatures`]).
//! - [`Feature`] names the features of the BOLT 9 table and [`KNOWN_FEATURES`] describes each
//!   (name, bits, contexts, dependencies); `Features` has typed accessors such as
//!   [`Features::supports_static_remote_key`] and [`Features::set_basic_mpp_optional`].
//! - [`Features::validate`] checks a vector against the table; [`check_peer_init_features`]
//!   decides whether to keep a connection after the peer's `init`.
//! - [`ChannelTypeFeatures`] has constructors for the channel types of BOLT 2 and a check that a
//!   proposed type is one the library runs.

mod channel_type;
mod known;
mod validate;

pub use channel_type::{BasicChannelType, ChannelTypeError};
pub use known::{Feature, FeatureInfo, KNOWN_FEATURES};
pub use validate::{check_peer_init_features, FeatureError, PeerFeatureError};

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

/// Which field a feature vector appears in: one letter of the BOLT 9 "Context" column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextKind {
    /// `I`: the `init` message.
    Init,
    /// `N`: `node_announcement`.
    Node,
    /// `C`: `channel_announcement`.
    Channel,
    /// `9`: BOLT 11 invoices.
    Bolt11Invoice,
    /// `T`: the `channel_type` of channel opening.
    ChannelType,
}

mod sealed {
    /// Keeps [`super::FeatureContext`] implemented only by this module's markers.
    pub trait Sealed {}
    impl Sealed for super::InitContext {}
    impl Sealed for super::NodeContext {}
    impl Sealed for super::ChannelContext {}
    impl Sealed for super::Bolt11InvoiceContext {}
    impl Sealed for super::ChannelTypeContext {}
}

/// A context marker type (`InitContext`, `NodeContext`, ...), tied to its [`ContextKind`].
///
/// Sealed: only the markers of this module implement it.
pub trait FeatureContext: sealed::Sealed {
    /// The BOLT 9 context this marker stands for.
    const KIND: ContextKind;
}

impl FeatureContext for InitContext {
    const KIND: ContextKind = ContextKind::Init;
}
impl FeatureContext for NodeContext {
    const KIND: ContextKind = ContextKind::Node;
}
impl FeatureContext for ChannelContext {
    const KIND: ContextKind = ContextKind::Channel;
}
impl FeatureContext for Bolt11InvoiceContext {
    const KIND: ContextKind = ContextKind::Bolt11Invoice;
}
impl FeatureContext for ChannelTypeContext {
    const KIND: ContextKind = ContextKind::ChannelType;
}

/// A feature bit vector in context `C`.
///
/// Stored little-endian by byte (`le_flags[0]` holds bits 0-7). A vector read from the wire
/// keeps the length it arrived with, leading zero bytes included, so that re-encoding a signed
/// message (`node_announcement`, whose `flen` is only SHOULD-minimal) gives back the signed
/// bytes. Equality and hashing look only at the bits: two vectors with the same bits compare
/// equal whatever padding they arrived with.
///
/// Build one with [`Features::empty`] and the `set_*` methods (or read one with
/// [`Features::from_wire_bytes`]), check it with [`Features::validate`], then send it with
/// [`Features::to_wire_bytes`].
#[derive(Clone, Debug, Default)]
pub struct Features<C> {
    le_flags: Vec<u8>,
    context: PhantomData<C>,
}

/// Same bits, whatever the padding.
impl<C> PartialEq for Features<C> {
    fn eq(&self, other: &Self) -> bool {
        self.significant_flags() == other.significant_flags()
    }
}

impl<C> Eq for Features<C> {}

/// Hashes the bits only, consistently with `PartialEq`.
impl<C> core::hash::Hash for Features<C> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.significant_flags().hash(state);
    }
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
    ///
    /// Leading zero bytes are kept, so [`Features::to_wire_bytes`] gives back exactly these
    /// bytes; padded and minimal forms still compare equal.
    pub fn from_wire_bytes(be_bytes: &[u8]) -> Self {
        let le_flags: Vec<u8> = be_bytes.iter().rev().copied().collect();
        Features {
            le_flags,
            context: PhantomData,
        }
    }

    /// The wire form: big-endian bytes, as short as the highest set bit allows for a vector
    /// built here, or exactly as received for one read with [`Features::from_wire_bytes`]
    /// (until a bit is cleared, which drops the padding).
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

    /// The union of `self` and `other`: every bit set in either (a bitwise OR), e.g. the
    /// `init` features of two message handlers that share one peer manager, or the `init`
    /// `globalfeatures` and `features` of a peer.
    pub fn union(mut self, other: &Features<C>) -> Features<C> {
        for bit in other.set_bits() {
            self.set_bit(bit);
        }
        self
    }

    /// Whether no bit is set.
    pub fn is_empty(&self) -> bool {
        self.significant_flags().is_empty()
    }

    /// The flags without their trailing (on the wire: leading) zero bytes.
    fn significant_flags(&self) -> &[u8] {
        let len = self
            .le_flags
            .iter()
            .rposition(|byte| *byte != 0)
            .map_or(0, |last| last + 1);
        &self.le_flags[..len]
    }

    /// Whether `feature` is offered: its even or its odd bit is set.
    pub fn supports(&self, feature: Feature) -> bool {
        self.is_bit_set(feature.even_bit()) || self.is_bit_set(feature.odd_bit())
    }

    /// Whether `feature` is required: its even bit is set (whatever its odd bit says).
    pub fn requires(&self, feature: Feature) -> bool {
        self.is_bit_set(feature.even_bit())
    }

    /// Offers `feature` as optional: sets its odd bit and clears its even bit.
    pub fn set_optional(&mut self, feature: Feature) {
        self.set_bit(feature.odd_bit());
        self.clear_bit(feature.even_bit());
    }

    /// Offers `feature` as required: sets its even bit and clears its odd bit.
    pub fn set_required(&mut self, feature: Feature) {
        self.set_bit(feature.even_bit());
        self.clear_bit(feature.odd_bit());
    }

    /// Clears both bits of `feature`.
    pub fn clear(&mut self, feature: Feature) {
        self.clear_bit(feature.even_bit());
        self.clear_bit(feature.odd_bit());
    }

    /// The set bits that belong to no feature of [`KNOWN_FEATURES`], lowest first.
    pub fn unknown_bits(&self) -> impl Iterator<Item = usize> + '_ {
        self.set_bits()
            .filter(|bit| Feature::from_bit(*bit).is_none())
    }
}

impl<C: FeatureContext> Features<C> {
    /// The same vector in context `D`, keeping only the known features that BOLT 9 allows in
    /// `D` (each with the bit, even or odd, it had here). Unknown bits are dropped.
    ///
    /// Call it to derive what to announce from what we offer, e.g. `init` → `node_announcement`.
    pub fn to_context<D: FeatureContext>(&self) -> Features<D> {
        let mut converted = Features::<D>::empty();
        for bit in self.set_bits() {
            if let Some(feature) = Feature::from_bit(bit) {
                if feature.info().allowed_in(D::KIND) {
                    converted.set_bit(bit);
                }
            }
        }
        converted
    }
}

impl InitFeatures {
    /// The logical feature vector of a received `init`: `globalfeatures` ORed with `features`
    /// (BOLT 1), each given in its big-endian wire form and aligned at its last byte.
    pub fn from_global_and_local(global_be: &[u8], local_be: &[u8]) -> InitFeatures {
        let (longer, shorter) = if global_be.len() >= local_be.len() {
            (global_be, local_be)
        } else {
            (local_be, global_be)
        };
        let mut le_flags: Vec<u8> = longer.iter().rev().copied().collect();
        for (byte, other) in le_flags.iter_mut().zip(shorter.iter().rev()) {
            *byte |= other;
        }
        trim_trailing_zeros(&mut le_flags);
        Features {
            le_flags,
            context: PhantomData,
        }
    }

    /// What to put in our `node_announcement` given the features we offer in `init`.
    pub fn to_node_features(&self) -> NodeFeatures {
        self.to_context()
    }

    /// What to put in our BOLT 11 invoices given the features we offer in `init`.
    pub fn to_bolt11_invoice_features(&self) -> Bolt11InvoiceFeatures {
        self.to_context()
    }

    /// Whether `feature` is negotiated on a connection where we sent `self` and the peer sent
    /// `theirs`: both offered it, or we offered it as required (BOLT 1). Features the spec
    /// marks ASSUMED count as negotiated always.
    pub fn negotiated_with(&self, theirs: &InitFeatures, feature: Feature) -> bool {
        feature.info().assumed
            || (self.supports(feature) && theirs.supports(feature))
            || self.requires(feature)
    }
}

fn trim_trailing_zeros(le_flags: &mut Vec<u8>) {
    while le_flags.last() == Some(&0) {
        le_flags.pop();
    }
}
