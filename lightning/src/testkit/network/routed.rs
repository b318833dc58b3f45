//! Routed payments: each node finds its routes with the [`DefaultRouter`] over its own
//! gossip graph and its own [`LiquidityScorer`], pays through
//! [`send_payment_with_retry`](crate::manager::ChannelManager::send_payment_with_retry), and
//! the network's run loop retries failed parts
//! ([`process_pending_payments`](crate::manager::ChannelManager::process_pending_payments))
//! for every node that has sent a routed payment.
//!
//! # Call contract
//!
//! 1. Open public channels and let gossip reach the payer's graph (its router knows only what
//!    its graph holds, plus the payer's own usable channels as first hops).
//! 2. [`Network::send_routed_payment`] starts a payment (nothing moves yet), or
//!    [`Network::pay_routed`] runs one to the end (the payee claims at once) and reports the
//!    fee, the hops and the attempts.
//! 3. [`run_until_quiet`](Network::run_until_quiet) (and every helper that runs it) moves the
//!    HTLCs, retries failed parts over new routes within the payment's [`Retry`] budget, and
//!    reports settled and failed paths to the payer's scorer.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use secp256k1::PublicKey;

use crate::channel::ChannelConfig;
use crate::manager::{ChannelManager, Event, PaymentFailureReason, PaymentId, Retry, SendError};
use crate::routing::{
    DefaultRouter, FindRouteError, FirstHop, InFlightHtlcs, LiquidityScorer, Path, Route,
    RouteParameters, Router, ScorerConfig,
};
use crate::wire::{ChannelId, PaymentHash, PaymentPreimage, ShortChannelId};

use super::flows::{PayError, PendingPayment};
use super::Network;

/// The confirmations after which a public channel is announced (the channel manager's).
pub use crate::manager::ANNOUNCEMENT_DEPTH;

/// The `kind` byte of the payment ids of [`Network::send_routed_payment`] ('R'): never equal
/// to an id of [`Network::send_payment`] (see [`Network::start_payment`]).
const ROUTED_PAYMENT: u8 = 0x52;

/// The most times [`Network::pay_routed`] runs the network (and claims at the payee) before
/// it gives up waiting for an outcome.
const MAX_PAY_ROUNDS: usize = 16;

/// What the network keeps for routed payments: a scorer per node, the nodes with routed
/// payments (whose retries the run loop processes) and the settled paths not yet taken.
#[derive(Clone, Default)]
pub(super) struct RoutingState {
    scorers: Vec<LiquidityScorer>,
    payers: BTreeSet<usize>,
    settled_paths: Vec<(usize, Path)>,
    routes_found: u64,
}

impl RoutingState {
    fn scorer_mut(&mut self, index: usize) -> &mut LiquidityScorer {
        if self.scorers.len() <= index {
            self.scorers
                .resize_with(index + 1, || LiquidityScorer::new(ScorerConfig::default()));
        }
        &mut self.scorers[index]
    }
}

/// Settled paths with the index of their payer.
type SettledPaths = Vec<(usize, Path)>;

/// A [`DefaultRouter`] that also records the routes it found and the paths that settled.
struct TrackingRouter<'a> {
    inner: DefaultRouter<'a>,
    payer: usize,
    settled: &'a mut Vec<(usize, Path)>,
    routes_found: &'a mut u64,
}

impl Router for TrackingRouter<'_> {
    fn find_route(
        &mut self,
        payer: &PublicKey,
        params: &RouteParameters,
        first_hops: &[FirstHop],
        in_flight: &InFlightHtlcs,
        now: Duration,
    ) -> Result<Route, FindRouteError> {
        let route = self
            .inner
            .find_route(payer, params, first_hops, in_flight, now)?;
        *self.routes_found = self.routes_found.saturating_add(1);
        Ok(route)
    }

    fn payment_path_failed(
        &mut self,
        payer: &PublicKey,
        path: &Path,
        failing_scid: Option<ShortChannelId>,
        now: Duration,
    ) {
        self.inner
            .payment_path_failed(payer, path, failing_scid, now);
    }

    fn payment_path_successful(&mut self, payer: &PublicKey, path: &Path, now: Duration) {
        self.settled.push((self.payer, path.clone()));
        self.inner.payment_path_successful(payer, path, now);
    }
}

/// A routed payment that succeeded, from [`Network::pay_routed`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutedOutcome {
    /// The payer's id of the payment.
    pub payment_id: PaymentId,
    /// The payment hash.
    pub payment_hash: PaymentHash,
    /// The proof of payment the payer received.
    pub payment_preimage: PaymentPreimage,
    /// The fees paid to intermediate hops (0 for a direct payment).
    pub fee_paid_msat: u64,
    /// The path(s) that settled, first hop first (one for a single-path payment).
    pub paths: Vec<Path>,
    /// The routes tried: 1, plus one per retry.
    pub attempts: u32,
}

impl RoutedOutcome {
    /// The channels crossed by the longest settled path (1 for a direct payment).
    pub fn hops(&self) -> usize {
        self.paths
            .iter()
            .map(|path| path.hops.len())
            .max()
            .unwrap_or(0)
    }
}

/// Why [`Network::pay_routed`] did not end in `PaymentSent`, with the routes it tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutedPayError {
    /// What went wrong.
    pub error: PayError,
    /// The routes tried before giving up (0 if none was found at the start).
    pub attempts: u32,
}

impl fmt::Display for RoutedPayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (after {} attempts)", self.error, self.attempts)
    }
}

impl core::error::Error for RoutedPayError {}

impl Network {
    /// Opens a public channel from `a` to `b` ([`open_channel_with_config`] with
    /// `announce_channel` set), then mines until the funding has [`ANNOUNCEMENT_DEPTH`]
    /// confirmations, so that the channel is announced and its gossip spreads at the next
    /// runs.
    ///
    /// [`open_channel_with_config`]: Network::open_channel_with_config
    ///
    /// # Panics
    /// As [`open_channel`](Network::open_channel).
    pub fn open_public_channel(
        &mut self,
        a: usize,
        b: usize,
        funding_sat: u64,
        push_msat: u64,
    ) -> ChannelId {
        let config = ChannelConfig {
            announce_channel: true,
            ..self.nodes[a].manager.config().channel_config.clone()
        };
        let channel_id = self.open_channel_with_config(a, b, funding_sat, push_msat, Some(config));
        let funding_txid = self.nodes[a]
            .channel(channel_id)
            .and_then(|details| details.funding_txo)
            .map(|outpoint| outpoint.txid);
        if let Some(txid) = funding_txid {
            let depth = self.chain.tx_confirmations(&txid).unwrap_or(0);
            if depth < ANNOUNCEMENT_DEPTH {
                self.mine_blocks(ANNOUNCEMENT_DEPTH - depth);
            }
        }
        channel_id
    }

    /// Starts a payment of `amount_msat` from `from` to `to` over a route the payer's
    /// [`DefaultRouter`] finds in its own graph (with its [`LiquidityScorer`]): `to` creates
    /// the invoice (`create_inbound_payment`), `from` calls `send_payment_with_retry` with
    /// `retry`. Nothing is delivered yet; from now on the run loop retries the payer's failed
    /// parts. The payment goes over a single path.
    pub fn send_routed_payment(
        &mut self,
        from: usize,
        to: usize,
        amount_msat: u64,
        retry: Retry,
    ) -> Result<PendingPayment, SendError> {
        let now = self.now;
        let recipient = &self.nodes[to];
        let mut params = RouteParameters::new(
            recipient.node_id,
            amount_msat,
            recipient.min_final_cltv_expiry_delta,
        );
        params.max_path_count = 1;
        self.routing.payers.insert(from);
        self.start_payment(
            from,
            to,
            amount_msat,
            ROUTED_PAYMENT,
            |net, payment_hash, onion, payment_id| {
                net.with_router(from, |manager, router| {
                    manager.send_payment_with_retry(
                        params,
                        payment_hash,
                        onion,
                        payment_id,
                        retry,
                        router,
                        now,
                    )
                })
            },
        )
    }

    /// Pays `amount_msat` from `from` to `to` over routes found by the payer's router and
    /// runs to the end: [`send_routed_payment`](Self::send_routed_payment), then runs the
    /// network (retrying failed parts within `retry`), claiming at the payee whenever the
    /// payment is claimable, until the payer reports `PaymentSent` or `PaymentFailed`. The
    /// events of this payment are taken from both nodes (`PaymentPathFailed` included).
    pub fn pay_routed(
        &mut self,
        from: usize,
        to: usize,
        amount_msat: u64,
        retry: Retry,
    ) -> Result<RoutedOutcome, RoutedPayError> {
        // Paths of the payer's earlier payments (routed or not) settle into the router at its
        // next processing: flush them now so that only this payment's come after the mark.
        let now = self.now;
        self.with_router(from, |manager, router| {
            manager.process_pending_payments(router, now)
        });
        let first_settled = self.routing.settled_paths.len();
        let payee = self.nodes[to].node_id;
        let pending = self
            .send_routed_payment(from, to, amount_msat, retry)
            .map_err(|err| RoutedPayError {
                error: PayError::Send(err),
                attempts: 0,
            })?;
        let mut claimed = false;
        let mut outcome = None;
        for _ in 0..MAX_PAY_ROUNDS {
            self.run_until_quiet();
            claimed |= self.claim_payment(to, pending.payment_hash);
            self.run_until_quiet();
            outcome = self.take_payment_outcome(&pending);
            if outcome.is_some() {
                break;
            }
        }
        // Report the settled path to the scorer (and to us) now rather than at the next run.
        self.process_routed_payments();
        self.take_payment_claimed(&pending);
        let failed_paths = self.nodes[from].take_events_where(|event| {
            matches!(event, Event::PaymentPathFailed { payment_id, will_retry: true, .. }
                if *payment_id == pending.payment_id)
        });
        self.nodes[from].take_events_where(|event| {
            matches!(event, Event::PaymentPathFailed { payment_id, .. } if *payment_id == pending.payment_id)
        });
        // One route at the start, one more after each path failure that said it would retry,
        // except a retry that found no route (the payment then failed with RouteNotFound).
        let no_route_at_retry = matches!(&outcome, Some(Err(PayError::Failed(reason)))
            if **reason == PaymentFailureReason::RouteNotFound);
        let attempts = u32::try_from(failed_paths.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1)
            .saturating_sub(u32::from(no_route_at_retry));
        let (ours, others): (SettledPaths, SettledPaths) = self
            .routing
            .settled_paths
            .drain(first_settled..)
            .partition(|(payer, path)| {
                *payer == from && path.hops.last().is_some_and(|hop| hop.node_id == payee)
            });
        self.routing.settled_paths.extend(others);
        let paths: Vec<Path> = ours.into_iter().map(|(_, path)| path).collect();
        match outcome {
            Some(Ok(outcome)) => Ok(RoutedOutcome {
                payment_id: outcome.payment_id,
                payment_hash: outcome.payment_hash,
                payment_preimage: outcome.payment_preimage,
                fee_paid_msat: outcome.fee_paid_msat.unwrap_or(0),
                paths,
                attempts,
            }),
            Some(Err(error)) => Err(RoutedPayError { error, attempts }),
            _ => Err(RoutedPayError {
                error: match claimed {
                    true => PayError::NoOutcome,
                    false => PayError::NotClaimable,
                },
                attempts,
            }),
        }
    }

    /// For every node that sent a routed payment: reports settled and failed paths to its
    /// scorer and retries failed parts over new routes
    /// (`process_pending_payments` with its router). The run loop calls it every round.
    pub fn process_routed_payments(&mut self) {
        let now = self.now;
        let payers: Vec<usize> = self.routing.payers.iter().copied().collect();
        for from in payers {
            self.with_router(from, |manager, router| {
                manager.process_pending_payments(router, now)
            });
        }
    }

    /// Runs `act` with node `from`'s channel manager and a router over its graph and scorer.
    fn with_router<R>(
        &mut self,
        from: usize,
        act: impl FnOnce(&mut ChannelManager, &mut dyn Router) -> R,
    ) -> R {
        self.routing.scorer_mut(from);
        let RoutingState {
            scorers,
            settled_paths,
            routes_found,
            ..
        } = &mut self.routing;
        let node = &mut self.nodes[from];
        let mut router = TrackingRouter {
            inner: DefaultRouter::new(node.gossip.graph(), &mut scorers[from]),
            payer: from,
            settled: settled_paths,
            routes_found,
        };
        act(&mut node.manager, &mut router)
    }

    /// Takes the paths that settled (with their payer) and were not yet taken: those of
    /// payments started with [`send_routed_payment`](Self::send_routed_payment)
    /// ([`pay_routed`](Self::pay_routed) takes its own).
    pub fn take_settled_paths(&mut self) -> Vec<(usize, Path)> {
        core::mem::take(&mut self.routing.settled_paths)
    }

    /// Node `index`'s scorer (what it learnt from its routed payments), if it sent any.
    pub fn scorer(&self, index: usize) -> Option<&LiquidityScorer> {
        self.routing.scorers.get(index)
    }

    /// How many routes the routers of all nodes found so far (first attempts and retries).
    pub fn routes_found(&self) -> u64 {
        self.routing.routes_found
    }
}
