//! Property tests: arbitrary bytes from a peer never panic the transport (they end in an
//! error), and arbitrary messages in arbitrary chunks round-trip.

use lightning::transport::{PeerTransport, TransportError};
use proptest::prelude::*;
use secp256k1::{PublicKey, Secp256k1, SecretKey};

fn key_pair(byte: u8) -> (SecretKey, PublicKey) {
    let secret = SecretKey::from_slice(&[byte; 32]).expect("valid test key");
    (
        secret,
        PublicKey::from_secret_key(&Secp256k1::new(), &secret),
    )
}

/// A completed handshake: (initiator, its node secret, responder, its node secret).
fn connected() -> (PeerTransport, SecretKey, PeerTransport, SecretKey) {
    let (alice_secret, alice_id) = key_pair(0x61);
    let (bob_secret, bob_id) = key_pair(0x62);
    let (mut alice, act_one) = PeerTransport::new_outbound(bob_id, alice_id, &[0x71; 32]).unwrap();
    let mut bob = PeerTransport::new_inbound(bob_id, &[0x72; 32]).unwrap();
    let (mut alice_ecdh, mut bob_ecdh) = (alice_secret, bob_secret);
    bob.read(&act_one, &mut bob_ecdh).unwrap();
    alice
        .read(&bob.poll_transmit().unwrap(), &mut alice_ecdh)
        .unwrap();
    bob.read(&alice.poll_transmit().unwrap(), &mut bob_ecdh)
        .unwrap();
    assert!(alice.is_ready() && bob.is_ready());
    (alice, alice_secret, bob, bob_secret)
}

/// Splits `bytes` at the given cut points (taken modulo the length).
fn chunks<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(0);
    points.push(bytes.len());
    points.sort_unstable();
    points.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

/// Encrypts `sent` on `from`, feeds the frames to `to` cut at `cuts`, returns what arrives.
fn transfer(
    from: &mut PeerTransport,
    to: &mut PeerTransport,
    to_ecdh: &mut SecretKey,
    sent: &[Vec<u8>],
    cuts: &[usize],
) -> Vec<Vec<u8>> {
    let mut wire = Vec::new();
    for message in sent {
        from.encrypt_message_into(message, &mut wire).unwrap();
    }
    let mut received = Vec::new();
    for chunk in chunks(&wire, cuts) {
        to.read(chunk, to_ecdh).unwrap();
        while let Some(message) = to.next_message() {
            received.push(message.unwrap());
        }
    }
    received
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random bytes as a handshake never panic; 50 or more of them always fail (a forged act
    /// one would need a valid MAC).
    #[test]
    fn random_bytes_to_a_responder_error(
        // A valid version byte and key prefix often enough to reach the key and MAC checks.
        prefix in prop_oneof![Just(vec![]), Just(vec![0u8]), Just(vec![0u8, 2]), Just(vec![0u8, 3])],
        random in proptest::collection::vec(any::<u8>(), 0..200),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let input = [prefix, random].concat();
        let (secret, id) = key_pair(0x62);
        let mut responder = PeerTransport::new_inbound(id, &[0x72; 32]).unwrap();
        let mut ecdh = secret;
        let mut failure = None;
        for chunk in chunks(&input, &cuts) {
            if let Err(error) = responder.read(chunk, &mut ecdh) {
                failure = Some(error);
                break;
            }
        }
        prop_assert_eq!(responder.poll_transmit(), None);
        prop_assert_eq!(responder.next_message().is_some(), failure.is_some());
        prop_assert_eq!(failure.is_some(), input.len() >= 50);
        prop_assert!(!responder.is_ready());
    }

    /// Random bytes after act one was accepted (as act three) never panic and fail.
    #[test]
    fn random_act_three_errors(input in proptest::collection::vec(any::<u8>(), 66..120)) {
        let (_, alice_id) = key_pair(0x61);
        let (bob_secret, bob_id) = key_pair(0x62);
        let (_, act_one) = PeerTransport::new_outbound(bob_id, alice_id, &[0x71; 32]).unwrap();
        let mut bob = PeerTransport::new_inbound(bob_id, &[0x72; 32]).unwrap();
        let mut ecdh = bob_secret;
        bob.read(&act_one, &mut ecdh).unwrap();
        prop_assert!(bob.poll_transmit().is_some());
        prop_assert!(bob.read(&input, &mut ecdh).is_err());
        prop_assert!(bob.is_failed());
    }

    /// Random bytes to a ready decryptor never panic: 18 or more of them fail the length MAC,
    /// fewer are simply buffered.
    #[test]
    fn random_bytes_to_a_ready_decryptor_error(
        input in proptest::collection::vec(any::<u8>(), 0..300),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let (_, _, mut bob, bob_secret) = connected();
        let mut ecdh = bob_secret;
        let mut outcomes = Vec::new();
        for chunk in chunks(&input, &cuts) {
            if bob.read(chunk, &mut ecdh).is_err() {
                break;
            }
            while let Some(outcome) = bob.next_message() {
                let failed = outcome.is_err();
                outcomes.push(outcome);
                if failed {
                    break;
                }
            }
            if bob.is_failed() {
                break;
            }
        }
        if input.len() >= 18 {
            prop_assert_eq!(
                outcomes.first().cloned(),
                Some(Err(TransportError::BadMac(lightning::transport::MacCheck::MessageLength)))
            );
        } else {
            prop_assert!(outcomes.is_empty());
            prop_assert!(!bob.is_failed());
        }
    }

    /// Messages of any size up to the maximum, delivered in arbitrary chunks, arrive whole and
    /// in order, in both directions.
    #[test]
    fn messages_round_trip_in_arbitrary_chunks(
        messages in proptest::collection::vec(
            proptest::collection::vec(any::<u8>(), 0..2000), 0..12),
        large in proptest::option::of(Just(vec![0x5au8; 65535])),
        cuts in proptest::collection::vec(any::<usize>(), 0..16),
    ) {
        let (mut alice, alice_secret, mut bob, bob_secret) = connected();
        let mut sent = messages.clone();
        sent.extend(large);
        let mut bob_ecdh = bob_secret;
        prop_assert!(transfer(&mut alice, &mut bob, &mut bob_ecdh, &sent, &cuts) == sent);
        let mut alice_ecdh = alice_secret;
        prop_assert!(transfer(&mut bob, &mut alice, &mut alice_ecdh, &sent, &cuts) == sent);
    }
}
