//! Property tests: random bytes never make the peeler (or the payload, failure and attribution
//! readers) panic, and building then peeling hop by hop round-trips random payloads.

use lightning::bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning::onion::{
    build_onion, create_failure, decode_failure, derive_hop_keys, peel_onion, peel_onion_bytes,
    wrap_failure, AttributionData, Failure, FailureMessage, FailureSource, FinalPayload,
    ForwardPayload, HopPayload, OnionHop, OnionPacket, PeeledOnion, SharedSecret,
    ATTRIBUTION_DATA_LEN, HOP_PAYLOADS_LEN, ONION_PACKET_LEN,
};
use lightning::wire::ShortChannelId;
use proptest::prelude::*;

fn secret_from(seed: u64) -> SecretKey {
    let mut bytes = [0x5au8; 32];
    bytes[..8].copy_from_slice(&seed.to_be_bytes());
    SecretKey::from_slice(&bytes).expect("a valid scalar with this prefix")
}

/// Random hop payloads (2..=max bytes each) whose total fits in the onion.
fn payloads(hops: usize) -> impl Strategy<Value = Vec<Vec<u8>>> {
    let per_hop = (HOP_PAYLOADS_LEN / hops)
        .saturating_sub(3 + 32)
        .clamp(2, 300);
    proptest::collection::vec(proptest::collection::vec(any::<u8>(), 2..=per_hop), hops)
}

fn route() -> impl Strategy<Value = (u64, Vec<u64>, Vec<Vec<u8>>, [u8; 32])> {
    (1usize..=20).prop_flat_map(|hops| {
        (
            any::<u64>(),
            proptest::collection::vec(any::<u64>(), hops),
            payloads(hops),
            any::<[u8; 32]>(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn build_then_peel_round_trips((session, nodes, payloads, ad) in route()) {
        let secrets: Vec<SecretKey> = nodes.iter().map(|n| secret_from(*n)).collect();
        let secp = Secp256k1::new();
        let hops: Vec<OnionHop> = secrets
            .iter()
            .zip(&payloads)
            .map(|(s, p)| OnionHop { node_id: PublicKey::from_secret_key(&secp, s), payload: p.clone() })
            .collect();
        let built = build_onion(&secret_from(session), &hops, &ad).unwrap();
        let mut packet = built.packet.clone();
        for (index, node_secret) in secrets.iter().enumerate() {
            let peeled = peel_onion(&packet, &ad, |point: &PublicKey| {
                Ok::<_, ()>(SharedSecret::new(point, node_secret))
            })
            .unwrap();
            prop_assert_eq!(peeled.payload(), payloads[index].as_slice());
            prop_assert_eq!(*peeled.shared_secret(), built.hop_keys[index].shared_secret);
            match peeled {
                PeeledOnion::Forward { next_packet, .. } => {
                    prop_assert!(index + 1 < secrets.len());
                    prop_assert_eq!(
                        next_packet.public_key,
                        built.hop_keys[index + 1].ephemeral_public_key.serialize()
                    );
                    packet = *next_packet;
                }
                PeeledOnion::Final { .. } => prop_assert_eq!(index + 1, secrets.len()),
            }
        }
    }

    #[test]
    fn random_bytes_never_panic_the_peeler(
        bytes in proptest::collection::vec(any::<u8>(), 0..1400),
        node in any::<u64>(),
    ) {
        let node_secret = secret_from(node);
        let ecdh = |point: &PublicKey| Ok::<_, ()>(SharedSecret::new(point, &node_secret));
        let _ = peel_onion_bytes(&bytes, &[0; 32], ecdh);
    }

    #[test]
    fn random_packets_with_valid_keys_never_panic(
        payloads in proptest::collection::vec(any::<u8>(), HOP_PAYLOADS_LEN),
        hmac in any::<[u8; 32]>(),
        key_seed in any::<u64>(),
    ) {
        let secp = Secp256k1::new();
        let mut packet_bytes = vec![0u8];
        packet_bytes.extend_from_slice(&PublicKey::from_secret_key(&secp, &secret_from(key_seed)).serialize());
        packet_bytes.extend_from_slice(&payloads);
        packet_bytes.extend_from_slice(&hmac);
        prop_assert_eq!(packet_bytes.len(), ONION_PACKET_LEN);
        let packet = OnionPacket::from_bytes(&packet_bytes).unwrap();
        prop_assert_eq!(packet.to_bytes(), packet_bytes);
        let node_secret = secret_from(7);
        let result = peel_onion(&packet, &[1; 32], |point: &PublicKey| {
            Ok::<_, ()>(SharedSecret::new(point, &node_secret))
        });
        prop_assert!(result.is_err(), "a random HMAC must not verify");
    }

    #[test]
    fn random_payload_and_failure_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = HopPayload::decode(&bytes);
        let _ = ForwardPayload::decode(&bytes, None);
        let _ = FinalPayload::decode(&bytes, None, &[65_536]);
        let _ = FailureMessage::decode(&bytes);
        let secrets: Vec<SharedSecret> = (1..4).map(|i| SharedSecret::from_bytes([i; 32])).collect();
        let mut attribution_bytes = bytes.clone();
        attribution_bytes.resize(ATTRIBUTION_DATA_LEN, 7);
        let attribution = AttributionData::from_slice(&attribution_bytes).unwrap();
        let decoded = decode_failure(&secrets, &bytes, Some(&attribution));
        prop_assert_eq!(decoded.source, FailureSource::Unattributable);
    }

    #[test]
    fn typed_payloads_round_trip(
        amount in any::<u64>(),
        cltv in any::<u32>(),
        scid in any::<u64>(),
        secret in any::<[u8; 32]>(),
        total in any::<u64>(),
        metadata in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
    ) {
        let forward = HopPayload {
            amt_to_forward: Some(amount),
            outgoing_cltv_value: Some(cltv),
            short_channel_id: Some(ShortChannelId(scid)),
            ..HopPayload::default()
        };
        prop_assert_eq!(HopPayload::decode(&forward.encode()).unwrap(), forward.clone());
        prop_assert!(ForwardPayload::decode(&forward.encode(), None).is_ok());
        let last = HopPayload {
            amt_to_forward: Some(amount),
            outgoing_cltv_value: Some(cltv),
            payment_data: Some(lightning::onion::PaymentData { payment_secret: secret, total_msat: total }),
            payment_metadata: metadata,
            ..HopPayload::default()
        };
        let decoded = FinalPayload::decode(&last.encode(), None, &[]).unwrap();
        prop_assert_eq!(decoded.total_msat(), total);
        prop_assert_eq!(decoded.amt_to_forward(), amount);
    }

    #[test]
    fn failures_from_random_routes_are_attributed(
        session in any::<u64>(),
        nodes in proptest::collection::vec(any::<u64>(), 1..=20),
        erring_pick in any::<usize>(),
        hold in any::<u32>(),
    ) {
        let secp = Secp256k1::new();
        let ids: Vec<PublicKey> =
            nodes.iter().map(|n| PublicKey::from_secret_key(&secp, &secret_from(*n))).collect();
        let secrets: Vec<SharedSecret> = derive_hop_keys(&secret_from(session), &ids)
            .unwrap()
            .iter()
            .map(|k| k.shared_secret)
            .collect();
        let erring = erring_pick % secrets.len();
        let created = create_failure(&secrets[erring], &Failure::ExpiryTooFar.into(), hold).unwrap();
        let mut packet = created.packet;
        let mut attribution = created.attribution;
        for hop in (0..erring).rev() {
            attribution = wrap_failure(&secrets[hop], &mut packet, Some(attribution), hold);
        }
        let decoded = decode_failure(&secrets, &packet, Some(&attribution));
        let attributed = matches!(decoded.source, FailureSource::Hop { index, .. } if index == erring);
        prop_assert!(attributed);
        let report = decoded.attribution.unwrap();
        prop_assert_eq!(report.first_invalid_hop, None);
        prop_assert_eq!(report.hold_times, vec![hold; erring + 1]);
    }
}
