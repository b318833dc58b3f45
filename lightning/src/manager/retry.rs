//! Retrying failed parts of a payment over new routes, within the user's [`Retry`] budget.

use alloc::vec::Vec;
use core::time::Duration;

use crate::routing::Path;
use crate::wire::ShortChannelId;

use super::outbound::PartFailure;
use super::payments_out::PaymentId;
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
    pub(crate) fn new(retry: Retry, now: Duration) -> Self {
        RetryPlan {
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
