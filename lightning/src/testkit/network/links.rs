//! Connections between simulated nodes: in-memory sockets through each node's real
//! [`PeerManager`](crate::peer::PeerManager) and BOLT 8 transport, with per-direction message
//! queues the test controls.
//!
//! The channel manager's outgoing messages do not go straight to its peer manager: the
//! network takes them (through [`Gate`]) into a queue per direction, and hands them to the
//! sender's peer manager only when they are delivered. Delivering one message therefore means
//! exactly one Lightning message encrypted by the sender's transport, written to the
//! receiver's socket, decrypted and dispatched there.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use secp256k1::PublicKey;

use crate::manager::ChannelManager;
use crate::peer::{ConnectionId, DisconnectReason, PeerMessageHandler, PeerRejected};
use crate::wire::features::InitFeatures;
use crate::wire::{Init, Message};

use super::node::TestNode;
use super::Network;

/// How many rounds of byte shuttling a handshake may take before the network gives up.
const MAX_HANDSHAKE_ROUNDS: usize = 16;

/// The channel manager as the peer manager's handler, except that outgoing messages come only
/// from `release` (what the network chose to deliver now).
pub(super) struct Gate<'a> {
    pub(super) manager: &'a mut ChannelManager,
    pub(super) release: VecDeque<(PublicKey, Message)>,
}

impl PeerMessageHandler for Gate<'_> {
    fn provided_init_features(&self) -> InitFeatures {
        PeerMessageHandler::provided_init_features(&*self.manager)
    }

    fn peer_connected(
        &mut self,
        their_node_id: PublicKey,
        init: &Init,
        inbound: bool,
    ) -> Result<(), PeerRejected> {
        PeerMessageHandler::peer_connected(self.manager, their_node_id, init, inbound)
    }

    fn peer_disconnected(&mut self, their_node_id: PublicKey) {
        PeerMessageHandler::peer_disconnected(self.manager, their_node_id);
    }

    fn handle_message(&mut self, their_node_id: PublicKey, message: Message) {
        PeerMessageHandler::handle_message(self.manager, their_node_id, message);
    }

    fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        self.release.pop_front()
    }
}

/// One live connection between nodes `a` (who dialled) and `b`.
pub(super) struct Connection {
    pub(super) a: usize,
    pub(super) b: usize,
    pub(super) conn_a: ConnectionId,
    pub(super) conn_b: ConnectionId,
    /// Messages from `a` to `b` not yet delivered.
    pub(super) a_to_b: VecDeque<Message>,
    /// Messages from `b` to `a` not yet delivered.
    pub(super) b_to_a: VecDeque<Message>,
}

impl Connection {
    fn joins(&self, x: usize, y: usize) -> bool {
        (self.a == x && self.b == y) || (self.a == y && self.b == x)
    }

    /// The queue of messages from `from` (one of the two ends).
    pub(super) fn queue_from(&mut self, from: usize) -> &mut VecDeque<Message> {
        if from == self.a {
            &mut self.a_to_b
        } else {
            &mut self.b_to_a
        }
    }

    fn queue_from_ref(&self, from: usize) -> &VecDeque<Message> {
        if from == self.a {
            &self.a_to_b
        } else {
            &self.b_to_a
        }
    }

    /// The connection id on node `node`'s side.
    fn conn_of(&self, node: usize) -> ConnectionId {
        if node == self.a {
            self.conn_a
        } else {
            self.conn_b
        }
    }
}

/// A connection that ended, as the network saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disconnection {
    /// The node whose peer manager (or whose test call) ended it.
    pub by: usize,
    /// The other end.
    pub peer: usize,
    /// Why, when the peer manager gave a reason.
    pub reason: Option<DisconnectReason>,
    /// The messages still queued in either direction, dropped with the connection.
    pub dropped_messages: usize,
}

/// Mutable access to two different nodes.
pub(super) fn pair_mut(
    nodes: &mut [TestNode],
    x: usize,
    y: usize,
) -> (&mut TestNode, &mut TestNode) {
    assert_ne!(x, y, "a node cannot talk to itself");
    if x < y {
        let (low, high) = nodes.split_at_mut(y);
        (&mut low[x], &mut high[0])
    } else {
        let (low, high) = nodes.split_at_mut(x);
        (&mut high[0], &mut low[y])
    }
}

impl Network {
    /// Connects node `a` (dialling) to node `b` through their peer managers: the BOLT 8
    /// handshake, the `init` exchange and the gossip start-up (timestamp filters, graph sync
    /// by queries) run at once. Nothing else moves: the channel manager's messages (e.g.
    /// `channel_reestablish`) are collected at the next step.
    ///
    /// # Panics
    /// If the nodes are already connected, or the handshake does not complete (a bug).
    pub fn connect(&mut self, a: usize, b: usize) {
        assert!(
            self.connection_index(a, b).is_none(),
            "nodes {a} and {b} are already connected"
        );
        let conn_a = self.fresh_connection_id();
        let conn_b = self.fresh_connection_id();
        let now = self.now;
        let (node_a, node_b) = pair_mut(&mut self.nodes, a, b);
        let ephemeral_a =
            lightning_signer_api::traits::EntropySource::random_bytes(&mut node_a.entropy);
        let ephemeral_b =
            lightning_signer_api::traits::EntropySource::random_bytes(&mut node_b.entropy);
        let act_one = node_a
            .peer_manager
            .new_outbound_connection(conn_a, node_b.node_id, ephemeral_a, now)
            .unwrap_or_else(|err| panic!("node {a} cannot dial node {b}: {err}"));
        node_b
            .peer_manager
            .new_inbound_connection(conn_b, ephemeral_b, now)
            .unwrap_or_else(|err| panic!("node {b} cannot accept node {a}: {err}"));
        // A failure shows up as a disconnect, checked below.
        let _ = node_b.with_closed_handler(|pm, h| pm.read(conn_b, &act_one, h, now));
        self.connections.push(Connection {
            a,
            b,
            conn_a,
            conn_b,
            a_to_b: VecDeque::new(),
            b_to_a: VecDeque::new(),
        });
        for _ in 0..MAX_HANDSHAKE_ROUNDS {
            if !self.shuttle_bytes(a, b) {
                break;
            }
        }
        self.handle_disconnects();
        let (id_a, id_b) = (self.nodes[a].node_id, self.nodes[b].node_id);
        assert!(
            self.nodes[a].peer_manager.is_connected(&id_b)
                && self.nodes[b].peer_manager.is_connected(&id_a),
            "nodes {a} and {b} did not complete the handshake and init exchange"
        );
        self.flush_gossip(a, b);
    }

    /// Closes the connection between `a` and `b` as if `a`'s side asked to (the peer manager
    /// closes it; both handlers are told). Undelivered messages are lost. Does nothing if they
    /// are not connected. Collects what the nodes did about it (e.g. `ChannelClosed` for
    /// channels not yet funded).
    pub fn disconnect(&mut self, a: usize, b: usize) {
        let Some(index) = self.connection_index(a, b) else {
            return;
        };
        let conn = self.connections[index].conn_of(a);
        self.nodes[a].with_closed_handler(|pm, h| pm.disconnect(conn, h));
        self.handle_disconnects();
        self.collect_all();
    }

    /// Drops the connection between `a` and `b` abruptly (both sockets die; no last bytes).
    /// Undelivered messages are lost. Does nothing if they are not connected. Collects.
    pub fn drop_connection(&mut self, a: usize, b: usize) {
        if let Some(index) = self.connection_index(a, b) {
            self.end_connection(index, a, None);
        }
        self.collect_all();
    }

    /// Drops the connection between `a` and `b` if there is one, then connects `a` to `b`.
    pub fn reconnect(&mut self, a: usize, b: usize) {
        self.drop_connection(a, b);
        self.connect(a, b);
    }

    /// Whether `a` and `b` are connected.
    pub fn is_connected(&self, a: usize, b: usize) -> bool {
        self.connection_index(a, b).is_some()
    }

    /// The connections that ended so far, oldest first.
    pub fn disconnections(&self) -> &[Disconnection] {
        &self.disconnections
    }

    /// Stops delivering `from`'s messages to `to` in [`run_until_quiet`](Self::run_until_quiet)
    /// (they keep queueing) until [`release`](Self::release). Explicit deliveries
    /// ([`deliver_next`](Self::deliver_next)) still work.
    pub fn hold(&mut self, from: usize, to: usize) {
        self.held_links.insert((from, to));
    }

    /// Lets `run_until_quiet` deliver `from`'s messages to `to` again.
    pub fn release(&mut self, from: usize, to: usize) {
        self.held_links.remove(&(from, to));
    }

    /// Whether `from`'s messages to `to` are held.
    pub fn is_held(&self, from: usize, to: usize) -> bool {
        self.held_links.contains(&(from, to))
    }

    /// The messages from `from` to `to` waiting for delivery, next first (empty when not
    /// connected).
    pub fn queued_messages(&self, from: usize, to: usize) -> Vec<&Message> {
        match self.connection_index(from, to) {
            Some(index) => self.connections[index]
                .queue_from_ref(from)
                .iter()
                .collect(),
            None => Vec::new(),
        }
    }

    /// The next message `from` would deliver to `to`.
    pub fn next_message(&self, from: usize, to: usize) -> Option<&Message> {
        let index = self.connection_index(from, to)?;
        self.connections[index].queue_from_ref(from).front()
    }

    /// The type of the next message `from` would deliver to `to` (e.g. 132 for
    /// `commitment_signed`).
    pub fn next_message_type(&self, from: usize, to: usize) -> Option<u16> {
        self.next_message(from, to).map(Message::msg_type)
    }

    /// Removes the next message from `from` to `to` without delivering it (to drop it, or to
    /// inspect and [`inject`](Self::inject_message) a changed copy).
    pub fn take_next_message(&mut self, from: usize, to: usize) -> Option<Message> {
        let index = self.connection_index(from, to)?;
        self.connections[index].queue_from(from).pop_front()
    }

    /// Collects every node's output, then delivers exactly one queued message from `from` to
    /// `to` through their transports (held or not) and collects what it caused. Returns the
    /// message delivered, or `None` if none was queued. Nothing else is delivered.
    pub fn deliver_next(&mut self, from: usize, to: usize) -> Option<Message> {
        self.collect_all();
        let index = self.connection_index(from, to)?;
        let message = self.connections[index].queue_from(from).pop_front()?;
        self.transmit(from, to, alloc::vec![message.clone()]);
        self.collect_all();
        Some(message)
    }

    /// Delivers every message queued from `from` to `to` now (held or not), in one write,
    /// and collects what it caused; returns how many. Replies are queued, not delivered.
    pub fn deliver_all(&mut self, from: usize, to: usize) -> usize {
        self.collect_all();
        let Some(index) = self.connection_index(from, to) else {
            return 0;
        };
        let messages: Vec<Message> = self.connections[index].queue_from(from).drain(..).collect();
        let count = messages.len();
        if count > 0 {
            self.transmit(from, to, messages);
        }
        self.collect_all();
        count
    }

    /// Sends a hand-made `message` from `from` to `to` through `from`'s transport now, ahead
    /// of anything queued (as a misbehaving or custom peer would), and collects what it
    /// caused. The channel manager of `from` never sees it.
    ///
    /// # Panics
    /// If the nodes are not connected.
    pub fn inject_message(&mut self, from: usize, to: usize, message: Message) {
        assert!(
            self.is_connected(from, to),
            "cannot inject: nodes {from} and {to} are not connected"
        );
        self.collect_all();
        self.transmit(from, to, alloc::vec![message]);
        self.collect_all();
    }

    /// Hands `messages` to `from`'s peer manager for `to`, and moves the resulting bytes (and
    /// any reply the peer managers make themselves) over the connection.
    pub(super) fn transmit(&mut self, from: usize, to: usize, messages: Vec<Message>) {
        let to_id = self.nodes[to].node_id;
        let release = messages.into_iter().map(|m| (to_id, m)).collect();
        self.nodes[from].with_handler(release, |pm, h| pm.process(h));
        while self.shuttle_bytes(from, to) {}
        self.handle_disconnects();
    }

    /// Moves the bytes each side of the `x`-`y` connection has for the other; returns whether
    /// any moved.
    pub(super) fn shuttle_bytes(&mut self, x: usize, y: usize) -> bool {
        let Some(index) = self.connection_index(x, y) else {
            return false;
        };
        let (conn_x, conn_y) = {
            let connection = &self.connections[index];
            (connection.conn_of(x), connection.conn_of(y))
        };
        let now = self.now;
        let mut moved = false;
        for (sender, conn_s, receiver, conn_r) in [(x, conn_x, y, conn_y), (y, conn_y, x, conn_x)] {
            let (sender, receiver) = pair_mut(&mut self.nodes, sender, receiver);
            if let Some(bytes) = sender.peer_manager.poll_transmit(conn_s) {
                moved = true;
                // An error closes the connection; handle_disconnects picks it up.
                let _ = receiver.with_closed_handler(|pm, h| pm.read(conn_r, &bytes, h, now));
            }
        }
        moved
    }

    /// Ends the connections the peer managers asked to close: their last bytes go out, then
    /// both sockets die.
    pub(super) fn handle_disconnects(&mut self) {
        for node_index in 0..self.nodes.len() {
            while let Some(conn) = self.nodes[node_index].peer_manager.poll_disconnect() {
                let found = self.connections.iter().position(|c| {
                    c.conn_of(node_index) == conn && (c.a == node_index || c.b == node_index)
                });
                let reason = self.nodes[node_index].peer_manager.disconnect_reason(conn);
                match found {
                    Some(index) => {
                        let connection = &self.connections[index];
                        let other = if connection.a == node_index {
                            connection.b
                        } else {
                            connection.a
                        };
                        // The last bytes (e.g. a warning saying why) reach the peer.
                        self.shuttle_bytes(node_index, other);
                        self.end_connection(index, node_index, reason);
                    }
                    None => {
                        self.nodes[node_index]
                            .with_closed_handler(|pm, h| pm.socket_disconnected(conn, h));
                    }
                }
            }
        }
    }

    /// Kills both sockets of connection `index`, recording who ended it and why.
    pub(super) fn end_connection(
        &mut self,
        index: usize,
        by: usize,
        reason: Option<DisconnectReason>,
    ) {
        let connection = self.connections.remove(index);
        for (node_index, conn) in [
            (connection.a, connection.conn_a),
            (connection.b, connection.conn_b),
        ] {
            self.nodes[node_index].with_closed_handler(|pm, h| pm.socket_disconnected(conn, h));
        }
        let peer = if by == connection.a {
            connection.b
        } else {
            connection.a
        };
        self.disconnections.push(Disconnection {
            by,
            peer,
            reason,
            dropped_messages: connection.a_to_b.len() + connection.b_to_a.len(),
        });
    }

    /// The index of the connection joining `x` and `y`.
    pub(super) fn connection_index(&self, x: usize, y: usize) -> Option<usize> {
        self.connections.iter().position(|c| c.joins(x, y))
    }

    fn fresh_connection_id(&mut self) -> ConnectionId {
        self.next_connection_id += 1;
        ConnectionId(self.next_connection_id)
    }
}
