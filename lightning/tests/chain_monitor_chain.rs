//! `ChainMonitor` on chain: chain data routed to its monitors (through `Confirm`, and through
//! `Listen` with `ConfirmAsListen`), what to watch and what to broadcast handed to the chain
//! source, monitor events gathered, reorgs.

mod chain_monitor_support;

use chain_monitor_support::*;
use lightning::chain::{Confirm, ConfirmAsListen};
use lightning::monitor::chain_monitor::{ChainMonitor, ChainMonitorEvent};
use lightning::monitor::{FundingSpendKind, MonitorEvent};
use lightning::persist::{MemoryStore, MonitorUpdatingPersister, PersistStatus};
use lightning::wire::ChannelId;

fn funding_spends(events: &[ChainMonitorEvent]) -> Vec<(bitcoin::Txid, FundingSpendKind)> {
    events
        .iter()
        .filter_map(|e| match e {
            ChainMonitorEvent::Monitor(MonitorEvent::FundingSpent { txid, kind, .. }) => {
                Some((*txid, kind.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn chain_data_reaches_the_monitors_and_their_outputs_come_out() {
    let mut h = Harness::new(10, Answer::Always(PersistStatus::Completed));
    h.send(true, [1; 32]);
    h.run();
    let channel_id = h.channel_id;
    let funding = h.cm.get_monitor(&channel_id).unwrap().funding_outpoint();
    let a_listener = h
        .net
        .chain
        .register_listener(h.cm.get_monitor(&channel_id).unwrap().best_block())
        .unwrap();

    // b's monitor in a chain monitor of its own, fed whole blocks.
    let b_monitor = h.net.b.monitor.take().unwrap();
    let b_listener = h
        .net
        .chain
        .register_listener(b_monitor.best_block())
        .unwrap();
    let mut b_cm = ChainMonitor::new(Box::new(MonitorUpdatingPersister::new(
        Box::new(MemoryStore::new()),
        10,
    )));
    b_cm.load_channel(b_monitor).unwrap();

    // The chain source learns what to watch.
    h.cm.sync_chain_source(&mut h.net.chain);
    assert!(h
        .net
        .chain
        .watched_outputs()
        .iter()
        .any(|(outpoint, _)| *outpoint == funding));
    assert_eq!(h.cm.watched_outputs()[0].0, funding);

    // a gives up on the channel: its commitment comes out of the chain monitor.
    assert!(!h
        .cm
        .broadcast_latest_holder_commitment(&ChannelId([0xee; 32])));
    assert!(h.cm.broadcast_latest_holder_commitment(&channel_id));
    let commitment = h.cm.poll_broadcast().expect("our commitment");
    assert_eq!(commitment.input[0].previous_output, funding);
    h.net.chain.broadcast(commitment.clone());
    h.net.chain.mine_blocks(1);
    let txid = commitment.compute_txid();

    h.net.chain.sync_confirm(a_listener, &mut h.cm).unwrap();
    h.net
        .chain
        .sync_listener(b_listener, &mut ConfirmAsListen::new(&mut b_cm))
        .unwrap();
    let a_events: Vec<ChainMonitorEvent> = std::iter::from_fn(|| h.cm.poll_event()).collect();
    let b_events: Vec<ChainMonitorEvent> = std::iter::from_fn(|| b_cm.poll_event()).collect();
    assert!(matches!(
        funding_spends(&a_events).as_slice(),
        [(t, FundingSpendKind::HolderCommitment { .. })] if *t == txid
    ));
    assert!(matches!(
        funding_spends(&b_events).as_slice(),
        [(t, FundingSpendKind::CounterpartyCommitment { .. })] if *t == txid
    ));
    let height = h.net.chain.height();
    assert!(h
        .cm
        .relevant_txids()
        .iter()
        .any(|(t, at, hash)| *t == txid && *at == height && hash.is_some()));
    assert!(b_cm.relevant_txids().iter().any(|(t, _, _)| *t == txid));

    // A reorg takes the commitment out: both chain monitors forget its confirmation.
    h.net.chain.disconnect_blocks(1);
    h.net.chain.sync_confirm(a_listener, &mut h.cm).unwrap();
    h.net
        .chain
        .sync_listener(b_listener, &mut ConfirmAsListen::new(&mut b_cm))
        .unwrap();
    assert!(!h.cm.relevant_txids().iter().any(|(t, _, _)| *t == txid));
    assert!(!b_cm.relevant_txids().iter().any(|(t, _, _)| *t == txid));

    // It confirms again on the new branch (re-broadcast by the monitor if the mempool lost it).
    h.cm.sync_chain_source(&mut h.net.chain);
    h.net.chain.mine_blocks(1);
    h.net.chain.sync_confirm(a_listener, &mut h.cm).unwrap();
    assert!(h.cm.relevant_txids().iter().any(|(t, _, _)| *t == txid));

    // Mature the delayed output: claims come out of the chain monitor and reach the chain.
    for _ in 0..(TO_SELF_DELAY as u32 + 8) {
        h.cm.sync_chain_source(&mut h.net.chain);
        h.net.chain.mine_blocks(1);
        h.net.chain.sync_confirm(a_listener, &mut h.cm).unwrap();
    }
    let a_events: Vec<ChainMonitorEvent> = std::iter::from_fn(|| h.cm.poll_event()).collect();
    assert!(
        a_events.iter().any(|e| matches!(
            e,
            ChainMonitorEvent::Monitor(MonitorEvent::SpendableOutputs { channel_id: c, .. })
                if *c == channel_id
        )),
        "the delayed to_local was swept and reported: {a_events:?}"
    );

    // A resolved monitor can be removed.
    let removed = h.cm.remove_monitor(&channel_id).expect("watched");
    assert_eq!(removed.channel_id(), channel_id);
    assert!(h.cm.list_channels().is_empty());
    assert!(h.cm.relevant_txids().is_empty());
}

/// A node embedding the chain monitor in a multi-threaded runtime moves it between threads.
#[test]
fn chain_monitor_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<lightning::monitor::chain_monitor::ChainMonitor>();
    assert_send::<lightning::persist::MonitorUpdatingPersister>();
}
