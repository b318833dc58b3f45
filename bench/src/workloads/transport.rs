//! Workload 4: BOLT 8 transport. Encrypt then decrypt 65,535-byte messages through two of our
//! `PeerTransport`s after a real handshake, against raw ChaCha20-Poly1305 encrypting and
//! decrypting the same buffer in place (one AEAD each way, no framing). LDK's BOLT 8 cipher
//! (`peer_channel_encryptor`) is crate-private in LDK 0.2, so it has no figure here.

use chacha20poly1305::aead::AeadInPlace;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit, Nonce};
use lightning::transport::{PeerTransport, MAX_MESSAGE_LEN};
use secp256k1::{PublicKey, Secp256k1, SecretKey};

use crate::config::Config;
use crate::stats::{time, Direction, Figure, Report};
use crate::workloads::alternate;

/// The workload's name.
pub const NAME: &str = "transport";

/// Two transports after the handshake, with the receiver's static key.
struct Session {
    sender: PeerTransport,
    receiver: PeerTransport,
    receiver_ecdh: SecretKey,
    frame: Vec<u8>,
}

fn handshake() -> Session {
    let secp = Secp256k1::new();
    let alice_secret = SecretKey::from_slice(&[0x11; 32]).expect("valid key");
    let bob_secret = SecretKey::from_slice(&[0x21; 32]).expect("valid key");
    let alice_id = PublicKey::from_secret_key(&secp, &alice_secret);
    let bob_id = PublicKey::from_secret_key(&secp, &bob_secret);
    let (mut alice_ecdh, mut bob_ecdh) = (alice_secret, bob_secret);
    let (mut alice, act_one) =
        PeerTransport::new_outbound(bob_id, alice_id, &[0x12; 32]).expect("handshake");
    let mut bob = PeerTransport::new_inbound(bob_id, &[0x22; 32]).expect("handshake");
    bob.read(&act_one, &mut bob_ecdh).expect("act one");
    let act_two = bob.poll_transmit().expect("act two");
    alice.read(&act_two, &mut alice_ecdh).expect("act two");
    let act_three = alice.poll_transmit().expect("act three");
    bob.read(&act_three, &mut bob_ecdh).expect("act three");
    assert!(alice.is_ready() && bob.is_ready());
    Session {
        sender: alice,
        receiver: bob,
        receiver_ecdh: bob_ecdh,
        frame: Vec::with_capacity(MAX_MESSAGE_LEN + 64),
    }
}

impl Session {
    /// Encrypts `message`, feeds the frame to the receiver and takes the message back out.
    fn round_trip(&mut self, message: &[u8]) -> usize {
        self.frame.clear();
        self.sender
            .encrypt_message_into(message, &mut self.frame)
            .expect("ready, message within the limit");
        self.receiver
            .read(&self.frame, &mut self.receiver_ecdh)
            .expect("our own frame decrypts");
        let decrypted = self
            .receiver
            .next_message()
            .expect("one message")
            .expect("valid");
        decrypted.len()
    }
}

/// Raw ChaCha20-Poly1305, in place, over the same buffer size.
struct Raw {
    cipher: ChaCha20Poly1305,
    counter: u64,
    buffer: Vec<u8>,
}

impl Raw {
    fn round_trip(&mut self) -> usize {
        self.counter += 1;
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&self.counter.to_le_bytes());
        let nonce = Nonce::from_slice(&nonce);
        let tag = self
            .cipher
            .encrypt_in_place_detached(nonce, &[], &mut self.buffer)
            .expect("buffer within the AEAD limit");
        self.cipher
            .decrypt_in_place_detached(nonce, &[], &mut self.buffer, &tag)
            .expect("our own ciphertext decrypts");
        self.buffer.len()
    }
}

fn gigabytes_per_second(bytes: usize, seconds: f64) -> f64 {
    bytes as f64 / seconds.max(1e-12) / 1e9
}

/// Runs the workload.
pub fn run(config: &Config) -> Report {
    let messages = config.transport_messages;
    let message: Vec<u8> = (0..MAX_MESSAGE_LEN).map(|i| i as u8).collect();
    let mut session = handshake();
    let mut raw = Raw {
        cipher: ChaCha20Poly1305::new(&[7u8; 32].into()),
        counter: 0,
        buffer: message.clone(),
    };
    let (ours_samples, raw_samples) = alternate(
        config,
        || {
            let (elapsed, bytes) = time(config.clock, || {
                (0..messages).map(|_| session.round_trip(&message)).sum()
            });
            gigabytes_per_second(bytes, elapsed.as_secs_f64())
        },
        || {
            let (elapsed, bytes) = time(config.clock, || {
                (0..messages).map(|_| raw.round_trip()).sum()
            });
            gigabytes_per_second(bytes, elapsed.as_secs_f64())
        },
    );
    Report {
        workload: NAME.to_string(),
        description: format!(
            "{messages} messages of {MAX_MESSAGE_LEN} bytes per repetition, each encrypted and \
             decrypted (GB/s of message bytes)"
        ),
        figures: vec![
            Figure::against(
                "GB/s encrypt+decrypt",
                Direction::HigherIsBetter,
                ours_samples.clone(),
                "raw chacha20poly1305",
                raw_samples,
            ),
            Figure::ours_only(
                "GB/s encrypt+decrypt (vs LDK)",
                Direction::HigherIsBetter,
                ours_samples,
                "LDK 0.2's peer_channel_encryptor is crate-private; only reachable through its \
                 PeerManager with sockets (workload 2)",
            ),
        ],
        pending: None,
    }
}
