//! `PeerTransport` driven end to end: both roles against each other with bytes delivered in
//! arbitrary chunks, many messages through key rotations, size limits, forged lengths, and the
//! end of the stream.

use lightning::transport::{
    HandshakeAct, InvalidEphemeralKey, MacCheck, PeerTransport, SendError, StaticKeyEcdh,
    TransportError, FRAME_OVERHEAD, MAX_MESSAGE_LEN,
};
use secp256k1::{PublicKey, Secp256k1, SecretKey};

/// A small deterministic generator (xorshift64*) so failures reproduce from the seed.
struct TestRng(u64);

impl TestRng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value in `1..=max`.
    fn between_one_and(&mut self, max: usize) -> usize {
        1 + (self.next() % max as u64) as usize
    }
}

/// One side of a connection: its transport and its node secret (the ECDH plug).
struct Node {
    transport: PeerTransport,
    node_secret: SecretKey,
}

fn key_pair(byte: u8) -> (SecretKey, PublicKey) {
    let secret = SecretKey::from_slice(&[byte; 32]).expect("valid test key");
    (
        secret,
        PublicKey::from_secret_key(&Secp256k1::new(), &secret),
    )
}

/// Alice dials Bob. Returns both sides and act one, which Alice must send.
fn dial() -> (Node, Node, Vec<u8>) {
    let (alice_secret, alice_id) = key_pair(0x41);
    let (bob_secret, bob_id) = key_pair(0x42);
    let (alice, act_one) = PeerTransport::new_outbound(bob_id, alice_id, &[0x51; 32]).unwrap();
    let bob = PeerTransport::new_inbound(bob_id, &[0x52; 32]).unwrap();
    (
        Node {
            transport: alice,
            node_secret: alice_secret,
        },
        Node {
            transport: bob,
            node_secret: bob_secret,
        },
        act_one.to_vec(),
    )
}

/// Feeds `bytes` to `node` in chunks of random sizes in `1..=max_chunk`, draining messages
/// after every chunk. Returns the messages and everything the handshake asked to send.
fn deliver(
    node: &mut Node,
    bytes: &[u8],
    rng: &mut TestRng,
    max_chunk: usize,
) -> (Vec<Vec<u8>>, Vec<u8>) {
    let mut messages = Vec::new();
    let mut to_send = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(rng.between_one_and(max_chunk).min(rest.len()));
        rest = tail;
        node.transport.read(chunk, &mut node.node_secret).unwrap();
        while let Some(act) = node.transport.poll_transmit() {
            to_send.extend(act);
        }
        while let Some(message) = node.transport.next_message() {
            messages.push(message.unwrap());
        }
    }
    (messages, to_send)
}

/// Completes a handshake with every act delivered in random chunks.
fn handshake(rng: &mut TestRng, max_chunk: usize) -> (Node, Node) {
    let (mut alice, mut bob, act_one) = dial();
    let (none, act_two) = deliver(&mut bob, &act_one, rng, max_chunk);
    assert!(none.is_empty());
    assert_eq!(act_two.len(), 50);
    let (none, act_three) = deliver(&mut alice, &act_two, rng, max_chunk);
    assert!(none.is_empty());
    assert_eq!(act_three.len(), 66);
    assert!(alice.transport.is_ready() && !bob.transport.is_ready());
    let (none, nothing) = deliver(&mut bob, &act_three, rng, max_chunk);
    assert!(none.is_empty() && nothing.is_empty());
    assert!(bob.transport.is_ready());
    assert_eq!(bob.transport.their_node_id(), Some(key_pair(0x41).1));
    assert_eq!(alice.transport.their_node_id(), Some(key_pair(0x42).1));
    (alice, bob)
}

/// Random messages of `0..max_len` bytes, tagged with their index so order is checked.
fn messages(rng: &mut TestRng, count: usize, max_len: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|index| {
            let len = (rng.next() % max_len as u64) as usize;
            let mut message: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            message.extend_from_slice(&(index as u32).to_be_bytes());
            message
        })
        .collect()
}

/// Sends `sent` from `from` to `to` in random chunks and checks they arrive whole and in order.
fn exchange(from: &mut Node, to: &mut Node, sent: &[Vec<u8>], rng: &mut TestRng, max_chunk: usize) {
    let mut wire = Vec::new();
    for message in sent {
        from.transport
            .encrypt_message_into(message, &mut wire)
            .unwrap();
    }
    let expected_len: usize = sent.iter().map(|m| m.len() + FRAME_OVERHEAD).sum();
    assert_eq!(wire.len(), expected_len);
    let (received, nothing) = deliver(to, &wire, rng, max_chunk);
    assert!(nothing.is_empty());
    assert_eq!(received.len(), sent.len());
    assert!(received == sent, "messages arrive whole and in order");
}

#[test]
fn both_roles_in_random_chunks_through_key_rotations() {
    for (seed, max_chunk, max_len) in [
        (1u64, 7, 300),
        (2, 64, 3000),
        (3, 5000, 3000),
        (4, 100_000, 20_000),
    ] {
        let mut rng = TestRng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let (mut alice, mut bob) = handshake(&mut rng, max_chunk);
        // 1200 messages each way: past two rotations (every 500 messages) per direction,
        // sent in interleaved batches.
        for _ in 0..4 {
            let to_bob = messages(&mut rng, 300, max_len);
            let to_alice = messages(&mut rng, 300, max_len);
            exchange(&mut alice, &mut bob, &to_bob, &mut rng, max_chunk);
            exchange(&mut bob, &mut alice, &to_alice, &mut rng, max_chunk);
        }
    }
}

#[test]
fn one_byte_at_a_time_through_key_rotations() {
    let mut rng = TestRng(0x1234_5678);
    let (mut alice, mut bob) = handshake(&mut rng, 1);
    let to_bob = messages(&mut rng, 1100, 40);
    exchange(&mut alice, &mut bob, &to_bob, &mut rng, 1);
    let to_alice = messages(&mut rng, 1100, 40);
    exchange(&mut bob, &mut alice, &to_alice, &mut rng, 1);
}

#[test]
fn act_three_and_first_messages_arriving_together() {
    let (mut alice, mut bob, act_one) = dial();
    bob.transport.read(&act_one, &mut bob.node_secret).unwrap();
    let act_two = bob.transport.poll_transmit().unwrap();
    alice
        .transport
        .read(&act_two, &mut alice.node_secret)
        .unwrap();
    let mut wire = alice.transport.poll_transmit().unwrap();
    alice
        .transport
        .encrypt_message_into(b"first", &mut wire)
        .unwrap();
    alice
        .transport
        .encrypt_message_into(b"", &mut wire)
        .unwrap();
    alice
        .transport
        .encrypt_message_into(b"third", &mut wire)
        .unwrap();

    bob.transport.read(&wire, &mut bob.node_secret).unwrap();
    assert!(bob.transport.is_ready());
    assert_eq!(bob.transport.poll_transmit(), None);
    assert_eq!(bob.transport.next_message(), Some(Ok(b"first".to_vec())));
    assert_eq!(bob.transport.next_message(), Some(Ok(Vec::new())));
    assert_eq!(bob.transport.next_message(), Some(Ok(b"third".to_vec())));
    assert_eq!(bob.transport.next_message(), None);
}

#[test]
fn act_one_for_another_node_fails_its_mac() {
    let (_, alice_id) = key_pair(0x41);
    let (_, bob_id) = key_pair(0x42);
    let (carol_secret, carol_id) = key_pair(0x43);
    // Alice thinks she dials Bob, but Carol answers.
    let (_, act_one) = PeerTransport::new_outbound(bob_id, alice_id, &[0x51; 32]).unwrap();
    let mut carol = PeerTransport::new_inbound(carol_id, &[0x53; 32]).unwrap();
    let mut ecdh = carol_secret;
    assert_eq!(
        carol.read(&act_one, &mut ecdh),
        Err(TransportError::BadMac(MacCheck::ActOne))
    );
    assert_eq!(carol.poll_transmit(), None);
}

#[test]
fn oversized_messages_are_refused_without_harming_the_session() {
    let mut rng = TestRng(99);
    let (mut alice, mut bob) = handshake(&mut rng, 1000);
    let too_big = vec![7u8; MAX_MESSAGE_LEN + 1];
    assert_eq!(
        alice.transport.encrypt_message(&too_big),
        Err(SendError::MessageTooLarge {
            len: MAX_MESSAGE_LEN + 1
        })
    );
    let mut out = vec![1, 2, 3];
    assert!(alice
        .transport
        .encrypt_message_into(&too_big, &mut out)
        .is_err());
    assert_eq!(out, vec![1, 2, 3], "nothing is appended on error");

    // The largest message fits, and no nonce was spent on the refused ones.
    let largest = vec![9u8; MAX_MESSAGE_LEN];
    let frame = alice.transport.encrypt_message(&largest).unwrap();
    assert_eq!(frame.len(), 65569);
    bob.transport.read(&frame, &mut bob.node_secret).unwrap();
    assert_eq!(bob.transport.next_message(), Some(Ok(largest)));
}

fn largest_frame() -> (Node, Vec<u8>) {
    let mut rng = TestRng(7);
    let (mut alice, bob) = handshake(&mut rng, 1000);
    let frame = alice
        .transport
        .encrypt_message(&vec![0xab; MAX_MESSAGE_LEN])
        .unwrap();
    (bob, frame)
}

#[test]
fn forged_length_prefix_fails_after_its_18_bytes_without_waiting_for_the_body() {
    for corrupt_at in [0usize, 1, 2, 17] {
        let (mut bob, mut frame) = largest_frame();
        frame[corrupt_at] ^= 0x01;
        // Only the prefix arrives: the MAC check fails at once, no body is awaited.
        bob.transport
            .read(&frame[..18], &mut bob.node_secret)
            .unwrap();
        assert_eq!(
            bob.transport.next_message(),
            Some(Err(TransportError::BadMac(MacCheck::MessageLength)))
        );
        assert!(bob.transport.is_failed());
    }
}

#[test]
fn declared_length_65535_with_bad_body_mac_fails_when_the_frame_is_complete() {
    let (mut bob, mut frame) = largest_frame();
    let last = frame.len() - 1;
    frame[last] ^= 0x80;
    // A valid prefix declaring 65535 bytes: nothing to return until the body is all there.
    bob.transport
        .read(&frame[..18], &mut bob.node_secret)
        .unwrap();
    assert_eq!(bob.transport.next_message(), None);
    bob.transport
        .read(&frame[18..last], &mut bob.node_secret)
        .unwrap();
    assert_eq!(bob.transport.next_message(), None);
    bob.transport
        .read(&frame[last..], &mut bob.node_secret)
        .unwrap();
    assert_eq!(
        bob.transport.next_message(),
        Some(Err(TransportError::BadMac(MacCheck::MessageBody)))
    );
    assert_eq!(
        bob.transport.next_message(),
        Some(Err(TransportError::UsedAfterFailure))
    );
}

#[test]
fn end_of_stream_mid_frame_is_reported_after_whole_messages() {
    let mut rng = TestRng(11);
    let (mut alice, mut bob) = handshake(&mut rng, 1000);
    let mut wire = alice.transport.encrypt_message(b"complete").unwrap();
    let cut = alice.transport.encrypt_message(b"cut short").unwrap();
    wire.extend_from_slice(&cut[..20]);
    bob.transport.read(&wire, &mut bob.node_secret).unwrap();
    assert_eq!(bob.transport.handle_eof(), Ok(()));
    assert_eq!(bob.transport.next_message(), Some(Ok(b"complete".to_vec())));
    assert_eq!(
        bob.transport.next_message(),
        Some(Err(TransportError::TruncatedMessage { received: 20 }))
    );
    assert!(bob.transport.is_failed());
}

#[test]
fn end_of_stream_between_frames_is_clean() {
    let mut rng = TestRng(12);
    let (mut alice, mut bob) = handshake(&mut rng, 1000);
    let frame = alice.transport.encrypt_message(b"last words").unwrap();
    bob.transport.read(&frame, &mut bob.node_secret).unwrap();
    assert_eq!(bob.transport.handle_eof(), Ok(()));
    assert_eq!(
        bob.transport.next_message(),
        Some(Ok(b"last words".to_vec()))
    );
    assert_eq!(bob.transport.next_message(), None);
    assert!(!bob.transport.is_failed());
}

#[test]
fn end_of_stream_before_an_act_fails_the_handshake() {
    let (mut alice, mut bob, _) = dial();
    assert_eq!(
        bob.transport.handle_eof(),
        Err(TransportError::TruncatedAct {
            act: HandshakeAct::One,
            received: 0
        })
    );
    assert_eq!(
        alice.transport.handle_eof(),
        Err(TransportError::TruncatedAct {
            act: HandshakeAct::Two,
            received: 0
        })
    );
}

#[test]
fn invalid_ephemeral_keys_are_refused() {
    let (_, id) = key_pair(0x41);
    for bad in [[0u8; 32], [0xff; 32]] {
        assert_eq!(
            PeerTransport::new_inbound(id, &bad).err(),
            Some(InvalidEphemeralKey)
        );
        assert_eq!(
            PeerTransport::new_outbound(id, id, &bad).err(),
            Some(InvalidEphemeralKey)
        );
    }
}

#[test]
fn closures_and_secret_keys_both_serve_as_static_ecdh() {
    let (secret, _) = key_pair(0x41);
    let (_, point) = key_pair(0x42);
    let mut key_copy = secret;
    let mut by_key: &mut dyn StaticKeyEcdh = &mut key_copy;
    let direct = by_key.ecdh(&point).unwrap();
    let mut closure = |p: &PublicKey| Ok(secp256k1::ecdh::SharedSecret::new(p, &secret));
    by_key = &mut closure;
    assert_eq!(by_key.ecdh(&point).unwrap(), direct);
}

#[test]
fn errors_display_and_debug_hides_keys() {
    let error = TransportError::UnknownVersion {
        act: HandshakeAct::Three,
        version: 1,
    };
    assert_eq!(
        error.to_string(),
        "unknown handshake version 1 in act three"
    );
    assert_eq!(
        TransportError::BadMac(MacCheck::MessageLength).to_string(),
        "bad MAC on message length prefix"
    );
    let ecdh_error = TransportError::Ecdh(lightning::transport::EcdhFailed);
    assert!(std::error::Error::source(&ecdh_error).is_some());
    assert!(SendError::MessageTooLarge { len: 70000 }
        .to_string()
        .contains("70000"));

    let (alice, _, _) = dial();
    let shown = format!("{:?}", alice.transport);
    assert!(shown.contains("awaiting act two"), "{shown}");
}
