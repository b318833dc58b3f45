//! Shared harness for the `peer_*` tests: nodes with a recording handler, links that move
//! bytes in random-sized chunks, and a raw BOLT 8 peer that can send anything.
// Each test file uses a different part of the harness.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lightning::bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning::bitcoin::Network;
use lightning::peer::{
    ConnectionId, DisconnectReason, PeerManager, PeerManagerConfig, PeerMessageHandler,
    PeerRejected,
};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::transport::PeerTransport;
use lightning::util::logger::{Logger, Record};
use lightning::wire::features::{Feature, InitFeatures};
use lightning::wire::{ChainHash, ChannelId, Init, Message, UpdateFee};

/// The start of the fake clock.
pub const T0: Duration = Duration::from_secs(1_700_000_000);

pub fn regtest() -> ChainHash {
    ChainHash::using_genesis_block(Network::Regtest)
}

/// What a [`RecordingHandler`] saw.
#[allow(clippy::large_enum_variant)] // Test records; size does not matter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    Connected {
        peer: PublicKey,
        inbound: bool,
        init: Init,
    },
    Disconnected(PublicKey),
    Message(PublicKey, Message),
}

/// A handler that records every call, sends what the test queues, and can hand out an
/// endless stream of bulk messages.
#[derive(Default)]
pub struct RecordingHandler {
    pub features: InitFeatures,
    pub seen: Vec<Seen>,
    pub outbox: VecDeque<(PublicKey, Message)>,
    /// If set, every `poll_bulk_message` returns a copy of it.
    pub endless_bulk: Option<Message>,
    pub bulk_sent: usize,
    pub reject_peers: bool,
}

impl RecordingHandler {
    pub fn new() -> Self {
        let mut features = InitFeatures::empty();
        features.set_optional(Feature::DataLossProtect);
        features.set_optional(Feature::StaticRemoteKey);
        RecordingHandler {
            features,
            ..RecordingHandler::default()
        }
    }

    pub fn connected_peers(&self) -> Vec<PublicKey> {
        self.seen
            .iter()
            .filter_map(|seen| match seen {
                Seen::Connected { peer, .. } => Some(*peer),
                _ => None,
            })
            .collect()
    }

    pub fn disconnected_peers(&self) -> Vec<PublicKey> {
        self.seen
            .iter()
            .filter_map(|seen| match seen {
                Seen::Disconnected(peer) => Some(*peer),
                _ => None,
            })
            .collect()
    }

    pub fn messages(&self) -> Vec<Message> {
        self.seen
            .iter()
            .filter_map(|seen| match seen {
                Seen::Message(_, message) => Some(message.clone()),
                _ => None,
            })
            .collect()
    }
}

impl PeerMessageHandler for RecordingHandler {
    fn provided_init_features(&self) -> InitFeatures {
        self.features.clone()
    }

    fn peer_connected(
        &mut self,
        their_node_id: PublicKey,
        init: &Init,
        inbound: bool,
    ) -> Result<(), PeerRejected> {
        if self.reject_peers {
            return Err(PeerRejected);
        }
        self.seen.push(Seen::Connected {
            peer: their_node_id,
            inbound,
            init: init.clone(),
        });
        Ok(())
    }

    fn peer_disconnected(&mut self, their_node_id: PublicKey) {
        self.seen.push(Seen::Disconnected(their_node_id));
    }

    fn handle_message(&mut self, their_node_id: PublicKey, message: Message) {
        self.seen.push(Seen::Message(their_node_id, message));
    }

    fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        self.outbox.pop_front()
    }

    fn poll_bulk_message(&mut self, _their_node_id: PublicKey) -> Option<Message> {
        let message = self.endless_bulk.clone()?;
        self.bulk_sent += 1;
        Some(message)
    }
}

/// A logger that keeps every line, to check what was logged.
#[derive(Default)]
pub struct MemoryLogger(pub Mutex<Vec<String>>);

impl Logger for MemoryLogger {
    fn log(&self, record: &Record<'_>) {
        self.0
            .lock()
            .unwrap()
            .push(format!("{} {}", record.level, record.args));
    }
}

impl MemoryLogger {
    pub fn contains(&self, needle: &str) -> bool {
        self.0
            .lock()
            .unwrap()
            .iter()
            .any(|line| line.contains(needle))
    }
}

/// A peer manager, its handler and its logger.
pub struct Node {
    pub pm: PeerManager,
    pub handler: RecordingHandler,
    pub logger: Arc<MemoryLogger>,
    pub node_id: PublicKey,
}

impl Node {
    pub fn new(seed: u8) -> Node {
        Node::with_config(seed, PeerManagerConfig::default())
    }

    pub fn with_config(seed: u8, config: PeerManagerConfig) -> Node {
        let keys = KeysManager::new(&[seed; 32]).expect("valid seed");
        let logger = Arc::new(MemoryLogger::default());
        let pm = PeerManager::new(Box::new(keys), regtest(), config, logger.clone());
        Node {
            node_id: pm.our_node_id(),
            pm,
            handler: RecordingHandler::new(),
            logger,
        }
    }

    pub fn tick(&mut self, now: Duration) {
        self.pm.tick(now, &mut self.handler);
    }

    pub fn process(&mut self) {
        self.pm.process(&mut self.handler);
    }

    /// Every id `poll_disconnect` hands out, with its reason.
    pub fn disconnects(&mut self) -> Vec<(ConnectionId, DisconnectReason)> {
        let mut out = Vec::new();
        while let Some(conn) = self.pm.poll_disconnect() {
            let reason = self.pm.disconnect_reason(conn).expect("reason kept");
            out.push((conn, reason));
        }
        out
    }
}

/// A deterministic xorshift generator for chunk sizes.
pub struct Chunker(u64);

impl Chunker {
    pub fn new(seed: u64) -> Chunker {
        Chunker(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Splits `bytes` into random chunks of 1 to 300 bytes.
    pub fn split<'a>(&mut self, mut bytes: &'a [u8]) -> Vec<&'a [u8]> {
        let mut chunks = Vec::new();
        while !bytes.is_empty() {
            let len = (self.next() % 300 + 1) as usize;
            let (head, tail) = bytes.split_at(len.min(bytes.len()));
            chunks.push(head);
            bytes = tail;
        }
        chunks
    }
}

/// Moves `from`'s pending bytes on `from_conn` to `to` on `to_conn`, in random chunks.
/// Returns the number of bytes moved.
pub fn deliver(
    from: &mut Node,
    from_conn: ConnectionId,
    to: &mut Node,
    to_conn: ConnectionId,
    chunker: &mut Chunker,
    now: Duration,
) -> usize {
    from.process();
    let mut moved = 0;
    while let Some(bytes) = from.pm.poll_transmit(from_conn) {
        moved += bytes.len();
        for chunk in chunker.split(&bytes) {
            if to.pm.read(to_conn, chunk, &mut to.handler, now).is_err() {
                return moved;
            }
        }
        to.process();
    }
    moved
}

/// Moves bytes both ways until neither side has anything left.
pub fn settle(
    a: &mut Node,
    a_conn: ConnectionId,
    b: &mut Node,
    b_conn: ConnectionId,
    chunker: &mut Chunker,
    now: Duration,
) {
    for _ in 0..100 {
        let moved = deliver(a, a_conn, b, b_conn, chunker, now)
            + deliver(b, b_conn, a, a_conn, chunker, now);
        if moved == 0 {
            return;
        }
    }
    panic!("the link never settled");
}

/// `a` dials `b` (connection ids `a_conn` on a's side, `b_conn` on b's), then both sides
/// exchange bytes until quiet.
pub fn connect(
    a: &mut Node,
    a_conn: ConnectionId,
    b: &mut Node,
    b_conn: ConnectionId,
    chunker: &mut Chunker,
    now: Duration,
) {
    let act_one =
        a.pm.new_outbound_connection(a_conn, b.node_id, [0x11; 32], now)
            .expect("outbound");
    b.pm.new_inbound_connection(b_conn, [0x22; 32], now)
        .expect("inbound");
    for chunk in chunker.split(&act_one) {
        b.pm.read(b_conn, chunk, &mut b.handler, now)
            .expect("act one");
    }
    settle(a, a_conn, b, b_conn, chunker, now);
}

/// A hand-driven BOLT 8 peer that sends whatever the test wants, in plaintext messages it
/// builds itself.
pub struct RawPeer {
    pub secret: SecretKey,
    pub node_id: PublicKey,
    pub transport: PeerTransport,
    /// Messages received from the peer manager, decoded.
    pub received: Vec<Message>,
}

impl RawPeer {
    /// Starts a handshake towards `node`, registering an inbound connection `conn` on it and
    /// completing the handshake (the node's `init` arrives in `received`).
    pub fn dial(seed: u8, node: &mut Node, conn: ConnectionId, now: Duration) -> RawPeer {
        let secp = Secp256k1::new();
        let secret = SecretKey::from_slice(&[seed; 32]).expect("valid key");
        let node_id = PublicKey::from_secret_key(&secp, &secret);
        let (transport, act_one) =
            PeerTransport::new_outbound(node.node_id, node_id, &[0x33; 32]).expect("key");
        node.pm
            .new_inbound_connection(conn, [0x44; 32], now)
            .expect("inbound");
        node.pm
            .read(conn, &act_one, &mut node.handler, now)
            .expect("act one");
        let mut raw = RawPeer {
            secret,
            node_id,
            transport,
            received: Vec::new(),
        };
        raw.receive_from(node, conn);
        let act_three = raw.transport.poll_transmit().expect("act three");
        node.pm
            .read(conn, &act_three, &mut node.handler, now)
            .expect("act three");
        raw.receive_from(node, conn);
        raw
    }

    /// Reads everything the node has for this connection.
    pub fn receive_from(&mut self, node: &mut Node, conn: ConnectionId) {
        node.process();
        while let Some(bytes) = node.pm.poll_transmit(conn) {
            self.transport
                .read(&bytes, &mut self.secret)
                .expect("valid bytes from the peer manager");
            while let Some(message) = self.transport.next_message() {
                let message = message.expect("decrypts");
                self.received
                    .push(Message::read(&message).expect("peer manager sends valid messages"));
            }
        }
    }

    /// Encrypts raw message bytes (type included) and feeds them to the node.
    pub fn send_raw(
        &mut self,
        node: &mut Node,
        conn: ConnectionId,
        message: &[u8],
        now: Duration,
    ) -> Result<(), DisconnectReason> {
        let frame = self.transport.encrypt_message(message).expect("fits");
        node.pm.read(conn, &frame, &mut node.handler, now)
    }

    pub fn send(
        &mut self,
        node: &mut Node,
        conn: ConnectionId,
        message: impl Into<Message>,
        now: Duration,
    ) -> Result<(), DisconnectReason> {
        self.send_raw(node, conn, &message.into().encode(), now)
    }

    /// An acceptable `init` on regtest.
    pub fn good_init() -> Init {
        Init {
            networks: Some(vec![regtest()]),
            ..Init::default()
        }
    }

    /// Dials `node` and completes the `init` exchange.
    pub fn connect(seed: u8, node: &mut Node, conn: ConnectionId, now: Duration) -> RawPeer {
        let mut raw = RawPeer::dial(seed, node, conn, now);
        raw.send(node, conn, RawPeer::good_init(), now)
            .expect("init accepted");
        raw
    }
}

/// An `update_fee`, a simple handler message to move around.
pub fn update_fee(byte: u8, feerate_per_kw: u32) -> Message {
    Message::UpdateFee(UpdateFee {
        channel_id: ChannelId([byte; 32]),
        feerate_per_kw,
    })
}
