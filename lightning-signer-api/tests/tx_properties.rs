//! Properties of the commitment builder over random channels and states: value is conserved,
//! outputs are in BIP 69 + CLTV order, HTLC outputs are where the builder says, trimming and
//! anchors follow BOLT 3, the obscured commitment number round-trips, and no input panics.

use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use bitcoin::{OutPoint, Txid};
use lightning_signer_api::tx::scripts::p2wsh;
use lightning_signer_api::tx::{
    build_commitment_transaction, commitment_fee_sat, commitment_number_from_locktime_sequence,
    is_htlc_trimmed, obscured_commitment_locktime_sequence, ChannelParameters, ChannelType,
    CommitmentError, CommitmentInputs, CommitmentKeys, Htlc, HtlcDirection, Side, SideParameters,
    ANCHOR_OUTPUT_VALUE_SATOSHIS,
};
use proptest::prelude::*;

fn key(byte: u8) -> PublicKey {
    SecretKey::from_slice(&[byte; 32])
        .unwrap()
        .public_key(&Secp256k1::new())
}

fn params(
    channel_type: ChannelType,
    opener: Side,
    funding_satoshis: u64,
    dust: u64,
) -> ChannelParameters {
    ChannelParameters {
        funding_outpoint: OutPoint {
            txid: Txid::all_zeros(),
            vout: 1,
        },
        funding_satoshis,
        opener,
        channel_type,
        holder: SideParameters {
            funding_pubkey: key(1),
            payment_basepoint: key(2),
            dust_limit_satoshis: dust,
            to_self_delay: 144,
        },
        counterparty: SideParameters {
            funding_pubkey: key(3),
            payment_basepoint: key(4),
            dust_limit_satoshis: dust,
            to_self_delay: 720,
        },
    }
}

fn keys() -> CommitmentKeys {
    CommitmentKeys {
        revocation_pubkey: key(5),
        broadcaster_delayed_payment_key: key(6),
        broadcaster_htlc_key: key(7),
        countersignatory_htlc_key: key(8),
        countersignatory_payment_key: key(9),
    }
}

fn channel_type() -> impl Strategy<Value = ChannelType> {
    prop_oneof![
        Just(ChannelType::StaticRemoteKey),
        Just(ChannelType::AnchorsZeroFeeHtlcTx)
    ]
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Holder), Just(Side::Counterparty)]
}

fn htlc() -> impl Strategy<Value = Htlc> {
    (any::<bool>(), 0u64..20_000_000, 0u32..600_000, 0u8..4).prop_map(
        |(offered, amount_msat, cltv_expiry, hash)| {
            Htlc {
                direction: if offered {
                    HtlcDirection::Offered
                } else {
                    HtlcDirection::Received
                },
                amount_msat,
                // Few distinct hashes, so identical HTLC scripts (the CLTV tie-break) do occur.
                payment_hash: sha256::Hash::hash(&[hash]).to_byte_array(),
                cltv_expiry,
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn commitment_invariants(
        channel_type in channel_type(),
        opener in side(),
        broadcaster in side(),
        dust in 0u64..5_000,
        feerate in prop_oneof![0u32..20_000, any::<u32>()],
        htlcs in proptest::collection::vec(htlc(), 0..12),
        split in 0u64..=1000,
        commitment_number in 0u64..(1 << 48),
    ) {
        let htlc_msat: u64 = htlcs.iter().map(|h| h.amount_msat).sum();
        let funding_satoshis = 10_000_000u64;
        let remaining = funding_satoshis * 1000 - htlc_msat;
        let to_broadcaster = remaining / 1000 * split;
        let inputs = CommitmentInputs {
            commitment_number,
            feerate_per_kw: feerate,
            to_broadcaster_msat: to_broadcaster,
            to_countersignatory_msat: remaining - to_broadcaster,
            htlcs: htlcs.clone(),
        };
        let params = params(channel_type, opener, funding_satoshis, dust);
        let opener_sat = if opener == broadcaster { inputs.to_broadcaster_msat } else { inputs.to_countersignatory_msat } / 1000;
        let built = match build_commitment_transaction(&params, broadcaster, &keys(), &inputs) {
            Ok(built) => built,
            Err(e) => {
                prop_assert_eq!(e, CommitmentError::OpenerCannotPayAnchors);
                prop_assert!(channel_type.has_anchors() && opener_sat < 2 * ANCHOR_OUTPUT_VALUE_SATOSHIS);
                return Ok(());
            }
        };
        let tx = &built.tx;

        // Value conservation and the fee: the opener pays the base fee as far as it can.
        let out_sum: u64 = tx.output.iter().map(|o| o.value.to_sat()).sum();
        prop_assert_eq!(out_sum + built.fee_satoshis, funding_satoshis);
        prop_assert_eq!(built.base_fee_satoshis, commitment_fee_sat(channel_type, feerate, built.htlc_outputs.len()));
        let anchor_cost = if channel_type.has_anchors() { 2 * ANCHOR_OUTPUT_VALUE_SATOSHIS } else { 0 };
        prop_assert!(built.fee_satoshis >= built.base_fee_satoshis.min(opener_sat.saturating_sub(anchor_cost)));

        // BIP 69 + CLTV order.
        for pair in tx.output.windows(2) {
            prop_assert!((pair[0].value, pair[0].script_pubkey.as_bytes()) <= (pair[1].value, pair[1].script_pubkey.as_bytes()));
        }
        for pair in built.htlc_outputs.windows(2) {
            prop_assert!(pair[0].output_index < pair[1].output_index);
            let a = &tx.output[pair[0].output_index as usize];
            let b = &tx.output[pair[1].output_index as usize];
            if a == b {
                prop_assert!(pair[0].htlc.cltv_expiry <= pair[1].htlc.cltv_expiry);
            }
        }

        // HTLC outputs are where the builder says, and trimming follows the rule.
        for output in &built.htlc_outputs {
            let txout = &tx.output[output.output_index as usize];
            prop_assert_eq!(txout.value.to_sat(), output.htlc.amount_sat());
            prop_assert_eq!(&txout.script_pubkey, &p2wsh(&output.witness_script));
            prop_assert_eq!(&inputs.htlcs[output.input_position], &output.htlc);
            prop_assert!(!is_htlc_trimmed(channel_type, feerate, dust, &output.htlc));
        }
        for &position in &built.trimmed_htlcs {
            prop_assert!(is_htlc_trimmed(channel_type, feerate, dust, &inputs.htlcs[position]));
        }
        prop_assert_eq!(built.trimmed_htlcs.len() + built.htlc_outputs.len(), htlcs.len());

        // Every output is accounted for once; dust outputs are gone.
        let anchors = built.broadcaster_anchor.is_some() as usize + built.countersignatory_anchor.is_some() as usize;
        let mains = built.to_broadcaster.is_some() as usize + built.to_countersignatory.is_some() as usize;
        prop_assert_eq!(tx.output.len(), anchors + mains + built.htlc_outputs.len());
        for o in built.to_broadcaster.iter() {
            prop_assert!(o.value_satoshis >= dust);
        }
        if channel_type.has_anchors() {
            let any_htlc = !built.htlc_outputs.is_empty();
            prop_assert_eq!(built.broadcaster_anchor.is_some(), built.to_broadcaster.is_some() || any_htlc);
            prop_assert_eq!(built.countersignatory_anchor.is_some(), built.to_countersignatory.is_some() || any_htlc);
            for anchor in built.broadcaster_anchor.iter().chain(built.countersignatory_anchor.iter()) {
                prop_assert_eq!(anchor.value_satoshis, ANCHOR_OUTPUT_VALUE_SATOSHIS);
            }
        } else {
            prop_assert_eq!(anchors, 0);
        }

        // The commitment number is recoverable from locktime and sequence.
        let factor = params.commitment_number_obscure_factor();
        let recovered = commitment_number_from_locktime_sequence(
            tx.lock_time.to_consensus_u32(), tx.input[0].sequence.0, factor);
        prop_assert_eq!(recovered, commitment_number);

        // HTLC transactions spend the right outputs.
        let txid = built.txid();
        for (position, htlc_tx) in built.htlc_transactions().iter().enumerate() {
            let output = &built.htlc_outputs[position];
            prop_assert_eq!(htlc_tx.input[0].previous_output, OutPoint { txid, vout: output.output_index });
            prop_assert!(htlc_tx.output[0].value.to_sat() <= output.htlc.amount_sat());
            let expected_locktime = match output.htlc.direction {
                HtlcDirection::Offered => output.htlc.cltv_expiry,
                HtlcDirection::Received => 0,
            };
            prop_assert_eq!(htlc_tx.lock_time.to_consensus_u32(), expected_locktime);
            prop_assert_eq!(htlc_tx.input[0].sequence.0, u32::from(channel_type.has_anchors()));
        }
    }

    #[test]
    fn arbitrary_inputs_never_panic(
        channel_type in channel_type(),
        opener in side(),
        broadcaster in side(),
        dust in any::<u64>(),
        funding in any::<u64>(),
        feerate in any::<u32>(),
        to_broadcaster in any::<u64>(),
        to_countersignatory in any::<u64>(),
        htlcs in proptest::collection::vec(
            (any::<bool>(), any::<u64>(), any::<u32>()).prop_map(|(offered, amount_msat, cltv_expiry)| Htlc {
                direction: if offered { HtlcDirection::Offered } else { HtlcDirection::Received },
                amount_msat,
                payment_hash: [7; 32],
                cltv_expiry,
            }),
            0..6,
        ),
        commitment_number in any::<u64>(),
    ) {
        let inputs = CommitmentInputs {
            commitment_number,
            feerate_per_kw: feerate,
            to_broadcaster_msat: to_broadcaster,
            to_countersignatory_msat: to_countersignatory,
            htlcs,
        };
        let params = params(channel_type, opener, funding, dust);
        match build_commitment_transaction(&params, broadcaster, &keys(), &inputs) {
            Ok(built) => {
                let out_sum: u64 = built.tx.output.iter().map(|o| o.value.to_sat()).sum();
                prop_assert!(out_sum <= funding);
                let _ = built.htlc_transactions();
            }
            Err(CommitmentError::CommitmentNumberTooLarge) => prop_assert!(commitment_number >= 1 << 48),
            Err(CommitmentError::BalancesExceedFunding) | Err(CommitmentError::OpenerCannotPayAnchors) => {}
        }
    }

    #[test]
    fn obscured_number_round_trips(number in 0u64..(1 << 48), factor in any::<u64>()) {
        let (locktime, sequence) = obscured_commitment_locktime_sequence(number, factor);
        prop_assert_eq!(locktime >> 24, 0x20);
        prop_assert_eq!(sequence >> 24, 0x80);
        prop_assert_eq!(commitment_number_from_locktime_sequence(locktime, sequence, factor), number);
    }
}

#[test]
fn one_max_commitment_number_for_keys_and_tx() {
    assert_eq!(
        lightning_signer_api::tx::MAX_COMMITMENT_NUMBER,
        lightning_signer_api::keys::MAX_COMMITMENT_NUMBER
    );
    assert_eq!(
        lightning_signer_api::tx::MAX_COMMITMENT_NUMBER,
        (1 << 48) - 1
    );
}
