//! Mutual close transactions: legacy (`closing_signed`) and `option_simple_close`.

use std::str::FromStr;

use bitcoin::secp256k1::PublicKey;
use bitcoin::{OutPoint, ScriptBuf, Txid};
use lightning_signer_api::tx::scripts::p2wpkh;
use lightning_signer_api::tx::{
    build_legacy_closing_transaction, build_simple_closing_transaction, ClosingError, ClosingOutput,
};

fn funding_outpoint() -> OutPoint {
    OutPoint {
        txid: Txid::from_str("8984484a580b825b9972d7adb15050b3ab624ccd731946b3eeddb92f4e7ef6be")
            .unwrap(),
        vout: 0,
    }
}

fn script(key_hex: &str) -> ScriptBuf {
    p2wpkh(&PublicKey::from_slice(&hex::decode(key_hex).unwrap()).unwrap())
}

fn output(key_hex: &str, balance_msat: u64) -> ClosingOutput {
    ClosingOutput {
        script_pubkey: script(key_hex),
        balance_msat,
    }
}

const KEY_A: &str = "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa";
const KEY_B: &str = "032c0b7cf95324a07d05398b240174dc0c2be444d96b159aa6c7f7b1e668680991";

#[test]
fn legacy_closing_takes_fee_from_opener_and_sorts_outputs() {
    let opener = output(KEY_A, 7_000_000_999);
    let accepter = output(KEY_B, 3_000_000_500);
    let tx = build_legacy_closing_transaction(
        funding_outpoint(),
        Some(&opener),
        Some(&accepter),
        7_000,
        546,
    )
    .unwrap();
    assert_eq!(tx.version, bitcoin::transaction::Version::TWO);
    assert_eq!(tx.lock_time.to_consensus_u32(), 0);
    assert_eq!(tx.input.len(), 1);
    assert_eq!(tx.input[0].previous_output, funding_outpoint());
    assert_eq!(tx.input[0].sequence.0, 0xFFFF_FFFF);
    let values: Vec<u64> = tx.output.iter().map(|o| o.value.to_sat()).collect();
    assert_eq!(values, vec![3_000_000, 6_993_000]);
    assert_eq!(tx.output[0].script_pubkey, script(KEY_B));
    assert_eq!(tx.output[1].script_pubkey, script(KEY_A));
}

#[test]
fn legacy_closing_equal_values_sort_by_script() {
    let a = output(KEY_A, 5_000_000_000);
    let b = output(KEY_B, 5_000_000_000);
    let tx =
        build_legacy_closing_transaction(funding_outpoint(), Some(&a), Some(&b), 0, 546).unwrap();
    let (first, second) = (&tx.output[0].script_pubkey, &tx.output[1].script_pubkey);
    assert!(first.as_bytes() < second.as_bytes());
}

#[test]
fn legacy_closing_removes_dust_and_checks_fee() {
    let opener = output(KEY_A, 9_999_455_000);
    let accepter = output(KEY_B, 545_999);
    let tx = build_legacy_closing_transaction(
        funding_outpoint(),
        Some(&opener),
        Some(&accepter),
        1_000,
        546,
    )
    .unwrap();
    assert_eq!(tx.output.len(), 1);
    assert_eq!(tx.output[0].value.to_sat(), 9_998_455);
    // The opener's own output may be eliminated, and may fall to dust after the fee.
    let small_opener = output(KEY_A, 1_500_000);
    let err = build_legacy_closing_transaction(
        funding_outpoint(),
        Some(&small_opener),
        Some(&accepter),
        1_000,
        546,
    );
    assert_eq!(err, Err(ClosingError::NoOutputs));
    let err =
        build_legacy_closing_transaction(funding_outpoint(), Some(&small_opener), None, 1_501, 546);
    assert_eq!(err, Err(ClosingError::FeeExceedsBalance));
    let tx = build_legacy_closing_transaction(funding_outpoint(), None, Some(&opener), 1_000, 546)
        .unwrap();
    assert_eq!(
        tx.output[0].value.to_sat(),
        9_999_455,
        "only the opener output pays the fee"
    );
}

#[test]
fn simple_closing_closer_pays_and_op_return_is_zero() {
    let closer = output(KEY_A, 6_000_000_000);
    let closee = ClosingOutput {
        script_pubkey: ScriptBuf::new_op_return([1u8, 2, 3]),
        balance_msat: 4_000_000_000,
    };
    let tx = build_simple_closing_transaction(
        funding_outpoint(),
        Some(&closer),
        Some(&closee),
        500,
        850_000,
    )
    .unwrap();
    assert_eq!(tx.lock_time.to_consensus_u32(), 850_000);
    assert_eq!(tx.input[0].sequence.0, 0xFFFF_FFFD);
    assert_eq!(tx.output[0].value.to_sat(), 0);
    assert!(tx.output[0].script_pubkey.is_op_return());
    assert_eq!(tx.output[1].value.to_sat(), 5_999_500);
    let err =
        build_simple_closing_transaction(funding_outpoint(), Some(&closer), None, 6_000_001, 0);
    assert_eq!(err, Err(ClosingError::FeeExceedsBalance));
    let err = build_simple_closing_transaction(funding_outpoint(), None, None, 0, 0);
    assert_eq!(err, Err(ClosingError::NoOutputs));
}
