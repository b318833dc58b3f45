//! Recognising what spent the funding output: our commitment, the counterparty's (revoked or
//! not), or a cooperative close.

use alloc::vec::Vec;

use bitcoin::Transaction;
use lightning_signer_api::tx::{
    commitment_number_from_locktime_sequence, CommitmentTransaction, Side,
};

use super::data::HolderCommitment;
use super::events::FundingSpendKind;
use super::outputs::{
    counterparty_commitment_outputs, holder_commitment_outputs, revoked_commitment_outputs,
    TrackedOutput,
};
use super::ChannelMonitor;

/// A commitment transaction carries `0x20` in its locktime's top byte and `0x80` in its
/// input's sequence's top byte (BOLT 3); a closing transaction does not.
fn looks_like_commitment(tx: &Transaction) -> bool {
    let locktime = tx.lock_time.to_consensus_u32();
    let sequence = tx.input.first().map_or(0, |input| input.sequence.0);
    locktime >> 24 == 0x20 && sequence >> 24 == 0x80
}

impl ChannelMonitor {
    /// What `tx` (spending the funding output, confirmed at `height`) is, and the outputs it
    /// leaves for us to claim.
    pub(super) fn classify_funding_spend(
        &mut self,
        tx: &Transaction,
        height: u32,
    ) -> (FundingSpendKind, Vec<TrackedOutput>) {
        if !looks_like_commitment(tx) {
            return (FundingSpendKind::Cooperative, Vec::new());
        }
        let txid = tx.compute_txid();
        let factor = self
            .data
            .setup
            .parameters
            .commitment_number_obscure_factor();
        let sequence = tx.input.first().map_or(0, |input| input.sequence.0);
        let number = commitment_number_from_locktime_sequence(
            tx.lock_time.to_consensus_u32(),
            sequence,
            factor,
        );

        if let Some((commitment, secret)) = self.data.counterparty_commitment(number) {
            let built = self.data.setup.build_commitment(
                &self.secp,
                Side::Counterparty,
                &commitment.point,
                &commitment.inputs,
            );
            if let Some(built) = built.ok().filter(|b| b.txid() == txid) {
                return match secret {
                    Some(secret) => (
                        FundingSpendKind::RevokedCounterpartyCommitment {
                            commitment_number: number,
                        },
                        revoked_with_to_remote(&built, commitment.point, number, secret, height),
                    ),
                    None => (
                        FundingSpendKind::CounterpartyCommitment {
                            commitment_number: number,
                        },
                        counterparty_commitment_outputs(&built, commitment.point, height),
                    ),
                };
            }
        }
        let holder = [Some(&self.data.holder), self.data.previous_holder.as_ref()]
            .into_iter()
            .flatten()
            .find(|h| h.inputs.commitment_number == number)
            .cloned();
        if let Some(holder) = holder {
            if let Some(built) = self.build_holder_commitment(&holder) {
                if built.txid() == txid {
                    let outputs = holder_commitment_outputs(
                        &built,
                        &holder.inputs,
                        &holder.signatures.htlcs,
                        height,
                    );
                    return (
                        FundingSpendKind::HolderCommitment {
                            commitment_number: number,
                        },
                        outputs,
                    );
                }
            }
        }
        if let Some(found) = self.classify_future_counterparty_commitment(tx, number, height) {
            return found;
        }
        (FundingSpendKind::Unrecognized, Vec::new())
    }

    /// Our commitment `holder` rebuilt (unsigned), if the signer gives its per-commitment
    /// point now.
    pub(super) fn build_holder_commitment(
        &mut self,
        holder: &HolderCommitment,
    ) -> Option<CommitmentTransaction> {
        let point = self
            .signer
            .per_commitment_point(holder.inputs.commitment_number)
            .ready()?;
        self.data
            .setup
            .build_commitment(&self.secp, Side::Holder, &point, &holder.inputs)
            .ok()
    }
}

/// The justice targets of a revoked commitment plus our own `to_remote` on it.
fn revoked_with_to_remote(
    built: &CommitmentTransaction,
    point: bitcoin::secp256k1::PublicKey,
    number: u64,
    secret: [u8; 32],
    height: u32,
) -> Vec<TrackedOutput> {
    let mut outputs = revoked_commitment_outputs(built, number, secret, height);
    outputs.extend(
        counterparty_commitment_outputs(built, point, height)
            .into_iter()
            .filter(|o| matches!(o.claim, super::outputs::ClaimKind::ToRemote { .. })),
    );
    outputs
}
