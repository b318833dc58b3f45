//! The testkit's nodes carry gossip: each `TestNode` has a `GossipHandler` paired with its
//! channel manager, gossip crosses through the network's queues (hold and deliver work on
//! it), and a node connecting later syncs the graph through the gossip queries.

#[path = "routing_support/mod.rs"]
mod routing_support;

use lightning::testkit::network::{Network, NodeConfig};
use lightning::wire::{Message, ShortChannelId};
use routing_support::{announcement, keys, node_announcement, update, Policy};

const SCID: u64 = (700 << 40) | (3 << 16) | 1;

/// Hand-signed gossip for a channel between two outside nodes, stamped at `now`.
fn outside_channel(now_secs: u32) -> Vec<Message> {
    let (x, y) = (keys(100), keys(101));
    vec![
        Message::ChannelAnnouncement(announcement(&x, &y, SCID)),
        Message::ChannelUpdate(update(&x, &y, SCID, now_secs, Policy::fee(1_000, 10))),
        Message::ChannelUpdate(update(&y, &x, SCID, now_secs, Policy::fee(2_000, 20))),
        Message::NodeAnnouncement(node_announcement(&x, now_secs, "x")),
        Message::NodeAnnouncement(node_announcement(&y, now_secs, "y")),
    ]
}

fn inject_at(net: &mut Network, node: usize) {
    let now_secs = net.now().as_secs() as u32;
    for message in outside_channel(now_secs) {
        net.node_mut(node)
            .gossip_mut()
            .broadcast_own_gossip(message)
            .expect("valid gossip");
    }
}

fn has_full_channel(net: &Network, node: usize) -> bool {
    let graph = net.node(node).graph();
    let Some(channel) = graph.channel(ShortChannelId(SCID)) else {
        return false;
    };
    channel.one_to_two.is_some()
        && channel.two_to_one.is_some()
        && graph.node_announcement(&keys(100).id).is_some()
        && graph.node_announcement(&keys(101).id).is_some()
}

#[test]
fn gossip_reaches_a_node_two_hops_away() {
    let mut net = Network::new(3);
    net.connect(0, 1);
    net.connect(1, 2);
    inject_at(&mut net, 0);
    assert!(has_full_channel(&net, 0));
    assert!(!has_full_channel(&net, 2));
    net.run_until_quiet();
    assert!(has_full_channel(&net, 1), "the direct peer has it");
    assert!(has_full_channel(&net, 2), "relayed one hop further");
    assert!(net.node(2).gossip().stats().accepted >= 5);
    assert_eq!(net.node(2).gossip().stats().rejected, 0);
}

#[test]
fn a_node_connecting_later_syncs_through_queries() {
    let mut net = Network::new(3);
    net.connect(0, 1);
    inject_at(&mut net, 0);
    net.run_until_quiet();
    assert!(has_full_channel(&net, 1));
    // Node 2 was not there when the gossip flowed (an hour ago, older than its timestamp
    // filter): the connection's start-up syncs it through the queries.
    net.advance_time(std::time::Duration::from_secs(3_600));
    net.connect(2, 1);
    assert!(has_full_channel(&net, 2));
    assert!(net.node(1).gossip().stats().queries_served >= 1);
    assert!(!net.node(2).gossip().is_syncing(), "the sync finished");
}

#[test]
fn gossip_waits_on_a_held_direction_and_moves_one_message_at_a_time() {
    let mut net = Network::new(2);
    net.connect(0, 1);
    net.hold(0, 1);
    inject_at(&mut net, 0);
    net.run_until_quiet();
    assert!(net.node(1).graph().channel(ShortChannelId(SCID)).is_none());
    assert_eq!(
        net.next_message_type(0, 1),
        Some(256),
        "channel_announcement"
    );
    net.deliver_next(0, 1);
    let graph = net.node(1).graph();
    let channel = graph.channel(ShortChannelId(SCID)).expect("announced");
    assert!(channel.one_to_two.is_none() && channel.two_to_one.is_none());
    assert_eq!(net.next_message_type(0, 1), Some(258), "channel_update");
    net.release(0, 1);
    net.run_until_quiet();
    assert!(has_full_channel(&net, 1));
}

#[test]
fn a_dropped_announcement_is_recovered_through_a_query() {
    let mut net = Network::new(2);
    net.connect(0, 1);
    net.hold(0, 1);
    inject_at(&mut net, 0);
    net.collect_all();
    let taken = net.take_next_message(0, 1).expect("queued");
    assert!(matches!(taken, Message::ChannelAnnouncement(_)));
    net.collect_all();
    assert_eq!(net.next_message_type(0, 1), Some(258), "channel_update");
    net.deliver_next(0, 1);
    // The update is for a channel node 1 never heard of: refused, and node 1 asks node 0
    // about that channel.
    assert!(net.node(1).graph().channel(ShortChannelId(SCID)).is_none());
    assert_eq!(net.node(1).gossip().stats().rejected, 1);
    assert!(net
        .queued_messages(1, 0)
        .iter()
        .any(|m| matches!(m, Message::QueryShortChannelIds(q) if q.short_channel_ids == [ShortChannelId(SCID)])));
    net.release(0, 1);
    net.run_until_quiet();
    assert!(has_full_channel(&net, 1), "recovered through the query");
}

#[test]
fn gossip_switched_off_keeps_the_graph_empty() {
    let configs = (0..2)
        .map(|i| NodeConfig {
            gossip: false,
            ..NodeConfig::for_index(i)
        })
        .collect();
    let mut net = Network::with_nodes(configs);
    net.connect(0, 1);
    assert!(!net.node(0).gossip_enabled());
    inject_at(&mut net, 0);
    net.run_until_quiet();
    assert!(has_full_channel(&net, 0), "its own graph took it");
    assert_eq!(net.node(1).graph().channel_count(), 0);
    assert!(net.queued_messages(0, 1).is_empty());
}

#[test]
fn channels_and_payments_work_beside_gossip() {
    let mut net = Network::new(3);
    let channel = net.open_channel(0, 1, 1_000_000, 0);
    net.open_channel(1, 2, 1_000_000, 0);
    inject_at(&mut net, 2);
    net.run_until_quiet();
    assert!(has_full_channel(&net, 0));
    net.pay(0, 1, 10_000_000).expect("pay");
    assert_eq!(net.balance_msat(1, channel), Some(10_000_000));
}
