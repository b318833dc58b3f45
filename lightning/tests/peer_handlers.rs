//! The handler combinators: a pair routes messages to two handlers; the ignoring handler
//! keeps connections alive.

mod peer_support;

use lightning::peer::{
    is_gossip_message, ConnectionId, HandlerPair, IgnoringMessageHandler, PeerMessageHandler,
};
use lightning::wire::features::Feature;
use lightning::wire::gossip::GossipTimestampFilter;
use lightning::wire::{ChannelId, ErrorMessage, Message};
use peer_support::*;

const CONN: ConnectionId = ConnectionId(4);

fn timestamp_filter() -> Message {
    Message::GossipTimestampFilter(GossipTimestampFilter {
        chain_hash: regtest(),
        first_timestamp: 1,
        timestamp_range: 2,
    })
}

#[test]
fn a_pair_routes_gossip_to_the_second_and_errors_to_both() {
    let mut node = Node::new(1);
    let mut channels = RecordingHandler::new();
    let mut gossip = RecordingHandler::new();
    gossip.features = Default::default();
    gossip.features.set_optional(Feature::GossipQueries);
    let mut raw = RawPeer::dial(9, &mut node, CONN, T0);
    {
        let pair = HandlerPair::new(&mut channels, &mut gossip, is_gossip_message);
        assert!(pair
            .provided_init_features()
            .supports(Feature::GossipQueries));
        assert!(pair
            .provided_init_features()
            .supports(Feature::StaticRemoteKey));
    }
    let mut send = |raw: &mut RawPeer,
                    channels: &mut RecordingHandler,
                    gossip: &mut RecordingHandler,
                    message: Message| {
        let frame = raw.transport.encrypt_message(&message.encode()).unwrap();
        let mut pair = HandlerPair::new(channels, gossip, is_gossip_message);
        node.pm.read(CONN, &frame, &mut pair, T0)
    };
    send(
        &mut raw,
        &mut channels,
        &mut gossip,
        Message::Init(RawPeer::good_init()),
    )
    .unwrap();
    send(&mut raw, &mut channels, &mut gossip, update_fee(1, 1)).unwrap();
    send(&mut raw, &mut channels, &mut gossip, timestamp_filter()).unwrap();
    let error = Message::Error(ErrorMessage {
        channel_id: ChannelId([1; 32]),
        data: vec![],
    });
    send(&mut raw, &mut channels, &mut gossip, error.clone()).unwrap();

    assert_eq!(channels.connected_peers(), vec![raw.node_id]);
    assert_eq!(gossip.connected_peers(), vec![raw.node_id]);
    assert_eq!(channels.messages(), vec![update_fee(1, 1), error.clone()]);
    assert_eq!(gossip.messages(), vec![timestamp_filter(), error]);
}

#[test]
fn a_pair_refuses_the_peer_if_either_refuses_and_undoes_the_first() {
    let mut node = Node::new(1);
    let mut channels = RecordingHandler::new();
    let mut gossip = RecordingHandler::new();
    gossip.reject_peers = true;
    let mut raw = RawPeer::dial(9, &mut node, CONN, T0);
    let frame = raw
        .transport
        .encrypt_message(&Message::Init(RawPeer::good_init()).encode())
        .unwrap();
    let mut pair = HandlerPair::new(&mut channels, &mut gossip, is_gossip_message);
    assert!(node.pm.read(CONN, &frame, &mut pair, T0).is_err());
    assert_eq!(channels.connected_peers(), vec![raw.node_id]);
    assert_eq!(channels.disconnected_peers(), vec![raw.node_id]);
    assert!(gossip.seen.is_empty());
}

#[test]
fn a_pair_polls_the_first_handler_first() {
    let mut channels = RecordingHandler::new();
    let mut gossip = RecordingHandler::new();
    let peer = Node::new(5).node_id;
    channels.outbox.push_back((peer, update_fee(1, 1)));
    gossip.outbox.push_back((peer, timestamp_filter()));
    let mut pair = HandlerPair::new(&mut channels, &mut gossip, is_gossip_message);
    assert_eq!(pair.poll_message(), Some((peer, update_fee(1, 1))));
    assert_eq!(pair.poll_message(), Some((peer, timestamp_filter())));
    assert_eq!(pair.poll_message(), None);
}

#[test]
fn the_ignoring_handler_connects_and_drops_messages() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::dial(9, &mut node, CONN, T0);
    let mut ignoring = IgnoringMessageHandler;
    for message in [Message::Init(RawPeer::good_init()), update_fee(2, 2)] {
        let frame = raw.transport.encrypt_message(&message.encode()).unwrap();
        node.pm.read(CONN, &frame, &mut ignoring, T0).unwrap();
    }
    assert!(node.pm.is_connected(&raw.node_id));
}
