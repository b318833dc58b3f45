//! Two nodes meet: a BOLT 8 handshake, then `init`, `ping` and `pong`, over in-memory buffers.
//!
//! Everything the library needs from the outside is supplied here by hand: the node keys come
//! from 32-byte seeds through `KeysManager`, the ephemeral keys are caller-chosen bytes, and the
//! "network" is a pair of byte queues that this program moves, in odd-sized chunks, from one
//! transport to the other. The library never touches a socket, a clock or an RNG.
//!
//! Run with `cargo run -p examples --bin handshake`.

use std::process::ExitCode;

use bitcoin::constants::ChainHash;
use bitcoin::hashes::{sha256, Hash};
use bitcoin::Network;
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::NodeSigner;
use lightning::transport::{NodeSignerEcdh, PeerTransport};
use lightning::wire::features::{check_peer_init_features, Feature, InitFeatures};
use lightning::wire::{Init, Message, Ping};

/// One side of the conversation: its keys, its transport, and the bytes waiting to be sent.
struct Peer {
    name: &'static str,
    keys: KeysManager,
    transport: PeerTransport,
    outbox: Vec<u8>,
    bytes_sent: usize,
}

impl Peer {
    /// Hands every pending outgoing byte to the transport of `to`, in chunks of `chunk` bytes
    /// (a real socket splits data arbitrarily; the transport buffers what is incomplete).
    fn deliver(&mut self, to: &mut Peer, chunk: usize) -> Result<(), String> {
        if let Some(act) = self.transport.poll_transmit() {
            self.outbox.extend_from_slice(&act);
        }
        let bytes = std::mem::take(&mut self.outbox);
        self.bytes_sent += bytes.len();
        for piece in bytes.chunks(chunk) {
            let mut ecdh = NodeSignerEcdh(&mut to.keys);
            to.transport
                .read(piece, &mut ecdh)
                .map_err(|e| format!("{} rejected bytes from {}: {e}", to.name, self.name))?;
        }
        Ok(())
    }

    /// Encrypts `message` for the peer and queues it.
    fn send(&mut self, message: impl Into<Message>) -> Result<(), String> {
        let message: Message = message.into();
        let frame = self
            .transport
            .encrypt_message(&message.encode())
            .map_err(|e| format!("{} cannot send: {e}", self.name))?;
        println!(
            "  {:>5} -> {:<12} ({} bytes on the wire)",
            self.name,
            message_name(&message),
            frame.len()
        );
        self.outbox.extend_from_slice(&frame);
        Ok(())
    }

    /// Decrypts and decodes the next whole message that has arrived, if any.
    fn receive(&mut self) -> Result<Option<Message>, String> {
        match self.transport.next_message() {
            None => Ok(None),
            Some(Err(e)) => Err(format!("{}: transport error: {e}", self.name)),
            Some(Ok(bytes)) => Message::read(&bytes)
                .map(Some)
                .map_err(|e| format!("{}: undecodable message: {e}", self.name)),
        }
    }
}

fn message_name(message: &Message) -> &'static str {
    match message {
        Message::Init(_) => "init",
        Message::Ping(_) => "ping",
        Message::Pong(_) => "pong",
        _ => "other",
    }
}

/// Deterministic stand-in for the caller's randomness: a real node draws these bytes from its
/// operating system. The library only ever receives them as arguments.
fn caller_random_bytes(label: &str) -> [u8; 32] {
    sha256::Hash::hash(label.as_bytes()).to_byte_array()
}

fn our_init_features() -> InitFeatures {
    let mut features = InitFeatures::empty();
    for feature in [
        Feature::DataLossProtect,
        Feature::VarOnionOptin,
        Feature::StaticRemoteKey,
        Feature::PaymentSecret,
    ] {
        features.set_required(feature);
    }
    for feature in [
        Feature::BasicMpp,
        Feature::ChannelType,
        Feature::GossipQueries,
    ] {
        features.set_optional(feature);
    }
    features
}

fn init_message() -> Init {
    Init {
        global_features: InitFeatures::empty(),
        features: our_init_features(),
        networks: Some(vec![ChainHash::using_genesis_block(Network::Regtest)]),
        remote_addr: None,
        unknown_tlvs: Vec::new(),
    }
}

fn new_peer(name: &'static str, transport: PeerTransport, keys: KeysManager) -> Peer {
    Peer {
        name,
        keys,
        transport,
        outbox: Vec::new(),
        bytes_sent: 0,
    }
}

fn keys_from_seed(label: &str) -> Result<KeysManager, String> {
    KeysManager::new(&caller_random_bytes(label)).map_err(|e| format!("{label}: {e}"))
}

/// Alice dials Bob; the three acts travel in 7-byte pieces.
fn handshake() -> Result<(Peer, Peer), String> {
    let alice_keys = keys_from_seed("alice seed")?;
    let bob_keys = keys_from_seed("bob seed")?;
    let (alice_id, bob_id) = (alice_keys.node_id(), bob_keys.node_id());
    println!("alice  {alice_id}\nbob    {bob_id}\n");

    let (alice_transport, act_one) =
        PeerTransport::new_outbound(bob_id, alice_id, &caller_random_bytes("alice ephemeral"))
            .map_err(|e| e.to_string())?;
    let bob_transport = PeerTransport::new_inbound(bob_id, &caller_random_bytes("bob ephemeral"))
        .map_err(|e| e.to_string())?;
    let mut alice = new_peer("alice", alice_transport, alice_keys);
    let mut bob = new_peer("bob", bob_transport, bob_keys);

    println!("BOLT 8 handshake (Noise_XK), bytes delivered 7 at a time:");
    alice.outbox.extend_from_slice(&act_one);
    alice.deliver(&mut bob, 7)?; // act one
    bob.deliver(&mut alice, 7)?; // act two
    alice.deliver(&mut bob, 7)?; // act three
    let authenticated = bob.transport.their_node_id();
    if !(alice.transport.is_ready() && bob.transport.is_ready()) {
        return Err("handshake did not complete".into());
    }
    if authenticated != Some(alice_id) {
        return Err("bob authenticated the wrong node id".into());
    }
    println!(
        "  done: alice sent {} bytes, bob sent {}; bob authenticated alice's node id\n",
        alice.bytes_sent, bob.bytes_sent
    );
    Ok((alice, bob))
}

/// Each side sends `init`, reads the other's, and checks the features are acceptable.
fn exchange_init(alice: &mut Peer, bob: &mut Peer) -> Result<(), String> {
    println!("init exchange:");
    alice.send(init_message())?;
    bob.send(init_message())?;
    alice.deliver(bob, 13)?;
    bob.deliver(alice, 13)?;
    for peer in [alice, bob] {
        let Some(Message::Init(theirs)) = peer.receive()? else {
            return Err(format!("{} expected init first", peer.name));
        };
        let their_features = theirs.combined_features();
        check_peer_init_features(&our_init_features(), &their_features)
            .map_err(|e| format!("{}: peer features rejected: {e}", peer.name))?;
        let mpp = our_init_features().negotiated_with(&their_features, Feature::BasicMpp);
        println!(
            "  {:>5} accepted the peer's features (bits {:?}); basic_mpp negotiated: {mpp}",
            peer.name,
            their_features.set_bits().collect::<Vec<_>>()
        );
    }
    println!();
    Ok(())
}

/// Alice pings with 16 bytes of padding and asks for a 32-byte pong.
fn ping_pong(alice: &mut Peer, bob: &mut Peer) -> Result<(), String> {
    println!("ping / pong:");
    alice.send(Ping {
        num_pong_bytes: 32,
        ignored: vec![0; 16],
    })?;
    alice.deliver(bob, 5)?;
    let Some(Message::Ping(ping)) = bob.receive()? else {
        return Err("bob expected a ping".into());
    };
    if let Some(pong) = ping.pong() {
        bob.send(pong)?;
    }
    bob.deliver(alice, 5)?;
    let Some(Message::Pong(pong)) = alice.receive()? else {
        return Err("alice expected a pong".into());
    };
    if pong.ignored.len() != 32 {
        return Err(format!("pong carried {} bytes, not 32", pong.ignored.len()));
    }
    println!("  alice got the 32-byte pong she asked for\n");
    Ok(())
}

fn run() -> Result<(), String> {
    let (mut alice, mut bob) = handshake()?;
    exchange_init(&mut alice, &mut bob)?;
    ping_pong(&mut alice, &mut bob)?;
    println!(
        "summary: handshake, init and ping/pong completed; {} bytes alice -> bob, {} bytes bob -> alice",
        alice.bytes_sent, bob.bytes_sent
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
