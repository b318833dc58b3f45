//! The update log and the commitment dance.
//!
//! Each side's changes go through three stages (BOLT 2's model of which updates each
//! commitment holds):
//! - our changes: `Proposed` (sent, not in a `commitment_signed` we sent) → `Signed` (in the
//!   peer's commitment we signed, awaiting its `revoke_and_ack`) → `Acked` (revoked; will be
//!   in our next commitment) → gone once the peer's `commitment_signed` includes them;
//! - the peer's changes: `Proposed` (received) → `Acked` (in our commitment it signed; we
//!   revoke) → `Signed` (in its commitment we signed) → gone once its `revoke_and_ack` comes.
//!
//! Next remote spec = remote spec + our `Proposed` + their `Acked`; next local spec = local
//! spec + our `Acked` + their `Proposed`.

mod checks;
mod signing;
pub(crate) mod spec;
mod updates;

use alloc::vec::Vec;

use bitcoin::secp256k1::PublicKey;
use lightning_signer_api::keys::CounterpartyCommitmentSecrets;
use lightning_signer_api::traits::CommitmentSignatures;
use lightning_signer_api::tx::Side;

use self::spec::{Change, CommitmentSpec};
use crate::wire::{CommitmentSigned, RevokeAndAck};

/// Where a change is in its life (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    Proposed,
    Signed,
    Acked,
}

/// One change in a side's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Logged {
    pub stage: Stage,
    pub change: Change,
}

/// Both commitments, the logs and the per-commitment points.
#[derive(Clone, Debug)]
pub(crate) struct Commitments {
    /// Our current commitment.
    pub local: CommitmentSpec,
    pub local_number: u64,
    /// The peer's signatures on our current commitment.
    pub local_signatures: Option<CommitmentSignatures>,
    /// The peer's latest commitment we signed.
    pub remote: CommitmentSpec,
    pub remote_number: u64,
    /// We sent `commitment_signed` and wait for `revoke_and_ack`.
    pub awaiting_raa: bool,
    /// The peer's previous commitment while it is not yet revoked (`awaiting_raa`): the peer
    /// may still broadcast it, so its HTLCs may still be on chain.
    pub prev_remote: Option<CommitmentSpec>,
    pub ours: Vec<Logged>,
    pub theirs: Vec<Logged>,
    pub next_holder_htlc_id: u64,
    pub next_counterparty_htlc_id: u64,
    /// Our per-commitment point of `local_number`.
    pub holder_current_point: Option<PublicKey>,
    /// Our per-commitment point of `local_number + 1` (sent to the peer).
    pub holder_next_point: Option<PublicKey>,
    /// The peer's point of the commitment it must revoke next (`remote_number - 1`).
    pub counterparty_prev_point: Option<PublicKey>,
    /// The peer's point of `remote_number`.
    pub counterparty_current_point: Option<PublicKey>,
    /// The peer's point of `remote_number + 1`.
    pub counterparty_next_point: Option<PublicKey>,
    pub counterparty_secrets: CounterpartyCommitmentSecrets,
    /// The last `commitment_signed` we sent (for reestablish).
    pub last_sent_commitment_signed: Option<CommitmentSigned>,
    /// The last `revoke_and_ack` we sent (for reestablish).
    pub last_sent_revoke_and_ack: Option<RevokeAndAck>,
    /// Whether, of the two, `commitment_signed` was sent after `revoke_and_ack` (the order
    /// to keep when both are retransmitted).
    pub commitment_sent_last: bool,
}

impl Commitments {
    /// The first commitments: the funder has everything but `push_msat`.
    pub fn new(funding_satoshis: u64, push_msat: u64, is_funder: bool, feerate: u32) -> Self {
        let funder_msat = funding_satoshis
            .saturating_mul(1000)
            .saturating_sub(push_msat);
        let (to_holder_msat, to_counterparty_msat) = if is_funder {
            (funder_msat, push_msat)
        } else {
            (push_msat, funder_msat)
        };
        let spec = CommitmentSpec {
            feerate_per_kw: feerate,
            to_holder_msat,
            to_counterparty_msat,
            htlcs: Vec::new(),
        };
        Commitments {
            local: spec.clone(),
            local_number: 0,
            local_signatures: None,
            remote: spec,
            remote_number: 0,
            awaiting_raa: false,
            prev_remote: None,
            ours: Vec::new(),
            theirs: Vec::new(),
            next_holder_htlc_id: 0,
            next_counterparty_htlc_id: 0,
            holder_current_point: None,
            holder_next_point: None,
            counterparty_prev_point: None,
            counterparty_current_point: None,
            counterparty_next_point: None,
            counterparty_secrets: CounterpartyCommitmentSecrets::new(),
            last_sent_commitment_signed: None,
            last_sent_revoke_and_ack: None,
            commitment_sent_last: false,
        }
    }

    /// The spec once every pending change of both sides is applied (removals before adds, as
    /// in [`CommitmentSpec::apply_all`]; changes that do not apply are skipped).
    pub fn projected(&self) -> CommitmentSpec {
        let mut spec = self.local.clone();
        let theirs = self.theirs.iter().filter(|l| l.stage == Stage::Proposed);
        spec.apply_all_lenient(
            self.ours
                .iter()
                .map(|l| (Side::Holder, &l.change))
                .chain(theirs.map(|l| (Side::Counterparty, &l.change))),
        );
        spec
    }

    /// The spec of the next commitment we would sign for the peer: its current one plus our
    /// proposed changes and its acked ones (changes that do not apply are skipped). Funds a
    /// removal the peer only proposed would return are not in it yet.
    pub fn next_remote(&self) -> CommitmentSpec {
        let mut spec = self.remote.clone();
        let ours = self.ours.iter().filter(|l| l.stage == Stage::Proposed);
        let theirs = self.theirs.iter().filter(|l| l.stage == Stage::Acked);
        spec.apply_all_lenient(
            ours.map(|l| (Side::Holder, &l.change))
                .chain(theirs.map(|l| (Side::Counterparty, &l.change))),
        );
        spec
    }

    /// The log of `side`.
    pub fn log(&self, side: Side) -> &[Logged] {
        match side {
            Side::Holder => &self.ours,
            Side::Counterparty => &self.theirs,
        }
    }

    /// Whether `side`'s HTLC `id` is irrevocably committed and not being removed: it is in
    /// our commitment, its add is no longer in the log, and nobody proposed to remove it.
    pub fn is_settleable(&self, offerer: Side, id: u64) -> bool {
        let committed =
            self.local.find(offerer, id).is_some() && self.remote.find(offerer, id).is_some();
        let add_pending = self
            .log(offerer)
            .iter()
            .any(|l| matches!(&l.change, Change::Add { htlc, .. } if htlc.id == id));
        let removing = self
            .log(offerer.other())
            .iter()
            .any(|l| matches!(&l.change, Change::Remove { id: r, .. } if *r == id));
        committed && !add_pending && !removing
    }

    /// Whether there is anything to put in a new remote commitment.
    pub fn has_changes_for_remote(&self) -> bool {
        self.ours.iter().any(|l| l.stage == Stage::Proposed)
            || self.theirs.iter().any(|l| l.stage == Stage::Acked)
    }

    /// Whether no HTLC is pending anywhere and no change is in flight.
    pub fn is_quiescent(&self) -> bool {
        self.ours.is_empty()
            && self.theirs.is_empty()
            && self.local.htlcs.is_empty()
            && self.remote.htlcs.is_empty()
            && !self.awaiting_raa
    }
}
