//! Decoding then re-encoding must give back the bytes received wherever a signature covers
//! them (gossip) or a peer may compare them: regression tests for byte fidelity.

use lightning::bitcoin::secp256k1::{Message, PublicKey, Secp256k1, SecretKey};
use lightning::wire::features::{InitFeatures, NodeFeatures};
use lightning::wire::gossip::{ChannelAnnouncement, NodeAnnouncement};
use lightning::wire::{Decode, Encode, Init};

fn secret(byte: u8) -> SecretKey {
    SecretKey::from_slice(&[byte; 32]).unwrap()
}

/// A signed `node_announcement` payload whose `features` field is `features_field` (a u16
/// length then bytes, possibly with leading zero bytes: BOLT 7 only says SHOULD be minimal).
fn node_announcement_payload(features_field: &[u8]) -> (Vec<u8>, PublicKey) {
    let secp = Secp256k1::new();
    let key = secret(9);
    let node_id = PublicKey::from_secret_key(&secp, &key);
    let mut signed = features_field.to_vec();
    signed.extend_from_slice(&1_700_000_000u32.to_be_bytes());
    signed.extend_from_slice(&node_id.serialize());
    signed.extend_from_slice(&[1, 2, 3]);
    signed.extend_from_slice(&[b'a'; 32]);
    signed.extend_from_slice(&[0, 0]); // no addresses
    let hash = lightning::bitcoin::hashes::sha256d::Hash::hash(&signed);
    use lightning::bitcoin::hashes::Hash;
    let signature = secp.sign_ecdsa(&Message::from_digest(hash.to_byte_array()), &key);
    let mut payload = signature.serialize_compact().to_vec();
    payload.extend_from_slice(&signed);
    (payload, node_id)
}

#[test]
fn node_announcement_with_non_minimal_features_keeps_its_bytes_and_signature() {
    // flen = 3: a leading zero byte, then bits 9 (var_onion_optin optional) and 8... set.
    let (payload, node_id) = node_announcement_payload(&[0, 3, 0, 0x02, 0x00]);
    let decoded = NodeAnnouncement::decode_exact(&payload).unwrap();
    assert_eq!(decoded.node_id, node_id);
    assert!(decoded.features.is_bit_set(9));
    assert_eq!(decoded.encode_to_vec(), payload);
    assert_eq!(decoded.verify_signature(&Secp256k1::new()), Ok(()));
}

#[test]
fn node_announcement_with_all_zero_features_keeps_its_bytes_and_signature() {
    let (payload, _) = node_announcement_payload(&[0, 2, 0, 0]);
    let decoded = NodeAnnouncement::decode_exact(&payload).unwrap();
    assert!(decoded.features.is_empty());
    assert_eq!(decoded.features, NodeFeatures::empty());
    assert_eq!(decoded.encode_to_vec(), payload);
    assert_eq!(decoded.verify_signature(&Secp256k1::new()), Ok(()));
}

#[test]
fn channel_announcement_with_non_minimal_features_keeps_its_bytes() {
    let secp = Secp256k1::new();
    let mut payload = Vec::new();
    for _ in 0..4 {
        payload.extend_from_slice(
            &secp
                .sign_ecdsa(&Message::from_digest([7; 32]), &secret(1))
                .serialize_compact(),
        );
    }
    payload.extend_from_slice(&[0, 2, 0, 0]); // features: two zero bytes
    payload.extend_from_slice(&[0x43; 32]); // chain hash
    payload.extend_from_slice(&[0, 0, 1, 0, 0, 2, 0, 3]); // scid
    for byte in 1..=4 {
        payload.extend_from_slice(&PublicKey::from_secret_key(&secp, &secret(byte)).serialize());
    }
    let decoded = ChannelAnnouncement::decode_exact(&payload).unwrap();
    assert_eq!(decoded.encode_to_vec(), payload);
    assert_eq!(decoded.signed_bytes(), payload[256..].to_vec());
}

#[test]
fn features_equality_and_hash_ignore_leading_zero_bytes() {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};
    let padded = InitFeatures::from_wire_bytes(&[0, 0, 0x02, 0x00]);
    let minimal = InitFeatures::from_wire_bytes(&[0x02, 0x00]);
    assert_eq!(padded, minimal);
    let hash = |features: &InitFeatures| {
        let mut hasher = DefaultHasher::new();
        features.hash(&mut hasher);
        hasher.finish()
    };
    assert_eq!(hash(&padded), hash(&minimal));
    assert_eq!(padded.to_wire_bytes(), vec![0, 0, 0x02, 0x00]);
    assert!(InitFeatures::from_wire_bytes(&[0, 0]).is_empty());
}

#[test]
fn init_round_trips_byte_for_byte() {
    // globalfeatures: 1 zero byte; features: 0x0200 after a zero byte.
    let payload = [0, 1, 0, 0, 3, 0, 0x02, 0x00];
    let init = Init::decode_exact(&payload).unwrap();
    assert_eq!(init.encode_to_vec(), payload.to_vec());
}
