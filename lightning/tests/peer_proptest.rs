//! Whatever a connection sends, the peer manager does not panic, and every connection it
//! gives up on is reported through `poll_disconnect`.

mod peer_support;

use std::time::Duration;

use lightning::peer::{ConnectionId, DisconnectReason};
use peer_support::*;
use proptest::prelude::*;

const CONN: ConnectionId = ConnectionId(1);

/// Checks that a connection that `read` refused is handed out by `poll_disconnect` once.
fn check_reported(node: &mut Node, result: Result<(), DisconnectReason>) {
    if let Err(reason) = result {
        assert_ne!(reason, DisconnectReason::UnknownConnection);
        let reported = node.disconnects();
        assert_eq!(reported, vec![(CONN, reason)]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_before_the_handshake_never_panic(
        chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..120), 0..6),
    ) {
        let mut node = Node::new(1);
        node.pm.new_inbound_connection(CONN, [9; 32], T0).unwrap();
        let mut result = Ok(());
        for chunk in &chunks {
            result = node.pm.read(CONN, chunk, &mut node.handler, T0);
            node.process();
            if result.is_err() {
                break;
            }
        }
        check_reported(&mut node, result);
        node.tick(T0 + Duration::from_secs(3600));
        prop_assert!(node.handler.seen.is_empty());
    }

    #[test]
    fn random_bytes_to_an_outbound_connection_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut node = Node::new(1);
        let other = Node::new(2);
        node.pm.new_outbound_connection(CONN, other.node_id, [9; 32], T0).unwrap();
        let result = node.pm.read(CONN, &bytes, &mut node.handler, T0);
        check_reported(&mut node, result);
    }

    #[test]
    fn random_messages_after_the_handshake_never_panic(
        messages in prop::collection::vec(
            prop_oneof![
                prop::collection::vec(any::<u8>(), 0..80),
                // Mostly well-typed messages with random payloads.
                (prop::sample::select(vec![1u16, 16, 17, 18, 19, 32, 36, 128, 134, 256, 32768, 32769]),
                 prop::collection::vec(any::<u8>(), 0..80))
                    .prop_map(|(t, payload)| {
                        let mut bytes = t.to_be_bytes().to_vec();
                        bytes.extend(payload);
                        bytes
                    }),
            ],
            0..8,
        ),
        send_init_first in any::<bool>(),
    ) {
        let mut node = Node::new(1);
        let mut raw = if send_init_first {
            RawPeer::connect(9, &mut node, CONN, T0)
        } else {
            RawPeer::dial(9, &mut node, CONN, T0)
        };
        let mut result = Ok(());
        for message in &messages {
            result = raw.send_raw(&mut node, CONN, message, T0);
            node.process();
            node.pm.poll_transmit(CONN);
            if result.is_err() {
                break;
            }
        }
        check_reported(&mut node, result);
        // Each peer_connected has at most one matching peer_disconnected.
        let connected = node.handler.connected_peers().len();
        let disconnected = node.handler.disconnected_peers().len();
        prop_assert!(disconnected <= connected && connected <= 1);
        if result.is_err() {
            prop_assert_eq!(disconnected, connected);
        }
    }
}
