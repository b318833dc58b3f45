//! Exactly one `PaymentSent` or `PaymentFailed` per payment when the channel carrying it is
//! force closed (issue 7): an HTLC that may still be claimed on chain with its preimage is
//! never reported failed at close time; it waits for the monitor's verdict. Only an HTLC that
//! was never signed (it can never be on chain) fails at once.

mod force_close_support;

use force_close_support::{
    channel_with_payment_in_flight, claimable_preimage, count, failed, force_close_commitment,
    output_worth, sent, FUNDING_SAT,
};
use lightning::manager::Event;
use lightning::monitor::{MonitorEvent, ANTI_REORG_DELAY};
use lightning::testkit::network::Network;

const AMOUNT_MSAT: u64 = 50_000_000;

fn claimed(net: &Network, node: usize) -> usize {
    count(net, node, |event| {
        matches!(event, Event::PaymentClaimed { .. })
    })
}

/// The HTLC is claimable at B when `closer` force closes; B claims after the close. B's
/// monitor claims the HTLC output with the preimage; A learns it on chain.
fn claim_after_force_close(closer: usize) {
    let (mut net, channel, pending) = channel_with_payment_in_flight(AMOUNT_MSAT);
    let preimage = claimable_preimage(&mut net, 1);
    net.drop_connection(0, 1);
    let commitment = force_close_commitment(&mut net, closer, 1 - closer, channel);
    assert_eq!(
        failed(&net, 0, pending.payment_id),
        0,
        "not failed at close"
    );
    let b_destination = net.node_mut(1).destination_script();
    let a_destination = net.node_mut(0).destination_script();

    net.mine_blocks(1);
    net.node_mut(1)
        .manager_mut()
        .claim_funds(preimage)
        .expect("still claimable after the close");
    net.run_until_quiet();
    assert_eq!(claimed(&net, 1), 1, "PaymentClaimed once");
    for _ in 0..400 {
        net.mine_blocks(1);
        assert_eq!(
            failed(&net, 0, pending.payment_id),
            0,
            "never PaymentFailed"
        );
    }
    assert_eq!(
        sent(&net, 0, pending.payment_id),
        vec![preimage],
        "one PaymentSent"
    );
    assert_eq!(claimed(&net, 1), 1, "PaymentClaimed once");
    let htlc = output_worth(&commitment, AMOUNT_MSAT / 1000);
    let chain = net.chain();
    assert!(
        chain.tx_confirmations(&commitment.compute_txid()).is_some(),
        "the closer's commitment confirmed"
    );
    assert!(
        chain.spending_txid(&htlc).is_some(),
        "the HTLC output is spent"
    );
    assert!(
        net.node(1)
            .monitor_events()
            .iter()
            .any(|event| matches!(event, MonitorEvent::SpendableOutputs { .. })),
        "B's monitor swept what it claimed"
    );
    // Money adds up: B gets the HTLC, A the rest, each minus bounded fees.
    let b_got = net.chain().balance_of(&b_destination).to_sat();
    let a_got = net.chain().balance_of(&a_destination).to_sat();
    let htlc_sat = AMOUNT_MSAT / 1000;
    assert!(
        b_got <= htlc_sat && b_got + 10_000 > htlc_sat,
        "B receives the HTLC minus claim fees: {b_got}"
    );
    let a_side = FUNDING_SAT - htlc_sat;
    assert!(
        a_got <= a_side && a_got + 30_000 > a_side,
        "A receives its side minus fees: {a_got}"
    );
    for node in 0..2 {
        assert!(net.node(node).monitor_errors().is_empty(), "node {node}");
    }
}

#[test]
fn payer_force_closes_then_payee_claims_on_chain() {
    claim_after_force_close(0);
}

#[test]
fn payee_force_closes_then_claims_on_chain() {
    claim_after_force_close(1);
}

#[test]
fn unclaimed_htlc_fails_only_once_its_timeout_is_final() {
    let (mut net, channel, pending) = channel_with_payment_in_flight(AMOUNT_MSAT);
    let _ = claimable_preimage(&mut net, 1);
    net.drop_connection(0, 1);
    let commitment = force_close_commitment(&mut net, 0, 1, channel);
    assert_eq!(
        failed(&net, 0, pending.payment_id),
        0,
        "not failed at close"
    );
    let htlc = output_worth(&commitment, AMOUNT_MSAT / 1000);
    let mut failed_at = None;
    for _ in 0..400 {
        net.mine_blocks(1);
        let confirmations = net
            .chain()
            .spending_txid(&htlc)
            .and_then(|txid| net.chain().tx_confirmations(&txid));
        let count = failed(&net, 0, pending.payment_id);
        assert!(count <= 1, "PaymentFailed at most once");
        let deep = confirmations.is_some_and(|c| c >= ANTI_REORG_DELAY);
        assert_eq!(
            count == 1,
            deep,
            "PaymentFailed exactly when the timeout claim is final ({confirmations:?})"
        );
        if count == 1 && failed_at.is_none() {
            failed_at = confirmations;
        }
    }
    assert_eq!(failed_at, Some(ANTI_REORG_DELAY), "failed as soon as final");
    assert!(sent(&net, 0, pending.payment_id).is_empty(), "never sent");
    assert!(
        net.node(0).monitor_events().iter().any(|event| matches!(event,
            MonitorEvent::HtlcFailed { payment_hash, .. } if *payment_hash == pending.payment_hash)),
        "A's monitor timed the HTLC out"
    );
}

#[test]
fn dust_htlc_fails_once_the_commitment_is_final_and_not_before_despite_a_reorg() {
    const DUST_MSAT: u64 = 300_000;
    let (mut net, channel, pending) = channel_with_payment_in_flight(DUST_MSAT);
    let _ = claimable_preimage(&mut net, 1);
    net.drop_connection(0, 1);
    let commitment = force_close_commitment(&mut net, 0, 1, channel);
    let txid = commitment.compute_txid();
    assert!(
        !commitment
            .output
            .iter()
            .any(|output| output.value.to_sat() == DUST_MSAT / 1000),
        "the HTLC is trimmed"
    );
    assert_eq!(
        failed(&net, 0, pending.payment_id),
        0,
        "not failed at close"
    );
    // Up to one block short of final, then a reorg re-mines the commitment one block deep.
    net.mine_blocks(ANTI_REORG_DELAY - 1);
    assert_eq!(
        net.chain().tx_confirmations(&txid),
        Some(ANTI_REORG_DELAY - 1)
    );
    assert_eq!(failed(&net, 0, pending.payment_id), 0, "not final yet");
    net.chain_mut().reorg(ANTI_REORG_DELAY - 1, 1);
    net.sync_chain();
    net.run_until_quiet();
    assert_eq!(net.chain().tx_confirmations(&txid), Some(1), "re-mined");
    assert_eq!(
        failed(&net, 0, pending.payment_id),
        0,
        "not final after the reorg"
    );
    for depth in 2..ANTI_REORG_DELAY {
        net.mine_blocks(1);
        assert_eq!(net.chain().tx_confirmations(&txid), Some(depth));
        assert_eq!(failed(&net, 0, pending.payment_id), 0, "depth {depth}");
    }
    net.mine_blocks(1);
    assert_eq!(failed(&net, 0, pending.payment_id), 1, "failed once final");
    for _ in 0..20 {
        net.mine_blocks(1);
    }
    assert_eq!(failed(&net, 0, pending.payment_id), 1, "exactly once");
    assert!(sent(&net, 0, pending.payment_id).is_empty());
}

#[test]
fn unsigned_htlc_fails_at_close_and_one_only_in_the_peers_commitment_once_final() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    // B's answer to the first HTLC never comes back: A waits for revoke_and_ack, so the
    // second HTLC is proposed but never covered by a commitment_signed.
    net.hold(1, 0);
    let signed = net.send_payment(0, 1, AMOUNT_MSAT).expect("first");
    net.run_until_quiet();
    let unsigned = net.send_payment(0, 1, AMOUNT_MSAT).expect("second");
    net.run_until_quiet();
    net.drop_connection(0, 1);
    let commitment = force_close_commitment(&mut net, 0, 1, channel);
    assert_eq!(
        failed(&net, 0, unsigned.payment_id),
        1,
        "the never-signed HTLC fails at once"
    );
    assert_eq!(
        failed(&net, 0, signed.payment_id),
        0,
        "the signed one may be on chain (in B's commitment)"
    );
    assert!(
        !commitment
            .output
            .iter()
            .any(|output| output.value.to_sat() == AMOUNT_MSAT / 1000),
        "A's own commitment holds neither"
    );
    let txid = commitment.compute_txid();
    net.mine_blocks(1);
    while net.chain().tx_confirmations(&txid) < Some(ANTI_REORG_DELAY) {
        assert_eq!(failed(&net, 0, signed.payment_id), 0, "not final yet");
        net.mine_blocks(1);
    }
    assert_eq!(
        failed(&net, 0, signed.payment_id),
        1,
        "fails once A's commitment (which does not hold it) is final"
    );
    for _ in 0..10 {
        net.mine_blocks(1);
    }
    assert_eq!(failed(&net, 0, signed.payment_id), 1, "exactly once");
    assert_eq!(failed(&net, 0, unsigned.payment_id), 1, "exactly once");
}
