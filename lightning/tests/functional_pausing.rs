//! Functional tests through the testkit network: monitor updates held (`InProgress`) at each
//! step of the commitment dance and of the opening, completed later and out of order; both
//! peers end in the same state and payments complete.

use lightning::bitcoin::Amount;
use lightning::manager::Event;
use lightning::testkit::network::{
    Completion, CompletionOrder, MonitorPolicy, Network, NodeConfig, PendingPayment,
};
use lightning::wire::ChannelId;

const FUNDING_SAT: u64 = 1_000_000;
const START_PAYMENT_MSAT: u64 = 400_000_000;

/// Two nodes with a funded channel (both sides hold funds), then both set to hold their
/// monitor updates.
fn two_holding_nodes() -> (Network, ChannelId) {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, START_PAYMENT_MSAT).expect("setup payment");
    net.set_monitor_policy(0, MonitorPolicy::Hold);
    net.set_monitor_policy(1, MonitorPolicy::Hold);
    (net, channel)
}

/// Claims every payment that became claimable at its recipient.
fn claim_ready(net: &mut Network, pays: &[PendingPayment], claimed: &mut [bool]) {
    for (pay, done) in pays.iter().zip(claimed.iter_mut()) {
        if !*done && net.claim_payment(pay.to, pay.payment_hash) {
            *done = true;
        }
    }
}

/// Checks the end state: no held update, every payment sent and claimed once, both sides
/// agree on balances that moved by exactly the payments, no closure.
fn assert_settled(net: &mut Network, channel: ChannelId, pays: &[PendingPayment], context: &str) {
    let mut expected = [FUNDING_SAT * 1000 - START_PAYMENT_MSAT, START_PAYMENT_MSAT];
    for pay in pays {
        let sent = net.node_mut(pay.from).take_events_where(|event| {
            matches!(event, Event::PaymentSent { payment_id, .. } if *payment_id == pay.payment_id)
        });
        assert_eq!(sent.len(), 1, "{context}: payment sent once");
        let claimed = net.node_mut(pay.to).take_events_where(|event| {
            matches!(event, Event::PaymentClaimed { payment_hash, .. } if *payment_hash == pay.payment_hash)
        });
        assert_eq!(claimed.len(), 1, "{context}: payment claimed once");
        expected[pay.from] -= pay.amount_msat;
        expected[pay.to] += pay.amount_msat;
    }
    for node in 0..2 {
        assert!(
            net.node(node).held_monitor_updates().is_empty(),
            "{context}: node {node} still holds updates"
        );
        assert!(
            net.node(node).events().is_empty(),
            "{context}: node {node} has unexpected events {:?}",
            net.node(node).events()
        );
    }
    let a = net.node(0).channel(channel).expect("node 0 channel");
    let b = net.node(1).channel(channel).expect("node 1 channel");
    assert_eq!([a.balance_msat, b.balance_msat], expected, "{context}");
    assert_eq!((a.pending_htlcs, b.pending_htlcs), (0, 0), "{context}");
    assert!(a.is_usable && b.is_usable, "{context}");
}

/// Runs `script` with every monitor update completed as soon as the network is quiet,
/// except the `pause`-th update to appear, which stays held until nothing else can move
/// (then it is completed). Returns how many updates appeared in all.
fn run_with_pause(script: &[(usize, u64)], pause: Option<usize>) -> usize {
    let (mut net, channel) = two_holding_nodes();
    let pays: Vec<PendingPayment> = script
        .iter()
        .map(|(from, amount)| net.send_payment(*from, 1 - from, *amount).expect("send"))
        .collect();
    let mut claimed = vec![false; pays.len()];
    let mut seen: Vec<(usize, ChannelId, u64)> = Vec::new();
    let context = format!("script {script:?}, pause at update {pause:?}");
    for _ in 0..500 {
        net.run_until_quiet();
        claim_ready(&mut net, &pays, &mut claimed);
        net.run_until_quiet();
        for node in 0..2 {
            for (channel_id, update_id) in net.node(node).held_monitor_updates().to_vec() {
                if !seen.contains(&(node, channel_id, update_id)) {
                    seen.push((node, channel_id, update_id));
                }
            }
        }
        let paused = pause.and_then(|k| seen.get(k).copied());
        let mut completed = false;
        for node in 0..2 {
            for (channel_id, update_id) in net.node(node).held_monitor_updates().to_vec() {
                if paused != Some((node, channel_id, update_id)) {
                    completed |= net.complete_monitor_update(node, channel_id, update_id);
                }
            }
        }
        if !completed {
            match paused {
                Some((node, channel_id, update_id))
                    if net.complete_monitor_update(node, channel_id, update_id) => {}
                _ => {
                    assert!(claimed.iter().all(|c| *c), "{context}: not all claimable");
                    assert_settled(&mut net, channel, &pays, &context);
                    return seen.len();
                }
            }
        }
    }
    panic!("{context}: did not settle");
}

#[test]
fn one_payment_paused_at_each_monitor_update() {
    let script = [(0, 25_000_000)];
    let total = run_with_pause(&script, None);
    assert!(
        total >= 4,
        "a payment takes several updates on each side: {total}"
    );
    for pause in 0..total {
        assert_eq!(run_with_pause(&script, Some(pause)), total);
    }
}

#[test]
fn payments_both_ways_paused_at_each_monitor_update() {
    let script = [(0, 25_000_000), (1, 11_000_000), (0, 3_000_000)];
    let total = run_with_pause(&script, None);
    for pause in 0..total {
        run_with_pause(&script, Some(pause));
    }
}

#[test]
fn updates_completed_newest_first() {
    let (mut net, channel) = two_holding_nodes();
    let script = [
        (0, 9_000_000),
        (1, 8_000_000),
        (0, 7_000_000),
        (1, 6_000_000),
    ];
    let pays: Vec<PendingPayment> = script
        .iter()
        .map(|(from, amount)| net.send_payment(*from, 1 - from, *amount).expect("send"))
        .collect();
    let mut claimed = vec![false; pays.len()];
    let mut out_of_order = false;
    for round in 0..200 {
        net.run_until_quiet();
        claim_ready(&mut net, &pays, &mut claimed);
        net.run_until_quiet();
        let mut completed = 0;
        // Alternate which node completes first; each completes everything newest first.
        for node in [round % 2, 1 - round % 2] {
            let done =
                net.complete_monitor_updates(node, Completion::All, CompletionOrder::NewestFirst);
            out_of_order |= done.windows(2).any(|w| w[0].1 > w[1].1);
            completed += done.len();
            net.run_until_quiet();
        }
        if completed == 0 {
            assert!(out_of_order, "some completions came out of order");
            assert!(claimed.iter().all(|c| *c));
            assert_settled(&mut net, channel, &pays, "newest first");
            return;
        }
    }
    panic!("did not settle");
}

#[test]
fn partial_completion_pauses_the_channel_until_the_rest() {
    let (mut net, channel) = two_holding_nodes();
    let pay = net.send_payment(0, 1, 12_000_000).expect("send");
    net.run_until_quiet();
    // Node 0 has not completed its commitment update: its commitment_signed is held.
    assert!(!net.node(0).held_monitor_updates().is_empty());
    assert!(
        net.node(1).held_monitor_updates().is_empty(),
        "node 1 got no commitment_signed, so it has nothing to persist"
    );
    assert!(net.node(1).events().is_empty(), "nothing claimable yet");
    // One at a time, oldest first, alternating nodes: the payment completes.
    let mut claimed = [false];
    for round in 0..100 {
        claim_ready(&mut net, std::slice::from_ref(&pay), &mut claimed);
        let node = round % 2;
        net.complete_monitor_updates(node, Completion::Count(1), CompletionOrder::OldestFirst);
        net.run_until_quiet();
        let idle = (0..2).all(|n| net.node(n).held_monitor_updates().is_empty());
        if idle && claimed[0] && net.queued_messages(0, 1).is_empty() {
            break;
        }
    }
    assert_settled(&mut net, channel, &[pay], "one at a time");
}

#[test]
fn opening_with_held_updates_waits_and_completes() {
    let mut configs = vec![NodeConfig::for_index(0), NodeConfig::for_index(1)];
    for config in &mut configs {
        config.monitor_policy = MonitorPolicy::Hold;
    }
    let mut net = Network::with_nodes(configs);
    net.connect(0, 1);
    let b = net.node(1).node_id();
    let temporary = net
        .node_mut(0)
        .manager_mut()
        .open_channel(b, FUNDING_SAT, 0, 77, None)
        .expect("open");
    net.run_until_quiet();
    let events = net.node_mut(0).take_events();
    let [Event::FundingGenerationReady { output_script, .. }] = events.as_slice() else {
        panic!("{events:?}");
    };
    let funding = net
        .create_funding_transaction(0, output_script, Amount::from_sat(FUNDING_SAT))
        .expect("wallet pays");
    net.node_mut(0)
        .manager_mut()
        .funding_transaction_generated(temporary, b, funding.clone())
        .expect("funding");
    net.run_until_quiet();
    // Node 1 holds its initial monitor: funding_signed waits, nothing is broadcast.
    assert_eq!(net.node(1).held_monitor_updates().len(), 1);
    assert_eq!(net.node(1).held_monitor_updates()[0].1, 0);
    assert!(net.node(0).broadcasts().is_empty());
    assert!(!net.chain().mempool_contains(&funding.compute_txid()));
    net.complete_monitor_updates(1, Completion::All, CompletionOrder::OldestFirst);
    net.run_until_quiet();
    // Node 0 now holds its own initial monitor: the funding is not broadcast until it is
    // durable.
    assert!(!net.node(0).held_monitor_updates().is_empty());
    assert!(!net.chain().mempool_contains(&funding.compute_txid()));
    net.complete_monitor_updates(0, Completion::All, CompletionOrder::OldestFirst);
    net.run_until_quiet();
    assert!(net.chain().mempool_contains(&funding.compute_txid()));
    let mut ready = [false, false];
    for _ in 0..10 {
        net.mine_blocks(1);
        for node in 0..2 {
            net.complete_monitor_updates(node, Completion::All, CompletionOrder::NewestFirst);
        }
        net.run_until_quiet();
        for (node, done) in ready.iter_mut().enumerate() {
            *done |= net
                .node(node)
                .events()
                .iter()
                .any(|e| matches!(e, Event::ChannelReady { .. }));
        }
    }
    assert_eq!(ready, [true, true]);
    // Payments work with updates completed as they come.
    net.set_monitor_policy(0, MonitorPolicy::CompleteImmediately);
    net.set_monitor_policy(1, MonitorPolicy::CompleteImmediately);
    net.pay(0, 1, 30_000_000)
        .expect("payment on the new channel");
}
