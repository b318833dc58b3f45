//! The manager's side of reconnections: funded channels pause when their peer disconnects
//! and send `channel_reestablish` when it connects again.

use secp256k1::PublicKey;

use crate::channel::ChannelPhase;
use crate::wire::ChannelId;

use super::ChannelManager;

impl ChannelManager {
    /// A funded channel's peer disconnected: the channel forgets the peer's uncommitted
    /// updates and holds its messages until the reestablish.
    pub(super) fn disconnect_channel(&mut self, channel_id: ChannelId) {
        if let Some(entry) = self.channels.get_mut(&channel_id) {
            entry.channel.peer_disconnected();
            self.drain_channel(channel_id);
        }
    }

    /// The peer connected: every funded, open channel with it queues `channel_reestablish`.
    pub(super) fn reestablish_channels_with(&mut self, their_node_id: PublicKey) {
        for channel_id in self.channel_ids_with(&their_node_id) {
            let Some(entry) = self.channels.get_mut(&channel_id) else {
                continue;
            };
            let funded = entry.channel.funding_outpoint().is_some();
            if !funded || entry.channel.phase() == ChannelPhase::Closed {
                continue;
            }
            let result = entry.channel.peer_connected();
            self.handle_channel_result(channel_id, result);
            self.drain_channel(channel_id);
        }
    }
}
