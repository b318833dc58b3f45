//! The commitment transaction (BOLT 3 "Commitment Transaction Construction").

use alloc::vec::Vec;
use core::fmt;

use bitcoin::absolute::LockTime;
use bitcoin::secp256k1::Message;
use bitcoin::sighash::EcdsaSighashType;
use bitcoin::transaction::Version;
use bitcoin::{Amount, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Txid, Witness};

use super::fees::{commitment_fee_sat, is_htlc_trimmed, ANCHOR_OUTPUT_VALUE_SATOSHIS};
use super::htlc::build_htlc_transaction;
use super::scripts;
use super::sighash::{p2wsh_signature_hash, SighashError};
use super::types::{ChannelParameters, ChannelType, CommitmentInputs, CommitmentKeys, Htlc, Side};

/// The largest commitment number (48 bits); the one constant of [`crate::keys`], re-exported
/// here so that `tx::MAX_COMMITMENT_NUMBER` keeps working.
pub use crate::keys::MAX_COMMITMENT_NUMBER;

/// Why a commitment transaction could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitmentError {
    /// The commitment number does not fit in 48 bits.
    CommitmentNumberTooLarge,
    /// The balances plus the HTLCs add up to more than the funding amount (or overflow).
    BalancesExceedFunding,
    /// With anchors, the opener's balance cannot pay for the anchor outputs, so the outputs
    /// would spend more than the funding output holds. (A base fee the opener cannot pay is not
    /// an error: the opener's output shrinks to zero and is dropped, as in the BOLT 3 vectors.)
    OpenerCannotPayAnchors,
}

impl fmt::Display for CommitmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitmentError::CommitmentNumberTooLarge => {
                f.write_str("commitment number exceeds 48 bits")
            }
            CommitmentError::BalancesExceedFunding => {
                f.write_str("balances and HTLCs exceed the funding amount")
            }
            CommitmentError::OpenerCannotPayAnchors => {
                f.write_str("the opener's balance cannot pay for the anchor outputs")
            }
        }
    }
}

impl core::error::Error for CommitmentError {}

/// An untrimmed HTLC and where it landed in the commitment transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HtlcOutput {
    /// The HTLC.
    pub htlc: Htlc,
    /// Its position in [`CommitmentInputs::htlcs`].
    pub input_position: usize,
    /// Its output index in the commitment transaction.
    pub output_index: u32,
    /// The witness script of the output (needed to sign the HTLC transaction spending it).
    pub witness_script: ScriptBuf,
}

/// A P2WSH output of the commitment transaction other than an HTLC (`to_local`, anchors-style
/// `to_remote`, anchors), with its witness script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptOutput {
    /// Output index in the commitment transaction.
    pub output_index: u32,
    /// Value in satoshis.
    pub value_satoshis: u64,
    /// The witness script the output pays to.
    pub witness_script: ScriptBuf,
}

/// The countersignatory's `to_remote` output of a commitment transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToRemoteOutput {
    /// Output index in the commitment transaction.
    pub output_index: u32,
    /// Value in satoshis.
    pub value_satoshis: u64,
    /// With anchors, the witness script (`<remotepubkey> OP_CHECKSIGVERIFY 1 OP_CSV`); without
    /// anchors `None`: the output is P2WPKH to `remotepubkey`.
    pub witness_script: Option<ScriptBuf>,
}

/// A built, unsigned commitment transaction and what a signer or a monitor needs to know about
/// its outputs.
///
/// Obtained from [`build_commitment_transaction`]. Sign the message of
/// [`CommitmentTransaction::funding_signature_hash`] with each funding key, then assemble the
/// witness with [`funding_witness`](super::funding_witness). For HTLC signatures, take
/// [`CommitmentTransaction::htlc_signature_hash`] (or build each second-stage transaction with
/// [`CommitmentTransaction::htlc_transaction`]) in the order of
/// [`CommitmentTransaction::htlc_outputs`], which is the order of
/// `commitment_signed.htlc_signatures`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentTransaction {
    /// The transaction, with an empty witness.
    pub tx: Transaction,
    /// The commitment format it was built for.
    pub channel_type: ChannelType,
    /// The feerate it was built with (its HTLC transactions use the same).
    pub feerate_per_kw: u32,
    /// The CSV delay on the broadcaster's outputs.
    pub broadcaster_to_self_delay: u16,
    /// The keys it was built with.
    pub keys: CommitmentKeys,
    /// The broadcaster's `to_local` output, if not trimmed.
    pub to_broadcaster: Option<ScriptOutput>,
    /// The countersignatory's `to_remote` output, if not trimmed.
    pub to_countersignatory: Option<ToRemoteOutput>,
    /// The broadcaster's anchor, if present.
    pub broadcaster_anchor: Option<ScriptOutput>,
    /// The countersignatory's anchor, if present.
    pub countersignatory_anchor: Option<ScriptOutput>,
    /// The untrimmed HTLCs, in output-index order.
    pub htlc_outputs: Vec<HtlcOutput>,
    /// Positions in [`CommitmentInputs::htlcs`] of the HTLCs trimmed to fees.
    pub trimmed_htlcs: Vec<usize>,
    /// The base fee the opener paid (from the feerate and expected weight).
    pub base_fee_satoshis: u64,
    /// The actual fee: funding amount minus the sum of the outputs.
    pub fee_satoshis: u64,
}

impl CommitmentTransaction {
    /// The commitment transaction id.
    pub fn txid(&self) -> Txid {
        self.tx.compute_txid()
    }

    /// The HTLC-timeout (offered) or HTLC-success (received) transaction spending
    /// `htlc_outputs[position]`, unsigned; `None` if `position` is out of range.
    pub fn htlc_transaction(&self, position: usize) -> Option<Transaction> {
        let output = self.htlc_outputs.get(position)?;
        Some(build_htlc_transaction(
            self.txid(),
            output.output_index,
            &output.htlc,
            self.channel_type,
            self.feerate_per_kw,
            self.broadcaster_to_self_delay,
            &self.keys.revocation_pubkey,
            &self.keys.broadcaster_delayed_payment_key,
        ))
    }

    /// The message both funding keys sign (`SIGHASH_ALL`) for this commitment's funding input.
    /// Fails only if `tx` was edited to have no input.
    pub fn funding_signature_hash(
        &self,
        params: &ChannelParameters,
    ) -> Result<Message, SighashError> {
        let script = params.funding_witness_script();
        p2wsh_signature_hash(
            &self.tx,
            0,
            &script,
            params.funding_satoshis,
            EcdsaSighashType::All,
        )
    }

    /// The message to sign for the HTLC transaction spending `htlc_outputs[position]` with
    /// `sighash_type` (the countersignatory uses
    /// [`htlc_countersignatory_sighash_type`](super::htlc_countersignatory_sighash_type), the
    /// broadcaster `SIGHASH_ALL`); `None` if `position` is out of range.
    pub fn htlc_signature_hash(
        &self,
        position: usize,
        sighash_type: EcdsaSighashType,
    ) -> Option<Message> {
        let output = self.htlc_outputs.get(position)?;
        let tx = self.htlc_transaction(position)?;
        p2wsh_signature_hash(
            &tx,
            0,
            &output.witness_script,
            output.htlc.amount_sat(),
            sighash_type,
        )
        .ok()
    }

    /// Every HTLC transaction, in the order of [`CommitmentTransaction::htlc_outputs`].
    pub fn htlc_transactions(&self) -> Vec<Transaction> {
        (0..self.htlc_outputs.len())
            .filter_map(|i| self.htlc_transaction(i))
            .collect()
    }
}

/// The commitment transaction's locktime and input sequence carrying the obscured commitment
/// number: `(locktime, sequence)`. Bits of `commitment_number` above 48 are ignored.
pub fn obscured_commitment_locktime_sequence(
    commitment_number: u64,
    obscure_factor: u64,
) -> (u32, u32) {
    let obscured = (commitment_number ^ obscure_factor) & MAX_COMMITMENT_NUMBER;
    // Both halves are masked to 24 bits, so the casts cannot truncate.
    let low = (obscured & 0xff_ffff) as u32;
    let high = ((obscured >> 24) & 0xff_ffff) as u32;
    (0x2000_0000 | low, 0x8000_0000 | high)
}

/// The commitment number hidden in a commitment transaction's locktime and sequence (the
/// inverse of [`obscured_commitment_locktime_sequence`]).
pub fn commitment_number_from_locktime_sequence(
    locktime: u32,
    sequence: u32,
    obscure_factor: u64,
) -> u64 {
    let obscured = (u64::from(sequence & 0xff_ffff) << 24) | u64::from(locktime & 0xff_ffff);
    obscured ^ (obscure_factor & MAX_COMMITMENT_NUMBER)
}

/// What an output of the commitment transaction is, before sorting.
enum OutputKind {
    ToBroadcaster(ScriptBuf),
    ToCountersignatory(Option<ScriptBuf>),
    BroadcasterAnchor(ScriptBuf),
    CountersignatoryAnchor(ScriptBuf),
    Htlc(usize, ScriptBuf),
}

struct PendingOutput {
    txout: TxOut,
    cltv_expiry: u32,
    kind: OutputKind,
}

/// Builds the commitment transaction `broadcaster` would publish for the state `inputs`, with
/// the per-commitment `keys` derived for that broadcaster and commitment.
///
/// Follows BOLT 3 step by step: trims HTLCs (their second-stage fee counts unless anchors), takes
/// the base fee (and, with anchors, 2 x 330 sat) from the opener's balance (down to zero if it
/// cannot pay), drops `to_local`/`to_remote` below the broadcaster's dust limit, adds anchors
/// where due, and sorts outputs by value, script, then CLTV.
pub fn build_commitment_transaction(
    params: &ChannelParameters,
    broadcaster: Side,
    keys: &CommitmentKeys,
    inputs: &CommitmentInputs,
) -> Result<CommitmentTransaction, CommitmentError> {
    if inputs.commitment_number > MAX_COMMITMENT_NUMBER {
        return Err(CommitmentError::CommitmentNumberTooLarge);
    }
    check_balances(params, inputs)?;
    let channel_type = params.channel_type;
    let broadcaster_params = params.side(broadcaster);
    let dust_limit = broadcaster_params.dust_limit_satoshis;

    let (untrimmed, trimmed): (Vec<usize>, Vec<usize>) = (0..inputs.htlcs.len()).partition(|&i| {
        !is_htlc_trimmed(
            channel_type,
            inputs.feerate_per_kw,
            dust_limit,
            &inputs.htlcs[i],
        )
    });
    let base_fee = commitment_fee_sat(channel_type, inputs.feerate_per_kw, untrimmed.len());
    let opener_cost = if channel_type.has_anchors() {
        base_fee.saturating_add(2 * ANCHOR_OUTPUT_VALUE_SATOSHIS)
    } else {
        base_fee
    };
    let mut to_broadcaster = inputs.to_broadcaster_msat / 1000;
    let mut to_countersignatory = inputs.to_countersignatory_msat / 1000;
    if params.opener == broadcaster {
        to_broadcaster = to_broadcaster.saturating_sub(opener_cost);
    } else {
        to_countersignatory = to_countersignatory.saturating_sub(opener_cost);
    }

    let outputs = sorted_outputs(
        params,
        broadcaster,
        keys,
        inputs,
        &untrimmed,
        to_broadcaster,
        to_countersignatory,
    );
    let factor = params.commitment_number_obscure_factor();
    let (locktime, sequence) =
        obscured_commitment_locktime_sequence(inputs.commitment_number, factor);
    // Each value is at most the funding amount (or an anchor), so the sum cannot overflow.
    let output_sum: u64 = outputs.iter().map(|o| o.txout.value.to_sat()).sum();
    if output_sum > params.funding_satoshis {
        // Only the anchors can push the outputs over the funding amount.
        return Err(CommitmentError::OpenerCannotPayAnchors);
    }
    let mut built = CommitmentTransaction {
        tx: Transaction {
            version: Version::TWO,
            lock_time: LockTime::from_consensus(locktime),
            input: alloc::vec![TxIn {
                previous_output: params.funding_outpoint,
                script_sig: ScriptBuf::new(),
                sequence: Sequence(sequence),
                witness: Witness::new(),
            }],
            output: Vec::with_capacity(outputs.len()),
        },
        channel_type,
        feerate_per_kw: inputs.feerate_per_kw,
        broadcaster_to_self_delay: broadcaster_params.to_self_delay,
        keys: keys.clone(),
        to_broadcaster: None,
        to_countersignatory: None,
        broadcaster_anchor: None,
        countersignatory_anchor: None,
        htlc_outputs: Vec::with_capacity(untrimmed.len()),
        trimmed_htlcs: trimmed,
        base_fee_satoshis: base_fee,
        fee_satoshis: params.funding_satoshis - output_sum,
    };
    for (index, output) in outputs.into_iter().enumerate() {
        // At most 4 + number of HTLCs outputs; a Vec that large cannot exceed u32.
        let output_index = u32::try_from(index).unwrap_or(u32::MAX);
        record_output(&mut built, inputs, output_index, &output);
        built.tx.output.push(output.txout);
    }
    Ok(built)
}

/// The commitment's outputs after trimming, in BIP 69 + CLTV order (steps 4 to 9 of BOLT 3
/// "Commitment Transaction Construction"). `to_broadcaster`/`to_countersignatory` are the
/// balances in satoshis after the opener paid the fee and anchors.
fn sorted_outputs(
    params: &ChannelParameters,
    broadcaster: Side,
    keys: &CommitmentKeys,
    inputs: &CommitmentInputs,
    untrimmed: &[usize],
    to_broadcaster: u64,
    to_countersignatory: u64,
) -> Vec<PendingOutput> {
    let channel_type = params.channel_type;
    let broadcaster_params = params.side(broadcaster);
    let countersignatory_params = params.side(broadcaster.other());
    let dust_limit = broadcaster_params.dust_limit_satoshis;
    let mut outputs: Vec<PendingOutput> = Vec::with_capacity(untrimmed.len() + 4);
    for &i in untrimmed {
        let htlc = &inputs.htlcs[i];
        let script = scripts::htlc_witness_script(channel_type, htlc, keys);
        outputs.push(PendingOutput {
            txout: txout(htlc.amount_sat(), scripts::p2wsh(&script)),
            cltv_expiry: htlc.cltv_expiry,
            kind: OutputKind::Htlc(i, script),
        });
    }
    let has_to_broadcaster = to_broadcaster >= dust_limit;
    if has_to_broadcaster {
        let script = scripts::revokeable_witness_script(
            &keys.revocation_pubkey,
            broadcaster_params.to_self_delay,
            &keys.broadcaster_delayed_payment_key,
        );
        outputs.push(PendingOutput {
            txout: txout(to_broadcaster, scripts::p2wsh(&script)),
            cltv_expiry: 0,
            kind: OutputKind::ToBroadcaster(script),
        });
    }
    let has_to_countersignatory = to_countersignatory >= dust_limit;
    if has_to_countersignatory {
        let key = &keys.countersignatory_payment_key;
        let script = channel_type
            .has_anchors()
            .then(|| scripts::to_remote_anchors_witness_script(key));
        outputs.push(PendingOutput {
            txout: txout(
                to_countersignatory,
                scripts::to_remote_script_pubkey(channel_type, key),
            ),
            cltv_expiry: 0,
            kind: OutputKind::ToCountersignatory(script),
        });
    }
    if channel_type.has_anchors() {
        if has_to_broadcaster || !untrimmed.is_empty() {
            let script = scripts::anchor_witness_script(&broadcaster_params.funding_pubkey);
            outputs.push(anchor_output(script, true));
        }
        if has_to_countersignatory || !untrimmed.is_empty() {
            let script = scripts::anchor_witness_script(&countersignatory_params.funding_pubkey);
            outputs.push(anchor_output(script, false));
        }
    }
    outputs.sort_by(|a, b| {
        (
            a.txout.value,
            a.txout.script_pubkey.as_bytes(),
            a.cltv_expiry,
        )
            .cmp(&(
                b.txout.value,
                b.txout.script_pubkey.as_bytes(),
                b.cltv_expiry,
            ))
    });

    outputs
}

/// Files one sorted output into the matching field of `built`.
fn record_output(
    built: &mut CommitmentTransaction,
    inputs: &CommitmentInputs,
    output_index: u32,
    output: &PendingOutput,
) {
    let value_satoshis = output.txout.value.to_sat();
    let script_output = |script: &ScriptBuf| ScriptOutput {
        output_index,
        value_satoshis,
        witness_script: script.clone(),
    };
    match &output.kind {
        OutputKind::ToBroadcaster(script) => built.to_broadcaster = Some(script_output(script)),
        OutputKind::ToCountersignatory(script) => {
            built.to_countersignatory = Some(ToRemoteOutput {
                output_index,
                value_satoshis,
                witness_script: script.clone(),
            })
        }
        OutputKind::BroadcasterAnchor(script) => {
            built.broadcaster_anchor = Some(script_output(script))
        }
        OutputKind::CountersignatoryAnchor(script) => {
            built.countersignatory_anchor = Some(script_output(script))
        }
        OutputKind::Htlc(position, script) => built.htlc_outputs.push(HtlcOutput {
            htlc: inputs.htlcs[*position].clone(),
            input_position: *position,
            output_index,
            witness_script: script.clone(),
        }),
    }
}

fn anchor_output(script: ScriptBuf, broadcaster: bool) -> PendingOutput {
    let script_pubkey = scripts::p2wsh(&script);
    PendingOutput {
        txout: txout(ANCHOR_OUTPUT_VALUE_SATOSHIS, script_pubkey),
        cltv_expiry: 0,
        kind: if broadcaster {
            OutputKind::BroadcasterAnchor(script)
        } else {
            OutputKind::CountersignatoryAnchor(script)
        },
    }
}

fn txout(value_satoshis: u64, script_pubkey: ScriptBuf) -> TxOut {
    TxOut {
        value: Amount::from_sat(value_satoshis),
        script_pubkey,
    }
}

/// Balances plus HTLCs must fit in the funding output (checked arithmetic throughout).
fn check_balances(
    params: &ChannelParameters,
    inputs: &CommitmentInputs,
) -> Result<(), CommitmentError> {
    let mut total = inputs
        .to_broadcaster_msat
        .checked_add(inputs.to_countersignatory_msat)
        .ok_or(CommitmentError::BalancesExceedFunding)?;
    for htlc in &inputs.htlcs {
        total = total
            .checked_add(htlc.amount_msat)
            .ok_or(CommitmentError::BalancesExceedFunding)?;
    }
    let funding_msat = params
        .funding_satoshis
        .checked_mul(1000)
        .ok_or(CommitmentError::BalancesExceedFunding)?;
    if total > funding_msat {
        return Err(CommitmentError::BalancesExceedFunding);
    }
    Ok(())
}
