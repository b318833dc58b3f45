//! Held forwards: an HTLC to forward over a channel that is open but not usable right now
//! (its peer is disconnected, or reconnected and `channel_reestablish` is not yet exchanged)
//! waits instead of failing at once, so that a neighbour's restart does not fail payments.
//!
//! # Lifecycle of a held forward
//!
//! 1. [`forward_htlc`](ChannelManager::forward_htlc) finds the next channel in phase
//!    `Normal` but not usable (or its peer not connected), after the fee and CLTV checks
//!    passed: the forward is held.
//! 2. After every message from a peer (a `channel_reestablish` makes a channel usable again)
//!    the held forwards are tried again, oldest first: a usable channel forwards; a channel
//!    still waiting keeps it held; a channel gone or closing fails it back.
//! 3. It is failed back with `temporary_channel_failure` when it waited
//!    [`held_forward_timeout_ticks`](super::ManagerConfig::held_forward_timeout_ticks) calls of
//!    [`timer_tick_occurred`](ChannelManager::timer_tick_occurred), or at a new block once
//!    the outgoing expiry is within [`MIN_OUTGOING_EXPIRY_BLOCKS`] blocks or the incoming one
//!    within [`CLAIM_EXPIRY_BUFFER`] blocks.
//! 4. A held forward whose incoming channel closed is dropped: its HTLC is resolved on
//!    chain by the monitor.
//!
//! Held forwards are saved with the manager (record 17, odd: an older reader that skips it
//! leaves the incoming HTLC to time out, as before held forwards existed).

use alloc::boxed::Box;
use alloc::vec::Vec;

use secp256k1::ecdh::SharedSecret;

use crate::channel::serialize::codec::{get_list, put_list};
use crate::channel::ChannelPhase;
use crate::onion::{Failure, ONION_PACKET_LEN};
use crate::wire::{ChannelId, Decode, DecodeError, Encode, PaymentHash, Reader, ShortChannelId};

use super::forward::MIN_OUTGOING_EXPIRY_BLOCKS;
use super::mpp::CLAIM_EXPIRY_BUFFER;
use super::ChannelManager;

/// The manager record type of the held forwards (odd: may be skipped by older readers).
pub(super) const HELD_FORWARDS_RECORD: u64 = 17;

/// A forward decided from a peeled onion: where the HTLC came from and where it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PendingForward {
    pub(super) prev_channel_id: ChannelId,
    pub(super) prev_htlc_id: u64,
    pub(super) incoming_amount_msat: u64,
    pub(super) payment_hash: PaymentHash,
    pub(super) incoming_cltv_expiry: u32,
    pub(super) shared_secret: SharedSecret,
    pub(super) short_channel_id: ShortChannelId,
    pub(super) amt_to_forward: u64,
    pub(super) outgoing_cltv_value: u32,
    pub(super) next_onion: Box<[u8; ONION_PACKET_LEN]>,
    /// Timer ticks spent held.
    pub(super) ticks: u32,
}

/// Why a forward did not go out now.
pub(super) enum NotForwarded {
    /// The next channel is open but not usable now: hold the forward.
    Hold,
    /// Fail the incoming HTLC back with this.
    Fail(Failure),
}

impl From<Failure> for NotForwarded {
    fn from(failure: Failure) -> Self {
        NotForwarded::Fail(failure)
    }
}

impl ChannelManager {
    /// Forwards `request` now, holds it, or fails it back.
    pub(super) fn dispatch_forward(&mut self, request: PendingForward) {
        match self.try_forward(&request) {
            Ok(()) => {}
            Err(NotForwarded::Hold) => self.held_forwards.push(request),
            Err(NotForwarded::Fail(failure)) => self.fail_inbound(
                request.prev_channel_id,
                request.prev_htlc_id,
                &request.shared_secret,
                failure,
            ),
        }
    }

    /// Whether a forward over `channel_id` should wait: the channel is open (`Normal`) but
    /// its peer is away or the reestablish is not done.
    pub(super) fn is_temporarily_unusable(&self, channel_id: ChannelId) -> bool {
        self.channels.get(&channel_id).is_some_and(|entry| {
            entry.channel.phase() == ChannelPhase::Normal
                && (!entry.channel.is_usable() || !self.is_peer_connected_for(channel_id))
        })
    }

    /// The forwards waiting for their next channel, as `(incoming channel, incoming HTLC id)`,
    /// oldest first.
    pub fn held_forwards(&self) -> Vec<(ChannelId, u64)> {
        self.held_forwards
            .iter()
            .map(|f| (f.prev_channel_id, f.prev_htlc_id))
            .collect()
    }

    /// Tries every held forward again (after a peer's message: a channel may be usable now).
    pub(super) fn release_held_forwards(&mut self) {
        if self.held_forwards.is_empty() {
            return;
        }
        let held = core::mem::take(&mut self.held_forwards);
        for request in held {
            let incoming_open = self
                .channels
                .get(&request.prev_channel_id)
                .is_some_and(|entry| entry.channel.phase() != ChannelPhase::Closed);
            if incoming_open {
                self.dispatch_forward(request);
            }
        }
    }

    /// At a timer tick: ages the held forwards and fails back those held too long.
    pub(super) fn age_held_forwards(&mut self) {
        let limit = self.config.held_forward_timeout_ticks;
        for request in &mut self.held_forwards {
            request.ticks = request.ticks.saturating_add(1);
        }
        self.fail_held_forwards_where(|request, _| request.ticks >= limit);
    }

    /// At a new block: fails back held forwards whose expiries came too near.
    pub(super) fn fail_expiring_held_forwards(&mut self) {
        self.fail_held_forwards_where(|request, height| {
            request.outgoing_cltv_value <= height.saturating_add(MIN_OUTGOING_EXPIRY_BLOCKS)
                || request.incoming_cltv_expiry <= height.saturating_add(CLAIM_EXPIRY_BUFFER)
        });
    }

    fn fail_held_forwards_where(&mut self, expired: impl Fn(&PendingForward, u32) -> bool) {
        let height = self.best_block.height;
        let (failed, kept): (Vec<PendingForward>, Vec<PendingForward>) =
            core::mem::take(&mut self.held_forwards)
                .into_iter()
                .partition(|request| expired(request, height));
        self.held_forwards = kept;
        for request in failed {
            self.fail_inbound(
                request.prev_channel_id,
                request.prev_htlc_id,
                &request.shared_secret,
                Failure::TemporaryChannelFailure {
                    channel_update: Vec::new(),
                },
            );
        }
    }
}

/// The held forwards' record.
pub(super) fn write_held_forwards(held: &[PendingForward]) -> Vec<u8> {
    let mut out = Vec::new();
    put_list(held, &mut out, |f, out| {
        f.prev_channel_id.encode(out);
        f.prev_htlc_id.encode(out);
        f.incoming_amount_msat.encode(out);
        f.payment_hash.encode(out);
        f.incoming_cltv_expiry.encode(out);
        f.shared_secret.secret_bytes().encode(out);
        f.short_channel_id.encode(out);
        f.amt_to_forward.encode(out);
        f.outgoing_cltv_value.encode(out);
        out.extend_from_slice(&f.next_onion[..]);
        f.ticks.encode(out);
    });
    out
}

/// Reads the held forwards' record.
pub(super) fn read_held_forwards(r: &mut Reader<'_>) -> Result<Vec<PendingForward>, DecodeError> {
    get_list(r, |r| {
        Ok::<_, DecodeError>(PendingForward {
            prev_channel_id: r.decode()?,
            prev_htlc_id: r.decode()?,
            incoming_amount_msat: r.decode()?,
            payment_hash: r.decode()?,
            incoming_cltv_expiry: r.decode()?,
            shared_secret: SharedSecret::from_bytes(r.read_array()?),
            short_channel_id: r.decode()?,
            amt_to_forward: r.decode()?,
            outgoing_cltv_value: r.decode()?,
            next_onion: Box::new(r.read_array()?),
            ticks: u32::decode(r)?,
        })
    })
}
