//! The route of a payment: one or more paths, each a list of hops from us to the recipient.
//!
//! # Meaning of the per-hop fields
//!
//! A [`Path`] lists the hops after us, first hop first. Hop `i` names the node at the end of
//! the channel `short_channel_id` that the HTLC crosses to reach it.
//!
//! - `fee_msat` of every hop but the last is the fee that hop's node charges to forward to the
//!   next hop; `fee_msat` of the last hop is the amount the recipient receives.
//! - `cltv_expiry_delta` of every hop but the last is the delta that hop's node requires
//!   between its incoming and outgoing HTLC; `cltv_expiry_delta` of the last hop is the
//!   recipient's final delta (`min_final_cltv_expiry_delta` of the invoice, plus any shadow
//!   offset the sender wants).
//!
//! So the amount arriving at hop `i` is the sum of `fee_msat` of hops `i..`, and its
//! `cltv_expiry` is the current height plus the sum of `cltv_expiry_delta` of hops `i..`.
//! [`Path::hop_amounts_and_expiries`] computes both, with overflow checks.

use alloc::vec::Vec;
use core::fmt;

use secp256k1::PublicKey;

use crate::wire::ShortChannelId;

/// One hop of a [`Path`]: the node reached and the channel used to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteHop {
    /// The node at the end of this hop's channel.
    pub node_id: PublicKey,
    /// The channel the HTLC crosses to reach `node_id`.
    pub short_channel_id: ShortChannelId,
    /// The fee this hop's node charges to forward (the amount delivered, for the last hop).
    pub fee_msat: u64,
    /// The CLTV delta this hop's node requires (the final delta, for the last hop).
    pub cltv_expiry_delta: u32,
}

/// One path from us to the recipient: the hops after us, first hop first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// The hops, first (our direct peer) to last (the recipient). Must not be empty.
    pub hops: Vec<RouteHop>,
}

/// A route for a payment: one path, or several for a multi-part payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The paths, each carrying a part of the payment. `ChannelManager::send_payment`
    /// currently uses exactly one.
    pub paths: Vec<Path>,
}

/// Why a route or path cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteError {
    /// The route has no paths, or a path has no hops.
    Empty,
    /// The amounts or CLTV expiries overflow.
    Overflow,
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::Empty => f.write_str("route or path has no hops"),
            RouteError::Overflow => f.write_str("route amounts or CLTV expiries overflow"),
        }
    }
}

impl core::error::Error for RouteError {}

/// The amount and `cltv_expiry` of the HTLC arriving at one hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HopAmount {
    /// The amount of the HTLC arriving at the hop, in millisatoshis.
    pub amount_msat: u64,
    /// The `cltv_expiry` of the HTLC arriving at the hop.
    pub cltv_expiry: u32,
}

impl Path {
    /// A single-hop path paying `amount_msat` directly to the peer `node_id` over our channel
    /// `short_channel_id`, with the recipient's final CLTV delta.
    pub fn direct(
        node_id: PublicKey,
        short_channel_id: ShortChannelId,
        amount_msat: u64,
        final_cltv_expiry_delta: u32,
    ) -> Self {
        Path {
            hops: alloc::vec![RouteHop {
                node_id,
                short_channel_id,
                fee_msat: amount_msat,
                cltv_expiry_delta: final_cltv_expiry_delta,
            }],
        }
    }

    /// The amount the recipient receives (`fee_msat` of the last hop), 0 for an empty path.
    pub fn final_value_msat(&self) -> u64 {
        self.hops.last().map_or(0, |hop| hop.fee_msat)
    }

    /// The total of the fees paid to intermediate hops, or `None` on overflow.
    pub fn fee_msat(&self) -> Option<u64> {
        let intermediate = self.hops.len().saturating_sub(1);
        self.hops[..intermediate]
            .iter()
            .try_fold(0u64, |sum, hop| sum.checked_add(hop.fee_msat))
    }

    /// For each hop (in path order) the amount and expiry of the HTLC arriving at it, given
    /// the current block height. The first entry is the HTLC we offer on our channel.
    pub fn hop_amounts_and_expiries(
        &self,
        current_height: u32,
    ) -> Result<Vec<HopAmount>, RouteError> {
        if self.hops.is_empty() {
            return Err(RouteError::Empty);
        }
        let mut out = Vec::with_capacity(self.hops.len());
        let mut amount_msat = 0u64;
        let mut cltv_expiry = current_height;
        for hop in self.hops.iter().rev() {
            amount_msat = amount_msat
                .checked_add(hop.fee_msat)
                .ok_or(RouteError::Overflow)?;
            cltv_expiry = cltv_expiry
                .checked_add(hop.cltv_expiry_delta)
                .ok_or(RouteError::Overflow)?;
            out.push(HopAmount {
                amount_msat,
                cltv_expiry,
            });
        }
        out.reverse();
        Ok(out)
    }
}

impl Route {
    /// A route of one path.
    pub fn single(path: Path) -> Self {
        Route {
            paths: alloc::vec![path],
        }
    }
}
