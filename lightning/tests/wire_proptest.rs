//! Property tests: every BOLT 1/2 message (and some BOLT 7 ones, through `Message`) survives
//! `decode(encode(m)) == m`, and decoding arbitrary or mangled bytes never panics.

use std::collections::BTreeMap;

use lightning::bitcoin::hashes::Hash;
use lightning::bitcoin::secp256k1::{ecdsa::Signature, PublicKey, Secp256k1, SecretKey};
use lightning::bitcoin::{ScriptBuf, Txid};
use lightning::wire::features::{ChannelTypeFeatures, Features};
use lightning::wire::htlc::ONION_PACKET_LEN;
use lightning::wire::*;
use proptest::prelude::*;
use proptest::strategy::Union;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

fn pubkey() -> impl Strategy<Value = PublicKey> {
    any::<[u8; 32]>().prop_filter_map("valid secret", |bytes| {
        let secret = SecretKey::from_slice(&bytes).ok()?;
        Some(PublicKey::from_secret_key(
            &Secp256k1::signing_only(),
            &secret,
        ))
    })
}

fn signature() -> impl Strategy<Value = Signature> {
    // With the top bit of r and s clear both are below the curve order, so any such bytes
    // are a valid compact signature.
    (any::<[u8; 32]>(), any::<[u8; 32]>()).prop_map(|(mut r, mut s)| {
        r[0] &= 0x7f;
        s[0] &= 0x7f;
        let mut compact = [0u8; 64];
        compact[..32].copy_from_slice(&r);
        compact[32..].copy_from_slice(&s);
        Signature::from_compact(&compact).expect("r and s below the order")
    })
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

fn features<C: std::fmt::Debug + Clone>() -> impl Strategy<Value = Features<C>> {
    bytes(12).prop_map(|raw| Features::from_wire_bytes(&raw))
}

fn channel_id() -> impl Strategy<Value = ChannelId> {
    any::<[u8; 32]>().prop_map(ChannelId)
}

fn txid() -> impl Strategy<Value = Txid> {
    any::<[u8; 32]>().prop_map(Txid::from_byte_array)
}

fn script() -> impl Strategy<Value = ScriptBuf> {
    bytes(60).prop_map(ScriptBuf::from_bytes)
}

/// Unknown odd records with types above every type the BOLT 1/2 messages define.
fn unknown_tlvs() -> impl Strategy<Value = Vec<UnknownTlv>> {
    prop::collection::btree_map(
        (3u64..u64::MAX / 2).prop_map(|x| 2 * x + 1),
        bytes(20),
        0..3,
    )
    .prop_map(|records: BTreeMap<u64, Vec<u8>>| {
        records
            .into_iter()
            .map(|(record_type, value)| UnknownTlv { record_type, value })
            .collect()
    })
}

fn init() -> impl Strategy<Value = Message> {
    (
        features(),
        features(),
        prop::option::of(prop::collection::vec(any::<[u8; 32]>(), 0..3)),
        prop::option::of(bytes(20)),
        unknown_tlvs(),
    )
        .prop_map(
            |(global_features, features, chains, remote_addr, unknown_tlvs)| {
                Message::Init(Init {
                    global_features,
                    features,
                    networks: chains.map(|c| c.into_iter().map(ChainHash::from).collect()),
                    remote_addr,
                    unknown_tlvs,
                })
            },
        )
}

fn setup_messages() -> Vec<BoxedStrategy<Message>> {
    vec![
        init().boxed(),
        (channel_id(), bytes(100))
            .prop_map(|(channel_id, data)| ErrorMessage { channel_id, data }.into())
            .boxed(),
        (channel_id(), bytes(100))
            .prop_map(|(channel_id, data)| WarningMessage { channel_id, data }.into())
            .boxed(),
        (any::<u16>(), bytes(100))
            .prop_map(|(num_pong_bytes, ignored)| {
                Ping {
                    num_pong_bytes,
                    ignored,
                }
                .into()
            })
            .boxed(),
        bytes(100)
            .prop_map(|ignored| Pong { ignored }.into())
            .boxed(),
        bytes(100)
            .prop_map(|blob| PeerStorage { blob }.into())
            .boxed(),
        bytes(100)
            .prop_map(|blob| PeerStorageRetrieval { blob }.into())
            .boxed(),
        // Custom odd messages stay unknown.
        ((16384u16..32767).prop_map(|x| 2 * x + 1), bytes(100))
            .prop_map(|(msg_type, payload)| Message::Unknown { msg_type, payload })
            .boxed(),
    ]
}

fn opening_tlvs() -> impl Strategy<Value = OpeningTlvs> {
    (
        prop::option::of(script()),
        prop::option::of(features::<lightning::wire::features::ChannelTypeContext>()),
        unknown_tlvs(),
    )
        .prop_map(
            |(upfront_shutdown_script, channel_type, unknown_tlvs)| OpeningTlvs {
                upfront_shutdown_script,
                channel_type: channel_type.map(|c: ChannelTypeFeatures| c),
                unknown_tlvs,
            },
        )
}

fn basepoints() -> impl Strategy<Value = [PublicKey; 6]> {
    [pubkey(), pubkey(), pubkey(), pubkey(), pubkey(), pubkey()]
}

fn open_channel() -> impl Strategy<Value = Message> {
    (
        (any::<[u8; 32]>(), channel_id(), any::<[u64; 6]>()),
        (any::<u32>(), any::<u16>(), any::<u16>(), any::<u8>()),
        basepoints(),
        opening_tlvs(),
    )
        .prop_map(
            |((chain, temporary_channel_id, amounts), small, keys, tlvs)| {
                OpenChannel {
                    chain_hash: ChainHash::from(chain),
                    temporary_channel_id,
                    funding_satoshis: amounts[0],
                    push_msat: amounts[1],
                    dust_limit_satoshis: amounts[2],
                    max_htlc_value_in_flight_msat: amounts[3],
                    channel_reserve_satoshis: amounts[4],
                    htlc_minimum_msat: amounts[5],
                    feerate_per_kw: small.0,
                    to_self_delay: small.1,
                    max_accepted_htlcs: small.2,
                    funding_pubkey: keys[0],
                    revocation_basepoint: keys[1],
                    payment_basepoint: keys[2],
                    delayed_payment_basepoint: keys[3],
                    htlc_basepoint: keys[4],
                    first_per_commitment_point: keys[5],
                    channel_flags: small.3,
                    tlvs,
                }
                .into()
            },
        )
}

fn accept_channel() -> impl Strategy<Value = Message> {
    (
        channel_id(),
        any::<[u64; 4]>(),
        (any::<u32>(), any::<u16>(), any::<u16>()),
        basepoints(),
        opening_tlvs(),
    )
        .prop_map(|(temporary_channel_id, amounts, small, keys, tlvs)| {
            AcceptChannel {
                temporary_channel_id,
                dust_limit_satoshis: amounts[0],
                max_htlc_value_in_flight_msat: amounts[1],
                channel_reserve_satoshis: amounts[2],
                htlc_minimum_msat: amounts[3],
                minimum_depth: small.0,
                to_self_delay: small.1,
                max_accepted_htlcs: small.2,
                funding_pubkey: keys[0],
                revocation_basepoint: keys[1],
                payment_basepoint: keys[2],
                delayed_payment_basepoint: keys[3],
                htlc_basepoint: keys[4],
                first_per_commitment_point: keys[5],
                tlvs,
            }
            .into()
        })
}

fn funding_retransmit() -> impl Strategy<Value = FundingRetransmit> {
    (txid(), any::<u8>()).prop_map(|(txid, retransmit_flags)| FundingRetransmit {
        txid,
        retransmit_flags,
    })
}

fn channel_messages() -> Vec<BoxedStrategy<Message>> {
    vec![
        open_channel().boxed(),
        accept_channel().boxed(),
        (channel_id(), txid(), any::<u16>(), signature())
            .prop_map(|(temporary_channel_id, funding_txid, index, signature)| {
                FundingCreated {
                    temporary_channel_id,
                    funding_txid,
                    funding_output_index: index,
                    signature,
                }
                .into()
            })
            .boxed(),
        (channel_id(), signature())
            .prop_map(|(channel_id, signature)| {
                FundingSigned {
                    channel_id,
                    signature,
                }
                .into()
            })
            .boxed(),
        (
            channel_id(),
            pubkey(),
            prop::option::of(any::<u64>()),
            unknown_tlvs(),
        )
            .prop_map(|(channel_id, point, alias, unknown_tlvs)| {
                ChannelReady {
                    channel_id,
                    second_per_commitment_point: point,
                    short_channel_id_alias: alias.map(ShortChannelId),
                    unknown_tlvs,
                }
                .into()
            })
            .boxed(),
        (channel_id(), script())
            .prop_map(|(channel_id, scriptpubkey)| {
                Shutdown {
                    channel_id,
                    scriptpubkey,
                }
                .into()
            })
            .boxed(),
        (
            channel_id(),
            any::<u64>(),
            signature(),
            prop::option::of(any::<(u64, u64)>()),
            unknown_tlvs(),
        )
            .prop_map(
                |(channel_id, fee_satoshis, signature, range, unknown_tlvs)| {
                    ClosingSigned {
                        channel_id,
                        fee_satoshis,
                        signature,
                        fee_range: range.map(|(min, max)| ClosingFeeRange {
                            min_fee_satoshis: min,
                            max_fee_satoshis: max,
                        }),
                        unknown_tlvs,
                    }
                    .into()
                },
            )
            .boxed(),
        (
            (channel_id(), any::<u64>(), any::<u64>(), any::<[u8; 32]>()),
            pubkey(),
            prop::option::of(funding_retransmit()),
            prop::option::of(funding_retransmit()),
            unknown_tlvs(),
        )
            .prop_map(|(fixed, point, next_funding, locked, unknown_tlvs)| {
                ChannelReestablish {
                    channel_id: fixed.0,
                    next_commitment_number: fixed.1,
                    next_revocation_number: fixed.2,
                    your_last_per_commitment_secret: fixed.3,
                    my_current_per_commitment_point: point,
                    next_funding,
                    my_current_funding_locked: locked,
                    unknown_tlvs,
                }
                .into()
            })
            .boxed(),
    ]
}

fn attribution_data() -> impl Strategy<Value = Option<Box<AttributionData>>> {
    prop::option::of(
        (
            any::<[u32; 20]>(),
            prop::collection::vec(any::<[u8; 4]>(), 210),
        )
            .prop_map(|(htlc_hold_times, hmacs)| {
                Box::new(AttributionData {
                    htlc_hold_times,
                    truncated_hmacs: hmacs.try_into().expect("210 hmacs"),
                })
            }),
    )
}

fn update_add_htlc() -> impl Strategy<Value = Message> {
    (
        (
            channel_id(),
            any::<u64>(),
            any::<u64>(),
            any::<[u8; 32]>(),
            any::<u32>(),
        ),
        prop::collection::vec(any::<u8>(), ONION_PACKET_LEN),
        prop::option::of(pubkey()),
        unknown_tlvs(),
    )
        .prop_map(|(fixed, onion, path_key, unknown_tlvs)| {
            UpdateAddHtlc {
                channel_id: fixed.0,
                id: fixed.1,
                amount_msat: fixed.2,
                payment_hash: PaymentHash(fixed.3),
                cltv_expiry: fixed.4,
                onion_routing_packet: Box::new(onion.try_into().expect("onion length")),
                path_key,
                unknown_tlvs,
            }
            .into()
        })
}

fn htlc_messages() -> Vec<BoxedStrategy<Message>> {
    vec![
        update_add_htlc().boxed(),
        (
            channel_id(),
            any::<u64>(),
            any::<[u8; 32]>(),
            attribution_data(),
            unknown_tlvs(),
        )
            .prop_map(
                |(channel_id, id, preimage, attribution_data, unknown_tlvs)| {
                    UpdateFulfillHtlc {
                        channel_id,
                        id,
                        payment_preimage: PaymentPreimage(preimage),
                        attribution_data,
                        unknown_tlvs,
                    }
                    .into()
                },
            )
            .boxed(),
        (
            channel_id(),
            any::<u64>(),
            bytes(300),
            attribution_data(),
            unknown_tlvs(),
        )
            .prop_map(|(channel_id, id, reason, attribution_data, unknown_tlvs)| {
                UpdateFailHtlc {
                    channel_id,
                    id,
                    reason,
                    attribution_data,
                    unknown_tlvs,
                }
                .into()
            })
            .boxed(),
        (channel_id(), any::<u64>(), any::<[u8; 32]>(), any::<u16>())
            .prop_map(|(channel_id, id, sha256_of_onion, failure_code)| {
                UpdateFailMalformedHtlc {
                    channel_id,
                    id,
                    sha256_of_onion,
                    failure_code,
                }
                .into()
            })
            .boxed(),
        (
            channel_id(),
            signature(),
            prop::collection::vec(signature(), 0..5),
            prop::option::of(txid()),
            unknown_tlvs(),
        )
            .prop_map(
                |(channel_id, signature, htlc_signatures, funding_txid, unknown_tlvs)| {
                    CommitmentSigned {
                        channel_id,
                        signature,
                        htlc_signatures,
                        funding_txid,
                        unknown_tlvs,
                    }
                    .into()
                },
            )
            .boxed(),
        (channel_id(), any::<[u8; 32]>(), pubkey())
            .prop_map(|(channel_id, secret, point)| {
                RevokeAndAck {
                    channel_id,
                    per_commitment_secret: secret,
                    next_per_commitment_point: point,
                }
                .into()
            })
            .boxed(),
        (channel_id(), any::<u32>())
            .prop_map(|(channel_id, feerate_per_kw)| {
                UpdateFee {
                    channel_id,
                    feerate_per_kw,
                }
                .into()
            })
            .boxed(),
    ]
}

fn dual_funding_tlvs() -> impl Strategy<Value = DualFundingTlvs> {
    (opening_tlvs(), any::<bool>()).prop_map(|(tlvs, require_confirmed_inputs)| DualFundingTlvs {
        upfront_shutdown_script: tlvs.upfront_shutdown_script,
        channel_type: tlvs.channel_type,
        require_confirmed_inputs,
        unknown_tlvs: tlvs.unknown_tlvs,
    })
}

fn open_channel2() -> impl Strategy<Value = Message> {
    (
        (
            any::<[u8; 32]>(),
            channel_id(),
            any::<[u32; 3]>(),
            any::<[u64; 4]>(),
        ),
        (any::<u16>(), any::<u16>(), any::<u8>()),
        basepoints(),
        pubkey(),
        dual_funding_tlvs(),
    )
        .prop_map(|((chain, id, small, amounts), more, keys, second, tlvs)| {
            OpenChannel2 {
                chain_hash: ChainHash::from(chain),
                temporary_channel_id: id,
                funding_feerate_perkw: small[0],
                commitment_feerate_perkw: small[1],
                funding_satoshis: amounts[0],
                dust_limit_satoshis: amounts[1],
                max_htlc_value_in_flight_msat: amounts[2],
                htlc_minimum_msat: amounts[3],
                to_self_delay: more.0,
                max_accepted_htlcs: more.1,
                locktime: small[2],
                funding_pubkey: keys[0],
                revocation_basepoint: keys[1],
                payment_basepoint: keys[2],
                delayed_payment_basepoint: keys[3],
                htlc_basepoint: keys[4],
                first_per_commitment_point: keys[5],
                second_per_commitment_point: second,
                channel_flags: more.2,
                tlvs,
            }
            .into()
        })
}

fn accept_channel2() -> impl Strategy<Value = Message> {
    (
        (
            channel_id(),
            any::<[u64; 4]>(),
            any::<u32>(),
            any::<[u16; 2]>(),
        ),
        basepoints(),
        pubkey(),
        dual_funding_tlvs(),
    )
        .prop_map(|((id, amounts, depth, small), keys, second, tlvs)| {
            AcceptChannel2 {
                temporary_channel_id: id,
                funding_satoshis: amounts[0],
                dust_limit_satoshis: amounts[1],
                max_htlc_value_in_flight_msat: amounts[2],
                htlc_minimum_msat: amounts[3],
                minimum_depth: depth,
                to_self_delay: small[0],
                max_accepted_htlcs: small[1],
                funding_pubkey: keys[0],
                revocation_basepoint: keys[1],
                payment_basepoint: keys[2],
                delayed_payment_basepoint: keys[3],
                htlc_basepoint: keys[4],
                first_per_commitment_point: keys[5],
                second_per_commitment_point: second,
                tlvs,
            }
            .into()
        })
}

fn closing_sigs() -> impl Strategy<Value = [Option<Signature>; 3]> {
    [
        prop::option::of(signature()),
        prop::option::of(signature()),
        prop::option::of(signature()),
    ]
}

fn simple_close_messages() -> Vec<BoxedStrategy<Message>> {
    let fields = || {
        (
            channel_id(),
            script(),
            script(),
            any::<u64>(),
            any::<u32>(),
            closing_sigs(),
            unknown_tlvs(),
        )
    };
    vec![
        fields()
            .prop_map(
                |(channel_id, closer, closee, fee, locktime, sigs, unknown_tlvs)| {
                    ClosingComplete {
                        channel_id,
                        closer_scriptpubkey: closer,
                        closee_scriptpubkey: closee,
                        fee_satoshis: fee,
                        locktime,
                        closer_output_only: sigs[0],
                        closee_output_only: sigs[1],
                        closer_and_closee_outputs: sigs[2],
                        unknown_tlvs,
                    }
                    .into()
                },
            )
            .boxed(),
        fields()
            .prop_map(
                |(channel_id, closer, closee, fee, locktime, sigs, unknown_tlvs)| {
                    ClosingSig {
                        channel_id,
                        closer_scriptpubkey: closer,
                        closee_scriptpubkey: closee,
                        fee_satoshis: fee,
                        locktime,
                        closer_output_only: sigs[0],
                        closee_output_only: sigs[1],
                        closer_and_closee_outputs: sigs[2],
                        unknown_tlvs,
                    }
                    .into()
                },
            )
            .boxed(),
    ]
}

fn interactive_messages() -> Vec<BoxedStrategy<Message>> {
    vec![
        (
            (
                channel_id(),
                any::<u64>(),
                bytes(200),
                any::<u32>(),
                any::<u32>(),
            ),
            prop::option::of(txid()),
            unknown_tlvs(),
        )
            .prop_map(|(fixed, shared_input_txid, unknown_tlvs)| {
                TxAddInput {
                    channel_id: fixed.0,
                    serial_id: fixed.1,
                    prevtx: fixed.2,
                    prevtx_vout: fixed.3,
                    sequence: fixed.4,
                    shared_input_txid,
                    unknown_tlvs,
                }
                .into()
            })
            .boxed(),
        (channel_id(), any::<u64>(), any::<u64>(), script())
            .prop_map(|(channel_id, serial_id, sats, script)| {
                TxAddOutput {
                    channel_id,
                    serial_id,
                    sats,
                    script,
                }
                .into()
            })
            .boxed(),
        (channel_id(), any::<u64>())
            .prop_map(|(channel_id, serial_id)| {
                TxRemoveInput {
                    channel_id,
                    serial_id,
                }
                .into()
            })
            .boxed(),
        (channel_id(), any::<u64>())
            .prop_map(|(channel_id, serial_id)| {
                TxRemoveOutput {
                    channel_id,
                    serial_id,
                }
                .into()
            })
            .boxed(),
        channel_id()
            .prop_map(|channel_id| TxComplete { channel_id }.into())
            .boxed(),
        (
            channel_id(),
            txid(),
            prop::collection::vec(bytes(120), 0..4),
            prop::option::of(signature()),
            unknown_tlvs(),
        )
            .prop_map(|(channel_id, txid, witnesses, shared, unknown_tlvs)| {
                TxSignatures {
                    channel_id,
                    txid,
                    witnesses,
                    shared_input_signature: shared,
                    unknown_tlvs,
                }
                .into()
            })
            .boxed(),
        (
            channel_id(),
            any::<u32>(),
            any::<u32>(),
            prop::option::of(any::<i64>()),
            any::<bool>(),
            unknown_tlvs(),
        )
            .prop_map(
                |(channel_id, locktime, feerate, contribution, flag, unknown_tlvs)| {
                    TxInitRbf {
                        channel_id,
                        locktime,
                        feerate,
                        funding_output_contribution: contribution,
                        require_confirmed_inputs: flag,
                        unknown_tlvs,
                    }
                    .into()
                },
            )
            .boxed(),
        (
            channel_id(),
            prop::option::of(any::<i64>()),
            any::<bool>(),
            unknown_tlvs(),
        )
            .prop_map(|(channel_id, contribution, flag, unknown_tlvs)| {
                TxAckRbf {
                    channel_id,
                    funding_output_contribution: contribution,
                    require_confirmed_inputs: flag,
                    unknown_tlvs,
                }
                .into()
            })
            .boxed(),
        (channel_id(), bytes(100))
            .prop_map(|(channel_id, data)| TxAbort { channel_id, data }.into())
            .boxed(),
    ]
}

fn splice_messages() -> Vec<BoxedStrategy<Message>> {
    vec![
        (channel_id(), any::<u8>())
            .prop_map(|(channel_id, initiator)| {
                Stfu {
                    channel_id,
                    initiator,
                }
                .into()
            })
            .boxed(),
        (
            (channel_id(), any::<i64>(), any::<u32>(), any::<u32>()),
            pubkey(),
            any::<bool>(),
            unknown_tlvs(),
        )
            .prop_map(|(fixed, funding_pubkey, flag, unknown_tlvs)| {
                SpliceInit {
                    channel_id: fixed.0,
                    funding_contribution_satoshis: fixed.1,
                    funding_feerate_perkw: fixed.2,
                    locktime: fixed.3,
                    funding_pubkey,
                    require_confirmed_inputs: flag,
                    unknown_tlvs,
                }
                .into()
            })
            .boxed(),
        (
            channel_id(),
            any::<i64>(),
            pubkey(),
            any::<bool>(),
            unknown_tlvs(),
        )
            .prop_map(
                |(channel_id, contribution, funding_pubkey, flag, unknown_tlvs)| {
                    SpliceAck {
                        channel_id,
                        funding_contribution_satoshis: contribution,
                        funding_pubkey,
                        require_confirmed_inputs: flag,
                        unknown_tlvs,
                    }
                    .into()
                },
            )
            .boxed(),
        (channel_id(), txid())
            .prop_map(|(channel_id, splice_txid)| {
                SpliceLocked {
                    channel_id,
                    splice_txid,
                }
                .into()
            })
            .boxed(),
        (
            channel_id(),
            any::<u16>(),
            prop::option::of(any::<u16>()),
            unknown_tlvs(),
        )
            .prop_map(|(channel_id, batch_size, message_type, unknown_tlvs)| {
                StartBatch {
                    channel_id,
                    batch_size,
                    message_type,
                    unknown_tlvs,
                }
                .into()
            })
            .boxed(),
    ]
}

/// The fixed-field gossip messages, to check `Message` dispatches BOLT 7 types (the gossip
/// codecs have their own round-trip tests in `wire_gossip.rs`).
fn gossip_messages() -> Vec<BoxedStrategy<Message>> {
    use lightning::wire::gossip::{ChannelUpdate, GossipTimestampFilter, ReplyShortChannelIdsEnd};
    vec![
        (
            (signature(), any::<[u8; 32]>(), any::<u64>(), any::<u32>()),
            (any::<u8>(), any::<u8>(), any::<u16>(), any::<u64>()),
            (any::<u32>(), any::<u32>(), any::<u64>(), bytes(20)),
        )
            .prop_map(|(a, b, c)| {
                ChannelUpdate {
                    signature: a.0,
                    chain_hash: ChainHash::from(a.1),
                    short_channel_id: ShortChannelId(a.2),
                    timestamp: a.3,
                    message_flags: b.0,
                    channel_flags: b.1,
                    cltv_expiry_delta: b.2,
                    htlc_minimum_msat: b.3,
                    fee_base_msat: c.0,
                    fee_proportional_millionths: c.1,
                    htlc_maximum_msat: c.2,
                    excess_data: c.3,
                }
                .into()
            })
            .boxed(),
        (any::<[u8; 32]>(), any::<u32>(), any::<u32>())
            .prop_map(|(chain, first_timestamp, timestamp_range)| {
                GossipTimestampFilter {
                    chain_hash: ChainHash::from(chain),
                    first_timestamp,
                    timestamp_range,
                }
                .into()
            })
            .boxed(),
        (any::<[u8; 32]>(), any::<u8>())
            .prop_map(|(chain, full_information)| {
                ReplyShortChannelIdsEnd {
                    chain_hash: ChainHash::from(chain),
                    full_information,
                }
                .into()
            })
            .boxed(),
    ]
}

fn any_message() -> impl Strategy<Value = Message> {
    let mut all = setup_messages();
    all.extend(channel_messages());
    all.extend(htlc_messages());
    all.push(open_channel2().boxed());
    all.push(accept_channel2().boxed());
    all.extend(simple_close_messages());
    all.extend(interactive_messages());
    all.extend(splice_messages());
    all.extend(gossip_messages());
    Union::new(all)
}

proptest! {
    // About 40 message kinds share these cases; each case is cheap.
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn message_round_trips(message in any_message()) {
        let encoded = message.encode();
        prop_assert_eq!(&encoded[..2], &message.msg_type().to_be_bytes()[..]);
        prop_assert_eq!(Message::read(&encoded), Ok(message.clone()));
        prop_assert_eq!(Message::decode(message.msg_type(), &encoded[2..]), Ok(message));
    }

}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(raw in bytes(2000)) {
        let _ = Message::read(&raw);
    }

    #[test]
    fn arbitrary_payloads_of_known_types_never_panic(
        msg_type in prop::sample::select(vec![
            1u16, 2, 7, 9, 16, 17, 18, 19, 32, 33, 34, 35, 36, 38, 39, 40, 41,
            64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 77, 80, 81, 127,
            128, 130, 131, 132, 133, 134, 135, 136,
            256, 257, 258, 259, 261, 262, 263, 264, 265,
        ]),
        payload in bytes(2000),
    ) {
        let _ = Message::decode(msg_type, &payload);
    }

    #[test]
    fn mangled_messages_never_panic(
        message in any_message(),
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        mask in 1u8..,
    ) {
        let mut encoded = message.encode();
        let flip_at = flip.index(encoded.len());
        encoded[flip_at] ^= mask;
        let _ = Message::read(&encoded);
        encoded.truncate(cut.index(encoded.len()));
        let _ = Message::read(&encoded);
    }
}
