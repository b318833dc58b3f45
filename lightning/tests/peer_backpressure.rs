//! Backpressure: a peer that does not read stops being fed, and its input is held back.

mod peer_support;

use std::time::Duration;

use lightning::peer::{ConnectionId, DisconnectReason, PeerManagerConfig};
use lightning::wire::{Message, Ping};
use peer_support::*;

const A: ConnectionId = ConnectionId(1);
const B: ConnectionId = ConnectionId(2);

fn small_buffers() -> PeerManagerConfig {
    PeerManagerConfig {
        outbound_high_water: 4_000,
        outbound_low_water: 1_000,
        max_paused_input: 20_000,
        ..PeerManagerConfig::default()
    }
}

/// A bulk message of about 100 bytes on the wire.
fn bulk() -> Message {
    Message::Unknown {
        msg_type: 32769,
        payload: vec![0xab; 64],
    }
}

#[test]
fn a_peer_that_never_reads_stops_being_fed_bulk_messages() {
    let mut chunker = Chunker::new(31);
    let mut alice = Node::with_config(1, small_buffers());
    let mut bob = Node::new(2);
    connect(&mut alice, A, &mut bob, B, &mut chunker, T0);
    alice.handler.endless_bulk = Some(bulk());

    // Bob never reads: alice's caller never finds the socket writable.
    for _ in 0..50 {
        alice.process();
    }
    let pending = alice.pm.pending_outbound_len(A);
    assert!(pending > 4_000, "filled up to the high-water mark");
    assert!(
        pending < 4_000 + 200,
        "but not beyond one message: {pending}"
    );
    let sent_while_congested = alice.handler.bulk_sent;
    alice.process();
    assert_eq!(
        alice.handler.bulk_sent, sent_while_congested,
        "no more pulled"
    );
    assert!(!alice.pm.wants_read(A));

    // Essential messages are still queued.
    alice
        .handler
        .outbox
        .push_back((bob.node_id, update_fee(1, 1)));
    alice.process();
    assert!(alice.pm.pending_outbound_len(A) > pending);

    // Draining in small writes: congestion ends only at the low-water mark.
    while alice.pm.pending_outbound_len(A) > 1_000 {
        assert!(!alice.pm.wants_read(A));
        let bytes = alice.pm.poll_transmit_limited(A, 500).unwrap();
        assert!(bytes.len() <= 500);
    }
    assert!(alice.pm.wants_read(A));
    alice.process();
    assert!(
        alice.handler.bulk_sent > sent_while_congested,
        "feeding resumed"
    );
}

#[test]
fn input_is_held_back_while_congested_and_resumed_after() {
    let mut chunker = Chunker::new(32);
    let mut alice = Node::with_config(1, small_buffers());
    let mut bob = Node::new(2);
    connect(&mut alice, A, &mut bob, B, &mut chunker, T0);
    alice.handler.endless_bulk = Some(bulk());
    alice.process();
    alice.handler.endless_bulk = None;
    assert!(!alice.pm.wants_read(A));
    let before = alice.pm.pending_outbound_len(A);

    // Bob sends pings and a channel message; alice keeps reading anyway.
    for _ in 0..5 {
        let ping = Ping {
            num_pong_bytes: 100,
            ignored: vec![],
        };
        bob.handler
            .outbox
            .push_back((alice.node_id, Message::Ping(ping)));
    }
    bob.handler
        .outbox
        .push_back((alice.node_id, update_fee(5, 5)));
    deliver(&mut bob, B, &mut alice, A, &mut chunker, T0);
    assert_eq!(
        alice.pm.pending_outbound_len(A),
        before,
        "no pongs produced"
    );
    assert!(alice.handler.messages().is_empty(), "nothing decrypted");

    // Alice's socket drains; the held-back input is handled at the next process.
    while alice.pm.poll_transmit(A).is_some() {}
    alice.process();
    assert_eq!(alice.handler.messages(), vec![update_fee(5, 5)]);
    assert!(
        alice.pm.pending_outbound_len(A) >= 5 * 104,
        "five pongs queued"
    );
}

#[test]
fn too_much_input_while_paused_disconnects() {
    let mut chunker = Chunker::new(33);
    let mut alice = Node::with_config(1, small_buffers());
    let mut bob = Node::new(2);
    connect(&mut alice, A, &mut bob, B, &mut chunker, T0);
    alice.handler.endless_bulk = Some(bulk());
    alice.process();
    let mut result = Ok(());
    for _ in 0..30 {
        result = alice.pm.read(A, &[0u8; 1000], &mut alice.handler, T0);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(DisconnectReason::PausedInputOverflow));
    assert_eq!(alice.handler.disconnected_peers(), vec![bob.node_id]);
}

#[test]
fn a_congested_peer_is_not_timed_out_for_its_pong_but_is_dropped_when_stalled() {
    let mut chunker = Chunker::new(34);
    let config = small_buffers();
    let mut alice = Node::with_config(1, config);
    let mut bob = Node::new(2);
    connect(&mut alice, A, &mut bob, B, &mut chunker, T0);
    let ping_at = T0 + config.ping_interval;
    alice.tick(ping_at);
    alice.handler.endless_bulk = Some(bulk());
    alice.process();
    assert!(!alice.pm.wants_read(A));

    // Long past the ping timeout, but the pong may be held back: no ping timeout.
    let later = ping_at + config.ping_timeout + Duration::from_secs(5);
    alice.tick(later);
    assert!(alice.disconnects().is_empty());
    // Still congested at the stall timeout: dropped.
    alice.tick(ping_at + config.stall_timeout);
    assert_eq!(alice.disconnects(), vec![(A, DisconnectReason::Stalled)]);
}

#[test]
fn after_congestion_the_pong_wait_restarts() {
    let mut chunker = Chunker::new(35);
    let config = small_buffers();
    let mut alice = Node::with_config(1, config);
    let mut bob = Node::new(2);
    connect(&mut alice, A, &mut bob, B, &mut chunker, T0);
    let ping_at = T0 + config.ping_interval;
    alice.tick(ping_at);
    alice.handler.endless_bulk = Some(bulk());
    alice.process();
    alice.handler.endless_bulk = None;

    // The socket drains well after the ping timeout; everything flows again.
    let drained_at = ping_at + config.ping_timeout * 2;
    alice.tick(drained_at);
    settle(&mut alice, A, &mut bob, B, &mut chunker, drained_at);
    alice.tick(drained_at + Duration::from_secs(1));
    assert!(
        alice.disconnects().is_empty(),
        "the pong arrived after resuming"
    );
    assert!(alice.pm.is_connected(&bob.node_id));
}
