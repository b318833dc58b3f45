//! KeysManager as a node signer and signer provider: determinism, ECDH, signatures.

use lightning_signer_api::bitcoin::secp256k1::{Message, PublicKey, Scalar, Secp256k1};
use lightning_signer_api::keys_manager::KeysManager;
use lightning_signer_api::traits::{
    gossip_signing_hash, invoice_signing_hash, signed_message_hash, ChannelKeysId, InvalidInput,
    NodeSigner, Refusal, SignerProvider, SignerReply, UnsignedGossip,
};

fn manager(seed_byte: u8) -> KeysManager {
    KeysManager::new(&[seed_byte; 32]).expect("valid seed")
}

fn ready<T>(reply: SignerReply<T>) -> T {
    match reply {
        SignerReply::Ready(value) => value,
        other => panic!("expected Ready, got {:?}", other.map(|_| ())),
    }
}

fn refusal<T>(reply: SignerReply<T>) -> Refusal {
    match reply {
        SignerReply::Refused(refusal) => refusal,
        other => panic!("expected Refused, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn same_seed_gives_same_keys_and_ids_give_distinct_channels() {
    let mut a = manager(1);
    let mut b = manager(1);
    assert_eq!(a.node_id(), b.node_id());
    assert_ne!(a.node_id(), manager(2).node_id());
    let id = ChannelKeysId([7; 32]);
    let keys_a = ready(a.derive_channel_signer(&id).public_keys());
    let keys_b = ready(b.derive_channel_signer(&id).public_keys());
    assert_eq!(keys_a, keys_b);
    let other = ready(
        a.derive_channel_signer(&ChannelKeysId([8; 32]))
            .public_keys(),
    );
    assert_ne!(keys_a.funding_pubkey, other.funding_pubkey);
    assert_ne!(keys_a.revocation_basepoint, other.revocation_basepoint);
    let all = [
        keys_a.funding_pubkey,
        keys_a.revocation_basepoint,
        keys_a.payment_point,
        keys_a.delayed_payment_basepoint,
        keys_a.htlc_basepoint,
    ];
    for (i, x) in all.iter().enumerate() {
        for y in &all[i + 1..] {
            assert_ne!(x, y, "each basepoint is its own key");
        }
    }
    // Another seed gives other channel keys for the same id.
    let foreign = ready(manager(2).derive_channel_signer(&id).public_keys());
    assert_ne!(keys_a.funding_pubkey, foreign.funding_pubkey);
}

#[test]
fn channel_keys_ids_depend_on_entropy_and_user_id() {
    let mut km = manager(1);
    let id = km.generate_channel_keys_id(&[1; 32], 42);
    assert_eq!(id, km.generate_channel_keys_id(&[1; 32], 42));
    assert_ne!(id, km.generate_channel_keys_id(&[2; 32], 42));
    assert_ne!(id, km.generate_channel_keys_id(&[1; 32], 43));
    assert_eq!(km.derive_channel_signer(&id).channel_keys_id(), id);
}

#[test]
fn destination_and_shutdown_scripts_are_stable_p2wpkh() {
    let id = ChannelKeysId([0; 32]);
    let destination = ready(manager(1).destination_script(&id));
    let shutdown = ready(manager(1).shutdown_script(&id));
    assert!(destination.is_p2wpkh());
    assert!(shutdown.is_p2wpkh());
    assert_ne!(destination, shutdown);
    assert_eq!(destination, ready(manager(1).destination_script(&id)));
    assert_ne!(destination, ready(manager(2).destination_script(&id)));
}

#[test]
fn ecdh_is_symmetric_with_and_without_tweak() {
    let secp = Secp256k1::new();
    let mut alice = manager(1);
    let mut bob = manager(2);
    let ab = ready(alice.ecdh(&bob.node_id(), None));
    let ba = ready(bob.ecdh(&alice.node_id(), None));
    assert_eq!(ab, ba);
    // ECDH is SHA256 of the compressed shared point.
    let tweak = Scalar::from_be_bytes([3; 32]).unwrap();
    let tweaked = ready(alice.ecdh(&bob.node_id(), Some(&tweak)));
    let alice_tweaked_point = alice.node_id().mul_tweak(&secp, &tweak).unwrap();
    assert_eq!(tweaked, ready(bob.ecdh(&alice_tweaked_point, None)));
    assert_ne!(tweaked, ab);
}

const CHARSET: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// The BOLT 11 "donation" invoice's data part (timestamp and tagged fields), 5-bit values.
fn donation_data() -> Vec<u8> {
    let body = "pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq";
    body.chars()
        .map(|c| CHARSET.find(c).unwrap() as u8)
        .collect()
}

/// An `n` tagged field (5-bit values) carrying `key`.
fn payee_field(key: &PublicKey) -> Vec<u8> {
    let mut values = vec![19, 1, 21]; // tag n, length 53
    let mut accumulator = 0u32;
    let mut bits = 0;
    for byte in key.serialize() {
        accumulator = (accumulator << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            values.push(((accumulator >> bits) & 31) as u8);
        }
    }
    values.push(((accumulator << (5 - bits)) & 31) as u8);
    assert_eq!(values.len(), 3 + 53);
    values
}

#[test]
fn invoice_signature_recovers_to_the_node_id() {
    let secp = Secp256k1::new();
    let mut km = manager(1);
    let mut data = donation_data();
    let signature = ready(km.sign_invoice("lnbc", &data));
    let hash = Message::from_digest(invoice_signing_hash("lnbc", &data).unwrap());
    assert_eq!(secp.recover_ecdsa(&hash, &signature).unwrap(), km.node_id());
    // With our own `n` field it still signs; with another node's it refuses.
    data.extend(payee_field(&km.node_id()));
    assert!(matches!(
        km.sign_invoice("lnbc", &data),
        SignerReply::Ready(_)
    ));
    let mut foreign = donation_data();
    foreign.extend(payee_field(&manager(2).node_id()));
    assert_eq!(
        refusal(km.sign_invoice("lnbc", &foreign)),
        Refusal::InvalidInput(InvalidInput::NotOurs)
    );
    let mut truncated = donation_data();
    truncated.extend([1, 0, 9, 4]); // a field announcing 9 values but carrying 1
    assert_eq!(
        refusal(km.sign_invoice("lnbc", &truncated)),
        Refusal::InvalidInput(InvalidInput::MalformedMessage)
    );
}

fn node_announcement(node_id: &PublicKey) -> Vec<u8> {
    let mut bytes = vec![0, 1, 0x80]; // features: 1 byte
    bytes.extend(1_700_000_000u32.to_be_bytes());
    bytes.extend(node_id.serialize());
    bytes.extend([1, 2, 3]); // rgb
    bytes.extend([b'a'; 32]); // alias
    bytes.extend([0, 0]); // no addresses
    bytes
}

#[test]
fn gossip_signatures_verify_and_foreign_announcements_are_refused() {
    let secp = Secp256k1::new();
    let mut km = manager(1);
    let announcement = node_announcement(&km.node_id());
    let signature = ready(km.sign_gossip(UnsignedGossip::NodeAnnouncement(&announcement)));
    let digest = Message::from_digest(gossip_signing_hash(&announcement));
    assert!(secp
        .verify_ecdsa(&digest, &signature, &km.node_id())
        .is_ok());

    let foreign = node_announcement(&manager(2).node_id());
    assert_eq!(
        refusal(km.sign_gossip(UnsignedGossip::NodeAnnouncement(&foreign))),
        Refusal::InvalidInput(InvalidInput::NotOurs)
    );
    assert_eq!(
        refusal(km.sign_gossip(UnsignedGossip::NodeAnnouncement(&announcement[..20]))),
        Refusal::InvalidInput(InvalidInput::MalformedMessage)
    );

    let update = [9u8; 60];
    let signature = ready(km.sign_gossip(UnsignedGossip::ChannelUpdate(&update)));
    let digest = Message::from_digest(gossip_signing_hash(&update));
    assert!(secp
        .verify_ecdsa(&digest, &signature, &km.node_id())
        .is_ok());
}

#[test]
fn message_signature_recovers_to_the_node_id() {
    let secp = Secp256k1::new();
    let mut km = manager(1);
    let signature = ready(km.sign_message(b"hello lightning"));
    let digest = Message::from_digest(signed_message_hash(b"hello lightning"));
    assert_eq!(
        secp.recover_ecdsa(&digest, &signature).unwrap(),
        km.node_id()
    );
    let other = Message::from_digest(signed_message_hash(b"hello lightning!"));
    assert_ne!(
        secp.recover_ecdsa(&other, &signature).ok(),
        Some(km.node_id())
    );
}

#[test]
fn plugs_are_object_safe() {
    let mut node: Box<dyn NodeSigner> = Box::new(manager(1));
    let mut provider: Box<dyn SignerProvider> = Box::new(manager(1));
    let signer = provider.derive_channel_signer(&ChannelKeysId([1; 32]));
    assert_eq!(signer.channel_keys_id(), ChannelKeysId([1; 32]));
    assert!(matches!(node.sign_message(b"x"), SignerReply::Ready(_)));
}

mod random_input {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn node_signer_never_panics_on_random_messages(
            data in proptest::collection::vec(any::<u8>(), 0..400),
            five_bit in proptest::collection::vec(0u8..32, 0..400),
        ) {
            let mut km = manager(1);
            let _ = km.sign_invoice("lnbc", &data);
            let _ = km.sign_invoice("lntb", &five_bit);
            let _ = km.sign_gossip(UnsignedGossip::NodeAnnouncement(&data));
            let _ = km.sign_gossip(UnsignedGossip::ChannelAnnouncement(&data));
            let _ = km.sign_gossip(UnsignedGossip::ChannelUpdate(&data));
        }
    }
}
