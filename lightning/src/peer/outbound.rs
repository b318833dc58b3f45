//! [`PeerManager::process`]: the handler's messages out, and held-back input resumed.

use alloc::vec::Vec;

use secp256k1::PublicKey;

use super::handler::PeerMessageHandler;
use super::manager::{ConnectionId, PeerManager};
use crate::log_at;
use crate::util::logger::Level;
use crate::wire::Message;

impl PeerManager {
    /// Moves messages from the handler to the peers, and resumes input held back by
    /// congestion. Call after [`PeerManager::read`] and [`PeerManager::tick`], after writing
    /// out bytes that may have relieved congestion, and whenever the handler has new messages.
    ///
    /// 1. Connections no longer congested get their held-back input decrypted and handled.
    /// 2. [`PeerMessageHandler::poll_message`] is drained; each message is encrypted into its
    ///    peer's buffer (dropped with a log line if the peer is not connected, or if the
    ///    message is an `init` or too large for a frame).
    /// 3. Each connected peer below the high-water mark is given bulk messages from
    ///    [`PeerMessageHandler::poll_bulk_message`] until the handler has none or the peer's
    ///    buffer reaches the mark.
    ///
    /// Then drain [`PeerManager::poll_disconnect`] and write what
    /// [`PeerManager::poll_transmit`] hands out.
    pub fn process(&mut self, handler: &mut dyn PeerMessageHandler) {
        self.resume_input(handler);
        while let Some((their_node_id, message)) = handler.poll_message() {
            self.send_to_peer(their_node_id, &message);
        }
        self.feed_bulk(handler);
    }

    /// Decrypts input held back on connections that are no longer congested.
    fn resume_input(&mut self, handler: &mut dyn PeerMessageHandler) {
        let resumable: Vec<ConnectionId> = self
            .connections
            .iter()
            .filter(|(_, c)| c.input_pending && !c.is_congested() && !c.is_closing())
            .map(|(conn, _)| *conn)
            .collect();
        let now = self.last_now;
        for conn in resumable {
            // A failure closes the connection; it is reported through `poll_disconnect`.
            let _ = self.drain_input(conn, handler, now);
        }
    }

    /// Encrypts one handler message into its peer's buffer, if the peer is connected;
    /// returns whether it was queued.
    fn send_to_peer(&mut self, their_node_id: PublicKey, message: &Message) -> bool {
        if let Message::Init(_) = message {
            log_at!(
                self.logger,
                Level::Warn,
                Some(their_node_id),
                None,
                "dropping init from the handler: the peer manager sends init"
            );
            return false;
        }
        let connection = self
            .peers
            .get(&their_node_id)
            .and_then(|conn| self.connections.get_mut(conn));
        let Some(connection) = connection else {
            log_at!(
                self.logger,
                Level::Debug,
                Some(their_node_id),
                None,
                "dropping message type {}: peer not connected",
                message.msg_type()
            );
            return false;
        };
        if let Err(error) = connection.send(message, self.last_now, self.config.outbound_high_water)
        {
            log_at!(
                self.logger,
                Level::Warn,
                Some(their_node_id),
                None,
                "dropping message type {}: {error}",
                message.msg_type()
            );
            return false;
        }
        true
    }

    /// Gives each uncongested connected peer bulk messages until it is congested or the
    /// handler has no more for it.
    fn feed_bulk(&mut self, handler: &mut dyn PeerMessageHandler) {
        let peers: Vec<(PublicKey, ConnectionId)> =
            self.peers.iter().map(|(id, conn)| (*id, *conn)).collect();
        for (their_node_id, conn) in peers {
            loop {
                let wants_more = self
                    .connections
                    .get(&conn)
                    .is_some_and(|c| c.is_connected() && !c.is_congested());
                if !wants_more {
                    break;
                }
                let Some(message) = handler.poll_bulk_message(their_node_id) else {
                    break;
                };
                if !self.send_to_peer(their_node_id, &message) {
                    break;
                }
            }
        }
    }
}
