//! Codec primitives through the public API: fixed-width fields, truncated integers, keys,
//! signatures, identifiers, features, lists and the TLV writer.

use lightning::bitcoin::secp256k1::{ecdsa::Signature, PublicKey, Secp256k1, SecretKey};
use lightning::wire::features::InitFeatures;
use lightning::wire::{
    encode_u16_prefixed, read_tlv_stream, ChainHash, ChannelId, Decode, DecodeError, Encode,
    Reader, ShortChannelId, TlvWriter, Tu16, Tu32, Tu64, UnknownTlv,
};

#[test]
fn integers_are_big_endian_and_reader_is_bounded() {
    let mut out = Vec::new();
    0x0102u16.encode(&mut out);
    0x03040506u32.encode(&mut out);
    0x0708090a0b0c0d0eu64.encode(&mut out);
    assert_eq!(hex::encode(&out), "0102030405060708090a0b0c0d0e");
    let mut r = Reader::new(&out);
    assert_eq!(u16::decode(&mut r), Ok(0x0102));
    assert_eq!(u32::decode(&mut r), Ok(0x03040506));
    assert_eq!(r.remaining(), 8);
    assert_eq!(u64::decode(&mut r), Ok(0x0708090a0b0c0d0e));
    assert_eq!(u8::decode(&mut r), Err(DecodeError::ShortRead));
    let mut short = Reader::new(&[1, 2, 3]);
    assert_eq!(u32::decode(&mut short), Err(DecodeError::ShortRead));
    // A failed read consumes nothing.
    assert_eq!(short.remaining(), 3);
}

#[test]
fn truncated_integers() {
    assert_eq!(Tu64(0).encode_to_vec(), Vec::<u8>::new());
    assert_eq!(Tu64(1).encode_to_vec(), vec![1]);
    assert_eq!(Tu32(0x0100).encode_to_vec(), vec![1, 0]);
    assert_eq!(Tu16(0xffff).encode_to_vec(), vec![0xff, 0xff]);
    assert_eq!(
        Tu16::decode_exact(&[1, 2, 3]),
        Err(DecodeError::TruncatedIntTooLong)
    );
    assert_eq!(
        Tu32::decode_exact(&[0, 2]),
        Err(DecodeError::NonMinimalTruncatedInt)
    );
    assert_eq!(Tu32::decode_exact(&[]), Ok(Tu32(0)));
    for value in [0u64, 1, 255, 256, u64::MAX, 1 << 40] {
        assert_eq!(
            Tu64::decode_exact(&Tu64(value).encode_to_vec()),
            Ok(Tu64(value))
        );
    }
}

#[test]
fn points_and_signatures() {
    let secp = Secp256k1::new();
    let secret = SecretKey::from_slice(&[0x11; 32]).unwrap();
    let key = PublicKey::from_secret_key(&secp, &secret);
    let encoded = key.encode_to_vec();
    assert_eq!(encoded.len(), 33);
    assert_eq!(PublicKey::decode_exact(&encoded), Ok(key));
    let mut bad = encoded.clone();
    bad[0] = 0x04;
    assert_eq!(
        PublicKey::decode_exact(&bad),
        Err(DecodeError::InvalidPoint)
    );

    let message = lightning::bitcoin::secp256k1::Message::from_digest([0x22; 32]);
    let signature = secp.sign_ecdsa(&message, &secret);
    let encoded = signature.encode_to_vec();
    assert_eq!(encoded.len(), 64);
    assert_eq!(Signature::decode_exact(&encoded), Ok(signature));
    // r = the curve order is out of range.
    let mut bad =
        hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").unwrap();
    bad.extend_from_slice(&[1; 32]);
    assert_eq!(
        Signature::decode_exact(&bad),
        Err(DecodeError::InvalidSignature)
    );
}

#[test]
fn identifiers() {
    let scid = ShortChannelId::new(539268, 845, 1).unwrap();
    assert_eq!(scid.block_height(), 539268);
    assert_eq!(scid.tx_index(), 845);
    assert_eq!(scid.output_index(), 1);
    assert_eq!(scid.to_string(), "539268x845x1");
    assert_eq!(
        ShortChannelId::decode_exact(&scid.encode_to_vec()),
        Ok(scid)
    );
    assert_eq!(ShortChannelId::new(1 << 24, 0, 0), None);
    assert_eq!(ShortChannelId::new(0, 1 << 24, 0), None);

    let mut txid = [0u8; 32];
    txid[31] = 0x01;
    txid[30] = 0xff;
    let id = ChannelId::from_funding_outpoint(txid, 0x0102);
    assert_eq!(id.0[30], 0xfe);
    assert_eq!(id.0[31], 0x03);
    assert_eq!(ChannelId::decode_exact(&id.encode_to_vec()), Ok(id));
    assert!(ChannelId::ALL_CHANNELS.is_all_channels());

    let chain = ChainHash::BITCOIN;
    assert_eq!(ChainHash::decode_exact(&chain.encode_to_vec()), Ok(chain));
}

#[test]
fn features_and_lists() {
    let mut features = InitFeatures::empty();
    features.set_bit(9);
    features.set_bit(14);
    let encoded = features.encode_to_vec();
    assert_eq!(hex::encode(&encoded), "00024200");
    assert_eq!(InitFeatures::decode_exact(&encoded), Ok(features.clone()));
    // Leading zero padding is accepted.
    assert_eq!(
        InitFeatures::decode_exact(&hex::decode("0003004200").unwrap()),
        Ok(features)
    );

    let list = vec![1u16, 2, 3];
    assert_eq!(hex::encode(list.encode_to_vec()), "0003000100020003");
    assert_eq!(Vec::<u16>::decode_exact(&list.encode_to_vec()), Ok(list));
    assert_eq!(
        Vec::<u16>::decode_exact(&hex::decode("ffff0001").unwrap()),
        Err(DecodeError::ShortRead)
    );
    let mut out = Vec::new();
    encode_u16_prefixed(b"abc", &mut out);
    assert_eq!(Reader::new(&out).read_u16_prefixed(), Ok(&b"abc"[..]));
}

#[test]
fn tlv_writer_merges_unknown_records_in_type_order() {
    let unknown = vec![
        UnknownTlv {
            record_type: 7,
            value: vec![7],
        },
        UnknownTlv {
            record_type: 1,
            value: vec![1],
        },
        UnknownTlv {
            record_type: 4,
            value: vec![0xee],
        },
        UnknownTlv {
            record_type: 99,
            value: vec![],
        },
    ];
    let mut out = Vec::new();
    let mut writer = TlvWriter::new(&mut out, &unknown);
    writer.write(4, &Tu16(0x0405));
    writer.write_bytes(8, &[8, 8]);
    writer.finish();
    // 1, then the known 4 (replacing the unknown 4), 7, 8, 99.
    assert_eq!(hex::encode(&out), "01010104020405070107080208086300");

    let mut seen = Vec::new();
    let kept = read_tlv_stream(&mut Reader::new(&out), |record_type, value| {
        seen.push(record_type);
        if record_type % 2 == 0 {
            value.read_remaining();
            return Ok(true);
        }
        Ok(false)
    })
    .unwrap();
    assert_eq!(seen, [1, 4, 7, 8, 99]);
    let kept_types: Vec<u64> = kept.iter().map(|record| record.record_type).collect();
    assert_eq!(kept_types, [1, 7, 99]);
}

#[test]
fn tlv_known_value_must_be_consumed_exactly() {
    let stream = hex::decode("0203000102").unwrap();
    let result = read_tlv_stream(&mut Reader::new(&stream), |_, value| {
        u16::decode(value)?;
        Ok(true)
    });
    assert_eq!(result, Err(DecodeError::TlvValueLengthMismatch));
    let huge_length = hex::decode("01ff1000000000000000").unwrap();
    let result = read_tlv_stream(&mut Reader::new(&huge_length), |_, _| Ok(false));
    assert_eq!(result, Err(DecodeError::TlvLengthExceedsStream));
}
