//! BOLT 7 gossip messages through the public API: the extended-queries vectors, signatures,
//! address descriptors, encodings, and property tests (round trips, random bytes).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};
use std::sync::LazyLock;

use lightning::bitcoin::secp256k1::{ecdsa::Signature, Message, PublicKey, Secp256k1, SecretKey};
use lightning::wire::features::{ChannelFeatures, NodeFeatures};
use lightning::wire::gossip::{
    AddressDescriptor, AnnouncementSignatures, ChannelAnnouncement, ChannelUpdate,
    ChannelUpdateChecksums, ChannelUpdateTimestamps, GossipDecodeError, GossipSignatureError,
    GossipTimestampFilter, Hostname, NodeAnnouncement, QueryChannelRange, QueryFlags,
    QueryOptionFlags, QueryShortChannelIds, ReplyChannelRange, ReplyShortChannelIdsEnd,
    MAX_ENCODED_SHORT_IDS,
};
use lightning::wire::{
    ChainHash, ChannelId, Decode, DecodeError, Encode, Reader, ShortChannelId, UnknownTlv,
    WireMessage,
};

static SECP: LazyLock<Secp256k1<lightning::bitcoin::secp256k1::All>> =
    LazyLock::new(Secp256k1::new);

fn bytes(hex_str: &str) -> Vec<u8> {
    hex::decode(hex_str).expect("test vector hex")
}

/// Splits a full message into its type and payload, checking the type.
fn payload_of<M: WireMessage>(message: &[u8]) -> &[u8] {
    assert_eq!(u16::from_be_bytes([message[0], message[1]]), M::TYPE);
    &message[2..]
}

fn regtest() -> ChainHash {
    let hash = bytes("0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
    ChainHash::from(<[u8; 32]>::try_from(hash).unwrap())
}

fn scid(block: u32, tx: u32, output: u16) -> ShortChannelId {
    ShortChannelId::new(block, tx, output).unwrap()
}

fn secret(byte: u8) -> SecretKey {
    SecretKey::from_slice(&[byte; 32]).unwrap()
}

fn sign(hash: [u8; 32], key: &SecretKey) -> Signature {
    SECP.sign_ecdsa(&Message::from_digest(hash), key)
}

// ------------------------------------------------------- bolt07/extended-queries.json

const QUERY_CHANNEL_RANGE_PLAIN: &str =
    "01070f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206000186a0000005dc";
const QUERY_CHANNEL_RANGE_OPTIONS: &str =
    "01070f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206000088b800000064010103";
const REPLY_CHANNEL_RANGE_PLAIN: &str = "01080f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206000b8a06000005dc01001900000000000000008e0000000000003c69000000000045a6c4";
const REPLY_CHANNEL_RANGE_ZLIB: &str = "01080f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206000006400000006e01001601789c636000833e08659309a65878be010010a9023a";
const REPLY_CHANNEL_RANGE_EXTENDED: &str = "01080f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e22060001ddde000005dc01001900000000000000304300000000000778d6000000000046e1c1011900000282c1000e77c5000778ad00490ab00000b57800955bff031800000457000008ae00000d050000115c000015b300001a0a";
const REPLY_CHANNEL_RANGE_EXTENDED_ZLIB: &str = "01080f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e22060001ddde000005dc01001801789c63600001036730c55e710d4cbb3d3c080017c303b1012201789c63606a3ac8c0577e9481bd622d8327d7060686ad150c53a3ff0300554707db031800000457000008ae00000d050000115c000015b300001a0a";
const QUERY_SHORT_IDS_PLAIN: &str = "01050f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206001900000000000000008e0000000000003c69000000000045a6c4";
const QUERY_SHORT_IDS_ZLIB: &str = "01050f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206001801789c63600001c12b608a69e73e30edbaec0800203b040e";
const QUERY_SHORT_IDS_ZLIB_FLAGS: &str = "01050f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e22060019000000000000002fc80000000000003cc4000000000045a6c4010c01789c6364620100000e0008";
const QUERY_SHORT_IDS_ALL_ZLIB: &str = "01050f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206001801789c63600001f30a30c5b0cd144cb92e3b020017c6034a010c01789c6364620100000e0008";

/// Decodes a vector, checks it equals `expected`, and re-encodes it byte for byte.
fn check_vector<M: WireMessage + PartialEq + std::fmt::Debug>(hex_str: &str, expected: M) {
    let message = bytes(hex_str);
    let decoded = M::decode_exact(payload_of::<M>(&message)).expect(hex_str);
    assert_eq!(decoded, expected);
    assert_eq!(expected.encode_with_type(), message);
}

#[test]
fn query_channel_range_vectors() {
    check_vector(
        QUERY_CHANNEL_RANGE_PLAIN,
        QueryChannelRange {
            chain_hash: regtest(),
            first_blocknum: 100000,
            number_of_blocks: 1500,
            query_option: None,
            unknown_tlvs: vec![],
        },
    );
    let with_options = QueryChannelRange {
        chain_hash: regtest(),
        first_blocknum: 35000,
        number_of_blocks: 100,
        query_option: Some(QueryOptionFlags(
            QueryOptionFlags::WANT_TIMESTAMPS | QueryOptionFlags::WANT_CHECKSUMS,
        )),
        unknown_tlvs: vec![],
    };
    assert_eq!(with_options.end_blocknum(), 35100);
    check_vector(QUERY_CHANNEL_RANGE_OPTIONS, with_options);
}

#[test]
fn reply_channel_range_vectors() {
    check_vector(
        REPLY_CHANNEL_RANGE_PLAIN,
        ReplyChannelRange {
            chain_hash: regtest(),
            first_blocknum: 756230,
            number_of_blocks: 1500,
            sync_complete: 1,
            short_channel_ids: vec![scid(0, 0, 142), scid(0, 0, 15465), scid(0, 69, 42692)],
            timestamps: None,
            checksums: None,
            unknown_tlvs: vec![],
        },
    );
    check_vector(
        REPLY_CHANNEL_RANGE_EXTENDED,
        ReplyChannelRange {
            chain_hash: regtest(),
            first_blocknum: 122334,
            number_of_blocks: 1500,
            sync_complete: 1,
            short_channel_ids: vec![scid(0, 0, 12355), scid(0, 7, 30934), scid(0, 70, 57793)],
            timestamps: Some(
                [(164545, 948165), (489645, 4786864), (46456, 9788415)]
                    .into_iter()
                    .map(|(a, b)| ChannelUpdateTimestamps {
                        timestamp_node_id_1: a,
                        timestamp_node_id_2: b,
                    })
                    .collect(),
            ),
            checksums: Some(
                [(1111, 2222), (3333, 4444), (5555, 6666)]
                    .into_iter()
                    .map(|(a, b)| ChannelUpdateChecksums {
                        checksum_node_id_1: a,
                        checksum_node_id_2: b,
                    })
                    .collect(),
            ),
            unknown_tlvs: vec![],
        },
    );
}

#[test]
fn query_short_channel_ids_vector() {
    check_vector(
        QUERY_SHORT_IDS_PLAIN,
        QueryShortChannelIds {
            chain_hash: regtest(),
            short_channel_ids: vec![scid(0, 0, 142), scid(0, 0, 15465), scid(0, 69, 42692)],
            query_flags: None,
            unknown_tlvs: vec![],
        },
    );
}

#[test]
fn zlib_vectors_are_rejected_with_a_typed_error() {
    for hex_str in [REPLY_CHANNEL_RANGE_ZLIB, REPLY_CHANNEL_RANGE_EXTENDED_ZLIB] {
        let message = bytes(hex_str);
        let payload = payload_of::<ReplyChannelRange>(&message);
        assert_eq!(
            ReplyChannelRange::decode_detailed(&mut Reader::new(payload)),
            Err(GossipDecodeError::ZlibEncoding)
        );
        assert_eq!(
            ReplyChannelRange::decode_exact(payload),
            Err(DecodeError::InvalidValue)
        );
    }
    for hex_str in [
        QUERY_SHORT_IDS_ZLIB,
        QUERY_SHORT_IDS_ZLIB_FLAGS,
        QUERY_SHORT_IDS_ALL_ZLIB,
    ] {
        let message = bytes(hex_str);
        let payload = payload_of::<QueryShortChannelIds>(&message);
        assert_eq!(
            QueryShortChannelIds::decode_detailed(&mut Reader::new(payload)),
            Err(GossipDecodeError::ZlibEncoding),
            "{hex_str}"
        );
        assert_eq!(
            QueryShortChannelIds::decode_exact(payload),
            Err(DecodeError::InvalidValue)
        );
    }
}

// ------------------------------------------------------------- query encodings

/// A `query_short_channel_ids` payload with the given encoded ids and TLV bytes.
fn query_payload(encoded_ids: &[u8], tlvs: &[u8]) -> Vec<u8> {
    let mut payload = regtest().encode_to_vec();
    payload.extend_from_slice(&(encoded_ids.len() as u16).to_be_bytes());
    payload.extend_from_slice(encoded_ids);
    payload.extend_from_slice(tlvs);
    payload
}

fn decode_query(payload: &[u8]) -> Result<QueryShortChannelIds, GossipDecodeError> {
    QueryShortChannelIds::decode_detailed(&mut Reader::new(payload))
}

#[test]
fn query_flags_round_trip_and_count() {
    let query = QueryShortChannelIds {
        chain_hash: regtest(),
        short_channel_ids: vec![scid(1, 2, 3), scid(700_000, 1, 0)],
        query_flags: Some(vec![
            QueryFlags(QueryFlags::CHANNEL_ANNOUNCEMENT | QueryFlags::CHANNEL_UPDATE_NODE_2),
            QueryFlags(300),
        ]),
        unknown_tlvs: vec![],
    };
    let payload = query.encode_to_vec();
    // TLV 1: length 5, encoding 0, bigsize 5, bigsize 300 (fd012c).
    assert!(payload.ends_with(&bytes("01050005fd012c")));
    assert_eq!(
        QueryShortChannelIds::decode_exact(&payload),
        Ok(query.clone())
    );
    let flags = &query.query_flags.as_ref().unwrap()[0];
    assert!(flags.contains(QueryFlags::CHANNEL_UPDATE_NODE_2));
    assert!(!flags.contains(QueryFlags::NODE_ANNOUNCEMENT_NODE_1));

    let ids = bytes("000000000000000001");
    assert_eq!(
        decode_query(&query_payload(&ids, &bytes("01020001"))).map(|q| q.query_flags),
        Ok(Some(vec![QueryFlags(1)]))
    );
    assert_eq!(
        decode_query(&query_payload(&ids, &bytes("0103000102"))),
        Err(GossipDecodeError::CountMismatch)
    );
    assert_eq!(
        decode_query(&query_payload(&ids, &bytes("0103000001"))),
        Err(GossipDecodeError::CountMismatch)
    );
    // Non-minimal bigsize flag.
    assert_eq!(
        decode_query(&query_payload(&ids, &bytes("010400fd0001"))),
        Err(GossipDecodeError::Codec(DecodeError::NonMinimalBigSize))
    );
}

#[test]
fn encoded_short_ids_errors() {
    assert_eq!(
        decode_query(&query_payload(&bytes("02"), &[])),
        Err(GossipDecodeError::UnknownEncoding(2))
    );
    assert_eq!(
        decode_query(&query_payload(&bytes("0100"), &[])),
        Err(GossipDecodeError::ZlibEncoding)
    );
    assert_eq!(
        decode_query(&query_payload(&bytes("0000000000000001"), &[])),
        Err(GossipDecodeError::PartialElement)
    );
    // An empty field (no encoding byte) is read as no ids; an encoding byte alone too.
    assert_eq!(
        decode_query(&query_payload(&[], &[])).map(|q| q.short_channel_ids),
        Ok(vec![])
    );
    assert_eq!(
        decode_query(&query_payload(&[0], &[])).map(|q| q.short_channel_ids),
        Ok(vec![])
    );
    // query_flags must carry its encoding byte.
    assert_eq!(
        decode_query(&query_payload(&[0], &bytes("0100"))),
        Err(GossipDecodeError::Codec(
            DecodeError::TlvValueLengthMismatch
        ))
    );
    // An unknown even TLV is fatal, an unknown odd one kept.
    assert_eq!(
        decode_query(&query_payload(&[0], &bytes("0200"))),
        Err(GossipDecodeError::Codec(DecodeError::UnknownEvenTlvType(2)))
    );
    assert_eq!(
        decode_query(&query_payload(&[0], &bytes("0301ff"))).map(|q| q.unknown_tlvs),
        Ok(vec![UnknownTlv {
            record_type: 3,
            value: vec![0xff]
        }])
    );
}

#[test]
fn reply_channel_range_count_mismatch_and_encodings() {
    let reply = ReplyChannelRange {
        chain_hash: regtest(),
        first_blocknum: u32::MAX,
        number_of_blocks: 10,
        sync_complete: 0,
        short_channel_ids: vec![scid(5, 5, 5)],
        timestamps: Some(vec![ChannelUpdateTimestamps::default(); 2]),
        checksums: None,
        unknown_tlvs: vec![],
    };
    assert_eq!(reply.end_blocknum(), u64::from(u32::MAX) + 10);
    assert!(!reply.is_sync_complete());
    let payload = reply.encode_to_vec();
    assert_eq!(
        ReplyChannelRange::decode_detailed(&mut Reader::new(&payload)),
        Err(GossipDecodeError::CountMismatch)
    );
    let mut checksums_only = reply.clone();
    checksums_only.timestamps = None;
    checksums_only.checksums = Some(vec![ChannelUpdateChecksums::default()]);
    let payload = checksums_only.encode_to_vec();
    assert_eq!(
        ReplyChannelRange::decode_exact(&payload),
        Ok(checksums_only)
    );
}

#[test]
fn too_many_ids_are_capped_on_encode() {
    let query = QueryShortChannelIds {
        chain_hash: regtest(),
        short_channel_ids: (0..MAX_ENCODED_SHORT_IDS as u64 + 5)
            .map(ShortChannelId)
            .collect(),
        query_flags: None,
        unknown_tlvs: vec![],
    };
    let decoded = QueryShortChannelIds::decode_exact(&query.encode_to_vec()).unwrap();
    assert_eq!(decoded.short_channel_ids.len(), MAX_ENCODED_SHORT_IDS);
    assert_eq!(
        decoded.short_channel_ids[..],
        query.short_channel_ids[..MAX_ENCODED_SHORT_IDS]
    );
}

#[test]
fn reply_short_channel_ids_end_and_timestamp_filter() {
    let end = ReplyShortChannelIdsEnd {
        chain_hash: regtest(),
        full_information: 1,
    };
    let message = end.encode_with_type();
    assert_eq!(&message[..2], &[0x01, 0x06]);
    assert_eq!(message.len(), 2 + 32 + 1);
    assert!(end.has_full_information());
    assert_eq!(
        ReplyShortChannelIdsEnd::decode_exact(&message[2..]),
        Ok(end)
    );

    let filter = GossipTimestampFilter {
        chain_hash: regtest(),
        first_timestamp: u32::MAX - 1,
        timestamp_range: u32::MAX,
    };
    assert_eq!(&filter.encode_with_type()[..2], &[0x01, 0x09]);
    assert!(filter.includes(u32::MAX) && filter.includes(u32::MAX - 1));
    assert!(!filter.includes(5));
    let nothing = GossipTimestampFilter {
        chain_hash: regtest(),
        first_timestamp: 0xFFFF_FFFF,
        timestamp_range: 0,
    };
    assert!(!nothing.includes(0xFFFF_FFFF) && !nothing.includes(0));
}

// ----------------------------------------------------------- signed messages

fn sample_channel_announcement() -> (ChannelAnnouncement, [SecretKey; 4]) {
    let keys = [secret(1), secret(2), secret(3), secret(4)];
    let public = keys.map(|key| PublicKey::from_secret_key(&SECP, &key));
    let placeholder = sign([0; 32], &keys[0]);
    let mut features = ChannelFeatures::empty();
    features.set_bit(201);
    let mut announcement = ChannelAnnouncement {
        node_signature_1: placeholder,
        node_signature_2: placeholder,
        bitcoin_signature_1: placeholder,
        bitcoin_signature_2: placeholder,
        features,
        chain_hash: regtest(),
        short_channel_id: scid(800_000, 12, 1),
        node_id_1: public[0],
        node_id_2: public[1],
        bitcoin_key_1: public[2],
        bitcoin_key_2: public[3],
        excess_data: vec![0xde, 0xad],
    };
    let hash = announcement.message_hash();
    announcement.node_signature_1 = sign(hash, &keys[0]);
    announcement.node_signature_2 = sign(hash, &keys[1]);
    announcement.bitcoin_signature_1 = sign(hash, &keys[2]);
    announcement.bitcoin_signature_2 = sign(hash, &keys[3]);
    (announcement, keys)
}

#[test]
fn channel_announcement_signatures() {
    let (announcement, _) = sample_channel_announcement();
    let payload = announcement.encode_to_vec();
    assert_eq!(announcement.signed_bytes(), payload[256..].to_vec());
    assert!(payload.ends_with(&[0xde, 0xad]));
    let decoded = ChannelAnnouncement::decode_exact(&payload).unwrap();
    assert_eq!(decoded, announcement);
    assert_eq!(decoded.verify_signatures(&SECP), Ok(()));

    let mut swapped = decoded.clone();
    swapped.bitcoin_signature_2 = decoded.bitcoin_signature_1;
    assert_eq!(
        swapped.verify_signatures(&SECP),
        Err(GossipSignatureError::BitcoinSignature2)
    );
    let mut changed = decoded.clone();
    changed.excess_data.clear();
    assert_eq!(
        changed.verify_signatures(&SECP),
        Err(GossipSignatureError::NodeSignature1)
    );

    let signatures = AnnouncementSignatures {
        channel_id: ChannelId([7; 32]),
        short_channel_id: announcement.short_channel_id,
        node_signature: announcement.node_signature_1,
        bitcoin_signature: announcement.bitcoin_signature_1,
    };
    let message = signatures.encode_with_type();
    assert_eq!(&message[..2], &[0x01, 0x03]);
    assert_eq!(message.len(), 2 + 32 + 8 + 64 + 64);
    assert_eq!(
        AnnouncementSignatures::decode_exact(&message[2..]),
        Ok(signatures)
    );
}

#[test]
fn high_s_signatures_still_verify() {
    let (mut announcement, _) = sample_channel_announcement();
    // Flip s to n - s: the same signature in its malleated (high-S) form.
    let order = lightning::bitcoin::secp256k1::constants::CURVE_ORDER;
    let mut compact = announcement.node_signature_1.serialize_compact();
    let mut borrow = 0i16;
    for index in (0..32).rev() {
        let value = i16::from(order[index]) - i16::from(compact[32 + index]) - borrow;
        borrow = i16::from(value < 0);
        compact[32 + index] = value.rem_euclid(256) as u8;
    }
    announcement.node_signature_1 = Signature::from_compact(&compact).unwrap();
    assert_eq!(announcement.verify_signatures(&SECP), Ok(()));
}

fn sample_node_announcement(addresses: Vec<AddressDescriptor>) -> (NodeAnnouncement, SecretKey) {
    let key = secret(9);
    let mut features = NodeFeatures::empty();
    features.set_var_onion_optin_required();
    let mut alias = [0u8; 32];
    alias[..8].copy_from_slice(b"IRATEMON");
    let mut announcement = NodeAnnouncement {
        signature: sign([1; 32], &key),
        features,
        timestamp: 1_700_000_000,
        node_id: PublicKey::from_secret_key(&SECP, &key),
        rgb_color: [1, 2, 3],
        alias,
        addresses,
        unparsed_addresses: vec![],
        excess_data: vec![],
    };
    announcement.signature = sign(announcement.message_hash(), &key);
    (announcement, key)
}

fn all_address_kinds() -> Vec<AddressDescriptor> {
    vec![
        AddressDescriptor::Ipv4(SocketAddrV4::new(Ipv4Addr::new(203, 0, 113, 7), 9735)),
        AddressDescriptor::Ipv6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9736, 0, 0)),
        AddressDescriptor::TorV2([3; 12]),
        AddressDescriptor::TorV3 {
            ed25519_pubkey: [4; 32],
            checksum: 0xbeef,
            version: 3,
            port: 9737,
        },
        AddressDescriptor::Dns {
            hostname: Hostname::new("node.example.com").unwrap(),
            port: 9738,
        },
    ]
}

#[test]
fn node_announcement_round_trip_and_signature() {
    let (announcement, _) = sample_node_announcement(all_address_kinds());
    let payload = announcement.encode_to_vec();
    assert_eq!(announcement.signed_bytes(), payload[64..].to_vec());
    let decoded = NodeAnnouncement::decode_exact(&payload).unwrap();
    assert_eq!(decoded, announcement);
    assert_eq!(decoded.verify_signature(&SECP), Ok(()));
    assert_eq!(decoded.alias_text(), Some("IRATEMON"));
    let types: Vec<u8> = decoded.addresses.iter().map(|a| a.type_byte()).collect();
    assert_eq!(types, vec![1, 2, 3, 4, 5]);
    assert_eq!(decoded.addresses[2].port(), None);
    assert_eq!(decoded.addresses[4].port(), Some(9738));

    let mut tampered = decoded.clone();
    tampered.timestamp += 1;
    assert_eq!(
        tampered.verify_signature(&SECP),
        Err(GossipSignatureError::Signature)
    );
}

/// A node_announcement payload whose `addresses` field is exactly `addresses`.
fn node_announcement_with_raw_addresses(addresses: &[u8]) -> (Vec<u8>, SecretKey) {
    let (announcement, key) = sample_node_announcement(vec![]);
    let mut payload = announcement.encode_to_vec();
    payload.truncate(payload.len() - 2); // drop the empty addrlen
    payload.extend_from_slice(&(addresses.len() as u16).to_be_bytes());
    payload.extend_from_slice(addresses);
    // Re-sign the new content.
    let hash = lightning::bitcoin::hashes::sha256d::Hash::hash(&payload[64..]);
    use lightning::bitcoin::hashes::Hash;
    let signature = sign(hash.to_byte_array(), &key);
    payload[..64].copy_from_slice(&signature.serialize_compact());
    (payload, key)
}

#[test]
fn unknown_address_type_stops_parsing_without_failing() {
    // IPv4, then an unknown type 9 with junk, then an IPv6 that must not be parsed.
    let addresses = bytes(concat!(
        "01",
        "7f000001",
        "2607",
        "09",
        "aabbcc",
        "02",
        "00000000000000000000000000000001",
        "2608"
    ));
    let (payload, _) = node_announcement_with_raw_addresses(&addresses);
    let decoded = NodeAnnouncement::decode_exact(&payload).unwrap();
    assert_eq!(
        decoded.addresses,
        vec![AddressDescriptor::Ipv4(SocketAddrV4::new(
            Ipv4Addr::LOCALHOST,
            9735
        ))]
    );
    assert_eq!(decoded.unparsed_addresses, addresses[7..].to_vec());
    assert_eq!(decoded.encode_to_vec(), payload);
    assert_eq!(decoded.verify_signature(&SECP), Ok(()));

    // Type 0 is not defined either.
    let (payload, _) = node_announcement_with_raw_addresses(&bytes("00ff"));
    let decoded = NodeAnnouncement::decode_exact(&payload).unwrap();
    assert!(decoded.addresses.is_empty());
    assert_eq!(decoded.unparsed_addresses, vec![0x00, 0xff]);

    // A DNS name that is not ASCII stops parsing the same way.
    let (payload, _) = node_announcement_with_raw_addresses(&bytes("0502c3a92607"));
    let decoded = NodeAnnouncement::decode_exact(&payload).unwrap();
    assert!(decoded.addresses.is_empty());
    assert_eq!(decoded.unparsed_addresses.len(), 6);
    assert_eq!(decoded.encode_to_vec(), payload);
}

#[test]
fn truncated_known_address_is_an_error() {
    let (payload, _) = node_announcement_with_raw_addresses(&bytes("017f00000126070200"));
    assert_eq!(
        NodeAnnouncement::decode_exact(&payload),
        Err(DecodeError::ShortRead)
    );
    let (payload, _) = node_announcement_with_raw_addresses(&bytes("0505616263"));
    assert_eq!(
        NodeAnnouncement::decode_exact(&payload),
        Err(DecodeError::ShortRead)
    );
}

#[test]
fn hostnames() {
    assert!(Hostname::new("").is_none());
    assert!(Hostname::new("é.example").is_none());
    assert!(Hostname::new(&"a".repeat(256)).is_none());
    let longest = Hostname::new(&"a".repeat(255)).unwrap();
    assert_eq!(longest.as_str().len(), 255);
    assert_eq!(longest.to_string(), "a".repeat(255));
}

fn sample_channel_update() -> ChannelUpdate {
    ChannelUpdate {
        signature: sign([2; 32], &secret(5)),
        chain_hash: regtest(),
        short_channel_id: scid(800_000, 12, 1),
        timestamp: 1_700_000_000,
        message_flags: ChannelUpdate::MESSAGE_FLAG_MUST_BE_ONE,
        channel_flags: ChannelUpdate::CHANNEL_FLAG_DIRECTION | ChannelUpdate::CHANNEL_FLAG_DISABLE,
        cltv_expiry_delta: 144,
        htlc_minimum_msat: 1000,
        fee_base_msat: 1000,
        fee_proportional_millionths: 100,
        htlc_maximum_msat: 990_000_000,
        excess_data: vec![],
    }
}

#[test]
fn channel_update_flags_and_signature() {
    let key = secret(5);
    let node_id = PublicKey::from_secret_key(&SECP, &key);
    let mut update = sample_channel_update();
    update.signature = sign(update.message_hash(), &key);
    assert_eq!(update.direction(), 1);
    assert!(update.is_from_node_2() && update.is_disabled());
    assert!(update.must_be_one() && !update.dont_forward());

    let message = update.encode_with_type();
    assert_eq!(&message[..2], &[0x01, 0x02]);
    assert_eq!(
        message.len(),
        2 + 64 + 32 + 8 + 4 + 1 + 1 + 2 + 8 + 4 + 4 + 8
    );
    assert_eq!(update.signed_bytes(), message[2 + 64..].to_vec());
    let decoded = ChannelUpdate::decode_exact(&message[2..]).unwrap();
    assert_eq!(decoded.verify_signature(&SECP, &node_id), Ok(()));
    let other = PublicKey::from_secret_key(&SECP, &secret(6));
    assert_eq!(
        decoded.verify_signature(&SECP, &other),
        Err(GossipSignatureError::Signature)
    );

    let mut forward_only = update.clone();
    forward_only.message_flags |= ChannelUpdate::MESSAGE_FLAG_DONT_FORWARD;
    forward_only.channel_flags = 0;
    assert!(forward_only.dont_forward() && !forward_only.is_disabled());
    assert_eq!(forward_only.direction(), 0);

    // htlc_maximum_msat is mandatory.
    assert_eq!(
        ChannelUpdate::decode_exact(&message[2..message.len() - 8]),
        Err(DecodeError::ShortRead)
    );
    // Future fields are kept and signed.
    let mut extended = update.clone();
    extended.excess_data = vec![1, 2, 3];
    let payload = extended.encode_to_vec();
    assert_eq!(ChannelUpdate::decode_exact(&payload), Ok(extended.clone()));
    assert_ne!(extended.message_hash(), update.message_hash());
}

#[test]
fn channel_update_checksum_skips_signature_and_timestamp() {
    let update = sample_channel_update();
    let mut resigned = update.clone();
    resigned.signature = sign([3; 32], &secret(7));
    resigned.timestamp += 100;
    assert_eq!(update.checksum(), resigned.checksum());
    let mut refeed = update.clone();
    refeed.fee_base_msat += 1;
    assert_ne!(update.checksum(), refeed.checksum());
    let mut other_channel = update.clone();
    other_channel.short_channel_id = scid(1, 1, 1);
    assert_ne!(update.checksum(), other_channel.checksum());
}

// ----------------------------------------------------------------- proptests

mod properties {
    use super::*;
    use proptest::collection::{btree_map, vec as pvec};
    use proptest::prelude::*;

    fn chain_hash() -> impl Strategy<Value = ChainHash> {
        any::<[u8; 32]>().prop_map(ChainHash::from)
    }

    fn short_channel_id() -> impl Strategy<Value = ShortChannelId> {
        any::<u64>().prop_map(ShortChannelId)
    }

    fn secret_key() -> impl Strategy<Value = SecretKey> {
        any::<[u8; 32]>().prop_filter_map("valid secret key", |b| SecretKey::from_slice(&b).ok())
    }

    fn public_key() -> impl Strategy<Value = PublicKey> {
        secret_key().prop_map(|key| PublicKey::from_secret_key(&SECP, &key))
    }

    fn signature() -> impl Strategy<Value = Signature> {
        (any::<[u8; 32]>(), any::<[u8; 32]>()).prop_filter_map("valid signature", |(r, s)| {
            let mut compact = [0u8; 64];
            compact[..32].copy_from_slice(&r);
            compact[32..].copy_from_slice(&s);
            Signature::from_compact(&compact).ok()
        })
    }

    fn feature_bytes() -> impl Strategy<Value = Vec<u8>> {
        pvec(any::<u8>(), 0..8)
    }

    fn unknown_tlvs() -> impl Strategy<Value = Vec<UnknownTlv>> {
        btree_map(
            (2u64..5000).prop_map(|t| 2 * t + 1),
            pvec(any::<u8>(), 0..12),
            0..3,
        )
        .prop_map(|records| {
            records
                .into_iter()
                .map(|(record_type, value)| UnknownTlv { record_type, value })
                .collect()
        })
    }

    fn address() -> impl Strategy<Value = AddressDescriptor> {
        prop_oneof![
            (any::<[u8; 4]>(), any::<u16>())
                .prop_map(|(ip, port)| AddressDescriptor::Ipv4(SocketAddrV4::new(ip.into(), port))),
            (any::<[u8; 16]>(), any::<u16>()).prop_map(|(ip, port)| {
                AddressDescriptor::Ipv6(SocketAddrV6::new(ip.into(), port, 0, 0))
            }),
            any::<[u8; 12]>().prop_map(AddressDescriptor::TorV2),
            (any::<[u8; 32]>(), any::<u16>(), any::<u8>(), any::<u16>()).prop_map(
                |(ed25519_pubkey, checksum, version, port)| AddressDescriptor::TorV3 {
                    ed25519_pubkey,
                    checksum,
                    version,
                    port,
                }
            ),
            ("[a-z0-9.-]{1,60}", any::<u16>()).prop_map(|(name, port)| AddressDescriptor::Dns {
                hostname: Hostname::new(&name).unwrap(),
                port,
            }),
        ]
    }

    /// Raw bytes that start with an address type we do not know.
    fn unparsed_addresses() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(vec![]),
            (prop_oneof![Just(0u8), 6u8..=255], pvec(any::<u8>(), 0..20)).prop_map(
                |(type_byte, rest)| {
                    let mut bytes = vec![type_byte];
                    bytes.extend(rest);
                    bytes
                }
            ),
        ]
    }

    prop_compose! {
        fn announcement_signatures()(
            channel_id in any::<[u8; 32]>(), short_channel_id in short_channel_id(),
            node_signature in signature(), bitcoin_signature in signature(),
        ) -> AnnouncementSignatures {
            AnnouncementSignatures {
                channel_id: ChannelId(channel_id), short_channel_id, node_signature,
                bitcoin_signature,
            }
        }
    }

    prop_compose! {
        fn channel_announcement()(
            signatures in [signature(), signature(), signature(), signature()],
            features in feature_bytes(), chain_hash in chain_hash(),
            short_channel_id in short_channel_id(),
            keys in [public_key(), public_key(), public_key(), public_key()],
            excess_data in pvec(any::<u8>(), 0..16),
        ) -> ChannelAnnouncement {
            ChannelAnnouncement {
                node_signature_1: signatures[0], node_signature_2: signatures[1],
                bitcoin_signature_1: signatures[2], bitcoin_signature_2: signatures[3],
                features: ChannelFeatures::from_wire_bytes(&features), chain_hash,
                short_channel_id, node_id_1: keys[0], node_id_2: keys[1],
                bitcoin_key_1: keys[2], bitcoin_key_2: keys[3], excess_data,
            }
        }
    }

    prop_compose! {
        fn node_announcement()(
            signature in signature(), features in feature_bytes(), timestamp in any::<u32>(),
            node_id in public_key(), rgb_color in any::<[u8; 3]>(),
            alias in any::<[u8; 32]>(), addresses in pvec(address(), 0..5),
            unparsed_addresses in unparsed_addresses(),
            excess_data in pvec(any::<u8>(), 0..16),
        ) -> NodeAnnouncement {
            NodeAnnouncement {
                signature, features: NodeFeatures::from_wire_bytes(&features), timestamp,
                node_id, rgb_color, alias, addresses, unparsed_addresses, excess_data,
            }
        }
    }

    prop_compose! {
        fn channel_update()(
            signature in signature(), chain_hash in chain_hash(),
            short_channel_id in short_channel_id(), timestamp in any::<u32>(),
            flags in any::<(u8, u8)>(), cltv_expiry_delta in any::<u16>(),
            amounts in any::<(u64, u32, u32, u64)>(),
            excess_data in pvec(any::<u8>(), 0..16),
        ) -> ChannelUpdate {
            ChannelUpdate {
                signature, chain_hash, short_channel_id, timestamp,
                message_flags: flags.0, channel_flags: flags.1, cltv_expiry_delta,
                htlc_minimum_msat: amounts.0, fee_base_msat: amounts.1,
                fee_proportional_millionths: amounts.2, htlc_maximum_msat: amounts.3,
                excess_data,
            }
        }
    }

    prop_compose! {
        fn query_short_channel_ids()(
            chain_hash in chain_hash(), ids in pvec(short_channel_id(), 0..20),
            with_flags in any::<bool>(), flag_values in pvec(any::<u64>(), 20),
            unknown_tlvs in unknown_tlvs(),
        ) -> QueryShortChannelIds {
            let query_flags = with_flags
                .then(|| flag_values[..ids.len()].iter().map(|f| QueryFlags(*f)).collect());
            QueryShortChannelIds { chain_hash, short_channel_ids: ids, query_flags, unknown_tlvs }
        }
    }

    prop_compose! {
        fn reply_short_channel_ids_end()(chain_hash in chain_hash(), full_information in any::<u8>())
            -> ReplyShortChannelIdsEnd {
            ReplyShortChannelIdsEnd { chain_hash, full_information }
        }
    }

    prop_compose! {
        fn query_channel_range()(
            chain_hash in chain_hash(), first_blocknum in any::<u32>(),
            number_of_blocks in any::<u32>(), query_option in proptest::option::of(any::<u64>()),
            unknown_tlvs in unknown_tlvs(),
        ) -> QueryChannelRange {
            QueryChannelRange {
                chain_hash, first_blocknum, number_of_blocks,
                query_option: query_option.map(QueryOptionFlags), unknown_tlvs,
            }
        }
    }

    prop_compose! {
        fn reply_channel_range()(
            chain_hash in chain_hash(), first_blocknum in any::<u32>(),
            number_of_blocks in any::<u32>(), sync_complete in any::<u8>(),
            ids in pvec(short_channel_id(), 0..20),
            pairs in pvec(any::<(u32, u32, u32, u32)>(), 20),
            with in any::<(bool, bool)>(), unknown_tlvs in unknown_tlvs(),
        ) -> ReplyChannelRange {
            let pairs = &pairs[..ids.len()];
            let timestamps = with.0.then(|| pairs.iter().map(|p| ChannelUpdateTimestamps {
                timestamp_node_id_1: p.0, timestamp_node_id_2: p.1,
            }).collect());
            let checksums = with.1.then(|| pairs.iter().map(|p| ChannelUpdateChecksums {
                checksum_node_id_1: p.2, checksum_node_id_2: p.3,
            }).collect());
            ReplyChannelRange {
                chain_hash, first_blocknum, number_of_blocks, sync_complete,
                short_channel_ids: ids, timestamps, checksums, unknown_tlvs,
            }
        }
    }

    prop_compose! {
        fn gossip_timestamp_filter()(
            chain_hash in chain_hash(), first_timestamp in any::<u32>(),
            timestamp_range in any::<u32>(),
        ) -> GossipTimestampFilter {
            GossipTimestampFilter { chain_hash, first_timestamp, timestamp_range }
        }
    }

    /// Encodes, decodes, compares, and checks the re-encoding is byte-identical.
    fn round_trip<M: WireMessage + PartialEq + std::fmt::Debug>(
        message: &M,
    ) -> Result<(), TestCaseError> {
        let full = message.encode_with_type();
        prop_assert_eq!(u16::from_be_bytes([full[0], full[1]]), M::TYPE);
        let decoded = M::decode_exact(&full[2..]);
        prop_assert_eq!(decoded.as_ref(), Ok(message));
        prop_assert_eq!(decoded.unwrap().encode_with_type(), full);
        Ok(())
    }

    /// Decodes `bytes` as every gossip message; none may panic.
    fn decode_all(bytes: &[u8]) {
        let _ = AnnouncementSignatures::decode_exact(bytes);
        let _ = ChannelAnnouncement::decode_exact(bytes);
        let _ = NodeAnnouncement::decode_exact(bytes);
        let _ = ChannelUpdate::decode_exact(bytes);
        let _ = QueryShortChannelIds::decode_detailed(&mut Reader::new(bytes));
        let _ = ReplyShortChannelIdsEnd::decode_exact(bytes);
        let _ = QueryChannelRange::decode_exact(bytes);
        let _ = ReplyChannelRange::decode_detailed(&mut Reader::new(bytes));
        let _ = GossipTimestampFilter::decode_exact(bytes);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn announcement_signatures_round_trip(m in announcement_signatures()) { round_trip(&m)?; }

        #[test]
        fn channel_announcement_round_trip(m in channel_announcement()) {
            round_trip(&m)?;
            prop_assert_eq!(m.signed_bytes(), m.encode_to_vec()[256..].to_vec());
        }

        #[test]
        fn node_announcement_round_trip(m in node_announcement()) {
            round_trip(&m)?;
            prop_assert_eq!(m.signed_bytes(), m.encode_to_vec()[64..].to_vec());
        }

        #[test]
        fn channel_update_round_trip(m in channel_update()) {
            round_trip(&m)?;
            prop_assert_eq!(m.signed_bytes(), m.encode_to_vec()[64..].to_vec());
        }

        #[test]
        fn query_short_channel_ids_round_trip(m in query_short_channel_ids()) { round_trip(&m)?; }

        #[test]
        fn reply_short_channel_ids_end_round_trip(m in reply_short_channel_ids_end()) {
            round_trip(&m)?;
        }

        #[test]
        fn query_channel_range_round_trip(m in query_channel_range()) { round_trip(&m)?; }

        #[test]
        fn reply_channel_range_round_trip(m in reply_channel_range()) { round_trip(&m)?; }

        #[test]
        fn gossip_timestamp_filter_round_trip(m in gossip_timestamp_filter()) {
            round_trip(&m)?;
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in pvec(any::<u8>(), 0..700)) {
            decode_all(&bytes);
        }

        #[test]
        fn mutated_messages_never_panic(
            node in node_announcement(), reply in reply_channel_range(),
            query in query_short_channel_ids(), cut in any::<prop::sample::Index>(),
            flip in any::<(prop::sample::Index, u8)>(),
        ) {
            for payload in [node.encode_to_vec(), reply.encode_to_vec(), query.encode_to_vec()] {
                decode_all(&payload[..cut.index(payload.len() + 1)]);
                let mut flipped = payload.clone();
                let at = flip.0.index(flipped.len());
                flipped[at] ^= flip.1;
                decode_all(&flipped);
            }
        }
    }
}
