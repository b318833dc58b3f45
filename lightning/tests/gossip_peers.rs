//! Gossip sync through two real `PeerManager`s (BOLT 8 transport, wire encoding, backpressure),
//! with the `GossipHandler` paired beside another handler as a node would run it.

mod routing_support;

use std::sync::Arc;
use std::time::Duration;

use lightning::peer::{
    is_gossip_message, ConnectionId, HandlerPair, IgnoringMessageHandler, PeerManager,
    PeerManagerConfig,
};
use lightning::routing::gossip::GossipHandler;
use lightning::routing::{GossipConfig, NetworkGraph};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::util::logger::NoopLogger;
use lightning::wire::ShortChannelId;
use routing_support::*;

struct Node {
    peers: PeerManager,
    channels: IgnoringMessageHandler,
    gossip: GossipHandler,
}

impl Node {
    fn new(seed: u8, graph: NetworkGraph, now: Duration) -> Node {
        let keys = KeysManager::new(&[seed; 32]).unwrap();
        Node {
            peers: PeerManager::new(
                Box::new(keys),
                regtest(),
                PeerManagerConfig::default(),
                Arc::new(NoopLogger),
            ),
            channels: IgnoringMessageHandler,
            gossip: GossipHandler::new(graph, GossipConfig::default(), now),
        }
    }

    fn read(&mut self, conn: ConnectionId, bytes: &[u8], now: Duration) {
        let mut pair = HandlerPair::new(&mut self.channels, &mut self.gossip, is_gossip_message);
        self.peers.read(conn, bytes, &mut pair, now).unwrap();
    }

    fn process(&mut self) {
        let mut pair = HandlerPair::new(&mut self.channels, &mut self.gossip, is_gossip_message);
        self.peers.process(&mut pair);
    }
}

/// Moves bytes both ways until neither side has anything to send; returns the bytes moved.
fn pump(
    a: &mut Node,
    a_conn: ConnectionId,
    b: &mut Node,
    b_conn: ConnectionId,
    now: Duration,
) -> usize {
    let mut moved = 0;
    loop {
        a.process();
        b.process();
        let mut progress = false;
        while let Some(bytes) = a.peers.poll_transmit(a_conn) {
            moved += bytes.len();
            b.read(b_conn, &bytes, now);
            progress = true;
        }
        while let Some(bytes) = b.peers.poll_transmit(b_conn) {
            moved += bytes.len();
            a.read(a_conn, &bytes, now);
            progress = true;
        }
        if !progress {
            return moved;
        }
    }
}

#[test]
fn a_node_syncs_the_graph_from_a_peer_over_bolt8() {
    let now = T0 + Duration::from_secs(60);
    let mut source = GraphBuilder::new();
    for i in 0..1_200u32 {
        let scid = ShortChannelId::new(700_000 + i / 3, i % 3, 1).unwrap().0;
        let policy = Policy::fee(i % 500, i % 200);
        source.both(i % 150, 150 + i % 170, scid, 3_000_000, policy);
    }
    let mut old = Node::new(1, source.graph.clone(), now);
    let mut new = Node::new(2, NetworkGraph::new(regtest()), now);
    new.gossip.set_utxo_lookup(Box::new(source.utxos.clone()));
    let (a, b) = (ConnectionId(1), ConnectionId(1));
    let act_one = new
        .peers
        .new_outbound_connection(a, old.peers.our_node_id(), [0x11; 32], now)
        .unwrap();
    old.peers
        .new_inbound_connection(b, [0x22; 32], now)
        .unwrap();
    old.read(b, &act_one, now);
    let moved = pump(&mut new, a, &mut old, b, now);
    assert!(new.peers.is_connected(&old.peers.our_node_id()));
    assert!(!new.gossip.is_syncing());
    let graph = new.gossip.graph();
    assert_eq!(graph.channel_count(), 1_200);
    for id in source.graph.channel_ids() {
        assert_eq!(graph.channel(id), source.graph.channel(id));
    }
    assert_eq!(new.gossip.stats().dropped, 0);
    // Roughly the gossip itself: announcements (~430 B) and two updates (~136 B) per channel.
    assert!(moved > 1_200 * 600, "{moved}");
    // Both stay connected and quiet.
    assert_eq!(pump(&mut new, a, &mut old, b, now), 0);
    assert!(old.peers.is_connected(&new.peers.our_node_id()));
}
