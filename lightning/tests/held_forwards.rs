//! Forwards into a channel whose peer is away (or reconnecting) wait instead of failing at
//! once: they go out when the channel is usable again, and fail back with
//! `temporary_channel_failure` from the forwarder only after a bounded wait.

use lightning::manager::{ChannelManager, Event, ManagerConfig, PaymentFailureReason};
use lightning::onion::Failure;
use lightning::testkit::network::{Network, PendingPayment};

const FUNDING_SAT: u64 = 1_000_000;
const AMOUNT_MSAT: u64 = 10_000_000;

/// A→B→C with B–C disconnected, and a payment A→C whose HTLC is held at B.
fn held_at_b() -> (Network, PendingPayment) {
    let mut net = Network::new(3);
    net.open_channel(0, 1, FUNDING_SAT, 0);
    net.open_channel(1, 2, FUNDING_SAT, 0);
    net.disconnect(1, 2);
    let pending = net
        .send_payment_along(&[0, 1, 2], AMOUNT_MSAT)
        .expect("send");
    net.run_until_quiet();
    assert_eq!(net.node(1).manager().held_forwards().len(), 1);
    assert!(
        net.node(0).events().is_empty(),
        "{:?}",
        net.node(0).events()
    );
    (net, pending)
}

fn assert_failed_at_b_temporarily(net: &mut Network, pending: &PendingPayment) {
    let failed = net.node_mut(0).take_events_where(|e| {
        matches!(e, Event::PaymentFailed { payment_id, .. } if *payment_id == pending.payment_id)
    });
    let [Event::PaymentFailed {
        reason:
            PaymentFailureReason::HopFailed {
                hop_index: 0,
                is_recipient: false,
                failure: Some(message),
                ..
            },
        ..
    }] = failed.as_slice()
    else {
        panic!("expected a failure at B, got {failed:?}");
    };
    assert!(matches!(
        message.failure,
        Failure::TemporaryChannelFailure { .. }
    ));
    assert!(net.node(1).manager().held_forwards().is_empty());
    for channel in net.node(0).channels() {
        assert_eq!(channel.pending_htlcs, 0);
    }
}

#[test]
fn held_forward_goes_out_when_the_peer_reconnects() {
    let (mut net, pending) = held_at_b();
    net.timer_tick();
    net.run_until_quiet();
    assert_eq!(net.node(1).manager().held_forwards().len(), 1);
    net.connect(1, 2);
    let outcome = net
        .finish_payment(&pending)
        .expect("paid after the reconnection");
    assert_eq!(outcome.payment_hash, pending.payment_hash);
    assert!(net.node(1).manager().held_forwards().is_empty());
    assert_eq!(
        net.node(1)
            .events()
            .iter()
            .filter(|e| matches!(e, Event::PaymentForwarded { .. }))
            .count(),
        1
    );
}

#[test]
fn held_forward_fails_back_after_the_timeout_ticks() {
    let (mut net, pending) = held_at_b();
    let ticks = ManagerConfig::default().held_forward_timeout_ticks;
    for _ in 1..ticks {
        net.timer_tick();
        net.run_until_quiet();
    }
    assert_eq!(net.node(1).manager().held_forwards().len(), 1, "not yet");
    net.timer_tick();
    net.run_until_quiet();
    assert_failed_at_b_temporarily(&mut net, &pending);
}

#[test]
fn held_forward_fails_back_when_its_expiry_comes_near() {
    let (mut net, pending) = held_at_b();
    // The outgoing HTLC would expire 18 blocks from the send; B gives up 6 blocks before.
    net.mine_blocks(11);
    assert_eq!(net.node(1).manager().held_forwards().len(), 1, "not yet");
    net.mine_blocks(2);
    assert_failed_at_b_temporarily(&mut net, &pending);
}

#[test]
fn held_forward_survives_a_restart_of_the_forwarder() {
    let (mut net, pending) = held_at_b();
    let held = net.node(1).manager().held_forwards();
    net.crash_and_restart(1).expect("restart");
    net.run_until_quiet();
    assert_eq!(net.node(1).manager().held_forwards(), held);
    net.connect(1, 2);
    net.finish_payment(&pending)
        .expect("paid after the restart and the reconnection");
}

#[test]
fn held_forwards_round_trip_through_the_manager_encoding() {
    let (net, _) = held_at_b();
    let saved = net.node(1).manager().encode();
    let params = || net.manager_params(1, b"test");
    let decoded = ChannelManager::decode(&saved, params()).expect("decode");
    assert_eq!(
        decoded.held_forwards(),
        net.node(1).manager().held_forwards()
    );
    let again = decoded.encode();
    let twice = ChannelManager::decode(&again, params())
        .expect("decode again")
        .encode();
    assert_eq!(again, twice);
}
