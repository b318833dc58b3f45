//! `MonitorUpdatingPersister` with a stand-in monitor (a list of applied update blobs): deltas,
//! compaction every N updates, restart with deltas pending compaction, crash leftovers,
//! failed writes that never leave a gap, and stored data that does not add up.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::sync::Mutex;

use lightning::monitor::update::{ChannelMonitorUpdate, MonitorUpdateStep};
use lightning::persist::{
    FilesystemStore, KVStore, KVStoreError, MemoryStore, MonitorUpdatingPersister, PersistStatus,
    PersistableMonitor, Persister, ReadMonitorsError, MANAGER_KEY, MANAGER_NAMESPACE,
    MONITOR_NAMESPACE, MONITOR_UPDATE_NAMESPACE,
};
use lightning::wire::{ChannelId, PaymentPreimage};
use proptest::prelude::*;

/// A stand-in monitor: the updates it applied, in order. Its encoding is the update blobs,
/// each with a length prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
struct FakeMonitor {
    channel_id: ChannelId,
    applied: Vec<ChannelMonitorUpdate>,
}

impl FakeMonitor {
    fn new(channel_id: ChannelId) -> Self {
        FakeMonitor {
            channel_id,
            applied: vec![update(channel_id, 0)],
        }
    }

    fn apply(&mut self, update: &ChannelMonitorUpdate) -> Result<(), &'static str> {
        if update.channel_id != self.channel_id {
            return Err("wrong channel");
        }
        if update.update_id != self.latest_update_id() + 1 {
            return Err("wrong update id");
        }
        self.applied.push(update.clone());
        Ok(())
    }

    fn decode(channel_id: ChannelId, mut bytes: &[u8]) -> Self {
        let mut applied = Vec::new();
        while !bytes.is_empty() {
            let len = u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize;
            applied.push(ChannelMonitorUpdate::decode(&bytes[4..4 + len]).unwrap());
            bytes = &bytes[4 + len..];
        }
        FakeMonitor {
            channel_id,
            applied,
        }
    }
}

impl PersistableMonitor for FakeMonitor {
    fn monitor_channel_id(&self) -> ChannelId {
        self.channel_id
    }

    fn latest_update_id(&self) -> u64 {
        self.applied.last().unwrap().update_id
    }

    fn encode_monitor(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for update in &self.applied {
            let bytes = update.encode();
            out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
            out.extend_from_slice(&bytes);
        }
        out
    }
}

fn update(channel_id: ChannelId, update_id: u64) -> ChannelMonitorUpdate {
    let mut preimage = [0u8; 32];
    preimage[..8].copy_from_slice(&update_id.to_be_bytes());
    ChannelMonitorUpdate {
        channel_id,
        update_id,
        steps: vec![
            MonitorUpdateStep::PaymentPreimage {
                preimage: PaymentPreimage(preimage),
            },
            MonitorUpdateStep::CommitmentSecret {
                commitment_number: update_id,
                secret: [update_id as u8; 32],
            },
        ],
    }
}

fn channel(n: u8) -> ChannelId {
    ChannelId([n; 32])
}

fn channel_hex(n: u8) -> String {
    format!("{}", channel(n))
}

fn update_ns(n: u8) -> String {
    format!("{MONITOR_UPDATE_NAMESPACE}/{}", channel_hex(n))
}

/// Rebuilds every stored monitor: decode, then apply the pending deltas.
fn restart(persister: &MonitorUpdatingPersister) -> Vec<FakeMonitor> {
    persister
        .read_all_stored_monitors()
        .unwrap()
        .into_iter()
        .map(|stored| {
            let mut monitor = FakeMonitor::decode(stored.channel_id, &stored.monitor);
            assert_eq!(monitor.latest_update_id(), stored.monitor_update_id);
            for update in &stored.pending_updates {
                monitor.apply(update).unwrap();
            }
            assert_eq!(monitor.latest_update_id(), stored.latest_update_id());
            monitor
        })
        .collect()
}

/// Applies update `id` to `monitor` and persists it.
fn advance(persister: &mut MonitorUpdatingPersister, monitor: &mut FakeMonitor) -> PersistStatus {
    let next = update(monitor.channel_id, monitor.latest_update_id() + 1);
    monitor.apply(&next).unwrap();
    persister.update_persisted_channel(monitor.channel_id, &next, monitor)
}

#[test]
fn deltas_then_compaction_every_n() {
    let mut persister = MonitorUpdatingPersister::new(Box::new(MemoryStore::new()), 5);
    let mut monitor = FakeMonitor::new(channel(1));
    assert_eq!(
        persister.persist_new_channel(channel(1), &monitor),
        PersistStatus::Completed
    );
    assert_eq!(
        persister.store().list(MONITOR_NAMESPACE).unwrap(),
        [channel_hex(1)]
    );
    assert!(persister.store().list(&update_ns(1)).unwrap().is_empty());

    for _ in 1..5 {
        assert_eq!(
            advance(&mut persister, &mut monitor),
            PersistStatus::Completed
        );
    }
    assert_eq!(
        persister.store().list(&update_ns(1)).unwrap(),
        ["1", "2", "3", "4"]
    );
    let delta = persister.store().read(&update_ns(1), "3").unwrap();
    assert_eq!(delta, update(channel(1), 3).encode());
    let stored = persister.read_stored_monitor(channel(1)).unwrap();
    assert_eq!(stored.monitor_update_id, 0);
    assert_eq!(stored.pending_updates.len(), 4);

    // Update 5 compacts: the full monitor is rewritten and the folded deltas deleted.
    assert_eq!(
        advance(&mut persister, &mut monitor),
        PersistStatus::Completed
    );
    assert!(persister.store().list(&update_ns(1)).unwrap().is_empty());
    let stored = persister.read_stored_monitor(channel(1)).unwrap();
    assert_eq!(stored.monitor_update_id, 5);
    assert!(stored.pending_updates.is_empty());

    for _ in 6..8 {
        advance(&mut persister, &mut monitor);
    }
    assert_eq!(persister.store().list(&update_ns(1)).unwrap(), ["6", "7"]);
    assert_eq!(restart(&persister), [monitor]);
}

#[test]
fn restart_from_the_filesystem_with_deltas_pending() {
    let dir =
        std::env::temp_dir().join(format!("lightning-persist-{}-restart", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut monitors = vec![FakeMonitor::new(channel(1)), FakeMonitor::new(channel(2))];
    {
        let store = FilesystemStore::open(&dir).unwrap();
        let mut persister = MonitorUpdatingPersister::new(Box::new(store), 4);
        for monitor in &monitors {
            persister.persist_new_channel(monitor.channel_id, monitor);
        }
        for round in 0..11 {
            for (i, monitor) in monitors.iter_mut().enumerate() {
                if round % (i + 1) == 0 {
                    assert_eq!(advance(&mut persister, monitor), PersistStatus::Completed);
                }
            }
        }
        assert_eq!(
            persister.persist_manager(b"manager"),
            PersistStatus::Completed
        );
    }
    // Channel 1 is at update 11 (full at 8, deltas 9..11); channel 2 at 6 (full at 4, 5..6).
    assert_eq!(monitors[0].latest_update_id(), 11);
    assert_eq!(monitors[1].latest_update_id(), 6);
    let persister =
        MonitorUpdatingPersister::new(Box::new(FilesystemStore::open(&dir).unwrap()), 4);
    let stored = persister.read_all_stored_monitors().unwrap();
    assert_eq!(stored[0].monitor_update_id, 8);
    assert_eq!(stored[0].pending_updates.len(), 3);
    assert_eq!(stored[1].monitor_update_id, 4);
    assert_eq!(stored[1].pending_updates.len(), 2);
    assert_eq!(restart(&persister), monitors);
    assert_eq!(
        persister.read_manager().unwrap().as_deref(),
        Some(&b"manager"[..])
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn folded_deltas_left_by_a_crash_are_skipped_and_removed() {
    let mut persister = MonitorUpdatingPersister::new(Box::new(MemoryStore::new()), 3);
    let mut monitor = FakeMonitor::new(channel(3));
    persister.persist_new_channel(channel(3), &monitor);
    for _ in 0..4 {
        advance(&mut persister, &mut monitor);
    }
    // A crash between writing the full monitor at 3 and deleting deltas 1..2 leaves them.
    for id in 1..3 {
        persister
            .store_mut()
            .write(
                &update_ns(3),
                &id.to_string(),
                &update(channel(3), id).encode(),
            )
            .unwrap();
    }
    assert_eq!(
        persister.store().list(&update_ns(3)).unwrap(),
        ["1", "2", "4"]
    );
    let stored = persister.read_stored_monitor(channel(3)).unwrap();
    assert_eq!(stored.monitor_update_id, 3);
    assert_eq!(stored.pending_updates, [update(channel(3), 4)]);
    assert_eq!(restart(&persister), [monitor.clone()]);

    // Deltas of a channel without a monitor (a crash while removing the channel) are ignored.
    persister
        .store_mut()
        .write(&update_ns(9), "5", &update(channel(9), 5).encode())
        .unwrap();
    assert_eq!(restart(&persister), [monitor]);

    assert_eq!(persister.remove_stale_updates().unwrap(), 2);
    assert_eq!(persister.store().list(&update_ns(3)).unwrap(), ["4"]);
}

#[test]
fn removing_a_channel_removes_its_monitor_and_deltas() {
    let mut persister = MonitorUpdatingPersister::new(Box::new(MemoryStore::new()), 10);
    let mut one = FakeMonitor::new(channel(1));
    let mut two = FakeMonitor::new(channel(2));
    persister.persist_new_channel(channel(1), &one);
    persister.persist_new_channel(channel(2), &two);
    advance(&mut persister, &mut one);
    advance(&mut persister, &mut two);
    persister.remove_channel(channel(1)).unwrap();
    assert_eq!(persister.list_channels().unwrap(), [channel(2)]);
    assert!(persister.store().list(&update_ns(1)).unwrap().is_empty());
    assert_eq!(restart(&persister), [two]);
}

/// A store whose writes fail while `failing` is set.
struct FlakyStore {
    inner: Arc<Mutex<MemoryStore>>,
    failing: Arc<AtomicBool>,
}

impl KVStore for FlakyStore {
    fn read(&self, namespace: &str, key: &str) -> Result<Vec<u8>, KVStoreError> {
        self.inner.lock().unwrap().read(namespace, key)
    }

    fn write(&mut self, namespace: &str, key: &str, value: &[u8]) -> Result<(), KVStoreError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(KVStoreError::Io {
                operation: lightning::persist::StoreOperation::Write,
                os_error: Some(28),
            });
        }
        self.inner.lock().unwrap().write(namespace, key, value)
    }

    fn remove(&mut self, namespace: &str, key: &str) -> Result<(), KVStoreError> {
        self.inner.lock().unwrap().remove(namespace, key)
    }

    fn list(&self, namespace: &str) -> Result<Vec<String>, KVStoreError> {
        self.inner.lock().unwrap().list(namespace)
    }
}

#[test]
fn a_failed_write_never_leaves_a_gap() {
    let inner = Arc::new(Mutex::new(MemoryStore::new()));
    let failing = Arc::new(AtomicBool::new(false));
    let store = FlakyStore {
        inner: inner.clone(),
        failing: failing.clone(),
    };
    let mut persister = MonitorUpdatingPersister::new(Box::new(store), 100);
    let mut monitor = FakeMonitor::new(channel(4));
    persister.persist_new_channel(channel(4), &monitor);
    advance(&mut persister, &mut monitor);

    failing.store(true, Ordering::SeqCst);
    assert_eq!(advance(&mut persister, &mut monitor), PersistStatus::Failed);
    assert_eq!(persister.persist_manager(b"m"), PersistStatus::Failed);
    // What is stored is still consistent: the monitor at update 1.
    let at_one = {
        let mut m = FakeMonitor::new(channel(4));
        m.apply(&update(channel(4), 1)).unwrap();
        m
    };
    assert_eq!(restart(&persister), [at_one]);

    // The next write of the channel is a full monitor, so update 2 is not missing behind 3.
    failing.store(false, Ordering::SeqCst);
    assert_eq!(
        advance(&mut persister, &mut monitor),
        PersistStatus::Completed
    );
    let stored = persister.read_stored_monitor(channel(4)).unwrap();
    assert_eq!(stored.monitor_update_id, 3);
    assert!(stored.pending_updates.is_empty());
    // And deltas resume after it.
    advance(&mut persister, &mut monitor);
    assert_eq!(inner.lock().unwrap().list(&update_ns(4)).unwrap(), ["4"]);
    assert_eq!(restart(&persister), [monitor]);
}

#[test]
fn a_failed_new_monitor_is_written_whole_by_the_next_update() {
    let failing = Arc::new(AtomicBool::new(true));
    let store = FlakyStore {
        inner: Arc::new(Mutex::new(MemoryStore::new())),
        failing: failing.clone(),
    };
    let mut persister = MonitorUpdatingPersister::new(Box::new(store), 100);
    let mut monitor = FakeMonitor::new(channel(5));
    assert_eq!(
        persister.persist_new_channel(channel(5), &monitor),
        PersistStatus::Failed
    );
    assert!(persister.list_channels().unwrap().is_empty());
    failing.store(false, Ordering::SeqCst);
    assert_eq!(
        advance(&mut persister, &mut monitor),
        PersistStatus::Completed
    );
    assert_eq!(restart(&persister), [monitor]);
}

#[test]
fn inconsistent_requests_fail_and_store_nothing() {
    let mut persister = MonitorUpdatingPersister::new(Box::new(MemoryStore::new()), 100);
    let mut monitor = FakeMonitor::new(channel(6));
    // The monitor is for another channel.
    assert_eq!(
        persister.persist_new_channel(channel(7), &monitor),
        PersistStatus::Failed
    );
    persister.persist_new_channel(channel(6), &monitor);
    let before = restart(&persister);
    // An update the monitor has not applied (its id is not the monitor's latest).
    assert_eq!(
        persister.update_persisted_channel(channel(6), &update(channel(6), 1), &monitor),
        PersistStatus::Failed
    );
    // An update of another channel.
    monitor.apply(&update(channel(6), 1)).unwrap();
    assert_eq!(
        persister.update_persisted_channel(channel(6), &update(channel(8), 1), &monitor),
        PersistStatus::Failed
    );
    assert!(persister.store().list(&update_ns(6)).unwrap().is_empty());
    assert_eq!(restart(&persister), before);
}

#[test]
fn stored_data_that_does_not_add_up_is_an_error() {
    let fresh = || {
        let mut persister = MonitorUpdatingPersister::new(Box::new(MemoryStore::new()), 100);
        let mut monitor = FakeMonitor::new(channel(1));
        persister.persist_new_channel(channel(1), &monitor);
        advance(&mut persister, &mut monitor);
        advance(&mut persister, &mut monitor);
        persister
    };

    // A missing delta between the monitor and a later one.
    let mut persister = fresh();
    persister.store_mut().remove(&update_ns(1), "1").unwrap();
    assert_eq!(
        persister.read_all_stored_monitors(),
        Err(ReadMonitorsError::MissingUpdate {
            channel_id: channel(1),
            update_id: 1
        })
    );

    // A delta whose content names another update id than its key.
    let mut persister = fresh();
    let wrong = update(channel(1), 7).encode();
    persister
        .store_mut()
        .write(&update_ns(1), "2", &wrong)
        .unwrap();
    assert_eq!(
        persister.read_all_stored_monitors(),
        Err(ReadMonitorsError::Mismatch {
            channel_id: channel(1)
        })
    );

    // A corrupt delta.
    let mut persister = fresh();
    persister
        .store_mut()
        .write(&update_ns(1), "2", &[1, 0xff])
        .unwrap();
    assert!(matches!(
        persister.read_all_stored_monitors(),
        Err(ReadMonitorsError::BadUpdate { update_id: 2, .. })
    ));

    // A corrupt monitor envelope.
    let mut persister = fresh();
    let key = channel_hex(1);
    persister
        .store_mut()
        .write(MONITOR_NAMESPACE, &key, &[2, 0])
        .unwrap();
    assert!(matches!(
        persister.read_all_stored_monitors(),
        Err(ReadMonitorsError::BadMonitor { .. })
    ));

    // A monitor filed under another channel's key.
    let mut persister = fresh();
    let bytes = persister.store().read(MONITOR_NAMESPACE, &key).unwrap();
    persister
        .store_mut()
        .write(MONITOR_NAMESPACE, &channel_hex(2), &bytes)
        .unwrap();
    assert_eq!(
        persister.read_stored_monitor(channel(2)),
        Err(ReadMonitorsError::Mismatch {
            channel_id: channel(2)
        })
    );

    // Keys that are not ours.
    let mut persister = fresh();
    persister
        .store_mut()
        .write(MONITOR_NAMESPACE, "junk", b"x")
        .unwrap();
    assert_eq!(
        persister.read_all_stored_monitors(),
        Err(ReadMonitorsError::UnexpectedKey)
    );
    let mut persister = fresh();
    persister
        .store_mut()
        .write(&update_ns(1), "007", b"x")
        .unwrap();
    assert_eq!(
        persister.read_all_stored_monitors(),
        Err(ReadMonitorsError::UnexpectedKey)
    );
}

#[test]
fn manager_is_stored_at_the_root() {
    let mut persister = MonitorUpdatingPersister::new(Box::new(MemoryStore::new()), 3);
    assert_eq!(persister.read_manager().unwrap(), None);
    assert_eq!(persister.persist_manager(b"one"), PersistStatus::Completed);
    assert_eq!(persister.persist_manager(b"two"), PersistStatus::Completed);
    assert_eq!(
        persister.read_manager().unwrap().as_deref(),
        Some(&b"two"[..])
    );
    let store = persister.into_store();
    assert_eq!(store.read(MANAGER_NAMESPACE, MANAGER_KEY).unwrap(), b"two");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// However many updates and whatever the compaction interval, a restart rebuilds every
    /// monitor exactly, and no more than N - 1 deltas are ever pending per channel.
    #[test]
    fn restart_rebuilds_every_monitor(
        interval in 0u64..8,
        schedule in proptest::collection::vec(0u8..3, 0..60),
    ) {
        let mut persister = MonitorUpdatingPersister::new(Box::new(MemoryStore::new()), interval);
        let mut monitors: Vec<FakeMonitor> = (0..3).map(|n| FakeMonitor::new(channel(n))).collect();
        for monitor in &monitors {
            prop_assert_eq!(persister.persist_new_channel(monitor.channel_id, monitor), PersistStatus::Completed);
        }
        for n in schedule {
            prop_assert_eq!(advance(&mut persister, &mut monitors[n as usize]), PersistStatus::Completed);
            let pending = persister.store().list(&update_ns(n)).unwrap().len() as u64;
            prop_assert!(pending < interval.max(1));
        }
        let store = persister.into_store();
        let persister = MonitorUpdatingPersister::new(store, interval);
        prop_assert_eq!(restart(&persister), monitors);
    }
}
