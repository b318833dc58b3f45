//! The stateless inbound payment scheme, the payment onion for a route, and the receiver's
//! peel-and-validate decision, through the public functions of `lightning::manager`.

use core::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use lightning::manager::{
    build_payment_onion, receive_htlc, HtlcRejection, InboundHtlc, InboundPaymentError,
    InboundPaymentKey, PaymentSecret, ReceiveContext, RecipientOnionFields, RejectCause,
};
use lightning::onion::{decode_failure, Failure, FailureCode, FailureSource};
use lightning::routing::{Path, RouteHop};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::{NodeSigner, SignerReply};
use lightning::wire::{PaymentHash, ShortChannelId};
use secp256k1::ecdh::SharedSecret;
use secp256k1::{PublicKey, SecretKey};

const NOW: Duration = Duration::from_secs(1_700_000_000);

fn key() -> InboundPaymentKey {
    InboundPaymentKey::new(&[7u8; 32])
}

#[test]
fn derived_preimage_round_trip() {
    let key = key();
    let (hash, secret) = key.create_payment([1u8; 16], Some(50_000), 3600, NOW);
    let verified = key.verify(&hash, &secret, 50_000, NOW).expect("valid");
    let preimage = verified.preimage.expect("derived");
    assert_eq!(sha256::Hash::hash(&preimage.0).to_byte_array(), hash.0);
    assert_eq!(verified.min_amount_msat, 50_000);
    assert_eq!(verified.expires_at_secs, NOW.as_secs() + 3600);
    // Overpaying is fine.
    assert!(key.verify(&hash, &secret, 90_000, NOW).is_ok());
}

#[test]
fn different_nonces_give_different_payments() {
    let key = key();
    let (hash_a, secret_a) = key.create_payment([1u8; 16], None, 60, NOW);
    let (hash_b, secret_b) = key.create_payment([2u8; 16], None, 60, NOW);
    assert_ne!(hash_a, hash_b);
    assert_ne!(secret_a, secret_b);
    // A secret does not verify for another payment's hash.
    assert_eq!(
        key.verify(&hash_b, &secret_a, 1, NOW),
        Err(InboundPaymentError::UnknownPayment)
    );
}

#[test]
fn amount_and_expiry_are_enforced() {
    let key = key();
    let (hash, secret) = key.create_payment([3u8; 16], Some(10_000), 100, NOW);
    assert_eq!(
        key.verify(&hash, &secret, 9_999, NOW),
        Err(InboundPaymentError::AmountTooLow {
            expected_msat: 10_000,
            received_msat: 9_999
        })
    );
    let later = NOW + Duration::from_secs(100);
    assert_eq!(
        key.verify(&hash, &secret, 10_000, later),
        Err(InboundPaymentError::Expired {
            expired_at_secs: NOW.as_secs() + 100
        })
    );
    // Any amount: a zero minimum.
    let (hash, secret) = key.create_payment([4u8; 16], None, 100, NOW);
    assert!(key.verify(&hash, &secret, 1, NOW).is_ok());
}

#[test]
fn tampering_with_any_byte_is_detected() {
    let key = key();
    let (hash, secret) = key.create_payment([5u8; 16], Some(1_000), 600, NOW);
    for index in 0..32 {
        let mut tampered = secret;
        tampered.0[index] ^= 0x01;
        assert_eq!(
            key.verify(&hash, &tampered, 1_000_000, NOW),
            Err(InboundPaymentError::UnknownPayment),
            "byte {index}"
        );
    }
    // Another key does not accept it.
    let other = InboundPaymentKey::new(&[8u8; 32]);
    assert_eq!(
        other.verify(&hash, &secret, 1_000, NOW),
        Err(InboundPaymentError::UnknownPayment)
    );
}

#[test]
fn caller_held_preimage() {
    let key = key();
    let hash = PaymentHash(sha256::Hash::hash(b"preimage").to_byte_array());
    let secret = key.create_payment_for_hash(hash, Some(2_000), 60, NOW);
    let verified = key.verify(&hash, &secret, 2_000, NOW).expect("valid");
    assert_eq!(verified.preimage, None);
    let other_hash = PaymentHash([9u8; 32]);
    assert_eq!(
        key.verify(&other_hash, &secret, 2_000, NOW),
        Err(InboundPaymentError::UnknownPayment)
    );
}

fn node(seed: u8) -> KeysManager {
    KeysManager::new(&[seed; 32]).expect("valid seed")
}

fn ecdh(signer: &mut KeysManager) -> impl FnMut(&PublicKey) -> Option<SharedSecret> + '_ {
    move |point| match signer.ecdh(point, None) {
        SignerReply::Ready(secret) => Some(secret),
        _ => None,
    }
}

fn direct_path(node_id: PublicKey, amount_msat: u64) -> Path {
    Path::direct(node_id, ShortChannelId(1 << 40), amount_msat, 40)
}

const HEIGHT: u32 = 800_000;

fn context() -> ReceiveContext {
    ReceiveContext {
        current_height: HEIGHT,
        now: NOW,
        min_final_cltv_expiry_delta: 18,
    }
}

#[test]
fn one_hop_payment_is_received_with_its_preimage() {
    let mut recipient = node(2);
    let key = key();
    let (hash, secret) = key.create_payment([1u8; 16], Some(42_000), 3600, NOW);
    let mut fields = RecipientOnionFields::secret_only(secret);
    fields.payment_metadata = Some(vec![1, 2, 3]);
    fields.custom_tlvs = vec![(70_001, vec![9, 9])];
    let session = SecretKey::from_slice(&[0x41; 32]).unwrap();
    let onion = build_payment_onion(
        &direct_path(recipient.node_id(), 42_000),
        &hash,
        &fields,
        HEIGHT,
        &session,
    )
    .expect("built");
    assert_eq!(onion.first_hop_amount_msat, 42_000);
    assert_eq!(onion.first_hop_cltv_expiry, HEIGHT + 40);
    let htlc = InboundHtlc {
        amount_msat: 42_000,
        payment_hash: hash,
        cltv_expiry: HEIGHT + 40,
        onion: &onion.onion[..],
    };
    let received = receive_htlc(&htlc, &context(), &key, ecdh(&mut recipient)).expect("accepted");
    assert_eq!(received.payment_secret, secret);
    assert_eq!(received.payment_metadata, Some(vec![1, 2, 3]));
    assert_eq!(received.custom_tlvs, vec![(70_001, vec![9, 9])]);
    let preimage = received.payment_preimage.expect("derived");
    assert_eq!(sha256::Hash::hash(&preimage.0).to_byte_array(), hash.0);
}

fn rejected_failure(
    rejection: &HtlcRejection,
    sender_secrets: &[SharedSecret],
) -> (usize, Failure) {
    let packet = rejection.failure_packet().expect("a failure packet");
    match decode_failure(sender_secrets, &packet, None).source {
        FailureSource::Hop { index, decoded, .. } => (index, decoded.expect("parsed").failure),
        other => panic!("unattributed: {other:?}"),
    }
}

#[test]
fn wrong_secret_fails_with_unknown_payment_details_decoded_by_sender() {
    let mut recipient = node(2);
    let key = key();
    let (hash, _) = key.create_payment([1u8; 16], Some(42_000), 3600, NOW);
    let fields = RecipientOnionFields::secret_only(PaymentSecret([0xaa; 32]));
    let session = SecretKey::from_slice(&[0x42; 32]).unwrap();
    let path = direct_path(recipient.node_id(), 42_000);
    let onion = build_payment_onion(&path, &hash, &fields, HEIGHT, &session).unwrap();
    let htlc = InboundHtlc {
        amount_msat: 42_000,
        payment_hash: hash,
        cltv_expiry: HEIGHT + 40,
        onion: &onion.onion[..],
    };
    let rejection = receive_htlc(&htlc, &context(), &key, ecdh(&mut recipient)).unwrap_err();
    assert!(matches!(
        rejection,
        HtlcRejection::Fail {
            cause: RejectCause::Payment(InboundPaymentError::UnknownPayment),
            ..
        }
    ));
    let (index, failure) = rejected_failure(&rejection, &onion.hop_shared_secrets);
    assert_eq!(index, 0);
    assert_eq!(
        failure,
        Failure::IncorrectOrUnknownPaymentDetails {
            htlc_msat: 42_000,
            height: HEIGHT
        }
    );
}

#[test]
fn htlc_below_onion_amount_or_expiry_is_refused() {
    let mut recipient = node(2);
    let key = key();
    let (hash, secret) = key.create_payment([1u8; 16], None, 3600, NOW);
    let fields = RecipientOnionFields::secret_only(secret);
    let session = SecretKey::from_slice(&[0x43; 32]).unwrap();
    let onion = build_payment_onion(
        &direct_path(recipient.node_id(), 5_000),
        &hash,
        &fields,
        HEIGHT,
        &session,
    )
    .unwrap();
    let mut htlc = InboundHtlc {
        amount_msat: 4_999,
        payment_hash: hash,
        cltv_expiry: HEIGHT + 40,
        onion: &onion.onion[..],
    };
    let rejection = receive_htlc(&htlc, &context(), &key, ecdh(&mut recipient)).unwrap_err();
    let (_, failure) = rejected_failure(&rejection, &onion.hop_shared_secrets);
    assert_eq!(
        failure,
        Failure::FinalIncorrectHtlcAmount {
            incoming_htlc_amt: 4_999
        }
    );
    htlc.amount_msat = 5_000;
    htlc.cltv_expiry = HEIGHT + 39;
    let rejection = receive_htlc(&htlc, &context(), &key, ecdh(&mut recipient)).unwrap_err();
    let (_, failure) = rejected_failure(&rejection, &onion.hop_shared_secrets);
    assert_eq!(
        failure,
        Failure::FinalIncorrectCltvExpiry {
            cltv_expiry: HEIGHT + 39
        }
    );
}

#[test]
fn expiry_too_close_is_refused() {
    let mut recipient = node(2);
    let key = key();
    let (hash, secret) = key.create_payment([1u8; 16], None, 3600, NOW);
    let fields = RecipientOnionFields::secret_only(secret);
    let session = SecretKey::from_slice(&[0x44; 32]).unwrap();
    let path = Path::direct(recipient.node_id(), ShortChannelId(1), 1_000, 10);
    let onion = build_payment_onion(&path, &hash, &fields, HEIGHT, &session).unwrap();
    let htlc = InboundHtlc {
        amount_msat: 1_000,
        payment_hash: hash,
        cltv_expiry: HEIGHT + 10,
        onion: &onion.onion[..],
    };
    let rejection = receive_htlc(&htlc, &context(), &key, ecdh(&mut recipient)).unwrap_err();
    assert!(matches!(
        rejection,
        HtlcRejection::Fail {
            cause: RejectCause::ExpiryTooSoon,
            ..
        }
    ));
}

#[test]
fn forwarding_onion_fails_with_unknown_next_peer() {
    let mut hop = node(2);
    let far = node(3);
    let key = key();
    let (hash, secret) = key.create_payment([1u8; 16], None, 3600, NOW);
    let path = Path {
        hops: vec![
            RouteHop {
                node_id: hop.node_id(),
                short_channel_id: ShortChannelId(1),
                fee_msat: 10,
                cltv_expiry_delta: 30,
            },
            RouteHop {
                node_id: far.node_id(),
                short_channel_id: ShortChannelId(2),
                fee_msat: 1_000,
                cltv_expiry_delta: 40,
            },
        ],
    };
    assert_eq!(path.fee_msat(), Some(10));
    let session = SecretKey::from_slice(&[0x45; 32]).unwrap();
    let fields = RecipientOnionFields::secret_only(secret);
    let onion = build_payment_onion(&path, &hash, &fields, HEIGHT, &session).unwrap();
    assert_eq!(onion.first_hop_amount_msat, 1_010);
    assert_eq!(onion.first_hop_cltv_expiry, HEIGHT + 70);
    assert_eq!(onion.hop_shared_secrets.len(), 2);
    let htlc = InboundHtlc {
        amount_msat: 1_010,
        payment_hash: hash,
        cltv_expiry: HEIGHT + 70,
        onion: &onion.onion[..],
    };
    let rejection = receive_htlc(&htlc, &context(), &key, ecdh(&mut hop)).unwrap_err();
    let (index, failure) = rejected_failure(&rejection, &onion.hop_shared_secrets);
    assert_eq!(index, 0);
    assert_eq!(failure, Failure::UnknownNextPeer);
}

#[test]
fn corrupted_onion_is_malformed() {
    let mut recipient = node(2);
    let key = key();
    let (hash, secret) = key.create_payment([1u8; 16], None, 3600, NOW);
    let session = SecretKey::from_slice(&[0x46; 32]).unwrap();
    let onion = build_payment_onion(
        &direct_path(recipient.node_id(), 1_000),
        &hash,
        &RecipientOnionFields::secret_only(secret),
        HEIGHT,
        &session,
    )
    .unwrap();
    let mut bytes = onion.onion.to_vec();
    bytes[100] ^= 1;
    let htlc = InboundHtlc {
        amount_msat: 1_000,
        payment_hash: hash,
        cltv_expiry: HEIGHT + 40,
        onion: &bytes,
    };
    match receive_htlc(&htlc, &context(), &key, ecdh(&mut recipient)) {
        Err(HtlcRejection::Malformed(malformed)) => {
            assert_eq!(malformed.failure_code, FailureCode::INVALID_ONION_HMAC)
        }
        other => panic!("expected malformed, got {other:?}"),
    }
    // No ECDH answer: retry later.
    let htlc = InboundHtlc {
        onion: &onion.onion[..],
        ..htlc
    };
    assert_eq!(
        receive_htlc(&htlc, &context(), &key, |_| None),
        Err(HtlcRejection::SignerUnavailable)
    );
}

#[test]
fn custom_tlvs_below_the_custom_range_are_refused() {
    let recipient = node(2);
    let fields = RecipientOnionFields {
        custom_tlvs: vec![(101, vec![1])],
        ..Default::default()
    };
    let session = SecretKey::from_slice(&[0x47; 32]).unwrap();
    let err = build_payment_onion(
        &direct_path(recipient.node_id(), 1_000),
        &PaymentHash([0; 32]),
        &fields,
        HEIGHT,
        &session,
    )
    .unwrap_err();
    assert_eq!(err, lightning::manager::SendError::InvalidCustomTlvs);
}
