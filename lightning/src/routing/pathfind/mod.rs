//! The default pathfinder: [`DefaultRouter`] implements [`Router`] over a [`NetworkGraph`] and
//! a [`Score`].
//!
//! The search runs Dijkstra from the payee back to the payer, so that each node's amount is
//! known when its fee is computed (BOLT 7 fees are charged on the amount forwarded). It honours
//! fees, CLTV deltas (and the maximum total), `htlc_minimum_msat`/`htlc_maximum_msat`,
//! capacities minus what is in flight, disabled directions, excluded channels and nodes, the
//! fee limit, at most 20 hops (what fits in an onion), our first hops with their live balances (our channels in the graph are never
//! used: their balances are unknown there), and the invoice's route hints. The scorer's
//! penalty is added to the fees as the cost to minimise.
//!
//! When one path cannot carry the amount and the payee supports `basic_mpp`, the amount is
//! split: each round finds the cheapest path for what remains, halving the part until a path
//! carries it (never below what the remaining paths could still carry), and counts the
//! liquidity it uses before the next round.
//!
//! # Call contract
//!
//! Build a [`DefaultRouter`] over the current graph and the caller's scorer for each payment
//! (it borrows both), pass it as `&mut dyn Router`, and report the outcome of each path
//! through the [`Router`] feedback methods so the scorer learns.

mod search;

use alloc::vec::Vec;
use core::time::Duration;

use hashbrown::HashMap;
use secp256k1::PublicKey;

use crate::routing::graph::{NetworkGraph, NodeKey};
use crate::routing::route::{Path, Route, RouteHop};
use crate::routing::router::{
    direction_bit, FindRouteError, FirstHop, InFlightHtlcs, RouteParameters, Router,
};
use crate::routing::scorer::{Score, ScoredHop};
use crate::wire::ShortChannelId;
use search::{search, walk_path, Label, SearchLimits, SearchSpace};

/// The default [`Router`]: pathfinding over a borrowed graph, learning through a borrowed
/// scorer. See the [module documentation](self).
pub struct DefaultRouter<'a> {
    graph: &'a NetworkGraph,
    scorer: &'a mut dyn Score,
}

impl<'a> DefaultRouter<'a> {
    /// A router over `graph` that ranks channels with `scorer` and teaches it outcomes.
    pub fn new(graph: &'a NetworkGraph, scorer: &'a mut dyn Score) -> Self {
        DefaultRouter { graph, scorer }
    }

    fn scored_hops(&self, payer: &PublicKey, path: &Path) -> Vec<ScoredHop> {
        let amounts = path.hop_amounts_and_expiries(0).unwrap_or_default();
        path.hops
            .iter()
            .zip(amounts)
            .enumerate()
            .map(|(index, (hop, amount))| {
                let source = match index {
                    0 => payer,
                    _ => &path.hops[index - 1].node_id,
                };
                let direction = direction_bit(source, &hop.node_id);
                let capacity_msat = self
                    .graph
                    .channel(hop.short_channel_id)
                    .and_then(|channel| {
                        let policy = if direction {
                            channel.two_to_one
                        } else {
                            channel.one_to_two
                        };
                        channel
                            .capacity_sat
                            .map(|sat| sat.saturating_mul(1000))
                            .or(policy.map(|policy| policy.htlc_maximum_msat))
                    })
                    .unwrap_or(u64::MAX);
                ScoredHop {
                    short_channel_id: hop.short_channel_id,
                    direction,
                    amount_msat: amount.amount_msat,
                    capacity_msat,
                }
            })
            .collect()
    }
}

impl Router for DefaultRouter<'_> {
    fn find_route(
        &mut self,
        payer: &PublicKey,
        params: &RouteParameters,
        first_hops: &[FirstHop],
        in_flight: &InFlightHtlcs,
        now: Duration,
    ) -> Result<Route, FindRouteError> {
        find_route(
            self.graph,
            &*self.scorer,
            payer,
            params,
            first_hops,
            in_flight,
            now,
        )
    }

    fn payment_path_failed(
        &mut self,
        payer: &PublicKey,
        path: &Path,
        failing_scid: Option<ShortChannelId>,
        now: Duration,
    ) {
        let hops = self.scored_hops(payer, path);
        let failing = failing_scid.and_then(|scid| {
            path.hops
                .iter()
                .position(|hop| hop.short_channel_id == scid)
        });
        self.scorer.payment_path_failed(&hops, failing, now);
    }

    fn payment_path_successful(&mut self, payer: &PublicKey, path: &Path, now: Duration) {
        let hops = self.scored_hops(payer, path);
        self.scorer.payment_path_successful(&hops, now);
    }
}

/// Finds a route as [`Router::find_route`] does, over `graph` ranked by `scorer`.
pub fn find_route(
    graph: &NetworkGraph,
    scorer: &dyn Score,
    payer: &PublicKey,
    params: &RouteParameters,
    first_hops: &[FirstHop],
    in_flight: &InFlightHtlcs,
    now: Duration,
) -> Result<Route, FindRouteError> {
    if params.final_value_msat == 0 {
        return Err(FindRouteError::ZeroAmount);
    }
    if *payer == params.payee {
        return Err(FindRouteError::PayeeIsPayer);
    }
    let space = SearchSpace::new(graph, NodeKey::from_pubkey(payer), params, first_hops);
    let multi_path = params.allows_multi_path();
    let max_paths = if multi_path {
        usize::from(params.max_path_count)
    } else {
        1
    };
    let mut used = in_flight.used_map().clone();
    let mut remaining = params.final_value_msat;
    let mut fee_budget = params.max_total_fee_msat.unwrap_or(u64::MAX);
    let mut paths = Vec::new();
    while remaining > 0 {
        let paths_left = max_paths.saturating_sub(paths.len()) as u64;
        if paths_left == 0 {
            return Err(FindRouteError::InsufficientLiquidity);
        }
        let min_part = remaining.div_ceil(paths_left);
        let mut limits = SearchLimits {
            amount_msat: remaining,
            final_cltv: params.final_cltv_expiry_delta,
            max_cltv: params.max_total_cltv_expiry_delta,
            max_fee_msat: fee_budget,
            used: &used,
            scorer,
            now,
        };
        let labels = loop {
            if let Some(labels) = search(&space, &limits) {
                break labels;
            }
            let half = limits.amount_msat / 2;
            if !multi_path || half < min_part || half == 0 {
                return Err(classify_failure(&space, &limits, remaining));
            }
            limits.amount_msat = half;
        };
        let labels = grow_part(&space, &mut limits, labels, remaining);
        let part = limits.amount_msat;
        let path = build_path(&space, &labels).ok_or(FindRouteError::NoRoute)?;
        for pair in labels.windows(2) {
            if let Some(edge) = pair[0].next {
                let slot = used
                    .entry((edge.short_channel_id, edge.direction))
                    .or_insert(0);
                *slot = slot.saturating_add(pair[1].amount_msat);
            }
        }
        fee_budget = fee_budget.saturating_sub(labels[0].fee_msat);
        remaining -= part;
        paths.push(path);
    }
    Ok(Route { paths })
}

/// Grows a part found for less than `remaining` to the most its path can carry (binary
/// search on the delivered amount), so a split uses as few parts as the paths allow.
fn grow_part(
    space: &SearchSpace<'_>,
    limits: &mut SearchLimits<'_>,
    labels: Vec<Label>,
    remaining: u64,
) -> Vec<Label> {
    if limits.amount_msat >= remaining {
        return labels;
    }
    let edges: Vec<_> = labels.iter().filter_map(|label| label.next).collect();
    let (mut best, mut best_labels) = (limits.amount_msat, labels);
    let mut high = remaining;
    while best < high {
        let mid = best + (high - best).div_ceil(2);
        limits.amount_msat = mid;
        match walk_path(space, limits, &edges) {
            Some(labels) => (best, best_labels) = (mid, labels),
            None => high = mid - 1,
        }
    }
    limits.amount_msat = best;
    best_labels
}

/// Why the search for `amount` failed: the fee limit, liquidity, or no path at all.
fn classify_failure(
    space: &SearchSpace<'_>,
    limits: &SearchLimits<'_>,
    amount: u64,
) -> FindRouteError {
    let unlimited = SearchLimits {
        amount_msat: amount,
        max_fee_msat: u64::MAX,
        ..*limits
    };
    if search(space, &unlimited).is_some() {
        return FindRouteError::FeeLimitExceeded;
    }
    let empty = HashMap::new();
    let tiny = SearchLimits {
        amount_msat: 1,
        used: &empty,
        ..unlimited
    };
    match search(space, &tiny) {
        Some(_) => FindRouteError::InsufficientLiquidity,
        None => FindRouteError::NoRoute,
    }
}

/// The route hops of a search result (labels payer first, payee last).
fn build_path(space: &SearchSpace<'_>, labels: &[Label]) -> Option<Path> {
    let mut hops = Vec::with_capacity(labels.len().saturating_sub(1));
    for index in 1..labels.len() {
        let edge = labels[index - 1].next?;
        let here = &labels[index];
        let (fee_msat, cltv_expiry_delta) = match labels.get(index + 1) {
            Some(next) => (here.amount_msat - next.amount_msat, here.cltv - next.cltv),
            None => (here.amount_msat, here.cltv),
        };
        hops.push(RouteHop {
            node_id: space.key(edge.target).to_pubkey()?,
            short_channel_id: ShortChannelId(edge.short_channel_id),
            fee_msat,
            cltv_expiry_delta,
        });
    }
    Some(Path { hops })
}
