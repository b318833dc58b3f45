//! A forward A -> B -> C whose outgoing channel B-C is force closed while the HTLC is in
//! flight: B settles upstream with A only after the on-chain outcome, with the preimage the
//! chain revealed (A gets `PaymentSent`, B `PaymentForwarded`), or fails back only once the
//! timeout is final. And a forward whose upstream channel A-B closed: the preimage B learns
//! downstream goes to the A-B monitor, which claims the incoming HTLC on chain.

mod force_close_support;

use force_close_support::{
    claimable_preimage, count, failed, force_close_commitment, output_worth, sent, FUNDING_SAT,
};
use lightning::bitcoin::{OutPoint, Transaction};
use lightning::manager::{Event, PaymentId};
use lightning::monitor::{MonitorEvent, ANTI_REORG_DELAY};
use lightning::testkit::network::Network;
use lightning::wire::{ChannelId, PaymentHash};

const AMOUNT_MSAT: u64 = 20_000_000;

struct Line {
    net: Network,
    ab: ChannelId,
    bc: ChannelId,
    payment_hash: PaymentHash,
    payment_id: PaymentId,
    fee_msat: u64,
}

/// Three nodes A-B-C, and a payment A -> C through B in flight (claimable at C).
fn line_with_payment_in_flight() -> Line {
    let mut net = Network::new(3);
    let ab = net.open_channel(0, 1, FUNDING_SAT, 0);
    let bc = net.open_channel(1, 2, FUNDING_SAT, 0);
    let policy = net.node(1).manager().config().forwarding_policy;
    let fee_msat = policy.fee_msat(AMOUNT_MSAT).unwrap();
    let pending = net
        .send_payment_along(&[0, 1, 2], AMOUNT_MSAT)
        .expect("payment starts");
    net.run_until_quiet();
    Line {
        net,
        ab,
        bc,
        payment_hash: pending.payment_hash,
        payment_id: pending.payment_id,
        fee_msat,
    }
}

fn b_forwarded(net: &Network) -> usize {
    count(net, 1, |e| matches!(e, Event::PaymentForwarded { .. }))
}

fn htlc_output(commitment: &Transaction) -> OutPoint {
    output_worth(commitment, AMOUNT_MSAT / 1000)
}

#[test]
fn downstream_closed_then_claimed_on_chain_settles_upstream_off_chain() {
    let Line {
        mut net,
        ab,
        bc,
        payment_hash,
        payment_id,
        fee_msat,
    } = line_with_payment_in_flight();
    let preimage = claimable_preimage(&mut net, 2);
    net.drop_connection(1, 2);
    let commitment = force_close_commitment(&mut net, 1, 2, bc);
    assert_eq!(
        failed(&net, 0, payment_id),
        0,
        "B does not fail back at close"
    );
    assert_eq!(
        count(&net, 0, |e| matches!(e, Event::PaymentPathFailed { .. })),
        0
    );
    net.mine_blocks(1);
    // C claims after the close: its monitor claims the HTLC on B's commitment.
    net.node_mut(2)
        .manager_mut()
        .claim_funds(preimage)
        .expect("claimable at C");
    net.run_until_quiet();
    for _ in 0..30 {
        net.mine_blocks(1);
    }
    assert!(
        net.chain()
            .spending_txid(&htlc_output(&commitment))
            .is_some(),
        "C claimed the HTLC output"
    );
    assert!(
        net.node(1).monitor_events().iter().any(|e| matches!(e,
            MonitorEvent::HtlcResolved { channel_id, payment_hash: hash, .. }
                if *channel_id == bc && *hash == payment_hash)),
        "B's monitor learnt the preimage on chain"
    );
    assert_eq!(
        sent(&net, 0, payment_id),
        vec![preimage],
        "A gets PaymentSent once"
    );
    assert_eq!(failed(&net, 0, payment_id), 0, "never PaymentFailed");
    assert_eq!(b_forwarded(&net), 1, "B reports the forward once");
    // A-B settled off chain: B holds the forwarded amount plus its fee.
    assert_eq!(net.balance_msat(1, ab), Some(AMOUNT_MSAT + fee_msat));
    for node in 0..3 {
        assert!(net.node(node).monitor_errors().is_empty(), "node {node}");
    }
}

#[test]
fn downstream_closed_and_timed_out_fails_upstream_only_once_final() {
    let Line {
        mut net,
        ab,
        bc,
        payment_id,
        ..
    } = line_with_payment_in_flight();
    let _ = claimable_preimage(&mut net, 2);
    net.drop_connection(1, 2);
    let commitment = force_close_commitment(&mut net, 1, 2, bc);
    let htlc = htlc_output(&commitment);
    let mut failed_at = None;
    for _ in 0..200 {
        net.mine_blocks(1);
        let confirmations = net
            .chain()
            .spending_txid(&htlc)
            .and_then(|txid| net.chain().tx_confirmations(&txid));
        let failures = failed(&net, 0, payment_id);
        assert!(failures <= 1, "PaymentFailed at most once");
        if failures == 1 && failed_at.is_none() {
            failed_at = Some(confirmations);
        }
        if failures == 0 {
            assert!(
                confirmations.is_none_or(|c| c < ANTI_REORG_DELAY),
                "failed back as soon as the timeout is final"
            );
        }
    }
    assert_eq!(
        failed_at,
        Some(Some(ANTI_REORG_DELAY)),
        "B failed back to A exactly when its timeout claim was final"
    );
    assert!(sent(&net, 0, payment_id).is_empty());
    assert_eq!(b_forwarded(&net), 0);
    assert!(
        net.node(0).channel(ab).is_some_and(|c| c.is_usable),
        "A-B stays open: the HTLC was failed off chain"
    );
}

#[test]
fn upstream_closed_preimage_from_downstream_goes_to_the_upstream_monitor() {
    let Line {
        mut net,
        ab,
        payment_id,
        ..
    } = line_with_payment_in_flight();
    // A-B closes (B force closes) while the HTLC is in flight; C then claims off chain.
    net.drop_connection(0, 1);
    let commitment = force_close_commitment(&mut net, 1, 0, ab);
    let htlc = htlc_output_worth(&commitment, AMOUNT_MSAT / 1000);
    net.mine_blocks(1);
    assert!(net.claim_payment(2, line_hash(&net)), "C claims");
    net.run_until_quiet();
    assert_eq!(b_forwarded(&net), 1, "B reports the forward once");
    for _ in 0..30 {
        net.mine_blocks(1);
    }
    let spender = net
        .chain()
        .spending_txid(&htlc)
        .expect("B claimed the incoming HTLC on chain");
    assert!(
        net.chain().tx_confirmations(&spender).is_some(),
        "with the preimage from downstream"
    );
    assert!(
        net.node(0).monitor_events().iter().any(|e| matches!(e,
            MonitorEvent::HtlcResolved { channel_id, .. } if *channel_id == ab)),
        "A's monitor learnt the preimage from B's claim"
    );
    assert_eq!(
        sent(&net, 0, payment_id).len(),
        1,
        "A gets PaymentSent once"
    );
    assert_eq!(failed(&net, 0, payment_id), 0);
    assert_eq!(b_forwarded(&net), 1, "still once");
    for node in 0..3 {
        assert!(net.node(node).monitor_errors().is_empty(), "node {node}");
    }
}

/// The incoming HTLC on A-B carries the amount plus B's fee.
fn htlc_output_worth(commitment: &Transaction, forwarded_sat: u64) -> OutPoint {
    let vout = commitment
        .output
        .iter()
        .position(|o| {
            let sat = o.value.to_sat();
            sat > forwarded_sat && sat <= forwarded_sat + 1_000
        })
        .expect("the incoming HTLC is an output");
    OutPoint::new(commitment.compute_txid(), vout as u32)
}

fn line_hash(net: &Network) -> PaymentHash {
    net.node(2)
        .events()
        .iter()
        .find_map(|e| match e {
            Event::PaymentClaimable { payment_hash, .. } => Some(*payment_hash),
            _ => None,
        })
        .expect("claimable at C")
}
