//! The BOLT 8 transport fed arbitrary bytes, in two modes chosen by the first input byte:
//!
//! - **raw**: a responder that has not finished its handshake reads the input in chunks of
//!   input-chosen sizes. It must reject or buffer, never panic.
//! - **session**: two transports complete a real handshake, then the input is a script of
//!   operations (send a message, corrupt a frame in flight, inject raw bytes). Every message
//!   sent over an untouched stream must arrive intact and in order; once a frame is damaged
//!   the receiver must fail, and stay failed.

use lightning::bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning::transport::PeerTransport;

/// Runs one fuzz input through the transport. Panics only on a bug.
pub fn run(data: &[u8]) {
    match data.split_first() {
        Some((mode, rest)) if mode & 1 == 0 => raw_responder(rest),
        Some((_, rest)) => session_script(rest),
        None => {}
    }
}

struct Node {
    secret: SecretKey,
    id: PublicKey,
}

fn node(byte: u8) -> Node {
    let secp = Secp256k1::signing_only();
    // Invariant: [byte; 32] with byte in 1..=0x7f is below the curve order and non-zero.
    let secret = SecretKey::from_slice(&[byte; 32]).expect("valid constant key");
    Node {
        secret,
        id: PublicKey::from_secret_key(&secp, &secret),
    }
}

fn raw_responder(data: &[u8]) {
    let bob = node(0x21);
    let mut ecdh = bob.secret;
    let Ok(mut responder) = PeerTransport::new_inbound(bob.id, &[0x22; 32]) else {
        unreachable!("constant ephemeral key is valid")
    };
    for chunk in chunks(data) {
        if responder.read(chunk, &mut ecdh).is_err() {
            assert!(responder.is_failed(), "an error must be terminal");
            return;
        }
        let _ = responder.poll_transmit();
        while let Some(message) = responder.next_message() {
            if message.is_err() {
                return;
            }
        }
    }
    let _ = responder.handle_eof();
}

/// Splits input into chunks whose sizes come from the input itself (first byte of each chunk).
fn chunks(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    core::iter::from_fn(move || {
        let (&size, tail) = rest.split_first()?;
        let take = (size as usize % 97 + 1).min(tail.len());
        let (chunk, remainder) = tail.split_at(take);
        rest = remainder;
        Some(chunk)
    })
}

fn connected_pair() -> (PeerTransport, SecretKey, PeerTransport, SecretKey) {
    let (alice, bob) = (node(0x11), node(0x21));
    let (mut alice_ecdh, mut bob_ecdh) = (alice.secret, bob.secret);
    let (mut initiator, act_one) =
        PeerTransport::new_outbound(bob.id, alice.id, &[0x12; 32]).expect("valid constants");
    let mut responder = PeerTransport::new_inbound(bob.id, &[0x22; 32]).expect("valid constant");
    responder
        .read(&act_one, &mut bob_ecdh)
        .expect("honest act one");
    let act_two = responder.poll_transmit().expect("act two follows act one");
    initiator
        .read(&act_two, &mut alice_ecdh)
        .expect("honest act two");
    let act_three = initiator
        .poll_transmit()
        .expect("act three follows act two");
    responder
        .read(&act_three, &mut bob_ecdh)
        .expect("honest act three");
    assert!(initiator.is_ready() && responder.is_ready());
    (initiator, alice_ecdh, responder, bob_ecdh)
}

fn session_script(script: &[u8]) {
    let (mut sender, _, mut receiver, mut receiver_ecdh) = connected_pair();
    let mut damaged = false;
    let mut ops = script;
    while let Some((&op, rest)) = ops.split_first() {
        let (&len, rest) = rest.split_first().unwrap_or((&0, &[]));
        let take = (len as usize).min(rest.len());
        let (body, rest) = rest.split_at(take);
        ops = rest;
        let mut frame = match op % 3 {
            0 | 1 => sender
                .encrypt_message(body)
                .expect("short message to a ready peer"),
            _ => body.to_vec(),
        };
        if op % 3 == 1 && !frame.is_empty() {
            let at = len as usize % frame.len();
            frame[at] ^= 1 << (op % 8);
        }
        damaged |= op % 3 != 0 && !frame.is_empty();
        let read = receiver.read(&frame, &mut receiver_ecdh);
        let received = receiver.next_message();
        if !damaged && op % 3 == 0 {
            assert!(read.is_ok());
            assert_eq!(
                received,
                Some(Ok(body.to_vec())),
                "intact frame must decrypt"
            );
        }
        if receiver.is_failed() {
            assert!(
                receiver.encrypt_message(b"x").is_err(),
                "failure must be terminal"
            );
            return;
        }
    }
}
