//! Mutual close transactions: the legacy `closing_signed` variant and the `option_simple_close`
//! (`closing_complete`/`closing_sig`) variant.

use alloc::vec::Vec;
use core::fmt;

use bitcoin::absolute::LockTime;
use bitcoin::transaction::Version;
use bitcoin::{Amount, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Witness};

/// One peer's output in a closing transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosingOutput {
    /// The `scriptpubkey` from that peer's `shutdown` (or `closing_complete`).
    pub script_pubkey: ScriptBuf,
    /// That peer's final balance in millisatoshis (rounded down to satoshis in the output).
    pub balance_msat: u64,
}

/// Why a closing transaction could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClosingError {
    /// The fee is larger than the balance of the peer that pays it.
    FeeExceedsBalance,
    /// No output is left (every output was dust, omitted, or emptied by the fee).
    NoOutputs,
}

impl fmt::Display for ClosingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClosingError::FeeExceedsBalance => {
                f.write_str("closing fee exceeds the payer's balance")
            }
            ClosingError::NoOutputs => f.write_str("closing transaction would have no outputs"),
        }
    }
}

impl core::error::Error for ClosingError {}

/// Builds the legacy closing transaction (negotiated with `closing_signed`).
///
/// `opener_output` pays `fee_satoshis`; each output is rounded down to whole satoshis and dropped
/// if below `dust_limit_satoshis` (the limit of the node offering the signature); the outputs
/// are in BIP 69 order. Locktime 0, sequence `0xFFFFFFFF`. Pass `None` for an output its owner
/// chose to eliminate (only a node may eliminate its own).
pub fn build_legacy_closing_transaction(
    funding_outpoint: OutPoint,
    opener_output: Option<&ClosingOutput>,
    accepter_output: Option<&ClosingOutput>,
    fee_satoshis: u64,
    dust_limit_satoshis: u64,
) -> Result<Transaction, ClosingError> {
    let mut outputs = Vec::with_capacity(2);
    if let Some(opener) = opener_output {
        let value = (opener.balance_msat / 1000)
            .checked_sub(fee_satoshis)
            .ok_or(ClosingError::FeeExceedsBalance)?;
        if value >= dust_limit_satoshis {
            outputs.push(txout(value, &opener.script_pubkey));
        }
    }
    if let Some(accepter) = accepter_output {
        let value = accepter.balance_msat / 1000;
        if value >= dust_limit_satoshis {
            outputs.push(txout(value, &accepter.script_pubkey));
        }
    }
    closing_transaction(funding_outpoint, outputs, 0, 0xFFFF_FFFF)
}

/// Builds the `option_simple_close` closing transaction (`closing_complete`/`closing_sig`).
///
/// The closer's output pays `fee_satoshis`; an `OP_RETURN` output carries 0 sat; `None` omits an
/// output. Outputs are in BIP 69 order, the input sequence is `0xFFFFFFFD` and the locktime is
/// the one from `closing_complete`.
pub fn build_simple_closing_transaction(
    funding_outpoint: OutPoint,
    closer_output: Option<&ClosingOutput>,
    closee_output: Option<&ClosingOutput>,
    fee_satoshis: u64,
    locktime: u32,
) -> Result<Transaction, ClosingError> {
    let mut outputs = Vec::with_capacity(2);
    if let Some(closer) = closer_output {
        let value = if closer.script_pubkey.is_op_return() {
            0
        } else {
            (closer.balance_msat / 1000)
                .checked_sub(fee_satoshis)
                .ok_or(ClosingError::FeeExceedsBalance)?
        };
        outputs.push(txout(value, &closer.script_pubkey));
    }
    if let Some(closee) = closee_output {
        let value = if closee.script_pubkey.is_op_return() {
            0
        } else {
            closee.balance_msat / 1000
        };
        outputs.push(txout(value, &closee.script_pubkey));
    }
    closing_transaction(funding_outpoint, outputs, locktime, 0xFFFF_FFFD)
}

fn txout(value_satoshis: u64, script_pubkey: &ScriptBuf) -> TxOut {
    TxOut {
        value: Amount::from_sat(value_satoshis),
        script_pubkey: script_pubkey.clone(),
    }
}

fn closing_transaction(
    funding_outpoint: OutPoint,
    mut outputs: Vec<TxOut>,
    locktime: u32,
    sequence: u32,
) -> Result<Transaction, ClosingError> {
    if outputs.is_empty() {
        return Err(ClosingError::NoOutputs);
    }
    outputs.sort_by(|a, b| {
        (a.value, a.script_pubkey.as_bytes()).cmp(&(b.value, b.script_pubkey.as_bytes()))
    });
    Ok(Transaction {
        version: Version::TWO,
        lock_time: LockTime::from_consensus(locktime),
        input: alloc::vec![TxIn {
            previous_output: funding_outpoint,
            script_sig: ScriptBuf::new(),
            sequence: Sequence(sequence),
            witness: Witness::new(),
        }],
        output: outputs,
    })
}
