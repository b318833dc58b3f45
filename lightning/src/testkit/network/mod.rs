//! [`Network`]: N simulated nodes in one process over in-memory connections, sharing one
//! [`SimChain`], with delivery the test controls.
//!
//! Each [`TestNode`] is a real [`PeerManager`](crate::peer::PeerManager) and
//! [`ChannelManager`](crate::manager::ChannelManager) over a
//! [`KeysManager`](lightning_signer_api::keys_manager::KeysManager) from its seed, with its own
//! [`SimWallet`](crate::testkit::SimWallet), seeded randomness ([`SeededEntropy`]) and a
//! listener on the chain, and a [`GossipHandler`](crate::routing::GossipHandler) over its own
//! graph ([`TestNode::graph`]) paired with the channel manager, so gossip and gossip queries
//! cross like any message (see [`NodeConfig::gossip`] to switch it off). Connections run the
//! real BOLT 8 handshake and transport; the network only decides *when* each Lightning
//! message crosses.
//!
//! # Call contract
//!
//! 1. Build: [`Network::new`]`(n)` (default nodes, wallets funded with 10 BTC each) or
//!    [`Network::with_nodes`] with a [`NodeConfig`] per node (seed, manager config, monitor
//!    policy, logger).
//! 2. Connect: [`connect`](Network::connect)`(a, b)` (handshake, `init` and the gossip
//!    start-up, i.e. timestamp filters and graph sync, at once),
//!    [`disconnect`](Network::disconnect), [`drop_connection`](Network::drop_connection),
//!    [`reconnect`](Network::reconnect).
//! 3. Act: helpers ([`open_channel`](Network::open_channel), [`pay`](Network::pay),
//!    [`send_payment`](Network::send_payment), [`claim_payment`](Network::claim_payment),
//!    [`fail_payment`](Network::fail_payment), [`close_channel`](Network::close_channel)) or
//!    any command through [`node_mut`](Network::node_mut)`(i).manager_mut()`. Routed
//!    payments over each payer's own graph and scorer, with retries:
//!    [`open_public_channel`](Network::open_public_channel),
//!    [`pay_routed`](Network::pay_routed), [`send_routed_payment`](Network::send_routed_payment).
//!    Cheating on purpose: [`snapshot_monitor`](Network::snapshot_monitor) now,
//!    [`broadcast_stale_commitment`](Network::broadcast_stale_commitment) later.
//! 4. Move: [`run_until_quiet`](Network::run_until_quiet) moves everything (messages on
//!    directions not [`held`](Network::hold), monitor updates per each node's
//!    [`MonitorPolicy`], broadcasts into the mempool, events into each node's list). For fine
//!    control: [`collect_all`](Network::collect_all) (gather output, deliver nothing),
//!    [`next_message`](Network::next_message) (peek),
//!    [`deliver_next`](Network::deliver_next) (exactly one message),
//!    [`deliver_all`](Network::deliver_all) (one direction),
//!    [`take_next_message`](Network::take_next_message) (drop or intercept),
//!    [`inject_message`](Network::inject_message) (a hand-made message through the sender's
//!    transport), [`hold`](Network::hold)/[`release`](Network::release) a direction.
//! 5. Persist: under [`MonitorPolicy::Hold`] the updates wait in
//!    [`TestNode::held_monitor_updates`] until
//!    [`complete_monitor_updates`](Network::complete_monitor_updates) (all or a count, oldest
//!    or newest first) or [`complete_monitor_update`](Network::complete_monitor_update).
//! 6. Chain and time: [`mine_blocks`](Network::mine_blocks) (mines, syncs every node, runs
//!    until quiet), [`chain_mut`](Network::chain_mut) then [`sync_chain`](Network::sync_chain)
//!    for reorgs, [`advance_time`](Network::advance_time).
//! 7. Assert: [`TestNode::events`]/[`TestNode::take_events`], [`TestNode::channels`]
//!    (`list_channels`), [`balance_msat`](Network::balance_msat),
//!    [`onchain_balance`](Network::onchain_balance), [`TestNode::broadcasts`],
//!    [`chain`](Network::chain) (mempool, UTXOs), [`disconnections`](Network::disconnections).
//!
//! 8. Crash and restart (see [`restart`] for the persistence points): each node writes its
//!    monitors and its manager to its own store as it goes;
//!    [`crash_and_restart`](Network::crash_and_restart) rebuilds a node from it,
//!    [`crash_after_persistence_points`](Network::crash_after_persistence_points) arms a crash
//!    right after a chosen write, [`snapshot`](Network::snapshot) and
//!    [`restore`](Network::restore) restart a node from an old backup (data loss).
//!    [`run_until_message`](Network::run_until_message) and
//!    [`drop_connection_at_message`](Network::drop_connection_at_message) cut a connection at
//!    a chosen message.
//! 9. Topologies (see [`script`]): [`route_along`](Network::route_along),
//!    [`send_payment_along`](Network::send_payment_along), [`pay_along`](Network::pay_along),
//!    [`find_route`](Network::find_route), [`timer_tick`](Network::timer_tick), and
//!    [`run_script`](Network::run_script) with a [`PaymentScript`] (channels, then payments,
//!    crashes, disconnections, blocks, ticks; one [`StepOutcome`] per step).
//! 10. Save and start again (see [`saved`]): [`save`](Network::save) a network at rest into a
//!     [`SavedNetwork`], then [`Network::from_saved`] starts a new network from it (every node
//!     restarted from its store, the pairs reconnected) as often as wanted: set up once, then
//!     give each test case or fuzz input its own copy.
//!
//! Nothing moves between calls: every helper documents what it runs. Same seeds and same
//! calls give the same run.
//!
//! ```
//! use lightning::testkit::network::Network;
//!
//! let mut net = Network::new(2);
//! let channel = net.open_channel(0, 1, 1_000_000, 0);
//! let paid = net.pay(0, 1, 50_000_000).expect("payment succeeds");
//! assert_eq!(paid.fee_paid_msat, Some(0));
//! assert_eq!(net.balance_msat(0, channel), Some(950_000_000));
//! assert_eq!(net.balance_msat(1, channel), Some(50_000_000));
//!
//! // One message at a time: node 0 adds an HTLC, we look at what crosses.
//! let pending = net.send_payment(0, 1, 10_000).unwrap();
//! net.collect_all();
//! assert_eq!(net.next_message_type(0, 1), Some(128)); // update_add_htlc
//! net.deliver_next(0, 1);
//! net.run_until_quiet();
//! assert!(net.claim_payment(1, pending.payment_hash));
//! net.run_until_quiet();
//!
//! let closing = net.close_channel(0, 1, channel);
//! net.mine_blocks(1);
//! assert_eq!(net.chain().tx_confirmations(&closing.compute_txid()), Some(1));
//! ```

mod breach;
mod flows;
mod gossip;
mod links;
mod monitors;
mod node;
pub mod restart;
mod routed;
mod run;
pub mod saved;
pub mod script;
mod tracked;

pub use breach::{MonitorSnapshot, StaleBroadcastError};
pub use flows::{PayError, PaymentOutcome, PendingPayment};
pub use links::Disconnection;
pub use monitors::{MonitorWiringError, UPDATES_BETWEEN_FULL_WRITES};
pub use node::{Completion, CompletionOrder, MonitorPolicy, NodeConfig, SeededEntropy, TestNode};
pub use restart::{NodeSnapshot, RestartError};
pub use routed::{RoutedOutcome, RoutedPayError, ANNOUNCEMENT_DEPTH};
pub use run::MAX_QUIET_ROUNDS;
pub use saved::{SaveError, SavedNetwork};
pub use script::{PaymentScript, ScriptReport, ScriptStep, StepOutcome};

use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::time::Duration;

use secp256k1::PublicKey;

use crate::testkit::SimChain;
use crate::wire::ChainHash;

use self::links::Connection;

/// The simulated time a network starts at (2023-11-14, seconds since the Unix epoch).
pub const NETWORK_START_TIME: Duration = Duration::from_secs(1_700_000_000);

/// N nodes and one [`SimChain`], with in-memory connections whose delivery the test
/// controls. See the [module documentation](self) for the call contract and an example.
pub struct Network {
    nodes: Vec<TestNode>,
    chain: SimChain,
    connections: Vec<Connection>,
    /// Directions `(from, to)` whose messages `run_until_quiet` does not deliver.
    held_links: BTreeSet<(usize, usize)>,
    disconnections: Vec<links::Disconnection>,
    now: Duration,
    next_connection_id: u64,
    next_user_channel_id: u128,
    next_payment_id: u64,
    routing: routed::RoutingState,
    /// An armed crash: `(node, persistence point)` (see `restart`).
    crash_trigger: Option<(usize, u64)>,
    /// How many saves deep the network is: 0 when built from scratch, one more than the
    /// saved network's when started from one (see `saved`).
    generation: u64,
}

impl Network {
    /// `count` nodes with [`NodeConfig::for_index`] defaults, on a fresh chain, not connected.
    pub fn new(count: usize) -> Self {
        Network::with_nodes((0..count).map(NodeConfig::for_index).collect())
    }

    /// One node per config, in order (node `i` is `configs[i]`), on a fresh chain, not
    /// connected. Each funded wallet costs one mined block.
    pub fn with_nodes(configs: Vec<NodeConfig>) -> Self {
        let mut chain = SimChain::new();
        let chain_hash = ChainHash::using_genesis_block(chain.network());
        let mut nodes: Vec<TestNode> = configs
            .into_iter()
            .map(|config| TestNode::new(config, &mut chain, chain_hash))
            .collect();
        for node in &mut nodes {
            node.manager.advance_time(NETWORK_START_TIME);
        }
        let mut network = Network {
            nodes,
            chain,
            connections: Vec::new(),
            held_links: BTreeSet::new(),
            disconnections: Vec::new(),
            now: NETWORK_START_TIME,
            next_connection_id: 0,
            next_user_channel_id: 0,
            next_payment_id: 0,
            routing: routed::RoutingState::default(),
            crash_trigger: None,
            generation: 0,
        };
        network.sync_chain();
        network
    }

    /// How many nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Node `index`.
    ///
    /// # Panics
    /// If there is no such node.
    pub fn node(&self, index: usize) -> &TestNode {
        &self.nodes[index]
    }

    /// Node `index`, for commands; see [`TestNode::manager_mut`].
    ///
    /// # Panics
    /// If there is no such node.
    pub fn node_mut(&mut self, index: usize) -> &mut TestNode {
        &mut self.nodes[index]
    }

    /// The index of the node with `node_id`.
    pub fn index_of(&self, node_id: &PublicKey) -> Option<usize> {
        self.nodes.iter().position(|node| node.node_id == *node_id)
    }

    /// The shared chain.
    pub fn chain(&self) -> &SimChain {
        &self.chain
    }

    /// The shared chain, to change directly (reorgs, fee rates, funding); call
    /// [`sync_chain`](Self::sync_chain) afterwards so the nodes see it.
    pub fn chain_mut(&mut self) -> &mut SimChain {
        &mut self.chain
    }

    /// Makes node `index`'s signer answer `Pending` (`true`: away, like a hardware signer
    /// waiting for its user) or ready again (`false`), for its channels and its monitors
    /// alike (see [`SignerGate`](crate::testkit::SignerGate)). Made ready, the node repeats
    /// what waited: its manager's and its chain monitor's `signer_ready` (the monitors retry
    /// their claims at once rather than at the next block); the output is collected. Survives restarts.
    ///
    /// # Panics
    /// If there is no such node.
    pub fn set_signer_pending(&mut self, index: usize, pending: bool) {
        let node = &mut self.nodes[index];
        node.signer_gate.set_pending(pending);
        if !pending {
            node.manager.signer_ready();
            node.chain_monitor.signer_ready();
            node.drain_chain_monitor(&mut self.chain);
            self.collect_all();
        }
    }
}
