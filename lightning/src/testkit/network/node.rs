//! [`TestNode`]: one simulated node (keys, peer manager, channel manager, wallet, chain
//! listener), with its seeded randomness, its monitor-update policy and what it produced.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use bitcoin::hashes::{sha256, Hash, HashEngine};
use bitcoin::{Amount, ScriptBuf, Transaction};
use lightning_signer_api::keys_manager::KeysManager;
use lightning_signer_api::traits::{ChannelKeysId, EntropySource, SignerProvider, SignerReply};
use secp256k1::PublicKey;

use crate::manager::{ChannelDetails, ChannelManager, Event, ManagerConfig, ManagerParams};
use crate::monitor::chain_monitor::{ChainMonitor, ChainMonitorEvent};
use crate::monitor::MonitorEvent;
use crate::peer::{PeerManager, PeerManagerConfig};
use crate::routing::{GossipConfig, GossipHandler, NetworkGraph};
use crate::testkit::{GatedSignerProvider, ListenerId, SignerGate, SimChain, SimWallet};
use crate::util::logger::{NoopLogger, SharedLogger};
use crate::wire::{ChainHash, ChannelId};

use super::monitors::{MonitorWiringError, PolicyPersister};

/// Deterministic randomness for tests: the SHA256 of a domain tag, a seed and a counter.
/// The same seed and tag always give the same sequence; different tags give unrelated ones.
#[derive(Clone, Debug)]
pub struct SeededEntropy {
    seed: [u8; 32],
    tag: &'static [u8],
    counter: u64,
}

impl SeededEntropy {
    /// The sequence for `seed` in the domain `tag` (e.g. `b"manager"`).
    pub fn new(seed: [u8; 32], tag: &'static [u8]) -> Self {
        SeededEntropy {
            seed,
            tag,
            counter: 0,
        }
    }
}

impl EntropySource for SeededEntropy {
    fn random_bytes(&mut self) -> [u8; 32] {
        self.counter = self.counter.wrapping_add(1);
        let mut engine = sha256::Hash::engine();
        engine.input(b"lightning testkit entropy");
        engine.input(self.tag);
        engine.input(&self.seed);
        engine.input(&self.counter.to_be_bytes());
        sha256::Hash::from_engine(engine).to_byte_array()
    }
}

/// What a node does with the monitor updates its channel manager emits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MonitorPolicy {
    /// Report each update completed as soon as it comes out (a synchronous persister).
    #[default]
    CompleteImmediately,
    /// Keep each update in progress until the test calls
    /// [`Network::complete_monitor_updates`](super::Network::complete_monitor_updates) (an
    /// asynchronous persister): the channel pauses at that step.
    Hold,
}

/// Which held monitor updates to complete, in
/// [`Network::complete_monitor_updates`](super::Network::complete_monitor_updates).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// Every held update.
    All,
    /// At most this many.
    Count(usize),
}

/// In which order held monitor updates are completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionOrder {
    /// Oldest first (the order they were emitted).
    OldestFirst,
    /// Newest first (completions arrive out of order).
    NewestFirst,
}

/// How to build one node of a [`Network`](super::Network).
#[derive(Clone)]
pub struct NodeConfig {
    /// The seed of the node's keys, randomness and wallet.
    pub seed: [u8; 32],
    /// The channel manager's policy.
    pub manager: ManagerConfig,
    /// The peer manager's policy.
    pub peer: PeerManagerConfig,
    /// What the node does with monitor updates.
    pub monitor_policy: MonitorPolicy,
    /// What the chain pays the node's wallet when the node is created (0: nothing).
    pub wallet_funding: Amount,
    /// Where the node logs.
    pub logger: SharedLogger,
    /// Whether the node's [`GossipHandler`] takes part in its connections (gossip and
    /// queries cross, the graph fills). Off, the handler still exists but offers no feature
    /// and sees no message.
    pub gossip: bool,
}

impl NodeConfig {
    /// The defaults for the node with `seed`: default manager and peer policies, monitor
    /// updates completed immediately, a wallet funded with 10 BTC, no logging, gossip on.
    pub fn new(seed: [u8; 32]) -> Self {
        NodeConfig {
            seed,
            manager: ManagerConfig::default(),
            peer: PeerManagerConfig::default(),
            monitor_policy: MonitorPolicy::CompleteImmediately,
            wallet_funding: Amount::from_btc(10.0).unwrap_or(Amount::ONE_BTC),
            logger: Arc::new(NoopLogger),
            gossip: true,
        }
    }

    /// The defaults for the `index`th node of a network (seed `[index + 1; 32]`).
    pub fn for_index(index: usize) -> Self {
        // Networks are small; wrapping only matters beyond 255 nodes.
        NodeConfig::new([(index as u8).wrapping_add(1); 32])
    }
}

/// One simulated node: a [`KeysManager`] from its seed, a [`PeerManager`], a
/// [`ChannelManager`], a [`GossipHandler`] over its own graph ([`graph`](Self::graph)), a
/// logger, its own [`SimWallet`] and its listener id on the network's [`SimChain`].
///
/// The [`Network`](super::Network) moves its bytes, completes (or holds) its monitor
/// updates, broadcasts its transactions and syncs it to the chain. Tests read it through
/// [`manager`](Self::manager), [`events`](Self::events), [`channels`](Self::channels) and the
/// wallet and script accessors; they may issue commands through
/// [`manager_mut`](Self::manager_mut): what the command produces is moved at the network's
/// next step.
pub struct TestNode {
    pub(super) node_id: PublicKey,
    pub(super) peer_manager: PeerManager,
    pub(super) manager: super::tracked::TrackedManager,
    pub(super) keys: GatedSignerProvider<KeysManager>,
    pub(super) signer_gate: SignerGate,
    pub(super) wallet: SimWallet,
    pub(super) listener: ListenerId,
    pub(super) logger: SharedLogger,
    pub(super) entropy: SeededEntropy,
    pub(super) policy: MonitorPolicy,
    /// The policy as the persister inside the chain monitor reads it.
    pub(super) persister_policy: super::monitors::SharedPolicy,
    /// Every channel monitor of the node, persisted through a `MemoryStore`.
    pub(super) chain_monitor: ChainMonitor,
    /// The chain monitor's listener id on the network's chain.
    pub(super) monitor_listener: ListenerId,
    /// Every event the chain monitor's monitors reported, oldest first.
    pub(super) monitor_events: Vec<MonitorEvent>,
    /// Updates the chain monitor refused (the testkit then completed them directly).
    pub(super) monitor_errors: Vec<MonitorWiringError>,
    /// Monitor updates in progress, in the order they were emitted.
    pub(super) held_updates: Vec<(ChannelId, u64)>,
    pub(super) events: Vec<Event>,
    pub(super) broadcasts: Vec<Transaction>,
    pub(super) min_final_cltv_expiry_delta: u32,
    /// What the node has persisted (monitors, updates, the manager), see `restart`.
    pub(super) store: crate::persist::MonitorUpdatingPersister,
    /// The node's config, to build it again after a crash.
    pub(super) config: NodeConfig,
    /// How many persistence points (writes to `store`) the node has made.
    pub(super) persistence_points: u64,
    /// The manager encoding last written to `store`.
    pub(super) last_manager_write: Vec<u8>,
    /// How many times the node was restarted.
    pub(super) lives: u64,
    /// The node's gossip handler over its graph (see [`TestNode::gossip`]).
    pub(super) gossip: GossipHandler,
    pub(super) gossip_enabled: bool,
}

impl TestNode {
    /// Builds the node of `config` at the tip of `chain`, funding its wallet first if asked.
    pub(super) fn new(config: NodeConfig, chain: &mut SimChain, chain_hash: ChainHash) -> Self {
        let gossip = GossipHandler::new(
            NetworkGraph::new(chain_hash),
            GossipConfig::default(),
            super::NETWORK_START_TIME,
        );
        let mut config = config;
        if config.gossip {
            // The node announces what its gossip handler offers beside the manager.
            config.manager.other_handler_features = config
                .manager
                .other_handler_features
                .union(&GossipHandler::offered_init_features());
        }
        let saved_config = config.clone();
        let keys = |seed: &[u8; 32]| {
            // Invariant: KeysManager refuses only seeds that give an invalid BIP32 master key,
            // which SHA512 makes practically impossible; test seeds are fixed and known good.
            KeysManager::new(seed).expect("test seed derives valid keys")
        };
        let signer_gate = SignerGate::new();
        let gated = || GatedSignerProvider::new(keys(&config.seed), signer_gate.clone());
        let wallet = SimWallet::new(config.seed);
        if config.wallet_funding > Amount::ZERO {
            chain.fund_address(wallet.script_pubkey(), config.wallet_funding);
        }
        let listener = chain.register_listener_at_tip();
        let monitor_listener = chain.register_listener_at_tip();
        let persister_policy = super::monitors::SharedPolicy::new(config.monitor_policy);
        let chain_monitor =
            ChainMonitor::new(Box::new(PolicyPersister::new(persister_policy.clone())));
        let min_final_cltv_expiry_delta = config.manager.min_final_cltv_expiry_delta;
        let manager = ChannelManager::new(ManagerParams {
            chain_hash,
            config: config.manager,
            node_signer: Box::new(keys(&config.seed)),
            signer_provider: Box::new(gated()),
            entropy: Box::new(SeededEntropy::new(config.seed, b"manager")),
            logger: config.logger.clone(),
            best_block: chain.tip(),
            inbound_payment_key_material: None,
        });
        let peer_manager = PeerManager::new(
            Box::new(keys(&config.seed)),
            chain_hash,
            config.peer,
            config.logger.clone(),
        );
        TestNode {
            node_id: manager.node_id(),
            peer_manager,
            manager: super::tracked::TrackedManager::new(manager),
            keys: gated(),
            signer_gate: signer_gate.clone(),
            wallet,
            listener,
            logger: config.logger,
            entropy: SeededEntropy::new(config.seed, b"transport"),
            policy: config.monitor_policy,
            persister_policy,
            chain_monitor,
            monitor_listener,
            monitor_events: Vec::new(),
            monitor_errors: Vec::new(),
            held_updates: Vec::new(),
            events: Vec::new(),
            broadcasts: Vec::new(),
            min_final_cltv_expiry_delta,
            store: super::monitors::new_node_store(),
            config: saved_config,
            persistence_points: 0,
            last_manager_write: Vec::new(),
            lives: 0,
            gossip,
            gossip_enabled: config.gossip,
        }
    }

    /// The node id.
    pub fn node_id(&self) -> PublicKey {
        self.node_id
    }

    /// The channel manager, to read.
    pub fn manager(&self) -> &ChannelManager {
        &self.manager
    }

    /// The channel manager, for commands (`send_payment`, `claim_funds`, `close_channel`,
    /// ...). Its output (messages, updates, events, broadcasts) is collected at the network's
    /// next step. Do not poll its queues yourself: the network would not see what you took.
    pub fn manager_mut(&mut self) -> &mut ChannelManager {
        &mut self.manager
    }

    /// The peer manager, to read (connections, peers).
    pub fn peer_manager(&self) -> &PeerManager {
        &self.peer_manager
    }

    /// The node's logger.
    pub fn logger(&self) -> &SharedLogger {
        &self.logger
    }

    /// The node's wallet (funds channels opened by
    /// [`Network::open_channel`](super::Network::open_channel)).
    pub fn wallet(&self) -> &SimWallet {
        &self.wallet
    }

    /// The node's wallet, to build transactions.
    pub fn wallet_mut(&mut self) -> &mut SimWallet {
        &mut self.wallet
    }

    /// The node's listener id on the network's chain.
    pub fn listener(&self) -> ListenerId {
        self.listener
    }

    /// The script the node's cooperative closes pay it (the key manager's shutdown script).
    pub fn shutdown_script(&mut self) -> ScriptBuf {
        match self.keys.shutdown_script(&ChannelKeysId([0; 32])) {
            SignerReply::Ready(script) => script,
            // The in-process KeysManager always answers Ready.
            _ => ScriptBuf::new(),
        }
    }

    /// The script the node's force closes pay it (the key manager's destination script).
    pub fn destination_script(&mut self) -> ScriptBuf {
        match self.keys.destination_script(&ChannelKeysId([0; 32])) {
            SignerReply::Ready(script) => script,
            // The in-process KeysManager always answers Ready.
            _ => ScriptBuf::new(),
        }
    }

    /// The monitor-update policy.
    pub fn monitor_policy(&self) -> MonitorPolicy {
        self.policy
    }

    /// The node's chain monitor (every channel monitor), to read.
    pub fn chain_monitor(&self) -> &ChainMonitor {
        &self.chain_monitor
    }

    /// The node's chain monitor, for commands (e.g.
    /// [`broadcast_latest_holder_commitment`](ChainMonitor::broadcast_latest_holder_commitment)).
    /// Its output is collected at the network's next step.
    pub fn chain_monitor_mut(&mut self) -> &mut ChainMonitor {
        &mut self.chain_monitor
    }

    /// The chain monitor's listener id on the network's chain.
    pub fn monitor_listener(&self) -> ListenerId {
        self.monitor_listener
    }

    /// Every event the node's monitors reported so far, oldest first (each was also given
    /// to the channel manager's `handle_monitor_event`).
    pub fn monitor_events(&self) -> &[MonitorEvent] {
        &self.monitor_events
    }

    /// Monitor updates the chain monitor refused (empty in a healthy run).
    pub fn monitor_errors(&self) -> &[MonitorWiringError] {
        &self.monitor_errors
    }

    /// The monitor updates in progress (held by [`MonitorPolicy::Hold`]), oldest first.
    pub fn held_monitor_updates(&self) -> &[(ChannelId, u64)] {
        &self.held_updates
    }

    /// The events collected so far and not taken.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Takes every collected event.
    pub fn take_events(&mut self) -> Vec<Event> {
        core::mem::take(&mut self.events)
    }

    /// Takes the collected events for which `pick` is true, leaving the others.
    pub fn take_events_where(&mut self, mut pick: impl FnMut(&Event) -> bool) -> Vec<Event> {
        let (taken, kept) = core::mem::take(&mut self.events)
            .into_iter()
            .partition(|event| pick(event));
        self.events = kept;
        taken
    }

    /// Every transaction the node broadcast so far, oldest first.
    pub fn broadcasts(&self) -> &[Transaction] {
        &self.broadcasts
    }

    /// The node's channels (`list_channels`), sorted by channel id.
    pub fn channels(&self) -> Vec<ChannelDetails> {
        let mut channels = self.manager.list_channels();
        channels.sort_by_key(|details| details.channel_id.0);
        channels
    }

    /// The channel `channel_id`, if the node has it.
    pub fn channel(&self, channel_id: ChannelId) -> Option<ChannelDetails> {
        self.manager
            .list_channels()
            .into_iter()
            .find(|details| details.channel_id == channel_id)
    }

    /// The confirmed outputs paying the node's wallet, shutdown or destination scripts.
    pub fn onchain_balance(&mut self, chain: &SimChain) -> Amount {
        let mut scripts = alloc::vec![
            self.wallet.script_pubkey().to_owned(),
            self.shutdown_script(),
            self.destination_script(),
        ];
        scripts.dedup();
        scripts.iter().map(|script| chain.balance_of(script)).sum()
    }

    /// Reports a held write durable to the chain monitor and hands every update that became
    /// complete to the channel manager.
    pub(super) fn report_durable(&mut self, channel_id: ChannelId, update_id: u64) {
        if self
            .chain_monitor
            .update_completed(channel_id, update_id)
            .is_err()
        {
            // Not in progress in the chain monitor (it refused the update and the testkit
            // completed it directly): tell the manager as before.
            self.manager.monitor_update_completed(channel_id, update_id);
        }
        while let Some((channel_id, update_id)) = self.chain_monitor.poll_completed_updates() {
            self.manager.monitor_update_completed(channel_id, update_id);
        }
    }

    /// Moves the chain monitor's output: completed updates to the manager, broadcasts into
    /// `chain`'s mempool, monitor events to the manager (and the node's list). Returns whether
    /// anything moved.
    pub(super) fn drain_chain_monitor(&mut self, chain: &mut SimChain) -> bool {
        let mut moved = false;
        while let Some((channel_id, update_id)) = self.chain_monitor.poll_completed_updates() {
            moved = true;
            self.manager.monitor_update_completed(channel_id, update_id);
        }
        while let Some(tx) = self.chain_monitor.poll_broadcast() {
            moved = true;
            chain.broadcast(tx.clone());
            self.broadcasts.push(tx);
        }
        while let Some(event) = self.chain_monitor.poll_event() {
            moved = true;
            if let ChainMonitorEvent::Monitor(event) = event {
                self.manager.handle_monitor_event(&event);
                self.monitor_events.push(event);
            }
        }
        moved
    }
    /// Brings the manager and the chain monitor to `chain`'s tip (through the node's two
    /// listeners), then moves the chain monitor's output and has it register what to watch.
    pub(super) fn sync_to_tip(&mut self, chain: &mut SimChain) {
        // Invariant: both listeners were registered on the network's chain when the node was
        // built or rebuilt (`Network::rebuild_node`).
        chain
            .sync_confirm(self.listener, &mut *self.manager)
            .expect("node listener registered on the network chain");
        chain
            .sync_confirm(self.monitor_listener, &mut self.chain_monitor)
            .expect("monitor listener registered on the network chain");
        self.drain_chain_monitor(chain);
        self.chain_monitor.sync_chain_source(chain);
    }
}
