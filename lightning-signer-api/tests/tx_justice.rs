//! Justice transactions: sweep every revoked output of a commitment (and a revoked HTLC
//! transaction's output) with the revocation key, for both channel types. The revocation private
//! key is derived here with the BOLT 3 "revocationpubkey Derivation" formulas from the Appendix C
//! secrets, and must match the Appendix C `local_revocation_pubkey`.

use std::str::FromStr;

use bitcoin::hashes::{hash160, sha256, Hash};
use bitcoin::secp256k1::{PublicKey, Scalar, Secp256k1, SecretKey};
use bitcoin::sighash::EcdsaSighashType;
use bitcoin::{OutPoint, ScriptBuf, Transaction, Txid};
use lightning_signer_api::tx::scripts::{p2wpkh, p2wsh, revokeable_witness_script};
use lightning_signer_api::tx::{
    build_commitment_transaction, build_justice_transaction, fee_for_weight, justice_witness,
    revoked_outputs, revoked_second_stage_output, sign_p2wsh_input, verify_p2wsh_signature,
    ChannelParameters, ChannelType, CommitmentInputs, CommitmentKeys, CommitmentTransaction, Htlc,
    HtlcDirection, JusticeError, JusticeInput, RevokedOutputKind, Side, SideParameters,
};

fn secret(hex_str: &str) -> SecretKey {
    SecretKey::from_slice(&hex::decode(hex_str).unwrap()).unwrap()
}

fn pubkey(hex_str: &str) -> PublicKey {
    PublicKey::from_slice(&hex::decode(hex_str).unwrap()).unwrap()
}

fn sha256_of(a: &PublicKey, b: &PublicKey) -> Scalar {
    let mut data = a.serialize().to_vec();
    data.extend_from_slice(&b.serialize());
    Scalar::from_be_bytes(sha256::Hash::hash(&data).to_byte_array()).unwrap()
}

/// `revocationprivkey = revocation_basepoint_secret * SHA256(revocation_basepoint ||
/// per_commitment_point) + per_commitment_secret * SHA256(per_commitment_point ||
/// revocation_basepoint)`.
fn revocation_secret() -> SecretKey {
    let secp = Secp256k1::new();
    let basepoint_secret =
        secret("2222222222222222222222222222222222222222222222222222222222222222");
    let per_commitment_secret =
        secret("1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100");
    let basepoint = basepoint_secret.public_key(&secp);
    let per_commitment_point = per_commitment_secret.public_key(&secp);
    assert_eq!(
        basepoint,
        pubkey("02466d7fcae563e5cb09a0d1870bb580344804617879a14949cf22285f1bae3f27")
    );
    assert_eq!(
        per_commitment_point,
        pubkey("025f7117a78150fe2ef97db7cfc83bd57b2e2c0d0dd25eaf467a4a1c2a45ce1486")
    );
    let a = basepoint_secret
        .mul_tweak(&sha256_of(&basepoint, &per_commitment_point))
        .unwrap();
    let b = per_commitment_secret
        .mul_tweak(&sha256_of(&per_commitment_point, &basepoint))
        .unwrap();
    a.add_tweak(&Scalar::from(b)).unwrap()
}

fn htlc(direction: HtlcDirection, amount_msat: u64, cltv_expiry: u32, byte: u8) -> Htlc {
    Htlc {
        direction,
        amount_msat,
        payment_hash: sha256::Hash::hash(&[byte; 32]).to_byte_array(),
        cltv_expiry,
    }
}

/// The Appendix C "seven outputs" commitment (feerate 647), for `channel_type`.
fn revoked_commitment(channel_type: ChannelType) -> CommitmentTransaction {
    let remote_payment_basepoint =
        pubkey("032c0b7cf95324a07d05398b240174dc0c2be444d96b159aa6c7f7b1e668680991");
    let params = ChannelParameters {
        funding_outpoint: OutPoint {
            txid: Txid::from_str(
                "8984484a580b825b9972d7adb15050b3ab624ccd731946b3eeddb92f4e7ef6be",
            )
            .unwrap(),
            vout: 0,
        },
        funding_satoshis: 10_000_000,
        opener: Side::Counterparty,
        channel_type,
        holder: SideParameters {
            funding_pubkey: pubkey(
                "030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c1",
            ),
            payment_basepoint: remote_payment_basepoint,
            dust_limit_satoshis: 546,
            to_self_delay: 144,
        },
        counterparty: SideParameters {
            funding_pubkey: pubkey(
                "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb",
            ),
            payment_basepoint: pubkey(
                "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa",
            ),
            dust_limit_satoshis: 546,
            to_self_delay: 144,
        },
    };
    let keys = CommitmentKeys {
        revocation_pubkey: pubkey(
            "0212a140cd0c6539d07cd08dfe09984dec3251ea808b892efeac3ede9402bf2b19",
        ),
        broadcaster_delayed_payment_key: pubkey(
            "03fd5960528dc152014952efdb702a88f71e3c1653b2314431701ec77e57fde83c",
        ),
        broadcaster_htlc_key: pubkey(
            "030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e7",
        ),
        countersignatory_htlc_key: pubkey(
            "0394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b",
        ),
        countersignatory_payment_key: remote_payment_basepoint,
    };
    let inputs = CommitmentInputs {
        commitment_number: 42,
        feerate_per_kw: 647,
        to_broadcaster_msat: 6_988_000_000,
        to_countersignatory_msat: 3_000_000_000,
        htlcs: vec![
            htlc(HtlcDirection::Received, 1_000_000, 500, 0),
            htlc(HtlcDirection::Received, 2_000_000, 501, 1),
            htlc(HtlcDirection::Offered, 2_000_000, 502, 2),
            htlc(HtlcDirection::Offered, 3_000_000, 503, 3),
            htlc(HtlcDirection::Received, 4_000_000, 504, 4),
        ],
    };
    // The counterparty broadcasts its own commitment: we (holder) are the countersignatory.
    build_commitment_transaction(&params, Side::Counterparty, &keys, &inputs).unwrap()
}

/// Signs every input of `tx` with the revocation key, sets the witnesses, and checks each.
fn sign_and_check(mut tx: Transaction, inputs: &[JusticeInput], spent: &[ScriptBuf], feerate: u32) {
    let secp = Secp256k1::new();
    let revocation_key = revocation_secret();
    let revocation_pubkey = revocation_key.public_key(&secp);
    assert_eq!(
        revocation_pubkey,
        pubkey("0212a140cd0c6539d07cd08dfe09984dec3251ea808b892efeac3ede9402bf2b19")
    );
    let all = EcdsaSighashType::All;
    let estimated_fee =
        inputs.iter().map(|i| i.value_satoshis).sum::<u64>() - tx.output[0].value.to_sat();
    for (index, input) in inputs.iter().enumerate() {
        let (script, value) = (&input.witness_script, input.value_satoshis);
        let sig = sign_p2wsh_input(&secp, &tx, index, script, value, all, &revocation_key).unwrap();
        assert!(verify_p2wsh_signature(
            &secp,
            &tx,
            index,
            script,
            value,
            all,
            &sig,
            &revocation_pubkey
        ));
        tx.input[index].witness = justice_witness(input.kind, &sig, &revocation_pubkey, script);
    }
    for (index, input) in inputs.iter().enumerate() {
        let witness = &tx.input[index].witness;
        assert_eq!(witness.len(), 3);
        let script = witness.last().unwrap();
        assert_eq!(script, input.witness_script.as_bytes());
        assert_eq!(
            &p2wsh(&input.witness_script),
            &spent[index],
            "witness script commits to the spent output"
        );
        assert_eq!(tx.input[index].previous_output, input.outpoint);
        let selector = witness.nth(1).unwrap();
        match input.kind {
            RevokedOutputKind::ToLocal | RevokedOutputKind::SecondStageHtlc => {
                assert_eq!(selector, [1u8]);
                // OP_IF <revocationpubkey>: the revocation branch takes our key.
                assert_eq!(&script[2..35], revocation_pubkey.serialize());
            }
            RevokedOutputKind::OfferedHtlc | RevokedOutputKind::ReceivedHtlc => {
                assert_eq!(selector, revocation_pubkey.serialize());
                // OP_DUP OP_HASH160 <20 bytes>: the pubkey we push must hash to it.
                assert_eq!(
                    &script[3..23],
                    hash160::Hash::hash(selector).as_byte_array()
                );
            }
        }
    }
    // The fee was computed on an upper bound of the signed weight.
    assert!(fee_for_weight(feerate, tx.weight().to_wu()) <= estimated_fee);
    assert!(
        fee_for_weight(feerate, tx.weight().to_wu() + 4 * inputs.len() as u64 + 4) >= estimated_fee
    );
}

fn check_commitment_sweep(channel_type: ChannelType) {
    let commitment = revoked_commitment(channel_type);
    let inputs = revoked_outputs(&commitment);
    assert_eq!(inputs.len(), 6, "to_local and five HTLCs");
    assert_eq!(inputs[0].kind, RevokedOutputKind::ToLocal);
    assert_eq!(
        inputs
            .iter()
            .filter(|i| i.kind == RevokedOutputKind::OfferedHtlc)
            .count(),
        2
    );
    assert_eq!(
        inputs
            .iter()
            .filter(|i| i.kind == RevokedOutputKind::ReceivedHtlc)
            .count(),
        3
    );
    let spent: Vec<ScriptBuf> = inputs
        .iter()
        .map(|i| {
            let output = &commitment.tx.output[i.outpoint.vout as usize];
            assert_eq!(output.value.to_sat(), i.value_satoshis);
            output.script_pubkey.clone()
        })
        .collect();
    let destination = p2wpkh(&pubkey(
        "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa",
    ));
    let tx = build_justice_transaction(&inputs, destination, 2500).unwrap();
    assert_eq!(tx.input.len(), 6);
    assert!(tx
        .input
        .iter()
        .all(|i| i.previous_output.txid == commitment.txid()));
    sign_and_check(tx, &inputs, &spent, 2500);
}

#[test]
fn justice_sweeps_revoked_commitment_static_remotekey() {
    check_commitment_sweep(ChannelType::StaticRemoteKey);
}

#[test]
fn justice_sweeps_revoked_commitment_anchors() {
    check_commitment_sweep(ChannelType::AnchorsZeroFeeHtlcTx);
}

#[test]
fn justice_sweeps_revoked_second_stage_outputs() {
    for channel_type in [
        ChannelType::StaticRemoteKey,
        ChannelType::AnchorsZeroFeeHtlcTx,
    ] {
        let commitment = revoked_commitment(channel_type);
        let keys = &commitment.keys;
        let script = revokeable_witness_script(
            &keys.revocation_pubkey,
            144,
            &keys.broadcaster_delayed_payment_key,
        );
        let mut inputs = Vec::new();
        let mut spent = Vec::new();
        for htlc_tx in commitment.htlc_transactions() {
            assert_eq!(htlc_tx.output[0].script_pubkey, p2wsh(&script));
            inputs.push(revoked_second_stage_output(
                htlc_tx.compute_txid(),
                htlc_tx.output[0].value.to_sat(),
                script.clone(),
            ));
            spent.push(htlc_tx.output[0].script_pubkey.clone());
        }
        assert_eq!(inputs.len(), 5);
        let tx =
            build_justice_transaction(&inputs, ScriptBuf::new_op_return([0u8; 4]), 1000).unwrap();
        sign_and_check(tx, &inputs, &spent, 1000);
    }
}

#[test]
fn justice_rejects_empty_and_unaffordable() {
    let destination = p2wpkh(&pubkey(
        "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa",
    ));
    assert_eq!(
        build_justice_transaction(&[], destination.clone(), 253),
        Err(JusticeError::NoInputs)
    );
    let commitment = revoked_commitment(ChannelType::StaticRemoteKey);
    let inputs = revoked_outputs(&commitment);
    // The smallest HTLC (1000 sat) cannot pay for itself at a high feerate.
    let smallest = inputs
        .iter()
        .min_by_key(|i| i.value_satoshis)
        .unwrap()
        .clone();
    assert_eq!(smallest.value_satoshis, 1000);
    assert_eq!(
        build_justice_transaction(
            std::slice::from_ref(&smallest),
            destination.clone(),
            100_000
        ),
        Err(JusticeError::FeeExceedsValue)
    );
    let overflow = JusticeInput {
        value_satoshis: u64::MAX,
        ..smallest.clone()
    };
    assert_eq!(
        build_justice_transaction(&[overflow, smallest], destination, 1),
        Err(JusticeError::FeeExceedsValue)
    );
}
