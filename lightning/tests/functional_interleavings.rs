//! Functional tests through the testkit network: both sides adding HTLCs at the same time in
//! every delivery interleaving of small scripts (one Lightning message at a time), several
//! HTLCs in one commitment, and HTLCs failed back.

use lightning::manager::{Event, PaymentFailureReason};
use lightning::onion::FailureCode;
use lightning::testkit::network::{Network, PendingPayment};
use lightning::wire::{ChannelId, Message};

const FUNDING_SAT: u64 = 1_000_000;
/// What node 0 pays node 1 at setup, so both can send.
const START_PAYMENT_MSAT: u64 = 400_000_000;

/// Two nodes with an open channel where both sides hold funds.
fn two_funded_nodes() -> (Network, ChannelId) {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, START_PAYMENT_MSAT).expect("setup payment");
    (net, channel)
}

/// Starts the script: `(from, amount)` payments, each sent before anything is delivered.
fn start(net: &mut Network, script: &[(usize, u64)]) -> Vec<PendingPayment> {
    let pays = script
        .iter()
        .map(|(from, amount)| net.send_payment(*from, 1 - from, *amount).expect("send"))
        .collect();
    net.collect_all();
    pays
}

/// Both sides agree on the channel: balances add up and the HTLC counts match.
fn assert_agree(net: &Network, channel: ChannelId) -> (u64, u64, usize) {
    let a = net.node(0).channel(channel).expect("node 0 channel");
    let b = net.node(1).channel(channel).expect("node 1 channel");
    assert_eq!(a.pending_htlcs, b.pending_htlcs, "{a:?} {b:?}");
    assert!(a.is_usable && b.is_usable, "{a:?} {b:?}");
    (a.balance_msat, b.balance_msat, a.pending_htlcs)
}

/// Claims every payment of the script, runs, and checks each payer got `PaymentSent` and the
/// balances moved by exactly the script's amounts.
fn settle_and_check(net: &mut Network, channel: ChannelId, pays: &[PendingPayment]) {
    for pay in pays {
        assert!(
            net.claim_payment(pay.to, pay.payment_hash),
            "payment {:?} claimable at node {}",
            pay.payment_hash,
            pay.to
        );
    }
    net.run_until_quiet();
    let mut expected = [FUNDING_SAT * 1000 - START_PAYMENT_MSAT, START_PAYMENT_MSAT];
    for pay in pays {
        let sent = net.node_mut(pay.from).take_events_where(|event| {
            matches!(event, Event::PaymentSent { payment_id, .. } if *payment_id == pay.payment_id)
        });
        assert_eq!(sent.len(), 1, "payment {:?} sent once", pay.payment_id);
        expected[pay.from] -= pay.amount_msat;
        expected[pay.to] += pay.amount_msat;
    }
    let (a, b, htlcs) = assert_agree(net, channel);
    assert_eq!([a, b], expected);
    assert_eq!(htlcs, 0);
}

/// Runs `script` under every order of delivering one message at a time between the two
/// nodes (a depth-first walk over the choice points where both directions have a message),
/// checking each run ends in agreement and settles. Returns the number of orders.
fn explore(script: &[(usize, u64)], max_runs: usize) -> usize {
    let mut to_visit: Vec<Vec<bool>> = vec![Vec::new()];
    let mut runs = 0;
    while let Some(prefix) = to_visit.pop() {
        runs += 1;
        assert!(runs <= max_runs, "more than {max_runs} interleavings");
        let (mut net, channel) = two_funded_nodes();
        let pays = start(&mut net, script);
        let mut choices: Vec<bool> = Vec::new();
        let mut delivered = Vec::new();
        loop {
            let from_a = net.next_message(0, 1).is_some();
            let from_b = net.next_message(1, 0).is_some();
            let from = match (from_a, from_b) {
                (false, false) => break,
                (true, false) => 0,
                (false, true) => 1,
                (true, true) => {
                    let choice = match prefix.get(choices.len()) {
                        Some(choice) => *choice,
                        None => {
                            let mut other = choices.clone();
                            other.push(true);
                            to_visit.push(other);
                            false
                        }
                    };
                    choices.push(choice);
                    usize::from(choice)
                }
            };
            let message = net.deliver_next(from, 1 - from).expect("queued message");
            delivered.push((from, message.msg_type()));
            assert!(
                delivered.len() < 200,
                "no end to the exchange: {delivered:?}"
            );
        }
        let (_, _, htlcs) = assert_agree(&net, channel);
        assert_eq!(
            htlcs,
            script.len(),
            "every HTLC committed; order {delivered:?}"
        );
        for node in 0..2 {
            let closed = net
                .node(node)
                .events()
                .iter()
                .any(|event| matches!(event, Event::ChannelClosed { .. }));
            assert!(
                !closed,
                "node {node} closed the channel; order {delivered:?}"
            );
        }
        settle_and_check(&mut net, channel, &pays);
    }
    runs
}

#[test]
fn simultaneous_adds_one_each_in_every_order() {
    let runs = explore(&[(0, 10_000_000), (1, 7_000_000)], 2_000);
    assert_eq!(runs, 48, "the delivery orders of this script");
}

#[test]
fn simultaneous_adds_two_against_one_in_every_order() {
    let runs = explore(&[(0, 10_000_000), (0, 3_000_000), (1, 7_000_000)], 5_000);
    assert_eq!(runs, 104, "the delivery orders of this script");
}

#[test]
fn several_htlcs_in_one_commitment() {
    let (mut net, channel) = two_funded_nodes();
    let pays = start(
        &mut net,
        &[
            (0, 10_000_000),
            (0, 20_000_000),
            (0, 30_000_000),
            (0, 40_000_000),
        ],
    );
    // Node 0 sent its first add with a commitment, then the other adds: the next commitment
    // must wait for node 1's revocation.
    let mut first_round = Vec::new();
    while let Some(message) = net.deliver_next(0, 1) {
        first_round.push(message.msg_type());
    }
    assert_eq!(
        first_round,
        [128, 132, 128, 128, 128],
        "add, commitment_signed, three adds"
    );
    // Node 1 answers; from now on record node 0's commitments.
    let mut signatures = Vec::new();
    loop {
        if net.deliver_next(1, 0).is_some() {
            continue;
        }
        match net.deliver_next(0, 1) {
            Some(Message::CommitmentSigned(msg)) => signatures.push(msg.htlc_signatures.len()),
            Some(_) => {}
            None => break,
        }
    }
    assert_eq!(
        signatures,
        [4],
        "one commitment signs the three new HTLCs with the first"
    );
    let (_, _, htlcs) = assert_agree(&net, channel);
    assert_eq!(htlcs, 4);
    settle_and_check(&mut net, channel, &pays);
}

#[test]
fn htlcs_failed_back_return_the_funds() {
    let (mut net, channel) = two_funded_nodes();
    let pays = start(&mut net, &[(0, 5_000_000), (1, 6_000_000), (0, 7_000_000)]);
    net.run_until_quiet();
    assert_eq!(assert_agree(&net, channel).2, 3);
    // Fail the first two back, claim the third.
    assert!(net.fail_payment(1, pays[0].payment_hash));
    assert!(net.fail_payment(0, pays[1].payment_hash));
    assert!(!net.fail_payment(0, pays[1].payment_hash), "only once");
    net.run_until_quiet();
    for pay in &pays[..2] {
        let failed = net.node_mut(pay.from).take_events_where(|event| {
            matches!(event, Event::PaymentFailed { payment_id, .. } if *payment_id == pay.payment_id)
        });
        let [Event::PaymentFailed {
            reason,
            payment_hash,
            ..
        }] = failed.as_slice()
        else {
            panic!("expected one PaymentFailed, got {failed:?}");
        };
        assert_eq!(*payment_hash, pay.payment_hash);
        let PaymentFailureReason::HopFailed {
            is_recipient: true,
            failure: Some(failure),
            ..
        } = reason
        else {
            panic!("the recipient's failure: {reason:?}");
        };
        assert_eq!(
            failure.failure.code(),
            FailureCode::INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS
        );
    }
    assert_eq!(assert_agree(&net, channel).2, 1);
    settle_and_check(&mut net, channel, &pays[2..]);
}
