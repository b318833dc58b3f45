//! Two adapters in one process over 127.0.0.1: handshake and `init`, messages both ways,
//! bulk transfer through backpressure, ping/pong, and clean disconnects from either side.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lightning::bitcoin::secp256k1::PublicKey;
use lightning::bitcoin::Network;
use lightning::peer::{PeerManager, PeerManagerConfig, PeerMessageHandler, PeerRejected};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::NodeSigner;
use lightning::util::logger::{Logger, Record};
use lightning::wire::features::InitFeatures;
use lightning::wire::{ChainHash, Init, Message, PeerStorage};
use lightning_net_adapter::{AdapterConfig, ConnectError, NodeHandle, PeerAddr, PeerAddrError};
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(20);

/// A handler that records what happens and sends what the test queues.
#[derive(Default)]
struct Recorder {
    outbox: VecDeque<(PublicKey, Message)>,
    bulk: HashMap<PublicKey, VecDeque<Message>>,
    received: Vec<(PublicKey, Message)>,
    connected: Vec<(PublicKey, bool)>,
    disconnected: Vec<PublicKey>,
}

impl Recorder {
    fn received_blobs(&self) -> Vec<Vec<u8>> {
        self.received
            .iter()
            .filter_map(|(_, m)| match m {
                Message::PeerStorage(storage) => Some(storage.blob.clone()),
                _ => None,
            })
            .collect()
    }
}

impl PeerMessageHandler for Recorder {
    fn provided_init_features(&self) -> InitFeatures {
        InitFeatures::empty()
    }
    fn peer_connected(
        &mut self,
        id: PublicKey,
        _: &Init,
        inbound: bool,
    ) -> Result<(), PeerRejected> {
        self.connected.push((id, inbound));
        Ok(())
    }
    fn peer_disconnected(&mut self, id: PublicKey) {
        self.disconnected.push(id);
    }
    fn handle_message(&mut self, id: PublicKey, message: Message) {
        self.received.push((id, message));
    }
    fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        self.outbox.pop_front()
    }
    fn poll_bulk_message(&mut self, id: PublicKey) -> Option<Message> {
        self.bulk.get_mut(&id)?.pop_front()
    }
}

/// Keeps every log line, to see which messages went by.
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

fn blob(payload: Vec<u8>) -> Message {
    Message::PeerStorage(PeerStorage { blob: payload })
}

struct TestNode {
    node: NodeHandle<Recorder>,
    addr: PeerAddr,
    lines: Arc<Lines>,
}

async fn start(seed: u8, config: PeerManagerConfig, adapter: AdapterConfig) -> TestNode {
    let keys = KeysManager::new(&[seed; 32]).unwrap();
    let lines = Arc::new(Lines::default());
    let chain = ChainHash::using_genesis_block(Network::Regtest);
    let peers = PeerManager::new(Box::new(keys), chain, config, lines.clone());
    let node = NodeHandle::new(peers, Recorder::default(), adapter).unwrap();
    let local = node.listen("127.0.0.1:0").await.unwrap();
    let addr = format!("{}@{local}", node.node_id()).parse().unwrap();
    TestNode { node, addr, lines }
}

async fn pair() -> (TestNode, TestNode) {
    let a = start(1, PeerManagerConfig::default(), AdapterConfig::default()).await;
    let b = start(2, PeerManagerConfig::default(), AdapterConfig::default()).await;
    (a, b)
}

async fn wait_connected(node: &NodeHandle<Recorder>, id: PublicKey) {
    timeout(
        WAIT,
        node.wait_until(|pm, _| pm.is_connected(&id).then_some(())),
    )
    .await
    .expect("peer connects");
}

async fn wait_disconnected(node: &NodeHandle<Recorder>, id: PublicKey) {
    timeout(
        WAIT,
        node.wait_until(|pm, h| {
            (!pm.is_connected(&id) && h.disconnected.contains(&id)).then_some(())
        }),
    )
    .await
    .expect("peer disconnects");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dial_completes_handshake_and_init_on_both_sides() {
    let (a, b) = pair().await;
    let conn = timeout(WAIT, b.node.connect_and_wait(&a.addr))
        .await
        .unwrap()
        .unwrap();
    assert!(b.node.is_live(conn));
    wait_connected(&a.node, b.addr.node_id).await;
    assert_eq!(b.node.connected_peers(), vec![a.addr.node_id]);
    assert_eq!(a.node.connected_peers(), vec![b.addr.node_id]);
    a.node
        .with(|_, h| assert_eq!(h.connected, vec![(b.addr.node_id, true)]));
    b.node
        .with(|_, h| assert_eq!(h.connected, vec![(a.addr.node_id, false)]));
    // Each side sent the other its address as seen (BOLT 7 type 1: IPv4 loopback).
    let seen = b
        .node
        .with(|pm, _| pm.peer_init(&a.addr.node_id).unwrap().remote_addr.clone());
    let seen = seen.expect("a sent remote_addr");
    assert_eq!(&seen[..5], &[1, 127, 0, 0, 1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_flow_both_ways_in_order() {
    let (a, b) = pair().await;
    timeout(WAIT, b.node.connect_and_wait(&a.addr))
        .await
        .unwrap()
        .unwrap();
    wait_connected(&a.node, b.addr.node_id).await;
    let (a_id, b_id) = (a.addr.node_id, b.addr.node_id);
    b.node.with(|_, h| {
        for i in 0..50u8 {
            h.outbox
                .push_back((a_id, blob(vec![i; usize::from(i) * 10])));
        }
    });
    let got = timeout(
        WAIT,
        a.node.wait_until(|_, h| {
            let got = h.received_blobs();
            (got.len() == 50).then_some(got)
        }),
    )
    .await
    .unwrap();
    for (i, payload) in got.iter().enumerate() {
        assert_eq!(payload, &vec![i as u8; i * 10]);
    }
    assert!(a
        .node
        .with(|_, h| h.received.iter().all(|(from, _)| *from == b_id)));
    a.node
        .with(|_, h| h.outbox.push_back((b_id, blob(b"reply".to_vec()))));
    let reply = timeout(WAIT, b.node.wait_until(|_, h| h.received_blobs().pop()))
        .await
        .unwrap();
    assert_eq!(reply, b"reply");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_transfer_passes_through_backpressure_intact() {
    // Small buffers so that the sender is congested most of the time.
    let config = PeerManagerConfig {
        outbound_high_water: 32 * 1024,
        outbound_low_water: 8 * 1024,
        ..PeerManagerConfig::default()
    };
    let adapter = AdapterConfig {
        write_chunk: 4096,
        read_buffer: 1000,
        ..AdapterConfig::default()
    };
    let a = start(1, config, adapter).await;
    let b = start(2, config, adapter).await;
    timeout(WAIT, b.node.connect_and_wait(&a.addr))
        .await
        .unwrap()
        .unwrap();
    let a_id = a.addr.node_id;
    const COUNT: usize = 400;
    b.node.with(|_, h| {
        let queue = (0..COUNT)
            .map(|i| blob((0..20_000).map(|j| (i + j) as u8).collect()))
            .collect();
        h.bulk.insert(a_id, queue);
    });
    let got = timeout(
        WAIT,
        a.node
            .wait_until(|_, h| (h.received.len() == COUNT).then(|| h.received_blobs())),
    )
    .await
    .expect("all bulk messages arrive");
    for (i, payload) in got.iter().enumerate() {
        assert_eq!(payload.len(), 20_000);
        assert!(payload.iter().enumerate().all(|(j, b)| *b == (i + j) as u8));
    }
    // The transfer never exceeded the high-water mark by more than a message.
    assert!(
        b.node
            .with(|pm, _| pm.pending_outbound_len(pm.connection_of(&a_id).unwrap()))
            < 64 * 1024
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pings_are_answered_over_the_sockets() {
    let config = PeerManagerConfig {
        ping_interval: Duration::from_millis(300),
        ping_timeout: Duration::from_secs(2),
        ..PeerManagerConfig::default()
    };
    let adapter = AdapterConfig {
        tick_interval: Duration::from_millis(100),
        ..AdapterConfig::default()
    };
    let a = start(1, config, adapter).await;
    let b = start(2, config, adapter).await;
    timeout(WAIT, b.node.connect_and_wait(&a.addr))
        .await
        .unwrap()
        .unwrap();
    // Each side receives pings (type 18) and pongs (type 19) and nobody is dropped.
    timeout(WAIT, async {
        while a.lines.count("received message type 19") < 3
            || b.lines.count("received message type 19") < 3
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("pongs come back");
    assert!(a.lines.count("received message type 18") >= 1);
    assert_eq!(a.node.connected_peers(), vec![b.addr.node_id]);
    assert_eq!(b.node.connected_peers(), vec![a.addr.node_id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn either_side_disconnects_cleanly_and_can_reconnect() {
    let (a, b) = pair().await;
    let (a_id, b_id) = (a.addr.node_id, b.addr.node_id);
    // The dialler disconnects.
    let conn = timeout(WAIT, b.node.connect_and_wait(&a.addr))
        .await
        .unwrap()
        .unwrap();
    wait_connected(&a.node, b_id).await;
    assert!(b.node.disconnect_peer(a_id));
    wait_disconnected(&a.node, b_id).await;
    wait_disconnected(&b.node, a_id).await;
    timeout(WAIT, async {
        while b.node.is_live(conn) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    // Reconnect; this time the listener disconnects.
    timeout(WAIT, b.node.connect_and_wait(&a.addr))
        .await
        .unwrap()
        .unwrap();
    wait_connected(&a.node, b_id).await;
    assert!(a.node.disconnect_peer(b_id));
    timeout(
        WAIT,
        b.node
            .wait_until(|_, h| (h.disconnected.len() == 2).then_some(())),
    )
    .await
    .unwrap();
    timeout(
        WAIT,
        a.node
            .wait_until(|_, h| (h.disconnected.len() == 2).then_some(())),
    )
    .await
    .unwrap();
    a.node
        .with(|_, h| assert_eq!(h.disconnected, vec![b_id, b_id]));
    assert!(a.node.connected_peers().is_empty());
    assert!(b.node.connected_peers().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_every_socket_and_the_peer_sees_it() {
    let (a, b) = pair().await;
    let b_id = b.addr.node_id;
    timeout(WAIT, b.node.connect_and_wait(&a.addr))
        .await
        .unwrap()
        .unwrap();
    wait_connected(&a.node, b_id).await;
    timeout(WAIT, b.node.shutdown())
        .await
        .expect("shutdown ends");
    wait_disconnected(&a.node, b_id).await;
    // A node that shut down dials nobody.
    assert!(matches!(
        b.node.connect(&a.addr).await,
        Err(ConnectError::ShuttingDown)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialling_the_wrong_node_id_fails_the_handshake() {
    let (a, b) = pair().await;
    let wrong = PeerAddr {
        node_id: KeysManager::new(&[9; 32]).unwrap().node_id(),
        ..a.addr.clone()
    };
    let result = timeout(WAIT, b.node.connect_and_wait(&wrong))
        .await
        .unwrap();
    assert!(matches!(result, Err(ConnectError::Closed)), "{result:?}");
    assert!(a.node.connected_peers().is_empty());
}

#[test]
fn peer_addresses_parse() {
    let id = "02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619";
    let parsed: PeerAddr = format!("{id}@127.0.0.1:9735").parse().unwrap();
    assert_eq!(parsed.host, "127.0.0.1");
    assert_eq!(parsed.port, 9735);
    assert_eq!(parsed.to_string(), format!("{id}@127.0.0.1:9735"));
    let v6: PeerAddr = format!("{id}@[::1]:1").parse().unwrap();
    assert_eq!((v6.host.as_str(), v6.port), ("::1", 1));
    assert_eq!(v6.socket_target(), "[::1]:1");
    let named: PeerAddr = format!("{id}@localhost:80").parse().unwrap();
    assert_eq!(named.host, "localhost");
    let err = |s: String| s.parse::<PeerAddr>().unwrap_err();
    assert_eq!(err(format!("{id}127.0.0.1:9735")), PeerAddrError::MissingAt);
    assert_eq!(
        err(format!("{}@127.0.0.1:1", &id[2..])),
        PeerAddrError::InvalidNodeId
    );
    assert_eq!(err(format!("{id}@127.0.0.1")), PeerAddrError::MissingPort);
    assert_eq!(err(format!("{id}@:80")), PeerAddrError::MissingPort);
    assert_eq!(err(format!("{id}@host:65536")), PeerAddrError::InvalidPort);
}

/// A peer driven by hand over a raw socket, so the test decides when it reads.
struct ManualPeer {
    peers: PeerManager,
    handler: Recorder,
    stream: tokio::net::TcpStream,
    conn: lightning::peer::ConnectionId,
}

impl ManualPeer {
    async fn dial(seed: u8, to: &PeerAddr) -> ManualPeer {
        let keys = KeysManager::new(&[seed; 32]).unwrap();
        let chain = ChainHash::using_genesis_block(Network::Regtest);
        let mut peers = PeerManager::new(
            Box::new(keys),
            chain,
            PeerManagerConfig::default(),
            Arc::new(lightning::util::logger::NoopLogger),
        );
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let stream = socket
            .connect(to.socket_target().parse().unwrap())
            .await
            .unwrap();
        let conn = lightning::peer::ConnectionId(1);
        let act_one = peers
            .new_outbound_connection(conn, to.node_id, [7; 32], now())
            .unwrap();
        let mut peer = ManualPeer {
            peers,
            handler: Recorder::default(),
            stream,
            conn,
        };
        peer.write(&act_one).await;
        peer
    }

    async fn write(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt;
        self.stream.write_all(bytes).await.unwrap();
    }

    /// Reads and handles input, writing our answers, until `done` holds.
    async fn pump_until(&mut self, done: impl Fn(&PeerManager, &Recorder) -> bool) {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 65536];
        while !done(&self.peers, &self.handler) {
            let n = self.stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "adapter closed the socket");
            self.peers
                .read(self.conn, &buf[..n], &mut self.handler, now())
                .unwrap();
            self.peers.process(&mut self.handler);
            while let Some(bytes) = self.peers.poll_transmit(self.conn) {
                self.write(&bytes).await;
            }
        }
    }
}

fn now() -> Duration {
    lightning_net_adapter::os::unix_now()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_does_not_read_congests_the_sender_within_bounds() {
    let config = PeerManagerConfig {
        outbound_high_water: 64 * 1024,
        outbound_low_water: 16 * 1024,
        ..PeerManagerConfig::default()
    };
    let a = start(1, config, AdapterConfig::default()).await;
    let mut m = ManualPeer::dial(3, &a.addr).await;
    let m_id = m.peers.our_node_id();
    m.pump_until(|pm, _| pm.is_connected(&a.addr.node_id)).await;
    wait_connected(&a.node, m_id).await;
    const COUNT: usize = 600;
    const SIZE: usize = 20_000;
    a.node.with(|_, h| {
        let queue = (0..COUNT).map(|i| blob(vec![i as u8; SIZE])).collect();
        h.bulk.insert(m_id, queue);
    });
    // The manual peer does not read: the kernel buffers fill, then the adapter stops
    // writing, the peer manager's buffer reaches its mark and bulk pulling stops.
    let conn = a.node.with(|pm, _| pm.connection_of(&m_id).unwrap());
    timeout(
        WAIT,
        a.node
            .wait_until(|pm, _| (!pm.wants_read(conn)).then_some(())),
    )
    .await
    .expect("the sender becomes congested");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (pending, left) = a
        .node
        .with(|pm, h| (pm.pending_outbound_len(conn), h.bulk[&m_id].len()));
    assert!(pending <= 64 * 1024 + SIZE + 100, "pending {pending}");
    assert!(left > 0, "bulk pulling stopped while congested");
    // Once the peer reads, everything arrives, in order.
    m.pump_until(|_, h| h.received.len() == COUNT).await;
    let got = m.handler.received_blobs();
    assert!(got
        .iter()
        .enumerate()
        .all(|(i, b)| b.len() == SIZE && b[0] == i as u8));
    timeout(
        WAIT,
        a.node.wait_until(|pm, _| pm.wants_read(conn).then_some(())),
    )
    .await
    .expect("the congestion clears");
}
