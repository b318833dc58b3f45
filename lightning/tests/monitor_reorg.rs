//! Reorgs: a justice transaction that gets unconfirmed is re-broadcast and confirms again; a
//! funding spend that gets reorged out resets the monitor.

mod monitor_support;

use bitcoin::OutPoint;
use lightning::monitor::{ChannelMonitor, FundingSpendKind, ANTI_REORG_DELAY};
use monitor_support::*;

/// `a` broadcasts a revoked commitment (no HTLCs) and it confirms; returns its txid.
fn breach(net: &mut Net) -> bitcoin::Txid {
    net.a.online = false;
    let old = net.a.monitor().encode();
    let cltv = net.chain.height() + 100;
    let id = net.send(true, 20_000_000, [5; 32], cltv);
    net.b.chan.fulfill_htlc(id, preimage(5)).unwrap();
    net.b.chan.maybe_send_commitment().unwrap();
    net.run();
    let mut stale = ChannelMonitor::decode(&old, signer(11)).unwrap();
    stale.broadcast_latest_holder_commitment();
    let revoked = stale.poll_broadcast().unwrap();
    net.chain.broadcast(revoked.clone());
    net.mine(1);
    revoked.compute_txid()
}

#[test]
fn unconfirmed_justice_is_rebroadcast_and_confirms_again() {
    let mut net = Net::open(false);
    let revoked = breach(&mut net);
    assert!(matches!(
        net.b.monitor().funding_spend(),
        Some((txid, FundingSpendKind::RevokedCounterpartyCommitment { .. })) if txid == revoked
    ));
    // The justice and to_remote claims are in the mempool; mine them.
    let claims: Vec<_> = net
        .chain
        .mempool()
        .iter()
        .map(|tx| tx.compute_txid())
        .collect();
    assert_eq!(claims.len(), 2);
    net.mine(1);
    for txid in &claims {
        assert_eq!(net.chain.tx_confirmations(txid), Some(1));
    }
    // Reorg the claims out; miners forget them.
    net.chain.disconnect_blocks(1);
    for txid in &claims {
        net.chain.remove_from_mempool(txid);
    }
    net.chain.mine_empty_blocks(2);
    net.sync();
    // The monitor noticed and broadcast them again.
    for txid in &claims {
        assert!(net.chain.mempool_contains(txid), "claim re-broadcast");
    }
    assert_eq!(net.b.monitor().claimable_outputs().len(), 2);
    net.mine(1);
    for txid in &claims {
        assert_eq!(net.chain.tx_confirmations(txid), Some(1));
    }
    assert!(net.b.monitor().claimable_outputs().is_empty());
    // Nothing is final before the anti-reorg delay.
    assert!(!net.b.monitor().is_fully_resolved());
    net.mine(ANTI_REORG_DELAY - 1);
    assert!(net.b.monitor().is_fully_resolved());
    for vout in 0..2 {
        assert!(net
            .chain
            .spending_txid(&OutPoint {
                txid: revoked,
                vout
            })
            .is_some());
    }
}

#[test]
fn reorged_out_funding_spend_resets_the_monitor() {
    let mut net = Net::open(false);
    let revoked = breach(&mut net);
    assert!(net.b.monitor().funding_spend().is_some());
    // Reorg out the commitment block; the commitment and the claims vanish.
    net.chain.disconnect_blocks(1);
    net.chain.remove_from_mempool(&revoked);
    let mempool: Vec<_> = net
        .chain
        .mempool()
        .iter()
        .map(|t| t.compute_txid())
        .collect();
    for txid in mempool {
        net.chain.remove_from_mempool(&txid);
    }
    net.chain.mine_empty_blocks(2);
    net.sync();
    let b = net.b.monitor();
    assert_eq!(b.funding_spend(), None);
    assert!(b.claimable_outputs().is_empty());
    assert_eq!(b.watched_outputs().len(), 1, "only the funding output");
    assert!(net.chain.mempool().is_empty(), "nothing to broadcast");
}
