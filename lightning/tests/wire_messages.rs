//! Message-level behaviour: type dispatch, the odd/even rule, extension handling, byte layouts
//! and the `ping`/`pong` contract.

use lightning::bitcoin::secp256k1::PublicKey;
use lightning::bitcoin::ScriptBuf;
use lightning::wire::features::{ChannelTypeFeatures, InitFeatures};
use lightning::wire::*;

fn point() -> PublicKey {
    let bytes =
        hex::decode("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb").unwrap();
    PublicKey::from_slice(&bytes).unwrap()
}

#[test]
fn unknown_types_follow_the_odd_even_rule() {
    assert_eq!(
        Message::read(&[0x00, 0x20 + 10]),
        Err(DecodeError::UnknownEvenMessageType(42))
    );
    assert_eq!(
        Message::read(&[0x80, 0x01, 0xaa]),
        Ok(Message::Unknown {
            msg_type: 0x8001,
            payload: vec![0xaa]
        })
    );
    assert_eq!(Message::read(&[0x00]), Err(DecodeError::ShortRead));
    assert_eq!(Message::read(&[]), Err(DecodeError::ShortRead));
}

#[test]
fn update_fee_layout_and_trailing_bytes() {
    let message = UpdateFee {
        channel_id: ChannelId([0x11; 32]),
        feerate_per_kw: 253,
    };
    let encoded = Message::from(message.clone()).encode();
    let mut expected = vec![0x00, 0x86];
    expected.extend_from_slice(&[0x11; 32]);
    expected.extend_from_slice(&[0, 0, 0, 253]);
    assert_eq!(encoded, expected);
    assert_eq!(message.encode_with_type(), expected);
    // A message without a TLV stream ignores extra bytes (forward compatibility).
    let mut extended = expected.clone();
    extended.extend_from_slice(&[0xff, 0x00, 0x12]);
    assert_eq!(Message::read(&extended), Ok(Message::UpdateFee(message)));
    // Too short is an error.
    assert_eq!(
        Message::read(&expected[..expected.len() - 1]),
        Err(DecodeError::ShortRead)
    );
}

#[test]
fn messages_with_tlvs_validate_the_extension() {
    let ready = ChannelReady {
        channel_id: ChannelId([2; 32]),
        second_per_commitment_point: point(),
        short_channel_id_alias: ShortChannelId::new(1, 2, 3),
        unknown_tlvs: Vec::new(),
    };
    let encoded = Message::from(ready.clone()).encode();
    // type, channel_id, point, then TLV 1 of 8 bytes.
    assert_eq!(encoded.len(), 2 + 32 + 33 + 2 + 8);
    assert_eq!(&encoded[67..69], &[0x01, 0x08]);
    assert_eq!(Message::read(&encoded), Ok(Message::ChannelReady(ready)));
    // An unknown even TLV in the extension is fatal.
    let mut bad = encoded.clone();
    bad.extend_from_slice(&[0x02, 0x00]);
    assert_eq!(Message::read(&bad), Err(DecodeError::UnknownEvenTlvType(2)));
    // A wrong-length alias too.
    let mut bad = encoded[..67].to_vec();
    bad.extend_from_slice(&[0x01, 0x07, 1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(
        Message::read(&bad),
        Err(DecodeError::TlvValueLengthMismatch)
    );
}

#[test]
fn open_channel_tlvs_are_raw_values() {
    let mut channel_type = ChannelTypeFeatures::empty();
    channel_type.set_bit(12);
    let tlvs = OpeningTlvs {
        upfront_shutdown_script: Some(ScriptBuf::from_bytes(vec![0x00, 0x14, 0xaa])),
        channel_type: Some(channel_type),
        unknown_tlvs: Vec::new(),
    };
    // Type 0: the script bytes without a length prefix; type 1: the big-endian feature bytes.
    assert_eq!(hex::encode(tlvs.encode_to_vec()), "00030014aa01021000");
    assert_eq!(OpeningTlvs::decode_exact(&tlvs.encode_to_vec()), Ok(tlvs));
    // An empty upfront_shutdown_script (opting out) is present but empty.
    let empty = OpeningTlvs {
        upfront_shutdown_script: Some(ScriptBuf::new()),
        ..OpeningTlvs::default()
    };
    assert_eq!(empty.encode_to_vec(), vec![0x00, 0x00]);
    assert_eq!(OpeningTlvs::decode_exact(&[0x00, 0x00]), Ok(empty));
}

#[test]
fn shutdown_script_is_length_prefixed() {
    let shutdown = Shutdown {
        channel_id: ChannelId([3; 32]),
        scriptpubkey: ScriptBuf::from_bytes(vec![0x51]),
    };
    let encoded = shutdown.encode_to_vec();
    assert_eq!(&encoded[32..], &[0x00, 0x01, 0x51]);
    assert_eq!(Shutdown::decode_exact(&encoded), Ok(shutdown));
}

#[test]
fn ping_asks_for_a_pong_below_65532() {
    let ping = Ping {
        num_pong_bytes: 4,
        ignored: vec![0; 2],
    };
    assert_eq!(
        ping.pong(),
        Some(Pong {
            ignored: vec![0; 4]
        })
    );
    assert_eq!(hex::encode(ping.encode_with_type()), "0012000400020000");
    let max = Ping {
        num_pong_bytes: 65531,
        ignored: Vec::new(),
    };
    assert_eq!(max.pong().map(|pong| pong.ignored.len()), Some(65531));
    for num_pong_bytes in [65532, 65533, 65535] {
        let ping = Ping {
            num_pong_bytes,
            ignored: Vec::new(),
        };
        assert_eq!(ping.pong(), None, "{num_pong_bytes}");
    }
}

#[test]
fn init_networks_and_combined_features() {
    let mut global_features = InitFeatures::empty();
    global_features.set_bit(1);
    let mut features = InitFeatures::empty();
    features.set_bit(9);
    let init = Init {
        global_features,
        features,
        networks: Some(vec![ChainHash::BITCOIN, ChainHash::TESTNET3]),
        remote_addr: Some(vec![1, 127, 0, 0, 1, 0x26, 0x07]),
        unknown_tlvs: Vec::new(),
    };
    let combined = init.combined_features();
    assert!(combined.is_bit_set(1) && combined.is_bit_set(9));
    let encoded = init.encode_with_type();
    assert_eq!(Message::read(&encoded), Ok(Message::Init(init)));
    // `networks` must hold whole chain hashes.
    let bad = hex::decode("0010000000000103aabbcc").unwrap();
    assert_eq!(
        Message::read(&bad),
        Err(DecodeError::TlvValueLengthMismatch)
    );
}

#[test]
fn error_data_as_text() {
    let error = ErrorMessage {
        channel_id: ChannelId::ALL_CHANNELS,
        data: b"bad things".to_vec(),
    };
    assert_eq!(error.data_as_text(), Some("bad things"));
    let encoded = Message::from(error.clone()).encode();
    assert_eq!(&encoded[..2], &[0, 17]);
    assert_eq!(&encoded[34..36], &[0, 10]);
    assert_eq!(Message::read(&encoded), Ok(Message::Error(error)));
}

#[test]
fn update_add_htlc_path_key_and_size() {
    let add = UpdateAddHtlc {
        channel_id: ChannelId([4; 32]),
        id: 7,
        amount_msat: 1000,
        payment_hash: PaymentHash([5; 32]),
        cltv_expiry: 500_000,
        onion_routing_packet: Box::new([6; lightning::wire::htlc::ONION_PACKET_LEN]),
        path_key: Some(point()),
        unknown_tlvs: Vec::new(),
    };
    let encoded = add.encode_to_vec();
    assert_eq!(encoded.len(), 32 + 8 + 8 + 32 + 4 + 1366 + 2 + 33);
    assert_eq!(&encoded[1450..1452], &[0x00, 0x21]);
    assert_eq!(UpdateAddHtlc::decode_exact(&encoded), Ok(add));
}

#[test]
fn attribution_data_is_920_bytes() {
    let fulfill = UpdateFulfillHtlc {
        channel_id: ChannelId([8; 32]),
        id: 1,
        payment_preimage: PaymentPreimage([9; 32]),
        attribution_data: Some(Box::default()),
        unknown_tlvs: Vec::new(),
    };
    let encoded = fulfill.encode_to_vec();
    // TLV 1 with a 3-byte bigsize length of 920.
    assert_eq!(&encoded[72..76], &[0x01, 0xfd, 0x03, 0x98]);
    assert_eq!(encoded.len(), 72 + 4 + 920);
    assert_eq!(UpdateFulfillHtlc::decode_exact(&encoded), Ok(fulfill));
}

#[test]
fn flag_tlvs_must_be_empty() {
    let ack = TxAckRbf {
        channel_id: ChannelId([1; 32]),
        funding_output_contribution: Some(-5),
        require_confirmed_inputs: true,
        unknown_tlvs: Vec::new(),
    };
    let encoded = ack.encode_to_vec();
    // s64 contribution in TLV 0, then the empty flag TLV 2.
    assert_eq!(hex::encode(&encoded[32..]), "0008fffffffffffffffb0200");
    assert_eq!(TxAckRbf::decode_exact(&encoded), Ok(ack));
    let mut bad = encoded[..encoded.len() - 2].to_vec();
    bad.extend_from_slice(&[0x02, 0x01, 0x00]);
    assert_eq!(
        TxAckRbf::decode_exact(&bad),
        Err(DecodeError::TlvValueLengthMismatch)
    );
    // The v1 `open_channel` does not know TLV 2, so there it is an unknown even type.
    assert_eq!(
        OpeningTlvs::decode_exact(&[0x02, 0x00]),
        Err(DecodeError::UnknownEvenTlvType(2))
    );
    assert!(DualFundingTlvs::decode_exact(&[0x02, 0x00]).is_ok());
}

#[test]
fn gossip_types_dispatch_through_message() {
    use lightning::wire::gossip::GossipTimestampFilter;
    let filter = GossipTimestampFilter {
        chain_hash: ChainHash::BITCOIN,
        first_timestamp: 1_700_000_000,
        timestamp_range: u32::MAX,
    };
    let encoded = Message::from(filter.clone()).encode();
    assert_eq!(&encoded[..2], &[0x01, 0x09]);
    assert_eq!(
        Message::read(&encoded),
        Ok(Message::GossipTimestampFilter(filter))
    );
    // query_short_channel_ids with the deprecated zlib encoding is refused.
    let mut query = vec![0x01, 0x05];
    query.extend_from_slice(ChainHash::BITCOIN.as_ref());
    query.extend_from_slice(&[0x00, 0x01, 0x01]);
    assert_eq!(Message::read(&query), Err(DecodeError::InvalidValue));
}
