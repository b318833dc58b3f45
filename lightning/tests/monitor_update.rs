//! Round trips and decode errors of the versioned monitor update encoding.

use bitcoin::hashes::Hash;
use bitcoin::secp256k1::{ecdsa::Signature, PublicKey, Secp256k1, SecretKey};
use bitcoin::{OutPoint, ScriptBuf, Txid};
use lightning::monitor::update::{
    ChannelMonitorInit, ChannelMonitorUpdate, MonitorUpdateDecodeError, MonitorUpdateStep,
    MONITOR_UPDATE_FORMAT_VERSION,
};
use lightning::wire::{ChannelId, PaymentPreimage};
use lightning_signer_api::keys::ChannelPublicKeys;
use lightning_signer_api::traits::{ChannelKeysId, ChannelSetup, CommitmentSignatures};
use lightning_signer_api::tx::{
    ChannelParameters, ChannelType, CommitmentInputs, Htlc, HtlcDirection, Side, SideParameters,
};
use proptest::prelude::*;

fn key(n: u8) -> PublicKey {
    let secret = SecretKey::from_slice(&[n.max(1); 32]).expect("non-zero below the order");
    PublicKey::from_secret_key(&Secp256k1::new(), &secret)
}

fn signature(n: u8) -> Signature {
    let secp = Secp256k1::new();
    let secret = SecretKey::from_slice(&[n.clamp(1, 200); 32]).expect("valid key");
    secp.sign_ecdsa(&bitcoin::secp256k1::Message::from_digest([n; 32]), &secret)
}

fn keys(n: u8) -> ChannelPublicKeys {
    ChannelPublicKeys {
        funding_pubkey: key(n),
        revocation_basepoint: key(n + 1),
        payment_point: key(n + 2),
        delayed_payment_basepoint: key(n + 3),
        htlc_basepoint: key(n + 4),
    }
}

fn inputs_strategy() -> impl Strategy<Value = CommitmentInputs> {
    let htlc = (any::<bool>(), any::<u64>(), any::<[u8; 32]>(), any::<u32>()).prop_map(
        |(offered, amount_msat, payment_hash, cltv_expiry)| Htlc {
            direction: if offered {
                HtlcDirection::Offered
            } else {
                HtlcDirection::Received
            },
            amount_msat,
            payment_hash,
            cltv_expiry,
        },
    );
    (
        any::<u64>(),
        any::<u32>(),
        any::<u64>(),
        any::<u64>(),
        proptest::collection::vec(htlc, 0..6),
    )
        .prop_map(|(n, feerate, a, b, htlcs)| CommitmentInputs {
            commitment_number: n,
            feerate_per_kw: feerate,
            to_broadcaster_msat: a,
            to_countersignatory_msat: b,
            htlcs,
        })
}

fn setup(anchors: bool, vout: u32) -> ChannelSetup {
    let holder = keys(10);
    let counterparty = keys(20);
    ChannelSetup {
        parameters: ChannelParameters {
            funding_outpoint: OutPoint {
                txid: Txid::from_byte_array([7; 32]),
                vout,
            },
            funding_satoshis: 1_000_000,
            opener: if anchors {
                Side::Holder
            } else {
                Side::Counterparty
            },
            channel_type: if anchors {
                ChannelType::AnchorsZeroFeeHtlcTx
            } else {
                ChannelType::StaticRemoteKey
            },
            holder: SideParameters {
                funding_pubkey: holder.funding_pubkey,
                payment_basepoint: holder.payment_point,
                dust_limit_satoshis: 546,
                to_self_delay: 144,
            },
            counterparty: SideParameters {
                funding_pubkey: counterparty.funding_pubkey,
                payment_basepoint: counterparty.payment_point,
                dust_limit_satoshis: 354,
                to_self_delay: 2016,
            },
        },
        holder_keys: holder,
        counterparty_keys: counterparty,
    }
}

fn step_strategy() -> impl Strategy<Value = MonitorUpdateStep> {
    let sigs = (any::<u8>(), 0usize..4).prop_map(|(n, count)| CommitmentSignatures {
        commitment: signature(n),
        htlcs: (0..count).map(|i| signature(i as u8)).collect(),
    });
    prop_oneof![
        (inputs_strategy(), sigs.clone()).prop_map(|(commitment, counterparty_signatures)| {
            MonitorUpdateStep::LatestHolderCommitment {
                commitment,
                counterparty_signatures,
            }
        }),
        (inputs_strategy(), 1u8..200).prop_map(|(commitment, n)| {
            MonitorUpdateStep::LatestCounterpartyCommitment {
                commitment,
                per_commitment_point: key(n),
            }
        }),
        (any::<u64>(), any::<[u8; 32]>()).prop_map(|(commitment_number, secret)| {
            MonitorUpdateStep::CommitmentSecret {
                commitment_number,
                secret,
            }
        }),
        any::<[u8; 32]>().prop_map(|p| MonitorUpdateStep::PaymentPreimage {
            preimage: PaymentPreimage(p)
        }),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|s| {
            MonitorUpdateStep::ShutdownScript {
                script: ScriptBuf::from_bytes(s),
            }
        }),
        Just(MonitorUpdateStep::ChannelForceClosed),
        (
            inputs_strategy(),
            inputs_strategy(),
            sigs,
            any::<bool>(),
            any::<u32>(),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..34)),
        )
            .prop_map(|(holder, counterparty, sigs, anchors, vout, script)| {
                MonitorUpdateStep::Init(Box::new(ChannelMonitorInit {
                    channel_id: ChannelId([3; 32]),
                    counterparty_node_id: key(99),
                    channel_keys_id: ChannelKeysId([4; 32]),
                    setup: setup(anchors, vout),
                    holder_commitment: holder,
                    counterparty_signatures: sigs,
                    counterparty_commitment: counterparty,
                    counterparty_per_commitment_point: key(77),
                    shutdown_script: script.map(ScriptBuf::from_bytes),
                }))
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn round_trip(id in any::<[u8; 32]>(), update_id in any::<u64>(),
                  steps in proptest::collection::vec(step_strategy(), 0..5)) {
        let update = ChannelMonitorUpdate { channel_id: ChannelId(id), update_id, steps };
        let bytes = update.encode();
        prop_assert_eq!(bytes[0], MONITOR_UPDATE_FORMAT_VERSION);
        prop_assert_eq!(ChannelMonitorUpdate::decode(&bytes), Ok(update));
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = ChannelMonitorUpdate::decode(&bytes);
    }

    #[test]
    fn truncations_fail_cleanly(steps in proptest::collection::vec(step_strategy(), 1..3),
                                cut in any::<prop::sample::Index>()) {
        let update = ChannelMonitorUpdate { channel_id: ChannelId([1; 32]), update_id: 9, steps };
        let bytes = update.encode();
        let cut = cut.index(bytes.len());
        prop_assert!(ChannelMonitorUpdate::decode(&bytes[..cut]).is_err());
    }
}

#[test]
fn typed_errors() {
    assert_eq!(
        ChannelMonitorUpdate::decode(&[]),
        Err(MonitorUpdateDecodeError::Empty)
    );
    assert_eq!(
        ChannelMonitorUpdate::decode(&[2]),
        Err(MonitorUpdateDecodeError::UnknownVersion(2))
    );
    assert_eq!(
        ChannelMonitorUpdate::decode(&[1]),
        Err(MonitorUpdateDecodeError::MissingField("steps"))
    );
    let update = ChannelMonitorUpdate {
        channel_id: ChannelId([1; 32]),
        update_id: 5,
        steps: vec![MonitorUpdateStep::ChannelForceClosed],
    };
    let mut bytes = update.encode();
    // The last step's kind sits 6 bytes from the end (kind u16 + empty length u32).
    let at = bytes.len() - 6;
    bytes[at + 1] = 99;
    assert_eq!(
        ChannelMonitorUpdate::decode(&bytes),
        Err(MonitorUpdateDecodeError::UnknownStep(99))
    );
}

#[test]
fn init_accessor_finds_the_initial_data() {
    let update = ChannelMonitorUpdate {
        channel_id: ChannelId([1; 32]),
        update_id: 1,
        steps: vec![MonitorUpdateStep::ChannelForceClosed],
    };
    assert!(update.init().is_none());
}
