//! Bad input: malformed onions name the failure to return, oversized routes are refused, and
//! mangled failure packets are reported as such.

use lightning::bitcoin::hashes::hmac::{Hmac, HmacEngine};
use lightning::bitcoin::hashes::{sha256, Hash, HashEngine};
use lightning::bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning::onion::{
    build_onion, create_failure, decode_failure, derive_hop_keys, derive_key, generate_stream,
    peel_onion, peel_onion_bytes, wrap_failure, BuildError, Failure, FailureCode, FailureMessage,
    FailureSource, KeyType, MalformedHtlc, OnionHop, OnionPacket, PayloadFramingError, PeelError,
    PeeledOnion, SharedSecret, HOP_PAYLOADS_LEN, ONION_PACKET_LEN,
};

fn secret(byte: u8) -> SecretKey {
    SecretKey::from_slice(&[byte; 32]).unwrap()
}

fn node_id(byte: u8) -> PublicKey {
    PublicKey::from_secret_key(&Secp256k1::new(), &secret(byte))
}

fn ecdh(node: u8) -> impl FnMut(&PublicKey) -> Result<SharedSecret, ()> {
    move |point| Ok(SharedSecret::new(point, &secret(node)))
}

const AD: [u8; 32] = [0x42; 32];

fn route(len: u8, payload_len: usize) -> Vec<OnionHop> {
    (1..=len)
        .map(|i| OnionHop {
            node_id: node_id(i),
            payload: vec![i; payload_len],
        })
        .collect()
}

fn one_hop_onion() -> OnionPacket {
    build_onion(&secret(0x77), &route(1, 10), &AD)
        .unwrap()
        .packet
}

#[test]
fn truncated_onion_is_invalid_onion_hmac() {
    let bytes = one_hop_onion().to_bytes();
    for len in [0, 1, 34, ONION_PACKET_LEN - 1] {
        let err = peel_onion_bytes(&bytes[..len], &AD, ecdh(1)).unwrap_err();
        assert_eq!(err, PeelError::WrongLength { len });
        assert_eq!(err.failure_code(), Some(FailureCode::INVALID_ONION_HMAC));
        let malformed = MalformedHtlc::for_peel_error(&bytes[..len], &err).unwrap();
        assert_eq!(
            malformed.sha256_of_onion,
            sha256::Hash::hash(&bytes[..len]).to_byte_array()
        );
    }
    let mut long = bytes.clone();
    long.push(0);
    assert!(matches!(
        peel_onion_bytes(&long, &AD, ecdh(1)),
        Err(PeelError::WrongLength { len }) if len == ONION_PACKET_LEN + 1
    ));
}

#[test]
fn bad_version_is_invalid_onion_version() {
    let mut packet = one_hop_onion();
    packet.version = 1;
    let err = peel_onion(&packet, &AD, ecdh(1)).unwrap_err();
    assert_eq!(err, PeelError::UnknownVersion { version: 1 });
    assert_eq!(err.failure_code(), Some(FailureCode::INVALID_ONION_VERSION));
    let malformed = MalformedHtlc::for_peel_error(&packet.to_bytes(), &err).unwrap();
    assert_eq!(malformed.failure_code, FailureCode::INVALID_ONION_VERSION);
    assert_eq!(malformed.sha256_of_onion, packet.sha256());
}

#[test]
fn bad_point_is_invalid_onion_key() {
    let mut packet = one_hop_onion();
    packet.public_key[0] = 0x05;
    let err = peel_onion(&packet, &AD, ecdh(1)).unwrap_err();
    assert_eq!(err, PeelError::InvalidPublicKey);
    assert_eq!(err.failure_code(), Some(FailureCode::INVALID_ONION_KEY));
}

#[test]
fn bad_hmac_is_invalid_onion_hmac() {
    let packet = one_hop_onion();
    for tamper in 0..3 {
        let mut bad = packet.clone();
        match tamper {
            0 => bad.hmac[5] ^= 1,
            1 => bad.hop_payloads[700] ^= 1,
            _ => {}
        }
        let ad: &[u8] = if tamper == 2 { &[0x43; 32] } else { &AD };
        let err = peel_onion(&bad, ad, ecdh(1)).unwrap_err();
        assert_eq!(err, PeelError::InvalidHmac);
        let malformed = MalformedHtlc::for_peel_error(&bad.to_bytes(), &err).unwrap();
        assert_eq!(malformed.failure_code, FailureCode::INVALID_ONION_HMAC);
    }
    // The wrong node cannot authenticate it either.
    assert_eq!(
        peel_onion(&packet, &AD, ecdh(2)).unwrap_err(),
        PeelError::InvalidHmac
    );
}

#[test]
fn ecdh_failure_is_passed_through_without_a_code() {
    let err = peel_onion(&one_hop_onion(), &AD, |_: &PublicKey| Err("signer offline")).unwrap_err();
    assert_eq!(err, PeelError::Ecdh("signer offline"));
    assert_eq!(err.failure_code(), None);
    assert_eq!(MalformedHtlc::for_peel_error(&[], &err), None);
}

/// A version-0 packet whose authenticated plaintext is `plaintext` (padded with zeroes).
fn packet_with_plaintext(plaintext: &[u8], node: u8) -> (OnionPacket, SharedSecret) {
    let session = secret(0x55);
    let keys = derive_hop_keys(&session, &[node_id(node)]).unwrap();
    let shared = keys[0].shared_secret;
    let rho = derive_key(KeyType::Rho, &shared.secret_bytes());
    let stream = generate_stream(&rho, HOP_PAYLOADS_LEN);
    let mut hop_payloads = [0u8; HOP_PAYLOADS_LEN];
    hop_payloads[..plaintext.len()].copy_from_slice(plaintext);
    for (byte, key) in hop_payloads.iter_mut().zip(&stream) {
        *byte ^= key;
    }
    let mu = derive_key(KeyType::Mu, &shared.secret_bytes());
    let mut engine = HmacEngine::<sha256::Hash>::new(&mu);
    engine.input(&hop_payloads);
    engine.input(&AD);
    let hmac = Hmac::<sha256::Hash>::from_engine(engine).to_byte_array();
    let packet = OnionPacket {
        version: 0,
        public_key: keys[0].ephemeral_public_key.serialize(),
        hop_payloads,
        hmac,
    };
    (packet, shared)
}

#[test]
fn bogus_payload_lengths_are_invalid_onion_payload() {
    let cases: &[(&[u8], PayloadFramingError)] = &[
        (&[0x00], PayloadFramingError::ReservedLength),
        (&[0x01], PayloadFramingError::ReservedLength),
        (&[0xfd, 0x00, 0x10], PayloadFramingError::MalformedLength),
        (&[0xfd, 0x05, 0x00], PayloadFramingError::LengthTooLarge),
        (&[0xfd, 0x04, 0xf2], PayloadFramingError::LengthTooLarge), // 1266 + 3 + 32 > 1300
        (
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            PayloadFramingError::LengthTooLarge,
        ),
    ];
    for (prefix, reason) in cases {
        let (packet, shared) = packet_with_plaintext(prefix, 9);
        let err = peel_onion(&packet, &AD, ecdh(9)).unwrap_err();
        assert_eq!(
            err,
            PeelError::InvalidPayload {
                shared_secret: shared,
                reason: *reason
            }
        );
        assert_eq!(err.failure_code(), Some(FailureCode::INVALID_ONION_PAYLOAD));
        // Not BADONION: it goes back as a failure packet, not update_fail_malformed_htlc.
        assert_eq!(
            MalformedHtlc::for_peel_error(&packet.to_bytes(), &err),
            None
        );
    }
    // The largest length that fits: 1300 - 3 - 32 = 1265 bytes, final hop.
    let (packet, _) = packet_with_plaintext(&[0xfd, 0x04, 0xf1], 9);
    match peel_onion(&packet, &AD, ecdh(9)).unwrap() {
        PeeledOnion::Final { payload, .. } => assert_eq!(payload.len(), 1265),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn build_refuses_bad_routes() {
    let session = secret(0x11);
    assert_eq!(build_onion(&session, &[], &AD), Err(BuildError::NoHops));
    let too_many: Vec<OnionHop> = (0..28)
        .map(|i| OnionHop {
            node_id: node_id(i + 1),
            payload: vec![1, 2],
        })
        .collect();
    assert_eq!(
        build_onion(&session, &too_many, &AD),
        Err(BuildError::TooManyHops { hops: 28 })
    );
    assert!(build_onion(&session, &too_many[..27], &AD).is_ok());
    let mut short = route(3, 4);
    short[1].payload = vec![1];
    assert_eq!(
        build_onion(&session, &short, &AD),
        Err(BuildError::PayloadTooShort { hop: 1 })
    );
    // Two 600-byte payloads need 2 * (3 + 600 + 32) = 1270 bytes: fits. Three do not.
    assert!(build_onion(&session, &route(2, 600), &AD).is_ok());
    assert_eq!(
        build_onion(&session, &route(3, 600), &AD),
        Err(BuildError::PayloadsTooLarge { needed: 1905 })
    );
    // Exactly 1300 bytes fits: one payload of 1300 - 3 - 32.
    assert!(build_onion(&session, &route(1, 1265), &AD).is_ok());
    assert!(matches!(
        build_onion(&session, &route(1, 1266), &AD),
        Err(BuildError::PayloadsTooLarge { .. })
    ));
}

fn route_secrets(len: u8) -> Vec<SharedSecret> {
    let ids: Vec<PublicKey> = (1..=len).map(node_id).collect();
    derive_hop_keys(&secret(0x33), &ids)
        .unwrap()
        .iter()
        .map(|k| k.shared_secret)
        .collect()
}

#[test]
fn failure_from_each_hop_is_attributed_to_it() {
    let secrets = route_secrets(6);
    for erring in 0..secrets.len() {
        let message = FailureMessage::from(Failure::UnknownNextPeer);
        let created = create_failure(&secrets[erring], &message, 7).unwrap();
        let mut packet = created.packet;
        let mut attribution = created.attribution;
        for hop in (0..erring).rev() {
            attribution = wrap_failure(&secrets[hop], &mut packet, Some(attribution), 3);
        }
        let decoded = decode_failure(&secrets, &packet, Some(&attribution));
        match decoded.source {
            FailureSource::Hop { index, decoded, .. } => {
                assert_eq!(index, erring);
                assert_eq!(decoded.unwrap(), message);
            }
            other => panic!("unexpected {other:?}"),
        }
        let report = decoded.attribution.unwrap();
        assert_eq!(report.first_invalid_hop, None);
        let mut expected = vec![3; erring];
        expected.push(7);
        assert_eq!(report.hold_times, expected);
    }
}

#[test]
fn mangled_failure_is_unattributable_and_attribution_blames_the_hop() {
    let secrets = route_secrets(5);
    let created = create_failure(&secrets[4], &Failure::MppTimeout.into(), 1).unwrap();
    let mut packet = created.packet;
    let mut attribution = created.attribution;
    for hop in (0..4).rev() {
        attribution = wrap_failure(&secrets[hop], &mut packet, Some(attribution), 2);
        if hop == 2 {
            // Hop 2 mangles the packet after wrapping it.
            packet[100] ^= 0xff;
        }
    }
    let decoded = decode_failure(&secrets, &packet, Some(&attribution));
    assert_eq!(decoded.source, FailureSource::Unattributable);
    let report = decoded.attribution.unwrap();
    // Hops 0 and 1 vouch for what they received; hop 2's HMACs (over the packet it received
    // before mangling) fail against the mangled bytes.
    assert_eq!(report.first_invalid_hop, Some(2));
    assert_eq!(report.hold_times, vec![2, 2]);
}

#[test]
fn garbage_failure_packets_never_panic() {
    let secrets = route_secrets(3);
    for len in [0usize, 1, 31, 32, 33, 34, 100, 292] {
        let packet = vec![0xab; len];
        let decoded = decode_failure(&secrets, &packet, None);
        assert_eq!(decoded.source, FailureSource::Unattributable);
    }
}

#[test]
fn wrapping_without_downstream_attribution_starts_from_zero() {
    let secrets = route_secrets(3);
    let mut packet = lightning::onion::encode_failure_packet(
        &secrets[2],
        &FailureMessage::from(Failure::TemporaryNodeFailure).encode(),
        256,
    )
    .unwrap();
    // A downstream node without attribution support: it obfuscates only.
    lightning::onion::obfuscate_failure_packet(&secrets[2], &mut packet);
    let mut attribution = wrap_failure(&secrets[1], &mut packet, None, 4);
    attribution = wrap_failure(&secrets[0], &mut packet, Some(attribution), 5);
    let decoded = decode_failure(&secrets, &packet, Some(&attribution));
    assert!(matches!(
        decoded.source,
        FailureSource::Hop { index: 2, .. }
    ));
    let report = decoded.attribution.unwrap();
    // Hops 0 and 1 verify; hop 2 wrote none, so its position fails.
    assert_eq!(report.hold_times, vec![5, 4]);
    assert_eq!(report.first_invalid_hop, Some(2));
}

#[test]
fn failure_message_over_256_bytes_pads_to_1024() {
    let secrets = route_secrets(1);
    let message = FailureMessage {
        failure: Failure::TemporaryNodeFailure,
        tlv_stream: {
            let mut v = vec![0xfd, 0x01, 0x01, 0xfd, 0x01, 0x2c];
            v.extend_from_slice(&[1; 300]);
            v
        },
    };
    let created = create_failure(&secrets[0], &message, 0).unwrap();
    assert_eq!(created.packet.len(), 32 + 2 + 1024 + 2);
    let decoded = decode_failure(&secrets, &created.packet, None);
    assert!(matches!(
        decoded.source,
        FailureSource::Hop { index: 0, .. }
    ));
}

#[test]
fn attribution_data_converts_to_and_from_the_wire_field_byte_for_byte() {
    use lightning::onion::{AttributionData, ATTRIBUTION_DATA_LEN};
    use lightning::wire::{Decode, Encode};

    let shared = SharedSecret::from_bytes([7; 32]);
    let failure = create_failure(&shared, &FailureMessage::from(Failure::MppTimeout), 3).unwrap();
    let onion_form = failure.attribution;
    let wire_form = lightning::wire::AttributionData::from(&onion_form);
    assert_eq!(wire_form.htlc_hold_times[0], {
        // The creator's hold time, obfuscated with its ammagext stream like the rest.
        let stream = generate_stream(&derive_key(KeyType::AmmagExt, &[7; 32]), 4);
        u32::from_be_bytes([stream[0], stream[1], stream[2], stream[3] ^ 3])
    });
    let encoded = wire_form.encode_to_vec();
    assert_eq!(encoded.len(), ATTRIBUTION_DATA_LEN);
    assert_eq!(encoded, onion_form.bytes.to_vec());
    let decoded = lightning::wire::AttributionData::decode_exact(&encoded).unwrap();
    assert_eq!(AttributionData::from(&decoded), onion_form);
    assert_eq!(
        lightning::onion::ONION_PACKET_LEN,
        lightning::wire::htlc::ONION_PACKET_LEN
    );
}
