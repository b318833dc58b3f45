//! Each [`TestNode`](super::TestNode)'s [`ChainMonitor`] and its persisted state: the chain
//! monitor's persister only answers as the node's [`MonitorPolicy`] says
//! ([`PersistStatus::InProgress`] under [`MonitorPolicy::Hold`]); the writes themselves go,
//! at once, to the node's own [`MonitorUpdatingPersister`] over a [`MemoryStore`], which the
//! network keeps outside the chain monitor so that a crash can restart the node from it (see
//! `restart`). Only the completion of a held write waits for the test.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};

use lightning_signer_api::traits::{SignerProvider, SignerReply};

use crate::chain::BestBlock;
use crate::monitor::chain_monitor::ChainMonitor;
use crate::monitor::update::{ChannelMonitorUpdate, MonitorUpdateStep};
use crate::monitor::ChannelMonitor;
use crate::persist::{
    MemoryStore, MonitorUpdatingPersister, PersistStatus, PersistableMonitor, Persister,
};
use crate::wire::ChannelId;

use super::node::MonitorPolicy;

/// How many delta updates the testkit's persister stores between full monitor writes.
pub const UPDATES_BETWEEN_FULL_WRITES: u64 = 16;

/// The node's [`MonitorPolicy`], shared between the node (which changes it) and its persister
/// (which answers by it). Atomic so that the persister, like every persister, is `Send`.
#[derive(Clone, Default)]
pub(super) struct SharedPolicy(Arc<AtomicBool>);

impl SharedPolicy {
    /// A shared policy starting at `policy`.
    pub(super) fn new(policy: MonitorPolicy) -> Self {
        let shared = SharedPolicy::default();
        shared.set(policy);
        shared
    }

    /// The policy now.
    pub(super) fn get(&self) -> MonitorPolicy {
        if self.0.load(Ordering::Relaxed) {
            MonitorPolicy::Hold
        } else {
            MonitorPolicy::CompleteImmediately
        }
    }

    /// Changes the policy for the calls that follow.
    pub(super) fn set(&self, policy: MonitorPolicy) {
        self.0
            .store(matches!(policy, MonitorPolicy::Hold), Ordering::Relaxed);
    }
}

/// The chain monitor's persister: it answers as the node's [`MonitorPolicy`] says; the
/// network writes the monitor to the node's store itself ([`apply_update`]).
pub(super) struct PolicyPersister {
    policy: SharedPolicy,
}

impl PolicyPersister {
    /// A persister answering as `policy` says at each call.
    pub(super) fn new(policy: SharedPolicy) -> Self {
        PolicyPersister { policy }
    }

    fn answer(&self) -> PersistStatus {
        match self.policy.get() {
            MonitorPolicy::Hold => PersistStatus::InProgress,
            MonitorPolicy::CompleteImmediately => PersistStatus::Completed,
        }
    }
}

impl Persister for PolicyPersister {
    fn persist_new_channel(
        &mut self,
        _channel_id: ChannelId,
        _monitor: &dyn PersistableMonitor,
    ) -> PersistStatus {
        self.answer()
    }

    fn update_persisted_channel(
        &mut self,
        _channel_id: ChannelId,
        _update: &ChannelMonitorUpdate,
        _monitor: &dyn PersistableMonitor,
    ) -> PersistStatus {
        self.answer()
    }

    fn persist_manager(&mut self, _manager: &[u8]) -> PersistStatus {
        // The network writes the manager to the node's store itself.
        PersistStatus::Completed
    }
}

/// A fresh store for a node: a [`MonitorUpdatingPersister`] over an empty [`MemoryStore`].
pub(super) fn new_node_store() -> MonitorUpdatingPersister {
    MonitorUpdatingPersister::new(Box::new(MemoryStore::new()), UPDATES_BETWEEN_FULL_WRITES)
}

/// Why the testkit could not hand a monitor update to the node's [`ChainMonitor`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MonitorWiringError {
    /// Update 0 did not build a monitor.
    NewMonitor(crate::monitor::MonitorUpdateError),
    /// The chain monitor refused to watch the new monitor.
    Watch(crate::monitor::chain_monitor::WatchChannelError),
    /// The chain monitor refused a later update.
    Update(crate::monitor::chain_monitor::UpdateChannelError),
}

impl core::fmt::Display for MonitorWiringError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NewMonitor(e) => write!(f, "update 0 did not build a monitor: {e}"),
            Self::Watch(e) => write!(f, "watch_channel refused: {e}"),
            Self::Update(e) => write!(f, "update_channel refused: {e}"),
        }
    }
}

impl core::error::Error for MonitorWiringError {}

/// Gives one update the manager emitted to the chain monitor: update 0 (the init) becomes a
/// new monitor at `best_block`, any other is applied to the channel's monitor. What the
/// chain monitor accepted is written to `store` at once (the whole monitor for update 0, a
/// delta otherwise, compacted as [`MonitorUpdatingPersister`] does).
pub(super) fn apply_update(
    chain_monitor: &mut ChainMonitor,
    keys: &mut dyn SignerProvider,
    store: &mut MonitorUpdatingPersister,
    update: &ChannelMonitorUpdate,
    best_block: BestBlock,
) -> Result<PersistStatus, MonitorWiringError> {
    let status = hand_to_chain_monitor(chain_monitor, keys, update, best_block)?;
    if let Some(monitor) = chain_monitor.get_monitor(&update.channel_id) {
        // A MemoryStore never fails a write: the status is always Completed.
        if update.update_id == 0 {
            store.persist_new_channel(update.channel_id, monitor);
        } else {
            store.update_persisted_channel(update.channel_id, update, monitor);
        }
    }
    Ok(status)
}

fn hand_to_chain_monitor(
    chain_monitor: &mut ChainMonitor,
    keys: &mut dyn SignerProvider,
    update: &ChannelMonitorUpdate,
    best_block: BestBlock,
) -> Result<PersistStatus, MonitorWiringError> {
    let init = match update.steps.as_slice() {
        [MonitorUpdateStep::Init(init)] if update.update_id == 0 => init,
        _ => {
            return chain_monitor
                .update_channel(update)
                .map_err(MonitorWiringError::Update)
        }
    };
    let signer = keys.derive_channel_signer(&init.channel_keys_id);
    let destination = match keys.destination_script(&init.channel_keys_id) {
        SignerReply::Ready(script) => script,
        // The in-process KeysManager always answers Ready.
        _ => bitcoin::ScriptBuf::new(),
    };
    let monitor = ChannelMonitor::new(update, signer, destination, best_block)
        .map_err(MonitorWiringError::NewMonitor)?;
    chain_monitor
        .watch_channel(monitor)
        .map_err(MonitorWiringError::Watch)
}
