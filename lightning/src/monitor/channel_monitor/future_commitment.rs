//! A counterparty commitment newer than any the monitor knows: we lost state (restored from
//! an old backup), told the counterparty at the reestablish, and it closed with its latest
//! commitment (BOLT 2 `option_data_loss_protect`, BOLT 5).
//!
//! Without that commitment's per-commitment point the HTLC outputs cannot be claimed, but our
//! `to_remote` output can: with `option_static_remotekey` it pays our payment basepoint
//! directly (P2WPKH), and with anchors a P2WSH of `<payment_basepoint> OP_CHECKSIGVERIFY 1
//! OP_CSV`. Neither depends on the commitment, so the output is found by its script and
//! swept like any `to_remote`.

use alloc::vec::Vec;

use bitcoin::{OutPoint, Transaction};
use lightning_signer_api::tx::scripts::{
    to_remote_anchors_witness_script, to_remote_script_pubkey,
};

use super::events::FundingSpendKind;
use super::outputs::{ClaimKind, TrackedOutput};
use super::ChannelMonitor;

impl ChannelMonitor {
    /// If `tx` (a commitment spending the funding, with commitment number `number`, confirmed
    /// at `height`) is a counterparty commitment newer than every one we know, its kind and our
    /// `to_remote` outputs on it. `None` when the number is not newer, or nothing on it pays
    /// our `to_remote` script (then it is not the counterparty's).
    pub(super) fn classify_future_counterparty_commitment(
        &self,
        tx: &Transaction,
        number: u64,
        height: u32,
    ) -> Option<(FundingSpendKind, Vec<TrackedOutput>)> {
        let latest_known = self.data.counterparty.keys().next_back().copied()?;
        if number <= latest_known {
            return None;
        }
        let setup = &self.data.setup;
        let channel_type = setup.parameters.channel_type;
        let payment_point = setup.holder_keys.payment_point;
        let script_pubkey = to_remote_script_pubkey(channel_type, &payment_point);
        let witness_script = channel_type
            .has_anchors()
            .then(|| to_remote_anchors_witness_script(&payment_point));
        let txid = tx.compute_txid();
        let outputs: Vec<TrackedOutput> = tx
            .output
            .iter()
            .enumerate()
            .filter(|(_, output)| output.script_pubkey == script_pubkey)
            .filter_map(|(vout, output)| {
                Some(TrackedOutput {
                    outpoint: OutPoint {
                        txid,
                        vout: u32::try_from(vout).ok()?,
                    },
                    txout: output.clone(),
                    created_height: height,
                    claim: ClaimKind::ToRemote {
                        witness_script: witness_script.clone(),
                    },
                    htlc: None,
                })
            })
            .collect();
        if outputs.is_empty() {
            return None;
        }
        Some((
            FundingSpendKind::CounterpartyCommitment {
                commitment_number: number,
            },
            outputs,
        ))
    }
}
