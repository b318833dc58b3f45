//! Dispatch after `init`: unknown types, `error`, `warning`, undecodable messages, and one
//! connection per peer.

mod peer_support;

use lightning::peer::{ConnectionId, DisconnectReason};
use lightning::wire::{ChannelId, DecodeError, ErrorMessage, Message, WarningMessage};
use peer_support::*;

const CONN: ConnectionId = ConnectionId(5);

#[test]
fn unknown_odd_messages_are_ignored_and_unknown_even_ones_disconnect() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut node, CONN, T0);
    raw.send_raw(&mut node, CONN, &[0x80, 0x01, 1, 2, 3], T0)
        .expect("odd type 32769 is ignored");
    raw.send(&mut node, CONN, update_fee(1, 2), T0).unwrap();
    assert_eq!(
        node.handler.messages(),
        vec![update_fee(1, 2)],
        "only the known one"
    );
    assert!(node.pm.is_connected(&raw.node_id));

    let result = raw.send_raw(&mut node, CONN, &[0x80, 0x02, 1, 2, 3], T0);
    let expected = DisconnectReason::UnknownEvenMessage { msg_type: 32770 };
    assert_eq!(result, Err(expected));
    assert_eq!(node.disconnects(), vec![(CONN, expected)]);
    assert_eq!(node.handler.disconnected_peers(), vec![raw.node_id]);
}

#[test]
fn an_undecodable_message_disconnects() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut node, CONN, T0);
    // update_fee (134) cut short.
    let result = raw.send_raw(&mut node, CONN, &[0, 134, 0, 0], T0);
    assert_eq!(
        result,
        Err(DisconnectReason::InvalidMessage {
            msg_type: 134,
            error: DecodeError::ShortRead
        })
    );
    // A message too short to hold a type.
    let mut node = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut node, CONN, T0);
    assert!(matches!(
        raw.send_raw(&mut node, CONN, &[7], T0),
        Err(DisconnectReason::InvalidMessage { msg_type: 0, .. })
    ));
}

#[test]
fn a_channel_error_goes_to_the_handler_and_keeps_the_connection() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut node, CONN, T0);
    let error = ErrorMessage {
        channel_id: ChannelId([7; 32]),
        data: b"bad sig \x1b[31m".to_vec(),
    };
    raw.send(&mut node, CONN, error.clone(), T0).unwrap();
    assert_eq!(node.handler.messages(), vec![Message::Error(error)]);
    assert!(node.pm.is_connected(&raw.node_id));
    assert!(
        node.logger.contains("bad sig \\x1b[31m"),
        "logged, sanitized"
    );
}

#[test]
fn an_error_for_all_channels_goes_to_the_handler_then_disconnects() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut node, CONN, T0);
    let error = ErrorMessage {
        channel_id: ChannelId([0; 32]),
        data: b"go away".to_vec(),
    };
    assert_eq!(
        raw.send(&mut node, CONN, error.clone(), T0),
        Err(DisconnectReason::PeerSentError)
    );
    assert_eq!(
        node.handler.seen[1..],
        [
            Seen::Message(raw.node_id, Message::Error(error)),
            Seen::Disconnected(raw.node_id)
        ]
    );
    assert_eq!(
        node.disconnects(),
        vec![(CONN, DisconnectReason::PeerSentError)]
    );
}

#[test]
fn warnings_are_logged_not_dispatched() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut node, CONN, T0);
    let warning = WarningMessage {
        channel_id: ChannelId([0; 32]),
        data: b"you are slow".to_vec(),
    };
    raw.send(&mut node, CONN, warning, T0).unwrap();
    assert!(node.handler.messages().is_empty());
    assert!(node.logger.contains("you are slow"));
    assert!(node.pm.is_connected(&raw.node_id));
}

#[test]
fn messages_after_the_disconnect_are_not_dispatched() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut node, CONN, T0);
    let mut bytes = raw.transport.encrypt_message(&[0x80, 0x02]).expect("fits");
    bytes.extend(
        raw.transport
            .encrypt_message(&update_fee(1, 1).encode())
            .unwrap(),
    );
    assert!(node.pm.read(CONN, &bytes, &mut node.handler, T0).is_err());
    assert!(node.handler.messages().is_empty());
}

#[test]
fn the_handler_cannot_send_init() {
    let mut node = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut node, CONN, T0);
    raw.received.clear();
    node.handler
        .outbox
        .push_back((raw.node_id, Message::Init(RawPeer::good_init())));
    node.handler
        .outbox
        .push_back((raw.node_id, update_fee(3, 3)));
    raw.receive_from(&mut node, CONN);
    assert_eq!(raw.received, vec![update_fee(3, 3)]);
}

#[test]
fn a_new_connection_from_the_same_peer_replaces_the_old_one() {
    let mut chunker = Chunker::new(21);
    let (mut alice, mut bob) = (Node::new(1), Node::new(2));
    let (a1, b1, a2, b2) = (
        ConnectionId(1),
        ConnectionId(1),
        ConnectionId(2),
        ConnectionId(2),
    );
    connect(&mut alice, a1, &mut bob, b1, &mut chunker, T0);
    // Alice dials again (say she thinks the first socket died).
    connect(&mut alice, a2, &mut bob, b2, &mut chunker, T0);

    let (alice_id, bob_id) = (alice.node_id, bob.node_id);
    for (node, other, old) in [(&mut alice, bob_id, a1), (&mut bob, alice_id, b1)] {
        let kinds: Vec<_> = node
            .handler
            .seen
            .iter()
            .map(|seen| match seen {
                Seen::Connected { peer, .. } => ("connected", *peer),
                Seen::Disconnected(peer) => ("disconnected", *peer),
                Seen::Message(peer, _) => ("message", *peer),
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("connected", other),
                ("disconnected", other),
                ("connected", other)
            ]
        );
        assert_eq!(node.disconnects(), vec![(old, DisconnectReason::Replaced)]);
        assert_eq!(node.pm.connected_peers(), vec![other]);
    }
    assert_eq!(alice.pm.connection_of(&bob.node_id), Some(a2));
    assert_eq!(bob.pm.connection_of(&alice.node_id), Some(b2));

    // Traffic flows on the new connection only.
    alice
        .handler
        .outbox
        .push_back((bob.node_id, update_fee(9, 9)));
    alice.process();
    assert_eq!(alice.pm.poll_transmit(a1), None);
    settle(&mut alice, a2, &mut bob, b2, &mut chunker, T0);
    assert_eq!(bob.handler.messages(), vec![update_fee(9, 9)]);

    // Closing the replaced socket later does not disturb the live peer.
    bob.pm.socket_disconnected(b1, &mut bob.handler);
    assert!(bob.pm.is_connected(&alice.node_id));
    assert_eq!(bob.handler.disconnected_peers().len(), 1);
}

#[test]
fn an_inbound_connection_that_replaces_keeps_the_latest() {
    // Bob is connected to a raw peer, which dials again on a second connection.
    let mut bob = Node::new(2);
    let first = RawPeer::connect(9, &mut bob, ConnectionId(10), T0);
    let second = RawPeer::connect(9, &mut bob, ConnectionId(11), T0);
    assert_eq!(first.node_id, second.node_id);
    assert_eq!(bob.pm.connection_of(&first.node_id), Some(ConnectionId(11)));
    assert_eq!(
        bob.disconnects(),
        vec![(ConnectionId(10), DisconnectReason::Replaced)]
    );
}
