//! Runs the `node` program and talks to it over TCP with the net adapter: the first line
//! names the node, the handshake and `init` complete, pings are answered, the connection is
//! logged on stderr, and the data directory keeps the node id across restarts.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bitcoin::Network;
use lightning::chain::BestBlock;
use lightning::manager::{ChannelManager, ManagerConfig, ManagerParams};
use lightning::peer::{PeerManager, PeerManagerConfig};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::NodeSigner;
use lightning::util::logger::{Logger, Record};
use lightning::wire::ChainHash;
use lightning_net_adapter::os::OsEntropy;
use lightning_net_adapter::{AdapterConfig, NodeHandle, PeerAddr};
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(20);

/// The running program; killed when dropped.
struct NodeProcess {
    child: Child,
    addr: PeerAddr,
    stderr: mpsc::Receiver<String>,
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeProcess {
    fn spawn(extra: &[&str]) -> NodeProcess {
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

    /// Waits for a stderr line containing `needle`.
    fn expect_stderr(&self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no stderr line containing {needle:?}"),
            }
        }
    }
}

#[derive(Default)]
struct Lines(Mutex<Vec<String>>);

impl Logger for Lines {
    fn log(&self, record: &Record<'_>) {
        self.0.lock().unwrap().push(record.args.to_string());
    }
}

impl Lines {
    fn count(&self, needle: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }
}

/// Our side: a channel manager (so our `init` carries the features the node requires).
fn client(seed: u8, config: PeerManagerConfig, log: Arc<Lines>) -> NodeHandle<ChannelManager> {
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

#[tokio::test]
async fn node_answers_init_and_ping_and_logs_the_peer() {
    let seed = [0x42u8; 32];
    let process = NodeProcess::spawn(&["--seed", &hex::encode(seed)]);
    let expected = KeysManager::new(&seed).unwrap().node_id();
    assert_eq!(
        process.addr.node_id, expected,
        "the seed decides the node id"
    );
    assert_eq!(process.addr.host, "127.0.0.1");
    assert_ne!(process.addr.port, 0, "the printed port is the bound one");

    let log = Arc::new(Lines::default());
    let config = PeerManagerConfig {
        ping_interval: Duration::from_millis(300),
        ping_timeout: Duration::from_secs(3),
        ..PeerManagerConfig::default()
    };
    let ours = client(7, config, log.clone());
    timeout(WAIT, ours.connect_and_wait(&process.addr))
        .await
        .expect("init completes in time")
        .expect("init completes");
    let our_id = ours.node_id();
    process.expect_stderr(&our_id.to_string());

    // Our pings get pongs (type 19) and the node keeps us.
    timeout(WAIT, async {
        while log.count("received message type 19") < 3 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the node answers pings");
    assert!(ours.with(|pm, _| pm.is_connected(&process.addr.node_id)));

    // Killing the node ends the connection on our side.
    drop(process);
    timeout(
        WAIT,
        ours.wait_until(|pm, _| pm.connected_peers().is_empty().then_some(())),
    )
    .await
    .expect("the connection ends with the process");
}

#[tokio::test]
async fn data_dir_keeps_the_node_id_and_connect_dials_out() {
    let dir = std::env::temp_dir().join(format!("node-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_arg = dir.to_str().unwrap();
    let first = NodeProcess::spawn(&["--data-dir", dir_arg]);
    let id = first.addr.node_id;
    assert!(dir.join("seed").exists());
    drop(first);
    let again = NodeProcess::spawn(&["--data-dir", dir_arg]);
    assert_eq!(again.addr.node_id, id, "same data dir, same node id");

    // A second node dials the first with --connect; both log the connection.
    let other = NodeProcess::spawn(&["--connect", &again.addr.to_string()]);
    other.expect_stderr(&format!("connected to {}", again.addr));
    again.expect_stderr(&other.addr.node_id.to_string());
    drop((again, other));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_are_refused() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_node"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen is required"));
    let out = run(&["--listen", "127.0.0.1:0", "--seed", "abcd"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("32 bytes"));
    let out = run(&["--listen", "127.0.0.1:0", "--connect", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
