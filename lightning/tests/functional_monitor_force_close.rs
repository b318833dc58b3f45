//! Functional test through the testkit network with channel monitors: a force close with
//! HTLCs in flight both ways while the counterparty is offline. Every HTLC is resolved on
//! chain (ours timed out, theirs claimed with the preimage), and every satoshi of our side of
//! the commitment reaches the destination script, minus the fees of the claim transactions.

use std::collections::BTreeSet;

use lightning::bitcoin::{OutPoint, Transaction, Txid};
use lightning::monitor::MonitorEvent;
use lightning::testkit::network::Network;
use lightning::testkit::SimChain;

const FUNDING_SAT: u64 = 1_000_000;
const PUSH_MSAT: u64 = 300_000_000;
const OUT_MSAT: u64 = 40_000_000;
const IN_MSAT: u64 = 30_000_000;

/// The value of `outpoint` in its confirmed transaction.
fn prevout_value(chain: &SimChain, outpoint: &OutPoint) -> u64 {
    let (_, tx) = chain
        .confirmed_transaction(&outpoint.txid)
        .expect("spent transaction confirmed");
    tx.output[outpoint.vout as usize].value.to_sat()
}

/// Fee of a confirmed transaction (inputs minus outputs).
fn fee(chain: &SimChain, tx: &Transaction) -> u64 {
    let inputs: u64 = tx
        .input
        .iter()
        .map(|input| prevout_value(chain, &input.previous_output))
        .sum();
    let outputs: u64 = tx.output.iter().map(|output| output.value.to_sat()).sum();
    inputs - outputs
}

#[test]
fn force_close_with_htlcs_both_ways_sweeps_everything_to_the_destination() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, PUSH_MSAT).expect("push payment");

    // HTLC 0 -> 1 that node 1 never claims; HTLC 1 -> 0 that node 0 claims.
    let out = net.send_payment(0, 1, OUT_MSAT).expect("send out");
    let inbound = net.send_payment(1, 0, IN_MSAT).expect("send in");
    net.run_until_quiet();
    // Node 0 claims, but node 1 is gone before the fulfil reaches it.
    net.hold(0, 1);
    assert!(
        net.claim_payment(0, inbound.payment_hash),
        "node 0 can claim"
    );
    net.run_until_quiet();
    net.drop_connection(0, 1);
    let to_remote_msat = FUNDING_SAT * 1000 - (FUNDING_SAT * 1000 - PUSH_MSAT) - IN_MSAT;
    let peer = net.node(1).node_id();
    net.node_mut(0)
        .manager_mut()
        .force_close_channel(channel, peer)
        .expect("force close");
    net.run_until_quiet();
    let commitment = net
        .node(0)
        .broadcasts()
        .last()
        .cloned()
        .expect("commitment broadcast");
    let commitment_txid = commitment.compute_txid();

    for _ in 0..400 {
        net.mine_blocks(1);
    }
    let chain = net.chain();
    assert!(
        chain.tx_confirmations(&commitment_txid).is_some(),
        "commitment confirmed"
    );

    // Both HTLCs resolved on chain: ours failed by timeout, theirs claimed with the preimage.
    let events = net.node(0).monitor_events().to_vec();
    assert!(
        events.iter().any(|event| matches!(event,
            MonitorEvent::HtlcFailed { payment_hash, amount_msat, .. }
                if *payment_hash == out.payment_hash && *amount_msat == OUT_MSAT)),
        "our HTLC timed out on chain: {events:?}"
    );
    assert!(net.node(0).monitor_errors().is_empty());
    // Their HTLC was claimed with the preimage: the peer's monitor read it from our claim.
    assert!(
        net.node(1).monitor_events().iter().any(|event| matches!(event,
            MonitorEvent::HtlcResolved { payment_hash, .. } if *payment_hash == inbound.payment_hash)),
        "the inbound HTLC was claimed on chain with its preimage"
    );

    // Every output of the commitment is spent except the peer's to_remote, which pays it.
    let destination = net.node_mut(0).destination_script();
    let chain = net.chain();
    // Anchors (330 sat each, left to anyone), the peer's to_remote (swept by the peer's own
    // monitor), and ours: to_local and both HTLC outputs, every one spent by node 0.
    let to_remote_sat = to_remote_msat / 1000;
    let mut ours: Vec<OutPoint> = Vec::new();
    let mut ours_on_commitment = 0u64;
    let mut anchors = 0u64;
    for (vout, output) in commitment.output.iter().enumerate() {
        let outpoint = OutPoint::new(commitment_txid, vout as u32);
        let value = output.value.to_sat();
        if value == 330 {
            anchors += value;
        } else if value == to_remote_sat {
            assert!(
                chain.spending_txid(&outpoint).is_some(),
                "the peer swept its to_remote"
            );
        } else {
            assert!(
                chain.spending_txid(&outpoint).is_some(),
                "output {vout} claimed"
            );
            ours.push(outpoint);
            ours_on_commitment += value;
        }
    }
    assert_eq!(ours.len(), 3, "to_local and two HTLC outputs");
    assert!(
        commitment
            .output
            .iter()
            .any(|o| o.value.to_sat() == OUT_MSAT / 1000)
            && commitment
                .output
                .iter()
                .any(|o| o.value.to_sat() == IN_MSAT / 1000),
        "both HTLCs are on the commitment"
    );
    let commitment_fee = fee(chain, &commitment);
    assert_eq!(
        ours_on_commitment + anchors + commitment_fee,
        (FUNDING_SAT * 1000 - PUSH_MSAT) / 1000 + IN_MSAT / 1000,
        "to_local + both HTLCs + anchors + commitment fee = node 0's side at close"
    );

    // Walk every claim from the commitment to the destination script: what arrived plus the
    // fees of the claim transactions is exactly what was ours on the commitment.
    let mut claim_fees = 0u64;
    let mut seen: BTreeSet<Txid> = BTreeSet::new();
    let mut frontier: Vec<Txid> = Vec::new();
    for outpoint in &ours {
        let spender = chain.spending_txid(outpoint).expect("claimed");
        if seen.insert(spender) {
            let (_, spending) = chain.confirmed_transaction(&spender).expect("confirmed");
            claim_fees += fee(chain, spending);
            frontier.push(spender);
        }
    }
    while let Some(txid) = frontier.pop() {
        let (_, tx) = chain.confirmed_transaction(&txid).expect("confirmed");
        let tx = tx.clone();
        for vout in 0..tx.output.len() {
            let outpoint = OutPoint::new(txid, vout as u32);
            if let Some(spender) = chain.spending_txid(&outpoint) {
                if seen.insert(spender) {
                    let (_, spending) = chain.confirmed_transaction(&spender).expect("confirmed");
                    claim_fees += fee(chain, spending);
                    frontier.push(spender);
                }
            }
        }
    }
    let arrived = chain.balance_of(&destination).to_sat();
    assert!(arrived > 0, "funds reached the destination script");
    assert_eq!(
        arrived + claim_fees,
        ours_on_commitment,
        "every satoshi of ours arrives, minus the claim fees ({claim_fees} sat)"
    );
    assert!(
        claim_fees < 20_000,
        "claim fees stay reasonable: {claim_fees}"
    );
}
