//! Our offered HTLCs that the confirmed commitment does not carry as outputs: trimmed as dust,
//! or not in that commitment at all (added or removed in a later one). Nothing can claim
//! them on chain any more, so once the commitment is final they fail (BOLT 5: an HTLC output
//! that is missing or trimmed is resolved by the commitment transaction itself).

use alloc::collections::BTreeMap;

use lightning_signer_api::tx::{Htlc, HtlcDirection};

use super::events::FundingSpendKind;
use super::outputs::TrackedOutput;
use super::{ChannelMonitor, EventKey};
use crate::monitor::MonitorEvent;
use crate::wire::PaymentHash;

/// What tells HTLCs apart on chain: payment hash, amount, expiry.
type HtlcKey = ([u8; 32], u64, u32);

fn key_of(htlc: &Htlc) -> HtlcKey {
    (htlc.payment_hash, htlc.amount_msat, htlc.cltv_expiry)
}

impl ChannelMonitor {
    /// Our offered HTLCs that a commitment either side may still broadcast holds (our current
    /// commitment, the counterparty's unrevoked ones), with how many of each: the most any one
    /// of those commitments holds (the same HTLC is in several).
    fn live_offered_htlcs(&self) -> BTreeMap<HtlcKey, u32> {
        let mut live: BTreeMap<HtlcKey, u32> = BTreeMap::new();
        let mut merge = |htlcs: &[Htlc], ours: HtlcDirection| {
            let mut counts: BTreeMap<HtlcKey, u32> = BTreeMap::new();
            for htlc in htlcs.iter().filter(|htlc| htlc.direction == ours) {
                let count = counts.entry(key_of(htlc)).or_insert(0);
                *count = count.saturating_add(1);
            }
            for (key, count) in counts {
                let most = live.entry(key).or_insert(0);
                *most = (*most).max(count);
            }
        };
        // We offer them in our commitment; the counterparty receives them in its own.
        merge(&self.data.holder.inputs.htlcs, HtlcDirection::Offered);
        for (number, commitment) in &self.data.counterparty {
            if self.data.secrets.get(*number).is_none() {
                merge(&commitment.inputs.htlcs, HtlcDirection::Received);
            }
        }
        live
    }

    /// The confirmed commitment (of `kind`) left `outputs` (as classified) and is final: every
    /// live offered HTLC that is not one of its outputs fails, once. Only for a commitment
    /// whose HTLCs the monitor knows: not for a cooperative close (no HTLC is left then), nor
    /// an unrecognised commitment or a counterparty commitment newer than any it was given
    /// (after data loss: its HTLCs are unknown, any may be an output).
    pub(super) fn report_gone_htlcs(&mut self, kind: &FundingSpendKind, outputs: &[TrackedOutput]) {
        let known = match kind {
            FundingSpendKind::HolderCommitment { .. }
            | FundingSpendKind::RevokedCounterpartyCommitment { .. } => true,
            FundingSpendKind::CounterpartyCommitment { commitment_number } => {
                self.data.counterparty.contains_key(commitment_number)
            }
            FundingSpendKind::Cooperative | FundingSpendKind::Unrecognized => false,
        };
        if !known {
            return;
        }
        let mut gone = self.live_offered_htlcs();
        for output in outputs {
            if let Some((htlc, true)) = &output.htlc {
                if let Some(count) = gone.get_mut(&key_of(htlc)) {
                    *count = count.saturating_sub(1);
                }
            }
        }
        for ((payment_hash, amount_msat, cltv_expiry), count) in gone {
            for ordinal in 0..count {
                self.queue_event(
                    EventKey::HtlcGone {
                        payment_hash,
                        amount_msat,
                        cltv_expiry,
                        ordinal,
                    },
                    MonitorEvent::HtlcFailed {
                        channel_id: self.data.channel_id,
                        payment_hash: PaymentHash(payment_hash),
                        amount_msat,
                        cltv_expiry,
                    },
                );
            }
        }
    }
}
