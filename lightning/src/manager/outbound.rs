//! The book of outbound payments by [`PaymentId`]: every part (path) in flight, the retry
//! budget, and the rule of exactly one `PaymentSent` or `PaymentFailed` per id.
//!
//! A payment is sent as one or more parts, each an HTLC over one path. The first part that
//! is fulfilled gives the preimage: `PaymentSent` comes out then, once. A part that fails
//! emits `PaymentPathFailed` with the attributed failure; when the retry budget allows, its
//! amount waits to be routed again (`retry_msat`), otherwise the payment gives up and
//! `PaymentFailed` comes out when no part is left in flight.

use alloc::vec::Vec;

use hashbrown::{HashMap, HashSet};
use secp256k1::ecdh::SharedSecret;
use secp256k1::PublicKey;

use crate::onion::{decode_failure, FailureSource};
use crate::routing::Path;
use crate::wire::{ChannelId, PaymentHash, PaymentPreimage, ShortChannelId};

use super::events::{Event, PaymentFailureReason};
use super::payments_out::{PaymentId, PaymentOnion, RecipientOnionFields, ReturnedHtlcFailure};
use super::retry::RetryPlan;

/// One part of a payment in flight.
pub(crate) struct InflightPart {
    pub(crate) path: Path,
    pub(crate) hop_shared_secrets: Vec<SharedSecret>,
}

/// One payment not yet resolved (or resolved with parts still settling).
pub(crate) struct PendingPayment {
    pub(crate) payment_hash: PaymentHash,
    pub(crate) recipient: RecipientOnionFields,
    pub(crate) keysend_preimage: Option<PaymentPreimage>,
    /// What the recipient gets over all parts.
    pub(crate) total_msat: u64,
    pub(crate) parts: HashMap<(ChannelId, u64), InflightPart>,
    /// Set once a part was fulfilled (and `PaymentSent` emitted).
    pub(crate) preimage: Option<PaymentPreimage>,
    /// Fees of the parts not failed.
    pub(crate) fee_paid_msat: Option<u64>,
    /// Amount of failed parts waiting to be routed again.
    pub(crate) retry_msat: u64,
    /// The retry budget and what the router needs; `None` when the payment never retries.
    pub(crate) retry: Option<RetryPlan>,
    /// Set when the payment will not be retried any more: `PaymentFailed` with this reason
    /// comes out once no part is in flight.
    pub(crate) give_up: Option<PaymentFailureReason>,
}

/// The book of outbound payments.
#[derive(Default)]
pub(crate) struct OutboundPayments {
    pub(crate) pending: HashMap<PaymentId, PendingPayment>,
    by_htlc: HashMap<(ChannelId, u64), PaymentId>,
    resolved: HashSet<PaymentId>,
}

/// What a failed part tells the retry logic.
pub(crate) struct PartFailure {
    pub(crate) path: Path,
    pub(crate) reason: PaymentFailureReason,
    /// The channel to avoid on a retry, when the failure names one.
    pub(crate) failing_scid: Option<ShortChannelId>,
    /// Whether retrying can help (a permanent failure from the recipient cannot).
    pub(crate) retryable: bool,
}

impl OutboundPayments {
    /// Whether `payment_id` was ever used.
    pub(crate) fn is_known(&self, payment_id: &PaymentId) -> bool {
        self.pending.contains_key(payment_id) || self.resolved.contains(payment_id)
    }

    /// Rebuilds a book from persisted payments and resolved ids; the index of parts by HTLC
    /// is derived from the payments' parts.
    pub(crate) fn restore(
        pending: HashMap<PaymentId, PendingPayment>,
        resolved: HashSet<PaymentId>,
    ) -> Self {
        let by_htlc = pending
            .iter()
            .flat_map(|(id, payment)| payment.parts.keys().map(move |htlc| (*htlc, *id)))
            .collect();
        OutboundPayments {
            pending,
            by_htlc,
            resolved,
        }
    }

    /// The ids of payments resolved (`PaymentSent` or `PaymentFailed` emitted).
    pub(crate) fn resolved_ids(&self) -> impl Iterator<Item = &PaymentId> {
        self.resolved.iter()
    }

    /// Opens a payment (before its first part is added).
    pub(crate) fn start(&mut self, payment_id: PaymentId, payment: PendingPayment) {
        self.pending.insert(payment_id, payment);
    }

    /// Records a part whose HTLC `htlc` was added for `payment_id`.
    pub(crate) fn add_part(
        &mut self,
        payment_id: PaymentId,
        path: Path,
        onion: &PaymentOnion,
        htlc: (ChannelId, u64),
    ) {
        let Some(payment) = self.pending.get_mut(&payment_id) else {
            return;
        };
        payment.fee_paid_msat = payment
            .fee_paid_msat
            .and_then(|fee| fee.checked_add(path.fee_msat()?));
        payment.parts.insert(
            htlc,
            InflightPart {
                path,
                hop_shared_secrets: onion.hop_shared_secrets.clone(),
            },
        );
        self.by_htlc.insert(htlc, payment_id);
    }

    /// Drops a payment none of whose parts could be sent (the caller reports the error).
    pub(crate) fn abort_unsent(&mut self, payment_id: &PaymentId) {
        if self
            .pending
            .get(payment_id)
            .is_some_and(|payment| payment.parts.is_empty())
        {
            self.pending.remove(payment_id);
        }
    }

    /// A channel's id changed (temporary id replaced): re-key its HTLCs.
    pub(crate) fn rename_channel(&mut self, old: ChannelId, new: ChannelId) {
        let moved: Vec<((ChannelId, u64), PaymentId)> = self
            .by_htlc
            .iter()
            .filter(|((channel, _), _)| *channel == old)
            .map(|(key, id)| (*key, *id))
            .collect();
        for ((_, htlc_id), payment_id) in moved {
            self.by_htlc.remove(&(old, htlc_id));
            self.by_htlc.insert((new, htlc_id), payment_id);
            if let Some(part) = self
                .pending
                .get_mut(&payment_id)
                .and_then(|payment| payment.parts.remove(&(old, htlc_id)))
            {
                if let Some(payment) = self.pending.get_mut(&payment_id) {
                    payment.parts.insert((new, htlc_id), part);
                }
            }
        }
    }

    /// Whether HTLC `htlc` is a part of a payment of ours still in flight.
    pub(crate) fn has_part(&self, htlc: &(ChannelId, u64)) -> bool {
        self.by_htlc.contains_key(htlc)
    }

    /// The HTLCs of ours still in flight on `channel_id`.
    pub(crate) fn htlcs_on(&self, channel_id: &ChannelId) -> Vec<u64> {
        self.by_htlc
            .keys()
            .filter(|(channel, _)| channel == channel_id)
            .map(|(_, htlc_id)| *htlc_id)
            .collect()
    }

    /// A part was fulfilled: `PaymentSent` the first time for its payment. Returns the path
    /// (for the router) with the event.
    pub(crate) fn fulfilled(
        &mut self,
        channel_id: &ChannelId,
        htlc_id: u64,
        preimage: PaymentPreimage,
    ) -> Option<(Path, Option<Event>)> {
        let payment_id = self.by_htlc.remove(&(*channel_id, htlc_id))?;
        let payment = self.pending.get_mut(&payment_id)?;
        let part = payment.parts.remove(&(*channel_id, htlc_id))?;
        let event = if payment.preimage.is_none() {
            payment.preimage = Some(preimage);
            self.resolved.insert(payment_id);
            Some(Event::PaymentSent {
                payment_id,
                payment_hash: payment.payment_hash,
                payment_preimage: preimage,
                fee_paid_msat: payment.fee_paid_msat,
            })
        } else {
            None
        };
        if payment.parts.is_empty() {
            self.pending.remove(&payment_id);
        }
        Some((part.path, event))
    }

    /// A part failed: decodes the failure and removes the part. The caller decides about a
    /// retry (see `retry`) and then calls [`Self::settle_failure`].
    pub(crate) fn part_failed(
        &mut self,
        channel_id: &ChannelId,
        htlc_id: u64,
        failure: &ReturnedHtlcFailure,
    ) -> Option<(PaymentId, PartFailure)> {
        let payment_id = self.by_htlc.remove(&(*channel_id, htlc_id))?;
        let payment = self.pending.get_mut(&payment_id)?;
        let part = payment.parts.remove(&(*channel_id, htlc_id))?;
        payment.fee_paid_msat = payment
            .fee_paid_msat
            .and_then(|fee| fee.checked_sub(part.path.fee_msat()?));
        Some((payment_id, attribute(part, failure)))
    }

    /// After a failed part: queues its amount for a retry when `will_retry`, or gives the
    /// payment up. Emits `PaymentPathFailed` with the attributed failure, except when this
    /// failure ends the payment at once: then `PaymentFailed` carries the same reason.
    pub(crate) fn settle_failure(
        &mut self,
        payment_id: PaymentId,
        failure: PartFailure,
        will_retry: bool,
        events: &mut alloc::collections::VecDeque<Event>,
    ) {
        let Some(payment) = self.pending.get_mut(&payment_id) else {
            return;
        };
        let path_failed = Event::PaymentPathFailed {
            payment_id,
            payment_hash: payment.payment_hash,
            path: failure.path.clone(),
            reason: failure.reason.clone(),
            will_retry,
        };
        if payment.preimage.is_some() {
            // Paid already: a late failure of another part changes nothing.
        } else if will_retry {
            payment.retry_msat = payment
                .retry_msat
                .saturating_add(failure.path.final_value_msat());
        } else if payment.give_up.is_none() {
            payment.give_up = Some(failure.reason);
        }
        let ends_now = payment.preimage.is_none()
            && payment.parts.is_empty()
            && payment.retry_msat == 0
            && payment.give_up.is_some();
        if !ends_now {
            events.push_back(path_failed);
        }
        self.finish_if_done(payment_id, events);
    }

    /// Gives up on a payment (router failure, budget exhausted) with `reason`.
    pub(crate) fn give_up(
        &mut self,
        payment_id: PaymentId,
        reason: PaymentFailureReason,
        events: &mut alloc::collections::VecDeque<Event>,
    ) {
        if let Some(payment) = self.pending.get_mut(&payment_id) {
            payment.retry_msat = 0;
            if payment.give_up.is_none() {
                payment.give_up = Some(reason);
            }
        }
        self.finish_if_done(payment_id, events);
    }

    /// Emits `PaymentFailed` for a payment that gave up and has nothing in flight.
    fn finish_if_done(
        &mut self,
        payment_id: PaymentId,
        events: &mut alloc::collections::VecDeque<Event>,
    ) {
        let Some(payment) = self.pending.get(&payment_id) else {
            return;
        };
        if !payment.parts.is_empty() {
            return;
        }
        if payment.preimage.is_some() {
            self.pending.remove(&payment_id);
            return;
        }
        let Some(reason) = payment.give_up.clone() else {
            return;
        };
        let payment_hash = payment.payment_hash;
        self.pending.remove(&payment_id);
        self.resolved.insert(payment_id);
        events.push_back(Event::PaymentFailed {
            payment_id,
            payment_hash,
            reason,
        });
    }

    /// Payments with an amount waiting to be routed again.
    pub(crate) fn awaiting_retry(&self) -> Vec<PaymentId> {
        self.pending
            .iter()
            .filter(|(_, payment)| payment.retry_msat > 0 && payment.give_up.is_none())
            .map(|(id, _)| *id)
            .collect()
    }

    /// Every path in flight, for the router's in-flight view.
    pub(crate) fn paths_in_flight(&self) -> impl Iterator<Item = &Path> {
        self.pending
            .values()
            .flat_map(|payment| payment.parts.values().map(|part| &part.path))
    }
}

/// Who failed a part, and whether a retry can help.
fn attribute(part: InflightPart, failure: &ReturnedHtlcFailure) -> PartFailure {
    let path = part.path;
    let (reason, failing_scid, retryable) = match failure {
        ReturnedHtlcFailure::Packet(packet) => {
            let reason = decode_reason(&path, &part.hop_shared_secrets, packet);
            let (scid, retryable) = blame(&path, &reason);
            (reason, scid, retryable)
        }
        ReturnedHtlcFailure::Malformed(code) => (
            PaymentFailureReason::MalformedOnion {
                failure_code: *code,
            },
            path.hops.first().map(|hop| hop.short_channel_id),
            true,
        ),
        ReturnedHtlcFailure::Local => (
            PaymentFailureReason::ChannelUnavailable,
            path.hops.first().map(|hop| hop.short_channel_id),
            true,
        ),
    };
    PartFailure {
        path,
        reason,
        failing_scid,
        retryable,
    }
}

/// The channel a hop's failure blames (the one after the erring hop, for a forwarding
/// failure), and whether another route may succeed.
fn blame(path: &Path, reason: &PaymentFailureReason) -> (Option<ShortChannelId>, bool) {
    match reason {
        PaymentFailureReason::HopFailed {
            is_recipient: true,
            failure,
            ..
        } => {
            // The recipient refused: only an MPP timeout is worth another try.
            let timeout = failure.as_ref().is_some_and(|message| {
                message.failure.code() == crate::onion::FailureCode::MPP_TIMEOUT
            });
            (None, timeout)
        }
        PaymentFailureReason::HopFailed { hop_index, .. } => (
            path.hops
                .get(hop_index.saturating_add(1))
                .map(|hop| hop.short_channel_id),
            true,
        ),
        _ => (None, true),
    }
}

/// Decodes a returned failure packet with the session's shared secrets.
fn decode_reason(
    path: &Path,
    hop_shared_secrets: &[SharedSecret],
    packet: &[u8],
) -> PaymentFailureReason {
    let decoded = decode_failure(hop_shared_secrets, packet, None);
    match decoded.source {
        FailureSource::Hop { index, decoded, .. } => PaymentFailureReason::HopFailed {
            hop_index: index,
            node_id: hop_node(path, index),
            is_recipient: index + 1 == path.hops.len(),
            failure: decoded.ok(),
        },
        FailureSource::MalformedFromHop { index } => PaymentFailureReason::HopFailed {
            hop_index: index,
            node_id: hop_node(path, index),
            is_recipient: index + 1 == path.hops.len(),
            failure: None,
        },
        FailureSource::Unattributable => PaymentFailureReason::Unattributable,
    }
}

fn hop_node(path: &Path, index: usize) -> Option<PublicKey> {
    path.hops.get(index).map(|hop| hop.node_id)
}
