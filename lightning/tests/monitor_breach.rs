//! The counterparty broadcasts a revoked commitment with HTLCs both ways: every output is
//! swept by justice transactions (the second stage too), balances to the satoshi.

mod monitor_support;

use bitcoin::{OutPoint, Transaction};
use lightning::chain::Confirm;
use lightning::monitor::update::{ChannelMonitorUpdate, MonitorUpdateStep};
use lightning::monitor::{ChannelMonitor, ClaimSource, FundingSpendKind, MonitorEvent};
use lightning_signer_api::tx::fee_for_weight;
use monitor_support::*;

/// Claims fee at the claim feerate on their real weight, within the few weight units a
/// signature shorter than the 73 bytes budgeted saves.
fn assert_claim_fee(net: &Net, tx: &Transaction) {
    let fee = fee_of(&net.chain, tx);
    let weight = tx.weight().to_wu();
    assert!(
        fee >= fee_for_weight(CLAIM_FEERATE, weight),
        "fee {fee} too low"
    );
    assert!(
        fee <= fee_for_weight(CLAIM_FEERATE, weight + 8),
        "fee {fee} too high"
    );
}

/// A stale copy of `a`'s monitor: decoded from old bytes, it still holds the commitment
/// that `a` has since revoked, and it is told the preimage of `[2; 32]`.
fn stale_monitor(bytes: &[u8]) -> ChannelMonitor {
    let mut stale = ChannelMonitor::decode(bytes, signer(11)).expect("decodes");
    let next = stale.latest_update_id() + 1;
    stale
        .update(&ChannelMonitorUpdate {
            channel_id: stale.channel_id(),
            update_id: next,
            steps: vec![MonitorUpdateStep::PaymentPreimage {
                preimage: preimage(2),
            }],
        })
        .expect("preimage applies");
    stale.set_feerate(FEERATE);
    stale
}

#[test]
fn revoked_commitment_with_htlcs_both_ways_is_swept_to_the_satoshi() {
    let mut net = Net::open(false);
    net.a.online = false;
    let cltv = net.chain.height() + 60;
    net.send(true, 50_000_000, [1; 32], cltv);
    net.send(false, 30_000_000, [2; 32], cltv);
    let old_bytes = net.a.monitor().encode();
    // One more payment: the commitment with both HTLCs is now revoked.
    net.send(true, 10_000_000, [3; 32], cltv);
    net.sync();

    let mut cheat = stale_monitor(&old_bytes);
    cheat.broadcast_latest_holder_commitment();
    let revoked = cheat.poll_broadcast().expect("stale commitment");
    let revoked_txid = revoked.compute_txid();
    assert_eq!(revoked.output.len(), 4, "to_local, to_remote, two HTLCs");
    let cheat_listener = net.chain.register_listener(cheat.best_block()).unwrap();
    net.chain.broadcast(revoked.clone());
    net.chain.mine_blocks(1);

    // The cheater claims the HTLC it knows the preimage of before b reacts.
    net.chain.sync_confirm(cheat_listener, &mut cheat).unwrap();
    let cheat_claims: Vec<Transaction> = std::iter::from_fn(|| cheat.poll_broadcast()).collect();
    assert_eq!(cheat_claims.len(), 1, "only the HTLC-success is ready");
    let htlc_success = cheat_claims[0].clone();
    net.chain.broadcast(htlc_success.clone());

    net.sync();
    let events = net.b.take_monitor_events();
    assert!(events.contains(&MonitorEvent::FundingSpent {
        channel_id: net.b.chan.channel_id(),
        txid: revoked_txid,
        kind: FundingSpendKind::RevokedCounterpartyCommitment {
            commitment_number: net.b.chan.commitment_numbers().1 - 1
        },
    }));
    net.mine(1);
    assert!(net
        .chain
        .tx_confirmations(&htlc_success.compute_txid())
        .is_some());
    // b learnt the preimage of its own HTLC from the cheater's HTLC-success.
    let events = net.b.take_monitor_events();
    assert!(events.contains(&MonitorEvent::HtlcResolved {
        channel_id: net.b.chan.channel_id(),
        payment_hash: payment_hash([2; 32]),
        preimage: preimage(2),
    }));
    // The second-stage justice goes out at once and confirms in the next block.
    net.mine(1 + 6);

    // Every output of the revoked commitment ended at b: directly, or through the HTLC-success.
    let mut b_claims = Vec::new();
    for vout in 0..revoked.output.len() as u32 {
        let outpoint = OutPoint {
            txid: revoked_txid,
            vout,
        };
        let spender = net
            .chain
            .spending_txid(&outpoint)
            .expect("every output spent");
        let spender = if spender == htlc_success.compute_txid() {
            net.chain
                .spending_txid(&OutPoint {
                    txid: spender,
                    vout: 0,
                })
                .expect("second stage swept")
        } else {
            spender
        };
        let (_, tx) = net.chain.confirmed_transaction(&spender).unwrap();
        assert_eq!(tx.output.len(), 1);
        assert_eq!(tx.output[0].script_pubkey, net.b.destination);
        assert_claim_fee(&net, tx);
        b_claims.push(tx.clone());
    }
    let outputs_total: u64 = revoked.output.iter().map(|o| o.value.to_sat()).sum();
    let claim_fees: u64 = b_claims.iter().map(|tx| fee_of(&net.chain, tx)).sum();
    let cheater_fee = fee_of(&net.chain, &htlc_success);
    let balance = net.chain.balance_of(&net.b.destination).to_sat();
    assert_eq!(balance, outputs_total - cheater_fee - claim_fees);
    // Funding minus the commitment fee: b holds all of it but the fees.
    assert_eq!(
        outputs_total,
        FUNDING_SATOSHIS - fee_of(&net.chain, &revoked)
    );

    let events = net.b.take_monitor_events();
    assert_eq!(spendable_total(&events), balance);
    let justice_outputs = events
        .iter()
        .filter(|e| matches!(e, MonitorEvent::SpendableOutputs { outputs, .. } if outputs[0].source == ClaimSource::Justice))
        .count();
    assert_eq!(justice_outputs, 3, "to_local, HTLC, second stage");
    // b's HTLC was resolved with its preimage: sweeping the cheater's HTLC-success output is
    // no failure of it (exactly one verdict per HTLC).
    assert!(
        !events.iter().any(
            |e| matches!(e, MonitorEvent::HtlcFailed { payment_hash: hash, .. }
            if *hash == payment_hash([2; 32]))
        ),
        "{events:?}"
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, MonitorEvent::FullyResolved { .. })));
    let b = net.b.monitor();
    assert!(b.is_fully_resolved());
    assert!(b.watched_outputs().is_empty());
    assert!(b.relevant_txids().len() >= 5);
}
