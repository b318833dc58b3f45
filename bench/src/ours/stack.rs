//! Our real stack for workload 2: each node's messages go through a
//! `lightning::peer::PeerManager` (BOLT 8, bytes moved in memory between the two), and its
//! monitor updates go manager → `ChainMonitor` → `MonitorUpdatingPersister` →
//! `FilesystemStore` (write to a temporary file, fsync, rename, fsync the directory), with the
//! chain monitor's completions handed back to the manager.

use std::sync::Arc;

use bitcoin::block::Header;
use bitcoin::{Network, Transaction};
use lightning::chain::{BestBlock, Confirm};
use lightning::manager::ChannelManager;
use lightning::monitor::chain_monitor::ChainMonitor;
use lightning::monitor::update::MonitorUpdateStep;
use lightning::monitor::ChannelMonitor;
use lightning::peer::{
    ConnectionId, PeerManager, PeerManagerConfig, PeerMessageHandler, PeerRejected,
};
use lightning::persist::{
    FilesystemStore, KVStore, KVStoreError, MonitorUpdatingPersister, PersistStatus,
};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::SignerProvider;
use lightning::util::logger::NoopLogger;
use lightning::wire::features::InitFeatures;
use lightning::wire::{ChainHash, Init, Message};
use secp256k1::PublicKey;

use super::init_features;
use crate::chain::START;
use crate::fs::{TempDir, WriteCounters};

/// How many monitor updates are stored as deltas between two full monitor writes, for both
/// libraries (ours: `MonitorUpdatingPersister::new(_, N)`; LDK: `maximum_pending_updates`).
pub const UPDATES_BETWEEN_FULL_WRITES: u64 = 100;

/// A [`FilesystemStore`] that counts what it writes.
struct CountingStore {
    inner: FilesystemStore,
    counters: Arc<WriteCounters>,
}

impl KVStore for CountingStore {
    fn read(&self, namespace: &str, key: &str) -> Result<Vec<u8>, KVStoreError> {
        self.inner.read(namespace, key)
    }

    fn write(&mut self, namespace: &str, key: &str, value: &[u8]) -> Result<(), KVStoreError> {
        self.counters.record_write(value.len());
        self.inner.write(namespace, key, value)
    }

    fn remove(&mut self, namespace: &str, key: &str) -> Result<(), KVStoreError> {
        self.counters.record_remove();
        self.inner.remove(namespace, key)
    }

    fn remove_lazily(&mut self, namespace: &str, key: &str) -> Result<(), KVStoreError> {
        self.counters.record_remove();
        self.inner.remove_lazily(namespace, key)
    }

    fn list(&self, namespace: &str) -> Result<Vec<String>, KVStoreError> {
        self.inner.list(namespace)
    }
}

/// The channel manager as the peer manager's handler, announcing the same `init` features
/// as the direct-call pair (no anchors: `option_static_remotekey` channels, as LDK's default).
struct StaticRemoteKeyHandler<'a>(&'a mut ChannelManager);

impl PeerMessageHandler for StaticRemoteKeyHandler<'_> {
    fn provided_init_features(&self) -> InitFeatures {
        init_features()
    }

    fn peer_connected(
        &mut self,
        their_node_id: PublicKey,
        init: &Init,
        inbound: bool,
    ) -> Result<(), PeerRejected> {
        PeerMessageHandler::peer_connected(self.0, their_node_id, init, inbound)
    }

    fn peer_disconnected(&mut self, their_node_id: PublicKey) {
        PeerMessageHandler::peer_disconnected(self.0, their_node_id)
    }

    fn handle_message(&mut self, their_node_id: PublicKey, message: Message) {
        PeerMessageHandler::handle_message(self.0, their_node_id, message)
    }

    fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        PeerMessageHandler::poll_message(self.0)
    }
}

/// The transport and persistence of both nodes of an [`super::OursPair`].
pub struct OursStack {
    peers: [PeerManager; 2],
    conns: [ConnectionId; 2],
    monitors: [ChainMonitor; 2],
    keys: [KeysManager; 2],
    counters: Arc<WriteCounters>,
    // Dropped last: the stores write into it.
    _dirs: [TempDir; 2],
}

fn keys(seed: u8) -> KeysManager {
    KeysManager::new(&[seed; 32]).expect("a 32-byte seed is always valid")
}

impl OursStack {
    /// Peer managers and chain monitors (each over a filesystem store in a fresh temporary
    /// directory) for the nodes made from `seeds`.
    pub fn new(seeds: [u8; 2]) -> OursStack {
        let chain = ChainHash::using_genesis_block(Network::Regtest);
        let counters = Arc::new(WriteCounters::default());
        let dirs = seeds.map(|_| TempDir::new("ours").expect("a temporary directory"));
        let monitors = [0, 1].map(|i| {
            let store = CountingStore {
                inner: FilesystemStore::open(dirs[i].path()).expect("open the filesystem store"),
                counters: Arc::clone(&counters),
            };
            let persister =
                MonitorUpdatingPersister::new(Box::new(store), UPDATES_BETWEEN_FULL_WRITES);
            ChainMonitor::new(Box::new(persister))
        });
        let peers = seeds.map(|seed| {
            PeerManager::new(
                Box::new(keys(seed)),
                chain,
                PeerManagerConfig::default(),
                Arc::new(NoopLogger),
            )
        });
        OursStack {
            peers,
            conns: [ConnectionId(1), ConnectionId(2)],
            monitors,
            keys: seeds.map(keys),
            counters,
            _dirs: dirs,
        }
    }

    /// Bytes and writes of both stores so far.
    pub fn written(&self) -> (u64, u64) {
        self.counters.snapshot()
    }

    /// Node 0 dials node 1; runs the handshake and the `init` exchange.
    pub fn connect(&mut self, nodes: &mut [ChannelManager; 2]) -> u64 {
        let their_id = self.peers[1].our_node_id();
        let act_one = self.peers[0]
            .new_outbound_connection(self.conns[0], their_id, [0x11; 32], START)
            .expect("ours: outbound connection");
        self.peers[1]
            .new_inbound_connection(self.conns[1], [0x22; 32], START)
            .expect("ours: inbound connection");
        self.peers[1]
            .read(
                self.conns[1],
                &act_one,
                &mut StaticRemoteKeyHandler(&mut nodes[1]),
                START,
            )
            .expect("ours: act one");
        let updates = self.deliver(nodes);
        let ids = [self.peers[0].our_node_id(), self.peers[1].our_node_id()];
        assert!(
            self.peers[0].is_connected(&ids[1]) && self.peers[1].is_connected(&ids[0]),
            "ours: peers not connected"
        );
        updates
    }

    /// Feeds a block to both chain monitors.
    pub fn confirm(&mut self, header: &Header, txdata: &[(usize, &Transaction)], height: u32) {
        for monitor in self.monitors.iter_mut() {
            monitor.transactions_confirmed(header, txdata, height);
            monitor.best_block_updated(header, height);
        }
    }

    /// Persists the monitor updates of node `i` through its chain monitor and reports the
    /// completed ones to the manager; returns how many updates there were.
    fn pump_monitors(&mut self, i: usize, node: &mut ChannelManager) -> (u64, bool) {
        let mut updates = 0;
        let mut progressed = false;
        let monitors = &mut self.monitors[i];
        while let Some(update) = node.poll_monitor_update() {
            updates += 1;
            progressed = true;
            let status = if monitors.get_monitor(&update.channel_id).is_none() {
                let keys_id = match update.steps.as_slice() {
                    [MonitorUpdateStep::Init(init)] => init.channel_keys_id,
                    _ => panic!("ours: a channel's first monitor update is not its init"),
                };
                let signer = self.keys[i].derive_channel_signer(&keys_id);
                let destination = self.keys[i]
                    .destination_script(&keys_id)
                    .ready()
                    .expect("the in-process keys manager answers at once");
                let genesis = BestBlock::from_network_genesis(Network::Regtest);
                let monitor = ChannelMonitor::new(&update, signer, destination, genesis)
                    .expect("ours: a monitor from update 0");
                monitors
                    .watch_channel(monitor)
                    .expect("ours: a new channel's monitor")
            } else {
                monitors
                    .update_channel(&update)
                    .expect("ours: the monitor applies the update")
            };
            assert_eq!(status, PersistStatus::Completed, "ours: persistence failed");
        }
        while let Some((channel_id, update_id)) = monitors.poll_completed_updates() {
            node.monitor_update_completed(channel_id, update_id);
            progressed = true;
        }
        while monitors.poll_event().is_some() {}
        while monitors.poll_broadcast().is_some() {}
        (updates, progressed)
    }

    /// Persists monitor updates and moves bytes between the peer managers until both nodes
    /// are quiet; returns how many monitor updates were persisted.
    pub fn deliver(&mut self, nodes: &mut [ChannelManager; 2]) -> u64 {
        let mut updates = 0;
        loop {
            let mut progressed = false;
            for (i, node) in nodes.iter_mut().enumerate() {
                let (count, moved) = self.pump_monitors(i, node);
                updates += count;
                progressed |= moved;
            }
            for (i, node) in nodes.iter_mut().enumerate() {
                self.peers[i].process(&mut StaticRemoteKeyHandler(node));
            }
            for from in 0..2 {
                let to = 1 - from;
                while let Some(bytes) = self.peers[from].poll_transmit(self.conns[from]) {
                    progressed = true;
                    let mut handler = StaticRemoteKeyHandler(&mut nodes[to]);
                    if let Err(reason) =
                        self.peers[to].read(self.conns[to], &bytes, &mut handler, START)
                    {
                        panic!("ours: node {to} dropped the connection: {reason}");
                    }
                }
            }
            for peers in &mut self.peers {
                if let Some(conn) = peers.poll_disconnect() {
                    panic!("ours: {conn} closed: {:?}", peers.disconnect_reason(conn));
                }
            }
            if !progressed {
                return updates;
            }
        }
    }
}
