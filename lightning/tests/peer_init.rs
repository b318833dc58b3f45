//! The `init` exchange: features, networks, and what must come first.

mod peer_support;

use lightning::bitcoin::Network;
use lightning::peer::{ConnectionId, DisconnectReason};
use lightning::wire::features::{Feature, InitFeatures, PeerFeatureError};
use lightning::wire::{ChainHash, Init, Message, Ping};
use peer_support::*;

const CONN: ConnectionId = ConnectionId(3);

/// The node's own `init` is the first thing the raw peer receives.
#[test]
fn our_init_comes_first_with_our_chain_and_features() {
    let mut node = Node::new(1);
    let raw = RawPeer::dial(9, &mut node, CONN, T0);
    match raw.received.as_slice() {
        [Message::Init(init)] => {
            assert_eq!(init.networks, Some(vec![regtest()]));
            assert_eq!(init.features, node.handler.features);
            assert!(init.global_features.is_empty());
        }
        other => panic!("expected our init, got {other:?}"),
    }
}

fn rejected_with(init: Init) -> (Node, Result<(), DisconnectReason>, RawPeer) {
    let mut node = Node::new(1);
    let mut raw = RawPeer::dial(9, &mut node, CONN, T0);
    let result = raw.send(&mut node, CONN, init, T0);
    raw.receive_from(&mut node, CONN);
    (node, result, raw)
}

#[test]
fn an_unknown_even_feature_bit_disconnects() {
    let mut features = InitFeatures::empty();
    features.set_bit(200);
    let init = Init {
        features,
        ..RawPeer::good_init()
    };
    let (mut node, result, raw) = rejected_with(init);
    let expected =
        DisconnectReason::IncompatibleFeatures(PeerFeatureError::UnknownRequiredBit { bit: 200 });
    assert_eq!(result, Err(expected));
    assert_eq!(node.disconnects(), vec![(CONN, expected)]);
    assert!(
        node.handler.seen.is_empty(),
        "the handler never heard of the peer"
    );
    assert!(
        matches!(raw.received.last(), Some(Message::Warning(w)) if w.channel_id.0 == [0; 32]),
        "the peer is told why with a connection-level warning"
    );
}

#[test]
fn an_unknown_even_bit_in_global_features_disconnects_too() {
    let mut global_features = InitFeatures::empty();
    global_features.set_bit(100);
    let init = Init {
        global_features,
        ..RawPeer::good_init()
    };
    let (_, result, _) = rejected_with(init);
    assert!(matches!(
        result,
        Err(DisconnectReason::IncompatibleFeatures(
            PeerFeatureError::UnknownRequiredBit { bit: 100 }
        ))
    ));
}

#[test]
fn a_required_feature_we_do_not_offer_disconnects() {
    let mut features = InitFeatures::empty();
    features.set_required(Feature::GossipQueries);
    let init = Init {
        features,
        ..RawPeer::good_init()
    };
    let (_, result, _) = rejected_with(init);
    assert!(matches!(
        result,
        Err(DisconnectReason::IncompatibleFeatures(
            PeerFeatureError::UnsupportedRequiredFeature { .. }
        ))
    ));
}

#[test]
fn unknown_odd_feature_bits_are_accepted() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::dial(9, &mut node, CONN, T0);
    let mut features = InitFeatures::empty();
    features.set_bit(201);
    let init = Init {
        features,
        ..RawPeer::good_init()
    };
    raw.send(&mut node, CONN, init, T0).unwrap();
    assert_eq!(node.handler.connected_peers(), vec![raw.node_id]);
}

#[test]
fn a_wrong_chain_in_networks_disconnects() {
    let init = Init {
        networks: Some(vec![ChainHash::using_genesis_block(Network::Bitcoin)]),
        ..Init::default()
    };
    let (mut node, result, _) = rejected_with(init);
    assert_eq!(result, Err(DisconnectReason::NoCommonNetwork));
    assert_eq!(
        node.disconnects(),
        vec![(CONN, DisconnectReason::NoCommonNetwork)]
    );

    let empty = Init {
        networks: Some(vec![]),
        ..Init::default()
    };
    assert_eq!(
        rejected_with(empty).1,
        Err(DisconnectReason::NoCommonNetwork)
    );
}

#[test]
fn networks_listing_our_chain_among_others_or_absent_are_accepted() {
    for networks in [
        Some(vec![
            ChainHash::using_genesis_block(Network::Bitcoin),
            regtest(),
        ]),
        None,
    ] {
        let mut node = Node::new(1);
        let mut raw = RawPeer::dial(9, &mut node, CONN, T0);
        let init = Init {
            networks,
            ..Init::default()
        };
        raw.send(&mut node, CONN, init, T0).unwrap();
        assert_eq!(node.handler.connected_peers(), vec![raw.node_id]);
    }
}

#[test]
fn the_first_message_must_be_init() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::dial(9, &mut node, CONN, T0);
    let ping = Ping {
        num_pong_bytes: 1,
        ignored: vec![],
    };
    assert_eq!(
        raw.send(&mut node, CONN, ping, T0),
        Err(DisconnectReason::FirstMessageNotInit { msg_type: 18 })
    );
    assert!(node.handler.seen.is_empty());
}

#[test]
fn a_second_init_disconnects() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut node, CONN, T0);
    assert_eq!(
        raw.send(&mut node, CONN, RawPeer::good_init(), T0),
        Err(DisconnectReason::DuplicateInit)
    );
    assert_eq!(node.handler.disconnected_peers(), vec![raw.node_id]);
}

#[test]
fn an_init_and_the_next_message_in_one_read_are_both_handled() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::dial(9, &mut node, CONN, T0);
    let mut bytes = raw
        .transport
        .encrypt_message(&Message::Init(RawPeer::good_init()).encode())
        .unwrap();
    bytes.extend(
        raw.transport
            .encrypt_message(&update_fee(4, 4).encode())
            .unwrap(),
    );
    node.pm.read(CONN, &bytes, &mut node.handler, T0).unwrap();
    assert_eq!(node.handler.connected_peers(), vec![raw.node_id]);
    assert_eq!(node.handler.messages(), vec![update_fee(4, 4)]);
}
