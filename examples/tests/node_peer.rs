//! Runs the `node` program and talks to it over TCP with the net adapter: the first line
//! names the node, the handshake and `init` complete, pings are answered, the connection is
//! logged on stderr, and the data directory keeps the node id across restarts. One test speaks
//! BOLT 8 and BOLT 1 by hand (a `PeerTransport` over a blocking socket) to check the `pong`
//! lengths byte for byte.

mod node_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use lightning::manager::our_init_features;
use lightning::peer::PeerManagerConfig;
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::NodeSigner;
use lightning::transport::{NodeSignerEcdh, PeerTransport};
use lightning::wire::{Init, Message, Ping};
use node_support::{client, Lines, NodeProcess, TempDir, WAIT};
use tokio::time::timeout;

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
    let dir = TempDir::new("id");
    let dir_arg = dir.arg();
    let first = NodeProcess::spawn(&["--data-dir", dir_arg]);
    let id = first.addr.node_id;
    assert!(dir.path().join("seed").exists());
    drop(first);
    let again = NodeProcess::spawn(&["--data-dir", dir_arg]);
    assert_eq!(again.addr.node_id, id, "same data dir, same node id");

    // A second node dials the first with --connect; both log the connection.
    let other = NodeProcess::spawn(&["--connect", &again.addr.to_string()]);
    other.expect_stderr(&format!("connected to {}", again.addr));
    again.expect_stderr(&other.addr.node_id.to_string());
    drop((again, other));
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

#[test]
fn help_prints_usage_and_succeeds() {
    let out = Command::new(env!("CARGO_BIN_EXE_node"))
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("usage: node --listen HOST:PORT"));
    assert!(text.contains("--data-dir DIR"));
    assert!(text.contains("no chain backend"));
}

/// A hand-driven BOLT 8 session over a blocking socket.
struct RawPeer {
    stream: TcpStream,
    transport: PeerTransport,
    keys: KeysManager,
}

impl RawPeer {
    /// Dials `addr` and completes the handshake.
    fn connect(addr: &lightning_net_adapter::PeerAddr) -> RawPeer {
        let keys = KeysManager::new(&[9; 32]).unwrap();
        let stream = TcpStream::connect((addr.host.as_str(), addr.port)).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let (transport, act_one) =
            PeerTransport::new_outbound(addr.node_id, keys.node_id(), &[0x11; 32]).unwrap();
        let mut peer = RawPeer {
            stream,
            transport,
            keys,
        };
        peer.stream.write_all(&act_one).unwrap();
        while !peer.transport.is_ready() {
            peer.read_some();
        }
        peer
    }

    /// Reads what the socket has and gives it to the transport (sending act three if due).
    fn read_some(&mut self) {
        let mut buf = [0u8; 4096];
        let n = self
            .stream
            .read(&mut buf)
            .expect("the node answers in time");
        assert!(n > 0, "the node closed the connection");
        self.transport
            .read(&buf[..n], &mut NodeSignerEcdh(&mut self.keys))
            .unwrap();
        if let Some(act) = self.transport.poll_transmit() {
            self.stream.write_all(&act).unwrap();
        }
    }

    fn send(&mut self, message: impl Into<Message>) {
        let message: Message = message.into();
        let frame = self.transport.encrypt_message(&message.encode()).unwrap();
        self.stream.write_all(&frame).unwrap();
    }

    /// The next message of one of the types `wanted` accepts (others are skipped).
    fn next_where<T>(&mut self, mut wanted: impl FnMut(Message) -> Option<T>) -> T {
        loop {
            while let Some(bytes) = self.transport.next_message() {
                let message =
                    Message::read(&bytes.unwrap()).expect("the node sends valid messages");
                if let Some(value) = wanted(message) {
                    return value;
                }
            }
            self.read_some();
        }
    }
}

#[test]
fn pongs_carry_the_requested_length_and_big_requests_get_none() {
    let process = NodeProcess::spawn(&[]);
    let mut peer = RawPeer::connect(&process.addr);
    let their_init = peer.next_where(|m| match m {
        Message::Init(init) => Some(init),
        _ => None,
    });
    assert!(
        their_init.features.set_bits().count() > 0,
        "the node announces its features"
    );
    peer.send(Init {
        features: our_init_features(),
        ..Default::default()
    });
    let pong_len = |m: Message| match m {
        Message::Pong(pong) => Some(pong.ignored.len()),
        _ => None,
    };
    peer.send(Ping {
        num_pong_bytes: 300,
        ignored: vec![0; 12],
    });
    assert_eq!(peer.next_where(pong_len), 300);
    // BOLT 1: num_pong_bytes of 65532 or more asks for no pong; the next pong is for the
    // ping after it.
    peer.send(Ping {
        num_pong_bytes: 65532,
        ignored: Vec::new(),
    });
    peer.send(Ping {
        num_pong_bytes: 0,
        ignored: vec![0; 3],
    });
    assert_eq!(peer.next_where(pong_len), 0);
    peer.send(Ping {
        num_pong_bytes: 7,
        ignored: Vec::new(),
    });
    assert_eq!(peer.next_where(pong_len), 7);
}
