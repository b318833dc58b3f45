//! Each [`TestNode`](super::TestNode)'s [`ChainMonitor`]: a [`MonitorUpdatingPersister`] over a
//! [`MemoryStore`], wrapped so that [`MonitorPolicy::Hold`] answers
//! [`PersistStatus::InProgress`] (the write itself is done at once; only its completion is
//! held until the test reports it).

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};

use lightning_signer_api::keys_manager::KeysManager;
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

/// A [`MonitorUpdatingPersister`] whose answers follow the node's [`MonitorPolicy`].
pub(super) struct PolicyPersister {
    inner: MonitorUpdatingPersister,
    policy: SharedPolicy,
}

impl PolicyPersister {
    /// A persister over a fresh [`MemoryStore`], answering as `policy` says at each call.
    pub(super) fn new(policy: SharedPolicy) -> Self {
        PolicyPersister {
            inner: MonitorUpdatingPersister::new(
                Box::new(MemoryStore::new()),
                UPDATES_BETWEEN_FULL_WRITES,
            ),
            policy,
        }
    }

    fn answer(&self, status: PersistStatus) -> PersistStatus {
        match (status, self.policy.get()) {
            (PersistStatus::Completed, MonitorPolicy::Hold) => PersistStatus::InProgress,
            (status, _) => status,
        }
    }
}

impl Persister for PolicyPersister {
    fn persist_new_channel(
        &mut self,
        channel_id: ChannelId,
        monitor: &dyn PersistableMonitor,
    ) -> PersistStatus {
        let status = self.inner.persist_new_channel(channel_id, monitor);
        self.answer(status)
    }

    fn update_persisted_channel(
        &mut self,
        channel_id: ChannelId,
        update: &ChannelMonitorUpdate,
        monitor: &dyn PersistableMonitor,
    ) -> PersistStatus {
        let status = self
            .inner
            .update_persisted_channel(channel_id, update, monitor);
        self.answer(status)
    }

    fn persist_manager(&mut self, manager: &[u8]) -> PersistStatus {
        // The manager is written synchronously: holding applies to monitor updates only.
        self.inner.persist_manager(manager)
    }
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
/// new monitor at `best_block`, any other is applied to the channel's monitor.
pub(super) fn apply_update(
    chain_monitor: &mut ChainMonitor,
    keys: &mut KeysManager,
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
