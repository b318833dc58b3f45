//! Announcing our public channels (BOLT 7 `announcement_signatures` and
//! `channel_announcement`).
//!
//! A channel whose `open_channel` set `announce_channel` becomes announceable once both
//! `channel_ready` are exchanged (and no `shutdown`), its funding has
//! [`ANNOUNCEMENT_DEPTH`] confirmations and the peer is connected and reestablished. Then:
//! 1. we send `announcement_signatures` (our node and funding keys' signatures of the
//!    unsigned `channel_announcement`), once per connection while the announcement is not
//!    complete, and in reply to the peer's whenever we have not sent ours on this connection
//!    (BOLT 2/7 retransmission);
//! 2. with the peer's signatures checked, we build the full `channel_announcement` and queue
//!    it on our gossip queue (`poll_gossip`), followed by our `channel_update` and our
//!    `node_announcement` (see `gossip_out`).
//!
//! The peer's signatures that arrive before we are ready are kept and checked when we are
//! (BOLT 7: defer). Bad signatures or a wrong `short_channel_id` get a `warning` and are
//! dropped; the channel stays open.

use alloc::vec::Vec;

use bitcoin::hashes::Hash;
use lightning_signer_api::traits::UnsignedGossip;
use secp256k1::ecdsa::Signature;
use secp256k1::{Message as SecpMessage, PublicKey, Secp256k1};

use crate::util::logger::Level;
use crate::wire::features::ChannelFeatures;
use crate::wire::gossip::{AnnouncementSignatures, ChannelAnnouncement};
use crate::wire::{ChannelId, Message, ShortChannelId, WarningMessage};

use super::{ChannelEntry, ChannelManager};

/// The confirmations a funding transaction needs before its channel is announced (BOLT 7:
/// enough that it will not be reorganized; the spec's receivers expect 6).
pub const ANNOUNCEMENT_DEPTH: u32 = 6;

/// The peer's `announcement_signatures` for a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PeerSignatures {
    pub(super) short_channel_id: ShortChannelId,
    pub(super) node_signature: Signature,
    pub(super) bitcoin_signature: Signature,
}

/// Where one channel's announcement and updates stand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct AnnounceState {
    /// The peer's signatures, once received (checked when we build the announcement).
    pub(super) their_signatures: Option<PeerSignatures>,
    /// Whether the full `channel_announcement` went to the gossip queue.
    pub(super) announced: bool,
    /// Whether we sent our `announcement_signatures` on the current connection.
    pub(super) sent_on_connection: bool,
    /// Whether our `channel_update` went to the peer directly (unannounced channels).
    pub(super) update_sent_to_peer: bool,
    /// The timestamp of our latest `channel_update` for the channel (0: none yet).
    pub(super) last_update_timestamp: u32,
    /// Whether our latest broadcast `channel_update` said enabled (`None`: none broadcast).
    pub(super) broadcast_enabled: Option<bool>,
    /// The peer's latest valid `channel_update` for its direction (see `peer_updates`).
    pub(super) peer_update: Option<crate::wire::gossip::ChannelUpdate>,
}

impl ChannelManager {
    /// Moves a channel's announcement forward as far as it can go now: sends our
    /// signatures, completes the announcement, re-issues the `channel_update` when the
    /// channel got disabled or enabled, or sends an unannounced channel's update to the
    /// peer. Call after anything that may change the channel's state, depth or connection.
    pub(super) fn advance_announcement(&mut self, channel_id: ChannelId) {
        let Some(entry) = self.channels.get(&channel_id) else {
            return;
        };
        if !entry.channel.is_public() {
            self.send_update_to_peer(channel_id);
            return;
        }
        if entry.announce.announced {
            self.refresh_enabled(channel_id);
        }
        if !self.is_announceable(channel_id) {
            return;
        }
        let Some(entry) = self.channels.get(&channel_id) else {
            return;
        };
        if !entry.announce.announced && !entry.announce.sent_on_connection {
            self.send_our_signatures(channel_id);
        }
        self.complete_announcement(channel_id);
    }

    /// Whether the channel may send `announcement_signatures` now: public, both
    /// `channel_ready` exchanged and no `shutdown`, reestablished with a connected peer, and
    /// its funding [`ANNOUNCEMENT_DEPTH`] deep.
    fn is_announceable(&self, channel_id: ChannelId) -> bool {
        let Some(entry) = self.channels.get(&channel_id) else {
            return false;
        };
        let deep_enough = entry.funding_confirmation.is_some_and(|(height, _, _)| {
            self.best_block
                .height
                .saturating_sub(height)
                .saturating_add(1)
                >= ANNOUNCEMENT_DEPTH
        });
        entry.channel.is_public()
            && entry.channel.is_announceable_state()
            && entry.channel.is_usable()
            && deep_enough
    }

    /// The peer's `announcement_signatures`.
    pub(super) fn handle_announcement_signatures(
        &mut self,
        their_node_id: PublicKey,
        msg: AnnouncementSignatures,
    ) {
        let Ok(entry) = self.entry_mut(msg.channel_id, their_node_id) else {
            self.warn_peer(
                their_node_id,
                msg.channel_id,
                "announcement_signatures for an unknown channel",
            );
            return;
        };
        if !entry.channel.is_public() {
            // BOLT 7: only for channels opened with `announce_channel`.
            self.warn_peer(
                their_node_id,
                msg.channel_id,
                "announcement_signatures for a private channel",
            );
            return;
        }
        if entry.announce.announced {
            // Already complete: the peer lost ours (BOLT 7: respond with our own).
            if !entry.announce.sent_on_connection && self.is_announceable(msg.channel_id) {
                self.send_our_signatures(msg.channel_id);
            }
            return;
        }
        entry.announce.their_signatures = Some(PeerSignatures {
            short_channel_id: msg.short_channel_id,
            node_signature: msg.node_signature,
            bitcoin_signature: msg.bitcoin_signature,
        });
        if self.is_announceable(msg.channel_id) {
            if let Some(entry) = self.channels.get(&msg.channel_id) {
                if !entry.announce.sent_on_connection {
                    self.send_our_signatures(msg.channel_id);
                }
            }
            self.complete_announcement(msg.channel_id);
        }
    }

    /// Signs the unsigned announcement with our node and funding keys. `None` when a signer
    /// is pending (retried at `signer_ready`) or refused (logged).
    fn our_signatures(
        &mut self,
        channel_id: ChannelId,
        unsigned: &ChannelAnnouncement,
    ) -> Option<(Signature, Signature)> {
        let bytes = unsigned.signed_bytes();
        let node = self
            .node_signer
            .sign_gossip(UnsignedGossip::ChannelAnnouncement(&bytes))
            .into_result();
        let entry = self.channels.get_mut(&channel_id)?;
        let bitcoin = entry.channel.sign_channel_announcement(&bytes);
        match (node, bitcoin) {
            (Ok(Some(node)), Ok(Some(bitcoin))) => Some((node, bitcoin)),
            (Ok(_), Ok(_)) => None,
            _ => {
                crate::log_at!(
                    self.logger,
                    Level::Error,
                    None,
                    Some(channel_id),
                    "a signer refused to sign our channel announcement"
                );
                None
            }
        }
    }

    /// Queues our `announcement_signatures` behind the channel's other messages.
    fn send_our_signatures(&mut self, channel_id: ChannelId) {
        let Some(unsigned) = self.unsigned_announcement(channel_id) else {
            return;
        };
        let Some((node_signature, bitcoin_signature)) = self.our_signatures(channel_id, &unsigned)
        else {
            return;
        };
        let Some(entry) = self.channels.get_mut(&channel_id) else {
            return;
        };
        entry
            .channel
            .queue_announcement_message(Message::AnnouncementSignatures(AnnouncementSignatures {
                channel_id,
                short_channel_id: unsigned.short_channel_id,
                node_signature,
                bitcoin_signature,
            }));
        entry.announce.sent_on_connection = true;
        self.drain_channel(channel_id);
    }

    /// With the peer's signatures in: checks them, builds the `channel_announcement` and
    /// queues it with our `channel_update` and `node_announcement`.
    fn complete_announcement(&mut self, channel_id: ChannelId) {
        let Some(entry) = self.channels.get(&channel_id) else {
            return;
        };
        let Some(theirs) = entry.announce.their_signatures else {
            return;
        };
        if entry.announce.announced {
            return;
        }
        let their_node_id = entry.channel.counterparty_node_id();
        let Some(mut announcement) = self.unsigned_announcement(channel_id) else {
            return;
        };
        if theirs.short_channel_id != announcement.short_channel_id {
            self.reject_signatures(
                their_node_id,
                channel_id,
                "short_channel_id does not match our funding output",
            );
            return;
        }
        let Some(their_funding) = entry.channel.counterparty_funding_pubkey() else {
            return;
        };
        let hash = announcement.message_hash();
        if !signature_valid(hash, &theirs.node_signature, &their_node_id)
            || !signature_valid(hash, &theirs.bitcoin_signature, &their_funding)
        {
            self.reject_signatures(their_node_id, channel_id, "bad announcement_signatures");
            return;
        }
        let Some((ours_node, ours_bitcoin)) = self.our_signatures(channel_id, &announcement) else {
            return;
        };
        if announcement.node_id_1 == self.our_node_id {
            announcement.node_signature_1 = ours_node;
            announcement.bitcoin_signature_1 = ours_bitcoin;
            announcement.node_signature_2 = theirs.node_signature;
            announcement.bitcoin_signature_2 = theirs.bitcoin_signature;
        } else {
            announcement.node_signature_1 = theirs.node_signature;
            announcement.bitcoin_signature_1 = theirs.bitcoin_signature;
            announcement.node_signature_2 = ours_node;
            announcement.bitcoin_signature_2 = ours_bitcoin;
        }
        if let Some(entry) = self.channels.get_mut(&channel_id) {
            entry.announce.announced = true;
        }
        self.gossip
            .push_back(Message::ChannelAnnouncement(announcement));
        self.broadcast_channel_update(channel_id);
        self.queue_node_announcement();
    }

    /// Drops the peer's signatures and warns it (BOLT 7 lets us warn and keep the channel).
    fn reject_signatures(
        &mut self,
        their_node_id: PublicKey,
        channel_id: ChannelId,
        why: &'static str,
    ) {
        if let Some(entry) = self.channels.get_mut(&channel_id) {
            entry.announce.their_signatures = None;
        }
        self.warn_peer(their_node_id, channel_id, why);
    }

    /// Sends the peer a `warning` about `channel_id`.
    fn warn_peer(&mut self, their_node_id: PublicKey, channel_id: ChannelId, why: &'static str) {
        crate::log_at!(
            self.logger,
            Level::Warn,
            Some(their_node_id),
            Some(channel_id),
            "{}",
            why
        );
        self.messages.push_back((
            their_node_id,
            Message::Warning(WarningMessage {
                channel_id,
                data: why.as_bytes().to_vec(),
            }),
        ));
    }

    /// The `channel_announcement` of a funded, confirmed channel with placeholder
    /// signatures: node ids and funding keys ordered as BOLT 7 says (`node_id_1` the lesser).
    fn unsigned_announcement(&self, channel_id: ChannelId) -> Option<ChannelAnnouncement> {
        let entry: &ChannelEntry = self.channels.get(&channel_id)?;
        let (_, _, short_channel_id) = entry.funding_confirmation?;
        let their_node_id = entry.channel.counterparty_node_id();
        let ours = (self.our_node_id, entry.channel.holder_funding_pubkey());
        let theirs = (their_node_id, entry.channel.counterparty_funding_pubkey()?);
        let (one, two) = if ours.0.serialize() < theirs.0.serialize() {
            (ours, theirs)
        } else {
            (theirs, ours)
        };
        let placeholder = placeholder_signature();
        Some(ChannelAnnouncement {
            node_signature_1: placeholder,
            node_signature_2: placeholder,
            bitcoin_signature_1: placeholder,
            bitcoin_signature_2: placeholder,
            features: ChannelFeatures::empty(),
            chain_hash: self.chain_hash,
            short_channel_id,
            node_id_1: one.0,
            node_id_2: two.0,
            bitcoin_key_1: one.1,
            bitcoin_key_2: two.1,
            excess_data: Vec::new(),
        })
    }

    /// A peer disconnected: its channels will send their signatures again on the next
    /// connection, and announced ones broadcast that they are disabled.
    pub(super) fn announcements_peer_disconnected(&mut self, their_node_id: PublicKey) {
        for channel_id in self.channel_ids_with(&their_node_id) {
            if let Some(entry) = self.channels.get_mut(&channel_id) {
                entry.announce.sent_on_connection = false;
                // An unannounced channel's update goes to the peer again on each connection.
                entry.announce.update_sent_to_peer = false;
            }
            self.advance_announcement(channel_id);
        }
    }

    /// Every channel moves its announcement forward (after `signer_ready`).
    pub(super) fn advance_all_announcements(&mut self) {
        let ids: Vec<ChannelId> = self.channels.keys().copied().collect();
        for channel_id in ids {
            self.advance_announcement(channel_id);
        }
    }
}

/// Whether `signature` by `key` is valid over the double-SHA256 `hash`.
fn signature_valid(hash: [u8; 32], signature: &Signature, key: &PublicKey) -> bool {
    let secp = Secp256k1::verification_only();
    secp.verify_ecdsa(&SecpMessage::from_digest(hash), signature, key)
        .is_ok()
}

/// A well-formed signature to fill fields before the real ones are known (never sent).
pub(super) fn placeholder_signature() -> Signature {
    let bytes = bitcoin::hashes::sha256::Hash::hash(b"placeholder").to_byte_array();
    let mut compact = [0u8; 64];
    compact[1..32].copy_from_slice(&bytes[1..]);
    compact[33..].copy_from_slice(&bytes[1..]);
    // Invariant: r and s start with a zero byte, so both are below the curve order and the
    // compact encoding is valid.
    Signature::from_compact(&compact).expect("r and s below the curve order")
}
