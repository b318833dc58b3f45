//! [`MonitorUpdatingPersister`]: a [`Persister`] over a [`KVStore`] that stores each monitor
//! update as a delta and compacts the deltas into a full monitor every N updates.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use hashbrown::HashSet;

use super::kv_store::{KVStore, KVStoreError};
use super::names::{channel_key, parse_channel_key, parse_update_key, update_key};
use super::stored::{decode_stored_monitor, encode_stored_monitor, StoredMonitorDecodeError};
use super::{PersistStatus, PersistableMonitor, Persister};
use crate::monitor::update::{ChannelMonitorUpdate, MonitorUpdateDecodeError};
use crate::monitor::{MonitorDecodeError, MonitorUpdateError};
use crate::wire::ChannelId;

/// The namespace of full monitors, one key per channel (its id in hex).
pub const MONITOR_NAMESPACE: &str = "monitors";
/// The parent namespace of monitor update deltas: `monitor_updates/<channel id in hex>` holds
/// one key per update (its `update_id` in decimal).
pub const MONITOR_UPDATE_NAMESPACE: &str = "monitor_updates";
/// The namespace of the channel manager's encoding (the store's root).
pub const MANAGER_NAMESPACE: &str = "";
/// The key of the channel manager's encoding.
pub const MANAGER_KEY: &str = "manager";

/// A monitor as found in the store: its last full encoding and the deltas stored since, ready
/// to be decoded and brought up to date by applying `pending_updates` in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMonitor {
    /// The channel.
    pub channel_id: ChannelId,
    /// The latest update id the full encoding already contains.
    pub monitor_update_id: u64,
    /// The monitor's own encoding (as written by
    /// [`PersistableMonitor::encode_monitor`]).
    pub monitor: Vec<u8>,
    /// The stored updates after `monitor_update_id`, with consecutive ids, in order.
    pub pending_updates: Vec<ChannelMonitorUpdate>,
}

impl StoredMonitor {
    /// The update id of the monitor once every pending update is applied.
    pub fn latest_update_id(&self) -> u64 {
        self.pending_updates
            .last()
            .map_or(self.monitor_update_id, |update| update.update_id)
    }
}

/// Why the stored monitors could not be read. Nothing is guessed: any inconsistency is an
/// error, so a node never starts from a monitor older than what it acknowledged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadMonitorsError {
    /// The store failed.
    Store(KVStoreError),
    /// A key in the monitors' namespaces is not a channel id or an update id.
    UnexpectedKey,
    /// A stored monitor's envelope could not be read.
    BadMonitor {
        /// The channel (from the key).
        channel_id: ChannelId,
        /// What was wrong.
        error: StoredMonitorDecodeError,
    },
    /// A stored update could not be read.
    BadUpdate {
        /// The channel (from the namespace).
        channel_id: ChannelId,
        /// The update id (from the key).
        update_id: u64,
        /// What was wrong.
        error: MonitorUpdateDecodeError,
    },
    /// A stored monitor or update names another channel or update id than its key.
    Mismatch {
        /// The channel (from the key).
        channel_id: ChannelId,
    },
    /// An update between the full monitor and a later stored update is missing.
    MissingUpdate {
        /// The channel.
        channel_id: ChannelId,
        /// The first missing update id.
        update_id: u64,
    },
    /// The monitor inside the envelope could not be decoded.
    MonitorDecode {
        /// The channel.
        channel_id: ChannelId,
        /// What the decoder said.
        error: MonitorDecodeError,
    },
    /// A stored update did not apply to the decoded monitor.
    UpdateRejected {
        /// The channel.
        channel_id: ChannelId,
        /// The update.
        update_id: u64,
        /// What the monitor said.
        error: MonitorUpdateError,
    },
}

impl fmt::Display for ReadMonitorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(e) => write!(f, "reading stored monitors: {e}"),
            Self::UnexpectedKey => f.write_str("unexpected key among stored monitors"),
            Self::BadMonitor { channel_id, error } => {
                write!(f, "stored monitor of channel {channel_id}: {error}")
            }
            Self::BadUpdate {
                channel_id,
                update_id,
                error,
            } => write!(
                f,
                "stored update {update_id} of channel {channel_id}: {error}"
            ),
            Self::Mismatch { channel_id } => {
                write!(
                    f,
                    "stored data of channel {channel_id} does not match its key"
                )
            }
            Self::MissingUpdate {
                channel_id,
                update_id,
            } => write!(f, "update {update_id} of channel {channel_id} is missing"),
            Self::MonitorDecode { channel_id, error } => {
                write!(f, "stored monitor of channel {channel_id}: {error}")
            }
            Self::UpdateRejected {
                channel_id,
                update_id,
                error,
            } => write!(
                f,
                "stored update {update_id} of channel {channel_id} does not apply: {error}"
            ),
        }
    }
}

impl core::error::Error for ReadMonitorsError {}

impl From<KVStoreError> for ReadMonitorsError {
    fn from(e: KVStoreError) -> Self {
        Self::Store(e)
    }
}

fn update_namespace(channel_id: &ChannelId) -> alloc::string::String {
    let mut namespace = alloc::string::String::from(MONITOR_UPDATE_NAMESPACE);
    namespace.push('/');
    namespace.push_str(&channel_key(channel_id));
    namespace
}

/// A [`Persister`] over a [`KVStore`], storing monitor updates as deltas.
///
/// Layout: `monitors/<channel>` holds the full monitor (in a versioned envelope recording the
/// update id it includes), `monitor_updates/<channel>/<update_id>` each update stored since,
/// and the root key `manager` the channel manager.
///
/// - [`persist_new_channel`](Persister::persist_new_channel) writes the full monitor, then
///   deletes the deltas it folds in.
/// - [`update_persisted_channel`](Persister::update_persisted_channel) writes the update as a
///   delta, except every `updates_between_full_writes`-th update id (and the first update
///   after a failed write of the channel), where it writes the full monitor instead
///   (compaction) and deletes the folded deltas with [`KVStore::remove_lazily`] (nothing reads
///   them once the full monitor is durable, so each deletion is not synced). A crash between
///   the two steps, or before the deletions are durable, leaves folded deltas behind; readers
///   skip them and [`remove_stale_updates`](Self::remove_stale_updates) deletes them.
/// - Every write is synchronous: the answer is [`PersistStatus::Completed`] or
///   [`PersistStatus::Failed`], never `InProgress`.
///
/// After a restart, [`read_all_stored_monitors`](Self::read_all_stored_monitors) returns each
/// monitor with its pending deltas; decoding the monitor and applying the deltas in order gives
/// the monitor as it was at the last completed write.
pub struct MonitorUpdatingPersister {
    store: Box<dyn KVStore>,
    updates_between_full_writes: u64,
    needs_full_write: HashSet<ChannelId>,
}

impl MonitorUpdatingPersister {
    /// A persister over `store` that writes a full monitor whenever an update's id is a
    /// multiple of `updates_between_full_writes` (0 and 1 both mean: every update).
    pub fn new(store: Box<dyn KVStore>, updates_between_full_writes: u64) -> Self {
        MonitorUpdatingPersister {
            store,
            updates_between_full_writes: updates_between_full_writes.max(1),
            needs_full_write: HashSet::new(),
        }
    }

    /// The store.
    pub fn store(&self) -> &dyn KVStore {
        &*self.store
    }

    /// The store, mutably (for the user's own keys; keep out of this persister's namespaces).
    pub fn store_mut(&mut self) -> &mut dyn KVStore {
        &mut *self.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> Box<dyn KVStore> {
        self.store
    }

    /// The stored channel manager encoding, if one was written.
    pub fn read_manager(&self) -> Result<Option<Vec<u8>>, KVStoreError> {
        match self.store.read(MANAGER_NAMESPACE, MANAGER_KEY) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(KVStoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The channels with a stored monitor, sorted by id.
    pub fn list_channels(&self) -> Result<Vec<ChannelId>, ReadMonitorsError> {
        self.store
            .list(MONITOR_NAMESPACE)?
            .iter()
            .map(|key| parse_channel_key(key).ok_or(ReadMonitorsError::UnexpectedKey))
            .collect()
    }

    /// Every stored monitor with its pending deltas (see [`StoredMonitor`]), sorted by channel.
    pub fn read_all_stored_monitors(&self) -> Result<Vec<StoredMonitor>, ReadMonitorsError> {
        self.list_channels()?
            .into_iter()
            .map(|channel_id| self.read_stored_monitor(channel_id))
            .collect()
    }

    /// The stored monitor of `channel_id` with its pending deltas.
    pub fn read_stored_monitor(
        &self,
        channel_id: ChannelId,
    ) -> Result<StoredMonitor, ReadMonitorsError> {
        let bytes = self
            .store
            .read(MONITOR_NAMESPACE, &channel_key(&channel_id))?;
        let envelope = decode_stored_monitor(&bytes)
            .map_err(|error| ReadMonitorsError::BadMonitor { channel_id, error })?;
        if envelope.channel_id != channel_id {
            return Err(ReadMonitorsError::Mismatch { channel_id });
        }
        let monitor_update_id = envelope.update_id;
        let namespace = update_namespace(&channel_id);
        let mut pending_ids = Vec::new();
        for key in self.store.list(&namespace)? {
            let update_id = parse_update_key(&key).ok_or(ReadMonitorsError::UnexpectedKey)?;
            if update_id > monitor_update_id {
                pending_ids.push(update_id);
            }
        }
        pending_ids.sort_unstable();
        let mut pending_updates = Vec::with_capacity(pending_ids.len());
        let mut expected = monitor_update_id;
        for update_id in pending_ids {
            expected = expected.saturating_add(1);
            if update_id != expected {
                return Err(ReadMonitorsError::MissingUpdate {
                    channel_id,
                    update_id: expected,
                });
            }
            let bytes = self.store.read(&namespace, &update_key(update_id))?;
            let update = ChannelMonitorUpdate::decode(&bytes).map_err(|error| {
                ReadMonitorsError::BadUpdate {
                    channel_id,
                    update_id,
                    error,
                }
            })?;
            if update.channel_id != channel_id || update.update_id != update_id {
                return Err(ReadMonitorsError::Mismatch { channel_id });
            }
            pending_updates.push(update);
        }
        Ok(StoredMonitor {
            channel_id,
            monitor_update_id,
            monitor: envelope.monitor.to_vec(),
            pending_updates,
        })
    }

    /// Deletes the deltas that stored monitors already fold in (left by a crash during a
    /// compaction); returns how many.
    pub fn remove_stale_updates(&mut self) -> Result<usize, ReadMonitorsError> {
        let mut removed = 0usize;
        for key in self.store.list(MONITOR_NAMESPACE)? {
            let channel_id = parse_channel_key(&key).ok_or(ReadMonitorsError::UnexpectedKey)?;
            let bytes = self.store.read(MONITOR_NAMESPACE, &key)?;
            let envelope = decode_stored_monitor(&bytes)
                .map_err(|error| ReadMonitorsError::BadMonitor { channel_id, error })?;
            removed = removed.saturating_add(self.remove_updates_through(
                &channel_id,
                envelope.update_id,
                Removal::Durable,
            )?);
        }
        Ok(removed)
    }

    /// Deletes everything stored for `channel_id` (call once the channel is closed and every
    /// output resolved, so its monitor is no longer needed). The monitor goes first, so a crash
    /// midway leaves only deltas, which readers ignore; calling this again deletes them.
    pub fn remove_channel(&mut self, channel_id: ChannelId) -> Result<(), KVStoreError> {
        self.store
            .remove(MONITOR_NAMESPACE, &channel_key(&channel_id))?;
        self.remove_updates_through(&channel_id, u64::MAX, Removal::Durable)?;
        self.needs_full_write.remove(&channel_id);
        Ok(())
    }

    /// Deletes the stored deltas of `channel_id` with ids up to `update_id`.
    fn remove_updates_through(
        &mut self,
        channel_id: &ChannelId,
        update_id: u64,
        removal: Removal,
    ) -> Result<usize, KVStoreError> {
        let namespace = update_namespace(channel_id);
        let mut removed = 0usize;
        for key in self.store.list(&namespace)? {
            if parse_update_key(&key).is_some_and(|id| id <= update_id) {
                match removal {
                    Removal::Durable => self.store.remove(&namespace, &key)?,
                    Removal::Lazy => self.store.remove_lazily(&namespace, &key)?,
                }
                removed = removed.saturating_add(1);
            }
        }
        Ok(removed)
    }

    fn write_full(&mut self, channel_id: ChannelId, monitor: &dyn PersistableMonitor) -> bool {
        let update_id = monitor.latest_update_id();
        let envelope = encode_stored_monitor(&channel_id, update_id, &monitor.encode_monitor());
        if self
            .store
            .write(MONITOR_NAMESPACE, &channel_key(&channel_id), &envelope)
            .is_err()
        {
            self.needs_full_write.insert(channel_id);
            return false;
        }
        self.needs_full_write.remove(&channel_id);
        // The full monitor is durable, so the folded deltas are never read again: they are
        // removed without syncing each removal. Deltas left behind (this fails, or a crash
        // brings some back) are skipped by readers and deleted by `remove_stale_updates`.
        let _ = self.remove_updates_through(&channel_id, update_id, Removal::Lazy);
        true
    }
}

/// Whether a removal of deltas must be durable when it returns.
#[derive(Clone, Copy)]
enum Removal {
    /// [`KVStore::remove`].
    Durable,
    /// [`KVStore::remove_lazily`]: for deltas a durable full monitor already folds in.
    Lazy,
}

fn status(ok: bool) -> PersistStatus {
    if ok {
        PersistStatus::Completed
    } else {
        PersistStatus::Failed
    }
}

impl Persister for MonitorUpdatingPersister {
    fn persist_new_channel(
        &mut self,
        channel_id: ChannelId,
        monitor: &dyn PersistableMonitor,
    ) -> PersistStatus {
        if monitor.monitor_channel_id() != channel_id {
            return PersistStatus::Failed;
        }
        status(self.write_full(channel_id, monitor))
    }

    fn update_persisted_channel(
        &mut self,
        channel_id: ChannelId,
        update: &ChannelMonitorUpdate,
        monitor: &dyn PersistableMonitor,
    ) -> PersistStatus {
        let consistent = update.channel_id == channel_id
            && monitor.monitor_channel_id() == channel_id
            && monitor.latest_update_id() == update.update_id;
        if !consistent {
            // Storing it would make the stored deltas disagree with the monitor.
            return PersistStatus::Failed;
        }
        let compact = update
            .update_id
            .is_multiple_of(self.updates_between_full_writes)
            || self.needs_full_write.contains(&channel_id);
        if compact {
            return status(self.write_full(channel_id, monitor));
        }
        let written = self
            .store
            .write(
                &update_namespace(&channel_id),
                &update_key(update.update_id),
                &update.encode(),
            )
            .is_ok();
        if !written {
            // The next write of this channel must not leave a gap behind this update.
            self.needs_full_write.insert(channel_id);
        }
        status(written)
    }

    fn persist_manager(&mut self, manager: &[u8]) -> PersistStatus {
        status(
            self.store
                .write(MANAGER_NAMESPACE, MANAGER_KEY, manager)
                .is_ok(),
        )
    }
}
