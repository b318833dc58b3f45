//! Building and signing the transactions that claim our outputs: justice transactions,
//! claims on the counterparty's commitment, our HTLC transactions, delayed sweeps, and our
//! commitment itself.

use alloc::vec;
use alloc::vec::Vec;

use bitcoin::absolute::LockTime;
use bitcoin::secp256k1::ecdsa::Signature;
use bitcoin::transaction::Version;
use bitcoin::{Amount, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Witness};
use lightning_signer_api::traits::{JusticeRequest, SweepKind, SweepRequest};
use lightning_signer_api::tx::{
    build_justice_transaction, delayed_output_witness, fee_for_weight, funding_witness,
    htlc_transaction_witness, justice_witness, to_remote_anchors_witness, HtlcDirection,
    JusticeInput,
};

use super::outputs::{ClaimKind, TrackedOutput};
use super::ChannelMonitor;

/// Claims whose output would be below this many satoshis (after the fee) are not made: the
/// output is not worth a transaction (and would be non-standard dust).
pub const MIN_CLAIM_OUTPUT_SATOSHIS: u64 = 546;

/// The sequence of an input with no relative lock, replaceable.
const RBF_SEQUENCE: Sequence = Sequence::ENABLE_RBF_NO_LOCKTIME;

fn push_signature(witness: &mut Witness, signature: &Signature) {
    witness.push_ecdsa_signature(&bitcoin::ecdsa::Signature::sighash_all(*signature));
}

impl ChannelMonitor {
    /// The lowest tip height at which a claim of `output` can enter the next block, or `None`
    /// while it cannot be claimed at all (a preimage is missing).
    pub(super) fn claim_ready_height(&self, output: &TrackedOutput) -> Option<u32> {
        let anchors = self.data.setup.parameters.channel_type.has_anchors();
        let created = output.created_height;
        // A relative delay of `d` blocks: the claim can be mined at `created + d`.
        let after_csv = |d: u32| created.saturating_add(d).saturating_sub(1);
        let csv_one = if anchors { after_csv(1) } else { created };
        match &output.claim {
            ClaimKind::Justice { .. } => Some(created),
            ClaimKind::ToRemote { .. } => Some(csv_one),
            ClaimKind::CounterpartyHtlc { htlc, .. } => match htlc.direction {
                HtlcDirection::Offered => self.data.preimage(&htlc.payment_hash).map(|_| csv_one),
                HtlcDirection::Received => Some(csv_one.max(htlc.cltv_expiry)),
            },
            ClaimKind::HolderHtlc { htlc, .. } => match htlc.direction {
                HtlcDirection::Received => self.data.preimage(&htlc.payment_hash).map(|_| csv_one),
                HtlcDirection::Offered => Some(csv_one.max(htlc.cltv_expiry)),
            },
            ClaimKind::HolderDelayed { .. } => {
                let delay = self.data.setup.parameters.holder.to_self_delay;
                Some(after_csv(u32::from(delay)))
            }
        }
    }

    /// The signed claim of `output`, or `None` if the signer is not ready, refuses, or the
    /// output is not worth claiming.
    pub(super) fn build_claim(&mut self, output: &TrackedOutput) -> Option<Transaction> {
        match &output.claim {
            ClaimKind::Justice { .. } => self.build_justice(output),
            ClaimKind::HolderHtlc { .. } => self.build_holder_htlc(output),
            _ => self.build_sweep(output),
        }
    }

    fn build_justice(&mut self, output: &TrackedOutput) -> Option<Transaction> {
        let ClaimKind::Justice {
            kind,
            request_kind,
            commitment_number,
            secret,
            revocation_pubkey,
            witness_script,
            ..
        } = &output.claim
        else {
            return None;
        };
        let value = output.txout.value.to_sat();
        let input = JusticeInput {
            outpoint: output.outpoint,
            value_satoshis: value,
            witness_script: witness_script.clone(),
            kind: *kind,
        };
        let mut tx = build_justice_transaction(
            &[input],
            self.destination_script.clone(),
            self.chain.feerate_per_kw,
        )
        .ok()?;
        if tx.output[0].value.to_sat() < MIN_CLAIM_OUTPUT_SATOSHIS {
            return None;
        }
        let request = JusticeRequest {
            tx: &tx,
            input_index: 0,
            value_satoshis: value,
            commitment_number: *commitment_number,
            per_commitment_secret: *secret,
            kind: request_kind.clone(),
        };
        let signature = self
            .signer
            .sign_justice_input(&self.data.setup, &request)
            .ready()?;
        tx.input[0].witness = justice_witness(*kind, &signature, revocation_pubkey, witness_script);
        Some(tx)
    }

    fn build_holder_htlc(&mut self, output: &TrackedOutput) -> Option<Transaction> {
        let ClaimKind::HolderHtlc {
            inputs,
            position,
            htlc,
            unsigned_tx,
            counterparty_signature,
            witness_script,
        } = &output.claim
        else {
            return None;
        };
        let preimage = match htlc.direction {
            HtlcDirection::Received => Some(self.data.preimage(&htlc.payment_hash)?),
            HtlcDirection::Offered => None,
        };
        let mut tx = unsigned_tx.clone();
        let signature = self
            .signer
            .sign_holder_htlc_transaction(&self.data.setup, inputs, *position, &tx, 0)
            .ready()?;
        tx.input[0].witness = htlc_transaction_witness(
            self.data.setup.parameters.channel_type,
            counterparty_signature,
            &signature,
            preimage.as_ref(),
            witness_script,
        );
        Some(tx)
    }

    /// A one-input sweep of `output` to the destination script, signed through
    /// `sign_sweep_input`.
    fn build_sweep(&mut self, output: &TrackedOutput) -> Option<Transaction> {
        let anchors = self.data.setup.parameters.channel_type.has_anchors();
        let csv_one = if anchors { Sequence(1) } else { RBF_SEQUENCE };
        let (sequence, lock_time, kind, sample) = match &output.claim {
            ClaimKind::ToRemote { witness_script } => {
                let sample = match witness_script {
                    Some(script) => vec![73, script.len()],
                    None => vec![73, 33],
                };
                (csv_one, 0, SweepKind::ToRemote, sample)
            }
            ClaimKind::CounterpartyHtlc {
                htlc,
                point,
                witness_script,
            } => {
                let lock_time = match htlc.direction {
                    HtlcDirection::Offered => 0,
                    HtlcDirection::Received => htlc.cltv_expiry,
                };
                let kind = SweepKind::CounterpartyHtlc {
                    per_commitment_point: *point,
                    htlc: htlc.clone(),
                };
                (csv_one, lock_time, kind, vec![73, 32, witness_script.len()])
            }
            ClaimKind::HolderDelayed {
                commitment_number,
                witness_script,
            } => {
                let delay = self.data.setup.parameters.holder.to_self_delay;
                let kind = SweepKind::HolderDelayed {
                    commitment_number: *commitment_number,
                };
                (
                    Sequence(u32::from(delay)),
                    0,
                    kind,
                    vec![73, 0, witness_script.len()],
                )
            }
            _ => return None,
        };
        let mut tx = self.unsigned_sweep(output, sequence, lock_time, &sample)?;
        let request = SweepRequest {
            tx: &tx,
            input_index: 0,
            value_satoshis: output.txout.value.to_sat(),
            kind,
        };
        let signature = self
            .signer
            .sign_sweep_input(&self.data.setup, &request)
            .ready()?;
        tx.input[0].witness = self.sweep_witness(output, &signature)?;
        Some(tx)
    }

    /// One input, one output to the destination paying the fee for a witness with elements of
    /// the `sample` sizes.
    fn unsigned_sweep(
        &self,
        output: &TrackedOutput,
        sequence: Sequence,
        lock_time: u32,
        sample: &[usize],
    ) -> Option<Transaction> {
        let mut witness = Witness::new();
        for len in sample {
            witness.push(vec![0u8; *len]);
        }
        let mut tx = Transaction {
            version: Version::TWO,
            lock_time: LockTime::from_consensus(lock_time),
            input: vec![TxIn {
                previous_output: output.outpoint,
                script_sig: ScriptBuf::new(),
                sequence,
                witness,
            }],
            output: vec![TxOut {
                value: Amount::ZERO,
                script_pubkey: self.destination_script.clone(),
            }],
        };
        let fee = fee_for_weight(self.chain.feerate_per_kw, tx.weight().to_wu());
        let value = output
            .txout
            .value
            .to_sat()
            .checked_sub(fee)
            .filter(|v| *v >= MIN_CLAIM_OUTPUT_SATOSHIS)?;
        tx.output[0].value = Amount::from_sat(value);
        tx.input[0].witness = Witness::new();
        Some(tx)
    }

    fn sweep_witness(&self, output: &TrackedOutput, signature: &Signature) -> Option<Witness> {
        let mut witness = Witness::new();
        match &output.claim {
            ClaimKind::ToRemote {
                witness_script: Some(script),
            } => return Some(to_remote_anchors_witness(signature, script)),
            ClaimKind::ToRemote {
                witness_script: None,
            } => {
                push_signature(&mut witness, signature);
                witness.push(self.data.setup.holder_keys.payment_point.serialize());
            }
            ClaimKind::CounterpartyHtlc {
                htlc,
                witness_script,
                ..
            } => {
                push_signature(&mut witness, signature);
                match htlc.direction {
                    HtlcDirection::Offered => {
                        witness.push(self.data.preimage(&htlc.payment_hash)?);
                    }
                    HtlcDirection::Received => witness.push([]),
                }
                witness.push(witness_script.as_bytes());
            }
            ClaimKind::HolderDelayed { witness_script, .. } => {
                return Some(delayed_output_witness(signature, witness_script));
            }
            _ => return None,
        }
        Some(witness)
    }

    /// Our latest commitment, fully signed, ready to broadcast; `None` while the signer is not
    /// ready or refuses.
    pub(super) fn signed_holder_commitment(&mut self) -> Option<Transaction> {
        let holder = self.data.holder.clone();
        let built = self.build_holder_commitment(&holder)?;
        let ours = self
            .signer
            .sign_holder_commitment(&self.data.setup, &holder.inputs)
            .ready()?;
        let params = &self.data.setup.parameters;
        let mut tx = built.tx;
        tx.input[0].witness = funding_witness(
            &params.funding_witness_script(),
            (&params.holder.funding_pubkey, &ours),
            (
                &params.counterparty.funding_pubkey,
                &holder.signatures.commitment,
            ),
        );
        Some(tx)
    }

    /// The outpoints of our anchor on our latest commitment, with its value, if anchors.
    pub(super) fn holder_anchor(&mut self) -> Option<(OutPoint, u64, ScriptBuf, u64)> {
        let holder = self.data.holder.clone();
        let built = self.build_holder_commitment(&holder)?;
        let anchor = built.broadcaster_anchor.as_ref()?;
        Some((
            OutPoint {
                txid: built.txid(),
                vout: anchor.output_index,
            },
            anchor.value_satoshis,
            anchor.witness_script.clone(),
            built.fee_satoshis,
        ))
    }
}

/// The outputs of `tx` paying `script`, as (vout, output).
pub(super) fn outputs_paying(tx: &Transaction, script: &ScriptBuf) -> Vec<(u32, TxOut)> {
    tx.output
        .iter()
        .enumerate()
        .filter(|(_, o)| o.script_pubkey == *script)
        .filter_map(|(i, o)| Some((u32::try_from(i).ok()?, o.clone())))
        .collect()
}
