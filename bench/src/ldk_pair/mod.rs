//! LDK's side: two LDK 0.2 `ChannelManager`s (each with a `ChainMonitor` and a `KeysManager`)
//! in one process with one channel, wired by direct handler calls (no transport): every
//! `MessageSendEvent` of one node is handed to the other's `ChannelMessageHandler`, and the
//! persister completes every monitor write at once. Built only from LDK's public API.
//! Built with [`LdkPair::new_full_stack`], messages go through LDK's `PeerManager` and
//! monitors are persisted to files instead ([`stack`]).

pub mod plugs;
pub mod signer;
pub mod stack;

use std::cell::RefCell;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use bitcoin::secp256k1::PublicKey;
use bitcoin::Network;
use ldk::chain::chainmonitor::ChainMonitor;
use ldk::chain::{BestBlock, Confirm};
use ldk::events::{Event, EventsProvider};
use ldk::ln::channelmanager::{
    ChainParameters, ChannelManager, PaymentId, RecipientOnionFields, Retry,
};
use ldk::ln::msgs::{
    BaseMessageHandler, ChannelMessageHandler, ErrorAction, Init, MessageSendEvent,
};
use ldk::onion_message::messenger::NullMessageRouter;
use ldk::routing::router::{PaymentParameters, RouteParameters};
use ldk::sign::{KeysManager, NodeSigner};
use ldk::util::config::{MaxDustHTLCExposure, UserConfig};

use self::plugs::{
    CountingPersister, DirectRouter, FixedFees, KeepBroadcasts, NoFilter, SilentLogger,
};
use self::signer::{CountingLdkKeys, CountingLdkSigner, LdkSignCounters};
use self::stack::{FileStore, LdkStack};
use crate::chain::{funding_tx, HeaderChain, CONFIRMATIONS, FUNDING_SATS, START};
use crate::fs::{TempDir, WriteCounters};
use crate::ours::stack::UPDATES_BETWEEN_FULL_WRITES;
use crate::ours::FINAL_CLTV_DELTA;

type LdkChainMonitor = ChainMonitor<
    CountingLdkSigner,
    Arc<NoFilter>,
    Arc<KeepBroadcasts>,
    Arc<FixedFees>,
    Arc<SilentLogger>,
    Arc<CountingPersister>,
    Arc<KeysManager>,
>;

/// LDK's channel manager as the bench builds it.
pub(crate) type LdkManager = ChannelManager<
    Arc<LdkChainMonitor>,
    Arc<KeepBroadcasts>,
    Arc<KeysManager>,
    Arc<KeysManager>,
    Arc<CountingLdkKeys>,
    Arc<FixedFees>,
    Arc<DirectRouter>,
    Arc<NullMessageRouter>,
    Arc<SilentLogger>,
>;

struct LdkNode {
    manager: Arc<LdkManager>,
    keys: Arc<KeysManager>,
    chain_monitor: Arc<LdkChainMonitor>,
    persister: Arc<CountingPersister>,
    broadcaster: Arc<KeepBroadcasts>,
    signer_counters: Arc<LdkSignCounters>,
    id: PublicKey,
}

/// LDK's persister over our file store, as workload 2 uses it.
type FilePersister = ldk::util::persist::MonitorUpdatingPersister<
    Arc<FileStore>,
    Arc<SilentLogger>,
    Arc<KeysManager>,
    Arc<KeysManager>,
    Arc<KeepBroadcasts>,
    Arc<FixedFees>,
>;

fn new_node(
    seed: u8,
    max_htlcs: u16,
    start_height: BestBlock,
    store: Option<Arc<FileStore>>,
) -> LdkNode {
    let keys = Arc::new(KeysManager::new(&[seed; 32], START.as_secs(), 0, true));
    let broadcaster = Arc::new(KeepBroadcasts::default());
    let fees = Arc::new(FixedFees);
    let logger = Arc::new(SilentLogger);
    let inner = store.map(|store| {
        let persister: FilePersister = ldk::util::persist::MonitorUpdatingPersister::new(
            store,
            Arc::clone(&logger),
            UPDATES_BETWEEN_FULL_WRITES,
            Arc::clone(&keys),
            Arc::clone(&keys),
            Arc::clone(&broadcaster),
            Arc::clone(&fees),
        );
        Box::new(persister)
            as Box<dyn ldk::chain::chainmonitor::Persist<CountingLdkSigner> + Send + Sync>
    });
    let persister = Arc::new(CountingPersister {
        inner,
        ..CountingPersister::default()
    });
    let signers = Arc::new(CountingLdkKeys::new(Arc::clone(&keys)));
    let signer_counters = Arc::clone(&signers.counters);
    let chain_monitor = Arc::new(ChainMonitor::new(
        None::<Arc<NoFilter>>,
        Arc::clone(&broadcaster),
        Arc::clone(&logger),
        Arc::clone(&fees),
        Arc::clone(&persister),
        Arc::clone(&keys),
        keys.get_peer_storage_key(),
    ));
    let mut config = UserConfig::default();
    config.channel_handshake_config.our_max_accepted_htlcs = max_htlcs;
    config
        .channel_handshake_config
        .max_inbound_htlc_value_in_flight_percent_of_channel = 100;
    config.channel_config.max_dust_htlc_exposure =
        MaxDustHTLCExposure::FixedLimitMsat(FUNDING_SATS * 1000);
    let manager = ChannelManager::new(
        fees,
        Arc::clone(&chain_monitor),
        Arc::clone(&broadcaster),
        Arc::new(DirectRouter),
        Arc::new(NullMessageRouter {}),
        logger,
        Arc::clone(&keys),
        Arc::clone(&keys),
        signers,
        config,
        ChainParameters {
            network: Network::Regtest,
            best_block: start_height,
        },
        START.as_secs() as u32,
    );
    let id = manager.get_our_node_id();
    LdkNode {
        manager: Arc::new(manager),
        keys,
        chain_monitor,
        persister,
        broadcaster,
        signer_counters,
        id,
    }
}

/// Monitor-update counts of both LDK nodes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LdkCounts {
    /// Monitor updates handed to the persisters.
    pub monitor_updates: u64,
    /// Their encoded bytes (only when measuring).
    pub monitor_update_bytes: u64,
    /// The encoded bytes of the full monitors handed over with them (only when measuring).
    pub full_monitor_bytes: u64,
    /// Signatures made by the channel signers.
    pub signatures_made: u64,
    /// Per-commitment points derived by the channel signers.
    pub points: u64,
}

/// Two LDK nodes with a ready channel between them.
pub struct LdkPair {
    nodes: [LdkNode; 2],
    /// Events handled by each node's event loop and not yet looked at.
    events: [Vec<Event>; 2],
    next_payment: u64,
    /// The peer managers, when built with [`LdkPair::new_full_stack`].
    stack: Option<LdkStack>,
    /// What the file stores wrote (workload 2).
    written: Arc<WriteCounters>,
    // Dropped last: the file stores write into them.
    _dirs: Vec<TempDir>,
}

impl LdkPair {
    /// Two nodes with a confirmed, usable 10M-sat channel from node 0 to node 1 (node 0 pushes
    /// half of it). `measure` makes the persisters encode what they are given to count bytes.
    pub fn new(measure: bool, max_htlcs: u16) -> LdkPair {
        Self::build(measure, max_htlcs, false)
    }

    /// The same pair over the real stack: messages through two LDK `PeerManager`s over
    /// in-memory sockets, monitors persisted by LDK's `MonitorUpdatingPersister` into
    /// [`FileStore`]s in temporary directories (removed on drop).
    pub fn new_full_stack(max_htlcs: u16) -> LdkPair {
        Self::build(false, max_htlcs, true)
    }

    /// Bytes and values written by the file stores so far ((0, 0) without the stack).
    pub fn written(&self) -> (u64, u64) {
        self.written.snapshot()
    }

    fn build(measure: bool, max_htlcs: u16, full_stack: bool) -> LdkPair {
        let genesis = BestBlock::from_network(Network::Regtest);
        let written = Arc::new(WriteCounters::default());
        let mut dirs = Vec::new();
        let mut store = || {
            if !full_stack {
                return None;
            }
            let dir = TempDir::new("ldk").expect("a temporary directory");
            let store = FileStore::new(dir.path(), Arc::clone(&written)).expect("a file store");
            dirs.push(dir);
            Some(Arc::new(store))
        };
        let nodes = [
            new_node(11, max_htlcs, genesis, store()),
            new_node(12, max_htlcs, genesis, store()),
        ];
        for node in &nodes {
            node.persister.measure.store(measure, Ordering::Relaxed);
        }
        let stack = full_stack.then(|| {
            LdkStack::new(
                [Arc::clone(&nodes[0].manager), Arc::clone(&nodes[1].manager)],
                [Arc::clone(&nodes[0].keys), Arc::clone(&nodes[1].keys)],
            )
        });
        let mut pair = LdkPair {
            nodes,
            events: [Vec::new(), Vec::new()],
            next_payment: 0,
            stack,
            written,
            _dirs: dirs,
        };
        pair.open_channel(genesis);
        pair
    }

    /// Runs both nodes' event handlers (as a node's event loop does; LDK holds some channel
    /// updates until the event that reports them is handled), keeping the events; returns
    /// whether there were any.
    fn process_events(&mut self) -> bool {
        let mut any = false;
        for node in 0..2 {
            let events = RefCell::new(Vec::new());
            self.nodes[node].manager.process_pending_events(&|event| {
                events.borrow_mut().push(event);
                Ok(())
            });
            let events = events.into_inner();
            any |= !events.is_empty();
            self.events[node].extend(events);
        }
        any
    }

    fn open_channel(&mut self, genesis: BestBlock) {
        let (a, b) = (self.nodes[0].id, self.nodes[1].id);
        if let Some(stack) = &self.stack {
            stack.connect([a, b]);
        }
        for (me, them) in [(0, b), (1, a)]
            .into_iter()
            .filter(|_| self.stack.is_none())
        {
            let other = 1 - me;
            let init = Init {
                features: self.nodes[other]
                    .manager
                    .provided_init_features(self.nodes[me].id),
                networks: None,
                remote_network_address: None,
            };
            self.nodes[me]
                .manager
                .peer_connected(them, &init, me == 1)
                .expect("ldk: peer_connected");
        }
        let temporary = self.nodes[0]
            .manager
            .create_channel(b, FUNDING_SATS, FUNDING_SATS * 500, 42, None, None)
            .expect("ldk: create_channel");
        self.deliver();
        let script = std::mem::take(&mut self.events[0])
            .into_iter()
            .find_map(|event| match event {
                Event::FundingGenerationReady { output_script, .. } => Some(output_script),
                _ => None,
            })
            .expect("ldk: no FundingGenerationReady");
        let tx = funding_tx(script);
        self.nodes[0]
            .manager
            .funding_transaction_generated(temporary, b, tx.clone())
            .expect("ldk: funding_transaction_generated");
        self.deliver();
        assert!(
            !self.nodes[0]
                .broadcaster
                .transactions
                .lock()
                .expect("single thread")
                .is_empty(),
            "ldk: funding transaction not broadcast"
        );
        let mut chain = HeaderChain::new(genesis.block_hash);
        for block in 0..=CONFIRMATIONS {
            let header = chain.next_header();
            let txdata = if block == 0 { vec![(1, &tx)] } else { vec![] };
            for node in &self.nodes {
                node.manager
                    .transactions_confirmed(&header, &txdata, chain.height);
                node.manager.best_block_updated(&header, chain.height);
                node.chain_monitor
                    .transactions_confirmed(&header, &txdata, chain.height);
                node.chain_monitor.best_block_updated(&header, chain.height);
            }
            self.deliver();
        }
        for node in 0..2 {
            self.events[node].clear();
            let usable = self.nodes[node].manager.list_usable_channels();
            assert_eq!(usable.len(), 1, "ldk: channel not usable");
        }
    }

    /// Hands every pending message of each node to the other, until neither has any; when
    /// the messages run dry, processes HTLC forwards (which LDK does in batches) and runs the
    /// event handlers, as a node's background loop would.
    pub fn deliver(&mut self) {
        loop {
            let mut progressed = self.exchange();
            if !progressed {
                for node in &self.nodes {
                    node.manager.process_pending_htlc_forwards();
                }
                self.process_events();
                progressed = self.exchange();
            }
            if !progressed {
                return;
            }
        }
    }

    fn exchange(&self) -> bool {
        if let Some(stack) = &self.stack {
            return stack.exchange();
        }
        let mut progressed = false;
        for from in 0..2 {
            let messages = self.nodes[from].manager.get_and_clear_pending_msg_events();
            progressed |= !messages.is_empty();
            for message in messages {
                self.dispatch(from, message);
            }
        }
        progressed
    }

    fn dispatch(&self, from: usize, event: MessageSendEvent) {
        let sender = self.nodes[from].id;
        let to = &self.nodes[1 - from].manager;
        match event {
            MessageSendEvent::SendOpenChannel { msg, .. } => to.handle_open_channel(sender, &msg),
            MessageSendEvent::SendAcceptChannel { msg, .. } => {
                to.handle_accept_channel(sender, &msg)
            }
            MessageSendEvent::SendFundingCreated { msg, .. } => {
                to.handle_funding_created(sender, &msg)
            }
            MessageSendEvent::SendFundingSigned { msg, .. } => {
                to.handle_funding_signed(sender, &msg)
            }
            MessageSendEvent::SendChannelReady { msg, .. } => to.handle_channel_ready(sender, &msg),
            MessageSendEvent::UpdateHTLCs {
                channel_id,
                updates,
                ..
            } => {
                for add in &updates.update_add_htlcs {
                    to.handle_update_add_htlc(sender, add);
                }
                for fulfill in updates.update_fulfill_htlcs {
                    to.handle_update_fulfill_htlc(sender, fulfill);
                }
                for fail in &updates.update_fail_htlcs {
                    to.handle_update_fail_htlc(sender, fail);
                }
                for malformed in &updates.update_fail_malformed_htlcs {
                    to.handle_update_fail_malformed_htlc(sender, malformed);
                }
                if let Some(fee) = &updates.update_fee {
                    to.handle_update_fee(sender, fee);
                }
                match updates.commitment_signed.len() {
                    0 => {}
                    1 => to.handle_commitment_signed(sender, &updates.commitment_signed[0]),
                    _ => to.handle_commitment_signed_batch(
                        sender,
                        channel_id,
                        updates.commitment_signed,
                    ),
                }
            }
            MessageSendEvent::SendRevokeAndACK { msg, .. } => {
                to.handle_revoke_and_ack(sender, &msg)
            }
            MessageSendEvent::HandleError { action, .. } => match action {
                ErrorAction::IgnoreError
                | ErrorAction::IgnoreAndLog(_)
                | ErrorAction::IgnoreDuplicateGossip => {}
                other => panic!("ldk: node {from} reports an error: {other:?}"),
            },
            // Gossip of an unannounced channel: nothing for the peer to act on here.
            MessageSendEvent::SendAnnouncementSignatures { .. }
            | MessageSendEvent::SendChannelUpdate { .. }
            | MessageSendEvent::BroadcastChannelUpdate { .. }
            | MessageSendEvent::BroadcastChannelAnnouncement { .. }
            | MessageSendEvent::BroadcastNodeAnnouncement { .. } => {}
            other => panic!("ldk: unexpected message event {other:?}"),
        }
    }

    fn start_payment(&mut self, from: usize, amount_msat: u64) {
        let to = 1 - from;
        let (hash, secret) = self.nodes[to]
            .manager
            .create_inbound_payment(Some(amount_msat), 3600, None)
            .expect("ldk: create_inbound_payment");
        self.next_payment += 1;
        let mut id = [0u8; 32];
        id[..8].copy_from_slice(&self.next_payment.to_be_bytes());
        let params = PaymentParameters::from_node_id(self.nodes[to].id, FINAL_CLTV_DELTA);
        self.nodes[from]
            .manager
            .send_payment(
                hash,
                RecipientOnionFields::secret_only(secret),
                PaymentId(id),
                RouteParameters::from_payment_params_and_value(params, amount_msat),
                Retry::Attempts(0),
            )
            .expect("ldk: send_payment");
    }

    /// Pays `count` payments from `from` to the other node, starting all of them before
    /// delivering anything (one at a time when `count` is 1), and settles them fully.
    pub fn pay(&mut self, from: usize, count: usize, amount_msat: u64) {
        let to = 1 - from;
        for _ in 0..count {
            self.start_payment(from, amount_msat);
        }
        self.deliver();
        let mut claimed = 0;
        for event in std::mem::take(&mut self.events[to]) {
            if let Event::PaymentClaimable { purpose, .. } = event {
                let preimage = purpose
                    .preimage()
                    .expect("ldk: invoice payments carry a preimage");
                self.nodes[to].manager.claim_funds(preimage);
                claimed += 1;
            }
        }
        assert_eq!(claimed, count, "ldk: not every payment became claimable");
        self.deliver();
        let sent = self.events[from]
            .iter()
            .filter(|event| matches!(event, Event::PaymentSent { .. }))
            .count();
        self.events[0].clear();
        self.events[1].clear();
        assert_eq!(sent, count, "ldk: not every payment was sent");
    }

    /// Monitor-update counts of both nodes so far.
    pub fn counts(&self) -> LdkCounts {
        let mut counts = LdkCounts::default();
        for node in &self.nodes {
            let p = &node.persister;
            counts.monitor_updates += p.updates.load(Ordering::Relaxed);
            counts.monitor_update_bytes += p.update_bytes.load(Ordering::Relaxed);
            counts.full_monitor_bytes += p.full_monitor_bytes.load(Ordering::Relaxed);
            let signer = &node.signer_counters;
            counts.signatures_made += signer.signatures_made.load(Ordering::Relaxed);
            counts.points += signer.points.load(Ordering::Relaxed);
        }
        counts
    }
}
