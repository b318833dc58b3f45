//! Our own `channel_update`s and `node_announcement`s (BOLT 7).
//!
//! - Announced channels: a `channel_update` for our direction follows the
//!   `channel_announcement` on the gossip queue, and is re-issued (new timestamp) when our
//!   [`ForwardingPolicy`] changes ([`ChannelManager::set_forwarding_policy`]), when the
//!   channel is disabled (peer disconnected, shutdown) or enabled again, and by
//!   [`timer_tick_occurred`](ChannelManager::timer_tick_occurred) once the last one is
//!   [`GOSSIP_REFRESH_SECS`] old (the network prunes channels after two weeks of silence).
//! - Unannounced channels: our `channel_update` (with `dont_forward`) goes to the peer only,
//!   once the channel is ready, so the peer can give route hints through us.
//! - `node_announcement`: queued after each channel announcement and refreshed with the
//!   updates; never while we have no announced channel.

use alloc::vec::Vec;

use lightning_signer_api::traits::UnsignedGossip;
use secp256k1::ecdsa::Signature;

use crate::util::logger::Level;
use crate::wire::gossip::{ChannelUpdate, NodeAnnouncement};
use crate::wire::{ChannelId, Message};

use super::announce::AnnounceState;
use super::config::{our_init_features, ForwardingPolicy};
use super::ChannelManager;

/// How old our latest `channel_update` or `node_announcement` may get before the timer
/// re-issues it (six days: well inside the two weeks after which channels are pruned).
pub const GOSSIP_REFRESH_SECS: u32 = 6 * 86_400;

impl ChannelManager {
    /// Changes the forwarding policy of every channel, and announces it: a new
    /// `channel_update` on the gossip queue for announced channels, and to the peer for
    /// unannounced ones.
    pub fn set_forwarding_policy(&mut self, policy: ForwardingPolicy) {
        self.config.forwarding_policy = policy;
        let ids: Vec<ChannelId> = self.channels.keys().copied().collect();
        for channel_id in ids {
            let Some(entry) = self.channels.get_mut(&channel_id) else {
                continue;
            };
            if entry.announce.announced {
                self.broadcast_channel_update(channel_id);
            } else if !entry.channel.is_public() {
                entry.announce.update_sent_to_peer = false;
                self.send_update_to_peer(channel_id);
            }
        }
    }

    /// The timer's part: re-issues the updates of announced channels (and our
    /// `node_announcement`) older than [`GOSSIP_REFRESH_SECS`].
    pub(super) fn refresh_own_gossip(&mut self) {
        let now = self.now_secs();
        let stale = |timestamp: u32| now.saturating_sub(timestamp) >= GOSSIP_REFRESH_SECS;
        let ids: Vec<ChannelId> = self
            .channels
            .iter()
            .filter(|(_, e)| e.announce.announced && stale(e.announce.last_update_timestamp))
            .map(|(id, _)| *id)
            .collect();
        for channel_id in ids {
            self.broadcast_channel_update(channel_id);
        }
        if self.last_node_announcement.is_some_and(stale) {
            self.queue_node_announcement();
        }
    }

    /// Broadcasts an announced channel's update again if it became disabled or enabled.
    pub(super) fn refresh_enabled(&mut self, channel_id: ChannelId) {
        let Some(entry) = self.channels.get(&channel_id) else {
            return;
        };
        if entry.announce.broadcast_enabled != Some(entry.channel.is_usable()) {
            self.broadcast_channel_update(channel_id);
        }
    }

    /// Queues our current `channel_update` of an announced channel on the gossip queue.
    pub(super) fn broadcast_channel_update(&mut self, channel_id: ChannelId) {
        let Some(entry) = self.channels.get(&channel_id) else {
            return;
        };
        let enabled = entry.channel.is_usable();
        if let Some(update) = self.signed_channel_update(channel_id, enabled, false) {
            if let Some(entry) = self.channels.get_mut(&channel_id) {
                entry.announce.broadcast_enabled = Some(enabled);
            }
            self.gossip.push_back(Message::ChannelUpdate(update));
        }
    }

    /// Sends an unannounced, ready channel's `channel_update` to the peer, once.
    pub(super) fn send_update_to_peer(&mut self, channel_id: ChannelId) {
        let Some(entry) = self.channels.get(&channel_id) else {
            return;
        };
        let AnnounceState {
            update_sent_to_peer,
            ..
        } = entry.announce;
        if update_sent_to_peer || !entry.channel.is_usable() || entry.funding_confirmation.is_none()
        {
            return;
        }
        let Some(update) = self.signed_channel_update(channel_id, true, true) else {
            return;
        };
        if let Some(entry) = self.channels.get_mut(&channel_id) {
            entry.announce.update_sent_to_peer = true;
            entry
                .channel
                .queue_announcement_message(Message::ChannelUpdate(update));
        }
        self.drain_channel(channel_id);
    }

    /// Our `channel_update` for our direction of the channel, with a timestamp newer than
    /// the last one; `dont_forward` for an update meant for the peer only. `None` if the
    /// channel has no short channel id yet or the node signer did not sign.
    fn signed_channel_update(
        &mut self,
        channel_id: ChannelId,
        enabled: bool,
        peer_only: bool,
    ) -> Option<ChannelUpdate> {
        let now = self.now_secs();
        let policy = self.config.forwarding_policy;
        let our_id = self.our_node_id.serialize();
        let entry = self.channels.get_mut(&channel_id)?;
        let (_, _, short_channel_id) = entry.funding_confirmation?;
        let their_id = entry.channel.counterparty_node_id().serialize();
        let mut channel_flags = u8::from(our_id > their_id) * ChannelUpdate::CHANNEL_FLAG_DIRECTION;
        if !enabled {
            channel_flags |= ChannelUpdate::CHANNEL_FLAG_DISABLE;
        }
        let mut message_flags = ChannelUpdate::MESSAGE_FLAG_MUST_BE_ONE;
        if peer_only {
            message_flags |= ChannelUpdate::MESSAGE_FLAG_DONT_FORWARD;
        }
        let (htlc_minimum_msat, htlc_maximum_msat) = entry.channel.forwarding_htlc_range_msat();
        let timestamp = now.max(entry.announce.last_update_timestamp.saturating_add(1));
        let mut update = ChannelUpdate {
            signature: placeholder(),
            chain_hash: self.chain_hash,
            short_channel_id,
            timestamp,
            message_flags,
            channel_flags,
            cltv_expiry_delta: policy.cltv_expiry_delta,
            htlc_minimum_msat,
            fee_base_msat: policy.fee_base_msat,
            fee_proportional_millionths: policy.fee_proportional_millionths,
            htlc_maximum_msat,
            excess_data: Vec::new(),
        };
        let bytes = update.signed_bytes();
        update.signature = self.sign_own_gossip(UnsignedGossip::ChannelUpdate(&bytes))?;
        if let Some(entry) = self.channels.get_mut(&channel_id) {
            entry.announce.last_update_timestamp = timestamp;
        }
        Some(update)
    }

    /// Queues our `node_announcement` if we have an announced channel.
    pub(super) fn queue_node_announcement(&mut self) {
        if !self.has_announced_channel() {
            return;
        }
        let now = self.now_secs();
        let timestamp = match self.last_node_announcement {
            Some(last) => now.max(last.saturating_add(1)),
            None => now,
        };
        // BOLT 7: address descriptors in ascending type order.
        let mut addresses = self.config.node_addresses.clone();
        addresses.sort_by_key(|address| address.type_byte());
        let mut announcement = NodeAnnouncement {
            signature: placeholder(),
            features: our_init_features()
                .union(&self.config.other_handler_features)
                .to_node_features(),
            timestamp,
            node_id: self.our_node_id,
            rgb_color: self.config.node_rgb_color,
            alias: self.config.node_alias,
            addresses,
            unparsed_addresses: Vec::new(),
            excess_data: Vec::new(),
        };
        let bytes = announcement.signed_bytes();
        let Some(signature) = self.sign_own_gossip(UnsignedGossip::NodeAnnouncement(&bytes)) else {
            return;
        };
        announcement.signature = signature;
        self.last_node_announcement = Some(timestamp);
        self.gossip
            .push_back(Message::NodeAnnouncement(announcement));
    }

    /// Signs our gossip with the node key; `None` (logged) if the signer is pending or
    /// refuses.
    fn sign_own_gossip(&mut self, message: UnsignedGossip<'_>) -> Option<Signature> {
        match self.node_signer.sign_gossip(message).into_result() {
            Ok(Some(signature)) => Some(signature),
            Ok(None) => None,
            Err(_) => {
                crate::log_at!(
                    self.logger,
                    Level::Error,
                    None,
                    None,
                    "the node signer refused to sign our gossip"
                );
                None
            }
        }
    }

    /// The manager's time in whole seconds, as gossip timestamps carry it.
    fn now_secs(&self) -> u32 {
        u32::try_from(self.highest_seen_time.as_secs()).unwrap_or(u32::MAX)
    }
}

fn placeholder() -> Signature {
    super::announce::placeholder_signature()
}
