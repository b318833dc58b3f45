//! The resolution walk: from the confirmed transactions the monitor has seen, work out how
//! the funding output and everything after it was spent, what is still ours to claim, which
//! events are due, and what to broadcast.
//!
//! The on-chain state is a pure function of the channel data, the confirmed relevant
//! transactions and the tip: it is recomputed after every input, so a reorg that removes a
//! transaction simply brings back the claims that depended on its absence.

use alloc::vec::Vec;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::{OutPoint, ScriptBuf, Transaction, Txid};
use lightning_signer_api::traits::JusticeKind;
use lightning_signer_api::tx::scripts::{p2wsh, revokeable_witness_script};
use lightning_signer_api::tx::{HtlcDirection, RevokedOutputKind};

use super::claims::outputs_paying;
use super::events::{
    BumpTransaction, ClaimSource, FundingSpendKind, MonitorEvent, SpendableOutput,
};
use super::outputs::{ClaimKind, TrackedOutput};
use super::{ChannelMonitor, EventKey, SeenTx, ANTI_REORG_DELAY};
use crate::wire::{PaymentHash, PaymentPreimage};

/// Blocks before an HTLC's expiry at which the monitor broadcasts our commitment by itself
/// (an offered HTLC we must time out, or a received one we can claim with its preimage).
pub const HTLC_DEADLINE_BUFFER: u32 = 6;

/// The result of one resolution walk.
#[derive(Clone, Debug, Default)]
pub(crate) struct Resolution {
    /// The funding spend, with its kind and height.
    pub funding_spend: Option<(Txid, FundingSpendKind, u32)>,
    /// Every output the walk met (spent or not), with its script, to watch.
    pub tracked: Vec<(OutPoint, ScriptBuf)>,
    /// Outputs still unspent that we claim.
    pub unspent: Vec<TrackedOutput>,
    /// Whether everything is resolved and final.
    pub fully_resolved: bool,
}

impl ChannelMonitor {
    /// The confirmed transaction spending `outpoint`, with the input index.
    fn find_spender(&self, outpoint: &OutPoint) -> Option<(&SeenTx, usize)> {
        self.chain.seen.iter().find_map(|seen| {
            let index = seen
                .tx
                .input
                .iter()
                .position(|input| input.previous_output == *outpoint)?;
            Some((seen, index))
        })
    }

    fn depth(&self, height: u32) -> u32 {
        self.chain
            .best
            .height
            .saturating_add(1)
            .saturating_sub(height)
    }

    /// Recomputes the resolution, queues due events, and queues claims to broadcast.
    pub(super) fn resolve(&mut self) {
        let funding = self.data.setup.parameters.funding_outpoint;
        let spend = self
            .find_spender(&funding)
            .map(|(seen, _)| (seen.tx.clone(), seen.height));
        let mut resolution = Resolution::default();
        resolution.tracked.push((funding, self.funding_script()));
        let Some((tx, height)) = spend else {
            self.resolution = resolution;
            if self.should_broadcast_holder() {
                self.want_holder_commitment();
            }
            return;
        };
        let txid = tx.compute_txid();
        let (kind, outputs) = self.classify_funding_spend(&tx, height);
        self.queue_event(
            EventKey::FundingSpent(txid),
            MonitorEvent::FundingSpent {
                channel_id: self.data.channel_id,
                txid,
                kind: kind.clone(),
            },
        );
        let mut all_final = self.depth(height) >= ANTI_REORG_DELAY;
        if all_final {
            self.report_gone_htlcs(&kind, &outputs);
        }
        resolution.funding_spend = Some((txid, kind, height));
        let mut queue = outputs;
        while let Some(output) = queue.pop() {
            resolution
                .tracked
                .push((output.outpoint, output.txout.script_pubkey.clone()));
            let spender = self
                .find_spender(&output.outpoint)
                .map(|(seen, index)| (seen.tx.clone(), seen.height, index));
            match spender {
                None => {
                    all_final = false;
                    resolution.unspent.push(output);
                }
                Some((spender, spender_height, index)) => {
                    let final_spend = self.depth(spender_height) >= ANTI_REORG_DELAY;
                    all_final &= final_spend;
                    let next = self.analyse_spend(&output, &spender, spender_height, index);
                    queue.extend(next);
                }
            }
        }
        resolution.fully_resolved = all_final;
        if all_final {
            resolution.tracked.clear();
            self.queue_event(
                EventKey::Resolved,
                MonitorEvent::FullyResolved {
                    channel_id: self.data.channel_id,
                },
            );
        }
        let unspent = resolution.unspent.clone();
        self.resolution = resolution;
        for output in &unspent {
            self.want_claim(output);
        }
    }

    /// The P2WSH script of the funding output.
    pub(super) fn funding_script(&self) -> ScriptBuf {
        p2wsh(&self.data.setup.parameters.funding_witness_script())
    }

    /// Whether our commitment must go on chain: a force close, or an HTLC deadline near.
    fn should_broadcast_holder(&self) -> bool {
        if self.data.holder_broadcast_requested {
            return true;
        }
        let tip = self.chain.best.height;
        self.data.holder.inputs.htlcs.iter().any(|htlc| {
            let near = tip.saturating_add(HTLC_DEADLINE_BUFFER) >= htlc.cltv_expiry;
            let must_act = match htlc.direction {
                HtlcDirection::Offered => true,
                HtlcDirection::Received => self.data.preimage(&htlc.payment_hash).is_some(),
            };
            near && must_act
        })
    }

    /// Analyses the spend of `output` by `spender` (input `index`): reports preimages, due
    /// events, and returns the outputs it creates that we must resolve next.
    fn analyse_spend(
        &mut self,
        output: &TrackedOutput,
        spender: &Transaction,
        height: u32,
        index: usize,
    ) -> Vec<TrackedOutput> {
        let final_spend = self.depth(height) >= ANTI_REORG_DELAY;
        let spender_txid = spender.compute_txid();
        let revealed = output
            .htlc
            .as_ref()
            .and_then(|(htlc, _)| revealed_preimage(spender, index, &htlc.payment_hash));
        if let (Some(preimage), Some((htlc, true))) = (revealed, &output.htlc) {
            self.queue_event(
                EventKey::Preimage(htlc.payment_hash),
                MonitorEvent::HtlcResolved {
                    channel_id: self.data.channel_id,
                    payment_hash: PaymentHash(htlc.payment_hash),
                    preimage: PaymentPreimage(preimage),
                },
            );
        }
        let ours = outputs_paying(spender, &self.destination_script);
        if !ours.is_empty() {
            if final_spend {
                self.report_our_claim(output, spender_txid, &ours, revealed.is_some());
            }
            return Vec::new();
        }
        let Ok(vout) = u32::try_from(index) else {
            return Vec::new();
        };
        let Some(next_txout) = spender.output.get(index).cloned() else {
            return Vec::new();
        };
        let next_outpoint = OutPoint {
            txid: spender_txid,
            vout,
        };
        match &output.claim {
            ClaimKind::HolderHtlc { htlc, inputs, .. } if is_two_of_two_spend(spender, index) => {
                if htlc.direction == HtlcDirection::Offered && final_spend {
                    self.report_failed(output);
                }
                let delay = self.data.setup.parameters.holder.to_self_delay;
                // Our HTLC transaction pays the same revokeable script as our `to_local`.
                let script = self.holder_delayed_script(inputs.commitment_number, delay);
                match script {
                    Some(witness_script) if p2wsh(&witness_script) == next_txout.script_pubkey => {
                        alloc::vec![TrackedOutput {
                            outpoint: next_outpoint,
                            txout: next_txout,
                            created_height: height,
                            claim: ClaimKind::HolderDelayed {
                                commitment_number: inputs.commitment_number,
                                witness_script,
                            },
                            htlc: None,
                        }]
                    }
                    _ => Vec::new(),
                }
            }
            ClaimKind::Justice {
                kind: RevokedOutputKind::OfferedHtlc | RevokedOutputKind::ReceivedHtlc,
                commitment_number,
                secret,
                revocation_pubkey,
                delayed_key,
                ..
            } => {
                let delay = self.data.setup.parameters.counterparty.to_self_delay;
                let witness_script =
                    revokeable_witness_script(revocation_pubkey, delay, delayed_key);
                if p2wsh(&witness_script) != next_txout.script_pubkey {
                    return Vec::new();
                }
                alloc::vec![TrackedOutput {
                    outpoint: next_outpoint,
                    txout: next_txout,
                    created_height: height,
                    claim: ClaimKind::Justice {
                        kind: RevokedOutputKind::SecondStageHtlc,
                        request_kind: JusticeKind::SecondStageHtlc,
                        commitment_number: *commitment_number,
                        secret: *secret,
                        revocation_pubkey: *revocation_pubkey,
                        delayed_key: *delayed_key,
                        witness_script,
                    },
                    // An HTLC-success second stage revealed the preimage (already reported
                    // resolved): sweeping its output is no failure of the HTLC.
                    htlc: if revealed.is_some() {
                        None
                    } else {
                        output.htlc.clone()
                    },
                }]
            }
            _ => Vec::new(),
        }
    }

    /// The revokeable script of our commitment `commitment_number` (its `to_local` and HTLC
    /// transaction outputs).
    fn holder_delayed_script(&mut self, commitment_number: u64, delay: u16) -> Option<ScriptBuf> {
        let point = self
            .signer
            .per_commitment_point(commitment_number)
            .ready()?;
        let keys = self
            .data
            .setup
            .commitment_keys(&self.secp, lightning_signer_api::tx::Side::Holder, &point)
            .ok()?;
        Some(revokeable_witness_script(
            &keys.revocation_pubkey,
            delay,
            &keys.broadcaster_delayed_payment_key,
        ))
    }

    /// Our claim of `output` is final: report its outputs, and an HTLC we offered that it
    /// took back without a preimage.
    fn report_our_claim(
        &mut self,
        output: &TrackedOutput,
        txid: Txid,
        ours: &[(u32, bitcoin::TxOut)],
        with_preimage: bool,
    ) {
        let source = match &output.claim {
            ClaimKind::Justice { .. } => ClaimSource::Justice,
            ClaimKind::ToRemote { .. } => ClaimSource::ToRemote,
            ClaimKind::CounterpartyHtlc { htlc, .. } => match htlc.direction {
                HtlcDirection::Offered => ClaimSource::CounterpartyHtlcPreimage,
                HtlcDirection::Received => ClaimSource::CounterpartyHtlcTimeout,
            },
            ClaimKind::HolderHtlc { .. } | ClaimKind::HolderDelayed { .. } => {
                ClaimSource::HolderDelayed
            }
        };
        for (vout, txout) in ours {
            let outpoint = OutPoint { txid, vout: *vout };
            self.queue_event(
                EventKey::Spendable(outpoint),
                MonitorEvent::SpendableOutputs {
                    channel_id: self.data.channel_id,
                    outputs: alloc::vec![SpendableOutput {
                        outpoint,
                        output: txout.clone(),
                        source,
                    }],
                },
            );
        }
        if matches!(&output.htlc, Some((_, true))) && !with_preimage {
            self.report_failed(output);
        }
    }

    fn report_failed(&mut self, output: &TrackedOutput) {
        let Some((htlc, true)) = &output.htlc else {
            return;
        };
        self.queue_event(
            EventKey::HtlcFailed(output.outpoint),
            MonitorEvent::HtlcFailed {
                channel_id: self.data.channel_id,
                payment_hash: PaymentHash(htlc.payment_hash),
                amount_msat: htlc.amount_msat,
                cltv_expiry: htlc.cltv_expiry,
            },
        );
    }

    /// Builds (once) and schedules the claim of `output` if it can be mined in the next block.
    fn want_claim(&mut self, output: &TrackedOutput) {
        let Some(ready) = self.claim_ready_height(output) else {
            return;
        };
        if self.chain.best.height < ready {
            return;
        }
        if !self.claim_cache.contains_key(&output.outpoint) {
            let Some(tx) = self.build_claim(output) else {
                return;
            };
            if let ClaimKind::HolderHtlc {
                inputs,
                position,
                htlc,
                witness_script,
                ..
            } = &output.claim
            {
                if self.data.setup.parameters.channel_type.has_anchors() {
                    self.queue_event(
                        EventKey::Bump(tx.compute_txid()),
                        MonitorEvent::BumpTransaction(BumpTransaction::HtlcResolution {
                            channel_id: self.data.channel_id,
                            htlc_tx: tx.clone(),
                            commitment_number: inputs.commitment_number,
                            htlc_position: *position,
                            htlc: htlc.clone(),
                            witness_script: witness_script.clone(),
                        }),
                    );
                }
            }
            self.claim_cache.insert(output.outpoint, tx);
        }
        self.schedule_broadcast(output.outpoint);
    }

    /// Builds (once) and schedules our signed commitment; with anchors, asks for a bump.
    fn want_holder_commitment(&mut self) {
        let funding = self.data.setup.parameters.funding_outpoint;
        if !self.claim_cache.contains_key(&funding) {
            let Some(tx) = self.signed_holder_commitment() else {
                return;
            };
            if let Some((anchor_outpoint, value, script, fee)) = self.holder_anchor() {
                self.queue_event(
                    EventKey::Bump(tx.compute_txid()),
                    MonitorEvent::BumpTransaction(BumpTransaction::ChannelClose {
                        channel_id: self.data.channel_id,
                        commitment_weight: tx.weight().to_wu(),
                        commitment_tx: tx.clone(),
                        commitment_fee_satoshis: fee,
                        anchor_outpoint,
                        anchor_value_satoshis: value,
                        anchor_witness_script: script,
                    }),
                );
            }
            self.claim_cache.insert(funding, tx);
        }
        self.schedule_broadcast(funding);
    }

    /// Queues the cached claim of `outpoint` for broadcast once per tip.
    fn schedule_broadcast(&mut self, outpoint: OutPoint) {
        let tip = self.chain.best.block_hash;
        if self.broadcast_at.get(&outpoint) == Some(&tip) {
            return;
        }
        if let Some(tx) = self.claim_cache.get(&outpoint) {
            self.broadcasts.push_back(tx.clone());
            self.broadcast_at.insert(outpoint, tip);
        }
    }

    /// Queues `event` unless it was already delivered or is waiting.
    pub(super) fn queue_event(&mut self, key: EventKey, event: MonitorEvent) {
        if self.chain.delivered.contains(&key) || self.events.iter().any(|(k, _)| *k == key) {
            return;
        }
        self.events.push_back((key, event));
    }
}

/// Whether input `index` of `tx` spends through the 2-of-2 branch of an HTLC script (an HTLC
/// transaction: `0 <sig> <sig> <preimage or empty> <script>`).
fn is_two_of_two_spend(tx: &Transaction, index: usize) -> bool {
    tx.input
        .get(index)
        .is_some_and(|input| input.witness.len() == 5 && input.witness.nth(0) == Some(&[][..]))
}

/// A 32-byte witness element of input `index` of `tx` whose SHA256 is `payment_hash`.
fn revealed_preimage(tx: &Transaction, index: usize, payment_hash: &[u8; 32]) -> Option<[u8; 32]> {
    let input = tx.input.get(index)?;
    input.witness.iter().find_map(|element| {
        let preimage: [u8; 32] = element.try_into().ok()?;
        (sha256::Hash::hash(&preimage).to_byte_array() == *payment_hash).then_some(preimage)
    })
}
