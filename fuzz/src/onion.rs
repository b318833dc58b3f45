//! BOLT 4 onions under attack: a valid onion is built for a route whose length and payloads
//! come from the input, then input-chosen bytes of it are flipped before each hop peels it.
//! Peeling must never panic; an untouched onion must peel to exactly the payloads built into
//! it; a touched one must be rejected or (rarely, if the flip lands outside what the HMAC
//! covers) peel consistently. Arbitrary bytes are also fed to the failure decoder.

use lightning::bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning::onion::{build_onion, decode_failure, peel_onion_bytes, OnionHop, PeeledOnion};

/// Runs one fuzz input. Panics only on a bug.
pub fn run(data: &[u8]) {
    let Some((&shape, rest)) = data.split_first() else {
        return;
    };
    if shape & 0x80 != 0 {
        failure_decoding(shape, rest);
    } else {
        build_and_peel(shape, rest);
    }
}

fn hop_secret(index: usize) -> SecretKey {
    // Invariant: bytes 1..=27 repeated are valid, non-zero secret keys.
    SecretKey::from_slice(&[index as u8 + 1; 32]).expect("valid constant key")
}

fn build_and_peel(shape: u8, rest: &[u8]) {
    let secp = Secp256k1::signing_only();
    let hop_count = usize::from(shape % 27) + 1;
    let (payload_bytes, flips) = rest.split_at(rest.len().min(hop_count * 40));
    let hops: Vec<OnionHop> = (0..hop_count)
        .map(|i| OnionHop {
            node_id: PublicKey::from_secret_key(&secp, &hop_secret(i)),
            payload: payload_for(payload_bytes, i),
        })
        .collect();
    let session_key = hop_secret(40);
    let associated_data = [0x42u8; 32];
    let Ok(built) = build_onion(&session_key, &hops, &associated_data) else {
        return; // payloads too large for 1,300 bytes: a typed error is the right answer
    };
    let mut packet = built.packet.to_bytes();
    let mut tampered = false;
    for (i, hop) in hops.iter().enumerate() {
        if let Some(pair) = flips.get(i * 2..i * 2 + 2) {
            let at = usize::from(u16::from_be_bytes([pair[0], pair[1]])) % packet.len();
            packet[at] ^= 0x01;
            tampered = true;
        }
        let secret = hop_secret(i);
        let peeled = peel_onion_bytes(&packet, &associated_data, |point: &PublicKey| {
            Ok::<_, ()>(lightning::onion::SharedSecret::new(point, &secret))
        });
        match (peeled, tampered) {
            (
                Ok(PeeledOnion::Forward {
                    payload,
                    next_packet,
                    ..
                }),
                _,
            ) => {
                if !tampered {
                    assert_eq!(payload, hop.payload, "hop {i} payload");
                    assert!(i + 1 < hops.len(), "only the last hop is final");
                }
                packet = next_packet.to_bytes();
            }
            (Ok(PeeledOnion::Final { payload, .. }), _) => {
                if !tampered {
                    assert_eq!(payload, hop.payload, "final payload");
                    assert_eq!(i + 1, hops.len(), "the last hop is final");
                }
                return;
            }
            (Err(_), false) => panic!("an untouched onion failed to peel at hop {i}"),
            (Err(_), true) => return,
        }
    }
}

/// A payload for hop `i`: at least two bytes (BOLT 4 requires a non-trivial TLV payload
/// length), shaped from the input.
fn payload_for(bytes: &[u8], i: usize) -> Vec<u8> {
    let chunk = bytes.get(i * 40..(i + 1) * 40).unwrap_or(&[]);
    let len = chunk.first().map_or(2, |&b| usize::from(b) % 38 + 2);
    let mut payload: Vec<u8> = chunk.iter().copied().take(len).collect();
    payload.resize(len, 0x07);
    payload
}

fn failure_decoding(shape: u8, packet: &[u8]) {
    let hops = usize::from(shape % 27) + 1;
    let secrets: Vec<_> = (0..hops)
        .map(|i| lightning::onion::SharedSecret::from_bytes([i as u8; 32]))
        .collect();
    let _ = decode_failure(&secrets, packet, None);
}
