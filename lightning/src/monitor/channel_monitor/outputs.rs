//! The outputs a funding spend leaves for us to claim, one function per kind of commitment:
//! a revoked counterparty commitment (justice), the counterparty's unrevoked commitment, and
//! ours.

use alloc::vec::Vec;

use bitcoin::secp256k1::ecdsa::Signature;
use bitcoin::secp256k1::PublicKey;
use bitcoin::{OutPoint, ScriptBuf, Transaction, TxOut};
use lightning_signer_api::traits::JusticeKind;
use lightning_signer_api::tx::{
    revoked_outputs, CommitmentInputs, CommitmentTransaction, Htlc, HtlcDirection,
    RevokedOutputKind,
};

/// How the monitor claims one output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ClaimKind {
    /// With the revocation key (a revoked counterparty commitment or its second stage).
    Justice {
        kind: RevokedOutputKind,
        request_kind: JusticeKind,
        commitment_number: u64,
        secret: [u8; 32],
        revocation_pubkey: PublicKey,
        /// The counterparty's delayed key of that commitment (for its second-stage outputs).
        delayed_key: PublicKey,
        witness_script: ScriptBuf,
    },
    /// An HTLC output of the counterparty's unrevoked commitment (`htlc` as the counterparty
    /// sees it: `Offered` = to us, claimed with the preimage; `Received` = ours, claimed after
    /// its expiry).
    CounterpartyHtlc {
        htlc: Htlc,
        point: PublicKey,
        witness_script: ScriptBuf,
    },
    /// Our `to_remote` on the counterparty's commitment (P2WSH with anchors, else P2WPKH).
    ToRemote { witness_script: Option<ScriptBuf> },
    /// An HTLC output of our commitment, claimed with our pre-signed second-stage transaction.
    HolderHtlc {
        inputs: CommitmentInputs,
        position: usize,
        htlc: Htlc,
        unsigned_tx: Transaction,
        counterparty_signature: Signature,
        witness_script: ScriptBuf,
    },
    /// A CSV-delayed output of ours (`to_local` of our commitment or an HTLC-tx output).
    HolderDelayed {
        commitment_number: u64,
        witness_script: ScriptBuf,
    },
}

/// One output the monitor resolves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TrackedOutput {
    pub outpoint: OutPoint,
    pub txout: TxOut,
    /// Height of the block that confirmed the transaction creating it.
    pub created_height: u32,
    pub claim: ClaimKind,
    /// The HTLC behind the output and whether we offered it.
    pub htlc: Option<(Htlc, bool)>,
}

fn txout_of(built: &CommitmentTransaction, vout: u32) -> Option<TxOut> {
    built.tx.output.get(usize::try_from(vout).ok()?).cloned()
}

/// The outputs of a revoked counterparty commitment, all claimable with the revocation key.
pub(crate) fn revoked_commitment_outputs(
    built: &CommitmentTransaction,
    commitment_number: u64,
    secret: [u8; 32],
    height: u32,
) -> Vec<TrackedOutput> {
    let mut outputs = Vec::new();
    for input in revoked_outputs(built) {
        let htlc = built
            .htlc_outputs
            .iter()
            .find(|o| o.output_index == input.outpoint.vout)
            .map(|o| o.htlc.clone());
        let request_kind = match &htlc {
            Some(htlc) => JusticeKind::Htlc(htlc.clone()),
            None => JusticeKind::ToLocal,
        };
        let Some(txout) = txout_of(built, input.outpoint.vout) else {
            continue;
        };
        outputs.push(TrackedOutput {
            outpoint: input.outpoint,
            txout,
            created_height: height,
            claim: ClaimKind::Justice {
                kind: input.kind,
                request_kind,
                commitment_number,
                secret,
                revocation_pubkey: built.keys.revocation_pubkey,
                delayed_key: built.keys.broadcaster_delayed_payment_key,
                witness_script: input.witness_script,
            },
            // The counterparty received the HTLCs we offered.
            htlc: htlc.map(|h| {
                let ours = h.direction == HtlcDirection::Received;
                (h, ours)
            }),
        });
    }
    outputs
}

/// The outputs of the counterparty's unrevoked commitment that are ours to claim.
pub(crate) fn counterparty_commitment_outputs(
    built: &CommitmentTransaction,
    point: PublicKey,
    height: u32,
) -> Vec<TrackedOutput> {
    let txid = built.txid();
    let mut outputs = Vec::new();
    if let Some(to_remote) = &built.to_countersignatory {
        if let Some(txout) = txout_of(built, to_remote.output_index) {
            outputs.push(TrackedOutput {
                outpoint: OutPoint {
                    txid,
                    vout: to_remote.output_index,
                },
                txout,
                created_height: height,
                claim: ClaimKind::ToRemote {
                    witness_script: to_remote.witness_script.clone(),
                },
                htlc: None,
            });
        }
    }
    for output in &built.htlc_outputs {
        let Some(txout) = txout_of(built, output.output_index) else {
            continue;
        };
        let ours = output.htlc.direction == HtlcDirection::Received;
        outputs.push(TrackedOutput {
            outpoint: OutPoint {
                txid,
                vout: output.output_index,
            },
            txout,
            created_height: height,
            claim: ClaimKind::CounterpartyHtlc {
                htlc: output.htlc.clone(),
                point,
                witness_script: output.witness_script.clone(),
            },
            htlc: Some((output.htlc.clone(), ours)),
        });
    }
    outputs
}

/// The outputs of our own commitment that are ours to claim (`to_local` and every HTLC).
pub(crate) fn holder_commitment_outputs(
    built: &CommitmentTransaction,
    inputs: &CommitmentInputs,
    counterparty_htlc_signatures: &[Signature],
    height: u32,
) -> Vec<TrackedOutput> {
    let txid = built.txid();
    let mut outputs = Vec::new();
    if let Some(to_local) = &built.to_broadcaster {
        if let Some(txout) = txout_of(built, to_local.output_index) {
            outputs.push(TrackedOutput {
                outpoint: OutPoint {
                    txid,
                    vout: to_local.output_index,
                },
                txout,
                created_height: height,
                claim: ClaimKind::HolderDelayed {
                    commitment_number: inputs.commitment_number,
                    witness_script: to_local.witness_script.clone(),
                },
                htlc: None,
            });
        }
    }
    for (position, output) in built.htlc_outputs.iter().enumerate() {
        let (Some(txout), Some(unsigned_tx), Some(signature)) = (
            txout_of(built, output.output_index),
            built.htlc_transaction(position),
            counterparty_htlc_signatures.get(position),
        ) else {
            continue;
        };
        let ours = output.htlc.direction == HtlcDirection::Offered;
        outputs.push(TrackedOutput {
            outpoint: OutPoint {
                txid,
                vout: output.output_index,
            },
            txout,
            created_height: height,
            claim: ClaimKind::HolderHtlc {
                inputs: inputs.clone(),
                position,
                htlc: output.htlc.clone(),
                unsigned_tx,
                counterparty_signature: *signature,
                witness_script: output.witness_script.clone(),
            },
            htlc: Some((output.htlc.clone(), ours)),
        });
    }
    outputs
}
