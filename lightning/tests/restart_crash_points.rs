//! A forwarded payment A→B→C where one node crashes right after each of its persistence
//! points during the payment and restarts from its store: no HTLC lost, no force close,
//! exactly one `PaymentSent`, `PaymentClaimed` and `PaymentForwarded`, balances that agree.

use lightning::manager::{Event, RecipientOnionFields, SendError};
use lightning::testkit::network::{
    Completion, CompletionOrder, MonitorPolicy, Network, PendingPayment,
};
use lightning::wire::{ChannelId, PaymentPreimage};

const FUNDING_SAT: u64 = 1_000_000;
const AMOUNT_MSAT: u64 = 40_000_000;

struct Line {
    net: Network,
    channels: [ChannelId; 2],
    broadcasts_before: [usize; 3],
}

fn line() -> Line {
    let mut net = Network::new(3);
    let ab = net.open_channel(0, 1, FUNDING_SAT, 0);
    let bc = net.open_channel(1, 2, FUNDING_SAT, 0);
    let broadcasts_before = [0, 1, 2].map(|i| net.node(i).broadcasts().len());
    Line {
        net,
        channels: [ab, bc],
        broadcasts_before,
    }
}

fn count(net: &Network, node: usize, pick: impl Fn(&Event) -> bool) -> usize {
    net.node(node).events().iter().filter(|e| pick(e)).count()
}

/// Runs the payment to its end: run until quiet; C claims (again, if a crash lost its
/// claim) until it reports `PaymentClaimed`.
fn drive(net: &mut Network, pending: &PendingPayment) {
    let mut preimage: Option<PaymentPreimage> = None;
    for _ in 0..8 {
        net.run_until_quiet();
        for node in 0..3 {
            // Asynchronous persistence: the writes land, their completions come later.
            net.complete_monitor_updates(node, Completion::All, CompletionOrder::OldestFirst);
        }
        net.run_until_quiet();
        for event in net.node(2).events() {
            if let Event::PaymentClaimable {
                payment_hash,
                payment_preimage: Some(p),
                ..
            } = event
            {
                if *payment_hash == pending.payment_hash {
                    preimage = Some(*p);
                }
            }
        }
        let claimed = count(net, 2, |e| matches!(e, Event::PaymentClaimed { .. }));
        let Some(preimage) = preimage.filter(|_| claimed == 0) else {
            continue;
        };
        // Refused when the payment is not claimable (yet, or any more).
        let _ = net.node_mut(2).manager_mut().claim_funds(preimage);
    }
    net.run_until_quiet();
}

fn assert_paid_once(line: &Line, pending: &PendingPayment, context: &str) {
    let net = &line.net;
    let sent = count(
        net,
        0,
        |e| matches!(e, Event::PaymentSent { payment_id, .. } if *payment_id == pending.payment_id),
    );
    let failed = count(net, 0, |e| matches!(e, Event::PaymentFailed { .. }));
    assert_eq!(
        (sent, failed),
        (1, 0),
        "{context}: {:?}",
        net.node(0).events()
    );
    let claimed = count(
        net,
        2,
        |e| matches!(e, Event::PaymentClaimed { payment_hash, .. } if *payment_hash == pending.payment_hash),
    );
    assert_eq!(claimed, 1, "{context}: {:?}", net.node(2).events());
    let forwarded = count(net, 1, |e| matches!(e, Event::PaymentForwarded { .. }));
    assert_eq!(forwarded, 1, "{context}: {:?}", net.node(1).events());
    for node in 0..3 {
        assert_eq!(
            count(net, node, |e| matches!(e, Event::ChannelClosed { .. })),
            0,
            "{context}: node {node} closed a channel"
        );
        assert_eq!(
            net.node(node).broadcasts().len(),
            line.broadcasts_before[node],
            "{context}: node {node} broadcast"
        );
        for channel in net.node(node).channels() {
            assert!(channel.is_usable, "{context}: node {node} {channel:?}");
            assert_eq!(
                channel.pending_htlcs, 0,
                "{context}: node {node} {channel:?}"
            );
        }
    }
    let [ab, bc] = line.channels;
    for (a, b, channel) in [(0, 1, ab), (1, 2, bc)] {
        let sum = net.balance_msat(a, channel).unwrap() + net.balance_msat(b, channel).unwrap();
        assert_eq!(sum, FUNDING_SAT * 1000, "{context}: channel {a}-{b}");
    }
    assert_eq!(net.balance_msat(2, bc), Some(AMOUNT_MSAT), "{context}");
    let fee = net.balance_msat(1, ab).unwrap() - AMOUNT_MSAT;
    assert!(fee > 0, "{context}: B earned its fee");
}

/// The number of persistence points `node` makes during the payment, without a crash.
fn points_during_payment(node: usize, policy: MonitorPolicy) -> u64 {
    let mut line = line();
    line.net.set_monitor_policy(node, policy);
    let before = line.net.persistence_points(node);
    let pending = line
        .net
        .send_payment_along(&[0, 1, 2], AMOUNT_MSAT)
        .unwrap();
    drive(&mut line.net, &pending);
    assert_paid_once(&line, &pending, "no crash");
    line.net.persistence_points(node) - before
}

fn crash_at_every_point(node: usize) -> u64 {
    crash_at_every_point_with(node, MonitorPolicy::CompleteImmediately)
}

fn crash_at_every_point_with(node: usize, policy: MonitorPolicy) -> u64 {
    let total = points_during_payment(node, policy);
    assert!(
        total > 3,
        "node {node} persists during the payment ({total})"
    );
    for point in 1..=total {
        let mut line = line();
        line.net.set_monitor_policy(node, policy);
        let pending = line
            .net
            .send_payment_along(&[0, 1, 2], AMOUNT_MSAT)
            .unwrap();
        line.net.crash_after_persistence_points(node, point);
        drive(&mut line.net, &pending);
        let context = format!("node {node} crashed after point {point} of {total}");
        assert_eq!(
            line.net.armed_crash(),
            None,
            "{context}: the crash happened"
        );
        assert_eq!(line.net.node(node).restarts(), 1, "{context}");
        assert_paid_once(&line, &pending, &context);
        assert!(line.net.node(node).monitor_errors().is_empty(), "{context}");
    }
    total
}

#[test]
fn forwarder_crashes_after_every_persistence_point() {
    crash_at_every_point(1);
}

#[test]
fn forwarder_with_asynchronous_persistence_crashes_after_every_persistence_point() {
    crash_at_every_point_with(1, MonitorPolicy::Hold);
}

#[test]
fn payee_crashes_after_every_persistence_point() {
    crash_at_every_point(2);
}

#[test]
fn payer_crashes_after_every_persistence_point_and_its_payment_id_stays_used() {
    crash_at_every_point(0);
    // The id of a payment that completed across a restart cannot be reused.
    let mut line = line();
    let pending = line
        .net
        .send_payment_along(&[0, 1, 2], AMOUNT_MSAT)
        .unwrap();
    line.net.crash_after_persistence_points(0, 3);
    drive(&mut line.net, &pending);
    assert_paid_once(&line, &pending, "payer crashed after point 3");
    line.net.crash_and_restart(0).expect("restart");
    line.net.run_until_quiet();
    let route = line.net.route_along(&[0, 1, 2], 1_000).unwrap();
    let now = line.net.now();
    let (hash, secret) =
        line.net
            .node_mut(2)
            .manager_mut()
            .create_inbound_payment(Some(1_000), 3600, now);
    let again = line.net.node_mut(0).manager_mut().send_payment(
        &route,
        hash,
        RecipientOnionFields::secret_only(secret),
        pending.payment_id,
    );
    assert_eq!(again, Err(SendError::DuplicatePayment));
}
