//! Receiving multi-part payments: the parts of a payment (same hash, same payment secret, same
//! `total_msat`) are held until they sum to `total_msat`, then the whole set becomes claimable
//! (one `PaymentClaimable` for the sum). A set that stays incomplete for
//! [`ManagerConfig::mpp_timeout_ticks`](super::ManagerConfig::mpp_timeout_ticks) calls of
//! [`timer_tick_occurred`](ChannelManager::timer_tick_occurred) is failed back part by part
//! with `mpp_timeout`. Held parts (incomplete or waiting for a claim) that come within
//! [`CLAIM_EXPIRY_BUFFER`] blocks of their expiry are failed back at the block that says so.
//!
//! A single-part payment is a set of one part, complete at once.

use alloc::vec::Vec;

use secp256k1::ecdh::SharedSecret;

use crate::onion::Failure;
use crate::wire::{ChannelId, PaymentHash, PaymentPreimage};

use super::events::Event;
use super::inbound_secret::PaymentSecret;
use super::payments::ClaimableHtlc;
use super::payments_in::ReceivedPayment;
use super::ChannelManager;

/// The fewest blocks before its expiry that we still hold an HTLC to us without claiming it:
/// closer than this it is failed back, since a claim might not confirm in time.
pub const CLAIM_EXPIRY_BUFFER: u32 = 6;

/// The parts of a payment to us received so far.
pub(super) struct PartialSet {
    pub(super) total_msat: u64,
    pub(super) received_msat: u64,
    pub(super) payment_secret: PaymentSecret,
    pub(super) payment_preimage: Option<PaymentPreimage>,
    pub(super) payment_metadata: Option<Vec<u8>>,
    pub(super) custom_tlvs: Vec<(u64, Vec<u8>)>,
    pub(super) parts: Vec<ClaimableHtlc>,
    pub(super) ticks: u32,
}

impl ChannelManager {
    /// A part of a payment to us passed the final-hop checks: add it to its set, and make the
    /// set claimable once complete.
    pub(super) fn receive_part(
        &mut self,
        channel_id: ChannelId,
        htlc_id: u64,
        received: ReceivedPayment,
    ) {
        let hash = received.payment_hash;
        let part = ClaimableHtlc {
            channel_id,
            htlc_id,
            amount_msat: received.amount_msat,
            cltv_expiry: received.cltv_expiry,
            shared_secret: received.shared_secret,
        };
        if self.claimable.contains_key(&hash) {
            // The payment is complete already: a late or duplicate part is refused.
            self.fail_part(&part);
            return;
        }
        let set = self.receiving.entry(hash).or_insert_with(|| PartialSet {
            total_msat: received.total_msat,
            received_msat: 0,
            payment_secret: received.payment_secret,
            payment_preimage: received.payment_preimage,
            payment_metadata: received.payment_metadata.clone(),
            custom_tlvs: received.custom_tlvs.clone(),
            parts: Vec::new(),
            ticks: 0,
        });
        if set.total_msat != received.total_msat || set.payment_secret != received.payment_secret {
            self.fail_part(&part);
            return;
        }
        set.received_msat = set.received_msat.saturating_add(part.amount_msat);
        set.parts.push(part);
        if set.received_msat < set.total_msat {
            return;
        }
        // Present: inserted or found just above.
        let set = self.receiving.remove(&hash).expect("set exists");
        let claim_deadline = set
            .parts
            .iter()
            .map(|part| part.cltv_expiry)
            .min()
            .unwrap_or(received.cltv_expiry);
        self.claimable.insert(hash, set.parts);
        self.events.push_back(Event::PaymentClaimable {
            payment_hash: hash,
            amount_msat: set.received_msat,
            payment_preimage: set.payment_preimage,
            payment_secret: set.payment_secret,
            payment_metadata: set.payment_metadata,
            custom_tlvs: set.custom_tlvs,
            via_channel_id: channel_id,
            claim_deadline,
        });
    }

    /// Fails one held part back with `incorrect_or_unknown_payment_details`.
    fn fail_part(&mut self, part: &ClaimableHtlc) {
        let failure = Failure::IncorrectOrUnknownPaymentDetails {
            htlc_msat: part.amount_msat,
            height: self.best_block.height,
        };
        let secret: SharedSecret = part.shared_secret;
        self.fail_inbound(part.channel_id, part.htlc_id, &secret, failure);
    }

    /// Call about once a minute: ages incomplete multi-part payments (failing back those that
    /// waited `mpp_timeout_ticks` ticks with `mpp_timeout`) and held forwards (failing back
    /// those that waited `held_forward_timeout_ticks` ticks), and re-issues our gossip older
    /// than [`GOSSIP_REFRESH_SECS`](super::GOSSIP_REFRESH_SECS).
    pub fn timer_tick_occurred(&mut self) {
        self.age_held_forwards();
        self.refresh_own_gossip();
        let limit = self.config.mpp_timeout_ticks;
        let mut expired = Vec::new();
        for (hash, set) in self.receiving.iter_mut() {
            set.ticks = set.ticks.saturating_add(1);
            if set.ticks >= limit {
                expired.push(*hash);
            }
        }
        for hash in expired {
            if let Some(set) = self.receiving.remove(&hash) {
                for part in &set.parts {
                    let secret = part.shared_secret;
                    self.fail_inbound(part.channel_id, part.htlc_id, &secret, Failure::MppTimeout);
                }
                self.events.push_back(Event::PaymentReceiveFailed {
                    payment_hash: hash,
                    received_msat: set.received_msat,
                });
            }
        }
    }

    /// At a new block: fails back held payments to us (incomplete or unclaimed) with a part
    /// within [`CLAIM_EXPIRY_BUFFER`] blocks of expiry, and closes channels whose forwarded
    /// HTLC is about to expire unresolved.
    pub(super) fn fail_expiring_htlcs(&mut self) {
        let limit = self.best_block.height.saturating_add(CLAIM_EXPIRY_BUFFER);
        let expiring = |parts: &[ClaimableHtlc]| parts.iter().any(|p| p.cltv_expiry <= limit);
        let incomplete: Vec<PaymentHash> = self
            .receiving
            .iter()
            .filter(|(_, set)| expiring(&set.parts))
            .map(|(hash, _)| *hash)
            .collect();
        for hash in incomplete {
            if let Some(set) = self.receiving.remove(&hash) {
                self.fail_held(hash, set.parts);
            }
        }
        let unclaimed: Vec<PaymentHash> = self
            .claimable
            .iter()
            .filter(|(_, parts)| expiring(parts))
            .map(|(hash, _)| *hash)
            .collect();
        for hash in unclaimed {
            if let Some(parts) = self.claimable.remove(&hash) {
                self.fail_held(hash, parts);
            }
        }
        self.close_channels_with_expiring_forwards();
        self.fail_expiring_held_forwards();
    }

    fn fail_held(&mut self, payment_hash: PaymentHash, parts: Vec<ClaimableHtlc>) {
        let received_msat = parts
            .iter()
            .fold(0u64, |sum, part| sum.saturating_add(part.amount_msat));
        for part in &parts {
            self.fail_part(part);
        }
        self.events.push_back(Event::PaymentReceiveFailed {
            payment_hash,
            received_msat,
        });
    }
}
