//! Justice (penalty) transactions: sweeping the outputs of a revoked commitment, and of its
//! second-stage HTLC transactions, with the revocation key.
//!
//! Call contract: rebuild the revoked commitment with
//! [`build_commitment_transaction`](super::build_commitment_transaction) (its keys derived from
//! the revealed per-commitment point), take its claimable outputs with [`revoked_outputs`] (and
//! [`revoked_second_stage_output`] for any HTLC transaction the cheater published), build the
//! sweep with [`build_justice_transaction`], sign every input with
//! [`sign_p2wsh_input`](super::sign_p2wsh_input) (`SIGHASH_ALL`, the revocation private key,
//! the input's `witness_script` and `value_satoshis`), then set each witness with
//! [`justice_witness`].

use alloc::vec::Vec;
use core::fmt;

use bitcoin::absolute::LockTime;
use bitcoin::secp256k1::{ecdsa, PublicKey};
use bitcoin::transaction::Version;
use bitcoin::{
    Amount, OutPoint, Script, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Txid, Witness,
};

use super::commitment::CommitmentTransaction;
use super::fees::fee_for_weight;
use super::types::HtlcDirection;

/// Which kind of revoked output a justice input spends; it decides the witness shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevokedOutputKind {
    /// The broadcaster's `to_local` output: witness `<revocation_sig> 1`.
    ToLocal,
    /// An HTLC output offered by the broadcaster: witness `<revocation_sig> <revocationpubkey>`.
    OfferedHtlc,
    /// An HTLC output received by the broadcaster: witness `<revocation_sig> <revocationpubkey>`.
    ReceivedHtlc,
    /// The output of an HTLC-timeout or HTLC-success transaction: witness `<revocation_sig> 1`.
    SecondStageHtlc,
}

/// One revoked output to sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JusticeInput {
    /// The output being spent.
    pub outpoint: OutPoint,
    /// Its value in satoshis (signed over by the segwit sighash).
    pub value_satoshis: u64,
    /// The witness script it pays to.
    pub witness_script: ScriptBuf,
    /// What kind of output it is.
    pub kind: RevokedOutputKind,
}

/// Why a justice transaction could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JusticeError {
    /// No input was given.
    NoInputs,
    /// The fee at the requested feerate is not below the total value swept (or it overflowed).
    FeeExceedsValue,
}

impl fmt::Display for JusticeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JusticeError::NoInputs => f.write_str("justice transaction has no inputs"),
            JusticeError::FeeExceedsValue => f.write_str("justice fee exceeds the value swept"),
        }
    }
}

impl core::error::Error for JusticeError {}

/// The claimable outputs of a revoked commitment rebuilt as `commitment`: its `to_local` and
/// every untrimmed HTLC output (the countersignatory's `to_remote` is already its own).
pub fn revoked_outputs(commitment: &CommitmentTransaction) -> Vec<JusticeInput> {
    let txid = commitment.txid();
    let mut inputs = Vec::with_capacity(commitment.htlc_outputs.len() + 1);
    if let Some(to_local) = &commitment.to_broadcaster {
        inputs.push(JusticeInput {
            outpoint: OutPoint {
                txid,
                vout: to_local.output_index,
            },
            value_satoshis: to_local.value_satoshis,
            witness_script: to_local.witness_script.clone(),
            kind: RevokedOutputKind::ToLocal,
        });
    }
    for output in &commitment.htlc_outputs {
        inputs.push(JusticeInput {
            outpoint: OutPoint {
                txid,
                vout: output.output_index,
            },
            value_satoshis: output.htlc.amount_sat(),
            witness_script: output.witness_script.clone(),
            kind: match output.htlc.direction {
                HtlcDirection::Offered => RevokedOutputKind::OfferedHtlc,
                HtlcDirection::Received => RevokedOutputKind::ReceivedHtlc,
            },
        });
    }
    inputs
}

/// The output 0 of a published HTLC-timeout/HTLC-success transaction `htlc_txid` of value
/// `value_satoshis`, whose revokeable witness script is `witness_script` (see
/// [`revokeable_witness_script`](super::scripts::revokeable_witness_script)).
pub fn revoked_second_stage_output(
    htlc_txid: Txid,
    value_satoshis: u64,
    witness_script: ScriptBuf,
) -> JusticeInput {
    JusticeInput {
        outpoint: OutPoint {
            txid: htlc_txid,
            vout: 0,
        },
        value_satoshis,
        witness_script,
        kind: RevokedOutputKind::SecondStageHtlc,
    }
}

/// The witness of a justice input: `<revocation_sig> 1 <script>` for `to_local` and second-stage
/// outputs, `<revocation_sig> <revocationpubkey> <script>` for HTLC outputs. The signature gets
/// `SIGHASH_ALL`.
pub fn justice_witness(
    kind: RevokedOutputKind,
    revocation_sig: &ecdsa::Signature,
    revocation_pubkey: &PublicKey,
    witness_script: &Script,
) -> Witness {
    let mut witness = Witness::new();
    witness.push_ecdsa_signature(&bitcoin::ecdsa::Signature::sighash_all(*revocation_sig));
    push_selector(&mut witness, kind, revocation_pubkey.serialize());
    witness.push(witness_script.as_bytes());
    witness
}

fn push_selector(witness: &mut Witness, kind: RevokedOutputKind, pubkey: [u8; 33]) {
    match kind {
        RevokedOutputKind::ToLocal | RevokedOutputKind::SecondStageHtlc => witness.push([1u8]),
        RevokedOutputKind::OfferedHtlc | RevokedOutputKind::ReceivedHtlc => witness.push(pubkey),
    }
}

/// Builds the unsigned justice transaction sweeping all `inputs` to `destination`, paying
/// `feerate_per_kw` on its weight with maximal (73-byte) signatures. Version 2, locktime 0,
/// sequences `0xFFFFFFFD` (replaceable, so the fee can be bumped).
///
/// The caller should check the single output against the destination's dust limit.
pub fn build_justice_transaction(
    inputs: &[JusticeInput],
    destination: ScriptBuf,
    feerate_per_kw: u32,
) -> Result<Transaction, JusticeError> {
    if inputs.is_empty() {
        return Err(JusticeError::NoInputs);
    }
    let mut total: u64 = 0;
    for input in inputs {
        total = total
            .checked_add(input.value_satoshis)
            .ok_or(JusticeError::FeeExceedsValue)?;
    }
    let mut tx = Transaction {
        version: Version::TWO,
        lock_time: LockTime::ZERO,
        input: inputs
            .iter()
            .map(|input| TxIn {
                previous_output: input.outpoint,
                script_sig: ScriptBuf::new(),
                sequence: Sequence::ENABLE_RBF_NO_LOCKTIME,
                witness: Witness::new(),
            })
            .collect(),
        output: alloc::vec![TxOut {
            value: Amount::ZERO,
            script_pubkey: destination,
        }],
    };
    // Measure the weight with the largest witnesses the inputs can carry, then clear them.
    for (txin, input) in tx.input.iter_mut().zip(inputs) {
        txin.witness = max_size_witness(input);
    }
    let fee = fee_for_weight(feerate_per_kw, tx.weight().to_wu());
    for txin in tx.input.iter_mut() {
        txin.witness = Witness::new();
    }
    let value = total
        .checked_sub(fee)
        .filter(|v| *v > 0)
        .ok_or(JusticeError::FeeExceedsValue)?;
    tx.output[0].value = Amount::from_sat(value);
    Ok(tx)
}

/// A witness of the same size as the largest valid justice witness for `input`.
fn max_size_witness(input: &JusticeInput) -> Witness {
    let mut witness = Witness::new();
    witness.push([0u8; 73]);
    push_selector(&mut witness, input.kind, [0u8; 33]);
    witness.push(input.witness_script.as_bytes());
    witness
}
