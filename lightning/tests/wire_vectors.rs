//! BOLT 1 test vectors: Appendix A (BigSize), B (TLV), C (message extension) and D (signed
//! integers), byte for byte.

use lightning::bitcoin::secp256k1::PublicKey;
use lightning::wire::{
    read_tlv_stream, BigSize, Decode, DecodeError, Encode, Init, Message, Reader, ShortChannelId,
    TlvWriter, Tu32, Tu64, UnknownTlv,
};

fn bytes(hex_str: &str) -> Vec<u8> {
    let compact: String = hex_str.split_whitespace().collect();
    hex::decode(compact).expect("test vector hex")
}

// ---------------------------------------------------------------- Appendix A

const BIGSIZE_VALID: &[(u64, &str)] = &[
    (0, "00"),
    (252, "fc"),
    (253, "fd00fd"),
    (65535, "fdffff"),
    (65536, "fe00010000"),
    (4294967295, "feffffffff"),
    (4294967296, "ff0000000100000000"),
    (18446744073709551615, "ffffffffffffffffff"),
];

#[test]
fn bigsize_decoding_valid() {
    for (value, hex_str) in BIGSIZE_VALID {
        let input = bytes(hex_str);
        let mut r = Reader::new(&input);
        assert_eq!(BigSize::decode(&mut r), Ok(BigSize(*value)), "{hex_str}");
        assert!(r.is_empty());
    }
}

#[test]
fn bigsize_decoding_failures() {
    let non_canonical = ["fd00fc", "fe0000ffff", "ff00000000ffffffff"];
    for hex_str in non_canonical {
        assert_eq!(
            BigSize::decode_exact(&bytes(hex_str)),
            Err(DecodeError::NonMinimalBigSize),
            "{hex_str}"
        );
    }
    let short = ["fd00", "feffff", "ffffffffff", "", "fd", "fe", "ff"];
    for hex_str in short {
        assert_eq!(
            BigSize::decode_exact(&bytes(hex_str)),
            Err(DecodeError::ShortRead),
            "{hex_str}"
        );
    }
}

#[test]
fn bigsize_encoding() {
    for (value, hex_str) in BIGSIZE_VALID {
        assert_eq!(BigSize(*value).encode_to_vec(), bytes(hex_str), "{value}");
        assert_eq!(BigSize::encoded_len(*value), bytes(hex_str).len());
    }
}

// ---------------------------------------------------------------- Appendix B

/// The `n1` test namespace of Appendix B.
#[derive(Debug, Default, PartialEq)]
struct N1 {
    tlv1_amount_msat: Option<u64>,
    tlv2_scid: Option<ShortChannelId>,
    tlv3: Option<(PublicKey, u64, u64)>,
    tlv4_cltv_delta: Option<u16>,
    unknown: Vec<UnknownTlv>,
}

impl N1 {
    fn decode(stream: &[u8]) -> Result<N1, DecodeError> {
        let mut n1 = N1::default();
        n1.unknown = read_tlv_stream(&mut Reader::new(stream), |record_type, value| {
            match record_type {
                1 => n1.tlv1_amount_msat = Some(Tu64::decode(value)?.0),
                2 => n1.tlv2_scid = Some(value.decode()?),
                3 => n1.tlv3 = Some((value.decode()?, value.decode()?, value.decode()?)),
                254 => n1.tlv4_cltv_delta = Some(value.decode()?),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(n1)
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = TlvWriter::new(&mut out, &self.unknown);
        if let Some(amount) = self.tlv1_amount_msat {
            writer.write(1, &Tu64(amount));
        }
        if let Some(scid) = self.tlv2_scid {
            writer.write(2, &scid);
        }
        if let Some((node_id, amount_1, amount_2)) = self.tlv3 {
            let mut value = node_id.encode_to_vec();
            amount_1.encode(&mut value);
            amount_2.encode(&mut value);
            writer.write_bytes(3, &value);
        }
        if let Some(cltv_delta) = self.tlv4_cltv_delta {
            writer.write(254, &cltv_delta);
        }
        writer.finish();
        out
    }
}

/// The `n2` test namespace of Appendix B.
#[derive(Debug, Default, PartialEq)]
struct N2 {
    tlv1_amount_msat: Option<u64>,
    tlv2_cltv_expiry: Option<u32>,
}

impl N2 {
    fn decode(stream: &[u8]) -> Result<N2, DecodeError> {
        let mut n2 = N2::default();
        read_tlv_stream(&mut Reader::new(stream), |record_type, value| {
            match record_type {
                0 => n2.tlv1_amount_msat = Some(Tu64::decode(value)?.0),
                11 => n2.tlv2_cltv_expiry = Some(Tu32::decode(value)?.0),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(n2)
    }
}

const ANY_NAMESPACE_FAILURES: &[&str] = &[
    "fd",
    "fd01",
    "fd0001 00",
    "fd0101",
    "0f fd",
    "0f fd26",
    "0f fd2602",
    "0f fd0001 00",
];

fn value_truncated_vector() -> Vec<u8> {
    // 0x0f fd0201 followed by 0x0201 - 1 zero bytes: one byte short of the claimed length.
    let mut stream = bytes("0f fd0201");
    stream.extend(std::iter::repeat_n(0u8, 0x0201 - 1));
    stream
}

#[test]
fn tlv_failures_in_any_namespace() {
    let mut streams: Vec<Vec<u8>> = ANY_NAMESPACE_FAILURES.iter().map(|h| bytes(h)).collect();
    streams.push(value_truncated_vector());
    for stream in &streams {
        assert!(N1::decode(stream).is_err(), "n1 {}", hex::encode(stream));
        assert!(N2::decode(stream).is_err(), "n2 {}", hex::encode(stream));
    }
    assert_eq!(
        N1::decode(&bytes("fd0001 00")),
        Err(DecodeError::NonMinimalBigSize)
    );
    assert_eq!(
        N1::decode(&bytes("0f fd2602")),
        Err(DecodeError::TlvLengthExceedsStream)
    );
    assert_eq!(
        N1::decode(&value_truncated_vector()),
        Err(DecodeError::TlvLengthExceedsStream)
    );
}

#[test]
fn tlv_unknown_even_type_fails_in_either_namespace() {
    let cases = [
        ("12 00", 0x12),
        ("fd0102 00", 0x0102),
        ("fe01000002 00", 0x0100_0002),
        ("ff0100000000000002 00", 0x0100_0000_0000_0002),
    ];
    for (hex_str, record_type) in cases {
        let expected = Err(DecodeError::UnknownEvenTlvType(record_type));
        assert_eq!(N1::decode(&bytes(hex_str)), expected, "{hex_str}");
        assert_eq!(
            N2::decode(&bytes(hex_str)).map(|_| ()),
            expected.map(|_: N1| ())
        );
    }
}

#[test]
fn tlv_failures_in_n1() {
    let point = "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb";
    let cases: Vec<(String, DecodeError)> = vec![
        (
            "01 09 ffffffffffffffffff".into(),
            DecodeError::TruncatedIntTooLong,
        ),
        ("01 01 00".into(), DecodeError::NonMinimalTruncatedInt),
        ("01 02 0001".into(), DecodeError::NonMinimalTruncatedInt),
        ("01 03 000100".into(), DecodeError::NonMinimalTruncatedInt),
        ("01 04 00010000".into(), DecodeError::NonMinimalTruncatedInt),
        (
            "01 05 0001000000".into(),
            DecodeError::NonMinimalTruncatedInt,
        ),
        (
            "01 06 000100000000".into(),
            DecodeError::NonMinimalTruncatedInt,
        ),
        (
            "01 07 00010000000000".into(),
            DecodeError::NonMinimalTruncatedInt,
        ),
        (
            "01 08 0001000000000000".into(),
            DecodeError::NonMinimalTruncatedInt,
        ),
        (
            "02 07 01010101010101".into(),
            DecodeError::TlvValueLengthMismatch,
        ),
        (
            "02 09 010101010101010101".into(),
            DecodeError::TlvValueLengthMismatch,
        ),
        (
            format!("03 21 {point}"),
            DecodeError::TlvValueLengthMismatch,
        ),
        (
            format!("03 29 {point}0000000000000001"),
            DecodeError::TlvValueLengthMismatch,
        ),
        (
            format!("03 30 {point}000000000000000100000000000001"),
            DecodeError::TlvValueLengthMismatch,
        ),
        (
            "03 31 043da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb\
             00000000000000010000000000000002"
                .into(),
            DecodeError::InvalidPoint,
        ),
        (
            format!("03 32 {point}0000000000000001000000000000000001"),
            DecodeError::TlvValueLengthMismatch,
        ),
        ("fd00fe 00".into(), DecodeError::TlvValueLengthMismatch),
        ("fd00fe 01 01".into(), DecodeError::TlvValueLengthMismatch),
        (
            "fd00fe 03 010101".into(),
            DecodeError::TlvValueLengthMismatch,
        ),
        ("00 00".into(), DecodeError::UnknownEvenTlvType(0)),
    ];
    for (hex_str, expected) in cases {
        assert_eq!(N1::decode(&bytes(&hex_str)), Err(expected), "{hex_str}");
    }
}

const IGNORED_IN_EITHER: &[&str] = &[
    "",
    "21 00",
    "fd0201 00",
    "fd00fd 00",
    "fd00ff 00",
    "fe02000001 00",
    "ff0200000000000001 00",
];

#[test]
fn tlv_unknown_odd_records_are_ignored_in_either_namespace() {
    for hex_str in IGNORED_IN_EITHER {
        let n1 = N1::decode(&bytes(hex_str)).expect(hex_str);
        assert_eq!(n1.tlv1_amount_msat, None);
        assert_eq!(n1.tlv2_scid, None);
        assert_eq!(n1.tlv3, None);
        assert_eq!(n1.tlv4_cltv_delta, None);
        // The unknown record is kept and written back byte for byte.
        assert_eq!(n1.unknown.len(), usize::from(!hex_str.is_empty()));
        assert_eq!(n1.encode(), bytes(hex_str));
        assert_eq!(N2::decode(&bytes(hex_str)), Ok(N2::default()));
    }
}

#[test]
fn tlv_successes_in_n1() {
    let amounts: &[(&str, u64)] = &[
        ("01 00", 0),
        ("01 01 01", 1),
        ("01 02 0100", 256),
        ("01 03 010000", 65536),
        ("01 04 01000000", 16777216),
        ("01 05 0100000000", 4294967296),
        ("01 06 010000000000", 1099511627776),
        ("01 07 01000000000000", 281474976710656),
        ("01 08 0100000000000000", 72057594037927936),
    ];
    for (hex_str, amount) in amounts {
        let n1 = N1::decode(&bytes(hex_str)).expect(hex_str);
        assert_eq!(n1.tlv1_amount_msat, Some(*amount));
        assert_eq!(n1.encode(), bytes(hex_str), "re-encode {hex_str}");
    }

    let scid = N1::decode(&bytes("02 08 0000000000000226")).unwrap();
    let expected_scid = ShortChannelId::new(0, 0, 550).unwrap();
    assert_eq!(scid.tlv2_scid, Some(expected_scid));
    assert_eq!(expected_scid.to_string(), "0x0x550");
    assert_eq!(scid.encode(), bytes("02 08 0000000000000226"));

    let point = "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb";
    let stream = bytes(&format!("03 31 {point}00000000000000010000000000000002"));
    let tlv3 = N1::decode(&stream).unwrap();
    let node_id = PublicKey::from_slice(&bytes(point)).unwrap();
    assert_eq!(tlv3.tlv3, Some((node_id, 1, 2)));
    assert_eq!(tlv3.encode(), stream);

    let cltv = N1::decode(&bytes("fd00fe 02 0226")).unwrap();
    assert_eq!(cltv.tlv4_cltv_delta, Some(550));
    assert_eq!(cltv.encode(), bytes("fd00fe 02 0226"));
}

#[test]
fn tlv_appending_streams() {
    // A valid stream followed by a higher-numbered valid stream is valid.
    let combined = bytes("01 01 01 02 08 0000000000000226 fd00fe 02 0226");
    let n1 = N1::decode(&combined).unwrap();
    assert_eq!(n1.tlv1_amount_msat, Some(1));
    assert_eq!(n1.tlv4_cltv_delta, Some(550));
    assert_eq!(n1.encode(), combined);
    // A valid stream followed by an invalid one is invalid.
    for invalid in ANY_NAMESPACE_FAILURES {
        let mut stream = bytes("01 01 01");
        stream.extend(bytes(invalid));
        assert!(N1::decode(&stream).is_err(), "{invalid}");
    }
}

#[test]
fn tlv_stream_decoding_failures() {
    let n1_cases = [
        "02 08 0000000000000226 01 01 2a",
        "02 08 0000000000000231 02 08 0000000000000451",
        "1f 00 0f 01 2a",
        "1f 00 1f 01 2a",
    ];
    for hex_str in n1_cases {
        assert_eq!(
            N1::decode(&bytes(hex_str)),
            Err(DecodeError::TlvTypesNotIncreasing),
            "{hex_str}"
        );
    }
    assert_eq!(
        N2::decode(&bytes("ffffffffffffffffff 00 00 00")),
        Err(DecodeError::TlvTypesNotIncreasing)
    );
}

// ---------------------------------------------------------------- Appendix C

#[test]
fn message_extension_valid() {
    let plain = bytes("001000000000");
    assert_eq!(Message::read(&plain), Ok(Message::Init(Init::default())));
    assert_eq!(Message::Init(Init::default()).encode(), plain);

    let extended = bytes("001000000000c9012acb0104");
    let Ok(Message::Init(init)) = Message::read(&extended) else {
        panic!("valid init with odd extension records");
    };
    let kept: Vec<(u64, Vec<u8>)> = init
        .unknown_tlvs
        .iter()
        .map(|record| (record.record_type, record.value.clone()))
        .collect();
    assert_eq!(kept, [(0xc9, vec![0x2a]), (0xcb, vec![0x04])]);
    // The extension is written back unchanged (it is part of signed bytes in other messages).
    assert_eq!(Message::Init(init).encode(), extended);
}

#[test]
fn message_extension_invalid() {
    assert_eq!(
        Message::read(&bytes("00100000000001")),
        Err(DecodeError::ShortRead)
    );
    assert_eq!(
        Message::read(&bytes("001000000000ca012a")),
        Err(DecodeError::UnknownEvenTlvType(0xca))
    );
    assert_eq!(
        Message::read(&bytes("001000000000c90101c90102")),
        Err(DecodeError::TlvTypesNotIncreasing)
    );
}

// ---------------------------------------------------------------- Appendix D

#[test]
fn signed_integers() {
    let cases: &[(i64, &str)] = &[
        (0, "00"),
        (42, "2a"),
        (-42, "d6"),
        (127, "7f"),
        (-128, "80"),
        (128, "0080"),
        (-129, "ff7f"),
        (15000, "3a98"),
        (-15000, "c568"),
        (32767, "7fff"),
        (-32768, "8000"),
        (32768, "00008000"),
        (-32769, "ffff7fff"),
        (21000000, "01406f40"),
        (-21000000, "febf90c0"),
        (2147483647, "7fffffff"),
        (-2147483648, "80000000"),
        (2147483648, "0000000080000000"),
        (-2147483649, "ffffffff7fffffff"),
        (500000000000, "000000746a528800"),
        (-500000000000, "ffffff8b95ad7800"),
        (9223372036854775807, "7fffffffffffffff"),
        (-9223372036854775808, "8000000000000000"),
    ];
    for (value, hex_str) in cases {
        let expected = bytes(hex_str);
        let (encoded, decoded) = if let Ok(v) = i8::try_from(*value) {
            (
                v.encode_to_vec(),
                i8::decode_exact(&expected).map(i64::from),
            )
        } else if let Ok(v) = i16::try_from(*value) {
            (
                v.encode_to_vec(),
                i16::decode_exact(&expected).map(i64::from),
            )
        } else if let Ok(v) = i32::try_from(*value) {
            (
                v.encode_to_vec(),
                i32::decode_exact(&expected).map(i64::from),
            )
        } else {
            (value.encode_to_vec(), i64::decode_exact(&expected))
        };
        assert_eq!(encoded, expected, "{value}");
        assert_eq!(decoded, Ok(*value), "{value}");
    }
}
