//! The peer side: connections coming and going, and each message from a peer dispatched to
//! the channel it names.

use alloc::vec::Vec;
use core::fmt;

use secp256k1::PublicKey;

use crate::channel::{Channel, ChannelError, ChannelPhase};
use crate::wire::{ChannelId, ErrorMessage, Init, Message};

use crate::peer::{PeerMessageHandler, PeerRejected};
use crate::wire::features::InitFeatures;

use super::config::our_init_features;
use super::events::{sanitize, ClosureReason};
use super::ChannelManager;

/// Why a peer's message was not applied. The `PeerManager` may log it; the peer was already
/// answered (`warning` or `error`) when the protocol asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageError {
    /// The message names a channel we do not have with this peer.
    UnknownChannel(ChannelId),
    /// The channel refused the message (a warning was sent, or the channel was closed).
    Channel(ChannelError),
    /// The peer is not connected (`peer_connected` was not called).
    PeerNotConnected,
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageError::UnknownChannel(id) => write!(f, "unknown channel {id}"),
            MessageError::Channel(err) => write!(f, "{err}"),
            MessageError::PeerNotConnected => f.write_str("peer is not connected"),
        }
    }
}

impl core::error::Error for MessageError {}

impl ChannelManager {
    /// A peer connected and sent `init` (after ours): channels can be opened with it.
    pub fn peer_connected(&mut self, their_node_id: PublicKey, init: &Init) {
        self.peers.entry(their_node_id).or_default().connected = Some(init.combined_features());
        self.reestablish_channels_with(their_node_id);
    }

    /// A peer disconnected. Channels not yet funded, and `open_channel` requests waiting for
    /// acceptance, are forgotten. Funded channels stay: they forget the peer's uncommitted
    /// updates and resume with `channel_reestablish` when the peer connects again.
    pub fn peer_disconnected(&mut self, their_node_id: PublicKey) {
        let Some(peer) = self.peers.get_mut(&their_node_id) else {
            return;
        };
        peer.connected = None;
        let ids: Vec<ChannelId> = peer.channels.iter().copied().collect();
        for channel_id in ids {
            let unfunded = self
                .channels
                .get(&channel_id)
                .is_some_and(|entry| entry.channel.funding_outpoint().is_none());
            if unfunded {
                self.forget_channel(channel_id, ClosureReason::DisconnectedBeforeFunding);
            } else {
                self.disconnect_channel(channel_id);
            }
        }
        self.pending_opens
            .retain(|_, pending| pending.counterparty_node_id != their_node_id);
        self.messages.retain(|(peer, _)| *peer != their_node_id);
        self.announcements_peer_disconnected(their_node_id);
    }

    /// A message from a connected peer. Channel messages go to the channel they name; `error`
    /// closes the named channel (or all of them); connection-level messages (`init`, `ping`,
    /// gossip) are not the manager's and are ignored.
    pub fn handle_message(
        &mut self,
        their_node_id: PublicKey,
        message: Message,
    ) -> Result<(), MessageError> {
        if self
            .peers
            .get(&their_node_id)
            .is_none_or(|peer| peer.connected.is_none())
        {
            return Err(MessageError::PeerNotConnected);
        }
        match message {
            Message::OpenChannel(msg) => {
                self.handle_open_channel(their_node_id, msg);
                return Ok(());
            }
            Message::Error(msg) => {
                self.handle_error(their_node_id, &msg);
                return Ok(());
            }
            Message::AnnouncementSignatures(msg) => {
                self.handle_announcement_signatures(their_node_id, msg);
                return Ok(());
            }
            Message::ChannelUpdate(msg) => {
                self.handle_peer_channel_update(their_node_id, msg);
                return Ok(());
            }
            Message::Warning(msg) => {
                let text = sanitize(&msg.data);
                crate::log_at!(
                    self.logger,
                    crate::util::logger::Level::Warn,
                    Some(their_node_id),
                    Some(msg.channel_id),
                    "peer warning: {}",
                    text
                );
                return Ok(());
            }
            _ => {}
        }
        let Some(channel_id) = channel_of(&message) else {
            return Ok(());
        };
        let Ok(entry) = self.entry_mut(channel_id, their_node_id) else {
            return Err(MessageError::UnknownChannel(channel_id));
        };
        let result = apply_to(&mut entry.channel, &message);
        let error = self.handle_channel_result(channel_id, result);
        self.drain_channel(channel_id);
        // A reestablished channel may take the forwards that waited for it.
        self.release_held_forwards();
        self.advance_announcement(channel_id);
        match error {
            Some(error) => Err(MessageError::Channel(error)),
            None => Ok(()),
        }
    }

    /// The peer's `error`: force close the named channel, or every channel with the peer.
    fn handle_error(&mut self, their_node_id: PublicKey, msg: &ErrorMessage) {
        let peer_message = sanitize(&msg.data);
        let ids: Vec<ChannelId> = if msg.channel_id.is_all_channels() {
            self.channel_ids_with(&their_node_id)
        } else {
            alloc::vec![msg.channel_id]
        };
        for channel_id in ids {
            if self.entry_mut(channel_id, their_node_id).is_err() {
                continue;
            }
            let reason = ClosureReason::CounterpartyForceClosed {
                peer_message: peer_message.clone(),
            };
            self.force_close_with(channel_id, reason);
        }
        if msg.channel_id.is_all_channels() {
            self.pending_opens
                .retain(|_, pending| pending.counterparty_node_id != their_node_id);
        } else {
            self.pending_opens.remove(&msg.channel_id);
        }
    }
}

/// The channel a channel message names, `None` for messages that are not the manager's.
fn channel_of(message: &Message) -> Option<ChannelId> {
    Some(match message {
        Message::AcceptChannel(msg) => msg.temporary_channel_id,
        Message::FundingCreated(msg) => msg.temporary_channel_id,
        Message::FundingSigned(msg) => msg.channel_id,
        Message::ChannelReady(msg) => msg.channel_id,
        Message::UpdateAddHtlc(msg) => msg.channel_id,
        Message::UpdateFulfillHtlc(msg) => msg.channel_id,
        Message::UpdateFailHtlc(msg) => msg.channel_id,
        Message::UpdateFailMalformedHtlc(msg) => msg.channel_id,
        Message::UpdateFee(msg) => msg.channel_id,
        Message::CommitmentSigned(msg) => msg.channel_id,
        Message::RevokeAndAck(msg) => msg.channel_id,
        Message::Shutdown(msg) => msg.channel_id,
        Message::ClosingSigned(msg) => msg.channel_id,
        Message::ChannelReestablish(msg) => msg.channel_id,
        _ => return None,
    })
}

/// Hands a channel message to the channel method that takes it.
fn apply_to(channel: &mut Channel, message: &Message) -> Result<(), ChannelError> {
    if channel.phase() == ChannelPhase::Closed {
        return Ok(());
    }
    match message {
        Message::AcceptChannel(msg) => channel.handle_accept_channel(msg),
        Message::FundingCreated(msg) => channel.handle_funding_created(msg),
        Message::FundingSigned(msg) => channel.handle_funding_signed(msg),
        Message::ChannelReady(msg) => channel.handle_channel_ready(msg),
        Message::UpdateAddHtlc(msg) => channel.handle_update_add_htlc(msg),
        Message::UpdateFulfillHtlc(msg) => channel.handle_update_fulfill_htlc(msg),
        Message::UpdateFailHtlc(msg) => channel.handle_update_fail_htlc(msg),
        Message::UpdateFailMalformedHtlc(msg) => channel.handle_update_fail_malformed_htlc(msg),
        Message::UpdateFee(msg) => channel.handle_update_fee(msg),
        Message::CommitmentSigned(msg) => channel.handle_commitment_signed(msg),
        Message::RevokeAndAck(msg) => channel.handle_revoke_and_ack(msg),
        Message::Shutdown(msg) => channel.handle_shutdown(msg),
        Message::ClosingSigned(msg) => channel.handle_closing_signed(msg),
        Message::ChannelReestablish(msg) => channel.handle_channel_reestablish(msg),
        _ => Ok(()),
    }
}

/// The `PeerManager`'s view of the manager: features for `init`, connections, messages in and
/// out. Refusals of a message are answered to the peer by the manager itself (`warning` or
/// `error`), so they are only logged here.
impl PeerMessageHandler for ChannelManager {
    fn provided_init_features(&self) -> InitFeatures {
        our_init_features()
    }

    fn peer_connected(
        &mut self,
        their_node_id: PublicKey,
        init: &Init,
        _inbound: bool,
    ) -> Result<(), PeerRejected> {
        ChannelManager::peer_connected(self, their_node_id, init);
        Ok(())
    }

    fn peer_disconnected(&mut self, their_node_id: PublicKey) {
        ChannelManager::peer_disconnected(self, their_node_id);
    }

    fn handle_message(&mut self, their_node_id: PublicKey, message: Message) {
        if let Err(error) = ChannelManager::handle_message(self, their_node_id, message) {
            crate::log_at!(
                self.logger,
                crate::util::logger::Level::Debug,
                Some(their_node_id),
                None,
                "message not applied: {}",
                error
            );
        }
    }

    fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        ChannelManager::poll_message(self)
    }
}
