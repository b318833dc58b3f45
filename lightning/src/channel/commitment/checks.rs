//! BOLT 2 affordability and limit checks on HTLCs and fees, for what we send (strict) and
//! what the peer sends (lenient: only what the peer could have known when it sent it).

use lightning_signer_api::tx::{commitment_fee_sat, Side, ANCHOR_OUTPUT_VALUE_SATOSHIS};

use super::spec::CommitmentSpec;
use super::{Commitments, Stage};
use crate::channel::commitment::spec::Change;
use crate::channel::Channel;

impl Channel {
    /// What the funder pays on a commitment with `htlc_count` HTLC outputs at `feerate`, in
    /// millisatoshis (trimming ignored: every HTLC counts, as both sides compute it alike).
    pub(crate) fn funder_cost_msat(&self, feerate: u32, htlc_count: usize) -> u64 {
        let fee = commitment_fee_sat(self.commitment_format, feerate, htlc_count);
        let anchors = if self.commitment_format.has_anchors() {
            2 * ANCHOR_OUTPUT_VALUE_SATOSHIS
        } else {
            0
        };
        fee.saturating_add(anchors).saturating_mul(1000)
    }

    /// The reserve `side` must keep, in millisatoshis (set by the other side).
    pub(crate) fn reserve_of_msat(&self, side: Side) -> u64 {
        let reserve = match side {
            Side::Holder => self.counterparty.channel_reserve_satoshis,
            Side::Counterparty => self.holder.channel_reserve_satoshis,
        };
        reserve.saturating_mul(1000)
    }

    /// The funder's side.
    pub(crate) fn funder_side(&self) -> Side {
        if self.is_funder {
            Side::Holder
        } else {
            Side::Counterparty
        }
    }

    /// Whether `side` can keep its reserve (and the fee, if it is the funder) on `spec`,
    /// counting `htlc_count` HTLC outputs for the fee.
    pub(crate) fn can_afford(&self, spec: &CommitmentSpec, side: Side, htlc_count: usize) -> bool {
        let mut needed = self.reserve_of_msat(side);
        if side == self.funder_side() {
            needed = needed.saturating_add(self.funder_cost_msat(spec.feerate_per_kw, htlc_count));
        }
        spec.balance(side) >= needed
    }

    /// The BOLT 2 "fee spike buffer" a funder keeps when it offers an HTLC: after the HTLC it
    /// can still pay, above its reserve, the commitment fee at twice the feerate with one HTLC
    /// more than `htlc_count`. The peer may add HTLCs we have not seen yet (and a reconnection
    /// replays our uncommitted adds after them); each makes the commitment we pay for heavier,
    /// and the peer would fail the channel over an add we can no longer afford.
    pub(crate) fn keeps_fee_spike_buffer(&self, spec: &CommitmentSpec, htlc_count: usize) -> bool {
        let needed = self
            .reserve_of_msat(Side::Holder)
            .saturating_add(self.fee_spike_cost_msat(spec.feerate_per_kw, htlc_count));
        spec.balance(Side::Holder) >= needed
    }

    /// What the funder must be able to pay on a commitment with `htlc_count` HTLCs to keep the
    /// fee spike buffer: the cost at twice `feerate` with one HTLC more.
    fn fee_spike_cost_msat(&self, feerate: u32, htlc_count: usize) -> u64 {
        self.funder_cost_msat(feerate.saturating_mul(2), htlc_count.saturating_add(1))
    }

    /// Whether the funder can pay the fee (no reserve) on `spec` with `htlc_count` HTLCs.
    pub(crate) fn funder_can_pay_fee(&self, spec: &CommitmentSpec, htlc_count: usize) -> bool {
        spec.balance(self.funder_side()) >= self.funder_cost_msat(spec.feerate_per_kw, htlc_count)
    }

    /// The HTLC count a lenient check of a peer update uses: every HTLC of the projected spec
    /// except our own pending adds, which the peer may not have seen.
    pub(crate) fn lenient_htlc_count(c: &Commitments, spec: &CommitmentSpec) -> usize {
        let our_adds = c
            .ours
            .iter()
            .filter(|l| matches!(l.change, Change::Add { .. }) && l.stage != Stage::Acked)
            .count();
        spec.htlcs.len().saturating_sub(our_adds)
    }

    /// What we could add in one more HTLC now.
    pub(crate) fn outbound_capacity_msat(&self) -> u64 {
        let spec = self.commitments.projected();
        let mut needed = self.reserve_of_msat(Side::Holder);
        if self.is_funder {
            // With the HTLC itself, the fee spike buffer (see `keeps_fee_spike_buffer`).
            let with_htlc = spec.htlcs.len() + 1;
            needed =
                needed.saturating_add(self.fee_spike_cost_msat(spec.feerate_per_kw, with_htlc));
        }
        spec.to_holder_msat.saturating_sub(needed)
    }

    /// Roughly what the peer could add in one more HTLC now.
    pub(crate) fn inbound_capacity_msat(&self) -> u64 {
        let spec = self.commitments.projected();
        let mut needed = self.reserve_of_msat(Side::Counterparty);
        if !self.is_funder {
            // What a funder like us keeps: the fee spike buffer too (see
            // `keeps_fee_spike_buffer`), so the two ends report the same figure.
            let with_htlc = spec.htlcs.len() + 1;
            needed =
                needed.saturating_add(self.fee_spike_cost_msat(spec.feerate_per_kw, with_htlc));
        }
        spec.to_counterparty_msat.saturating_sub(needed)
    }
}
