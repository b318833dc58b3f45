//! BOLT 4 test vectors, byte for byte: `bolt04/onion-test.json` (build and peel),
//! `bolt04/onion-error-test.json` (failure creation, wrapping and attribution) and the
//! "Test Vector" section of `04-onion-routing.md` (failures with attribution data, and the
//! attribution data of a success).
//!
//! The files in `tests/onion_data/` are verbatim copies of the spec's vector files (and of the
//! vector section of `04-onion-routing.md`), parsed at test time.

#[path = "onion_data/json.rs"]
mod json;

use json::Json;
use lightning::bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning::onion::{
    build_onion, create_failure, create_failure_padded, decode_failure, default_padded_len,
    derive_hop_keys, derive_key, encode_failure_packet, generate_stream, obfuscate_failure_packet,
    peel_onion, peel_onion_bytes, verify_attribution, AttributionData, Failure, FailureMessage,
    FailureSource, KeyType, OnionHop, PeeledOnion, SharedSecret,
};
use lightning::wire::{BigSize, Decode, Reader, TlvWriter};

const ONION_TEST: &str = include_str!("onion_data/onion-test.json");
const ERROR_TEST: &str = include_str!("onion_data/onion-error-test.json");
/// The "Test Vector" section of `04-onion-routing.md`, cut out verbatim.
const BOLT04: &str = include_str!("onion_data/bolt04-attribution-vector.txt");

fn secret_key(bytes: &[u8]) -> SecretKey {
    SecretKey::from_slice(bytes).expect("valid secret key")
}

fn public_key(hex_str: &str) -> PublicKey {
    PublicKey::from_slice(&hex::decode(hex_str).unwrap()).expect("valid point")
}

/// Splits a test payload that already carries its BigSize length into the bare payload.
fn strip_length(prefixed: &[u8]) -> Vec<u8> {
    let mut reader = Reader::new(prefixed);
    let len = BigSize::decode(&mut reader).unwrap().0 as usize;
    let rest = reader.read_remaining();
    assert_eq!(rest.len(), len, "vector payload length prefix");
    rest.to_vec()
}

fn onion_test_hops(vector: &Json) -> Vec<OnionHop> {
    vector
        .get("generate")
        .get("hops")
        .array()
        .iter()
        .map(|hop| OnionHop {
            node_id: public_key(hop.get("pubkey").str()),
            payload: strip_length(&hop.get("payload").hex()),
        })
        .collect()
}

#[test]
fn onion_test_json_builds_the_packet_byte_for_byte() {
    let vector = Json::parse(ONION_TEST);
    let generate = vector.get("generate");
    let session_key = secret_key(&generate.get("session_key").hex());
    let associated_data = generate.get("associated_data").hex();
    let hops = onion_test_hops(&vector);
    let built = build_onion(&session_key, &hops, &associated_data).unwrap();
    assert_eq!(
        hex::encode(built.packet.to_bytes()),
        vector.get("onion").str()
    );
    assert_eq!(built.hop_keys.len(), hops.len());
}

#[test]
fn onion_test_json_peels_hop_by_hop() {
    let vector = Json::parse(ONION_TEST);
    let associated_data = vector.get("generate").get("associated_data").hex();
    let hops = onion_test_hops(&vector);
    let node_secrets: Vec<SecretKey> = vector
        .get("decode")
        .array()
        .iter()
        .map(|k| secret_key(&k.hex()))
        .collect();
    assert_eq!(node_secrets.len(), hops.len());
    let secp = Secp256k1::new();

    let mut onion = vector.get("onion").hex();
    for (index, (hop, node_secret)) in hops.iter().zip(&node_secrets).enumerate() {
        assert_eq!(PublicKey::from_secret_key(&secp, node_secret), hop.node_id);
        let ecdh = |point: &PublicKey| -> Result<SharedSecret, ()> {
            Ok(SharedSecret::new(point, node_secret))
        };
        let peeled = peel_onion_bytes(&onion, &associated_data, ecdh).unwrap();
        assert_eq!(
            peeled.payload(),
            hop.payload.as_slice(),
            "payload of hop {index}"
        );
        match peeled {
            PeeledOnion::Forward { next_packet, .. } => {
                assert!(index < hops.len() - 1, "hop {index} should be final");
                onion = next_packet.to_bytes();
            }
            PeeledOnion::Final { .. } => assert_eq!(index, hops.len() - 1),
        }
    }
}

#[test]
fn onion_test_json_peel_with_wrong_associated_data_fails_hmac() {
    let vector = Json::parse(ONION_TEST);
    let node_secret = secret_key(&vector.get("decode").array()[0].hex());
    let onion = vector.get("onion").hex();
    let result = peel_onion_bytes(&onion, &[0x43; 32], |point: &PublicKey| -> Result<_, ()> {
        Ok(SharedSecret::new(point, &node_secret))
    });
    assert_eq!(
        result.unwrap_err(),
        lightning::onion::PeelError::InvalidHmac
    );
}

#[test]
fn onion_error_test_json_creates_wraps_and_attributes() {
    let vector = Json::parse(ERROR_TEST);
    let generate = vector.get("generate");
    let session_key = secret_key(&generate.get("session_key").hex());
    let hops = generate.get("hops").array();
    let node_ids: Vec<PublicKey> = hops
        .iter()
        .map(|h| public_key(h.get("pubkey").str()))
        .collect();
    let keys = derive_hop_keys(&session_key, &node_ids).unwrap();
    let secrets: Vec<SharedSecret> = keys.iter().map(|k| k.shared_secret).collect();

    for (hop, secret) in hops.iter().zip(&secrets) {
        assert_eq!(hop.get("version"), &Json::Number(0.0));
        let bytes = secret.secret_bytes();
        assert_eq!(bytes.to_vec(), hop.get("hop_shared_secret").hex());
        assert_eq!(
            derive_key(KeyType::Ammag, &bytes).to_vec(),
            hop.get("ammag_key").hex()
        );
        if hop.has("um_key") {
            assert_eq!(
                derive_key(KeyType::Um, &bytes).to_vec(),
                hop.get("um_key").hex()
            );
        }
    }

    // The erring node (the last) builds the packet; the vector's payload omits the HMAC.
    let failure_message = generate.get("failure_message").hex();
    let erring = hops.len() - 1;
    let raw = encode_failure_packet(&secrets[erring], &failure_message, 256).unwrap();
    assert_eq!(raw[32..].to_vec(), hops[erring].get("payload").hex());
    let decoded = FailureMessage::decode(&failure_message).unwrap();
    assert_eq!(decoded.failure, Failure::TemporaryNodeFailure);
    assert_eq!(decoded.encode(), failure_message);

    // Creation through the high-level call pads to 256 as well.
    let created = create_failure(&secrets[erring], &decoded, 0).unwrap();
    let mut packet = raw.clone();
    obfuscate_failure_packet(&secrets[erring], &mut packet);
    assert_eq!(created.packet, packet);
    for secret in secrets[..erring].iter().rev() {
        obfuscate_failure_packet(secret, &mut packet);
    }
    assert_eq!(hex::encode(&packet), vector.get("errorpacket").str());

    let result = decode_failure(&secrets, &packet, None);
    match result.source {
        FailureSource::Hop {
            index,
            message,
            decoded,
        } => {
            assert_eq!(index, erring);
            assert_eq!(message, failure_message);
            assert_eq!(decoded.unwrap().failure, Failure::TemporaryNodeFailure);
        }
        other => panic!("unexpected source {other:?}"),
    }
    assert_eq!(result.attribution, None);
}

/// The "# Test Vector" section of BOLT 4, as `key = value` lines and labelled hex blobs.
struct MarkdownVector<'a> {
    lines: Vec<&'a str>,
}

impl<'a> MarkdownVector<'a> {
    fn load() -> Self {
        let start = BOLT04.find("\n# Test Vector").expect("test vector section");
        let end = BOLT04[start..]
            .find("\n# References")
            .expect("end of section")
            + start;
        let lines = BOLT04[start..end].lines().map(str::trim).collect();
        MarkdownVector { lines }
    }

    /// Every value of `key = value` lines, in order.
    fn values(&self, key: &str) -> Vec<&'a str> {
        let prefix = format!("{key} = ");
        self.lines
            .iter()
            .filter_map(|line| line.strip_prefix(prefix.as_str()))
            .collect()
    }

    fn hex_values(&self, key: &str) -> Vec<Vec<u8>> {
        self.values(key)
            .iter()
            .map(|v| hex::decode(v.trim_start_matches("0x")).unwrap())
            .collect()
    }

    /// `label` followed by `: hex` on the same line, or by a hex line after `label:`.
    fn labelled(&self, label: &str, same_line: bool) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            if let Some(rest) = line.strip_prefix(label) {
                // Skip the node number: "<n>: hex" or "<n>:".
                let rest = rest.split_once(':').map_or("", |(_, hex)| hex).trim();
                match (same_line, rest.is_empty()) {
                    (true, false) => out.push(hex::decode(rest).unwrap()),
                    (false, true) => out.push(hex::decode(self.lines[i + 1]).unwrap()),
                    _ => {}
                }
            }
        }
        out
    }
}

fn markdown_route(md: &MarkdownVector<'_>) -> (Vec<SharedSecret>, Vec<u32>) {
    let session = md.hex_values("sessionkey");
    let session_key = secret_key(&session[0]);
    let node_ids: Vec<PublicKey> = (0..5)
        .map(|i| public_key(md.values(&format!("pubkey[{i}]"))[0].trim_start_matches("0x")))
        .collect();
    // The vector's hold-time indices count from the erring node back (the reverse of the
    // pubkey indices): node 4 reports `htlc_hold_time[0]`.
    let hold_times: Vec<u32> = (0..5)
        .rev()
        .map(|i| {
            md.values(&format!("htlc_hold_time[{i}]"))[0]
                .parse()
                .unwrap()
        })
        .collect();
    let keys = derive_hop_keys(&session_key, &node_ids).unwrap();
    (keys.iter().map(|k| k.shared_secret).collect(), hold_times)
}

fn markdown_failure_message() -> FailureMessage {
    let mut tlv_stream = Vec::new();
    let mut writer = TlvWriter::new(&mut tlv_stream, &[]);
    writer.write_bytes(34001, &[128u8; 300]);
    writer.finish();
    FailureMessage {
        failure: Failure::IncorrectOrUnknownPaymentDetails {
            htlc_msat: 100,
            height: 800_000,
        },
        tlv_stream,
    }
}

#[test]
fn bolt04_markdown_error_vector_with_attribution_data() {
    let md = MarkdownVector::load();
    let (secrets, hold_times) = markdown_route(&md);
    let erring = 4;

    // Creation at node 4.
    let encoded = md.hex_values("encoded_failure_message").remove(0);
    let message = markdown_failure_message();
    let message_bytes = message.encode();
    assert_eq!(message_bytes, encoded[..message_bytes.len()]);
    assert_eq!(FailureMessage::decode(&message_bytes).unwrap(), message);
    let padded_len = default_padded_len(message_bytes.len());
    let raw = encode_failure_packet(&secrets[erring], &message_bytes, padded_len).unwrap();
    assert_eq!(raw[34..], encoded[..], "failuremsg || pad_len || pad");
    assert_eq!(raw[32..], md.hex_values("payload")[0][..]);
    assert_eq!(raw, md.hex_values("raw_error_packet")[0]);
    assert_eq!(
        md.hex_values("shared_secret")[0],
        secrets[erring].secret_bytes()
    );
    let um = derive_key(KeyType::Um, &secrets[erring].secret_bytes());
    assert_eq!(md.hex_values("um_key")[0], um);

    // Each hop back: shared secret, ammag key, stream, packet and attribution data.
    let shared = md.hex_values("shared_secret");
    let ammag = md.hex_values("ammag_key");
    let streams = md.hex_values("stream");
    let packets = md.labelled("error packet for node ", true);
    let attributions = md.labelled("attribution data for node ", true);
    assert_eq!(
        (packets.len(), attributions.len(), streams.len()),
        (5, 5, 5)
    );

    let created = create_failure(&secrets[erring], &message, hold_times[erring]).unwrap();
    let mut packet = created.packet.clone();
    let mut attribution = created.attribution.clone();
    for (step, node) in (0..=erring).rev().enumerate() {
        let bytes = secrets[node].secret_bytes();
        // shared_secret values after the first belong to the forwarding steps.
        assert_eq!(shared[step + 1], bytes, "shared secret of node {node}");
        let key = derive_key(KeyType::Ammag, &bytes);
        assert_eq!(ammag[step], key, "ammag key of node {node}");
        assert_eq!(
            streams[step],
            generate_stream(&key, streams[step].len()),
            "stream {node}"
        );
        if node != erring {
            attribution = lightning::onion::wrap_failure(
                &secrets[node],
                &mut packet,
                Some(attribution),
                hold_times[node],
            );
        }
        assert_eq!(packet, packets[step], "error packet for node {node}");
        assert_eq!(
            attribution.bytes[..],
            attributions[step][..],
            "attribution of node {node}"
        );
    }

    // The origin attributes the failure to node 4 and reads every hold time.
    let result = decode_failure(&secrets, &packet, Some(&attribution));
    match &result.source {
        FailureSource::Hop { index, decoded, .. } => {
            assert_eq!(*index, erring);
            assert_eq!(decoded.as_ref().unwrap(), &message);
        }
        other => panic!("unexpected source {other:?}"),
    }
    let report = result.attribution.unwrap();
    assert_eq!(report.hold_times, hold_times);
    assert_eq!(report.first_invalid_hop, None);

    // The same bytes through the explicit-padding call.
    let explicit =
        create_failure_padded(&secrets[erring], &message_bytes, 1024, hold_times[erring]).unwrap();
    assert_eq!(explicit, created);
}

#[test]
fn bolt04_markdown_success_attribution_data() {
    let md = MarkdownVector::load();
    let (secrets, hold_times) = markdown_route(&md);
    let expected = md.labelled("attribution data for node ", false);
    assert_eq!(expected.len(), 5);

    let mut attribution = AttributionData::new();
    for (step, node) in (0..5).rev().enumerate() {
        attribution.add_hop(&secrets[node], hold_times[node], &[]);
        assert_eq!(
            attribution.bytes[..],
            expected[step][..],
            "success attribution of node {node}"
        );
    }
    let messages: Vec<&[u8]> = vec![&[]; 5];
    let report = verify_attribution(&secrets, &attribution, &messages, None);
    assert_eq!(report.hold_times, hold_times);
    assert_eq!(report.first_invalid_hop, None);
}

#[test]
fn peel_onion_reports_shared_secret_matching_the_origin() {
    let vector = Json::parse(ONION_TEST);
    let generate = vector.get("generate");
    let session_key = secret_key(&generate.get("session_key").hex());
    let associated_data = generate.get("associated_data").hex();
    let hops = onion_test_hops(&vector);
    let built = build_onion(&session_key, &hops, &associated_data).unwrap();
    let node_secret = secret_key(&vector.get("decode").array()[0].hex());
    let peeled = peel_onion(&built.packet, &associated_data, |point: &PublicKey| {
        Ok::<_, ()>(SharedSecret::new(point, &node_secret))
    })
    .unwrap();
    assert_eq!(*peeled.shared_secret(), built.hop_keys[0].shared_secret);
}

const BLINDED_PAYMENT_TEST: &str = include_str!("onion_data/blinded-payment-onion-test.json");

/// `bolt04/blinded-payment-onion-test.json`: the onion is built from the given payloads (the
/// blinded hops' payloads and blinded node ids come from the vector; creating the blinded
/// route itself is route blinding's job) and peeled hop by hop, the blinded hops with the
/// `path_key` their predecessor sent on.
#[test]
fn blinded_payment_onion_builds_and_peels() {
    let vector = Json::parse(BLINDED_PAYMENT_TEST);
    let generate = vector.get("generate");
    let session_key = secret_key(&generate.get("session_key").hex());
    let associated_data = generate.get("associated_data").hex();
    let route = generate.get("full_route").get("hops").array();
    let hops: Vec<OnionHop> = route
        .iter()
        .map(|hop| OnionHop {
            node_id: public_key(hop.get("pubkey").str()),
            payload: strip_length(&hop.get("payload").hex()),
        })
        .collect();
    let built = build_onion(&session_key, &hops, &associated_data).unwrap();
    assert_eq!(
        hex::encode(built.packet.to_bytes()),
        generate.get("onion").str()
    );

    let decrypt = vector.get("decrypt").get("hops").array();
    let first_path_key = public_key(generate.get("blinded_route").get("first_path_key").str());
    let mut onion = built.packet.to_bytes();
    let mut path_key: Option<PublicKey> = None;
    for (index, step) in decrypt.iter().enumerate() {
        assert_eq!(
            hex::encode(&onion),
            step.get("onion").str(),
            "onion at hop {index}"
        );
        let node_secret = secret_key(&step.get("node_privkey").hex());
        let ecdh = |point: &PublicKey| -> Result<SharedSecret, ()> {
            Ok(SharedSecret::new(point, &node_secret))
        };
        let packet = lightning::onion::OnionPacket::from_bytes(&onion).unwrap();
        let peeled = match &path_key {
            Some(key) => {
                lightning::onion::peel_blinded_onion(&packet, &associated_data, key, ecdh).unwrap()
            }
            None => peel_onion(&packet, &associated_data, ecdh).unwrap(),
        };
        assert_eq!(
            peeled.payload(),
            hops[index].payload.as_slice(),
            "payload of hop {index}"
        );
        let hop = peeled.payment_hop(path_key.as_ref()).unwrap();
        match (index, hop) {
            (0, lightning::onion::PaymentHop::Forward { payload, .. }) => {
                assert!(matches!(
                    payload,
                    lightning::onion::ForwardPayload::Unblinded {
                        amt_to_forward: 110_125,
                        outgoing_cltv_value: 749_150,
                        ..
                    }
                ));
            }
            (1, lightning::onion::PaymentHop::Forward { payload, .. }) => {
                assert!(
                    matches!(payload, lightning::onion::ForwardPayload::Blinded {
                    current_path_key: Some(key), ..
                } if key == first_path_key)
                );
            }
            (2 | 3, lightning::onion::PaymentHop::Forward { payload, .. }) => {
                assert!(matches!(
                    payload,
                    lightning::onion::ForwardPayload::Blinded {
                        current_path_key: None,
                        ..
                    }
                ));
            }
            (4, lightning::onion::PaymentHop::Final { payload, .. }) => {
                assert_eq!(payload.amt_to_forward(), 100_000);
                assert_eq!(payload.total_msat(), 150_000);
            }
            (index, other) => panic!("unexpected hop {index}: {other:?}"),
        }
        if let PeeledOnion::Forward { next_packet, .. } = peeled {
            onion = next_packet.to_bytes();
        }
        if step.has("next_path_key") {
            path_key = Some(public_key(step.get("next_path_key").str()));
        }
    }
}

#[test]
fn blinded_peel_errors_are_invalid_onion_blinding() {
    let vector = Json::parse(BLINDED_PAYMENT_TEST);
    let decrypt = vector.get("decrypt").get("hops").array();
    let associated_data = vector.get("generate").get("associated_data").hex();
    // Carol's onion with a wrong path key (Dave's) fails its HMAC, reported as blinding.
    let carol = &decrypt[2];
    let packet = lightning::onion::OnionPacket::from_bytes(&carol.get("onion").hex()).unwrap();
    let wrong_key = public_key(decrypt[2].get("next_path_key").str());
    let node_secret = secret_key(&carol.get("node_privkey").hex());
    let err = lightning::onion::peel_blinded_onion(&packet, &associated_data, &wrong_key, |p| {
        Ok::<_, ()>(SharedSecret::new(p, &node_secret))
    })
    .unwrap_err();
    assert_eq!(err.0, lightning::onion::PeelError::InvalidHmac);
    assert_eq!(
        err.failure_code(),
        Some(lightning::onion::FailureCode::INVALID_ONION_BLINDING)
    );
}
