//! Public channels get announced (BOLT 7): `announcement_signatures` at six confirmations,
//! then the `channel_announcement`, both `channel_update`s and both `node_announcement`s in
//! every connected node's graph (each checked by the real `GossipHandler`/`NetworkGraph`);
//! private channels never; updates follow policy changes, disconnections and the timer.

mod announce_support;

use std::time::Duration;

use announce_support::*;
use lightning::bitcoin::secp256k1::Secp256k1;
use lightning::manager::{ForwardingPolicy, ANNOUNCEMENT_DEPTH};
use lightning::testkit::network::Network;
use lightning::wire::gossip::ChannelUpdate;
use lightning::wire::Message;

#[test]
fn a_public_channel_is_announced_at_six_confirmations_and_reaches_other_nodes() {
    let mut net = public_network(4);
    // Node 2 hears about it by relay: it is connected to node 1 before the announcement.
    net.connect(2, 1);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    let id = scid(&net, channel);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH - 1);
    for node in 0..4 {
        assert_eq!(net.node(node).graph().channel_count(), 0, "node {node}");
    }
    assert!(!details(&net, 0, channel).is_announced);
    assert!(details(&net, 0, channel).is_public && details(&net, 1, channel).is_public);

    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH);
    for node in 0..3 {
        assert!(graph_has_full_channel(&net, node, id, 0, 1), "node {node}");
    }
    assert!(details(&net, 0, channel).is_announced && details(&net, 1, channel).is_announced);
    // What the graphs hold passed their checks: nothing was refused on the way.
    assert_eq!(net.node(2).gossip().stats().rejected, 0);
    assert!(net.node(2).gossip().stats().accepted >= 5);
    let policy = policy_of(&net, 2, id, 0).expect("node 0's update");
    let defaults = ForwardingPolicy::default();
    assert_eq!(policy.fees.base_msat, defaults.fee_base_msat);
    assert_eq!(
        policy.fees.proportional_millionths,
        defaults.fee_proportional_millionths
    );
    assert_eq!(policy.cltv_expiry_delta, defaults.cltv_expiry_delta);
    assert!(policy.enabled);
    assert!(policy.htlc_maximum_msat <= FUNDING_SAT * 1000);
    let announced = net
        .node(2)
        .graph()
        .node_announcement(&net.node(0).node_id())
        .expect("node 0 announced");
    assert_eq!(announced.alias_text(), Some("node0"));
    // The node announces what both its handlers offer: the manager's features and the gossip
    // handler's `gossip_queries`.
    let features = &announced.features;
    assert!(features.supports(lightning::wire::features::Feature::GossipQueries));
    assert!(features.supports(lightning::wire::features::Feature::StaticRemoteKey));

    // Node 3 comes later (after the gossip's time): it syncs through the queries.
    net.advance_time(Duration::from_secs(3_600));
    net.connect(3, 2);
    net.run_until_quiet();
    assert!(graph_has_full_channel(&net, 3, id, 0, 1));
    assert_eq!(net.node(3).gossip().stats().rejected, 0);
}

#[test]
fn a_private_channel_is_never_announced_but_the_peer_gets_our_update() {
    let configs = (0..3).map(|i| node_config(i, false)).collect();
    let mut net = Network::with_nodes(configs);
    net.connect(2, 1);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    let id = scid(&net, channel);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH + 4);
    for node in 0..3 {
        assert_eq!(net.node(node).graph().channel_count(), 0, "node {node}");
        assert!(!has_node_announcement(&net, node, &net.node(0).node_id()));
    }
    assert!(!details(&net, 0, channel).is_public && !details(&net, 0, channel).is_announced);
    // Each side's direct update reached the other, whose gossip handler kept it out of the
    // public graph (an update for a channel nobody announced).
    for node in 0..2 {
        assert!(net.node(node).gossip().stats().rejected >= 1, "node {node}");
    }
    assert_eq!(net.node(2).gossip().stats().rejected, 0, "never forwarded");

    // A new policy goes to the peer directly, marked not to be forwarded.
    net.hold(0, 1);
    let policy = ForwardingPolicy {
        fee_base_msat: 7,
        fee_proportional_millionths: 77,
        cltv_expiry_delta: 144,
    };
    net.node_mut(0).manager_mut().set_forwarding_policy(policy);
    net.collect_all();
    let updates: Vec<ChannelUpdate> = net
        .queued_messages(0, 1)
        .into_iter()
        .filter_map(|m| match m {
            Message::ChannelUpdate(update) => Some(update.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(updates.len(), 1, "{:?}", net.queued_messages(0, 1));
    let update = &updates[0];
    assert_eq!(update.short_channel_id, id);
    assert!(update.dont_forward() && update.must_be_one() && !update.is_disabled());
    assert_eq!(
        (update.fee_base_msat, update.fee_proportional_millionths),
        (7, 77)
    );
    assert_eq!(update.cltv_expiry_delta, 144);
    let from_node_2 = net.node(0).node_id().serialize() > net.node(1).node_id().serialize();
    assert_eq!(update.is_from_node_2(), from_node_2);
    update
        .verify_signature(&Secp256k1::verification_only(), &net.node(0).node_id())
        .expect("signed by node 0");
    net.release(0, 1);
    net.run_until_quiet();
    for node in 0..3 {
        assert_eq!(net.node(node).graph().channel_count(), 0, "node {node}");
    }
}

#[test]
fn a_node_with_only_private_channels_sends_no_node_announcement() {
    // Node 0 opens a private channel to 1 and a public one between 1 and 2 exists.
    let configs = vec![
        node_config(0, false),
        node_config(1, true),
        node_config(2, true),
    ];
    let mut net = Network::with_nodes(configs);
    net.open_channel(0, 1, FUNDING_SAT, 0);
    let public = net.open_channel(1, 2, FUNDING_SAT, 0);
    mine_to_depth(&mut net, public, ANNOUNCEMENT_DEPTH);
    let id = scid(&net, public);
    assert!(graph_has_full_channel(&net, 0, id, 1, 2));
    for node in 0..3 {
        assert!(
            !has_node_announcement(&net, node, &net.node(0).node_id()),
            "node {node}"
        );
    }
}

#[test]
fn policy_changes_and_the_timer_reissue_the_update() {
    let mut net = public_network(3);
    net.connect(2, 1);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH);
    let id = scid(&net, channel);
    let first = policy_of(&net, 2, id, 0).expect("announced");

    net.advance_time(Duration::from_secs(60));
    let policy = ForwardingPolicy {
        fee_base_msat: 5_000,
        fee_proportional_millionths: 250,
        cltv_expiry_delta: 100,
    };
    net.node_mut(0).manager_mut().set_forwarding_policy(policy);
    net.run_until_quiet();
    let changed = policy_of(&net, 2, id, 0).expect("still there");
    assert_eq!(changed.fees.base_msat, 5_000);
    assert_eq!(changed.fees.proportional_millionths, 250);
    assert_eq!(changed.cltv_expiry_delta, 100);
    assert!(changed.last_update > first.last_update);

    // A tick before the refresh age changes nothing; after it, both sides re-issue.
    net.node_mut(0).manager_mut().timer_tick_occurred();
    net.run_until_quiet();
    assert_eq!(policy_of(&net, 2, id, 0), Some(changed));
    net.advance_time(Duration::from_secs(u64::from(
        lightning::manager::GOSSIP_REFRESH_SECS,
    )));
    for node in 0..2 {
        net.node_mut(node).manager_mut().timer_tick_occurred();
    }
    net.run_until_quiet();
    let refreshed = policy_of(&net, 2, id, 0).expect("still there");
    assert!(refreshed.last_update > changed.last_update);
    assert_eq!(refreshed.fees, changed.fees);
    let other = policy_of(&net, 2, id, 1).expect("node 1's direction");
    assert!(other.last_update > first.last_update);
    let announced = net
        .node(2)
        .graph()
        .node_announcement(&net.node(0).node_id())
        .expect("node 0 announced");
    assert!(u64::from(announced.timestamp) >= net.now().as_secs() - 1);
}

#[test]
fn a_disconnection_disables_the_channel_in_a_third_nodes_graph() {
    let mut net = public_network(3);
    net.connect(2, 0);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH);
    let id = scid(&net, channel);
    assert!(policy_of(&net, 2, id, 0).expect("announced").enabled);

    net.advance_time(Duration::from_secs(10));
    net.disconnect(0, 1);
    net.run_until_quiet();
    let disabled = policy_of(&net, 2, id, 0).expect("still known");
    assert!(!disabled.enabled, "node 0's disable reached node 2");
    assert!(!details(&net, 0, channel).is_usable);

    net.advance_time(Duration::from_secs(10));
    net.connect(0, 1);
    net.run_until_quiet();
    let enabled = policy_of(&net, 2, id, 0).expect("still known");
    assert!(enabled.enabled, "enabled again after the reestablish");
    assert!(enabled.last_update > disabled.last_update);
    assert!(details(&net, 0, channel).is_usable);
}

#[test]
fn an_inbound_public_channel_is_announced_by_the_acceptor_too() {
    // Only the opener asks for announcement; the acceptor follows its channel_flags.
    let configs = vec![
        node_config(0, true),
        node_config(1, false),
        node_config(2, false),
    ];
    let mut net = Network::with_nodes(configs);
    net.connect(2, 1);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH);
    let id = scid(&net, channel);
    assert!(details(&net, 1, channel).is_public);
    assert!(graph_has_full_channel(&net, 2, id, 0, 1));
}

#[test]
fn our_addresses_are_announced_in_ascending_type_order() {
    use lightning::wire::gossip::AddressDescriptor;
    use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

    let ipv6 = AddressDescriptor::Ipv6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9735, 0, 0));
    let ipv4 = AddressDescriptor::Ipv4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9735));
    let mut configs: Vec<_> = (0..2).map(|i| node_config(i, true)).collect();
    // Configured out of order: IPv6 (type 2) before IPv4 (type 1).
    configs[0].manager.node_addresses = vec![ipv6.clone(), ipv4.clone()];
    let mut net = Network::with_nodes(configs);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH);
    let announcement = net
        .node(1)
        .graph()
        .node_announcement(&net.node(0).node_id())
        .expect("node 0 announced");
    assert_eq!(announcement.addresses, vec![ipv4, ipv6]);
}
