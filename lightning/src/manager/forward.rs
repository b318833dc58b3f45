//! Forwarding: an HTLC whose onion names a next channel goes out over that channel when it
//! pays our fee and leaves our CLTV delta; its outcome comes back the same way.
//!
//! # What happens to a forward
//!
//! 1. The incoming HTLC is irrevocably committed (`HtlcLockedIn`); its onion peels to a
//!    forward payload (next `short_channel_id`, amount, expiry).
//! 2. The checks: the next channel exists (`unknown_next_peer`), the HTLC pays our
//!    [`ForwardingPolicy`](super::ForwardingPolicy) fee (`fee_insufficient`) and leaves our
//!    CLTV delta (`incorrect_cltv_expiry`), the outgoing expiry is not too near
//!    (`expiry_too_soon`) nor the incoming one too far (`expiry_too_far`), the next channel
//!    is usable and its peer connected (if it is open but its peer is away or reestablishing,
//!    the forward is *held* until it is usable again, see `held`; otherwise
//!    `temporary_channel_failure`), and the outgoing channel takes the HTLC
//!    (`amount_below_minimum` under the peer's minimum, `temporary_channel_failure` for
//!    balance or HTLC limits). A failed check fails the incoming HTLC back with that
//!    failure, encrypted with the hop's shared secret.
//! 3. The outgoing HTLC is offered with the peeled onion and signed.
//! 4. Downstream fulfils: we fulfil the incoming HTLC at once with the preimage and emit
//!    `PaymentForwarded` with our fee. Downstream fails: we wrap its failure packet with our
//!    shared secret (`wrap_failure`) and fail the incoming HTLC with it; a malformed-onion
//!    failure from downstream becomes our own failure carrying its code and onion hash.
//!
//! `channel_update` fields of our failures are empty: BOLT 4 no longer requires them, and
//! gossip (which would give us a signed update to include) is not wired to the manager yet.
//!
//! When the next channel closes with the HTLC in flight, the forward stays recorded: the
//! incoming HTLC may only be failed once the outgoing one is resolved on chain, which is the
//! monitor's work (not yet reported to the manager).

use alloc::boxed::Box;
use alloc::vec::Vec;

use secp256k1::ecdh::SharedSecret;

use crate::channel::{ApiError, ChannelError, HtlcFailReason};
use crate::onion::{wrap_failure, Failure, FailureCode, ForwardPayload, OnionPacket};
use crate::wire::{ChannelId, PaymentPreimage, ShortChannelId};

use super::events::Event;
use super::held::{NotForwarded, PendingForward};
use super::payments::UnpeeledHtlc;
use super::ChannelManager;

/// The fewest blocks between now and the outgoing HTLC's expiry we accept to forward: below
/// this we could not get the HTLC timed out on chain before it expires.
pub const MIN_OUTGOING_EXPIRY_BLOCKS: u32 = 6;

/// The most blocks in the future an incoming HTLC may expire (two weeks of blocks).
pub const MAX_INCOMING_EXPIRY_BLOCKS: u32 = 2016;

/// How close (in blocks) the outgoing HTLC of a forward may come to its expiry, still
/// unresolved, before we force close the outgoing channel to time it out on chain.
pub const OUTGOING_FORCE_CLOSE_BUFFER: u32 = 3;

/// A forwarded HTLC in flight: where it came from, to settle it when the outgoing one settles.
#[derive(Clone, Debug)]
pub(super) struct ForwardedHtlc {
    pub(super) prev_channel_id: ChannelId,
    pub(super) prev_htlc_id: u64,
    pub(super) incoming_amount_msat: u64,
    pub(super) outgoing_amount_msat: u64,
    pub(super) outgoing_cltv_expiry: u32,
    pub(super) shared_secret: SharedSecret,
}

impl ChannelManager {
    /// Forwards an incoming HTLC as its peeled onion says, holds it while its next channel is
    /// reestablishing (see `held`), or fails it back.
    pub(super) fn forward_htlc(
        &mut self,
        htlc: &UnpeeledHtlc,
        shared_secret: SharedSecret,
        payload: ForwardPayload,
        next_packet: Box<OnionPacket>,
    ) {
        let ForwardPayload::Unblinded {
            short_channel_id,
            amt_to_forward,
            outgoing_cltv_value,
            ..
        } = payload
        else {
            // We never announce blinded paths: nobody should route one through us.
            let failure = Failure::InvalidOnionBlinding {
                sha256_of_onion: [0u8; 32],
            };
            self.fail_inbound(htlc.channel_id, htlc.htlc_id, &shared_secret, failure);
            return;
        };
        let mut next_onion = Box::new([0u8; crate::onion::ONION_PACKET_LEN]);
        next_onion.copy_from_slice(&next_packet.to_bytes());
        self.dispatch_forward(PendingForward {
            prev_channel_id: htlc.channel_id,
            prev_htlc_id: htlc.htlc_id,
            incoming_amount_msat: htlc.amount_msat,
            payment_hash: htlc.payment_hash,
            incoming_cltv_expiry: htlc.cltv_expiry,
            shared_secret,
            short_channel_id,
            amt_to_forward,
            outgoing_cltv_value,
            next_onion,
            ticks: 0,
        });
    }

    /// Offers the outgoing HTLC of `request` now, or says to hold or fail it.
    pub(super) fn try_forward(&mut self, request: &PendingForward) -> Result<(), NotForwarded> {
        let out_channel = self
            .channel_by_scid(request.short_channel_id)
            .ok_or(Failure::UnknownNextPeer)?;
        self.check_forward_policy(request)?;
        let usable = self
            .channels
            .get(&out_channel)
            .is_some_and(|entry| entry.channel.is_usable());
        if !usable || !self.is_peer_connected_for(out_channel) {
            if self.is_temporarily_unusable(out_channel) {
                return Err(NotForwarded::Hold);
            }
            return Err(temporary_channel_failure().into());
        }
        let amt_to_forward = request.amt_to_forward;
        // Present: channel_by_scid found it.
        let entry = self.channels.get_mut(&out_channel).expect("channel exists");
        let out_htlc_id = entry
            .channel
            .send_htlc(
                amt_to_forward,
                request.payment_hash,
                request.outgoing_cltv_value,
                request.next_onion.clone(),
            )
            .map_err(|error| match error {
                ChannelError::Api(ApiError::BelowHtlcMinimum) => Failure::AmountBelowMinimum {
                    htlc_msat: amt_to_forward,
                    channel_update: Vec::new(),
                },
                _ => temporary_channel_failure(),
            })?;
        self.forwards.insert(
            (out_channel, out_htlc_id),
            ForwardedHtlc {
                prev_channel_id: request.prev_channel_id,
                prev_htlc_id: request.prev_htlc_id,
                incoming_amount_msat: request.incoming_amount_msat,
                outgoing_amount_msat: amt_to_forward,
                outgoing_cltv_expiry: request.outgoing_cltv_value,
                shared_secret: request.shared_secret,
            },
        );
        let result = entry.channel.maybe_send_commitment();
        self.handle_channel_result(out_channel, result);
        self.drain_channel(out_channel);
        Ok(())
    }

    /// Fee, CLTV delta and expiry checks of our forwarding policy.
    fn check_forward_policy(&self, request: &PendingForward) -> Result<(), Failure> {
        let amt_to_forward = request.amt_to_forward;
        let outgoing_cltv_value = request.outgoing_cltv_value;
        let policy = self.config.forwarding_policy;
        let fee_insufficient = Failure::FeeInsufficient {
            htlc_msat: request.incoming_amount_msat,
            channel_update: Vec::new(),
        };
        let required = policy
            .fee_msat(amt_to_forward)
            .and_then(|fee| fee.checked_add(amt_to_forward))
            .ok_or(fee_insufficient.clone())?;
        if request.incoming_amount_msat < required {
            return Err(fee_insufficient);
        }
        let least_incoming = u64::from(outgoing_cltv_value) + u64::from(policy.cltv_expiry_delta);
        if u64::from(request.incoming_cltv_expiry) < least_incoming {
            return Err(Failure::IncorrectCltvExpiry {
                cltv_expiry: outgoing_cltv_value,
                channel_update: Vec::new(),
            });
        }
        let height = self.best_block.height;
        if outgoing_cltv_value <= height.saturating_add(MIN_OUTGOING_EXPIRY_BLOCKS) {
            return Err(Failure::ExpiryTooSoon {
                channel_update: Vec::new(),
            });
        }
        if request.incoming_cltv_expiry > height.saturating_add(MAX_INCOMING_EXPIRY_BLOCKS) {
            return Err(Failure::ExpiryTooFar);
        }
        Ok(())
    }

    /// Our channel with this short channel id.
    fn channel_by_scid(&self, short_channel_id: ShortChannelId) -> Option<ChannelId> {
        self.channels
            .iter()
            .find(|(_, entry)| entry.channel.short_channel_id() == Some(short_channel_id))
            .map(|(id, _)| *id)
    }

    /// Downstream fulfilled the outgoing HTLC of a forward: fulfil the incoming one at once.
    /// Returns whether `(channel_id, htlc_id)` was a forward.
    pub(super) fn forward_fulfilled(
        &mut self,
        channel_id: ChannelId,
        htlc_id: u64,
        preimage: PaymentPreimage,
    ) -> bool {
        let Some(forward) = self.forwards.remove(&(channel_id, htlc_id)) else {
            return false;
        };
        let prev = forward.prev_channel_id;
        // Off chain, or through the monitor of a closed upstream channel.
        if !self.fulfil_inbound(prev, forward.prev_htlc_id, preimage) {
            crate::log_at!(
                self.logger,
                crate::util::logger::Level::Error,
                None,
                Some(prev),
                "the incoming HTLC {} of a settled forward could not be claimed",
                forward.prev_htlc_id
            );
            return true;
        }
        self.events.push_back(Event::PaymentForwarded {
            prev_channel_id: prev,
            next_channel_id: channel_id,
            fee_earned_msat: forward
                .incoming_amount_msat
                .saturating_sub(forward.outgoing_amount_msat),
            outbound_amount_msat: forward.outgoing_amount_msat,
        });
        true
    }

    /// Downstream failed the outgoing HTLC of a forward: fail the incoming one with the
    /// failure wrapped for the origin. Returns whether `(channel_id, htlc_id)` was a forward.
    pub(super) fn forward_failed(
        &mut self,
        channel_id: ChannelId,
        htlc_id: u64,
        reason: &HtlcFailReason,
    ) -> bool {
        let Some(forward) = self.forwards.remove(&(channel_id, htlc_id)) else {
            return false;
        };
        match reason {
            HtlcFailReason::Onion(packet) => {
                let mut packet = packet.clone();
                wrap_failure(&forward.shared_secret, &mut packet, None, 0);
                let prev = forward.prev_channel_id;
                if let Some(entry) = self.channels.get_mut(&prev) {
                    let result = entry
                        .channel
                        .fail_htlc(forward.prev_htlc_id, packet)
                        .and_then(|()| entry.channel.maybe_send_commitment());
                    self.handle_channel_result(prev, result);
                    self.drain_channel(prev);
                }
            }
            HtlcFailReason::Malformed {
                sha256_of_onion,
                failure_code,
            } => {
                let failure = malformed_failure(FailureCode(*failure_code), *sha256_of_onion);
                self.fail_inbound(
                    forward.prev_channel_id,
                    forward.prev_htlc_id,
                    &forward.shared_secret,
                    failure,
                );
            }
        }
        true
    }

    /// Force closes outgoing channels whose forwarded HTLC nears its expiry unresolved (BOLT
    /// 2: the offering node must fail the channel past the HTLC's timeout deadline), so the
    /// monitor can time it out on chain before the incoming HTLC expires.
    pub(super) fn close_channels_with_expiring_forwards(&mut self) {
        let height = self.best_block.height;
        let mut expiring: Vec<ChannelId> = self
            .forwards
            .iter()
            .filter(|(_, forward)| {
                forward.outgoing_cltv_expiry <= height.saturating_add(OUTGOING_FORCE_CLOSE_BUFFER)
            })
            .map(|((channel_id, _), _)| *channel_id)
            .collect();
        expiring.sort_unstable_by_key(|id| id.0);
        expiring.dedup();
        for channel_id in expiring {
            let Some(entry) = self.channels.get(&channel_id) else {
                continue;
            };
            let peer = entry.channel.counterparty_node_id();
            self.log_warn(peer, channel_id, "forwarded HTLC near its expiry: closing");
            self.queue_error(peer, channel_id, b"HTLC timed out");
            self.force_close_with(channel_id, super::ClosureReason::HtlcsTimedOut);
        }
    }
}

fn temporary_channel_failure() -> Failure {
    Failure::TemporaryChannelFailure {
        channel_update: Vec::new(),
    }
}

/// Our failure for an `update_fail_malformed_htlc` from downstream: the BADONION failure it
/// named, with the onion hash it reported.
fn malformed_failure(code: FailureCode, sha256_of_onion: [u8; 32]) -> Failure {
    match code {
        FailureCode::INVALID_ONION_VERSION => Failure::InvalidOnionVersion { sha256_of_onion },
        FailureCode::INVALID_ONION_HMAC => Failure::InvalidOnionHmac { sha256_of_onion },
        FailureCode::INVALID_ONION_KEY => Failure::InvalidOnionKey { sha256_of_onion },
        FailureCode::INVALID_ONION_BLINDING => Failure::InvalidOnionBlinding { sha256_of_onion },
        // An unknown BADONION code: report the hash with the code as raw data.
        other => Failure::Unknown {
            code: other,
            data: sha256_of_onion.to_vec(),
        },
    }
}
