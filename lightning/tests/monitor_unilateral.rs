//! Unilateral closes with HTLCs both ways: the counterparty broadcasts its latest commitment,
//! or we force close while the counterparty is offline. Every HTLC ends resolved on chain.

mod monitor_support;

use bitcoin::{OutPoint, Transaction};
use lightning::monitor::{ClaimSource, FundingSpendKind, MonitorEvent};
use monitor_support::*;

/// Every output of `tx` except anchors is spent in the best chain.
fn all_outputs_spent(net: &Net, tx: &Transaction) -> bool {
    let txid = tx.compute_txid();
    (0..tx.output.len() as u32)
        .filter(|vout| tx.output[*vout as usize].value.to_sat() != 330)
        .all(|vout| net.chain.spending_txid(&OutPoint { txid, vout }).is_some())
}

fn sources(events: &[MonitorEvent]) -> Vec<ClaimSource> {
    let mut sources: Vec<ClaimSource> = events
        .iter()
        .filter_map(|e| match e {
            MonitorEvent::SpendableOutputs { outputs, .. } => Some(outputs[0].source),
            _ => None,
        })
        .collect();
    sources.sort();
    sources
}

/// Sets up HTLCs both ways: `a` offers 50k sat for `[1; 32]`, `b` offers 30k sat for
/// `[2; 32]`. `b` then learns the preimage of `[1; 32]` (fulfills), but the message never
/// reaches `a`, which goes offline.
fn htlcs_both_ways(anchors: bool) -> (Net, u32) {
    let mut net = Net::open(anchors);
    let cltv = net.chain.height() + 40;
    let id_a = net.send(true, 50_000_000, [1; 32], cltv);
    net.send(false, 30_000_000, [2; 32], cltv);
    net.b.chan.fulfill_htlc(id_a, preimage(1)).expect("fulfill");
    net.drop_messages();
    (net, cltv)
}

#[test]
fn counterparty_broadcasts_latest_commitment_with_htlcs_both_ways() {
    let (mut net, cltv) = htlcs_both_ways(false);
    // a force closes: its monitor broadcasts its commitment.
    net.a.chan.force_close().expect("force close");
    net.collect();
    net.sync();
    let commitment = net.chain.mempool()[0].clone();
    let commitment_txid = commitment.compute_txid();
    net.mine(1);
    let b_events = net.b.take_monitor_events();
    assert!(b_events.iter().any(|e| matches!(e,
        MonitorEvent::FundingSpent { txid, kind: FundingSpendKind::CounterpartyCommitment { .. }, .. }
        if *txid == commitment_txid)));
    // b claimed a's HTLC with the preimage and its to_remote at once.
    net.mine(1);
    let a_events = net.a.take_monitor_events();
    assert!(
        a_events.contains(&MonitorEvent::HtlcResolved {
            channel_id: net.a.chan.channel_id(),
            payment_hash: payment_hash([1; 32]),
            preimage: preimage(1),
        }),
        "a learns the preimage on chain: {a_events:?}"
    );
    // b's own HTLC comes back after its expiry; a's to_local after the CSV delay.
    let to_go = cltv + 8 - net.chain.height();
    net.mine(to_go.max(u32::from(TO_SELF_DELAY) + 8));
    assert!(all_outputs_spent(&net, &commitment));

    let b_events = net.b.take_monitor_events();
    assert!(b_events.contains(&MonitorEvent::HtlcFailed {
        channel_id: net.b.chan.channel_id(),
        payment_hash: payment_hash([2; 32]),
        amount_msat: 30_000_000,
        cltv_expiry: cltv,
    }));
    assert_eq!(
        sources(&b_events),
        vec![
            ClaimSource::ToRemote,
            ClaimSource::CounterpartyHtlcPreimage,
            ClaimSource::CounterpartyHtlcTimeout
        ]
    );
    assert!(b_events
        .iter()
        .any(|e| matches!(e, MonitorEvent::FullyResolved { .. })));
    // b's balance: its to_remote and both HTLCs, minus the three claim fees.
    let b_claims: Vec<Transaction> = (0..commitment.output.len() as u32)
        .filter_map(|vout| {
            net.chain.spending_txid(&OutPoint {
                txid: commitment_txid,
                vout,
            })
        })
        .map(|txid| net.chain.confirmed_transaction(&txid).unwrap().1.clone())
        .filter(|tx| tx.output[0].script_pubkey == net.b.destination)
        .collect();
    assert_eq!(b_claims.len(), 3);
    let claimed: u64 = b_claims
        .iter()
        .map(|tx| {
            let input = tx.input[0].previous_output;
            commitment.output[input.vout as usize].value.to_sat()
        })
        .sum();
    let fees: u64 = b_claims.iter().map(|tx| fee_of(&net.chain, tx)).sum();
    assert_eq!(
        net.chain.balance_of(&net.b.destination).to_sat(),
        claimed - fees
    );
    assert_eq!(spendable_total(&b_events), claimed - fees);
    // a swept its to_local.
    let a_events = net.a.take_monitor_events();
    assert_eq!(sources(&a_events), vec![ClaimSource::HolderDelayed]);
    assert!(net.a.monitor().is_fully_resolved());
    assert!(net.b.monitor().is_fully_resolved());
}

#[test]
fn holder_force_close_resolves_every_htlc_with_counterparty_offline() {
    let (mut net, cltv) = htlcs_both_ways(false);
    net.a.online = false;
    let channel_tx = net
        .b
        .chan
        .force_close()
        .expect("force close")
        .expect("signed");
    net.collect();
    net.b.sync(&mut net.chain);
    // The monitor broadcasts the same commitment as the channel.
    assert_eq!(net.chain.mempool(), std::slice::from_ref(&channel_tx));
    let commitment = channel_tx;
    net.chain.mine_blocks(1);
    net.b.sync(&mut net.chain);
    // The HTLC-success goes out at once; the timeout waits for the expiry.
    assert_eq!(net.chain.mempool().len(), 1);
    let success = net.chain.mempool()[0].clone();
    assert_eq!(success.input[0].witness.nth(3), Some(&[1u8; 32][..]));
    let blocks = cltv + u32::from(TO_SELF_DELAY) + 10 - net.chain.height();
    for _ in 0..blocks {
        net.chain.mine_blocks(1);
        net.b.sync(&mut net.chain);
    }
    // Everything but a's to_remote (P2WPKH, a's to spend) is spent.
    let txid = commitment.compute_txid();
    let unspent: Vec<u32> = (0..commitment.output.len() as u32)
        .filter(|vout| {
            net.chain
                .spending_txid(&OutPoint { txid, vout: *vout })
                .is_none()
        })
        .collect();
    assert_eq!(unspent.len(), 1);
    assert!(commitment.output[unspent[0] as usize]
        .script_pubkey
        .is_p2wpkh());
    let events = net.b.take_monitor_events();
    assert!(events.contains(&MonitorEvent::HtlcFailed {
        channel_id: net.b.chan.channel_id(),
        payment_hash: payment_hash([2; 32]),
        amount_msat: 30_000_000,
        cltv_expiry: cltv,
    }));
    assert_eq!(
        sources(&events),
        vec![ClaimSource::HolderDelayed; 3],
        "to_local and both HTLC transaction outputs"
    );
    // Every satoshi of b's side of the commitment reached the destination, minus the fees
    // of the two HTLC transactions and the three sweeps.
    let mut fees = 0;
    let mut b_total = 0;
    for vout in 0..commitment.output.len() as u32 {
        let outpoint = OutPoint { txid, vout };
        let Some(spender) = net.chain.spending_txid(&outpoint) else {
            continue;
        };
        let spender = net.chain.confirmed_transaction(&spender).unwrap().1.clone();
        if spender.output[0].script_pubkey == net.b.destination {
            b_total += commitment.output[vout as usize].value.to_sat();
            fees += fee_of(&net.chain, &spender);
            continue;
        }
        // An HTLC transaction, then its delayed sweep.
        b_total += commitment.output[vout as usize].value.to_sat();
        fees += fee_of(&net.chain, &spender);
        let sweep = net
            .chain
            .spending_txid(&OutPoint {
                txid: spender.compute_txid(),
                vout: 0,
            })
            .expect("second stage swept");
        let sweep = net.chain.confirmed_transaction(&sweep).unwrap().1.clone();
        assert_eq!(sweep.output[0].script_pubkey, net.b.destination);
        assert_eq!(sweep.input[0].sequence.0, u32::from(TO_SELF_DELAY));
        fees += fee_of(&net.chain, &sweep);
    }
    let balance = net.chain.balance_of(&net.b.destination).to_sat();
    assert_eq!(balance, b_total - fees);
    assert_eq!(spendable_total(&events), balance);
    assert!(net.b.monitor().is_fully_resolved());
}
