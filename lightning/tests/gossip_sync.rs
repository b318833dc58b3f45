//! Two `GossipHandler`s driven directly: a new node syncs a graph of thousands of channels
//! from a peer through the gossip queries, replies flow only as bulk messages are pulled, and
//! a partial graph catches up on newer updates only.

mod routing_support;

use std::time::Duration;

use lightning::bitcoin::secp256k1::{PublicKey, Secp256k1};
use lightning::peer::PeerMessageHandler;
use lightning::routing::gossip::GossipHandler;
use lightning::routing::{GossipConfig, NetworkGraph};
use lightning::wire::features::{Feature, InitFeatures};
use lightning::wire::{Init, Message, ShortChannelId};
use routing_support::*;

fn init(queries: bool) -> Init {
    let mut features = InitFeatures::empty();
    if queries {
        features.set_optional(Feature::GossipQueries);
    }
    Init {
        global_features: InitFeatures::empty(),
        features,
        networks: None,
        remote_addr: None,
        unknown_tlvs: Vec::new(),
    }
}

/// A graph of `channels` channels over `nodes` nodes, both directions updated, some node
/// announcements; channel ids spread over many blocks.
fn big_graph(channels: u32, nodes: u32) -> GraphBuilder {
    let mut b = GraphBuilder::new();
    for i in 0..channels {
        let x = i % nodes;
        let y = (i * 7 + 1 + i / nodes) % nodes;
        let y = if y == x { (y + 1) % nodes } else { y };
        let scid = ShortChannelId::new(500_000 + i / 4, i % 4, 0).unwrap().0;
        let policy = Policy::fee(i % 1000, i % 300);
        b.channel(x, y, scid, 2_000_000, Some(policy), Some(policy));
    }
    let secp = Secp256k1::new();
    for n in (0..nodes).step_by(3) {
        b.graph
            .handle_node_announcement(&secp, &node_announcement(&keys(n), 1_000, "n"))
            .unwrap();
    }
    b
}

/// Moves messages between two handlers until both are quiet; returns how many moved.
fn pump(a: (&mut GossipHandler, PublicKey), b: (&mut GossipHandler, PublicKey)) -> usize {
    let (a, a_id) = a;
    let (b, b_id) = b;
    let mut moved = 0;
    loop {
        let mut progress = false;
        while let Some((to, message)) = a.poll_message() {
            assert_eq!(to, b_id);
            b.handle_message(a_id, message);
            moved += 1;
            progress = true;
        }
        while let Some((to, message)) = b.poll_message() {
            assert_eq!(to, a_id);
            a.handle_message(b_id, message);
            moved += 1;
            progress = true;
        }
        if let Some(message) = a.poll_bulk_message(b_id) {
            b.handle_message(a_id, message);
            moved += 1;
            progress = true;
        }
        if let Some(message) = b.poll_bulk_message(a_id) {
            a.handle_message(b_id, message);
            moved += 1;
            progress = true;
        }
        if !progress {
            return moved;
        }
    }
}

fn connect(a: &mut GossipHandler, a_id: PublicKey, b: &mut GossipHandler, b_id: PublicKey) {
    a.peer_connected(b_id, &init(true), false).unwrap();
    b.peer_connected(a_id, &init(true), true).unwrap();
}

fn assert_same_graph(a: &NetworkGraph, b: &NetworkGraph) {
    assert_eq!(a.channel_count(), b.channel_count());
    assert_eq!(a.node_count(), b.node_count());
    for id in a.channel_ids() {
        assert_eq!(a.channel(id), b.channel(id), "channel {id}");
        assert_eq!(a.channel_announcement(id), b.channel_announcement(id));
    }
}

#[test]
fn a_new_node_syncs_thousands_of_channels_through_queries() {
    let now = T0 + Duration::from_secs(60);
    let source = big_graph(2_500, 400);
    let source_graph = source.graph.clone();
    let mut old = GossipHandler::new(source_graph.clone(), GossipConfig::default(), now);
    let mut new = GossipHandler::new(NetworkGraph::new(regtest()), GossipConfig::default(), now);
    // The new node checks funding outputs (and so learns capacities) on its chain.
    new.set_utxo_lookup(Box::new(source.utxos.clone()));
    let (old_id, new_id) = (keys(10_000).id, keys(10_001).id);
    connect(&mut new, new_id, &mut old, old_id);
    assert!(new.is_syncing());
    let moved = pump((&mut new, new_id), (&mut old, old_id));
    assert!(!new.is_syncing());
    assert_same_graph(&source_graph, new.graph());
    for n in (0..400).step_by(3) {
        assert!(new.graph().node_announcement(&keys(n).id).is_some());
    }
    let stats = new.stats();
    assert_eq!(stats.dropped, 0, "solicited replies are never rate-limited");
    // Every announcement and update once, every node announcement once (134 of 400 nodes)...
    assert_eq!(stats.accepted, 2_500 * 3 + 134);
    // ...while a node announcement may come again in a later batch (dedup is per query, as
    // BOLT 7 asks) and is then ignored as not newer.
    assert!(stats.rejected <= 5 * 134, "{stats:?}");
    assert!(moved > 2_500 * 3);
    // Nothing is left to say.
    assert_eq!(pump((&mut new, new_id), (&mut old, old_id)), 0);
}

#[test]
fn a_partial_graph_fetches_only_what_is_missing_or_newer() {
    let now = T0 + Duration::from_secs(60);
    let mut b = GraphBuilder::new();
    for i in 0..50u32 {
        b.both(i, i + 1, 1_000 + u64::from(i), 2_000_000, Policy::fee(1, 1));
    }
    let stale = b.graph.clone();
    // The source learns newer updates for 5 channels and 10 more channels.
    let secp = Secp256k1::new();
    for i in 0..5u32 {
        let upd = update(
            &keys(i),
            &keys(i + 1),
            1_000 + u64::from(i),
            T0.as_secs() as u32 + 30,
            Policy::fee(9, 9),
        );
        b.graph
            .handle_channel_update(&secp, &upd, now.as_secs())
            .unwrap();
    }
    for i in 50..60u32 {
        b.both(i, i + 1, 1_000 + u64::from(i), 2_000_000, Policy::fee(1, 1));
    }
    let mut source = GossipHandler::new(b.graph.clone(), GossipConfig::default(), now);
    let mut sink = GossipHandler::new(stale, GossipConfig::default(), now);
    sink.set_utxo_lookup(Box::new(b.utxos.clone()));
    let (source_id, sink_id) = (keys(9_000).id, keys(9_001).id);
    connect(&mut sink, sink_id, &mut source, source_id);
    pump((&mut sink, sink_id), (&mut source, source_id));
    assert_same_graph(&b.graph, sink.graph());
    // 10 announcements + 20 of their updates + 5 newer updates, and nothing else.
    assert_eq!(sink.stats().accepted, 35);
    assert_eq!(sink.stats().rejected, 0);
}

#[test]
fn replies_are_produced_only_as_bulk_messages_are_pulled() {
    let now = T0 + Duration::from_secs(60);
    let mut source = GossipHandler::new(big_graph(300, 60).graph, GossipConfig::default(), now);
    let asker = keys(7_000).id;
    source.peer_connected(asker, &init(true), true).unwrap();
    // Drain what the source sends on its own (its filter and sync query).
    while source.poll_message().is_some() {}
    let ids: Vec<ShortChannelId> = source.graph().channel_ids().take(100).collect();
    let query = lightning::wire::gossip::QueryShortChannelIds {
        chain_hash: regtest(),
        short_channel_ids: ids,
        query_flags: None,
        unknown_tlvs: Vec::new(),
    };
    source.handle_message(asker, Message::QueryShortChannelIds(query));
    // Nothing on the essential queue: replies are bulk.
    assert!(source.poll_message().is_none());
    let mut count = 0;
    let mut ended = false;
    while let Some(message) = source.poll_bulk_message(asker) {
        count += 1;
        if let Message::ReplyShortChannelIdsEnd(end) = message {
            assert!(end.has_full_information());
            ended = true;
        }
    }
    assert!(ended);
    // 100 announcements, 200 updates, node announcements (each node once), the end marker.
    assert!(count > 300 && count <= 300 + 60 + 1, "{count}");
    // A peer that floods queries gets only `max_pending_queries` answered at once.
    for _ in 0..10 {
        let range = lightning::wire::gossip::QueryChannelRange {
            chain_hash: regtest(),
            first_blocknum: 0,
            number_of_blocks: u32::MAX,
            query_option: None,
            unknown_tlvs: Vec::new(),
        };
        source.handle_message(asker, Message::QueryChannelRange(range));
    }
    let mut replies = 0;
    while let Some(message) = source.poll_bulk_message(asker) {
        let Message::ReplyChannelRange(reply) = message else {
            panic!("unexpected {message:?}");
        };
        assert!(reply.is_sync_complete());
        assert_eq!(reply.short_channel_ids.len(), 300);
        replies += 1;
    }
    assert_eq!(replies, GossipConfig::default().max_pending_queries);
}

#[test]
fn channel_range_replies_are_split_and_cover_the_query() {
    let now = T0 + Duration::from_secs(60);
    let mut source = GossipHandler::new(big_graph(300, 60).graph, GossipConfig::default(), now);
    let asker = keys(7_000).id;
    source.peer_connected(asker, &init(true), true).unwrap();
    let range = lightning::wire::gossip::QueryChannelRange {
        chain_hash: regtest(),
        first_blocknum: 500_010,
        number_of_blocks: 20,
        query_option: Some(lightning::wire::gossip::QueryOptionFlags(3)),
        unknown_tlvs: Vec::new(),
    };
    source.handle_message(asker, Message::QueryChannelRange(range));
    let Some(Message::ReplyChannelRange(reply)) = source.poll_bulk_message(asker) else {
        panic!("expected a reply");
    };
    assert_eq!(
        (reply.first_blocknum, reply.number_of_blocks),
        (500_010, 20)
    );
    assert!(reply.is_sync_complete());
    assert_eq!(reply.short_channel_ids.len(), 80);
    assert!(reply
        .short_channel_ids
        .iter()
        .all(|id| (500_010..500_030).contains(&id.block_height())));
    let timestamps = reply.timestamps.unwrap();
    assert_eq!(timestamps.len(), 80);
    assert_eq!(timestamps[0].timestamp_node_id_1, T0.as_secs() as u32);
    assert_eq!(reply.checksums.unwrap().len(), 80);
    assert!(source.poll_bulk_message(asker).is_none());
}
