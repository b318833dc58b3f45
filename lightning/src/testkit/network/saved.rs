//! A whole network saved at rest, and new networks started from it: pay for a costly set-up
//! (nodes built, channels opened and confirmed) once, then give every test case or fuzz input
//! a fresh network that starts from it.
//!
//! # Call contract
//!
//! 1. Build the network and bring it to rest: [`Network::run_until_quiet`], every held
//!    monitor update completed, no crash armed.
//! 2. [`Network::save`] collects once more and takes a [`SavedNetwork`]: each node's
//!    persisted store (with its current manager), wallet, transport randomness, monitor
//!    policy, graph, records (events, broadcasts, monitor events and errors) and counters
//!    (persistence points, restarts); the chain (a copy, with its mempool and fee rates); the
//!    clock, the connected pairs, the held directions, the disconnections so far and the
//!    network's id counters. It refuses a network not at rest ([`SaveError`]).
//! 3. [`Network::from_saved`] starts a new network from it, as often as wanted: every node
//!    restarts from its saved store as after a crash (its manager decoded, its monitors read
//!    back, both synced to the tip of a copy of the saved chain) with its saved wallet,
//!    records and counters, and new peer managers and gossip handlers (over the saved graphs);
//!    then the pairs that were connected connect again in the same order (a new BOLT 8
//!    handshake and `init`, then `channel_reestablish`), and the network runs until quiet.
//!
//! A started network is therefore not the saved network message for message: its nodes went
//! through a restart and a reconnection (their peer managers' and gossip handlers' per-peer
//! state is new; restarting does not count in [`TestNode::restarts`]). But it is a function
//! of the [`SavedNetwork`] alone: two networks started from one saved network behave the same
//! under the same calls, whatever was done to other networks started from it, since they
//! share nothing but the loggers of the saved [`NodeConfig`]s. Each start gives the managers
//! randomness of their own domain (the seed and how many saves deep the network is), never
//! values the node used before the save.
//!
//! ```
//! use lightning::testkit::network::Network;
//!
//! let mut net = Network::new(2);
//! let channel = net.open_channel(0, 1, 1_000_000, 0);
//! let saved = net.save().expect("the network is at rest");
//! for amount_msat in [10_000_000, 20_000_000] {
//!     let mut copy = Network::from_saved(&saved).expect("every node restarts");
//!     copy.pay(0, 1, amount_msat).expect("payment succeeds");
//!     assert_eq!(copy.balance_msat(1, channel), Some(amount_msat));
//! }
//! ```

use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use bitcoin::Transaction;
use lightning_signer_api::keys_manager::KeysManager;

use crate::manager::Event;
use crate::monitor::MonitorEvent;
use crate::peer::PeerManager;
use crate::persist::MANAGER_NAMESPACE;
use crate::persist::{KVStore, MemoryStore, MonitorUpdatingPersister, MANAGER_KEY};
use crate::routing::{GossipConfig, GossipHandler, NetworkGraph};
use crate::testkit::{GatedSignerProvider, SignerGate, SimChain, SimWallet};
use crate::wire::ChainHash;

use super::links::Disconnection;
use super::monitors::{MonitorWiringError, SharedPolicy, UPDATES_BETWEEN_FULL_WRITES};
use super::node::{MonitorPolicy, NodeConfig, SeededEntropy, TestNode};
use super::restart::{assemble, copy_store, read_store, GenerationEntropy, RestartError};
use super::routed::RoutingState;
use super::Network;

/// One node of a [`SavedNetwork`].
#[derive(Clone)]
struct SavedNode {
    config: NodeConfig,
    /// The node's store, its manager as it was at the save.
    store: MemoryStore,
    wallet: SimWallet,
    transport_entropy: SeededEntropy,
    policy: MonitorPolicy,
    graph: NetworkGraph,
    events: Vec<Event>,
    broadcasts: Vec<Transaction>,
    monitor_events: Vec<MonitorEvent>,
    monitor_errors: Vec<MonitorWiringError>,
    persistence_points: u64,
    lives: u64,
    /// Whether the node's signer was away ([`Network::set_signer_pending`]).
    signer_pending: bool,
}

/// A whole [`Network`] saved at rest by [`Network::save`], to start new networks from with
/// [`Network::from_saved`] (see the [module documentation](self)). Cheap to clone compared
/// with building the network again; holds no live state.
#[derive(Clone)]
pub struct SavedNetwork {
    nodes: Vec<SavedNode>,
    chain: SimChain,
    /// The connected pairs as `(dialler, acceptor)`, in the order they connected.
    connected: Vec<(usize, usize)>,
    held_links: BTreeSet<(usize, usize)>,
    disconnections: Vec<Disconnection>,
    now: Duration,
    next_connection_id: u64,
    next_user_channel_id: u128,
    next_payment_id: u64,
    routing: RoutingState,
    /// How many saves deep the saved network was (0: built from scratch).
    generation: u64,
}

impl SavedNetwork {
    /// How many nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The chain as it was saved.
    pub fn chain(&self) -> &SimChain {
        &self.chain
    }

    /// What node `index` had persisted at the save (its manager as it was then).
    ///
    /// # Panics
    /// If there is no such node.
    pub fn store(&self, index: usize) -> &MemoryStore {
        &self.nodes[index].store
    }

    /// The connected pairs as `(dialler, acceptor)`, in the order they connect again.
    pub fn connected_pairs(&self) -> &[(usize, usize)] {
        &self.connected
    }

    /// The simulated time of the save (since the Unix epoch).
    pub fn now(&self) -> Duration {
        self.now
    }
}

impl fmt::Debug for SavedNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SavedNetwork")
            .field("nodes", &self.nodes.len())
            .field("height", &self.chain.height())
            .field("connected", &self.connected)
            .field("now", &self.now)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

/// Why [`Network::save`] refused: the network is not at rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveError {
    /// Messages from `from` to `to` are queued (deliver them, e.g. by
    /// [`Network::run_until_quiet`], or release the held direction first).
    MessagesInFlight {
        /// The sender.
        from: usize,
        /// The receiver.
        to: usize,
    },
    /// Node `node` holds monitor updates in progress (complete them first).
    MonitorUpdatesHeld {
        /// The node.
        node: usize,
    },
    /// A crash is armed ([`Network::crash_after_persistence_points`]); let it happen first.
    CrashArmed {
        /// The node it would crash.
        node: usize,
    },
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MessagesInFlight { from, to } => {
                write!(f, "messages from node {from} to node {to} are still queued")
            }
            Self::MonitorUpdatesHeld { node } => {
                write!(f, "node {node} holds monitor updates in progress")
            }
            Self::CrashArmed { node } => write!(f, "a crash of node {node} is armed"),
        }
    }
}

impl core::error::Error for SaveError {}

impl Network {
    /// Saves the whole network, which must be at rest, to start new networks from with
    /// [`from_saved`](Self::from_saved) (see the [module documentation](self)). Collects
    /// every node's output first (which may write managers: persistence points) and delivers
    /// nothing; apart from that collection the network is not changed, and goes on as before.
    pub fn save(&mut self) -> Result<SavedNetwork, SaveError> {
        if let Some((node, _)) = self.crash_trigger {
            return Err(SaveError::CrashArmed { node });
        }
        self.collect_all();
        for connection in &self.connections {
            if !connection.a_to_b.is_empty() {
                let (from, to) = (connection.a, connection.b);
                return Err(SaveError::MessagesInFlight { from, to });
            }
            if !connection.b_to_a.is_empty() {
                let (from, to) = (connection.b, connection.a);
                return Err(SaveError::MessagesInFlight { from, to });
            }
        }
        if let Some(node) = self.nodes.iter().position(|n| !n.held_updates.is_empty()) {
            return Err(SaveError::MonitorUpdatesHeld { node });
        }
        let nodes = self.nodes.iter().map(save_node).collect();
        Ok(SavedNetwork {
            nodes,
            chain: self.chain.clone(),
            connected: self.connections.iter().map(|c| (c.a, c.b)).collect(),
            held_links: self.held_links.clone(),
            disconnections: self.disconnections.clone(),
            now: self.now,
            next_connection_id: self.next_connection_id,
            next_user_channel_id: self.next_user_channel_id,
            next_payment_id: self.next_payment_id,
            routing: self.routing.clone(),
            generation: self.generation,
        })
    }

    /// A new network started from `saved` (see the [module documentation](self)): every node
    /// restarted from its saved store on a copy of the saved chain, the saved pairs connected
    /// again, then run until quiet (held directions stay held).
    ///
    /// # Panics
    /// As [`run_until_quiet`](Self::run_until_quiet) and [`connect`](Self::connect).
    pub fn from_saved(saved: &SavedNetwork) -> Result<Network, RestartError> {
        let mut chain = saved.chain.clone();
        let generation = saved.generation.saturating_add(1);
        let nodes = saved
            .nodes
            .iter()
            .map(|node| resume_node(node, &mut chain, saved.now, generation))
            .collect::<Result<Vec<_>, _>>()?;
        let mut network = Network {
            nodes,
            chain,
            connections: Vec::new(),
            held_links: saved.held_links.clone(),
            disconnections: saved.disconnections.clone(),
            now: saved.now,
            next_connection_id: saved.next_connection_id,
            next_user_channel_id: saved.next_user_channel_id,
            next_payment_id: saved.next_payment_id,
            routing: saved.routing.clone(),
            crash_trigger: None,
            generation,
        };
        network.sync_chain();
        for &(a, b) in &saved.connected {
            network.connect(a, b);
        }
        network.run_until_quiet();
        Ok(network)
    }
}

/// Node `node` as a [`SavedNode`]: its store copied, with its manager as it is now.
fn save_node(node: &TestNode) -> SavedNode {
    // Invariant: the node's store is a MemoryStore, whose reads, lists and writes only fail
    // on invalid names, and the names used here are the persister's own.
    let mut store = copy_store(node.store.store()).expect("a MemoryStore copies");
    store
        .write(MANAGER_NAMESPACE, MANAGER_KEY, &node.manager.encode())
        .expect("a MemoryStore takes the manager");
    SavedNode {
        config: node.config.clone(),
        store,
        wallet: node.wallet.clone(),
        transport_entropy: node.entropy.clone(),
        policy: node.policy,
        graph: node.gossip.graph().clone(),
        events: node.events.clone(),
        broadcasts: node.broadcasts.clone(),
        monitor_events: node.monitor_events.clone(),
        monitor_errors: node.monitor_errors.clone(),
        persistence_points: node.persistence_points,
        lives: node.lives,
        signer_pending: node.signer_gate.is_pending(),
    }
}

/// The node of `saved`, restarted from its store on `chain` at time `now`, not connected.
fn resume_node(
    saved: &SavedNode,
    chain: &mut SimChain,
    now: Duration,
    generation: u64,
) -> Result<TestNode, RestartError> {
    let config = saved.config.clone();
    let seed = config.seed;
    let keys = || {
        // Invariant: this seed already derived the node's keys when it was built.
        KeysManager::new(&seed).expect("the node's seed derives valid keys")
    };
    let store =
        MonitorUpdatingPersister::new(Box::new(saved.store.clone()), UPDATES_BETWEEN_FULL_WRITES);
    let persister_policy = SharedPolicy::new(saved.policy);
    let entropy = Box::new(GenerationEntropy::resumed(seed, generation));
    let gate = SignerGate::new();
    gate.set_pending(saved.signer_pending);
    let mut node_keys = GatedSignerProvider::new(keys(), gate.clone());
    let stored = read_store(&store, &mut node_keys)?;
    let read = assemble(
        stored,
        &config,
        entropy,
        &persister_policy,
        &gate,
        chain,
        now,
    )?;
    let chain_hash = ChainHash::using_genesis_block(chain.network());
    let last_manager_write = store.read_manager().ok().flatten().unwrap_or_default();
    Ok(TestNode {
        node_id: read.manager.node_id(),
        peer_manager: PeerManager::new(
            Box::new(keys()),
            chain_hash,
            config.peer,
            config.logger.clone(),
        ),
        manager: super::tracked::TrackedManager::new(read.manager),
        keys: node_keys,
        signer_gate: gate,
        wallet: saved.wallet.clone(),
        listener: read.listener,
        logger: config.logger.clone(),
        entropy: saved.transport_entropy.clone(),
        policy: saved.policy,
        persister_policy,
        chain_monitor: read.chain_monitor,
        monitor_listener: read.monitor_listener,
        monitor_events: saved.monitor_events.clone(),
        monitor_errors: saved.monitor_errors.clone(),
        held_updates: Vec::new(),
        events: saved.events.clone(),
        broadcasts: saved.broadcasts.clone(),
        min_final_cltv_expiry_delta: config.manager.min_final_cltv_expiry_delta,
        store,
        persistence_points: saved.persistence_points,
        last_manager_write,
        lives: saved.lives,
        gossip: GossipHandler::new(saved.graph.clone(), GossipConfig::default(), now),
        gossip_enabled: config.gossip,
        config,
    })
}
