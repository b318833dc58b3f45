//! [`ChainMonitor`]: every [`ChannelMonitor`] of the node, the [`Persister`] they are stored
//! through, and the bookkeeping of updates whose persistence is in progress.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;
use core::fmt;

use bitcoin::block::Header;
use bitcoin::{BlockHash, OutPoint, ScriptBuf, Transaction, Txid};

use super::update::ChannelMonitorUpdate;
use super::{ChannelMonitor, MonitorEvent, MonitorUpdateError};
use crate::chain::{ChainSource, Confirm};
use crate::persist::{PersistStatus, Persister};
use crate::wire::ChannelId;

/// What the [`ChainMonitor`] tells its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainMonitorEvent {
    /// An event of one of the monitors (funding spent, preimage learnt on chain, spendable
    /// outputs, fee bump needed, ...).
    Monitor(MonitorEvent),
    /// The persister answered [`PersistStatus::Failed`] for this update (or, after
    /// [`ChainMonitor::persist_monitor`], for the whole monitor at this update id). The channel
    /// stays paused. Once storage works again call [`ChainMonitor::persist_monitor`] (which
    /// supersedes every failed update), or force close the channel.
    PersistenceFailed {
        /// The channel.
        channel_id: ChannelId,
        /// The update (or the monitor's latest update id, for a full rewrite).
        update_id: u64,
    },
}

/// Why [`ChainMonitor::watch_channel`] or [`ChainMonitor::load_channel`] refused a monitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchChannelError {
    /// A monitor for this channel is already watched.
    AlreadyWatched(ChannelId),
}

impl fmt::Display for WatchChannelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyWatched(id) => write!(f, "channel {id} already has a monitor"),
        }
    }
}

impl core::error::Error for WatchChannelError {}

/// Why [`ChainMonitor::update_channel`] did not apply an update. Nothing was persisted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateChannelError {
    /// No monitor watches the update's channel (update 0 goes through
    /// [`ChannelMonitor::new`] and [`ChainMonitor::watch_channel`] instead).
    UnknownChannel(ChannelId),
    /// The monitor refused the update (wrong channel, wrong id, inconsistent content); the
    /// monitor is unchanged.
    Rejected(MonitorUpdateError),
}

impl fmt::Display for UpdateChannelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownChannel(id) => write!(f, "no monitor for channel {id}"),
            Self::Rejected(e) => write!(f, "monitor update rejected: {e}"),
        }
    }
}

impl core::error::Error for UpdateChannelError {}

/// Why [`ChainMonitor::update_completed`] was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateCompletedError {
    /// No monitor watches this channel.
    UnknownChannel(ChannelId),
    /// No persistence of this update is in progress (never started, answered
    /// `Completed`/`Failed`, already reported, or superseded by a completed full rewrite).
    NotInProgress {
        /// The channel.
        channel_id: ChannelId,
        /// The update id reported.
        update_id: u64,
    },
}

impl fmt::Display for UpdateCompletedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownChannel(id) => write!(f, "no monitor for channel {id}"),
            Self::NotInProgress {
                channel_id,
                update_id,
            } => write!(
                f,
                "update {update_id} of channel {channel_id} is not being persisted"
            ),
        }
    }
}

impl core::error::Error for UpdateCompletedError {}

/// One watched monitor and the persistence state of its updates.
struct Watched {
    monitor: ChannelMonitor,
    /// Writes in progress, by update id; `true` for a full-monitor write, which makes every
    /// earlier update durable too.
    in_progress: BTreeMap<u64, bool>,
    /// Updates whose write failed and that no later full write has superseded yet.
    failed: BTreeSet<u64>,
    /// Durable updates above `durable_through`, waiting for an earlier one.
    durable_ahead: BTreeSet<u64>,
    /// Every update up to this one is durable and reported; `None` before update 0 is.
    durable_through: Option<u64>,
}

impl Watched {
    fn next_to_report(&self) -> u64 {
        self.durable_through
            .map_or(0, |done| done.saturating_add(1))
    }

    /// Records that `update_id` alone is durable; reports every update that became reportable.
    fn mark_durable(&mut self, update_id: u64, completed: &mut VecDeque<(ChannelId, u64)>) {
        if update_id < self.next_to_report() {
            return;
        }
        self.failed.remove(&update_id);
        self.durable_ahead.insert(update_id);
        self.advance(completed);
    }

    /// Records that every update up to `update_id` is durable (a full monitor was written).
    fn mark_durable_through(&mut self, update_id: u64, completed: &mut VecDeque<(ChannelId, u64)>) {
        let channel_id = self.monitor.channel_id();
        let mut next = self.next_to_report();
        while next <= update_id {
            completed.push_back((channel_id, next));
            self.durable_through = Some(next);
            match next.checked_add(1) {
                Some(n) => next = n,
                None => break,
            }
        }
        self.failed.retain(|id| *id > update_id);
        self.durable_ahead.retain(|id| *id > update_id);
        self.in_progress.retain(|id, _| *id > update_id);
        self.advance(completed);
    }

    fn advance(&mut self, completed: &mut VecDeque<(ChannelId, u64)>) {
        let channel_id = self.monitor.channel_id();
        loop {
            let next = self.next_to_report();
            if !self.durable_ahead.remove(&next) {
                break;
            }
            self.durable_through = Some(next);
            completed.push_back((channel_id, next));
        }
    }

    /// Whether some update is not yet durable.
    fn is_paused(&self) -> bool {
        self.durable_through != Some(self.monitor.latest_update_id())
    }
}

/// Every [`ChannelMonitor`] of the node: routes chain data to them, stores them through a
/// [`Persister`], tracks the updates whose persistence is in progress, and says which channel
/// updates are durable so the channels can go on.
///
/// # Call contract
/// 1. Build with [`new`](Self::new) and the persister. After a restart, add each monitor read
///    from storage with [`load_channel`](Self::load_channel) (nothing is written or reported).
/// 2. For every [`ChannelMonitorUpdate`] the channel manager emits, in order: update 0 (the
///    new channel) becomes a monitor through [`ChannelMonitor::new`], given to
///    [`watch_channel`](Self::watch_channel); every later one goes to
///    [`update_channel`](Self::update_channel). Each is applied to the in-memory monitor
///    first (a rejected update changes and stores nothing), then persisted.
/// 3. When the persister answered [`PersistStatus::InProgress`], call
///    [`update_completed`](Self::update_completed) once that write is durable (in any order).
/// 4. After every call, drain [`poll_completed_updates`](Self::poll_completed_updates) and
///    give each `(channel, update_id)` to `ChannelManager::monitor_update_completed`; updates
///    come out per channel in id order, each once, only when it and every earlier update of
///    the channel are durable. Also drain [`poll_broadcast`](Self::poll_broadcast) (relay) and
///    [`poll_event`](Self::poll_event).
/// 5. Feed the chain through [`Confirm`] (or [`ConfirmAsListen`](crate::chain::ConfirmAsListen)
///    for whole blocks), and call [`sync_chain_source`](Self::sync_chain_source) so the chain
///    client watches what the monitors need.
///
/// On [`PersistStatus::Failed`] see the policy in [`crate::persist`]: the update stays applied
/// in memory, is never reported complete (the channel stays paused), and a
/// [`ChainMonitorEvent::PersistenceFailed`] is queued; [`persist_monitor`](Self::persist_monitor)
/// retries by writing the whole monitor.
///
/// Chain data changes a monitor (transactions seen, events delivered) without an update. Call
/// [`persist_monitor`](Self::persist_monitor) when that should be stored (e.g. after a block
/// that produced events); otherwise, after a restart, feed the chain again from each loaded
/// monitor's [`best_block`](ChannelMonitor::best_block).
pub struct ChainMonitor {
    persister: Box<dyn Persister>,
    monitors: BTreeMap<ChannelId, Watched>,
    completed: VecDeque<(ChannelId, u64)>,
    broadcasts: VecDeque<Transaction>,
    events: VecDeque<ChainMonitorEvent>,
}

impl ChainMonitor {
    /// A chain monitor storing monitors through `persister`.
    pub fn new(persister: Box<dyn Persister>) -> Self {
        ChainMonitor {
            persister,
            monitors: BTreeMap::new(),
            completed: VecDeque::new(),
            broadcasts: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Starts watching a new channel's monitor and persists it whole. When durable, every
    /// update the monitor contains (0 for a new one) is reported through
    /// [`poll_completed_updates`](Self::poll_completed_updates).
    pub fn watch_channel(
        &mut self,
        monitor: ChannelMonitor,
    ) -> Result<PersistStatus, WatchChannelError> {
        let channel_id = monitor.channel_id();
        if self.monitors.contains_key(&channel_id) {
            return Err(WatchChannelError::AlreadyWatched(channel_id));
        }
        let status = self.persister.persist_new_channel(channel_id, &monitor);
        let update_id = monitor.latest_update_id();
        self.monitors.insert(
            channel_id,
            Watched {
                monitor,
                in_progress: BTreeMap::new(),
                failed: BTreeSet::new(),
                durable_ahead: BTreeSet::new(),
                durable_through: None,
            },
        );
        self.record_full_write(channel_id, update_id, status);
        self.drain_monitor(channel_id);
        Ok(status)
    }

    /// Adds a monitor read back from storage: nothing is written, and its updates count as
    /// durable (none is reported).
    pub fn load_channel(&mut self, monitor: ChannelMonitor) -> Result<(), WatchChannelError> {
        let channel_id = monitor.channel_id();
        if self.monitors.contains_key(&channel_id) {
            return Err(WatchChannelError::AlreadyWatched(channel_id));
        }
        let durable_through = Some(monitor.latest_update_id());
        self.monitors.insert(
            channel_id,
            Watched {
                monitor,
                in_progress: BTreeMap::new(),
                failed: BTreeSet::new(),
                durable_ahead: BTreeSet::new(),
                durable_through,
            },
        );
        self.drain_monitor(channel_id);
        Ok(())
    }

    /// Applies `update` to its channel's monitor, then persists it. A rejected update leaves
    /// the monitor unchanged and stores nothing.
    pub fn update_channel(
        &mut self,
        update: &ChannelMonitorUpdate,
    ) -> Result<PersistStatus, UpdateChannelError> {
        let channel_id = update.channel_id;
        let watched = self
            .monitors
            .get_mut(&channel_id)
            .ok_or(UpdateChannelError::UnknownChannel(channel_id))?;
        watched
            .monitor
            .update(update)
            .map_err(UpdateChannelError::Rejected)?;
        let status = self
            .persister
            .update_persisted_channel(channel_id, update, &watched.monitor);
        match status {
            PersistStatus::Completed => {
                watched.mark_durable(update.update_id, &mut self.completed);
            }
            PersistStatus::InProgress => {
                watched.in_progress.insert(update.update_id, false);
            }
            PersistStatus::Failed => {
                watched.failed.insert(update.update_id);
                self.events.push_back(ChainMonitorEvent::PersistenceFailed {
                    channel_id,
                    update_id: update.update_id,
                });
            }
        }
        self.drain_monitor(channel_id);
        Ok(status)
    }

    /// Reports that the write of `update_id` for `channel_id`, which the persister answered
    /// [`PersistStatus::InProgress`] for, is durable. Any order is fine. For a full rewrite
    /// ([`watch_channel`](Self::watch_channel), [`persist_monitor`](Self::persist_monitor)) use
    /// the monitor's update id at the time of the write; it makes every earlier update durable.
    pub fn update_completed(
        &mut self,
        channel_id: ChannelId,
        update_id: u64,
    ) -> Result<(), UpdateCompletedError> {
        let watched = self
            .monitors
            .get_mut(&channel_id)
            .ok_or(UpdateCompletedError::UnknownChannel(channel_id))?;
        match watched.in_progress.remove(&update_id) {
            Some(true) => watched.mark_durable_through(update_id, &mut self.completed),
            Some(false) => watched.mark_durable(update_id, &mut self.completed),
            None => {
                return Err(UpdateCompletedError::NotInProgress {
                    channel_id,
                    update_id,
                })
            }
        }
        Ok(())
    }

    /// Writes the whole monitor of `channel_id` again: to retry after
    /// [`PersistStatus::Failed`] (on success every failed update becomes durable), or to store
    /// what the monitor learnt from the chain. `None` if no monitor watches the channel.
    pub fn persist_monitor(&mut self, channel_id: ChannelId) -> Option<PersistStatus> {
        let watched = self.monitors.get(&channel_id)?;
        let status = self
            .persister
            .persist_new_channel(channel_id, &watched.monitor);
        let update_id = watched.monitor.latest_update_id();
        self.record_full_write(channel_id, update_id, status);
        Some(status)
    }

    /// Stores the channel manager's encoding through the persister.
    pub fn persist_manager(&mut self, manager: &[u8]) -> PersistStatus {
        self.persister.persist_manager(manager)
    }

    fn record_full_write(&mut self, channel_id: ChannelId, update_id: u64, status: PersistStatus) {
        let Some(watched) = self.monitors.get_mut(&channel_id) else {
            return;
        };
        match status {
            PersistStatus::Completed => {
                watched.mark_durable_through(update_id, &mut self.completed)
            }
            PersistStatus::InProgress => {
                watched.in_progress.insert(update_id, true);
            }
            PersistStatus::Failed => {
                if update_id >= watched.next_to_report() {
                    watched.failed.insert(update_id);
                }
                self.events.push_back(ChainMonitorEvent::PersistenceFailed {
                    channel_id,
                    update_id,
                });
            }
        }
    }

    /// The next `(channel, update_id)` that is durable together with every earlier update of
    /// the channel: give it to `ChannelManager::monitor_update_completed`.
    pub fn poll_completed_updates(&mut self) -> Option<(ChannelId, u64)> {
        self.completed.pop_front()
    }

    /// The next transaction to relay (a claim, our commitment).
    pub fn poll_broadcast(&mut self) -> Option<Transaction> {
        self.broadcasts.pop_front()
    }

    /// The next event for the owner.
    pub fn poll_event(&mut self) -> Option<ChainMonitorEvent> {
        self.events.pop_front()
    }

    /// The monitor of `channel_id`.
    pub fn get_monitor(&self, channel_id: &ChannelId) -> Option<&ChannelMonitor> {
        self.monitors
            .get(channel_id)
            .map(|watched| &watched.monitor)
    }

    /// The watched channels, sorted.
    pub fn list_channels(&self) -> Vec<ChannelId> {
        self.monitors.keys().copied().collect()
    }

    /// Whether some update of `channel_id` is not yet durable (in progress or failed): the
    /// channel is paused.
    pub fn is_paused(&self, channel_id: &ChannelId) -> bool {
        self.monitors
            .get(channel_id)
            .is_some_and(|watched| watched.is_paused())
    }

    /// The updates of `channel_id` whose write is in progress, sorted.
    pub fn in_progress_updates(&self, channel_id: &ChannelId) -> Vec<u64> {
        self.monitors
            .get(channel_id)
            .map(|watched| watched.in_progress.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The updates of `channel_id` whose write failed and awaits
    /// [`persist_monitor`](Self::persist_monitor), sorted.
    pub fn failed_updates(&self, channel_id: &ChannelId) -> Vec<u64> {
        self.monitors
            .get(channel_id)
            .map(|watched| watched.failed.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Makes the monitor of `channel_id` broadcast our latest commitment (for a channel known
    /// to be dead). `false` if no monitor watches the channel.
    pub fn broadcast_latest_holder_commitment(&mut self, channel_id: &ChannelId) -> bool {
        let Some(watched) = self.monitors.get_mut(channel_id) else {
            return false;
        };
        watched.monitor.broadcast_latest_holder_commitment();
        self.drain_monitor(*channel_id);
        true
    }

    /// The channel signers, which answered `Pending` earlier, are ready: every monitor
    /// retries at once what waited for a signature (our commitment after a force close, its
    /// claims), instead of at the next block. The results come out of
    /// [`poll_broadcast`](Self::poll_broadcast) and [`poll_event`](Self::poll_event).
    pub fn signer_ready(&mut self) {
        for channel_id in self.list_channels() {
            if let Some(watched) = self.monitors.get_mut(&channel_id) {
                watched.monitor.signer_ready();
            }
            self.drain_monitor(channel_id);
        }
    }

    /// Stops watching `channel_id` and hands its monitor back (for a fully resolved channel,
    /// see [`ChannelMonitor::is_fully_resolved`]; remove its stored data too).
    pub fn remove_monitor(&mut self, channel_id: &ChannelId) -> Option<ChannelMonitor> {
        self.monitors
            .remove(channel_id)
            .map(|watched| watched.monitor)
    }

    /// Every output any monitor watches for spends, with its script.
    pub fn watched_outputs(&self) -> Vec<(OutPoint, ScriptBuf)> {
        self.monitors
            .values()
            .flat_map(|watched| watched.monitor.watched_outputs())
            .collect()
    }

    /// Does the chain-source side for every monitor: the urgent fee rate for claims, the
    /// outputs to watch, then every queued broadcast (which
    /// [`poll_broadcast`](Self::poll_broadcast) then no longer returns).
    pub fn sync_chain_source(&mut self, source: &mut dyn ChainSource) {
        let ids = self.list_channels();
        for channel_id in ids {
            if let Some(watched) = self.monitors.get_mut(&channel_id) {
                watched.monitor.sync_chain_source(source);
            }
            self.drain_monitor(channel_id);
        }
        let txs: Vec<Transaction> = self.broadcasts.drain(..).collect();
        if !txs.is_empty() {
            let refs: Vec<&Transaction> = txs.iter().collect();
            source.broadcast_transactions(&refs);
        }
    }

    /// Moves a monitor's broadcasts and events into the chain monitor's queues.
    fn drain_monitor(&mut self, channel_id: ChannelId) {
        let Some(watched) = self.monitors.get_mut(&channel_id) else {
            return;
        };
        while let Some(tx) = watched.monitor.poll_broadcast() {
            self.broadcasts.push_back(tx);
        }
        while let Some(event) = watched.monitor.poll_event() {
            self.events.push_back(ChainMonitorEvent::Monitor(event));
        }
    }

    fn for_each_monitor(&mut self, mut f: impl FnMut(&mut ChannelMonitor)) {
        let ids = self.list_channels();
        for channel_id in ids {
            if let Some(watched) = self.monitors.get_mut(&channel_id) {
                f(&mut watched.monitor);
            }
            self.drain_monitor(channel_id);
        }
    }
}

impl Confirm for ChainMonitor {
    fn transactions_confirmed(
        &mut self,
        header: &Header,
        txdata: &[(usize, &Transaction)],
        height: u32,
    ) {
        self.for_each_monitor(|monitor| monitor.transactions_confirmed(header, txdata, height));
    }

    fn transaction_unconfirmed(&mut self, txid: &Txid) {
        self.for_each_monitor(|monitor| monitor.transaction_unconfirmed(txid));
    }

    fn best_block_updated(&mut self, header: &Header, height: u32) {
        self.for_each_monitor(|monitor| monitor.best_block_updated(header, height));
    }

    fn relevant_txids(&self) -> Vec<(Txid, u32, Option<BlockHash>)> {
        let mut txids: Vec<(Txid, u32, Option<BlockHash>)> = self
            .monitors
            .values()
            .flat_map(|watched| watched.monitor.relevant_txids())
            .collect();
        txids.sort();
        txids.dedup();
        txids
    }
}
