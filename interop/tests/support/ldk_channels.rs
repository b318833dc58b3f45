//! An LDK node with a real LDK `ChannelManager`, for the channel scenarios. Its plugs are the
//! smallest that LDK accepts: a `Watch` that accepts every monitor at once (no on-chain
//! enforcement), or for the force-close scenarios LDK's real `ChainMonitor` over a `Persist`
//! that completes at once ([`LdkChannelNode::start_monitored`]), a broadcaster
//! that collects transactions for the test's simulated chain, fixed fee rates, and routers
//! that find nothing (no payments yet).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bitcoin::secp256k1::{PublicKey, Secp256k1};
use bitcoin::{Block, Network, Transaction};
use ldk::blinded_path::message::{BlindedMessagePath, MessageContext, MessageForwardNode};
use ldk::blinded_path::payment::{BlindedPaymentPath, ReceiveTlvs};
use ldk::chain::chaininterface::{BroadcasterInterface, ConfirmationTarget, FeeEstimator};
use ldk::chain::chainmonitor::{ChainMonitor, Persist};
use ldk::chain::channelmonitor::{ChannelMonitor, ChannelMonitorUpdate, MonitorEvent};
use ldk::chain::transaction::OutPoint;
use ldk::chain::{ChannelMonitorUpdateStatus, Filter, Listen, Watch, WatchedOutput};
use ldk::events::{Event, EventsProvider, ReplayEvent};
use ldk::ln::channel_state::ChannelDetails;
use ldk::ln::channelmanager::{ChainParameters, ChannelManager};
use ldk::ln::peer_handler::{IgnoringMessageHandler, MessageHandler, PeerManager};
use ldk::ln::types::ChannelId;
use ldk::onion_message::messenger::{Destination, MessageRouter, OnionMessagePath};
use ldk::routing::router::{InFlightHtlcs, Path, Payee, Route, RouteHop, RouteParameters, Router};
use ldk::sign::{InMemorySigner, KeysManager, NodeSigner, ReceiveAuthKey, Recipient};
use ldk::types::features::{ChannelFeatures, NodeFeatures};
use ldk::util::config::UserConfig;
use ldk::util::persist::MonitorName;

use super::ldk_net::{self, LdkPeers, LdkSocket};
use super::{unix_now, Lines, WAIT};

/// Accepts every monitor and update at once and reports nothing.
pub struct AcceptingWatch;

impl Watch<InMemorySigner> for AcceptingWatch {
    fn watch_channel(
        &self,
        _: ChannelId,
        _: ChannelMonitor<InMemorySigner>,
    ) -> Result<ChannelMonitorUpdateStatus, ()> {
        Ok(ChannelMonitorUpdateStatus::Completed)
    }
    fn update_channel(&self, _: ChannelId, _: &ChannelMonitorUpdate) -> ChannelMonitorUpdateStatus {
        ChannelMonitorUpdateStatus::Completed
    }
    fn release_pending_monitor_events(
        &self,
    ) -> Vec<(OutPoint, ChannelId, Vec<MonitorEvent>, PublicKey)> {
        Vec::new()
    }
}

/// LDK's real chain monitor, over [`InstantPersist`].
pub type LdkChainMonitor = ChainMonitor<
    InMemorySigner,
    Arc<NoFilter>,
    Arc<Broadcasts>,
    Arc<FixedFees>,
    Arc<Lines>,
    Arc<InstantPersist>,
    Arc<KeysManager>,
>;

/// The channel manager's `Watch`: [`AcceptingWatch`], or LDK's real chain monitor (for the
/// force-close scenarios).
pub struct LdkWatch(pub Option<Arc<LdkChainMonitor>>);

impl Watch<InMemorySigner> for LdkWatch {
    fn watch_channel(
        &self,
        channel_id: ChannelId,
        monitor: ChannelMonitor<InMemorySigner>,
    ) -> Result<ChannelMonitorUpdateStatus, ()> {
        match &self.0 {
            Some(chain_monitor) => chain_monitor.watch_channel(channel_id, monitor),
            None => AcceptingWatch.watch_channel(channel_id, monitor),
        }
    }
    fn update_channel(
        &self,
        channel_id: ChannelId,
        update: &ChannelMonitorUpdate,
    ) -> ChannelMonitorUpdateStatus {
        match &self.0 {
            Some(chain_monitor) => chain_monitor.update_channel(channel_id, update),
            None => AcceptingWatch.update_channel(channel_id, update),
        }
    }
    fn release_pending_monitor_events(
        &self,
    ) -> Vec<(OutPoint, ChannelId, Vec<MonitorEvent>, PublicKey)> {
        match &self.0 {
            Some(chain_monitor) => chain_monitor.release_pending_monitor_events(),
            None => Vec::new(),
        }
    }
}

/// A `Persist` that completes every write at once (and keeps nothing).
pub struct InstantPersist;

impl Persist<InMemorySigner> for InstantPersist {
    fn persist_new_channel(
        &self,
        _: MonitorName,
        _: &ChannelMonitor<InMemorySigner>,
    ) -> ChannelMonitorUpdateStatus {
        ChannelMonitorUpdateStatus::Completed
    }
    fn update_persisted_channel(
        &self,
        _: MonitorName,
        _: Option<&ChannelMonitorUpdate>,
        _: &ChannelMonitor<InMemorySigner>,
    ) -> ChannelMonitorUpdateStatus {
        ChannelMonitorUpdateStatus::Completed
    }
    fn archive_persisted_channel(&self, _: MonitorName) {}
}

/// A chain `Filter` that asks for nothing (LDK is given whole blocks).
pub struct NoFilter;

impl Filter for NoFilter {
    fn register_tx(&self, _: &bitcoin::Txid, _: &bitcoin::Script) {}
    fn register_output(&self, _: WatchedOutput) {}
}

/// Collects what LDK broadcasts.
#[derive(Default)]
pub struct Broadcasts(pub Mutex<Vec<Transaction>>);

impl BroadcasterInterface for Broadcasts {
    fn broadcast_transactions(&self, txs: &[&Transaction]) {
        self.0
            .lock()
            .unwrap()
            .extend(txs.iter().map(|tx| (*tx).clone()));
    }
}

/// The same fee rate for every target; the test may change it.
pub struct FixedFees(pub AtomicU32);

impl FixedFees {
    pub fn set(&self, sat_per_kw: u32) {
        self.0.store(sat_per_kw, Ordering::Relaxed);
    }
}

impl FeeEstimator for FixedFees {
    fn get_est_sat_per_1000_weight(&self, _: ConfirmationTarget) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Routes only to direct peers (one hop over a usable channel); finds no onion message
/// paths and no blinded paths.
pub struct NoRoutes;

impl Router for NoRoutes {
    fn find_route(
        &self,
        _payer: &PublicKey,
        params: &RouteParameters,
        first_hops: Option<&[&ChannelDetails]>,
        _: InFlightHtlcs,
    ) -> Result<Route, &'static str> {
        let Payee::Clear {
            node_id,
            final_cltv_expiry_delta,
            ..
        } = &params.payment_params.payee
        else {
            return Err("only clear payees");
        };
        let channel = first_hops
            .unwrap_or_default()
            .iter()
            .find(|c| c.counterparty.node_id == *node_id && c.is_usable)
            .ok_or("no usable channel with the payee")?;
        let hop = RouteHop {
            pubkey: *node_id,
            node_features: NodeFeatures::empty(),
            short_channel_id: channel
                .get_outbound_payment_scid()
                .ok_or("channel has no scid")?,
            channel_features: ChannelFeatures::empty(),
            fee_msat: params.final_value_msat,
            cltv_expiry_delta: *final_cltv_expiry_delta,
            maybe_announced_channel: false,
        };
        Ok(Route {
            paths: vec![Path {
                hops: vec![hop],
                blinded_tail: None,
            }],
            route_params: Some(params.clone()),
        })
    }
    fn create_blinded_payment_paths<
        T: bitcoin::secp256k1::Signing + bitcoin::secp256k1::Verification,
    >(
        &self,
        _: PublicKey,
        _: Vec<ChannelDetails>,
        _: ReceiveTlvs,
        _: Option<u64>,
        _: &Secp256k1<T>,
    ) -> Result<Vec<BlindedPaymentPath>, ()> {
        Err(())
    }
}

impl MessageRouter for NoRoutes {
    fn find_path(
        &self,
        _: PublicKey,
        _: Vec<PublicKey>,
        _: Destination,
    ) -> Result<OnionMessagePath, ()> {
        Err(())
    }
    fn create_blinded_paths<T: bitcoin::secp256k1::Signing + bitcoin::secp256k1::Verification>(
        &self,
        _: PublicKey,
        _: ReceiveAuthKey,
        _: MessageContext,
        _: Vec<MessageForwardNode>,
        _: &Secp256k1<T>,
    ) -> Result<Vec<BlindedMessagePath>, ()> {
        Err(())
    }
}

/// LDK's channel manager with the plugs above.
pub type LdkChannelManager = ChannelManager<
    Arc<LdkWatch>,
    Arc<Broadcasts>,
    Arc<KeysManager>,
    Arc<KeysManager>,
    Arc<KeysManager>,
    Arc<FixedFees>,
    Arc<NoRoutes>,
    Arc<NoRoutes>,
    Arc<Lines>,
>;

/// LDK's peer manager in front of its channel manager.
pub type LdkChannelPeers = PeerManager<
    LdkSocket,
    Arc<LdkChannelManager>,
    Arc<IgnoringMessageHandler>,
    Arc<IgnoringMessageHandler>,
    Arc<Lines>,
    Arc<IgnoringMessageHandler>,
    Arc<KeysManager>,
    Arc<IgnoringMessageHandler>,
>;

/// An LDK node that opens and accepts channels, on real sockets.
pub struct LdkChannelNode {
    pub manager: Arc<LdkChannelManager>,
    /// LDK's chain monitor, when started with [`LdkChannelNode::start_monitored`].
    pub chain_monitor: Option<Arc<LdkChainMonitor>>,
    pub peers: Arc<LdkChannelPeers>,
    pub broadcasts: Arc<Broadcasts>,
    pub fees: Arc<FixedFees>,
    pub id: PublicKey,
    pub log: Arc<Lines>,
    events: Mutex<Vec<Event>>,
    /// The height of the last block given to the channel manager.
    pub height: Mutex<u32>,
    listening: Mutex<Option<std::net::SocketAddr>>,
}

impl LdkChannelNode {
    pub fn start(seed: u8, feerate: u32, config: UserConfig) -> Arc<LdkChannelNode> {
        Self::start_with(seed, feerate, config, false)
    }

    /// Like [`LdkChannelNode::start`], with LDK's real `ChainMonitor` as the `Watch`.
    pub fn start_monitored(seed: u8, feerate: u32, config: UserConfig) -> Arc<LdkChannelNode> {
        Self::start_with(seed, feerate, config, true)
    }

    fn start_with(
        seed: u8,
        feerate: u32,
        config: UserConfig,
        monitored: bool,
    ) -> Arc<LdkChannelNode> {
        let log = Lines::new("ldk");
        let now = unix_now();
        let keys = Arc::new(KeysManager::new(
            &[seed; 32],
            now.as_secs(),
            now.subsec_nanos(),
            true,
        ));
        let id = keys.get_node_id(Recipient::Node).unwrap();
        let broadcasts = Arc::new(Broadcasts::default());
        let params = ChainParameters {
            network: Network::Regtest,
            best_block: ldk::chain::BestBlock::from_network(Network::Regtest),
        };
        let fees = Arc::new(FixedFees(AtomicU32::new(feerate)));
        let chain_monitor = monitored.then(|| {
            Arc::new(ChainMonitor::new(
                None,
                broadcasts.clone(),
                log.clone(),
                fees.clone(),
                Arc::new(InstantPersist),
                keys.clone(),
                keys.get_peer_storage_key(),
            ))
        });
        let manager = Arc::new(ChannelManager::new(
            fees.clone(),
            Arc::new(LdkWatch(chain_monitor.clone())),
            broadcasts.clone(),
            Arc::new(NoRoutes),
            Arc::new(NoRoutes),
            log.clone(),
            keys.clone(),
            keys.clone(),
            keys.clone(),
            config,
            params,
            now.as_secs() as u32,
        ));
        let ignoring = Arc::new(IgnoringMessageHandler {});
        let handlers = MessageHandler {
            chan_handler: manager.clone(),
            route_handler: Arc::clone(&ignoring),
            onion_message_handler: Arc::clone(&ignoring),
            custom_message_handler: Arc::clone(&ignoring),
            send_only_message_handler: ignoring,
        };
        let peers = Arc::new(PeerManager::new(
            handlers,
            now.as_secs() as u32,
            &lightning_net_adapter::os::os_random_bytes().unwrap(),
            log.clone(),
            keys,
        ));
        let node = Arc::new(LdkChannelNode {
            manager,
            chain_monitor,
            peers,
            broadcasts,
            fees,
            id,
            log,
            events: Mutex::new(Vec::new()),
            height: Mutex::new(0),
            listening: Mutex::new(None),
        });
        let driver = Arc::downgrade(&node);
        tokio::spawn(async move {
            while let Some(node) = driver.upgrade() {
                // What LDK's background processor would do: decode received HTLCs (and
                // forward them), then flush messages.
                node.manager.process_pending_htlc_forwards();
                node.peers.process_events();
                drop(node);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        node
    }

    fn dyn_peers(&self) -> Arc<dyn LdkPeers> {
        self.peers.clone()
    }

    /// Listens on an ephemeral loopback port (remembered: see [`LdkChannelNode::listening`]).
    pub async fn listen(&self) -> std::net::SocketAddr {
        let addr = ldk_net::ldk_listen(self.dyn_peers()).await;
        *self.listening.lock().unwrap() = Some(addr);
        addr
    }

    /// Where [`LdkChannelNode::listen`] listens, as `pubkey@host:port`.
    pub fn listening(&self) -> lightning_net_adapter::PeerAddr {
        let addr = self.listening.lock().unwrap().expect("LDK listens");
        format!("{}@{addr}", self.id).parse().unwrap()
    }

    pub async fn connect(&self, their: PublicKey, addr: std::net::SocketAddr) {
        ldk_net::ldk_connect(self.dyn_peers(), their, addr).await
    }

    pub fn is_connected(&self, peer: &PublicKey) -> bool {
        self.peers.peer_by_node_id(peer).is_some()
    }

    /// Gives LDK the blocks it has not seen yet.
    pub fn connect_blocks<'a>(&self, blocks: impl IntoIterator<Item = (u32, &'a Block)>) {
        let mut height = self.height.lock().unwrap();
        for (h, block) in blocks {
            if h > *height {
                if let Some(chain_monitor) = &self.chain_monitor {
                    chain_monitor.block_connected(block, h);
                }
                self.manager.block_connected(block, h);
                *height = h;
            }
        }
    }

    /// Drains LDK's pending events into our list.
    fn pull_events(&self) {
        let collected = Mutex::new(Vec::new());
        let handler = |event: Event| -> Result<(), ReplayEvent> {
            collected.lock().unwrap().push(event);
            Ok(())
        };
        self.manager.process_pending_events(&handler);
        if let Some(chain_monitor) = &self.chain_monitor {
            chain_monitor.process_pending_events(&handler);
        }
        self.events
            .lock()
            .unwrap()
            .extend(collected.into_inner().unwrap());
    }

    /// Waits for an event `pick` selects, removing it from the list.
    pub async fn wait_event<T>(&self, mut pick: impl FnMut(&Event) -> Option<T>) -> T {
        let found = tokio::time::timeout(WAIT, async {
            loop {
                self.pull_events();
                {
                    let mut events = self.events.lock().unwrap();
                    if let Some(i) = events.iter().position(|e| pick(e).is_some()) {
                        let event = events.remove(i);
                        return pick(&event).unwrap();
                    }
                }
                self.manager.process_pending_htlc_forwards();
                self.peers.process_events();
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        match found {
            Ok(value) => value,
            Err(_) => panic!(
                "LDK event not seen; events: {:?}\nLDK log:\n{}",
                self.events.lock().unwrap(),
                self.log.dump()
            ),
        }
    }

    /// Takes what LDK broadcast.
    pub fn take_broadcasts(&self) -> Vec<Transaction> {
        std::mem::take(&mut *self.broadcasts.0.lock().unwrap())
    }
}
