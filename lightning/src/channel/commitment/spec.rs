//! Commitment specs and the change log entries that move one spec to the next.
//!
//! A [`CommitmentSpec`] is the state one commitment transaction commits to, seen from us
//! (the holder): both balances, the HTLCs with who offered them, and the feerate. A
//! [`Change`] is one update message (`update_add_htlc`, `update_fulfill_htlc`, ...); applying
//! a side's change to a spec moves value between the balances and the HTLC set.

use alloc::boxed::Box;
use alloc::vec::Vec;

use lightning_signer_api::tx::{CommitmentInputs, Htlc, HtlcDirection, Side};

use crate::wire::{PaymentHash, PaymentPreimage};

/// One HTLC in a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SpecHtlc {
    /// Who offered it.
    pub offerer: Side,
    /// The offerer's HTLC id.
    pub id: u64,
    pub amount_msat: u64,
    pub payment_hash: PaymentHash,
    pub cltv_expiry: u32,
}

/// What one commitment transaction commits to, from the holder's point of view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CommitmentSpec {
    pub feerate_per_kw: u32,
    pub to_holder_msat: u64,
    pub to_counterparty_msat: u64,
    pub htlcs: Vec<SpecHtlc>,
}

/// Why a change does not apply to a spec (only a peer's bad update can cause this).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpecError {
    /// The offerer's balance cannot pay the HTLC.
    Overdrawn,
    /// The HTLC to remove is not in the spec.
    UnknownHtlc,
}

/// How an HTLC is removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Removal {
    Fulfill(PaymentPreimage),
    Fail(Vec<u8>),
    FailMalformed {
        sha256_of_onion: [u8; 32],
        failure_code: u16,
    },
}

/// One update, as proposed by one side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// A new HTLC offered by the side that proposed the change.
    Add {
        htlc: SpecHtlc,
        onion: Box<[u8; 1366]>,
    },
    /// Removes the other side's HTLC `id`.
    Remove { id: u64, removal: Removal },
    /// A new feerate (funder only).
    Fee(u32),
}

impl CommitmentSpec {
    /// The balance of `side`.
    pub fn balance(&self, side: Side) -> u64 {
        match side {
            Side::Holder => self.to_holder_msat,
            Side::Counterparty => self.to_counterparty_msat,
        }
    }

    fn balance_mut(&mut self, side: Side) -> &mut u64 {
        match side {
            Side::Holder => &mut self.to_holder_msat,
            Side::Counterparty => &mut self.to_counterparty_msat,
        }
    }

    /// Finds the HTLC offered by `offerer` with `id`.
    pub fn find(&self, offerer: Side, id: u64) -> Option<&SpecHtlc> {
        self.htlcs
            .iter()
            .find(|h| h.offerer == offerer && h.id == id)
    }

    /// Applies `change`, proposed by `proposer`.
    pub fn apply(&mut self, proposer: Side, change: &Change) -> Result<(), SpecError> {
        match change {
            Change::Add { htlc, .. } => {
                let balance = self.balance_mut(proposer);
                *balance = balance
                    .checked_sub(htlc.amount_msat)
                    .ok_or(SpecError::Overdrawn)?;
                self.htlcs.push(htlc.clone());
            }
            Change::Remove { id, removal } => {
                let offerer = proposer.other();
                let position = self
                    .htlcs
                    .iter()
                    .position(|h| h.offerer == offerer && h.id == *id)
                    .ok_or(SpecError::UnknownHtlc)?;
                let htlc = self.htlcs.remove(position);
                let payee = match removal {
                    Removal::Fulfill(_) => proposer,
                    Removal::Fail(_) | Removal::FailMalformed { .. } => offerer,
                };
                // Balances and HTLCs always sum to the funding amount, so this cannot
                // overflow; saturate anyway.
                let balance = self.balance_mut(payee);
                *balance = balance.saturating_add(htlc.amount_msat);
            }
            Change::Fee(feerate) => self.feerate_per_kw = *feerate,
        }
        Ok(())
    }

    /// Applies a batch of changes that go into one commitment: removals and fee updates
    /// first, then adds, each group in the given order. A commitment holds the whole batch at
    /// once, so an add may spend funds a removal in the same batch returns; applying in
    /// arrival order could overdraw a balance that the final commitment does not. (Removals
    /// never name an add of the same batch: only irrevocably committed HTLCs can be removed.)
    pub fn apply_all<'a>(
        &mut self,
        changes: impl IntoIterator<Item = (Side, &'a Change)>,
    ) -> Result<(), SpecError> {
        let (adds, others): (Vec<_>, Vec<_>) = changes
            .into_iter()
            .partition(|(_, change)| matches!(change, Change::Add { .. }));
        for (proposer, change) in others.into_iter().chain(adds) {
            self.apply(proposer, change)?;
        }
        Ok(())
    }

    /// Like [`apply_all`](Self::apply_all), but skips the changes that do not apply.
    pub fn apply_all_lenient<'a>(&mut self, changes: impl IntoIterator<Item = (Side, &'a Change)>) {
        let (adds, others): (Vec<_>, Vec<_>) = changes
            .into_iter()
            .partition(|(_, change)| matches!(change, Change::Add { .. }));
        for (proposer, change) in others.into_iter().chain(adds) {
            let _ = self.apply(proposer, change);
        }
    }

    /// The commitment inputs of this spec with `broadcaster` as the broadcaster.
    pub fn to_inputs(&self, broadcaster: Side, commitment_number: u64) -> CommitmentInputs {
        let htlcs = self
            .htlcs
            .iter()
            .map(|h| Htlc {
                direction: if h.offerer == broadcaster {
                    HtlcDirection::Offered
                } else {
                    HtlcDirection::Received
                },
                amount_msat: h.amount_msat,
                payment_hash: h.payment_hash.0,
                cltv_expiry: h.cltv_expiry,
            })
            .collect();
        CommitmentInputs {
            commitment_number,
            feerate_per_kw: self.feerate_per_kw,
            to_broadcaster_msat: self.balance(broadcaster),
            to_countersignatory_msat: self.balance(broadcaster.other()),
            htlcs,
        }
    }

    /// The value of the HTLCs `offerer` has in this spec, and their count.
    pub fn offered(&self, offerer: Side) -> (u64, usize) {
        self.htlcs
            .iter()
            .filter(|h| h.offerer == offerer)
            .fold((0u64, 0usize), |(value, count), h| {
                (value.saturating_add(h.amount_msat), count + 1)
            })
    }
}
