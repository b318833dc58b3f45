//! Functional tests through the testkit network: many payments both ways, a fee update, a
//! cooperative close whose confirmed outputs pay each side its balance, and three nodes.

use lightning::bitcoin::Amount;
use lightning::manager::{ClosureReason, Event};
use lightning::testkit::network::Network;

const FUNDING_SAT: u64 = 1_000_000;

/// The balances both nodes report for `channel`, checked to agree and to add up.
fn assert_balances(net: &Network, channel: lightning::wire::ChannelId, expected: [u64; 2]) {
    let a = net
        .node(0)
        .channel(channel)
        .expect("node 0 has the channel");
    let b = net
        .node(1)
        .channel(channel)
        .expect("node 1 has the channel");
    assert_eq!([a.balance_msat, b.balance_msat], expected);
    assert_eq!(a.pending_htlcs, 0);
    assert_eq!(b.pending_htlcs, 0);
    assert_eq!(a.balance_msat + b.balance_msat, FUNDING_SAT * 1000);
}

#[test]
fn fifty_payments_each_way_update_fee_and_cooperative_close() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    let mut expected = [FUNDING_SAT * 1000, 0];
    assert_balances(&net, channel, expected);

    // Give node 1 enough to be above its reserve, then pay back and forth.
    net.pay(0, 1, 300_000_000).expect("first payment");
    expected = [expected[0] - 300_000_000, expected[1] + 300_000_000];
    for i in 0..50u64 {
        let forward = 1_000_000 + i * 37_001;
        let outcome = net.pay(0, 1, forward).expect("payment 0 -> 1");
        assert_eq!(outcome.fee_paid_msat, Some(0));
        expected = [expected[0] - forward, expected[1] + forward];
        let back = 700_000 + i * 51_003;
        net.pay(1, 0, back).expect("payment 1 -> 0");
        expected = [expected[0] + back, expected[1] - back];
        assert_balances(&net, channel, expected);
    }
    for node in 0..2 {
        assert!(
            net.node(node).events().is_empty(),
            "node {node}: {:?}",
            net.node(node).events()
        );
    }

    // A fee update by the funder, then payments still work.
    net.node_mut(0).manager_mut().update_fee(2_500);
    net.run_until_quiet();
    net.pay(0, 1, 5_000_000).expect("payment after update_fee");
    net.pay(1, 0, 3_000_000)
        .expect("payment back after update_fee");
    expected = [expected[0] - 2_000_000, expected[1] + 2_000_000];
    assert_balances(&net, channel, expected);
    assert!(net.node(0).channel(channel).unwrap().is_usable);

    // Cooperative close: the confirmed outputs pay each side its balance, the funder paying
    // the fee.
    let before = [net.onchain_balance(0), net.onchain_balance(1)];
    let closing = net.close_channel(0, 1, channel);
    assert!(net.chain().mempool_contains(&closing.compute_txid()));
    let mined = net.mine_blocks(1);
    assert!(
        mined.confirmed.contains(&closing.compute_txid()),
        "{mined:?}"
    );
    let script_a = net.node_mut(0).shutdown_script();
    let script_b = net.node_mut(1).shutdown_script();
    let paid = |script| -> u64 {
        closing
            .output
            .iter()
            .filter(|out| out.script_pubkey == script)
            .map(|out| out.value.to_sat())
            .sum()
    };
    let (out_a, out_b) = (paid(script_a.clone()), paid(script_b.clone()));
    assert_eq!(
        out_b,
        expected[1] / 1000,
        "the fundee gets its balance exactly"
    );
    let fee = FUNDING_SAT - out_a - out_b;
    assert!(fee > 0 && fee < 5_000, "closing fee {fee}");
    assert_eq!(
        out_a,
        expected[0] / 1000 - (fee - (FUNDING_SAT - expected[0] / 1000 - expected[1] / 1000)),
        "the funder gets its balance minus the fee"
    );
    assert_eq!(closing.output.len(), 2);
    // The UTXOs on the chain say the same.
    assert_eq!(net.chain().balance_of(&script_b), Amount::from_sat(out_b));
    assert_eq!(net.onchain_balance(0), before[0] + Amount::from_sat(out_a));
    assert_eq!(net.onchain_balance(1), before[1] + Amount::from_sat(out_b));
    for node in 0..2 {
        assert_eq!(
            net.take_closures(node, channel),
            vec![ClosureReason::CooperativeClosure]
        );
        assert!(net.node(node).channel(channel).is_none());
    }
}

#[test]
fn push_msat_gives_the_fundee_a_starting_balance() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 100_000_000);
    assert_balances(
        &net,
        channel,
        [FUNDING_SAT * 1000 - 100_000_000, 100_000_000],
    );
    net.pay(1, 0, 10_000_000)
        .expect("the fundee can pay from its pushed balance");
    assert_balances(&net, channel, [FUNDING_SAT * 1000 - 90_000_000, 90_000_000]);
}

#[test]
fn three_nodes_two_channels_direct_payments() {
    let mut net = Network::new(3);
    let ab = net.open_channel(0, 1, FUNDING_SAT, 0);
    let bc = net.open_channel(1, 2, 2 * FUNDING_SAT, 0);
    assert_ne!(ab, bc);
    assert_eq!(net.node(1).channels().len(), 2);
    net.pay(0, 1, 100_000_000).expect("A pays B");
    net.pay(1, 2, 250_000_000)
        .expect("B pays C over the other channel");
    net.pay(2, 1, 50_000_000).expect("C pays B back");
    net.pay(1, 0, 40_000_000).expect("B pays A back");
    assert_eq!(net.balance_msat(0, ab), Some(940_000_000));
    assert_eq!(net.balance_msat(1, ab), Some(60_000_000));
    assert_eq!(net.balance_msat(1, bc), Some(1_800_000_000));
    assert_eq!(net.balance_msat(2, bc), Some(200_000_000));
    // A and C have no channel: a direct payment is refused.
    assert!(net.send_payment(0, 2, 1_000).is_err());
    for node in 0..3 {
        let unexpected: Vec<&Event> = net.node(node).events().iter().collect();
        assert!(unexpected.is_empty(), "node {node}: {unexpected:?}");
    }
}
