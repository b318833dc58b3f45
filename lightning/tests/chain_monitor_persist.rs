//! `ChainMonitor` persistence: restart from the filesystem store with deltas pending
//! compaction, the `Failed` policy (paused, told, retried by a full rewrite), full rewrites in
//! progress, and bad input rejected with typed errors and nothing stored.

mod chain_monitor_support;

use chain_monitor_support::*;
use lightning::channel::ChannelEvent;
use lightning::monitor::chain_monitor::{
    ChainMonitor, ChainMonitorEvent, UpdateChannelError, UpdateCompletedError, WatchChannelError,
};
use lightning::monitor::update::{ChannelMonitorUpdate, MonitorUpdateStep};
use lightning::monitor::MonitorUpdateError;
use lightning::persist::{FilesystemStore, MemoryStore, MonitorUpdatingPersister, PersistStatus};
use lightning::wire::{ChannelId, Message, PaymentPreimage};
use lightning_signer_api::keys_manager::KeysManager;

fn keys() -> KeysManager {
    // Side `a` of the harness derives its channel signer from seed 11 (see monitor_support).
    KeysManager::new(&[11; 32]).expect("valid seed")
}

fn commitment_signed_waiting(h: &Harness) -> bool {
    h.net
        .a_to_b
        .iter()
        .any(|m| matches!(m, Message::CommitmentSigned(_)))
}

fn locked_in_at_b(h: &Harness) -> bool {
    h.net
        .b
        .events
        .iter()
        .any(|e| matches!(e, ChannelEvent::HtlcLockedIn { .. }))
}

#[test]
fn restart_from_the_filesystem_with_deltas_pending_compaction() {
    let dir = std::env::temp_dir().join(format!(
        "lightning-chain-monitor-{}-restart",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let store = FilesystemStore::open(&dir).unwrap();
    let mut h = Harness::with_store(
        4,
        Answer::Always(PersistStatus::Completed),
        Box::new(store),
        SharedStore::default(),
    );
    let preimages = [[1; 32], [2; 32], [3; 32]];
    for preimage in &preimages {
        h.send(true, *preimage);
        h.run();
    }
    h.settle_at_b(&preimages);
    h.run();
    h.send(true, [4; 32]);
    h.run();
    assert_eq!(h.net.a.chan.balances().pending_htlcs, 1);
    let latest = h.net.a.chan.latest_monitor_update_id().unwrap();
    assert_eq!(h.reported.last(), Some(&latest));
    let live = h.cm.get_monitor(&h.channel_id).unwrap().encode();

    // Crash: the chain monitor is gone; a new process opens the same directory.
    drop(h.cm);
    let persister =
        MonitorUpdatingPersister::new(Box::new(FilesystemStore::open(&dir).unwrap()), 4);
    let stored = persister.read_all_stored_monitors().unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].pending_updates.is_empty(),
        "the scenario must leave deltas pending compaction (latest {latest})"
    );
    assert_eq!(stored[0].latest_update_id(), latest);
    let monitors = persister.read_all_channel_monitors(&mut keys()).unwrap();
    assert_eq!(monitors.len(), 1);
    assert_eq!(monitors[0].encode(), live);

    // The restored monitor takes the channel's next update.
    let mut cm = ChainMonitor::new(Box::new(persister));
    cm.load_channel(monitors.into_iter().next().unwrap())
        .unwrap();
    assert!(!cm.is_paused(&h.channel_id));
    assert_eq!(cm.poll_completed_updates(), None);
    let cltv = h.net.chain.height() + 144;
    h.net
        .a
        .chan
        .send_htlc(1_000_000, payment_hash([5; 32]), cltv, Box::new([0; 1366]))
        .unwrap();
    h.net.a.chan.maybe_send_commitment().unwrap();
    let update = h
        .net
        .a
        .chan
        .poll_monitor_update()
        .expect("a new commitment");
    assert_eq!(update.update_id, latest + 1);
    assert_eq!(cm.update_channel(&update), Ok(PersistStatus::Completed));
    assert_eq!(
        cm.poll_completed_updates(),
        Some((h.channel_id, latest + 1))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn failed_persistence_pauses_tells_and_recovers_by_a_full_rewrite() {
    let mut h = Harness::new(100, Answer::Always(PersistStatus::Completed));
    h.script.set(Answer::Always(PersistStatus::Failed));
    h.send(true, [1; 32]);
    h.run();
    let failed = h.cm.failed_updates(&h.channel_id);
    assert!(!failed.is_empty());
    assert!(h.cm.is_paused(&h.channel_id));
    assert!(h.cm_events.iter().any(|e| matches!(
        e,
        ChainMonitorEvent::PersistenceFailed { channel_id, update_id }
            if *channel_id == h.channel_id && failed.contains(update_id)
    )));
    // Nothing that depends on the failed update left, and nothing was reported.
    let latest = h.net.a.chan.latest_monitor_update_id().unwrap();
    assert!(h.reported.iter().all(|id| *id < failed[0]));
    assert!(!h.net.a.chan.monitor_updates_complete());
    assert!(!commitment_signed_waiting(&h));
    assert!(
        !locked_in_at_b(&h),
        "b cannot lock the HTLC in without a's commitment"
    );
    // The in-memory monitor has the update all the same (it guards the channel on chain).
    assert_eq!(
        h.cm.get_monitor(&h.channel_id).unwrap().latest_update_id(),
        latest
    );

    // Storage is back: the full rewrite supersedes every failed update.
    h.script.set(Answer::Always(PersistStatus::Completed));
    assert_eq!(
        h.cm.persist_monitor(h.channel_id),
        Some(PersistStatus::Completed)
    );
    h.pump_a();
    assert!(h.cm.failed_updates(&h.channel_id).is_empty());
    assert!(!h.cm.is_paused(&h.channel_id));
    assert_eq!(h.reported.last(), Some(&latest));
    assert!(h.net.a.chan.monitor_updates_complete());
    h.run();
    assert!(locked_in_at_b(&h), "the HTLC went through");
    let stored = MonitorUpdatingPersister::new(Box::new(h.store.clone()), 100)
        .read_channel_monitor(h.channel_id, &mut keys())
        .unwrap();
    assert_eq!(
        stored.encode(),
        h.cm.get_monitor(&h.channel_id).unwrap().encode()
    );
}

#[test]
fn a_full_rewrite_in_progress_completes_every_earlier_update() {
    let mut h = Harness::new(100, Answer::Always(PersistStatus::InProgress));
    h.send(true, [1; 32]);
    h.run();
    h.send(false, [2; 32]);
    h.run();
    let pending = h.pending.clone();
    assert!(pending.len() >= 2);
    assert!(h.reported.iter().all(|id| *id < pending[0]));
    let latest = h.cm.get_monitor(&h.channel_id).unwrap().latest_update_id();
    assert_eq!(
        h.cm.persist_monitor(h.channel_id),
        Some(PersistStatus::InProgress)
    );
    // The full write at `latest` lands first: every update up to it is durable.
    h.cm.update_completed(h.channel_id, latest).unwrap();
    h.pending.clear();
    h.pump_a();
    assert_eq!(h.reported.last(), Some(&latest));
    assert!(!h.cm.is_paused(&h.channel_id));
    // The individual writes it superseded are no longer awaited.
    for id in pending.iter().filter(|id| **id != latest) {
        assert_eq!(
            h.cm.update_completed(h.channel_id, *id),
            Err(UpdateCompletedError::NotInProgress {
                channel_id: h.channel_id,
                update_id: *id
            })
        );
    }
    h.run();
    while !h.pending.is_empty() {
        h.complete(0);
        h.run();
    }
    assert_eq!(h.net.a.chan.balances().pending_htlcs, 2);
    assert_eq!(h.net.b.chan.balances().pending_htlcs, 2);
}

fn preimage_update(channel_id: ChannelId, update_id: u64) -> ChannelMonitorUpdate {
    ChannelMonitorUpdate {
        channel_id,
        update_id,
        steps: vec![MonitorUpdateStep::PaymentPreimage {
            preimage: PaymentPreimage([update_id as u8; 32]),
        }],
    }
}

#[test]
fn bad_updates_are_rejected_and_store_nothing() {
    let mut h = Harness::new(3, Answer::Always(PersistStatus::Completed));
    h.send(true, [1; 32]);
    h.run();
    let channel_id = h.channel_id;
    let latest = h.cm.get_monitor(&channel_id).unwrap().latest_update_id();
    let monitor_before = h.cm.get_monitor(&channel_id).unwrap().encode();
    let store_before: MemoryStore = h.store.0.lock().unwrap().clone();
    let calls_before = h.script.calls().len();

    // A channel nobody watches.
    let other = ChannelId([0xee; 32]);
    assert_eq!(
        h.cm.update_channel(&preimage_update(other, 1)),
        Err(UpdateChannelError::UnknownChannel(other))
    );
    // An update already applied (a replay), one that skips ahead, and update 0 again.
    assert_eq!(
        h.cm.update_channel(&preimage_update(channel_id, latest)),
        Err(UpdateChannelError::Rejected(
            MonitorUpdateError::OutOfOrder {
                expected: latest + 1,
                got: latest
            }
        ))
    );
    assert_eq!(
        h.cm.update_channel(&preimage_update(channel_id, latest + 2)),
        Err(UpdateChannelError::Rejected(
            MonitorUpdateError::OutOfOrder {
                expected: latest + 1,
                got: latest + 2
            }
        ))
    );
    assert!(matches!(
        h.cm.update_channel(&h.net.a.updates[0].clone()),
        Err(UpdateChannelError::Rejected(_))
    ));
    // A commitment that does not follow the recorded ones.
    let bogus = ChannelMonitorUpdate {
        channel_id,
        update_id: latest + 1,
        steps: vec![MonitorUpdateStep::CommitmentSecret {
            commitment_number: 0,
            secret: [7; 32],
        }],
    };
    assert!(matches!(
        h.cm.update_channel(&bogus),
        Err(UpdateChannelError::Rejected(_))
    ));

    // Nothing was persisted, applied or reported.
    assert_eq!(h.script.calls().len(), calls_before);
    assert_eq!(*h.store.0.lock().unwrap(), store_before);
    assert_eq!(
        h.cm.get_monitor(&channel_id).unwrap().encode(),
        monitor_before
    );
    assert_eq!(h.cm.poll_completed_updates(), None);

    // A valid update still applies after the rejections.
    assert_eq!(
        h.cm.update_channel(&preimage_update(channel_id, latest + 1)),
        Ok(PersistStatus::Completed)
    );
    assert_eq!(
        h.cm.poll_completed_updates(),
        Some((channel_id, latest + 1))
    );

    // Completions that do not match an in-progress write.
    assert_eq!(
        h.cm.update_completed(other, 1),
        Err(UpdateCompletedError::UnknownChannel(other))
    );
    assert_eq!(
        h.cm.update_completed(channel_id, latest + 1),
        Err(UpdateCompletedError::NotInProgress {
            channel_id,
            update_id: latest + 1
        })
    );

    // A second monitor for a watched channel.
    let copy = MonitorUpdatingPersister::new(Box::new(h.store.clone()), 3)
        .read_channel_monitor(channel_id, &mut keys())
        .unwrap();
    let copy_bytes = copy.encode();
    assert_eq!(
        h.cm.watch_channel(copy),
        Err(WatchChannelError::AlreadyWatched(channel_id))
    );
    let mut keys = keys();
    let again = MonitorUpdatingPersister::new(Box::new(h.store.clone()), 3)
        .read_channel_monitor(channel_id, &mut keys)
        .unwrap();
    assert_eq!(again.encode(), copy_bytes);
    assert_eq!(
        h.cm.load_channel(again),
        Err(WatchChannelError::AlreadyWatched(channel_id))
    );
}
