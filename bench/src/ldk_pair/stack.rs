//! LDK's real stack for workload 2, built from its public API: two
//! `ldk::ln::peer_handler::PeerManager`s with the `ChannelManager` as channel handler, over
//! [`MemSocket`]s (our `SocketDescriptor`: bytes appended to an in-memory outbox that the
//! harness hands to the other peer manager's `read_event`); and [`FileStore`], our
//! implementation of LDK's `KVStoreSync` over files (write to a temporary file, fsync,
//! rename, fsync the directory, as our `FilesystemStore` does), under LDK's
//! `MonitorUpdatingPersister` (LDK's `FilesystemStore` lives in `lightning-persister`, not a
//! dependency here).

use std::fs::{self, File};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bitcoin::secp256k1::PublicKey;
use ldk::ln::peer_handler::{
    IgnoringMessageHandler, MessageHandler, PeerManager, SocketDescriptor,
};
use ldk::sign::KeysManager;
use ldk::util::persist::KVStoreSync;

use super::plugs::SilentLogger;
use super::LdkManager;
use crate::chain::START;
use crate::fs::WriteCounters;

/// The prefix of temporary files; LDK keys never start with a dot.
const TEMP_PREFIX: &str = ".tmp-";

fn ldk_io(error: std::io::Error) -> ldk::io::Error {
    ldk::io::Error::from(error)
}

/// Syncs a directory so the entries created or renamed in it are durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// LDK's `KVStoreSync` over a directory: `<root>/<primary>/<secondary>/<key>`, each write
/// crash-safe (temporary file, fsync, rename, fsync of the directory), counting what it
/// writes.
pub struct FileStore {
    root: PathBuf,
    next_temp: AtomicU64,
    counters: Arc<WriteCounters>,
}

impl FileStore {
    /// A store in `root` (created if missing), counting into `counters`.
    pub fn new(root: &Path, counters: Arc<WriteCounters>) -> std::io::Result<FileStore> {
        fs::create_dir_all(root)?;
        Ok(FileStore {
            root: root.to_path_buf(),
            next_temp: AtomicU64::new(0),
            counters,
        })
    }

    fn dir(&self, primary: &str, secondary: &str) -> PathBuf {
        let mut dir = self.root.clone();
        for part in [primary, secondary] {
            if !part.is_empty() {
                dir.push(part);
            }
        }
        dir
    }

    fn write_value(&self, dir: &Path, key: &str, value: &[u8]) -> std::io::Result<()> {
        if !dir.is_dir() {
            fs::create_dir_all(dir)?;
            let mut current = dir;
            while current != self.root {
                let Some(parent) = current.parent() else {
                    break;
                };
                sync_dir(parent)?;
                current = parent;
            }
        }
        let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!("{TEMP_PREFIX}{key}-{n}"));
        let mut file = File::create(&temp)?;
        file.write_all(value)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, dir.join(key))?;
        sync_dir(dir)
    }
}

impl KVStoreSync for FileStore {
    fn read(&self, primary: &str, secondary: &str, key: &str) -> Result<Vec<u8>, ldk::io::Error> {
        fs::read(self.dir(primary, secondary).join(key)).map_err(ldk_io)
    }

    fn write(
        &self,
        primary: &str,
        secondary: &str,
        key: &str,
        buf: Vec<u8>,
    ) -> Result<(), ldk::io::Error> {
        self.counters.record_write(buf.len());
        self.write_value(&self.dir(primary, secondary), key, &buf)
            .map_err(ldk_io)
    }

    fn remove(
        &self,
        primary: &str,
        secondary: &str,
        key: &str,
        lazy: bool,
    ) -> Result<(), ldk::io::Error> {
        self.counters.record_remove();
        let dir = self.dir(primary, secondary);
        match fs::remove_file(dir.join(key)) {
            Ok(()) if !lazy => sync_dir(&dir).map_err(ldk_io),
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(ldk_io(e)),
        }
    }

    fn list(&self, primary: &str, secondary: &str) -> Result<Vec<String>, ldk::io::Error> {
        let entries = match fs::read_dir(self.dir(primary, secondary)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(ldk_io(e)),
        };
        let mut keys = Vec::new();
        for entry in entries {
            let entry = entry.map_err(ldk_io)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().map_err(ldk_io)?.is_file() && !name.starts_with(TEMP_PREFIX) {
                keys.push(name);
            }
        }
        Ok(keys)
    }
}

/// A `SocketDescriptor` over memory: what the peer manager sends is appended to `outbox`,
/// all of it accepted at once.
#[derive(Clone)]
pub struct MemSocket {
    id: u64,
    outbox: Arc<Mutex<Vec<u8>>>,
}

impl MemSocket {
    fn new(id: u64) -> MemSocket {
        MemSocket {
            id,
            outbox: Arc::default(),
        }
    }

    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.outbox.lock().expect("not poisoned: single thread"))
    }
}

impl PartialEq for MemSocket {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for MemSocket {}

impl Hash for MemSocket {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl SocketDescriptor for MemSocket {
    fn send_data(&mut self, data: &[u8], _continue_read: bool) -> usize {
        self.outbox
            .lock()
            .expect("not poisoned: single thread")
            .extend_from_slice(data);
        data.len()
    }

    fn disconnect_socket(&mut self) {
        panic!("ldk: the peer manager closed socket {}", self.id);
    }
}

type LdkPeerManager = PeerManager<
    MemSocket,
    Arc<LdkManager>,
    Arc<IgnoringMessageHandler>,
    Arc<IgnoringMessageHandler>,
    Arc<SilentLogger>,
    Arc<IgnoringMessageHandler>,
    Arc<KeysManager>,
    Arc<IgnoringMessageHandler>,
>;

/// The two peer managers of an [`super::LdkPair`] and their sockets.
pub struct LdkStack {
    peers: [LdkPeerManager; 2],
    sockets: [MemSocket; 2],
}

impl LdkStack {
    /// Peer managers for the two nodes (`managers[i]` signs with `keys[i]`).
    pub fn new(managers: [Arc<LdkManager>; 2], keys: [Arc<KeysManager>; 2]) -> LdkStack {
        let ignoring = Arc::new(IgnoringMessageHandler {});
        let [m0, m1] = managers;
        let [k0, k1] = keys;
        let peer = |manager: Arc<LdkManager>, keys: Arc<KeysManager>, seed: u8| {
            let handler = MessageHandler {
                chan_handler: manager,
                route_handler: Arc::clone(&ignoring),
                onion_message_handler: Arc::clone(&ignoring),
                custom_message_handler: Arc::clone(&ignoring),
                send_only_message_handler: Arc::clone(&ignoring),
            };
            PeerManager::new(
                handler,
                START.as_secs() as u32,
                &[seed; 32],
                Arc::new(SilentLogger),
                keys,
            )
        };
        LdkStack {
            peers: [peer(m0, k0, 0x33), peer(m1, k1, 0x44)],
            sockets: [MemSocket::new(1), MemSocket::new(2)],
        }
    }

    /// Node 0 dials node 1 (`their_id`): runs the handshake and the `init` exchange.
    pub fn connect(&self, ids: [PublicKey; 2]) {
        let act_one = self.peers[0]
            .new_outbound_connection(ids[1], self.sockets[0].clone(), None)
            .expect("ldk: outbound connection");
        self.peers[1]
            .new_inbound_connection(self.sockets[1].clone(), None)
            .expect("ldk: inbound connection");
        self.peers[1]
            .read_event(&mut self.sockets[1].clone(), &act_one)
            .expect("ldk: act one");
        self.exchange();
        assert!(
            self.peers[0].peer_by_node_id(&ids[1]).is_some()
                && self.peers[1].peer_by_node_id(&ids[0]).is_some(),
            "ldk: peers not connected"
        );
    }

    /// Lets both peer managers send what their handlers queued and hands the bytes to the
    /// other side, until neither has anything; returns whether any bytes moved.
    pub fn exchange(&self) -> bool {
        let mut progressed = false;
        loop {
            for peer in &self.peers {
                peer.process_events();
            }
            let mut moved = false;
            for from in 0..2 {
                let to = 1 - from;
                let bytes = self.sockets[from].take();
                if bytes.is_empty() {
                    continue;
                }
                moved = true;
                self.peers[to]
                    .read_event(&mut self.sockets[to].clone(), &bytes)
                    .unwrap_or_else(|e| panic!("ldk: node {to} refused bytes: {e:?}"));
            }
            if !moved {
                return progressed;
            }
            progressed = true;
        }
    }
}
