//! Persistence: the [`Persister`] contract that lets a channel wait until its state is stored,
//! a key-value store abstraction ([`KVStore`]) with an in-memory and (under `std`) a filesystem
//! implementation, and [`MonitorUpdatingPersister`], a [`Persister`] over any [`KVStore`] that
//! stores each monitor update as a small delta and compacts them into a full monitor.
//!
//! # The persistence contract
//!
//! Every state change of a channel that its on-chain guardian must know is a
//! [`ChannelMonitorUpdate`] with a per-channel, strictly increasing `update_id`. Before any
//! message that depends on an update may leave (a `commitment_signed`, a `revoke_and_ack`, a
//! `channel_ready`), the update must be durable. The [`Persister`] is asked to make it so and
//! answers a [`PersistStatus`]:
//!
//! - [`PersistStatus::Completed`]: the update (or monitor) is durable now; the channel goes on.
//! - [`PersistStatus::InProgress`]: the persister started the work (an asynchronous write, a
//!   remote backup, watchtowers that must acknowledge). The channel **pauses**: it holds the
//!   messages that depend on the update, sends no new commitment and no revocation, until the
//!   caller reports the update done with `update_completed(channel_id, update_id)` on the
//!   [`ChainMonitor`](crate::monitor::chain_monitor::ChainMonitor). Updates may complete in any
//!   order; a channel resumes up to the highest id below which every update has completed.
//!   Pausing is a normal state, not an error.
//! - [`PersistStatus::Failed`]: the persister could not store it and will not retry on its own.
//!
//! ## Policy on `Failed`
//!
//! A failed persistence never leaves funds at risk:
//! - The in-memory monitor has already applied the update, so it keeps guarding the channel on
//!   chain with the latest state for as long as the process runs.
//! - The update is never reported complete, so the channel stays paused: the messages that
//!   depend on it (in particular our revocation of an older commitment, and new commitments we
//!   would sign) are never sent. The counterparty therefore cannot hold a state the stored
//!   monitor would not know how to punish or claim.
//! - The user is told ([`ChainMonitorEvent::PersistenceFailed`]), and can either retry (the
//!   chain monitor rewrites the whole monitor, which supersedes every failed update) once the
//!   storage is back, or force close the channel, which broadcasts our latest commitment from
//!   the in-memory monitor.
//!
//! [`ChainMonitorEvent::PersistenceFailed`]: crate::monitor::chain_monitor::ChainMonitorEvent
//!
//! # Stores
//!
//! A [`KVStore`] maps (namespace, key) to bytes. It is synchronous: a store that cannot answer
//! at once belongs behind a [`Persister`] that answers [`PersistStatus::InProgress`] instead.
//! [`MemoryStore`] keeps everything in memory (tests, `no_std` users with their own flushing);
//! [`FilesystemStore`] (feature `std`) writes crash-safely to a directory.

mod channel_monitor;
mod kv_store;
mod monitor_updating;
mod names;
mod stored;

#[cfg(feature = "std")]
mod fs_store;

pub use channel_monitor::encoded_monitor_keys_id;
#[cfg(feature = "std")]
pub use fs_store::FilesystemStore;
pub use kv_store::{KVStore, KVStoreError, MemoryStore, StoreOperation};
pub use monitor_updating::{
    MonitorUpdatingPersister, ReadMonitorsError, StoredMonitor, MANAGER_KEY, MANAGER_NAMESPACE,
    MONITOR_NAMESPACE, MONITOR_UPDATE_NAMESPACE,
};
pub use names::{is_valid_key, is_valid_namespace, MAX_KEY_LEN};
pub use stored::{StoredMonitorDecodeError, STORED_MONITOR_FORMAT_VERSION};

use alloc::vec::Vec;

use crate::monitor::update::ChannelMonitorUpdate;
use crate::wire::ChannelId;

/// What a [`Persister`] answers for each request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PersistStatus {
    /// Durable now: the channel may go on.
    Completed,
    /// Started; the caller reports completion later (`update_completed`). The channel pauses
    /// until then.
    InProgress,
    /// Could not be stored; nothing will be retried by the persister itself. The channel stays
    /// paused and the user is told (see the module documentation for the policy).
    Failed,
}

/// A monitor as the [`Persister`] sees it: its position in the update sequence and its full
/// encoding, produced only when the persister needs it (a persister that stores deltas asks for
/// the full encoding only when it compacts).
pub trait PersistableMonitor {
    /// The channel the monitor guards.
    fn monitor_channel_id(&self) -> ChannelId;

    /// The `update_id` of the latest update the monitor has applied (0 right after creation).
    fn latest_update_id(&self) -> u64;

    /// The monitor's versioned encoding, as its decoder reads it back.
    fn encode_monitor(&self) -> Vec<u8>;
}

/// Stores channel monitors, their updates and the channel manager. Implemented by the user, or
/// use [`MonitorUpdatingPersister`] over a [`KVStore`].
///
/// Call contract (what the [`ChainMonitor`](crate::monitor::chain_monitor::ChainMonitor) does,
/// and what a node without one must do):
/// 1. [`persist_new_channel`](Self::persist_new_channel) once for each new monitor, before any
///    of its updates, and again to rewrite a monitor entirely (e.g. to retry after
///    [`PersistStatus::Failed`]: the full monitor supersedes every update up to its
///    [`latest_update_id`](PersistableMonitor::latest_update_id)).
/// 2. [`update_persisted_channel`](Self::update_persisted_channel) for each update, in
///    `update_id` order, after the monitor has applied it (so `monitor` already includes
///    `update`).
/// 3. [`persist_manager`](Self::persist_manager) whenever the caller wants the channel manager
///    stored.
///
/// Each call answers a [`PersistStatus`]. An implementation answering
/// [`InProgress`](PersistStatus::InProgress) must finish the write even if later calls for the
/// same channel complete first, and the caller then reports each finished update (see the
/// module documentation). What is stored must let [`read`](MonitorUpdatingPersister::read_all_channel_monitors)
/// rebuild a monitor equal to the one in memory when the last completed write was made.
pub trait Persister: Send {
    /// Stores a whole monitor for `channel_id` (a new channel, or a full rewrite). On
    /// [`Completed`](PersistStatus::Completed) every update up to
    /// `monitor.latest_update_id()` is durable.
    fn persist_new_channel(
        &mut self,
        channel_id: ChannelId,
        monitor: &dyn PersistableMonitor,
    ) -> PersistStatus;

    /// Stores `update`, which `monitor` has just applied. A persister may store the update
    /// alone (a delta) or the whole monitor.
    fn update_persisted_channel(
        &mut self,
        channel_id: ChannelId,
        update: &ChannelMonitorUpdate,
        monitor: &dyn PersistableMonitor,
    ) -> PersistStatus;

    /// Stores the channel manager's encoding (replacing the previous one).
    fn persist_manager(&mut self, manager: &[u8]) -> PersistStatus;
}
