//! Data loss: a node restored from an old backup learns at the reestablish that it is behind,
//! broadcasts nothing (its latest known commitment is revoked), asks its peer to close, and
//! gets its balance back from the peer's commitment through its monitor.

use bitcoin::{OutPoint, Transaction};
use lightning::manager::ClosureReason;
use lightning::monitor::{ClaimSource, MonitorEvent};
use lightning::testkit::network::Network;
use lightning::wire::ChannelId;

const FUNDING_SAT: u64 = 1_000_000;

fn spends(tx: &Transaction, outpoint: OutPoint) -> bool {
    tx.input
        .iter()
        .any(|input| input.previous_output == outpoint)
}

/// A's broadcast spending the funding: its commitment.
fn a_broadcast_commitment(net: &Network, funding: OutPoint) -> Transaction {
    net.node(0)
        .broadcasts()
        .iter()
        .find(|tx| spends(tx, funding))
        .cloned()
        .expect("A broadcast its commitment")
}

struct Lost {
    net: Network,
    channel: ChannelId,
    funding: OutPoint,
    /// B's balance when it lost its state (what A's latest commitment pays it).
    b_balance_msat: u64,
    b_broadcasts: usize,
}

/// A–B channel, payments, a snapshot of B, more payments, then B restored from the snapshot.
fn restore_old_backup() -> Lost {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    let funding = net.node(0).channel(channel).unwrap().funding_txo.unwrap();
    for _ in 0..3 {
        net.pay(0, 1, 20_000_000)
            .expect("payment before the backup");
    }
    let backup = net.snapshot(1);
    for _ in 0..3 {
        net.pay(0, 1, 30_000_000).expect("payment after the backup");
    }
    net.pay(1, 0, 5_000_000)
        .expect("payment back after the backup");
    let b_balance_msat = net.balance_msat(1, channel).unwrap();
    assert_eq!(b_balance_msat, 145_000_000);
    let b_broadcasts = net.node(1).broadcasts().len();
    net.restore(1, &backup).expect("restore from the backup");
    assert_eq!(net.node(1).restarts(), 1);
    net.run_until_quiet();
    Lost {
        net,
        channel,
        funding,
        b_balance_msat,
        b_broadcasts,
    }
}

#[test]
fn restored_node_does_not_broadcast_and_the_peer_closes() {
    let Lost {
        mut net,
        channel,
        funding,
        b_broadcasts,
        ..
    } = restore_old_backup();
    let new_broadcasts = &net.node(1).broadcasts()[b_broadcasts..];
    assert!(
        !new_broadcasts.iter().any(|tx| spends(tx, funding)),
        "the stale node broadcast a commitment: {new_broadcasts:?}"
    );
    let closures = net.take_closures(1, channel);
    assert!(
        matches!(
            closures.as_slice(),
            [ClosureReason::ProtocolError(
                lightning::channel::CloseReason::StaleLocalState { .. }
            )]
        ),
        "{closures:?}"
    );
    // A closes on B's stale reestablish or on B's error, whichever it handles first.
    let a_closures = net.take_closures(0, channel);
    assert!(
        matches!(
            a_closures.as_slice(),
            [ClosureReason::CounterpartyForceClosed { .. }]
                | [ClosureReason::ProtocolError(
                    lightning::channel::CloseReason::ReestablishMismatch
                )]
        ),
        "{a_closures:?}"
    );
    // The only spend of the funding in the mempool is A's commitment.
    let a_commitment = a_broadcast_commitment(&net, funding);
    let in_mempool: Vec<&Transaction> = net
        .chain()
        .mempool()
        .iter()
        .filter(|tx| spends(tx, funding))
        .collect();
    assert_eq!(in_mempool, vec![&a_commitment]);
    // Mined and followed for a while: B still broadcasts nothing spending the funding.
    net.mine_blocks(3);
    assert_eq!(
        net.chain().spending_txid(&funding),
        Some(a_commitment.compute_txid())
    );
    assert!(!net.node(1).broadcasts()[b_broadcasts..]
        .iter()
        .any(|tx| spends(tx, funding)));
}

#[test]
fn restored_node_sweeps_its_balance_from_the_peers_commitment() {
    let Lost {
        mut net,
        funding,
        b_balance_msat,
        ..
    } = restore_old_backup();
    let a_commitment = a_broadcast_commitment(&net, funding);
    let destination = net.node_mut(1).destination_script();
    assert_eq!(net.chain().balance_of(&destination).to_sat(), 0);
    net.mine_blocks(1);
    // B's to_remote on A's commitment: B's whole balance (A funded the channel and pays the
    // commitment fee and the anchors).
    let to_remote = a_commitment
        .output
        .iter()
        .enumerate()
        .filter(|(_, out)| out.value.to_sat() == b_balance_msat / 1000)
        .map(|(vout, _)| OutPoint {
            txid: a_commitment.compute_txid(),
            vout: vout as u32,
        })
        .next()
        .expect("A's commitment pays B its balance");
    for _ in 0..12 {
        net.mine_blocks(1);
    }
    let sweep_txid = net
        .chain()
        .spending_txid(&to_remote)
        .expect("B swept its to_remote");
    let (_, sweep) = net.chain().confirmed_transaction(&sweep_txid).unwrap();
    assert_eq!(sweep.output.len(), 1);
    assert_eq!(sweep.output[0].script_pubkey, destination);
    let swept = sweep.output[0].value.to_sat();
    let fee = b_balance_msat / 1000 - swept;
    assert!(fee > 0 && fee < 1_000, "sweep fee {fee}");
    assert_eq!(net.chain().balance_of(&destination).to_sat(), swept);
    let spendable = net.node(1).monitor_events().iter().any(|event| {
        matches!(event, MonitorEvent::SpendableOutputs { outputs, .. }
            if outputs.iter().any(|o| o.source == ClaimSource::ToRemote && o.output.value.to_sat() == swept))
    });
    assert!(spendable, "{:?}", net.node(1).monitor_events());
}
