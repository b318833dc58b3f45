//! Gossip in the simulated network: each [`TestNode`] carries a [`GossipHandler`] over its
//! own [`NetworkGraph`], paired with the channel manager as the peer manager's handler
//! (`peer::HandlerPair` with `peer::is_gossip_message`).
//!
//! Gossip crosses like any other message: what the gossip handler wants to send (its
//! essential `poll_message` and, for each connected peer, its bulk `poll_bulk_message`) is
//! collected into the network's per-direction queues, so [`hold`](Network::hold),
//! [`deliver_next`](Network::deliver_next) and [`take_next_message`](Network::take_next_message)
//! control it too. The channel manager's own gossip ([`ChannelManager::poll_gossip`]) is
//! handed to the node's handler's `broadcast_own_gossip` at each collection, and the
//! handler's clock follows [`Network::advance_time`].
//!
//! [`ChannelManager::poll_gossip`]: crate::manager::ChannelManager::poll_gossip

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use secp256k1::PublicKey;

use crate::peer::{is_gossip_message, HandlerPair, PeerManager, PeerMessageHandler, PeerRejected};
use crate::routing::graph::GossipError;
use crate::routing::{GossipHandler, NetworkGraph};
use crate::util::logger::Level;
use crate::wire::features::InitFeatures;
use crate::wire::{Init, Message};

use super::links::Gate;
use super::node::TestNode;
use super::Network;

/// The gossip handler as the second half of a node's handler pair: it takes what its peers
/// send, but sends nothing itself (the network collects its output into the queues, and the
/// [`Gate`] releases it). `None` when the node's gossip is switched off
/// ([`NodeConfig::gossip`](super::NodeConfig::gossip)): then it offers no feature and drops
/// everything.
pub(super) struct GossipGate<'a> {
    gossip: Option<&'a mut GossipHandler>,
}

impl PeerMessageHandler for GossipGate<'_> {
    fn provided_init_features(&self) -> InitFeatures {
        match &self.gossip {
            Some(gossip) => gossip.provided_init_features(),
            None => InitFeatures::empty(),
        }
    }

    fn peer_connected(
        &mut self,
        their_node_id: PublicKey,
        init: &Init,
        inbound: bool,
    ) -> Result<(), PeerRejected> {
        match &mut self.gossip {
            Some(gossip) => gossip.peer_connected(their_node_id, init, inbound),
            None => Ok(()),
        }
    }

    fn peer_disconnected(&mut self, their_node_id: PublicKey) {
        if let Some(gossip) = &mut self.gossip {
            gossip.peer_disconnected(their_node_id);
        }
    }

    fn handle_message(&mut self, their_node_id: PublicKey, message: Message) {
        if let Some(gossip) = &mut self.gossip {
            gossip.handle_message(their_node_id, message);
        }
    }

    fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        None
    }
}

impl TestNode {
    /// The node's gossip handler (its graph, counters, sync state), to read.
    pub fn gossip(&self) -> &GossipHandler {
        &self.gossip
    }

    /// The node's gossip handler, for commands (e.g. `broadcast_own_gossip` of a hand-made
    /// announcement). What it wants sent is collected at the network's next step.
    pub fn gossip_mut(&mut self) -> &mut GossipHandler {
        &mut self.gossip
    }

    /// The node's view of the public network, built from the gossip it received.
    pub fn graph(&self) -> &NetworkGraph {
        self.gossip.graph()
    }

    /// Whether the node's gossip handler takes part in its connections.
    pub fn gossip_enabled(&self) -> bool {
        self.gossip_enabled
    }

    /// Runs `call` with the node's peer manager and its handler: the channel manager behind a
    /// [`Gate`] that releases `release` (the messages the network delivers now), paired with
    /// the gossip handler.
    pub(super) fn with_handler<R>(
        &mut self,
        release: VecDeque<(PublicKey, Message)>,
        call: impl FnOnce(&mut PeerManager, &mut dyn PeerMessageHandler) -> R,
    ) -> R {
        let mut gate = Gate {
            manager: &mut self.manager,
            release,
        };
        let mut gossip = GossipGate {
            gossip: self.gossip_enabled.then_some(&mut self.gossip),
        };
        let mut pair = HandlerPair::new(&mut gate, &mut gossip, is_gossip_message);
        call(&mut self.peer_manager, &mut pair)
    }

    /// Runs `call` with the node's peer manager and its handler, releasing nothing.
    pub(super) fn with_closed_handler<R>(
        &mut self,
        call: impl FnOnce(&mut PeerManager, &mut dyn PeerMessageHandler) -> R,
    ) -> R {
        self.with_handler(VecDeque::new(), call)
    }

    /// Hands the channel manager's own gossip to the gossip handler. Returns whether any
    /// came out.
    fn broadcast_manager_gossip(&mut self) -> bool {
        let mut moved = false;
        while let Some(message) = self
            .manager
            .pop(crate::manager::ChannelManager::poll_gossip)
        {
            moved = true;
            if let Err(error) = self.gossip.broadcast_own_gossip(message) {
                log_refused(self, error);
            }
        }
        moved
    }
}

fn log_refused(node: &TestNode, error: GossipError) {
    crate::log_at!(
        node.logger,
        Level::Warn,
        None,
        None,
        "our own gossip was refused by our graph: {}",
        error
    );
}

impl Network {
    /// Collects node `index`'s gossip: the channel manager's own gossip into the handler,
    /// then what the handler wants sent, into the per-direction queues. Returns whether
    /// anything moved.
    pub(super) fn collect_gossip(&mut self, index: usize) -> bool {
        let mut moved = self.nodes[index].broadcast_manager_gossip();
        if !self.nodes[index].gossip_enabled {
            return moved;
        }
        let mut outgoing: Vec<(usize, Message)> = Vec::new();
        while let Some((peer, message)) = self.nodes[index].gossip.poll_message() {
            if let Some(to) = self.index_of(&peer) {
                outgoing.push((to, message));
            }
        }
        let peers: Vec<usize> = self
            .connections
            .iter()
            .filter_map(|c| match (c.a == index, c.b == index) {
                (true, _) => Some(c.b),
                (_, true) => Some(c.a),
                _ => None,
            })
            .collect();
        for to in peers {
            let peer_id = self.nodes[to].node_id;
            while let Some(message) = self.nodes[index].gossip.poll_bulk_message(peer_id) {
                outgoing.push((to, message));
            }
        }
        for (to, message) in outgoing {
            moved = true;
            if let Some(connection) = self.connection_index(index, to) {
                self.connections[connection]
                    .queue_from(index)
                    .push_back(message);
            }
            // Not connected: the message is lost, as with a dead socket.
        }
        moved
    }

    /// Runs the gossip start-up of the new `a`-`b` connection at once: delivers the queued
    /// gossip messages (filters, sync queries and their replies, relayed gossip) both ways
    /// until none is left, on directions not [`held`](Network::hold). Other messages stay
    /// queued in their order, and nothing else is collected.
    pub(super) fn flush_gossip(&mut self, a: usize, b: usize) {
        for _ in 0..super::MAX_QUIET_ROUNDS {
            let mut moved = false;
            for (from, to) in [(a, b), (b, a)] {
                self.collect_gossip(from);
                let Some(index) = self.connection_index(from, to) else {
                    return;
                };
                if self.held_links.contains(&(from, to)) {
                    continue;
                }
                let queue = self.connections[index].queue_from(from);
                let (gossip, rest): (VecDeque<Message>, VecDeque<Message>) =
                    queue.drain(..).partition(is_gossip_message);
                *queue = rest;
                if !gossip.is_empty() {
                    moved = true;
                    self.transmit(from, to, gossip.into_iter().collect());
                }
            }
            if !moved {
                return;
            }
        }
    }
}
