//! Hop payload TLVs and their BOLT 4 checks, and failure message encodings.

use lightning::bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning::onion::{
    Failure, FailureCode, FailureMessage, FinalPayload, ForwardPayload, HopPayload, PayloadError,
    PayloadErrorKind, PaymentData, KEYSEND_PREIMAGE_TYPE,
};
use lightning::wire::{DecodeError, ShortChannelId, TlvStreamReader, UnknownTlv};

fn point(byte: u8) -> PublicKey {
    let secret = SecretKey::from_slice(&[byte; 32]).unwrap();
    PublicKey::from_secret_key(&Secp256k1::new(), &secret)
}

fn forward_payload() -> HopPayload {
    HopPayload {
        amt_to_forward: Some(15_000),
        outgoing_cltv_value: Some(1_500),
        short_channel_id: Some(ShortChannelId(1)),
        ..HopPayload::default()
    }
}

#[test]
fn forward_payload_matches_the_onion_test_vector_encoding() {
    // Hop 0 of onion-test.json: amt 15000, cltv 1500, scid 1 (without its length prefix).
    let encoded = forward_payload().encode();
    assert_eq!(
        hex::encode(&encoded),
        "02023a98040205dc06080000000000000001"
    );
    let decoded = ForwardPayload::decode(&encoded, None).unwrap();
    assert_eq!(
        decoded,
        ForwardPayload::Unblinded {
            short_channel_id: ShortChannelId(1),
            amt_to_forward: 15_000,
            outgoing_cltv_value: 1_500,
            other_records: vec![],
        }
    );
}

#[test]
fn full_payload_round_trips_with_custom_records_in_type_order() {
    let payload = HopPayload {
        amt_to_forward: Some(1),
        outgoing_cltv_value: Some(0),
        payment_data: Some(PaymentData {
            payment_secret: [7; 32],
            total_msat: 3_000,
        }),
        payment_metadata: Some(vec![1, 2, 3]),
        keysend_preimage: Some([9; 32]),
        other_records: vec![
            UnknownTlv {
                record_type: 65_537,
                value: vec![1],
            },
            UnknownTlv {
                record_type: 6_000_000_001,
                value: vec![],
            },
        ],
        ..HopPayload::default()
    };
    let encoded = payload.encode();
    assert_eq!(HopPayload::decode(&encoded).unwrap(), payload);
    let final_payload = FinalPayload::decode(&encoded, None, &[]).unwrap();
    assert_eq!(final_payload.total_msat(), 3_000);
    assert_eq!(final_payload.amt_to_forward(), 1);
    match final_payload {
        FinalPayload::Unblinded {
            keysend_preimage,
            payment_metadata,
            other_records,
            ..
        } => {
            assert_eq!(keysend_preimage, Some([9; 32]));
            assert_eq!(payment_metadata, Some(vec![1, 2, 3]));
            assert_eq!(other_records.len(), 2);
        }
        other => panic!("unexpected {other:?}"),
    }
    // Records are written in type order, the keysend record among the custom ones.
    let mut stream = TlvStreamReader::new(&encoded);
    let mut types = Vec::new();
    while let Some(record) = stream.next_record().unwrap() {
        types.push(record.record_type);
    }
    assert_eq!(
        types,
        [2, 4, 8, 16, 65_537, KEYSEND_PREIMAGE_TYPE, 6_000_000_001]
    );
}

#[test]
fn final_total_defaults_to_amount() {
    let payload = HopPayload {
        amt_to_forward: Some(42),
        outgoing_cltv_value: Some(100),
        ..HopPayload::default()
    };
    let decoded = FinalPayload::decode(&payload.encode(), None, &[]).unwrap();
    assert_eq!(decoded.total_msat(), 42);
}

#[test]
fn forward_hop_requires_amount_cltv_and_channel() {
    for (missing_type, mut payload) in [
        (2, forward_payload()),
        (4, forward_payload()),
        (6, forward_payload()),
    ] {
        match missing_type {
            2 => payload.amt_to_forward = None,
            4 => payload.outgoing_cltv_value = None,
            _ => payload.short_channel_id = None,
        }
        let err = ForwardPayload::decode(&payload.encode(), None).unwrap_err();
        assert_eq!(err.kind, PayloadErrorKind::Missing);
        assert_eq!(err.tlv_type, Some(missing_type));
        assert_eq!(err.failure_code(), FailureCode::INVALID_ONION_PAYLOAD);
    }
}

#[test]
fn final_hop_requires_amount_and_cltv() {
    let payload = HopPayload {
        amt_to_forward: Some(5),
        ..HopPayload::default()
    };
    let err = FinalPayload::decode(&payload.encode(), None, &[]).unwrap_err();
    assert_eq!(
        (err.kind, err.tlv_type),
        (PayloadErrorKind::Missing, Some(4))
    );
}

#[test]
fn unknown_even_type_names_type_and_offset() {
    let mut bytes = forward_payload().encode();
    let offset = bytes.len();
    bytes.extend_from_slice(&[0x0a + 10, 0x01, 0xff]); // type 20 (even, unknown), 1 byte
    let err = ForwardPayload::decode(&bytes, None).unwrap_err();
    assert_eq!(err.kind, PayloadErrorKind::UnknownEvenType);
    assert_eq!(err.tlv_type, Some(20));
    assert_eq!(usize::from(err.offset), offset);
    assert_eq!(
        err.failure([0; 32]),
        Failure::InvalidOnionPayload {
            tlv_type: 20,
            offset: offset as u16
        }
    );
    // An unknown odd type is kept instead.
    bytes[offset] = 21;
    let decoded = HopPayload::decode(&bytes).unwrap();
    assert_eq!(
        decoded.other_records,
        vec![UnknownTlv {
            record_type: 21,
            value: vec![0xff]
        }]
    );
}

#[test]
fn even_custom_records_only_when_known() {
    let mut payload = HopPayload {
        amt_to_forward: Some(5),
        outgoing_cltv_value: Some(6),
        ..HopPayload::default()
    };
    payload.other_records.push(UnknownTlv {
        record_type: 70_000,
        value: vec![1, 2],
    });
    let bytes = payload.encode();
    assert_eq!(
        FinalPayload::decode(&bytes, None, &[]).unwrap_err().kind,
        PayloadErrorKind::UnknownEvenType
    );
    assert!(FinalPayload::decode(&bytes, None, &[70_000]).is_ok());
}

#[test]
fn malformed_streams_are_invalid_onion_payload() {
    let cases: &[(&[u8], DecodeError)] = &[
        (&[0x02, 0x05, 0x01], DecodeError::TlvLengthExceedsStream),
        (
            &[0x04, 0x01, 0x01, 0x02, 0x01, 0x01],
            DecodeError::TlvTypesNotIncreasing,
        ),
        (
            &[0x02, 0x02, 0x00, 0x01],
            DecodeError::NonMinimalTruncatedInt,
        ),
        (&[0x06, 0x01, 0x01], DecodeError::TlvValueLengthMismatch),
        (&[0xfd, 0x00, 0x01, 0x00], DecodeError::NonMinimalBigSize),
    ];
    for (bytes, expected) in cases {
        let err: PayloadError = HopPayload::decode(bytes).unwrap_err();
        assert_eq!(
            err.kind,
            PayloadErrorKind::Malformed(*expected),
            "{bytes:02x?}"
        );
        assert_eq!(err.failure_code(), FailureCode::INVALID_ONION_PAYLOAD);
    }
}

#[test]
fn blinded_payload_rules() {
    let path_key = point(3);
    let blinded = HopPayload {
        encrypted_recipient_data: Some(vec![1, 2, 3]),
        current_path_key: Some(path_key),
        ..HopPayload::default()
    };
    // The introduction point: path key in the payload, none in update_add_htlc.
    let forward = ForwardPayload::decode(&blinded.encode(), None).unwrap();
    assert_eq!(
        forward,
        ForwardPayload::Blinded {
            encrypted_recipient_data: vec![1, 2, 3],
            current_path_key: Some(path_key),
        }
    );
    // Both a path key in update_add_htlc and current_path_key: invalid_onion_blinding.
    let err = ForwardPayload::decode(&blinded.encode(), Some(&path_key)).unwrap_err();
    assert_eq!(err.kind, PayloadErrorKind::PathKeyMismatch);
    assert_eq!(err.failure_code(), FailureCode::INVALID_ONION_BLINDING);
    assert_eq!(
        err.failure([5; 32]),
        Failure::InvalidOnionBlinding {
            sha256_of_onion: [5; 32]
        }
    );
    // Inside the route, other fields are forbidden.
    let mut extra = blinded.clone();
    extra.current_path_key = None;
    extra.amt_to_forward = Some(1);
    let err = ForwardPayload::decode(&extra.encode(), Some(&path_key)).unwrap_err();
    assert_eq!(
        (err.kind, err.tlv_type),
        (PayloadErrorKind::Forbidden, Some(2))
    );
    // A path key outside a blinded route.
    let err = ForwardPayload::decode(&forward_payload().encode(), Some(&path_key)).unwrap_err();
    assert_eq!(err.failure_code(), FailureCode::INVALID_ONION_BLINDING);
    // The blinded final hop needs amount, cltv and total_amount_msat.
    let mut last = HopPayload {
        encrypted_recipient_data: Some(vec![4]),
        amt_to_forward: Some(10),
        outgoing_cltv_value: Some(20),
        ..HopPayload::default()
    };
    let err = FinalPayload::decode(&last.encode(), Some(&path_key), &[]).unwrap_err();
    assert_eq!(
        (err.kind, err.tlv_type),
        (PayloadErrorKind::Missing, Some(18))
    );
    last.total_amount_msat = Some(30);
    let final_payload = FinalPayload::decode(&last.encode(), Some(&path_key), &[]).unwrap();
    assert_eq!(final_payload.total_msat(), 30);
}

fn all_failures() -> Vec<Failure> {
    let update = vec![0x01, 0x02, 0x03];
    vec![
        Failure::InvalidRealm,
        Failure::TemporaryNodeFailure,
        Failure::PermanentNodeFailure,
        Failure::RequiredNodeFeatureMissing,
        Failure::InvalidOnionVersion {
            sha256_of_onion: [1; 32],
        },
        Failure::InvalidOnionHmac {
            sha256_of_onion: [2; 32],
        },
        Failure::InvalidOnionKey {
            sha256_of_onion: [3; 32],
        },
        Failure::TemporaryChannelFailure {
            channel_update: update.clone(),
        },
        Failure::PermanentChannelFailure,
        Failure::RequiredChannelFeatureMissing,
        Failure::UnknownNextPeer,
        Failure::AmountBelowMinimum {
            htlc_msat: 5,
            channel_update: update.clone(),
        },
        Failure::FeeInsufficient {
            htlc_msat: 6,
            channel_update: vec![],
        },
        Failure::IncorrectCltvExpiry {
            cltv_expiry: 7,
            channel_update: update.clone(),
        },
        Failure::ExpiryTooSoon {
            channel_update: update.clone(),
        },
        Failure::IncorrectOrUnknownPaymentDetails {
            htlc_msat: 8,
            height: 9,
        },
        Failure::FinalIncorrectCltvExpiry { cltv_expiry: 10 },
        Failure::FinalIncorrectHtlcAmount {
            incoming_htlc_amt: 11,
        },
        Failure::ChannelDisabled {
            disabled_flags: 0,
            channel_update: update,
        },
        Failure::ExpiryTooFar,
        Failure::InvalidOnionPayload {
            tlv_type: 70_000,
            offset: 12,
        },
        Failure::InvalidOnionPayload {
            tlv_type: 0,
            offset: 0,
        },
        Failure::MppTimeout,
        Failure::InvalidOnionBlinding {
            sha256_of_onion: [4; 32],
        },
        Failure::Unknown {
            code: FailureCode(0x0999),
            data: vec![1, 2],
        },
    ]
}

#[test]
fn every_failure_round_trips_with_and_without_tlvs() {
    for failure in all_failures() {
        for tlv_stream in [vec![], vec![0x01, 0x01, 0xaa]] {
            let unknown = matches!(failure, Failure::Unknown { .. });
            if unknown && !tlv_stream.is_empty() {
                continue; // an unknown code's data takes every byte
            }
            let message = FailureMessage {
                failure: failure.clone(),
                tlv_stream,
            };
            let bytes = message.encode();
            assert_eq!(&bytes[..2], &failure.code().0.to_be_bytes());
            assert_eq!(FailureMessage::decode(&bytes).unwrap(), message);
        }
    }
}

#[test]
fn failure_codes_and_flags_match_bolt04() {
    let expected: &[(FailureCode, u16)] = &[
        (FailureCode::TEMPORARY_NODE_FAILURE, 0x2002),
        (FailureCode::PERMANENT_NODE_FAILURE, 0x6002),
        (FailureCode::REQUIRED_NODE_FEATURE_MISSING, 0x6003),
        (FailureCode::INVALID_ONION_VERSION, 0xc004),
        (FailureCode::INVALID_ONION_HMAC, 0xc005),
        (FailureCode::INVALID_ONION_KEY, 0xc006),
        (FailureCode::TEMPORARY_CHANNEL_FAILURE, 0x1007),
        (FailureCode::PERMANENT_CHANNEL_FAILURE, 0x4008),
        (FailureCode::REQUIRED_CHANNEL_FEATURE_MISSING, 0x4009),
        (FailureCode::UNKNOWN_NEXT_PEER, 0x400a),
        (FailureCode::AMOUNT_BELOW_MINIMUM, 0x100b),
        (FailureCode::FEE_INSUFFICIENT, 0x100c),
        (FailureCode::INCORRECT_CLTV_EXPIRY, 0x100d),
        (FailureCode::EXPIRY_TOO_SOON, 0x100e),
        (FailureCode::INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, 0x400f),
        (FailureCode::FINAL_INCORRECT_CLTV_EXPIRY, 18),
        (FailureCode::FINAL_INCORRECT_HTLC_AMOUNT, 19),
        (FailureCode::CHANNEL_DISABLED, 0x1014),
        (FailureCode::EXPIRY_TOO_FAR, 21),
        (FailureCode::INVALID_ONION_PAYLOAD, 0x4016),
        (FailureCode::MPP_TIMEOUT, 23),
        (FailureCode::INVALID_ONION_BLINDING, 0xc018),
    ];
    for (code, value) in expected {
        assert_eq!(code.0, *value);
    }
    let hmac = FailureCode::INVALID_ONION_HMAC;
    assert!(hmac.is_bad_onion() && hmac.is_permanent() && !hmac.is_node() && !hmac.is_update());
    let temp = FailureCode::TEMPORARY_NODE_FAILURE;
    assert!(temp.is_node() && !temp.is_permanent() && !temp.is_bad_onion());
    assert!(FailureCode::CHANNEL_DISABLED.is_update());
}

#[test]
fn truncated_failure_messages_are_errors_not_panics() {
    for failure in all_failures() {
        let bytes = FailureMessage::from(failure.clone()).encode();
        for len in 0..bytes.len() {
            let result = FailureMessage::decode(&bytes[..len]);
            let has_data = bytes.len() > 2;
            let unknown = matches!(failure, Failure::Unknown { .. });
            let optional = matches!(failure, Failure::InvalidOnionPayload { .. });
            // invalid_onion_payload without any data is read as "not narrowed down".
            if len < 2 || (has_data && !unknown && !(optional && len == 2)) {
                assert!(result.is_err(), "{failure:?} cut at {len}");
            }
        }
    }
}
