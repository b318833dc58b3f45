//! Payment commands (send, receive, claim, fail back) and the manager's side of inbound
//! HTLCs.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use lightning_signer_api::traits::SignerReply;
use secp256k1::ecdh::SharedSecret;
use secp256k1::{PublicKey, SecretKey};

use crate::onion::{Failure, ONION_PACKET_LEN};
use crate::routing::{Path, Route};
use crate::wire::{ChannelId, PaymentHash, PaymentPreimage, ShortChannelId};

use super::events::Event;
use super::events::PaymentFailureReason;
use super::inbound_secret::PaymentSecret;
use super::outbound::{PartFailure, PendingPayment};
use super::payments_in::{
    check_final_part, failure_packet, peel_inbound, HtlcRejection, InboundHtlc, ReceiveContext,
};
use super::payments_out::{
    build_part_onion, PartOnionFields, PaymentId, RecipientOnionFields, ReturnedHtlcFailure,
    SendError,
};
use super::ChannelManager;
use crate::channel::HtlcFailReason;
use crate::onion::PaymentHop;

/// An inbound HTLC for us, waiting for `claim_funds` or `fail_htlc_backwards`.
#[derive(Clone, Debug)]
pub(super) struct ClaimableHtlc {
    pub(super) channel_id: ChannelId,
    pub(super) htlc_id: u64,
    pub(super) amount_msat: u64,
    pub(super) cltv_expiry: u32,
    pub(super) shared_secret: SharedSecret,
}

/// An inbound HTLC whose onion is not peeled yet (the node signer was not ready).
pub(super) struct UnpeeledHtlc {
    pub(super) channel_id: ChannelId,
    pub(super) htlc_id: u64,
    pub(super) amount_msat: u64,
    pub(super) payment_hash: PaymentHash,
    pub(super) cltv_expiry: u32,
    pub(super) onion: Box<[u8; ONION_PACKET_LEN]>,
}

/// Why `claim_funds` did nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimError {
    /// No claimable payment has this preimage's hash.
    UnknownPayment,
}

impl fmt::Display for ClaimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClaimError::UnknownPayment => f.write_str("no claimable payment for this preimage"),
        }
    }
}

impl core::error::Error for ClaimError {}

impl ChannelManager {
    /// Sends a payment over `route`: one HTLC per path (several paths make a multi-part
    /// payment: every part carries the route's total and the same payment secret, so the
    /// recipient must support `basic_mpp`). Exactly one `PaymentSent` or `PaymentFailed`
    /// follows for `payment_id` (with a `PaymentPathFailed` per failed path); an id used
    /// before is refused. Nothing is retried: see `send_payment_with_retry` for that.
    pub fn send_payment(
        &mut self,
        route: &Route,
        payment_hash: PaymentHash,
        recipient_onion: RecipientOnionFields,
        payment_id: PaymentId,
    ) -> Result<(), SendError> {
        self.start_payment(
            payment_id,
            payment_hash,
            recipient_onion,
            None,
            route_total(route)?,
            None,
        )?;
        self.send_parts(payment_id, &route.paths, true)
    }

    /// Sends a spontaneous (keysend) payment over `route`: the preimage travels in the
    /// recipient's onion payload (record 5482373484), so no invoice is needed. `preimage`
    /// `None` draws a random one. Returns the payment hash; events as for `send_payment`.
    pub fn send_spontaneous_payment(
        &mut self,
        route: &Route,
        preimage: Option<PaymentPreimage>,
        recipient_onion: RecipientOnionFields,
        payment_id: PaymentId,
    ) -> Result<PaymentHash, SendError> {
        let preimage = preimage.unwrap_or_else(|| PaymentPreimage(self.entropy.random_bytes()));
        let payment_hash = PaymentHash(sha256::Hash::hash(&preimage.0).to_byte_array());
        self.start_payment(
            payment_id,
            payment_hash,
            recipient_onion,
            Some(preimage),
            route_total(route)?,
            None,
        )?;
        self.send_parts(payment_id, &route.paths, true)?;
        Ok(payment_hash)
    }

    /// Opens a payment in the outbound book.
    pub(super) fn start_payment(
        &mut self,
        payment_id: PaymentId,
        payment_hash: PaymentHash,
        recipient: RecipientOnionFields,
        keysend_preimage: Option<PaymentPreimage>,
        total_msat: u64,
        retry: Option<super::retry::RetryPlan>,
    ) -> Result<(), SendError> {
        if self.outbound.is_known(&payment_id) {
            return Err(SendError::DuplicatePayment);
        }
        self.outbound.start(
            payment_id,
            PendingPayment {
                payment_hash,
                recipient,
                keysend_preimage,
                total_msat,
                parts: hashbrown::HashMap::new(),
                preimage: None,
                fee_paid_msat: Some(0),
                retry_msat: 0,
                retry,
                give_up: None,
            },
        );
        Ok(())
    }

    /// Sends one part per path of an open payment. On a first attempt, a first path that
    /// cannot be sent refuses the whole payment (nothing was sent: the error is returned and
    /// no event follows); any other path that cannot be sent counts as a failed part.
    pub(super) fn send_parts(
        &mut self,
        payment_id: PaymentId,
        paths: &[Path],
        first_attempt: bool,
    ) -> Result<(), SendError> {
        for (index, path) in paths.iter().enumerate() {
            if let Err(error) = self.send_one_part(payment_id, path) {
                if first_attempt && index == 0 {
                    self.outbound.abort_unsent(&payment_id);
                    return Err(error);
                }
                let failure = PartFailure {
                    path: path.clone(),
                    reason: PaymentFailureReason::ChannelUnavailable,
                    failing_scid: path.hops.first().map(|hop| hop.short_channel_id),
                    retryable: true,
                };
                self.after_part_failure(payment_id, failure);
            }
        }
        Ok(())
    }

    /// Builds the onion of one part, offers its HTLC on our channel with the first hop and
    /// signs it.
    fn send_one_part(&mut self, payment_id: PaymentId, path: &Path) -> Result<(), SendError> {
        let payment = self
            .outbound
            .pending
            .get(&payment_id)
            .ok_or(SendError::DuplicatePayment)?;
        let payment_hash = payment.payment_hash;
        let recipient = payment.recipient.clone();
        let part = PartOnionFields {
            total_msat: payment.total_msat,
            keysend_preimage: payment.keysend_preimage,
        };
        let first = path.hops.first().ok_or(SendError::UnsupportedRoute)?;
        let channel_id = self
            .first_hop_channel(first.node_id, Some(first.short_channel_id))
            .ok_or(SendError::NoChannel)?;
        let session_key = self.fresh_session_key();
        let onion = build_part_onion(
            path,
            &payment_hash,
            &recipient,
            &part,
            self.best_block.height,
            &session_key,
        )?;
        // Present: first_hop_channel found it.
        let entry = self.channels.get_mut(&channel_id).expect("channel exists");
        let htlc_id = entry
            .channel
            .send_htlc(
                onion.first_hop_amount_msat,
                payment_hash,
                onion.first_hop_cltv_expiry,
                onion.onion.clone(),
            )
            .map_err(SendError::ChannelRefused)?;
        self.outbound
            .add_part(payment_id, path.clone(), &onion, (channel_id, htlc_id));
        let result = entry.channel.maybe_send_commitment();
        self.handle_channel_result(channel_id, result);
        self.drain_channel(channel_id);
        Ok(())
    }

    /// One of our HTLCs was fulfilled: a forward settles upstream, a payment part settles
    /// its payment.
    pub(super) fn outbound_htlc_fulfilled(
        &mut self,
        channel_id: ChannelId,
        htlc_id: u64,
        preimage: PaymentPreimage,
    ) {
        if self.forward_fulfilled(channel_id, htlc_id, preimage) {
            return;
        }
        if let Some((path, event)) = self.outbound.fulfilled(&channel_id, htlc_id, preimage) {
            self.successful_paths.push(path);
            if let Some(event) = event {
                self.events.push_back(event);
            }
        }
    }

    /// One of our HTLCs failed: a forward fails upstream, a payment part is attributed and
    /// maybe retried.
    pub(super) fn outbound_htlc_failed(
        &mut self,
        channel_id: ChannelId,
        htlc_id: u64,
        reason: HtlcFailReason,
    ) {
        if self.forward_failed(channel_id, htlc_id, &reason) {
            return;
        }
        let failure = match reason {
            HtlcFailReason::Onion(packet) => ReturnedHtlcFailure::Packet(packet),
            HtlcFailReason::Malformed { failure_code, .. } => {
                ReturnedHtlcFailure::Malformed(crate::onion::FailureCode(failure_code))
            }
        };
        self.payment_part_failed(channel_id, htlc_id, &failure);
    }

    /// A part of one of our payments failed (or its channel closed: `Local`).
    pub(super) fn payment_part_failed(
        &mut self,
        channel_id: ChannelId,
        htlc_id: u64,
        failure: &ReturnedHtlcFailure,
    ) {
        if let Some((payment_id, failure)) =
            self.outbound.part_failed(&channel_id, htlc_id, failure)
        {
            self.after_part_failure(payment_id, failure);
        }
    }

    /// Pays `amount_msat` to a peer we have a usable channel with (a one-hop route over the
    /// channel with the most outbound capacity). `final_cltv_expiry_delta` is the recipient's
    /// (from its invoice).
    pub fn send_payment_to_peer(
        &mut self,
        their_node_id: PublicKey,
        amount_msat: u64,
        final_cltv_expiry_delta: u32,
        payment_hash: PaymentHash,
        recipient_onion: RecipientOnionFields,
        payment_id: PaymentId,
    ) -> Result<(), SendError> {
        let channel_id = self
            .first_hop_channel(their_node_id, None)
            .ok_or(SendError::NoChannel)?;
        let short_channel_id = self
            .channels
            .get(&channel_id)
            .and_then(|entry| entry.channel.short_channel_id())
            .ok_or(SendError::NoChannel)?;
        let path = Path::direct(
            their_node_id,
            short_channel_id,
            amount_msat,
            final_cltv_expiry_delta,
        );
        self.send_payment(
            &Route::single(path),
            payment_hash,
            recipient_onion,
            payment_id,
        )
    }

    /// A usable channel with `node_id` (connected, open): the one with `short_channel_id`
    /// if given and present, else the one with the most outbound capacity.
    fn first_hop_channel(
        &self,
        node_id: PublicKey,
        short_channel_id: Option<ShortChannelId>,
    ) -> Option<ChannelId> {
        let peer = self.peers.get(&node_id)?;
        peer.connected.as_ref()?;
        let usable = peer.channels.iter().filter_map(|id| {
            let entry = self.channels.get(id)?;
            entry.channel.is_usable().then_some((*id, &entry.channel))
        });
        let usable: Vec<_> = usable.collect();
        if let Some(scid) = short_channel_id {
            if let Some((id, _)) = usable
                .iter()
                .find(|(_, channel)| channel.short_channel_id() == Some(scid))
            {
                return Some(*id);
            }
        }
        usable
            .iter()
            .max_by_key(|(_, channel)| channel.balances().outbound_capacity_msat)
            .map(|(id, _)| *id)
    }

    fn fresh_session_key(&mut self) -> SecretKey {
        loop {
            if let Ok(key) = SecretKey::from_slice(&self.entropy.random_bytes()) {
                return key;
            }
        }
    }

    /// A payment hash and secret for an invoice (see `inbound_secret` for the stateless
    /// scheme): nothing is stored; the preimage is derived again when the payment arrives
    /// and handed over in `PaymentClaimable`. `amount_msat` `None` accepts any amount; the
    /// invoice expires `expiry_secs` after `now`.
    pub fn create_inbound_payment(
        &mut self,
        amount_msat: Option<u64>,
        expiry_secs: u32,
        now: Duration,
    ) -> (PaymentHash, PaymentSecret) {
        self.advance_time(now);
        let nonce = self.random_16();
        self.inbound_key
            .create_payment(nonce, amount_msat, expiry_secs, now)
    }

    /// A payment secret for a hash whose preimage the caller keeps (it passes the preimage
    /// to `claim_funds` after `PaymentClaimable`).
    pub fn create_inbound_payment_for_hash(
        &mut self,
        payment_hash: PaymentHash,
        amount_msat: Option<u64>,
        expiry_secs: u32,
        now: Duration,
    ) -> PaymentSecret {
        self.advance_time(now);
        self.inbound_key
            .create_payment_for_hash(payment_hash, amount_msat, expiry_secs, now)
    }

    /// Claims a claimable payment: fulfils its HTLC(s) with `preimage` and emits
    /// `PaymentClaimed` (once). An HTLC on a channel that closed meanwhile is claimed on
    /// chain: the preimage goes to the channel's monitor in the next monitor update.
    pub fn claim_funds(&mut self, preimage: PaymentPreimage) -> Result<(), ClaimError> {
        let payment_hash = PaymentHash(sha256::Hash::hash(&preimage.0).to_byte_array());
        let htlcs = self
            .claimable
            .remove(&payment_hash)
            .ok_or(ClaimError::UnknownPayment)?;
        let mut amount_msat = 0u64;
        let mut told_monitors: Vec<ChannelId> = Vec::new();
        for htlc in htlcs {
            let claimed = if self.is_channel_open(&htlc.channel_id) {
                self.fulfil_inbound(htlc.channel_id, htlc.htlc_id, preimage)
            } else if told_monitors.contains(&htlc.channel_id) {
                true
            } else {
                told_monitors.push(htlc.channel_id);
                self.preimage_to_closed_channel(htlc.channel_id, preimage)
            };
            if claimed {
                amount_msat = amount_msat.saturating_add(htlc.amount_msat);
            }
        }
        self.prune_closed_channels();
        self.events.push_back(Event::PaymentClaimed {
            payment_hash,
            amount_msat,
        });
        Ok(())
    }

    /// Refuses a claimable payment: fails its HTLC(s) back with
    /// `incorrect_or_unknown_payment_details`. Returns whether there was one.
    pub fn fail_htlc_backwards(&mut self, payment_hash: PaymentHash) -> bool {
        let Some(htlcs) = self.claimable.remove(&payment_hash) else {
            return false;
        };
        for htlc in htlcs {
            let failure = Failure::IncorrectOrUnknownPaymentDetails {
                htlc_msat: htlc.amount_msat,
                height: self.best_block.height,
            };
            self.fail_inbound(htlc.channel_id, htlc.htlc_id, &htlc.shared_secret, failure);
        }
        true
    }

    /// Fails an inbound HTLC with `failure` for the payer, and signs the removal.
    pub(super) fn fail_inbound(
        &mut self,
        channel_id: ChannelId,
        htlc_id: u64,
        shared_secret: &SharedSecret,
        failure: Failure,
    ) {
        let Some(packet) = failure_packet(shared_secret, failure) else {
            return;
        };
        let Some(entry) = self.channels.get_mut(&channel_id) else {
            return;
        };
        let result = entry
            .channel
            .fail_htlc(htlc_id, packet)
            .and_then(|()| entry.channel.maybe_send_commitment());
        self.handle_channel_result(channel_id, result);
        self.drain_channel(channel_id);
    }

    /// An inbound HTLC is locked in: peel it, then forward it (see `forward`), hold it as a
    /// part of a payment to us (see `mpp`: event `PaymentClaimable` once complete), or fail
    /// it back.
    pub(super) fn handle_inbound_htlc(&mut self, htlc: UnpeeledHtlc) {
        let context = ReceiveContext {
            current_height: self.best_block.height,
            now: self.highest_seen_time,
            min_final_cltv_expiry_delta: self.config.min_final_cltv_expiry_delta,
        };
        let inbound = InboundHtlc {
            amount_msat: htlc.amount_msat,
            payment_hash: htlc.payment_hash,
            cltv_expiry: htlc.cltv_expiry,
            onion: &htlc.onion[..],
        };
        let node_signer = &mut self.node_signer;
        let peeled = peel_inbound(&inbound, |point| match node_signer.ecdh(point, None) {
            SignerReply::Ready(secret) => Some(secret),
            _ => None,
        });
        let outcome = match peeled {
            Ok(PaymentHop::Forward {
                shared_secret,
                payload,
                next_packet,
            }) => {
                self.forward_htlc(&htlc, shared_secret, payload, next_packet);
                return;
            }
            Ok(PaymentHop::Final {
                shared_secret,
                payload,
            }) => check_final_part(
                &inbound,
                &context,
                &self.inbound_key,
                shared_secret,
                payload,
                self.config.accept_keysend,
            ),
            Err(rejection) => Err(rejection),
        };
        match outcome {
            Ok(received) => self.receive_part(htlc.channel_id, htlc.htlc_id, received),
            Err(HtlcRejection::SignerUnavailable) => self.unpeeled.push(htlc),
            Err(HtlcRejection::Malformed(malformed)) => {
                let Some(entry) = self.channels.get_mut(&htlc.channel_id) else {
                    return;
                };
                let result = entry
                    .channel
                    .fail_malformed_htlc(
                        htlc.htlc_id,
                        malformed.sha256_of_onion,
                        malformed.failure_code.0,
                    )
                    .and_then(|()| entry.channel.maybe_send_commitment());
                self.handle_channel_result(htlc.channel_id, result);
            }
            Err(HtlcRejection::Fail {
                shared_secret,
                failure,
                ..
            }) => self.fail_inbound(htlc.channel_id, htlc.htlc_id, &shared_secret, failure),
        }
    }

    /// Peels again the HTLCs that waited for the node signer.
    pub(super) fn retry_unpeeled(&mut self) {
        let waiting = core::mem::take(&mut self.unpeeled);
        for htlc in waiting {
            let channel_id = htlc.channel_id;
            self.handle_inbound_htlc(htlc);
            self.drain_channel(channel_id);
        }
    }
}

/// The amount a route delivers (the sum of its paths' final values), checking that it has
/// paths, that none is empty and that all end at the same node.
fn route_total(route: &Route) -> Result<u64, SendError> {
    let first = route.paths.first().ok_or(SendError::UnsupportedRoute)?;
    let recipient = first
        .hops
        .last()
        .ok_or(SendError::UnsupportedRoute)?
        .node_id;
    let mut total = 0u64;
    for path in &route.paths {
        let last = path.hops.last().ok_or(SendError::UnsupportedRoute)?;
        if last.node_id != recipient {
            return Err(SendError::UnsupportedRoute);
        }
        total = total
            .checked_add(last.fee_msat)
            .ok_or(SendError::InvalidPath(crate::routing::RouteError::Overflow))?;
    }
    Ok(total)
}
