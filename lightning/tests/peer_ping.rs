//! Liveness with a fake clock: pings go out, pongs come back, silent peers are dropped.

mod peer_support;

use std::time::Duration;

use lightning::peer::{ConnectionId, DisconnectReason, PeerManagerConfig};
use lightning::wire::{Message, Ping, Pong};
use peer_support::*;

const A: ConnectionId = ConnectionId(1);
const B: ConnectionId = ConnectionId(2);

fn secs(s: u64) -> Duration {
    T0 + Duration::from_secs(s)
}

#[test]
fn pings_are_answered_and_keep_the_connection_up() {
    let mut chunker = Chunker::new(11);
    let (mut alice, mut bob) = (Node::new(1), Node::new(2));
    connect(&mut alice, A, &mut bob, B, &mut chunker, T0);
    let interval = alice.pm.config().ping_interval.as_secs();

    alice.tick(secs(interval - 1));
    assert_eq!(
        alice.pm.pending_outbound_len(A),
        0,
        "no ping before the interval"
    );
    // Ten minutes of ticks every second, with bytes moving both ways.
    for s in interval..interval + 600 {
        alice.tick(secs(s));
        bob.tick(secs(s));
        settle(&mut alice, A, &mut bob, B, &mut chunker, secs(s));
        assert!(alice.disconnects().is_empty() && bob.disconnects().is_empty());
    }
    assert!(alice.pm.is_connected(&bob.node_id) && bob.pm.is_connected(&alice.node_id));
    // Pings and pongs never reach the handlers.
    assert!(alice.handler.messages().is_empty() && bob.handler.messages().is_empty());
}

#[test]
fn a_peer_that_does_not_answer_is_dropped_after_the_timeout() {
    let mut chunker = Chunker::new(12);
    let (mut alice, mut bob) = (Node::new(1), Node::new(2));
    connect(&mut alice, A, &mut bob, B, &mut chunker, T0);
    let config = *alice.pm.config();
    let ping_at = config.ping_interval.as_secs();
    let deadline = ping_at + config.ping_timeout.as_secs();

    alice.tick(secs(ping_at));
    // The ping goes to bob, but bob's pong never comes back.
    deliver(&mut alice, A, &mut bob, B, &mut chunker, secs(ping_at));
    assert!(bob.pm.pending_outbound_len(B) > 0, "bob queued a pong");
    alice.tick(secs(deadline - 1));
    assert!(alice.disconnects().is_empty());
    alice.tick(secs(deadline));
    assert_eq!(
        alice.disconnects(),
        vec![(A, DisconnectReason::PingTimeout)]
    );
    assert_eq!(alice.handler.disconnected_peers(), vec![bob.node_id]);
    // The pong arriving late is refused: the connection is closing.
    let pong = bob.pm.poll_transmit(B).unwrap();
    assert_eq!(
        alice.pm.read(A, &pong, &mut alice.handler, secs(deadline)),
        Err(DisconnectReason::PingTimeout)
    );
}

#[test]
fn an_unfinished_handshake_times_out() {
    let mut alice = Node::new(1);
    alice.pm.new_inbound_connection(A, [5; 32], T0).unwrap();
    let timeout = alice.pm.config().handshake_timeout.as_secs();
    alice.tick(secs(timeout - 1));
    assert!(alice.disconnects().is_empty());
    alice.tick(secs(timeout));
    assert_eq!(
        alice.disconnects(),
        vec![(A, DisconnectReason::HandshakeTimeout)]
    );
    assert!(alice.handler.seen.is_empty());
}

#[test]
fn a_peer_that_never_sends_init_times_out() {
    let mut alice = Node::new(1);
    let _raw = RawPeer::dial(9, &mut alice, A, T0);
    let timeout = alice.pm.config().handshake_timeout.as_secs();
    alice.tick(secs(timeout));
    assert_eq!(
        alice.disconnects(),
        vec![(A, DisconnectReason::HandshakeTimeout)]
    );
    assert!(alice.handler.seen.is_empty());
}

#[test]
fn our_pings_have_zero_padding_and_expect_the_matching_pong() {
    let mut alice = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut alice, A, T0);
    let interval = alice.pm.config().ping_interval.as_secs();
    let mut expected = Vec::new();
    for round in 1..=3u64 {
        alice.tick(secs(interval * round));
        raw.receive_from(&mut alice, A);
        let Some(Message::Ping(ping)) = raw.received.last().cloned() else {
            panic!("expected a ping, got {:?}", raw.received.last());
        };
        assert!(ping.ignored.iter().all(|b| *b == 0));
        expected.push(ping.num_pong_bytes);
        let pong = ping.pong().expect("our pings ask for a pong");
        raw.send(&mut alice, A, pong, secs(interval * round))
            .unwrap();
    }
    assert_eq!(expected, vec![0, 1, 2], "deterministic sizes");
    // The next ping asks for 3 bytes; a pong of 4 bytes is refused.
    alice.tick(secs(interval * 4));
    raw.receive_from(&mut alice, A);
    let wrong = Pong {
        ignored: vec![0; 4],
    };
    assert_eq!(
        raw.send(&mut alice, A, wrong, secs(interval * 4)),
        Err(DisconnectReason::UnexpectedPong {
            expected: Some(3),
            received: 4
        })
    );
    // The peer is told why.
    raw.receive_from(&mut alice, A);
    assert!(matches!(raw.received.last(), Some(Message::Warning(_))));
}

#[test]
fn an_unsolicited_pong_disconnects() {
    let mut alice = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut alice, A, T0);
    let result = raw.send(&mut alice, A, Pong { ignored: vec![] }, T0);
    assert_eq!(
        result,
        Err(DisconnectReason::UnexpectedPong {
            expected: None,
            received: 0
        })
    );
}

#[test]
fn pings_are_answered_with_the_requested_length_or_ignored() {
    let mut alice = Node::new(1);
    let mut raw = RawPeer::connect(9, &mut alice, A, T0);
    raw.received.clear();
    for num_pong_bytes in [0u16, 1, 1000, 65531, 65532, 65535] {
        let ping = Ping {
            num_pong_bytes,
            ignored: vec![0; 10],
        };
        raw.send(&mut alice, A, ping, T0).unwrap();
    }
    raw.receive_from(&mut alice, A);
    let lengths: Vec<usize> = raw
        .received
        .iter()
        .map(|m| match m {
            Message::Pong(pong) => pong.ignored.len(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(lengths, vec![0, 1, 1000, 65531]);
}

#[test]
fn ping_floods_are_rate_limited() {
    let config = PeerManagerConfig {
        max_inbound_pings_per_interval: 3,
        ..PeerManagerConfig::default()
    };
    let mut alice = Node::with_config(1, config);
    let mut raw = RawPeer::connect(9, &mut alice, A, T0);
    raw.received.clear();
    let ping = || Ping {
        num_pong_bytes: 2,
        ignored: vec![],
    };
    for _ in 0..10 {
        raw.send(&mut alice, A, ping(), T0).unwrap();
    }
    raw.receive_from(&mut alice, A);
    assert_eq!(raw.received.len(), 3, "only three pongs in one interval");
    assert!(alice.pm.is_connected(&raw.node_id), "flooding is not fatal");
    // A new interval allows more.
    let later = T0 + config.ping_interval;
    raw.send(&mut alice, A, ping(), later).unwrap();
    raw.receive_from(&mut alice, A);
    assert_eq!(raw.received.len(), 4);
}
