//! The pluggable [`Router`]: what a payment asks of a route finder, and what it tells it back.
//!
//! # Call contract
//!
//! 1. To pay, build [`RouteParameters`] (the payee, the amount, the limits, the invoice's route
//!    hints), list our usable channels as [`FirstHop`]s with their *live* balances, collect
//!    what is already in flight for other payments in [`InFlightHtlcs`], and call
//!    [`Router::find_route`] with the current time.
//! 2. Send the returned [`Route`] (one path, or several for a multi-part payment).
//! 3. For every path that settles, call [`Router::payment_path_successful`]; for every path
//!    that fails, call [`Router::payment_path_failed`] naming the channel that failed if the
//!    failure message tells it. A router with a scorer learns from these calls, so the next
//!    `find_route` avoids channels that just failed.
//!
//! The trait is object safe: the manager holds a `Box<dyn Router>` or takes a
//! `&mut dyn Router` at the call. Time is always an argument (`now`: a duration since the Unix
//! epoch); a router never reads a clock.

use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use hashbrown::HashMap;
use secp256k1::PublicKey;

use crate::routing::route::{Path, Route};
use crate::wire::features::Bolt11InvoiceFeatures;
use crate::wire::ShortChannelId;

/// The default limit on the sum of CLTV deltas of a route (two weeks of blocks).
pub const DEFAULT_MAX_TOTAL_CLTV_EXPIRY_DELTA: u32 = 2016;

/// The default limit on the number of paths of a multi-part payment.
pub const DEFAULT_MAX_PATH_COUNT: u8 = 10;

/// The fees a node charges to forward over one channel direction (BOLT 7 `channel_update`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RoutingFees {
    /// The fixed fee per forwarded HTLC, in millisatoshis.
    pub base_msat: u32,
    /// The proportional fee, in millionths of the forwarded amount.
    pub proportional_millionths: u32,
}

impl RoutingFees {
    /// The fee to forward `amount_msat`, or `None` on overflow.
    pub fn fee_for(&self, amount_msat: u64) -> Option<u64> {
        let proportional = u128::from(amount_msat) * u128::from(self.proportional_millionths);
        let proportional = u64::try_from(proportional / 1_000_000).ok()?;
        proportional.checked_add(u64::from(self.base_msat))
    }
}

/// One hop of a private route hint (an entry of a BOLT 11 invoice's `r` field): the channel
/// from `src_node_id` to the next hop of the hint (the payee, for the last entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteHintHop {
    /// The node that forwards over this channel.
    pub src_node_id: PublicKey,
    /// The channel's short id (often an alias for an unannounced channel).
    pub short_channel_id: ShortChannelId,
    /// What `src_node_id` charges to forward over the channel.
    pub fees: RoutingFees,
    /// The CLTV delta `src_node_id` requires.
    pub cltv_expiry_delta: u16,
    /// The smallest HTLC the channel accepts, if known.
    pub htlc_minimum_msat: Option<u64>,
    /// The largest HTLC the channel accepts, if known.
    pub htlc_maximum_msat: Option<u64>,
}

/// A private route ending at the payee, first hop first, as an invoice carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteHint(pub Vec<RouteHintHop>);

/// What a payment asks of a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteParameters {
    /// The recipient.
    pub payee: PublicKey,
    /// The amount the recipient must receive, in millisatoshis.
    pub final_value_msat: u64,
    /// The CLTV delta the recipient requires for the last hop (`min_final_cltv_expiry_delta`).
    pub final_cltv_expiry_delta: u32,
    /// The most the payer will pay in fees over all paths, or `None` for no limit.
    pub max_total_fee_msat: Option<u64>,
    /// The largest sum of CLTV deltas (final delta included) a path may have.
    pub max_total_cltv_expiry_delta: u32,
    /// The most paths the payment may be split over; 1 forbids splitting.
    pub max_path_count: u8,
    /// Private routes to the payee from its invoice.
    pub route_hints: Vec<RouteHint>,
    /// The payee's invoice features, if known. Splitting over several paths needs the payee to
    /// support `basic_mpp`; without features the payee is paid over a single path.
    pub payee_features: Option<Bolt11InvoiceFeatures>,
    /// Channels not to use (e.g. ones that failed for this payment already).
    pub excluded_channels: Vec<ShortChannelId>,
    /// Nodes not to route through (never the payer or the payee).
    pub excluded_nodes: Vec<PublicKey>,
}

impl RouteParameters {
    /// Parameters with default limits (no fee limit, [`DEFAULT_MAX_TOTAL_CLTV_EXPIRY_DELTA`],
    /// [`DEFAULT_MAX_PATH_COUNT`]), no hints, no features and nothing excluded.
    pub fn new(payee: PublicKey, final_value_msat: u64, final_cltv_expiry_delta: u32) -> Self {
        RouteParameters {
            payee,
            final_value_msat,
            final_cltv_expiry_delta,
            max_total_fee_msat: None,
            max_total_cltv_expiry_delta: DEFAULT_MAX_TOTAL_CLTV_EXPIRY_DELTA,
            max_path_count: DEFAULT_MAX_PATH_COUNT,
            route_hints: Vec::new(),
            payee_features: None,
            excluded_channels: Vec::new(),
            excluded_nodes: Vec::new(),
        }
    }

    /// Whether the payee may be paid over several paths (it announced `basic_mpp`).
    pub fn allows_multi_path(&self) -> bool {
        self.max_path_count > 1
            && self
                .payee_features
                .as_ref()
                .is_some_and(|features| features.supports_basic_mpp())
    }
}

/// One of our own usable channels, with its live balance, as the manager knows it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstHop {
    /// The channel's short id (or the alias the peer knows it by).
    pub short_channel_id: ShortChannelId,
    /// Our peer on this channel.
    pub counterparty: PublicKey,
    /// What we could send over the channel in total right now, in millisatoshis.
    pub outbound_capacity_msat: u64,
    /// The largest single HTLC we can add right now (reserve, fee buffer and the peer's
    /// `max_htlc_value_in_flight_msat` taken into account).
    pub next_outbound_htlc_limit_msat: u64,
    /// The smallest HTLC the peer accepts from us (its `htlc_minimum_msat`).
    pub next_outbound_htlc_minimum_msat: u64,
}

/// The amounts already committed per channel direction by payments in flight, so a new
/// route does not count on liquidity they use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InFlightHtlcs {
    used_msat: HashMap<(u64, bool), u64>,
}

impl InFlightHtlcs {
    /// Nothing in flight.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records every hop of `path` (sent by `payer`) as in flight: the amount arriving at each
    /// hop is counted against the channel that carries it.
    pub fn add_path(&mut self, payer: &PublicKey, path: &Path) {
        let mut amount_msat = 0u64;
        for (index, hop) in path.hops.iter().enumerate().rev() {
            amount_msat = amount_msat.saturating_add(hop.fee_msat);
            let source = match index {
                0 => payer,
                _ => &path.hops[index - 1].node_id,
            };
            self.add(hop.short_channel_id, source, &hop.node_id, amount_msat);
        }
    }

    /// Records `amount_msat` in flight over `short_channel_id` from `source` to `target`.
    pub fn add(
        &mut self,
        short_channel_id: ShortChannelId,
        source: &PublicKey,
        target: &PublicKey,
        amount_msat: u64,
    ) {
        let key = (short_channel_id.0, direction_bit(source, target));
        let used = self.used_msat.entry(key).or_insert(0);
        *used = used.saturating_add(amount_msat);
    }

    /// The amount in flight over `short_channel_id` from `source` to `target`.
    pub fn used_msat(
        &self,
        short_channel_id: ShortChannelId,
        source: &PublicKey,
        target: &PublicKey,
    ) -> u64 {
        let key = (short_channel_id.0, direction_bit(source, target));
        self.used_msat.get(&key).copied().unwrap_or(0)
    }
}

/// The BOLT 7 direction of a channel used from `source` to `target`: `false` when `source` is
/// `node_id_1` (the lesser key), `true` otherwise.
pub fn direction_bit(source: &PublicKey, target: &PublicKey) -> bool {
    source.serialize() > target.serialize()
}

/// Why no route was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindRouteError {
    /// The amount to pay is zero.
    ZeroAmount,
    /// The payee is the payer.
    PayeeIsPayer,
    /// No path reaches the payee within the limits (fees, CLTV, excluded channels and nodes).
    NoRoute,
    /// Paths exist, but together (within `max_path_count`) they cannot carry the amount.
    InsufficientLiquidity,
    /// A route exists but costs more fees than `max_total_fee_msat`.
    FeeLimitExceeded,
}

impl fmt::Display for FindRouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FindRouteError::ZeroAmount => "the amount to pay is zero",
            FindRouteError::PayeeIsPayer => "the payee is the payer",
            FindRouteError::NoRoute => "no path reaches the payee within the limits",
            FindRouteError::InsufficientLiquidity => "the paths found cannot carry the amount",
            FindRouteError::FeeLimitExceeded => "every route costs more than the fee limit",
        })
    }
}

impl core::error::Error for FindRouteError {}

/// A route finder. See the [module documentation](self) for the call contract.
pub trait Router {
    /// Finds a route from `payer` for `params`, over our `first_hops` (only these of our
    /// channels are used, with their live limits) and the network the router knows, counting
    /// `in_flight` liquidity as used. `now` is the current time (for the scorer's decay).
    fn find_route(
        &mut self,
        payer: &PublicKey,
        params: &RouteParameters,
        first_hops: &[FirstHop],
        in_flight: &InFlightHtlcs,
        now: Duration,
    ) -> Result<Route, FindRouteError>;

    /// Tells the router that `path` (sent by `payer`) failed. `failing_scid` is the channel
    /// that could not carry the HTLC, when the failure names one: every channel before it did
    /// carry the amount. `None` means the failure does not blame a channel (e.g. the payee
    /// rejected the payment).
    fn payment_path_failed(
        &mut self,
        payer: &PublicKey,
        path: &Path,
        failing_scid: Option<ShortChannelId>,
        now: Duration,
    );

    /// Tells the router that `path` (sent by `payer`) settled: every channel carried its amount.
    fn payment_path_successful(&mut self, payer: &PublicKey, path: &Path, now: Duration);
}
