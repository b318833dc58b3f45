//! Channels that closed while HTLCs were in flight: what the manager keeps after the channel
//! itself is gone, so that every HTLC gets exactly one outcome.
//!
//! When a funded channel closes, each HTLC we offered on it (a part of our payment, or the
//! outgoing half of a forward) is sorted:
//! - never covered by a `commitment_signed` (neither our commitment nor the peer's holds it):
//!   it can never be on chain, so it fails at once;
//! - otherwise it may still be claimed on chain with its preimage: it waits in the channel's
//!   [`ClosedChannel`] record for the monitor's verdict,
//!   [`MonitorEvent::HtlcResolved`](crate::monitor::MonitorEvent::HtlcResolved) (the payment
//!   is sent, the forward is fulfilled upstream) or
//!   [`MonitorEvent::HtlcFailed`](crate::monitor::MonitorEvent::HtlcFailed) (final: the part
//!   fails, the forward fails upstream).
//!
//! The record also carries the channel's latest monitor update id, so that a preimage learnt
//! after the close (the user claims a payment whose HTLC is on the closed channel, or a
//! forward's downstream settles while the upstream channel is closed) reaches the channel's
//! monitor as the next [`ChannelMonitorUpdate`], which then claims the HTLC on chain.

use alloc::vec;
use alloc::vec::Vec;

use crate::channel::ChannelPhase;
use crate::monitor::update::{ChannelMonitorUpdate, MonitorUpdateStep};
use crate::onion::Failure;
use crate::wire::{ChannelId, PaymentHash, PaymentPreimage};

use super::payments_out::ReturnedHtlcFailure;
use super::ChannelManager;

/// One HTLC we offered on a closed channel, waiting for the monitor's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct AwaitingHtlc {
    pub(super) htlc_id: u64,
    pub(super) payment_hash: PaymentHash,
    pub(super) amount_msat: u64,
    pub(super) cltv_expiry: u32,
}

/// What the manager keeps of a funded channel after it closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ClosedChannel {
    /// The id of the last monitor update given for the channel.
    pub(super) latest_update_id: u64,
    /// Our HTLCs that may be on chain, by id.
    pub(super) awaiting: Vec<AwaitingHtlc>,
}

impl ChannelManager {
    /// `channel_id` (still in `channels`) just closed: fails at once our HTLCs that can never
    /// be on chain, and records the others (and the monitor update id) for the monitor.
    pub(super) fn settle_htlcs_at_close(&mut self, channel_id: ChannelId) {
        let Some(entry) = self.channels.get(&channel_id) else {
            return;
        };
        let maybe_on_chain = entry.channel.offered_htlcs_maybe_on_chain();
        let latest_update_id = entry.channel.latest_monitor_update_id();
        let mut ours: Vec<u64> = self.outbound.htlcs_on(&channel_id);
        ours.extend(
            self.forwards
                .keys()
                .filter(|(channel, _)| *channel == channel_id)
                .map(|(_, htlc_id)| *htlc_id),
        );
        ours.sort_unstable();
        ours.dedup();
        let mut awaiting = Vec::new();
        for htlc_id in ours {
            let on_chain = maybe_on_chain.iter().find(|htlc| htlc.0 == htlc_id);
            match (on_chain, latest_update_id) {
                (Some(&(_, payment_hash, amount_msat, cltv_expiry)), Some(_)) => {
                    awaiting.push(AwaitingHtlc {
                        htlc_id,
                        payment_hash,
                        amount_msat,
                        cltv_expiry,
                    })
                }
                _ => self.fail_outbound_htlc(
                    channel_id,
                    htlc_id,
                    Failure::TemporaryChannelFailure {
                        channel_update: Vec::new(),
                    },
                ),
            }
        }
        if let Some(latest_update_id) = latest_update_id {
            self.closed_record(channel_id, latest_update_id)
                .awaiting
                .extend(awaiting);
        }
    }

    /// The record of the closed `channel_id`, made if missing; its update id is at least
    /// `latest_update_id` (the channel's last), so later preimage updates follow it.
    fn closed_record(
        &mut self,
        channel_id: ChannelId,
        latest_update_id: u64,
    ) -> &mut ClosedChannel {
        let record = self
            .closed_channels
            .entry(channel_id)
            .or_insert(ClosedChannel {
                latest_update_id,
                awaiting: Vec::new(),
            });
        record.latest_update_id = record.latest_update_id.max(latest_update_id);
        record
    }

    /// Fails our HTLC `htlc_id` on `channel_id`: a forward fails upstream with `failure`, a
    /// part of our payment fails (and may be retried).
    pub(super) fn fail_outbound_htlc(
        &mut self,
        channel_id: ChannelId,
        htlc_id: u64,
        failure: Failure,
    ) {
        if let Some(forward) = self.forwards.remove(&(channel_id, htlc_id)) {
            self.fail_inbound(
                forward.prev_channel_id,
                forward.prev_htlc_id,
                &forward.shared_secret,
                failure,
            );
            return;
        }
        self.payment_part_failed(channel_id, htlc_id, &ReturnedHtlcFailure::Local);
    }

    /// Takes out of `channel_id`'s record the awaiting HTLCs with `payment_hash` (all of them
    /// when `amount_and_expiry` is `None`, else the lowest id with that amount and expiry).
    /// `None` when the manager keeps no record of the channel.
    pub(super) fn take_awaiting(
        &mut self,
        channel_id: ChannelId,
        payment_hash: PaymentHash,
        amount_and_expiry: Option<(u64, u32)>,
    ) -> Option<Vec<u64>> {
        let record = self.closed_channels.get_mut(&channel_id)?;
        let matches = |htlc: &AwaitingHtlc| {
            htlc.payment_hash == payment_hash
                && amount_and_expiry.is_none_or(|(amount, expiry)| {
                    htlc.amount_msat == amount && htlc.cltv_expiry == expiry
                })
        };
        let mut taken = Vec::new();
        match amount_and_expiry {
            None => record.awaiting.retain(|htlc| {
                let hit = matches(htlc);
                if hit {
                    taken.push(htlc.htlc_id);
                }
                !hit
            }),
            Some(_) => {
                let first = record
                    .awaiting
                    .iter()
                    .enumerate()
                    .filter(|(_, htlc)| matches(htlc))
                    .min_by_key(|(_, htlc)| htlc.htlc_id)
                    .map(|(index, _)| index);
                if let Some(index) = first {
                    taken.push(record.awaiting.remove(index).htlc_id);
                }
            }
        }
        Some(taken)
    }

    /// Whether `channel_id` can take an update now (known, not closed).
    pub(super) fn is_channel_open(&self, channel_id: &ChannelId) -> bool {
        self.channels
            .get(channel_id)
            .is_some_and(|entry| entry.channel.phase() != ChannelPhase::Closed)
    }

    /// Gives `preimage` to the monitor of the closed `channel_id` (the next monitor update),
    /// so that it claims the HTLC on chain. A channel that closed but whose `Closed` event
    /// still waits for a monitor update gets its record now. Returns whether the channel has
    /// a record (false: nothing is known of the channel any more).
    pub(super) fn preimage_to_closed_channel(
        &mut self,
        channel_id: ChannelId,
        preimage: PaymentPreimage,
    ) -> bool {
        let record = match self
            .channels
            .get(&channel_id)
            .and_then(|entry| entry.channel.latest_monitor_update_id())
        {
            Some(latest_update_id) => self.closed_record(channel_id, latest_update_id),
            None => match self.closed_channels.get_mut(&channel_id) {
                Some(record) => record,
                None => return false,
            },
        };
        record.latest_update_id = record.latest_update_id.saturating_add(1);
        let update_id = record.latest_update_id;
        self.monitor_updates.push_back(ChannelMonitorUpdate {
            channel_id,
            update_id,
            steps: vec![MonitorUpdateStep::PaymentPreimage { preimage }],
        });
        true
    }

    /// Fulfils the incoming HTLC `htlc_id` of `channel_id` with `preimage`: off chain while
    /// the channel is open, through its monitor once it closed. Returns whether it was done.
    pub(super) fn fulfil_inbound(
        &mut self,
        channel_id: ChannelId,
        htlc_id: u64,
        preimage: PaymentPreimage,
    ) -> bool {
        if !self.is_channel_open(&channel_id) {
            return self.preimage_to_closed_channel(channel_id, preimage);
        }
        let Some(entry) = self.channels.get_mut(&channel_id) else {
            return false;
        };
        let result = entry
            .channel
            .fulfill_htlc(htlc_id, preimage)
            .and_then(|()| entry.channel.maybe_send_commitment());
        let refused = self.handle_channel_result(channel_id, result).is_some();
        self.drain_channel(channel_id);
        !refused
    }

    /// Forgets the records of closed channels that nothing refers to any more: no HTLC of
    /// ours awaits the monitor, and no claimable HTLC or forward came in over them.
    pub(super) fn prune_closed_channels(&mut self) {
        if self.closed_channels.is_empty() {
            return;
        }
        let mut referenced: Vec<ChannelId> = Vec::new();
        for htlcs in self.claimable.values() {
            referenced.extend(htlcs.iter().map(|htlc| htlc.channel_id));
        }
        for set in self.receiving.values() {
            referenced.extend(set.parts.iter().map(|htlc| htlc.channel_id));
        }
        referenced.extend(self.forwards.values().map(|f| f.prev_channel_id));
        let forwards = &self.forwards;
        let outbound = &self.outbound;
        let channels = &self.channels;
        self.closed_channels.retain(|channel_id, record| {
            // Still in `channels` (its `Closed` event waits): its update ids must carry on.
            if channels.contains_key(channel_id) {
                return true;
            }
            // An HTLC settled some other way (e.g. off chain just before the close).
            record.awaiting.retain(|htlc| {
                let key = (*channel_id, htlc.htlc_id);
                forwards.contains_key(&key) || outbound.has_part(&key)
            });
            !record.awaiting.is_empty() || referenced.contains(channel_id)
        });
    }
}
