//! Shared by the `node_*` tests: the `node` program as a child process, a temporary data
//! directory, and a client node built from the `lightning` crate over the net adapter.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bitcoin::Network;
use lightning::chain::BestBlock;
use lightning::manager::{ChannelManager, Event, ManagerConfig, ManagerParams};
use lightning::peer::{PeerManager, PeerManagerConfig};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::util::logger::{Logger, Record};
use lightning::wire::ChainHash;
use lightning_net_adapter::os::OsEntropy;
use lightning_net_adapter::{AdapterConfig, NodeHandle, PeerAddr};

/// How long any single wait in these tests may take.
pub const WAIT: Duration = Duration::from_secs(20);

/// The running program; killed when dropped.
pub struct NodeProcess {
    child: Child,
    /// The address from the first stdout line.
    pub addr: PeerAddr,
    stderr: mpsc::Receiver<String>,
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeProcess {
    /// Starts `node --listen 127.0.0.1:0 <extra>` and reads the first stdout line.
    pub fn spawn(extra: &[&str]) -> NodeProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_node"))
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the node program starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("first line {first:?} is not pubkey@host:port: {e}"));
        let (send, stderr) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        NodeProcess {
            child,
            addr,
            stderr,
        }
    }

    /// Waits for a stderr line containing `needle` (lines before it are consumed).
    pub fn expect_stderr(&self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no stderr line containing {needle:?}"),
            }
        }
    }

    /// The stderr lines printed so far and not yet consumed.
    pub fn drain_stderr(&self) -> Vec<String> {
        self.stderr.try_iter().collect()
    }
}

/// A directory under the system's temp dir with a unique name, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new, not yet existing directory path named after `tag`.
    pub fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("node-test-{tag}-{}-{nanos}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The path as a command-line argument.
    pub fn arg(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every log line of the client.
#[derive(Default)]
pub struct Lines(Mutex<Vec<String>>);

impl Logger for Lines {
    fn log(&self, record: &Record<'_>) {
        self.0.lock().unwrap().push(record.args.to_string());
    }
}

impl Lines {
    /// How many lines contain `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }
}

/// Our side: a channel manager behind a peer manager on the net adapter (so our `init`
/// carries the features the node requires). Its monitor updates are completed by
/// [`pump`] at once (the test keeps no monitors).
pub fn client(seed: u8, config: PeerManagerConfig, log: Arc<Lines>) -> NodeHandle<ChannelManager> {
    let keys = || Box::new(KeysManager::new(&[seed; 32]).unwrap());
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
    let peers = PeerManager::new(keys(), chain, config, log);
    let adapter = AdapterConfig {
        tick_interval: Duration::from_millis(100),
        ..AdapterConfig::default()
    };
    NodeHandle::new(peers, manager, adapter).unwrap()
}

/// Completes the client's monitor updates and moves its events into `events`.
pub fn pump(client: &NodeHandle<ChannelManager>, events: &mut Vec<Event>) {
    client.with(|_, manager| {
        while let Some(update) = manager.poll_monitor_update() {
            manager.monitor_update_completed(update.channel_id, update.update_id);
        }
        while let Some(event) = manager.next_event() {
            events.push(event);
        }
    });
}

/// Pumps the client until `found` picks something from its events (or panics after
/// [`WAIT`]).
pub async fn pump_until<T>(
    client: &NodeHandle<ChannelManager>,
    events: &mut Vec<Event>,
    what: &str,
    mut found: impl FnMut(&[Event]) -> Option<T>,
) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        pump(client, events);
        if let Some(value) = found(events) {
            return value;
        }
        assert!(Instant::now() < deadline, "no {what} in {events:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
