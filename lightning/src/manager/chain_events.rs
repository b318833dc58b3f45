//! Monitor → manager: what a [`ChannelMonitor`](crate::monitor::ChannelMonitor) learnt on
//! chain about HTLCs the manager still tracks.
//!
//! When a channel closes with HTLCs we offered still in flight, those that may be on chain
//! wait in the manager's record of the closed channel (see `closed`) and are resolved by the
//! channel's monitor: the counterparty claims one with its preimage
//! ([`MonitorEvent::HtlcResolved`]), or the HTLC is final without it
//! ([`MonitorEvent::HtlcFailed`]: timed out, swept by justice, or no output of the commitment
//! that confirmed). For a forward, the incoming HTLC upstream is then fulfilled with the
//! preimage (off chain, or through the upstream monitor if that channel closed too) or failed
//! back; for one of our own payments still pending, the payment completes (`PaymentSent`) or
//! the part fails. A channel the manager did not see close (the peer broadcast its
//! commitment while we were disconnected) has no record: its forwards and parts are matched
//! by payment hash (forwards by amount and expiry) instead.

use alloc::vec::Vec;

use bitcoin::hashes::{sha256, Hash};

use crate::channel::ChannelError;
use crate::monitor::{FundingSpendKind, MonitorEvent};
use crate::onion::Failure;
use crate::wire::{ChannelId, PaymentHash, PaymentPreimage};

use super::events::Event;
use super::outbound::PendingPayment;
use super::payments_out::ReturnedHtlcFailure;
use super::ChannelManager;

impl ChannelManager {
    /// Takes one event of a channel monitor (e.g. from
    /// [`ChainMonitor::poll_event`](crate::monitor::chain_monitor::ChainMonitor::poll_event)):
    /// [`MonitorEvent::HtlcResolved`] goes to [`claim_htlc_from_chain`](Self::claim_htlc_from_chain),
    /// [`MonitorEvent::HtlcFailed`] to [`fail_htlc_from_chain`](Self::fail_htlc_from_chain);
    /// [`MonitorEvent::FundingSpent`] by a commitment closes the channel if it is still open
    /// for us (`ChannelClosed` with
    /// [`CommitmentTxConfirmed`](super::ClosureReason::CommitmentTxConfirmed):
    /// the peer force closed while we were away); other events do not concern the manager.
    /// Returns whether some HTLC was settled.
    /// Call it for every monitor event, then drain the manager's outputs as after any call.
    pub fn handle_monitor_event(&mut self, event: &MonitorEvent) -> bool {
        match event {
            MonitorEvent::HtlcResolved {
                channel_id,
                payment_hash,
                preimage,
            } => self.claim_htlc_from_chain(*channel_id, *payment_hash, *preimage),
            MonitorEvent::HtlcFailed {
                channel_id,
                payment_hash,
                amount_msat,
                cltv_expiry,
            } => self.fail_htlc_from_chain(*channel_id, *payment_hash, *amount_msat, *cltv_expiry),
            MonitorEvent::FundingSpent {
                channel_id, kind, ..
            } => {
                if *kind != FundingSpendKind::Cooperative {
                    self.close_on_funding_spent(*channel_id);
                }
                false
            }
            _ => false,
        }
    }

    /// The counterparty of `channel_id` claimed on chain an HTLC we offered, revealing
    /// `preimage`: every forward whose outgoing HTLC was on that channel with this payment
    /// hash is fulfilled upstream (event `PaymentForwarded`), and every pending payment of
    /// ours with a part on that channel completes (`PaymentSent`, once per payment). A
    /// preimage that does not hash to `payment_hash` is ignored. Returns whether anything
    /// was settled.
    pub fn claim_htlc_from_chain(
        &mut self,
        channel_id: ChannelId,
        payment_hash: PaymentHash,
        preimage: PaymentPreimage,
    ) -> bool {
        if sha256::Hash::hash(&preimage.0).to_byte_array() != payment_hash.0 {
            return false;
        }
        let mut settled = false;
        // The HTLCs recorded when the channel closed (forwards and parts alike).
        for htlc_id in self
            .take_awaiting(channel_id, payment_hash, None)
            .unwrap_or_default()
        {
            self.outbound_htlc_fulfilled(channel_id, htlc_id, preimage);
            settled = true;
        }
        // Any other (the manager did not see the channel close).
        for key in self.forwards_on(channel_id) {
            settled |= self.fulfil_forward_upstream(key, preimage);
        }
        for htlc_id in self.our_parts_on(channel_id, payment_hash) {
            self.outbound_htlc_fulfilled(channel_id, htlc_id, preimage);
            settled = true;
        }
        self.prune_closed_channels();
        settled
    }

    /// An HTLC we offered on `channel_id` (`payment_hash`, `amount_msat`, `cltv_expiry`) was
    /// resolved on chain without its preimage (timed out, swept by justice, or no output of
    /// the commitment that confirmed): the forward it carried fails upstream with
    /// `permanent_channel_failure`, or the part of our payment fails. When the channel closed
    /// with several identical HTLCs waiting, the one with the lowest id fails (one per event).
    /// Returns whether anything was failed.
    pub fn fail_htlc_from_chain(
        &mut self,
        channel_id: ChannelId,
        payment_hash: PaymentHash,
        amount_msat: u64,
        cltv_expiry: u32,
    ) -> bool {
        if let Some(taken) =
            self.take_awaiting(channel_id, payment_hash, Some((amount_msat, cltv_expiry)))
        {
            // The channel closed with this HTLC recorded: exactly the recorded HTLC fails.
            let failed = !taken.is_empty();
            for htlc_id in taken {
                self.fail_outbound_htlc(channel_id, htlc_id, Failure::PermanentChannelFailure);
            }
            self.prune_closed_channels();
            return failed;
        }
        let matching: Vec<(ChannelId, u64)> = self
            .forwards
            .iter()
            .filter(|((channel, _), forward)| {
                *channel == channel_id
                    && forward.outgoing_amount_msat == amount_msat
                    && forward.outgoing_cltv_expiry == cltv_expiry
            })
            .map(|(key, _)| *key)
            .collect();
        // Several forwards may share amount and expiry; fail one per event, the oldest id.
        if let Some(key) = matching.into_iter().min_by_key(|(_, htlc_id)| *htlc_id) {
            if let Some(forward) = self.forwards.remove(&key) {
                self.fail_inbound(
                    forward.prev_channel_id,
                    forward.prev_htlc_id,
                    &forward.shared_secret,
                    Failure::PermanentChannelFailure,
                );
                return true;
            }
        }
        let Some(htlc_id) = self
            .our_parts_on(channel_id, payment_hash)
            .into_iter()
            .min()
        else {
            return false;
        };
        self.payment_part_failed(channel_id, htlc_id, &ReturnedHtlcFailure::Local);
        true
    }

    /// The forwards whose outgoing HTLC is on `channel_id`, sorted.
    fn forwards_on(&self, channel_id: ChannelId) -> Vec<(ChannelId, u64)> {
        let mut keys: Vec<(ChannelId, u64)> = self
            .forwards
            .keys()
            .filter(|(channel, _)| *channel == channel_id)
            .copied()
            .collect();
        keys.sort_unstable_by_key(|(_, htlc_id)| *htlc_id);
        keys
    }

    /// The HTLC ids of our pending payments for `payment_hash` on `channel_id`, sorted.
    fn our_parts_on(&self, channel_id: ChannelId, payment_hash: PaymentHash) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .outbound
            .pending
            .values()
            .filter(|payment: &&PendingPayment| payment.payment_hash == payment_hash)
            .flat_map(|payment| payment.parts.keys())
            .filter(|(channel, _)| *channel == channel_id)
            .map(|(_, htlc_id)| *htlc_id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Fulfils upstream the forward `key` if `preimage` is the one its incoming HTLC waits
    /// for (the incoming channel checks the hash and changes nothing otherwise).
    fn fulfil_forward_upstream(
        &mut self,
        key: (ChannelId, u64),
        preimage: PaymentPreimage,
    ) -> bool {
        let Some(forward) = self.forwards.get(&key).cloned() else {
            return false;
        };
        let prev = forward.prev_channel_id;
        let Some(entry) = self.channels.get_mut(&prev) else {
            // The incoming channel is gone too, and without the forward's payment hash the
            // preimage cannot be checked against it here: the HTLCs recorded at close are
            // settled through `take_awaiting` instead.
            return false;
        };
        let result: Result<(), ChannelError> =
            entry.channel.fulfill_htlc(forward.prev_htlc_id, preimage);
        if result.is_err() {
            // Another payment hash (or the HTLC is already settled): not this forward.
            return false;
        }
        self.forwards.remove(&key);
        let result = match self.channels.get_mut(&prev) {
            Some(entry) => entry.channel.maybe_send_commitment(),
            None => Ok(()),
        };
        self.handle_channel_result(prev, result);
        self.drain_channel(prev);
        self.events.push_back(Event::PaymentForwarded {
            prev_channel_id: prev,
            next_channel_id: key.0,
            fee_earned_msat: forward
                .incoming_amount_msat
                .saturating_sub(forward.outgoing_amount_msat),
            outbound_amount_msat: forward.outgoing_amount_msat,
        });
        true
    }
}
