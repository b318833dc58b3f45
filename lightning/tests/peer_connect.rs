//! Two peer managers connect over a link that splits bytes at random, exchange `init`, and
//! deliver handler messages.

mod peer_support;

use lightning::peer::{ConnectionId, DisconnectReason, NewConnectionError};
use peer_support::*;

const A_CONN: ConnectionId = ConnectionId(7);
const B_CONN: ConnectionId = ConnectionId(42);

#[test]
fn handshake_and_init_connect_both_sides_for_many_chunkings() {
    for seed in 1..20 {
        let mut chunker = Chunker::new(seed);
        let (mut alice, mut bob) = (Node::new(1), Node::new(2));
        connect(&mut alice, A_CONN, &mut bob, B_CONN, &mut chunker, T0);

        assert_eq!(alice.handler.connected_peers(), vec![bob.node_id]);
        assert_eq!(bob.handler.connected_peers(), vec![alice.node_id]);
        match (&alice.handler.seen[0], &bob.handler.seen[0]) {
            (
                Seen::Connected {
                    inbound: alice_inbound,
                    init: alice_saw,
                    ..
                },
                Seen::Connected {
                    inbound: bob_inbound,
                    init: bob_saw,
                    ..
                },
            ) => {
                assert!(!alice_inbound, "alice dialled");
                assert!(bob_inbound, "bob accepted");
                assert_eq!(alice_saw.networks, Some(vec![regtest()]));
                assert_eq!(bob_saw.features, alice.handler.features);
            }
            other => panic!("unexpected first events {other:?}"),
        }
        assert!(alice.pm.is_connected(&bob.node_id));
        assert_eq!(alice.pm.connection_of(&bob.node_id), Some(A_CONN));
        assert_eq!(bob.pm.peer_of(B_CONN), Some(alice.node_id));
        assert_eq!(bob.pm.connected_peers(), vec![alice.node_id]);
        assert!(alice.disconnects().is_empty() && bob.disconnects().is_empty());
    }
}

#[test]
fn handler_messages_are_delivered_and_decoded_in_order() {
    let mut chunker = Chunker::new(99);
    let (mut alice, mut bob) = (Node::new(1), Node::new(2));
    connect(&mut alice, A_CONN, &mut bob, B_CONN, &mut chunker, T0);

    for i in 0..50u32 {
        alice
            .handler
            .outbox
            .push_back((bob.node_id, update_fee(i as u8, 253 + i)));
    }
    bob.handler
        .outbox
        .push_back((alice.node_id, update_fee(0xbb, 1000)));
    settle(&mut alice, A_CONN, &mut bob, B_CONN, &mut chunker, T0);

    let expected: Vec<_> = (0..50u32).map(|i| update_fee(i as u8, 253 + i)).collect();
    assert_eq!(bob.handler.messages(), expected);
    assert_eq!(alice.handler.messages(), vec![update_fee(0xbb, 1000)]);
    assert!(bob
        .handler
        .seen
        .iter()
        .skip(1)
        .all(|seen| matches!(seen, Seen::Message(peer, _) if *peer == alice.node_id)));
}

#[test]
fn messages_for_unknown_peers_are_dropped_with_a_log_line() {
    let mut chunker = Chunker::new(3);
    let (mut alice, mut bob) = (Node::new(1), Node::new(2));
    let carol = Node::new(3);
    connect(&mut alice, A_CONN, &mut bob, B_CONN, &mut chunker, T0);

    alice
        .handler
        .outbox
        .push_back((carol.node_id, update_fee(1, 1)));
    alice.process();
    assert!(alice.handler.outbox.is_empty());
    assert_eq!(alice.pm.poll_transmit(A_CONN), None);
    assert!(alice.logger.contains("peer not connected"));
}

#[test]
fn nothing_reaches_the_handler_before_the_init_exchange() {
    let (mut alice, mut bob) = (Node::new(1), Node::new(2));
    let act_one = alice
        .pm
        .new_outbound_connection(A_CONN, bob.node_id, [1; 32], T0)
        .unwrap();
    bob.pm.new_inbound_connection(B_CONN, [2; 32], T0).unwrap();
    bob.pm.read(B_CONN, &act_one, &mut bob.handler, T0).unwrap();
    let act_two = bob.pm.poll_transmit(B_CONN).unwrap();
    assert_eq!(act_two.len(), 50);
    alice
        .pm
        .read(A_CONN, &act_two, &mut alice.handler, T0)
        .unwrap();
    // Alice now holds act three and her init, but has not heard bob's init.
    assert!(alice.handler.seen.is_empty());
    assert!(!alice.pm.is_connected(&bob.node_id));
    assert_eq!(alice.pm.peer_of(A_CONN), Some(bob.node_id));
    let act_three_and_init = alice.pm.poll_transmit(A_CONN).unwrap();
    assert!(act_three_and_init.len() > 66);
    bob.pm
        .read(B_CONN, &act_three_and_init, &mut bob.handler, T0)
        .unwrap();
    // Bob got alice's init and has sent his: he is connected; alice is not until she reads.
    assert_eq!(bob.handler.connected_peers(), vec![alice.node_id]);
    assert!(alice.handler.seen.is_empty());
    let bob_init = bob.pm.poll_transmit(B_CONN).unwrap();
    alice
        .pm
        .read(A_CONN, &bob_init, &mut alice.handler, T0)
        .unwrap();
    assert_eq!(alice.handler.connected_peers(), vec![bob.node_id]);
}

#[test]
fn connection_errors_are_typed() {
    let (mut alice, bob) = (Node::new(1), Node::new(2));
    alice
        .pm
        .new_outbound_connection(A_CONN, bob.node_id, [1; 32], T0)
        .unwrap();
    assert_eq!(
        alice.pm.new_inbound_connection(A_CONN, [1; 32], T0),
        Err(NewConnectionError::DuplicateConnectionId)
    );
    assert_eq!(
        alice
            .pm
            .new_outbound_connection(ConnectionId(8), alice.node_id, [1; 32], T0),
        Err(NewConnectionError::ConnectingToSelf)
    );
    assert!(matches!(
        alice
            .pm
            .new_inbound_connection(ConnectionId(9), [0; 32], T0),
        Err(NewConnectionError::InvalidEphemeralKey(_))
    ));
    assert_eq!(
        alice
            .pm
            .read(ConnectionId(1000), b"hi", &mut alice.handler, T0),
        Err(DisconnectReason::UnknownConnection)
    );
}

#[test]
fn remote_address_goes_into_our_init() {
    let mut chunker = Chunker::new(5);
    let (mut alice, mut bob) = (Node::new(1), Node::new(2));
    bob.pm.new_inbound_connection(B_CONN, [2; 32], T0).unwrap();
    // IPv4 127.0.0.1:9735 as a BOLT 7 address descriptor.
    let address = vec![1, 127, 0, 0, 1, 0x26, 0x07];
    assert!(bob.pm.set_remote_address(B_CONN, address.clone()));
    let act_one = alice
        .pm
        .new_outbound_connection(A_CONN, bob.node_id, [1; 32], T0)
        .unwrap();
    bob.pm.read(B_CONN, &act_one, &mut bob.handler, T0).unwrap();
    settle(&mut alice, A_CONN, &mut bob, B_CONN, &mut chunker, T0);
    let init = alice.pm.peer_init(&bob.node_id).expect("connected");
    assert_eq!(init.remote_addr, Some(address));
    assert!(!bob.pm.set_remote_address(B_CONN, vec![1, 1, 1, 1, 1, 0, 1]));
}

#[test]
fn socket_disconnected_tells_the_handler_once_and_forgets() {
    let mut chunker = Chunker::new(8);
    let (mut alice, mut bob) = (Node::new(1), Node::new(2));
    connect(&mut alice, A_CONN, &mut bob, B_CONN, &mut chunker, T0);
    bob.pm.socket_disconnected(B_CONN, &mut bob.handler);
    bob.pm.socket_disconnected(B_CONN, &mut bob.handler);
    assert_eq!(bob.handler.disconnected_peers(), vec![alice.node_id]);
    assert!(!bob.pm.is_connected(&alice.node_id));
    assert!(bob.disconnects().is_empty(), "the caller already knows");
    assert_eq!(
        bob.pm.read(B_CONN, b"x", &mut bob.handler, T0),
        Err(DisconnectReason::UnknownConnection)
    );
    // Alice's side is still up until her socket notices; she can be told to disconnect.
    assert!(alice.pm.disconnect_peer(bob.node_id, &mut alice.handler));
    assert_eq!(alice.handler.disconnected_peers(), vec![bob.node_id]);
    assert_eq!(
        alice.disconnects(),
        vec![(A_CONN, DisconnectReason::Requested)]
    );
    alice.tick(T0);
    assert_eq!(
        alice.pm.disconnect_reason(A_CONN),
        None,
        "forgotten at the tick"
    );
}

#[test]
fn a_rejecting_handler_closes_the_connection_without_disconnect_callback() {
    let mut chunker = Chunker::new(9);
    let (mut alice, mut bob) = (Node::new(1), Node::new(2));
    bob.handler.reject_peers = true;
    connect(&mut alice, A_CONN, &mut bob, B_CONN, &mut chunker, T0);
    assert!(bob.handler.seen.is_empty());
    assert_eq!(
        bob.disconnects(),
        vec![(B_CONN, DisconnectReason::HandlerRejected)]
    );
}
