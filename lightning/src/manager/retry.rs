//! Paying through a [`Router`], and retrying failed parts of a payment over new routes
//! within the user's [`Retry`] budget.
//!
//! # The router plug
//!
//! The manager does not own a router: the caller passes `&mut dyn Router` to
//! [`send_payment_with_retry`](ChannelManager::send_payment_with_retry) and to
//! [`process_pending_payments`](ChannelManager::process_pending_payments). Call the latter
//! after handling peer messages (or on a timer, with the current time): it reports settled and
//! failed paths to the router (its scorer learns from them), then routes again the amount of
//! every payment whose parts failed, excluding the channels that failed, as long as the budget
//! allows; a payment out of budget or without a route ends with `PaymentFailed`.

use alloc::vec::Vec;
use core::time::Duration;

use crate::routing::{FirstHop, InFlightHtlcs, Path, RouteParameters, Router};
use crate::wire::{PaymentHash, ShortChannelId};

use super::events::PaymentFailureReason;
use super::outbound::PartFailure;
use super::payments_out::{PaymentId, RecipientOnionFields, SendError};
use super::ChannelManager;

/// How long a payment keeps trying other routes after a path fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// At most this many new routes after the first attempt (0: never retry).
    Attempts(u32),
    /// Retry while less than this much time passed since the payment started (by the time
    /// given to the manager).
    Timeout(Duration),
}

/// A payment's retry budget and what was learnt on the way.
pub(crate) struct RetryPlan {
    /// What the router was asked for the whole payment.
    pub(crate) params: RouteParameters,
    pub(crate) retry: Retry,
    /// Routes tried after the first.
    pub(crate) retries_used: u32,
    pub(crate) started_at: Duration,
    /// Channels that failed for this payment: excluded from the next routes.
    pub(crate) excluded: Vec<ShortChannelId>,
    /// Failed paths not yet reported to the router.
    pub(crate) unreported_failures: Vec<(Path, Option<ShortChannelId>)>,
}

impl RetryPlan {
    /// A fresh budget starting at `now`.
    pub(crate) fn new(params: RouteParameters, retry: Retry, now: Duration) -> Self {
        RetryPlan {
            params,
            retry,
            retries_used: 0,
            started_at: now,
            excluded: Vec::new(),
            unreported_failures: Vec::new(),
        }
    }

    /// Whether one more route may be tried at `now`.
    pub(crate) fn allows_retry(&self, now: Duration) -> bool {
        match self.retry {
            Retry::Attempts(max) => self.retries_used < max,
            Retry::Timeout(limit) => now.saturating_sub(self.started_at) < limit,
        }
    }
}

impl ChannelManager {
    /// A part failed: reports it (`PaymentPathFailed`), and queues its amount for a new route
    /// when the budget allows, or gives the payment up.
    pub(super) fn after_part_failure(&mut self, payment_id: PaymentId, failure: PartFailure) {
        let now = self.highest_seen_time;
        let will_retry = match self
            .outbound
            .pending
            .get_mut(&payment_id)
            .and_then(|payment| payment.retry.as_mut())
        {
            Some(plan) => {
                plan.unreported_failures
                    .push((failure.path.clone(), failure.failing_scid));
                if let Some(scid) = failure.failing_scid {
                    if !plan.excluded.contains(&scid) {
                        plan.excluded.push(scid);
                    }
                }
                failure.retryable && plan.allows_retry(now)
            }
            None => false,
        };
        self.outbound
            .settle_failure(payment_id, failure, will_retry, &mut self.events);
    }
}

impl ChannelManager {
    /// Pays `params.final_value_msat` to `params.payee` over a route from `router` (several
    /// paths when the router splits it), retrying failed parts over new routes within `retry`
    /// at each [`process_pending_payments`](Self::process_pending_payments). Exactly one
    /// `PaymentSent` or `PaymentFailed` follows for `payment_id`; `PaymentPathFailed` reports
    /// each failed path on the way.
    #[allow(clippy::too_many_arguments)]
    pub fn send_payment_with_retry(
        &mut self,
        params: RouteParameters,
        payment_hash: PaymentHash,
        recipient_onion: RecipientOnionFields,
        payment_id: PaymentId,
        retry: Retry,
        router: &mut dyn Router,
        now: Duration,
    ) -> Result<(), SendError> {
        self.advance_time(now);
        if self.outbound.is_known(&payment_id) {
            return Err(SendError::DuplicatePayment);
        }
        let route = self.find_route(router, &params, now)?;
        let total_msat = params.final_value_msat;
        let plan = RetryPlan::new(params, retry, now);
        self.start_payment(
            payment_id,
            payment_hash,
            recipient_onion,
            None,
            total_msat,
            Some(plan),
        )?;
        self.send_parts(payment_id, &route.paths, true)
    }

    /// Reports settled and failed paths to `router` (its scorer learns from them), then routes
    /// again the failed amounts of payments that may still retry, excluding the channels that
    /// failed, within each payment's [`Retry`] budget; a payment out of budget or without a
    /// route ends with `PaymentFailed`. The manager owns no router: pass the same one as to
    /// [`send_payment_with_retry`](Self::send_payment_with_retry). Call it after handling
    /// messages and on a timer.
    pub fn process_pending_payments(&mut self, router: &mut dyn Router, now: Duration) {
        self.advance_time(now);
        let payer = self.our_node_id;
        for path in core::mem::take(&mut self.successful_paths) {
            router.payment_path_successful(&payer, &path, now);
        }
        for payment in self.outbound.pending.values_mut() {
            if let Some(plan) = payment.retry.as_mut() {
                for (path, scid) in plan.unreported_failures.drain(..) {
                    router.payment_path_failed(&payer, &path, scid, now);
                }
            }
        }
        for payment_id in self.outbound.awaiting_retry() {
            self.retry_payment(payment_id, router, now);
        }
    }

    fn retry_payment(&mut self, payment_id: PaymentId, router: &mut dyn Router, now: Duration) {
        let Some(payment) = self.outbound.pending.get(&payment_id) else {
            return;
        };
        let Some(plan) = payment.retry.as_ref() else {
            return;
        };
        if !plan.allows_retry(now) {
            let reason = PaymentFailureReason::RetriesExhausted;
            self.outbound.give_up(payment_id, reason, &mut self.events);
            return;
        }
        let mut params = plan.params.clone();
        params.final_value_msat = payment.retry_msat;
        for scid in &plan.excluded {
            if !params.excluded_channels.contains(scid) {
                params.excluded_channels.push(*scid);
            }
        }
        let route = match self.find_route(router, &params, now) {
            Ok(route) => route,
            Err(_) => {
                let reason = PaymentFailureReason::RouteNotFound;
                self.outbound.give_up(payment_id, reason, &mut self.events);
                return;
            }
        };
        if let Some(payment) = self.outbound.pending.get_mut(&payment_id) {
            payment.retry_msat = 0;
            if let Some(plan) = payment.retry.as_mut() {
                plan.retries_used = plan.retries_used.saturating_add(1);
            }
        }
        // Not a first attempt: paths that cannot be sent count as failed parts.
        let _ = self.send_parts(payment_id, &route.paths, false);
    }

    /// Asks `router` for a route over our usable channels, counting our parts in flight.
    fn find_route(
        &self,
        router: &mut dyn Router,
        params: &RouteParameters,
        now: Duration,
    ) -> Result<crate::routing::Route, SendError> {
        let mut in_flight = InFlightHtlcs::new();
        for path in self.outbound.paths_in_flight() {
            in_flight.add_path(&self.our_node_id, path);
        }
        router
            .find_route(
                &self.our_node_id,
                params,
                &self.first_hops(),
                &in_flight,
                now,
            )
            .map_err(SendError::RouteNotFound)
    }

    /// Our usable channels with connected peers, as a router's first hops.
    pub fn first_hops(&self) -> Vec<FirstHop> {
        self.channels
            .values()
            .filter(|entry| entry.channel.is_usable())
            .filter_map(|entry| {
                let channel = &entry.channel;
                let counterparty = channel.counterparty_node_id();
                let connected = self
                    .peers
                    .get(&counterparty)
                    .is_some_and(|peer| peer.connected.is_some());
                let balances = channel.balances();
                connected.then_some(FirstHop {
                    short_channel_id: channel.short_channel_id()?,
                    counterparty,
                    outbound_capacity_msat: balances.outbound_capacity_msat,
                    next_outbound_htlc_limit_msat: balances.outbound_capacity_msat,
                    next_outbound_htlc_minimum_msat: 1,
                })
            })
            .collect()
    }
}
