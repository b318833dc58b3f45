//! Shared helpers of the interop tests: an LDK node and one of ours, each on real loopback
//! TCP sockets (ours through `lightning-net-adapter`, LDK's through [`ldk_net`]).
#![allow(dead_code)]

pub mod ldk_channels;
pub mod ldk_net;
pub mod monitors;
pub mod pay;
pub mod tap;
pub mod world;

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bitcoin::secp256k1::PublicKey;
use bitcoin::Network;
use lightning::chain::BestBlock;
use lightning::manager::{ChannelManager, ManagerConfig, ManagerParams};
use lightning::peer::{PeerManager, PeerManagerConfig};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::util::logger::{Logger, Record};
use lightning::wire::ChainHash;
use lightning_net_adapter::os::OsEntropy;
use lightning_net_adapter::{AdapterConfig, NodeHandle, PeerAddr};

use ldk_net::LdkPeers;

/// How long any step may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// Log lines of one node, kept for assertions and printed when `INTEROP_LOG` is set.
#[derive(Default)]
pub struct Lines {
    name: &'static str,
    lines: Mutex<Vec<String>>,
}

impl Lines {
    pub fn new(name: &'static str) -> Arc<Lines> {
        Arc::new(Lines {
            name,
            lines: Mutex::new(Vec::new()),
        })
    }

    fn push(&self, line: String) {
        if std::env::var_os("INTEROP_LOG").is_some() {
            eprintln!("[{}] {line}", self.name);
        }
        self.lines.lock().unwrap().push(line);
    }

    /// How many lines contain `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    /// Every line, for failure messages.
    pub fn dump(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

impl Logger for Lines {
    fn log(&self, record: &Record<'_>) {
        self.push(format!(
            "{} {}: {}",
            record.level, record.module, record.args
        ));
    }
}

impl ldk::util::logger::Logger for Lines {
    fn log(&self, record: ldk::util::logger::Record) {
        self.push(format!(
            "{:?} {}:{}: {}",
            record.level, record.module_path, record.line, record.args
        ));
    }
}

pub fn unix_now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
}

/// Our node: a `ChannelManager` behind our `PeerManager`, on the net adapter.
pub struct OurNode {
    pub node: NodeHandle<tap::Tap>,
    pub addr: PeerAddr,
    pub log: Arc<Lines>,
    seed: u8,
    /// Our real chain monitor, once [`OurNode::spawn_chain_monitor_pump`] started it.
    pub monitors: Option<Rc<RefCell<monitors::OurMonitors>>>,
}

impl OurNode {
    pub async fn start(seed: u8, peer_config: PeerManagerConfig) -> OurNode {
        let log = Lines::new("ours");
        let keys = || Box::new(KeysManager::new(&[seed; 32]).expect("valid seed"));
        let chain = ChainHash::using_genesis_block(Network::Regtest);
        let manager = ChannelManager::new(ManagerParams {
            chain_hash: chain,
            config: ManagerConfig::default(),
            node_signer: keys(),
            signer_provider: keys(),
            entropy: Box::new(OsEntropy::new().unwrap()),
            logger: log.clone(),
            best_block: BestBlock::from_network_genesis(Network::Regtest),
            inbound_payment_key_material: None,
        });
        let peers = PeerManager::new(keys(), chain, peer_config, log.clone());
        let adapter = AdapterConfig {
            tick_interval: Duration::from_millis(200),
            ..AdapterConfig::default()
        };
        let node = NodeHandle::new(peers, tap::Tap::new(manager), adapter).unwrap();
        let local = node.listen("127.0.0.1:0").await.unwrap();
        let addr = format!("{}@{local}", node.node_id()).parse().unwrap();
        OurNode {
            node,
            addr,
            log,
            seed,
            monitors: None,
        }
    }

    pub fn id(&self) -> PublicKey {
        self.addr.node_id
    }

    /// Waits until our peer manager counts `peer` connected (both `init`s exchanged).
    pub async fn wait_connected(&self, peer: PublicKey) {
        tokio::time::timeout(
            WAIT,
            self.node
                .wait_until(|pm, _| pm.is_connected(&peer).then_some(())),
        )
        .await
        .unwrap_or_else(|_| panic!("ours never saw {peer} connected:\n{}", self.log.dump()));
    }
}

/// The LDK node's peer manager, for scenario 1: no channels (`ErroringMessageHandler`
/// answers channel messages with errors), no gossip, no onion messages.
pub type LdkPeerManager = ldk::ln::peer_handler::PeerManager<
    ldk_net::LdkSocket,
    Arc<ldk::ln::peer_handler::ErroringMessageHandler>,
    Arc<ldk::ln::peer_handler::IgnoringMessageHandler>,
    Arc<ldk::ln::peer_handler::IgnoringMessageHandler>,
    Arc<Lines>,
    Arc<ldk::ln::peer_handler::IgnoringMessageHandler>,
    Arc<ldk::sign::KeysManager>,
    Arc<ldk::ln::peer_handler::IgnoringMessageHandler>,
>;

/// An LDK node with its own sockets and a driver task: `process_events` every 20 ms and
/// `timer_tick_occurred` only when the test calls [`LdkNode::tick`] (LDK's ping timer counts
/// ticks, so the test controls how fast it runs).
pub struct LdkNode {
    pub peers: Arc<LdkPeerManager>,
    pub id: PublicKey,
    pub log: Arc<Lines>,
}

impl LdkNode {
    pub fn start(seed: u8) -> LdkNode {
        let log = Lines::new("ldk");
        let now = unix_now();
        let keys = Arc::new(ldk::sign::KeysManager::new(
            &[seed; 32],
            now.as_secs(),
            now.subsec_nanos(),
            true,
        ));
        let id = ldk::sign::NodeSigner::get_node_id(&*keys, ldk::sign::Recipient::Node).unwrap();
        let ignoring = Arc::new(ldk::ln::peer_handler::IgnoringMessageHandler {});
        let handlers = ldk::ln::peer_handler::MessageHandler {
            chan_handler: Arc::new(ldk::ln::peer_handler::ErroringMessageHandler::new()),
            route_handler: Arc::clone(&ignoring),
            onion_message_handler: Arc::clone(&ignoring),
            custom_message_handler: Arc::clone(&ignoring),
            send_only_message_handler: ignoring,
        };
        let peers = Arc::new(ldk::ln::peer_handler::PeerManager::new(
            handlers,
            now.as_secs() as u32,
            &lightning_net_adapter::os::os_random_bytes().unwrap(),
            log.clone(),
            keys,
        ));
        let driver: std::sync::Weak<LdkPeerManager> = Arc::downgrade(&peers);
        tokio::spawn(async move {
            while let Some(peers) = driver.upgrade() {
                peers.process_events();
                drop(peers);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        LdkNode { peers, id, log }
    }

    fn dyn_peers(&self) -> Arc<dyn LdkPeers> {
        self.peers.clone()
    }

    pub async fn listen(&self) -> SocketAddr {
        ldk_net::ldk_listen(self.dyn_peers()).await
    }

    pub async fn connect(&self, their: PublicKey, addr: SocketAddr) {
        ldk_net::ldk_connect(self.dyn_peers(), their, addr).await
    }

    pub fn tick(&self) {
        self.peers.timer_tick_occurred();
    }

    pub fn is_connected(&self, peer: &PublicKey) -> bool {
        self.peers.peer_by_node_id(peer).is_some()
    }

    pub async fn wait_connected(&self, peer: PublicKey) {
        let found = tokio::time::timeout(WAIT, async {
            while !self.is_connected(&peer) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(
            found.is_ok(),
            "LDK never saw {peer} connected:\n{}",
            self.log.dump()
        );
    }
}

impl OurNode {
    /// Completes every monitor update at once (there is no chain monitor in these tests),
    /// every 10 ms, until the node is shut down.
    pub fn spawn_monitor_pump(&self) {
        let node = self.node.clone();
        tokio::spawn(async move {
            loop {
                node.with(|_, manager| {
                    while let Some(update) = manager.poll_monitor_update() {
                        manager.monitor_update_completed(update.channel_id, update.update_id);
                    }
                });
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
    }

    /// Gives every monitor update to a real chain monitor (see [`monitors`]), every 10 ms,
    /// until the node is shut down. Our `ChainMonitor` is not `Send` (its persister and
    /// signers are boxed without `Send`), so the pump is a local task: call this inside a
    /// `tokio::task::LocalSet`.
    pub fn spawn_chain_monitor_pump(&mut self) {
        let monitors = Rc::new(RefCell::new(monitors::OurMonitors::new(self.seed)));
        self.monitors = Some(monitors.clone());
        let node = self.node.clone();
        tokio::task::spawn_local(async move {
            loop {
                node.with(|_, tap| monitors.borrow_mut().pump(&mut tap.manager));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
    }

    /// Waits for an event of our channel manager that `pick` selects (events it does not
    /// select are kept in `seen`).
    pub async fn wait_event<T>(
        &self,
        seen: &mut Vec<lightning::manager::Event>,
        mut pick: impl FnMut(&lightning::manager::Event) -> Option<T>,
    ) -> T {
        let found = tokio::time::timeout(
            WAIT,
            self.node.wait_until(|_, manager| {
                while let Some(event) = manager.next_event() {
                    seen.push(event);
                }
                let i = seen.iter().position(|e| pick(e).is_some())?;
                let event = seen.remove(i);
                pick(&event)
            }),
        )
        .await;
        match found {
            Ok(value) => value,
            Err(_) => panic!(
                "our event not seen; events: {seen:?}\nour log:\n{}",
                self.log.dump()
            ),
        }
    }
}
