//! HTLC-timeout and HTLC-success transactions (BOLT 3 "HTLC-Timeout and HTLC-Success
//! Transactions") and their witnesses.

use bitcoin::absolute::LockTime;
use bitcoin::secp256k1::PublicKey;
use bitcoin::sighash::EcdsaSighashType;
use bitcoin::transaction::Version;
use bitcoin::{Amount, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Txid, Witness};

use super::fees::second_stage_fee_sat;
use super::scripts;
use super::types::{ChannelType, Htlc, HtlcDirection};

/// The sighash type the countersignatory uses on HTLC transactions: `SIGHASH_ALL` without
/// anchors, `SIGHASH_SINGLE|SIGHASH_ANYONECANPAY` with anchors (so the broadcaster can add fee
/// inputs). The broadcaster always signs its own half with `SIGHASH_ALL`.
pub fn htlc_countersignatory_sighash_type(channel_type: ChannelType) -> EcdsaSighashType {
    if channel_type.has_anchors() {
        EcdsaSighashType::SinglePlusAnyoneCanPay
    } else {
        EcdsaSighashType::All
    }
}

/// Builds the unsigned HTLC-timeout (for an offered HTLC) or HTLC-success (for a received HTLC)
/// transaction spending output `output_index` of the commitment `commitment_txid`.
///
/// Its one output pays the HTLC amount minus the second-stage fee (zero with anchors) to the
/// revokeable script of `revocation_pubkey` / `broadcaster_delayed_key` after
/// `broadcaster_to_self_delay` blocks. Only call it for untrimmed HTLCs (the output amount
/// saturates at zero otherwise).
#[allow(clippy::too_many_arguments)]
pub fn build_htlc_transaction(
    commitment_txid: Txid,
    output_index: u32,
    htlc: &Htlc,
    channel_type: ChannelType,
    feerate_per_kw: u32,
    broadcaster_to_self_delay: u16,
    revocation_pubkey: &PublicKey,
    broadcaster_delayed_key: &PublicKey,
) -> Transaction {
    let fee = second_stage_fee_sat(channel_type, feerate_per_kw, htlc.direction);
    let lock_time = match htlc.direction {
        HtlcDirection::Offered => htlc.cltv_expiry,
        HtlcDirection::Received => 0,
    };
    let sequence = if channel_type.has_anchors() { 1 } else { 0 };
    let script = scripts::revokeable_witness_script(
        revocation_pubkey,
        broadcaster_to_self_delay,
        broadcaster_delayed_key,
    );
    Transaction {
        version: Version::TWO,
        lock_time: LockTime::from_consensus(lock_time),
        input: alloc::vec![TxIn {
            previous_output: OutPoint {
                txid: commitment_txid,
                vout: output_index,
            },
            script_sig: ScriptBuf::new(),
            sequence: Sequence(sequence),
            witness: Witness::new(),
        }],
        output: alloc::vec![TxOut {
            value: Amount::from_sat(htlc.amount_sat().saturating_sub(fee)),
            script_pubkey: scripts::p2wsh(&script),
        }],
    }
}
