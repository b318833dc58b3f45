//! Functional test through the testkit network with channel monitors: the persister answers
//! `InProgress` at random points (the node's policy flips between holding and completing),
//! held writes complete in random order and counts, across several payments both ways. The
//! chain monitor reports updates to the manager in order; the channel keeps going and both
//! peers agree at the end.

use lightning::manager::Event;
use lightning::testkit::network::{
    Completion, CompletionOrder, MonitorPolicy, Network, PendingPayment,
};

const FUNDING_SAT: u64 = 1_000_000;
const PUSH_MSAT: u64 = 400_000_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn run_seed(seed: u64) {
    let mut rng = Rng(seed);
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, PUSH_MSAT).expect("setup payment");
    let mut pays: Vec<PendingPayment> = Vec::new();
    let mut claimed: Vec<bool> = Vec::new();
    for step in 0..40u64 {
        for node in 0..2 {
            let policy = if rng.next().is_multiple_of(2) {
                MonitorPolicy::Hold
            } else {
                MonitorPolicy::CompleteImmediately
            };
            net.set_monitor_policy(node, policy);
        }
        match rng.next() % 4 {
            0 if pays.len() < 10 => {
                let from = (rng.next() % 2) as usize;
                let amount = 1_000_000 + step * 10_007;
                if let Ok(pay) = net.send_payment(from, 1 - from, amount) {
                    pays.push(pay);
                    claimed.push(false);
                }
            }
            1 => {
                let node = (rng.next() % 2) as usize;
                let count = (rng.next() % 3) as usize;
                let order = if rng.next().is_multiple_of(2) {
                    CompletionOrder::OldestFirst
                } else {
                    CompletionOrder::NewestFirst
                };
                net.complete_monitor_updates(node, Completion::Count(count), order);
            }
            _ => {}
        }
        net.run_until_quiet();
        for (pay, done) in pays.iter().zip(claimed.iter_mut()) {
            if !*done && net.claim_payment(pay.to, pay.payment_hash) {
                *done = true;
            }
        }
    }
    // Drain: complete everything until nothing is held and every payment is claimed.
    for _ in 0..50 {
        for node in 0..2 {
            net.set_monitor_policy(node, MonitorPolicy::CompleteImmediately);
            net.complete_monitor_updates(node, Completion::All, CompletionOrder::NewestFirst);
        }
        net.run_until_quiet();
        for (pay, done) in pays.iter().zip(claimed.iter_mut()) {
            if !*done && net.claim_payment(pay.to, pay.payment_hash) {
                *done = true;
            }
        }
    }
    let context = format!("seed {seed}");
    assert!(claimed.iter().all(|done| *done), "{context}: all claimed");
    let mut expected = [FUNDING_SAT * 1000 - PUSH_MSAT, PUSH_MSAT];
    for pay in &pays {
        let sent = net.node_mut(pay.from).take_events_where(|event| {
            matches!(event, Event::PaymentSent { payment_id, .. } if *payment_id == pay.payment_id)
        });
        assert_eq!(sent.len(), 1, "{context}: payment sent once");
        expected[pay.from] -= pay.amount_msat;
        expected[pay.to] += pay.amount_msat;
    }
    for (node, expected_msat) in expected.into_iter().enumerate() {
        let test_node = net.node(node);
        assert!(test_node.held_monitor_updates().is_empty(), "{context}");
        assert!(test_node.monitor_errors().is_empty(), "{context}");
        let monitors = test_node.chain_monitor();
        assert!(
            !monitors.is_paused(&channel),
            "{context}: node {node} paused"
        );
        assert!(
            monitors.in_progress_updates(&channel).is_empty(),
            "{context}"
        );
        assert_eq!(
            net.balance_msat(node, channel),
            Some(expected_msat),
            "{context}"
        );
        let details = test_node.channel(channel).expect("channel open");
        assert_eq!(
            details.pending_htlcs, 0,
            "{context}: node {node} HTLCs left"
        );
    }
    // Both sides still have their monitor watching the channel.
    assert!(
        net.node(0).chain_monitor().get_monitor(&channel).is_some()
            && net.node(1).chain_monitor().get_monitor(&channel).is_some()
    );
}

#[test]
fn random_in_progress_persistence_keeps_channels_going() {
    for seed in [1u64, 7, 42, 1234, 99_991] {
        run_seed(seed);
    }
}
