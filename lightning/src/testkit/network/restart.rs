//! Crashes and restarts: each node's persisted state, snapshots of it, and a node rebuilt from
//! it as a real node does on start.
//!
//! # What a node persists, and when (its persistence points)
//!
//! Every node has a store (a [`MonitorUpdatingPersister`] over a [`MemoryStore`], outside its
//! chain monitor). Each write to it is one *persistence point*, counted by
//! [`Network::persistence_points`]. In each round of collecting a node's output the network:
//! 1. **writes the manager** ([`ChannelManager::encode`]) if its encoding changed since the
//!    last write: the write still holds the monitor updates, events and broadcasts the manager
//!    is about to hand out, and reflects every call that produced the messages about to leave;
//! 2. **writes each monitor update** the manager hands out (the whole monitor for update 0, a
//!    delta otherwise) as the chain monitor takes it, whatever the
//!    [`MonitorPolicy`](super::MonitorPolicy) (which only delays the *completion*);
//! 3. hands out broadcasts, events (into [`TestNode::events`]) and messages (into the
//!    connections), and starts another round if anything moved.
//!
//! The manager is also written on [`Network::persist_manager`] and right after a restart.
//!
//! So a node that crashes after any write restarts consistently: its saved manager is never
//! behind its monitors (updates it had queued come out again and are recognised as already
//! stored), events taken into [`TestNode::events`] (handled) are never replayed, and events
//! the manager had not handed out at its last write are replayed once.
//!
//! # A crash
//!
//! [`Network::crash_and_restart`] (now), [`Network::crash_after_persistence_points`] (armed:
//! the crash happens in the middle of whatever the network is doing, right after the node's
//! n-th next persistence point) and [`Network::restore`] (from an older [`NodeSnapshot`]: a
//! backup) all do the same: the node's connections drop (messages in flight either way are
//! lost), its channel manager is decoded from the stored manager and its chain monitor is
//! rebuilt from the stored monitors, in-progress monitor updates the store holds are
//! reported complete, both are synced to the chain tip (the monitors from the oldest block
//! they saw), the manager is written, and the node connects again to the peers it was
//! connected to. The node's wallet, its event, broadcast and monitor-event lists (the test's
//! records) stay.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use bitcoin::hashes::{sha256, Hash, HashEngine};
use lightning_signer_api::keys_manager::KeysManager;
use lightning_signer_api::traits::{EntropySource, SignerProvider};

use crate::manager::{ChannelManager, ManagerDecodeError, ManagerParams};
use crate::monitor::chain_monitor::ChainMonitor;
use crate::monitor::ChannelMonitor;
use crate::peer::PeerManager;
use crate::persist::{
    KVStore, KVStoreError, MemoryStore, MonitorUpdatingPersister, Persister, ReadMonitorsError,
    MANAGER_NAMESPACE, MONITOR_NAMESPACE, MONITOR_UPDATE_NAMESPACE,
};
use crate::testkit::{GatedSignerProvider, ListenerId, SignerGate, SimChain, UnknownBlock};
use crate::wire::ChainHash;

use super::monitors::{PolicyPersister, SharedPolicy, UPDATES_BETWEEN_FULL_WRITES};
use super::node::{NodeConfig, SeededEntropy, TestNode};
use super::{Network, MAX_QUIET_ROUNDS};

/// A copy of what a node had persisted at one moment: its store (monitors, monitor updates,
/// the manager). Restore it with [`Network::restore`] (a restart from a backup).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSnapshot {
    store: MemoryStore,
    persistence_points: u64,
}

impl NodeSnapshot {
    /// The store as it was.
    pub fn store(&self) -> &MemoryStore {
        &self.store
    }

    /// The stored manager encoding, if the node had written one.
    pub fn manager_bytes(&self) -> Option<Vec<u8>> {
        self.store
            .read(MANAGER_NAMESPACE, crate::persist::MANAGER_KEY)
            .ok()
    }

    /// How many persistence points the node had made when the snapshot was taken.
    pub fn persistence_points(&self) -> u64 {
        self.persistence_points
    }
}

/// Why a node could not be restarted from its store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestartError {
    /// The store could not be copied.
    Store(KVStoreError),
    /// The stored monitors could not be read back.
    Monitors(ReadMonitorsError),
    /// The stored manager could not be decoded.
    Manager(ManagerDecodeError),
    /// The stored manager or a monitor names a block this chain never mined.
    Chain(UnknownBlock),
}

impl fmt::Display for RestartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(e) => write!(f, "store: {e}"),
            Self::Monitors(e) => write!(f, "stored monitors: {e}"),
            Self::Manager(e) => write!(f, "stored manager: {e}"),
            Self::Chain(e) => write!(f, "stored state: {e}"),
        }
    }
}

impl core::error::Error for RestartError {}

/// The randomness of a node's manager built again from its store: its own sequence per
/// `domain` (a restart, a start from a saved network), seed and `generation` (the node's life,
/// the saved network's start), so never values the node drew before.
pub(super) struct GenerationEntropy {
    domain: &'static [u8],
    seed: [u8; 32],
    generation: u64,
    counter: u64,
}

impl GenerationEntropy {
    /// A restarted node's randomness in its life `life`.
    pub(super) fn restarted(seed: [u8; 32], life: u64) -> Self {
        Self::new(b"lightning testkit restarted node", seed, life)
    }

    /// The randomness of a node in the `generation`th network started from a saved one.
    pub(super) fn resumed(seed: [u8; 32], generation: u64) -> Self {
        Self::new(
            b"lightning testkit node started from a saved network",
            seed,
            generation,
        )
    }

    fn new(domain: &'static [u8], seed: [u8; 32], generation: u64) -> Self {
        GenerationEntropy {
            domain,
            seed,
            generation,
            counter: 0,
        }
    }
}

impl EntropySource for GenerationEntropy {
    fn random_bytes(&mut self) -> [u8; 32] {
        self.counter = self.counter.wrapping_add(1);
        let mut engine = sha256::Hash::engine();
        engine.input(self.domain);
        engine.input(&self.seed);
        engine.input(&self.generation.to_be_bytes());
        engine.input(&self.counter.to_be_bytes());
        sha256::Hash::from_engine(engine).to_byte_array()
    }
}

/// A [`MemoryStore`] holding everything `store` holds in the namespaces the node uses.
pub(super) fn copy_store(store: &dyn KVStore) -> Result<MemoryStore, KVStoreError> {
    let mut copy = MemoryStore::new();
    let mut namespaces: Vec<String> = alloc::vec![
        String::from(MANAGER_NAMESPACE),
        String::from(MONITOR_NAMESPACE)
    ];
    for key in store.list(MONITOR_NAMESPACE)? {
        let mut namespace = String::from(MONITOR_UPDATE_NAMESPACE);
        namespace.push('/');
        namespace.push_str(&key);
        namespaces.push(namespace);
    }
    for namespace in namespaces {
        for key in store.list(&namespace)? {
            copy.write(&namespace, &key, &store.read(&namespace, &key)?)?;
        }
    }
    Ok(copy)
}

impl TestNode {
    /// How many times the node was restarted (crashed or restored).
    pub fn restarts(&self) -> u64 {
        self.lives
    }

    /// What the node has persisted so far (monitors, monitor updates, the manager).
    pub fn store(&self) -> &dyn KVStore {
        self.store.store()
    }
}

impl Network {
    /// How many persistence points (writes to its store, see the
    /// [module documentation](self)) node `index` has made so far.
    pub fn persistence_points(&self, index: usize) -> u64 {
        self.nodes[index].persistence_points
    }

    /// Writes node `index`'s channel manager to its store now (a persistence point).
    pub fn persist_manager(&mut self, index: usize) {
        self.write_manager(index);
    }

    /// Parameters to build or decode a channel manager as node `index`: its seed's keys, its
    /// manager config and logger, the chain's tip, and entropy seeded from its seed in the
    /// domain `entropy_tag`. Call it to decode (`ChannelManager::decode`) a manager the node
    /// encoded, e.g. to swap in an older copy by hand.
    pub fn manager_params(&self, index: usize, entropy_tag: &'static [u8]) -> ManagerParams {
        let config = &self.nodes[index].config;
        let keys = || {
            // Invariant: this seed already derived the node's keys when it was built.
            KeysManager::new(&config.seed).expect("the node's seed derives valid keys")
        };
        let gate = self.nodes[index].signer_gate.clone();
        ManagerParams {
            chain_hash: ChainHash::using_genesis_block(self.chain.network()),
            config: config.manager.clone(),
            node_signer: Box::new(keys()),
            signer_provider: Box::new(GatedSignerProvider::new(keys(), gate)),
            entropy: Box::new(SeededEntropy::new(config.seed, entropy_tag)),
            logger: config.logger.clone(),
            best_block: self.chain.tip(),
            inbound_payment_key_material: None,
        }
    }

    /// A copy of node `index`'s persisted state now, to [`restore`](Self::restore) later.
    ///
    /// # Panics
    /// If the store cannot be listed (a `MemoryStore` always can).
    pub fn snapshot(&self, index: usize) -> NodeSnapshot {
        let node = &self.nodes[index];
        NodeSnapshot {
            // Invariant: the node's store is a MemoryStore, whose reads and lists only fail
            // on invalid names, and the names used here are the persister's own.
            store: copy_store(node.store.store()).expect("a MemoryStore copies"),
            persistence_points: node.persistence_points,
        }
    }

    /// Crashes node `index` and starts it again from what it persisted (see the
    /// [module documentation](self)): its connections drop, its manager and monitors are read
    /// back from its store and synced to the chain, and it reconnects to its peers. Collects.
    pub fn crash_and_restart(&mut self, index: usize) -> Result<(), RestartError> {
        self.restart_node(index)
    }

    /// Crashes node `index` and starts it from `snapshot` (an old backup) instead of its
    /// latest state; the snapshot replaces its store. A node behind its peers must then not
    /// broadcast anything revoked: its channels close at the reestablish (BOLT 2 data loss).
    pub fn restore(&mut self, index: usize, snapshot: &NodeSnapshot) -> Result<(), RestartError> {
        self.nodes[index].store = MonitorUpdatingPersister::new(
            Box::new(snapshot.store.clone()),
            UPDATES_BETWEEN_FULL_WRITES,
        );
        self.restart_node(index)
    }

    /// Arms a crash of node `index` right after its `count`-th next persistence point (1: the
    /// next one), in the middle of whatever network call makes it: what the node would have
    /// done after that write is lost, and it restarts at once as in
    /// [`crash_and_restart`](Self::crash_and_restart) (which must then succeed: a failure
    /// panics). Replaces any armed crash.
    pub fn crash_after_persistence_points(&mut self, index: usize, count: u64) {
        let target = self.nodes[index]
            .persistence_points
            .saturating_add(count.max(1));
        self.crash_trigger = Some((index, target));
    }

    /// The armed crash, as `(node, persistence point)`, until it happens.
    pub fn armed_crash(&self) -> Option<(usize, u64)> {
        self.crash_trigger
    }

    /// Runs (as [`run_until_quiet`](Self::run_until_quiet), one message at a time on the
    /// `from`→`to` direction) until the next message from `from` to `to` is of type
    /// `msg_type`, and stops before delivering it. Returns false if the network went quiet
    /// without such a message. Then e.g. [`drop_connection`](Self::drop_connection) loses it.
    pub fn run_until_message(&mut self, from: usize, to: usize, msg_type: u16) -> bool {
        for _ in 0..MAX_QUIET_ROUNDS {
            let mut moved = self.collect_all();
            if self.next_message_type(from, to) == Some(msg_type) {
                return true;
            }
            if !self.is_held(from, to) && self.next_message(from, to).is_some() {
                self.deliver_next(from, to);
                continue;
            }
            for (f, t) in self.deliverable_directions() {
                if (f, t) != (from, to) {
                    moved |= self.deliver_all(f, t) > 0;
                }
            }
            if !moved {
                return false;
            }
        }
        false
    }

    /// Runs until the next message from `from` to `to` is of type `msg_type`, then drops their
    /// connection (that message and everything else in flight between them is lost). Returns
    /// whether such a message came.
    pub fn drop_connection_at_message(&mut self, from: usize, to: usize, msg_type: u16) -> bool {
        let found = self.run_until_message(from, to, msg_type);
        if found {
            self.drop_connection(from, to);
        }
        found
    }

    /// Counts a persistence point of node `index`; crashes and restarts it if an armed crash
    /// is due. Returns whether it crashed (the caller stops using the old node's output).
    pub(super) fn persistence_point(&mut self, index: usize) -> bool {
        let node = &mut self.nodes[index];
        node.persistence_points = node.persistence_points.saturating_add(1);
        match self.crash_trigger {
            Some((node_index, target))
                if node_index == index && self.nodes[index].persistence_points >= target =>
            {
                self.crash_trigger = None;
                if let Err(error) = self.restart_node(index) {
                    panic!("node {index} could not restart after its armed crash: {error}");
                }
                true
            }
            _ => false,
        }
    }

    /// Writes node `index`'s manager to its store (a persistence point). Returns whether the
    /// node crashed right after.
    pub(super) fn write_manager(&mut self, index: usize) -> bool {
        let node = &mut self.nodes[index];
        node.manager.take_touched();
        let bytes = node.manager.encode();
        // A MemoryStore never fails a write.
        node.store.persist_manager(&bytes);
        node.last_manager_write = bytes;
        self.persistence_point(index)
    }

    /// Writes node `index`'s manager if its encoding changed since the last write. Returns
    /// whether the node crashed right after.
    pub(super) fn write_manager_if_changed(&mut self, index: usize) -> bool {
        let node = &mut self.nodes[index];
        // Untouched since the last write or check, its encoding is the one last written.
        if !node.manager.take_touched() {
            return false;
        }
        let bytes = node.manager.encode();
        if bytes == node.last_manager_write {
            return false;
        }
        node.store.persist_manager(&bytes);
        node.last_manager_write = bytes;
        self.persistence_point(index)
    }

    fn restart_node(&mut self, index: usize) -> Result<(), RestartError> {
        if self.crash_trigger.is_some_and(|(node, _)| node == index) {
            self.crash_trigger = None;
        }
        let mut peers = Vec::new();
        while let Some(position) = self
            .connections
            .iter()
            .position(|c| c.a == index || c.b == index)
        {
            let connection = &self.connections[position];
            peers.push(if connection.a == index {
                connection.b
            } else {
                connection.a
            });
            self.end_connection(position, index, None);
        }
        self.rebuild_node(index)?;
        self.nodes[index].sync_to_tip(&mut self.chain);
        self.write_manager(index);
        self.collect_all();
        for peer in peers {
            if !self.is_connected(index, peer) {
                self.connect(index, peer);
            }
        }
        self.collect_all();
        Ok(())
    }

    /// Replaces node `index`'s manager, chain monitor and peer manager by ones read back from
    /// its store; reports complete the in-progress updates the store holds.
    fn rebuild_node(&mut self, index: usize) -> Result<(), RestartError> {
        let chain_hash = ChainHash::using_genesis_block(self.chain.network());
        let now = self.now;
        let node = &mut self.nodes[index];
        let seed = node.config.seed;
        // Nothing changes before the store has been read: a store that cannot be read leaves
        // the node as it was (its restarts not counted).
        let stored = read_store(&node.store, &mut node.keys)?;
        node.lives = node.lives.saturating_add(1);
        let entropy = Box::new(GenerationEntropy::restarted(seed, node.lives));
        let read = assemble(
            stored,
            &node.config,
            entropy,
            &node.persister_policy,
            &node.signer_gate,
            &mut self.chain,
            now,
        )?;
        let node = &mut self.nodes[index];
        let keys = || {
            // Invariant: this seed already derived the node's keys when it was built.
            KeysManager::new(&seed).expect("the node's seed derives valid keys")
        };
        let ReadBack {
            manager,
            chain_monitor,
            listener,
            monitor_listener,
        } = read;
        node.peer_manager = PeerManager::new(
            Box::new(keys()),
            chain_hash,
            node.config.peer,
            node.logger.clone(),
        );
        node.manager = super::tracked::TrackedManager::new(manager);
        node.chain_monitor = chain_monitor;
        node.listener = listener;
        node.monitor_listener = monitor_listener;
        node.held_updates.clear();
        Ok(())
    }
}

/// What a node's store holds: its monitors (read back with the node's keys) and its manager
/// encoding, if it wrote one.
pub(super) struct StoredNode {
    monitors: Vec<ChannelMonitor>,
    manager: Option<Vec<u8>>,
}

/// A node's manager and chain monitor read back from its store, each with its listener on
/// the chain (registered at the block it had seen).
pub(super) struct ReadBack {
    pub(super) manager: ChannelManager,
    pub(super) chain_monitor: ChainMonitor,
    pub(super) listener: ListenerId,
    pub(super) monitor_listener: ListenerId,
}

/// Reads what a node's store holds, its monitors' signers derived from `keys` (the node's).
pub(super) fn read_store(
    store: &MonitorUpdatingPersister,
    keys: &mut dyn SignerProvider,
) -> Result<StoredNode, RestartError> {
    let monitors = store
        .read_all_channel_monitors(keys)
        .map_err(RestartError::Monitors)?;
    let manager = store.read_manager().map_err(RestartError::Store)?;
    Ok(StoredNode { monitors, manager })
}

/// Builds the node of `config` back from `stored` at `now`: its manager decoded (or new, if
/// it never wrote one) with `entropy`, its chain monitor over `policy` with every stored
/// monitor loaded, both registered on `chain` at the blocks they had seen; the manager's
/// channel signers answer behind `gate`. In-progress
/// updates the stored monitors already hold are reported complete to the manager.
pub(super) fn assemble(
    stored: StoredNode,
    config: &NodeConfig,
    entropy: Box<dyn EntropySource>,
    policy: &SharedPolicy,
    gate: &SignerGate,
    chain: &mut SimChain,
    now: Duration,
) -> Result<ReadBack, RestartError> {
    let keys = || {
        // Invariant: this seed already derived the node's keys when it was built.
        KeysManager::new(&config.seed).expect("the node's seed derives valid keys")
    };
    let params = ManagerParams {
        chain_hash: ChainHash::using_genesis_block(chain.network()),
        config: config.manager.clone(),
        node_signer: Box::new(keys()),
        signer_provider: Box::new(GatedSignerProvider::new(keys(), gate.clone())),
        entropy,
        logger: config.logger.clone(),
        best_block: chain.tip(),
        inbound_payment_key_material: None,
    };
    let mut manager = match stored.manager {
        Some(bytes) => ChannelManager::decode(&bytes, params).map_err(RestartError::Manager)?,
        None => ChannelManager::new(params),
    };
    manager.advance_time(now);
    let oldest_monitor_block = stored
        .monitors
        .iter()
        .map(|monitor| monitor.best_block())
        .min_by_key(|block| block.height)
        .unwrap_or_else(|| manager.best_block());
    let listener = chain
        .register_listener(manager.best_block())
        .map_err(RestartError::Chain)?;
    let monitor_listener = chain
        .register_listener(oldest_monitor_block)
        .map_err(RestartError::Chain)?;
    let mut chain_monitor = ChainMonitor::new(Box::new(PolicyPersister::new(policy.clone())));
    for monitor in stored.monitors {
        // Each channel is stored once under its own key: no monitor is loaded twice.
        let _ = chain_monitor.load_channel(monitor);
    }
    // In-progress updates the store holds are durable; those still queued in the saved
    // manager come out of `poll_monitor_update` again and are handled as they come.
    for (channel_id, update_id) in manager.in_progress_monitor_updates() {
        let durable = chain_monitor
            .get_monitor(&channel_id)
            .is_some_and(|monitor| monitor.latest_update_id() >= update_id);
        if durable {
            manager.monitor_update_completed(channel_id, update_id);
        }
    }
    Ok(ReadBack {
        manager,
        chain_monitor,
        listener,
        monitor_listener,
    })
}
