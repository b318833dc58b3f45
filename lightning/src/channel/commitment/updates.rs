//! HTLC and fee updates, sent and received, with the BOLT 2 checks.

use alloc::boxed::Box;
use alloc::vec::Vec;

use bitcoin::hashes::{sha256, Hash};
use lightning_signer_api::tx::Side;

use super::spec::{Change, Removal, SpecHtlc};
use super::{Logged, Stage};
use crate::channel::config::{MAX_ACCEPTED_HTLCS_LIMIT, MAX_CLTV_EXPIRY};
use crate::channel::events::ChannelEvent;
use crate::channel::{ApiError, Channel, ChannelError, CloseReason};
use crate::monitor::update::MonitorUpdateStep;
use crate::wire::{
    Message, PaymentHash, PaymentPreimage, UpdateAddHtlc, UpdateFailHtlc, UpdateFailMalformedHtlc,
    UpdateFee, UpdateFulfillHtlc,
};

/// The `BADONION` bit of a failure code.
const BADONION: u16 = 0x8000;

fn hash_of(preimage: &PaymentPreimage) -> PaymentHash {
    PaymentHash(sha256::Hash::hash(&preimage.0).to_byte_array())
}

impl Channel {
    fn check_can_update(&self) -> Result<(), ChannelError> {
        if self.state.updates_allowed() {
            Ok(())
        } else {
            Err(ApiError::WrongPhase.into())
        }
    }

    /// Offers an HTLC to the peer; returns its id. Call
    /// [`maybe_send_commitment`](Self::maybe_send_commitment) to sign it.
    pub fn send_htlc(
        &mut self,
        amount_msat: u64,
        payment_hash: PaymentHash,
        cltv_expiry: u32,
        onion: Box<[u8; 1366]>,
    ) -> Result<u64, ChannelError> {
        if !matches!(self.state, crate::channel::ChannelState::Normal) {
            return Err(if self.state.shutdown().is_some() {
                ApiError::ShuttingDown.into()
            } else {
                ApiError::WrongPhase.into()
            });
        }
        if cltv_expiry >= MAX_CLTV_EXPIRY {
            return Err(ApiError::BadCltvExpiry.into());
        }
        if amount_msat == 0 || amount_msat < self.counterparty.htlc_minimum_msat {
            return Err(ApiError::BelowHtlcMinimum.into());
        }
        let mut spec = self.commitments.projected();
        let htlc = SpecHtlc {
            offerer: Side::Holder,
            id: self.commitments.next_holder_htlc_id,
            amount_msat,
            payment_hash,
            cltv_expiry,
        };
        let change = Change::Add { htlc, onion };
        spec.apply(Side::Holder, &change)
            .map_err(|_| ApiError::InsufficientBalance)?;
        let (value, count) = spec.offered(Side::Holder);
        if count > usize::from(self.counterparty.max_accepted_htlcs) {
            return Err(ApiError::TooManyHtlcs.into());
        }
        if value > self.counterparty.max_htlc_value_in_flight_msat {
            return Err(ApiError::ValueInFlightExceeded.into());
        }
        let htlc_count = spec.htlcs.len();
        if !self.can_afford(&spec, Side::Holder, htlc_count) {
            return Err(ApiError::InsufficientBalance.into());
        }
        if self.is_funder && !self.keeps_fee_spike_buffer(&spec, htlc_count) {
            return Err(ApiError::InsufficientBalance.into());
        }
        if !self.is_funder && !self.funder_can_pay_fee(&spec, htlc_count) {
            return Err(ApiError::InsufficientBalance.into());
        }
        // The add goes into the next commitment we sign for the peer, which does not yet hold
        // the funds a removal the peer only proposed returns: it must be affordable there too,
        // or signing that commitment would overdraw our balance.
        let mut next_remote = self.commitments.next_remote();
        next_remote
            .apply(Side::Holder, &change)
            .map_err(|_| ApiError::InsufficientBalance)?;
        if !self.can_afford(&next_remote, Side::Holder, next_remote.htlcs.len()) {
            return Err(ApiError::InsufficientBalance.into());
        }
        let Change::Add { htlc, onion } = &change else {
            unreachable!("built as an add above")
        };
        let message = UpdateAddHtlc {
            channel_id: self.channel_id,
            id: htlc.id,
            amount_msat,
            payment_hash,
            cltv_expiry,
            onion_routing_packet: onion.clone(),
            path_key: None,
            unknown_tlvs: Vec::new(),
        };
        let id = htlc.id;
        self.commitments.next_holder_htlc_id += 1;
        self.push_our_change(change);
        self.queues.push_message(Message::UpdateAddHtlc(message));
        Ok(id)
    }

    fn push_our_change(&mut self, change: Change) {
        self.commitments.ours.push(Logged {
            stage: Stage::Proposed,
            change,
        });
    }

    /// Claims the peer's HTLC `htlc_id` with `preimage` (emits a monitor update with the
    /// preimage before the `update_fulfill_htlc`).
    pub fn fulfill_htlc(
        &mut self,
        htlc_id: u64,
        preimage: PaymentPreimage,
    ) -> Result<(), ChannelError> {
        self.check_can_update()?;
        if !self.commitments.is_settleable(Side::Counterparty, htlc_id) {
            return Err(ApiError::UnknownHtlc.into());
        }
        let htlc = self
            .commitments
            .local
            .find(Side::Counterparty, htlc_id)
            .ok_or(ApiError::UnknownHtlc)?;
        if hash_of(&preimage) != htlc.payment_hash {
            return Err(ApiError::BadPreimage.into());
        }
        self.queues.push_update(
            self.channel_id,
            alloc::vec![MonitorUpdateStep::PaymentPreimage { preimage }],
        );
        self.push_our_change(Change::Remove {
            id: htlc_id,
            removal: Removal::Fulfill(preimage),
        });
        self.queues
            .push_message_after_updates(Message::UpdateFulfillHtlc(UpdateFulfillHtlc {
                channel_id: self.channel_id,
                id: htlc_id,
                payment_preimage: preimage,
                attribution_data: None,
                unknown_tlvs: Vec::new(),
            }));
        Ok(())
    }

    /// Fails the peer's HTLC `htlc_id` with an onion failure packet.
    pub fn fail_htlc(&mut self, htlc_id: u64, reason: Vec<u8>) -> Result<(), ChannelError> {
        self.check_can_update()?;
        if !self.commitments.is_settleable(Side::Counterparty, htlc_id) {
            return Err(ApiError::UnknownHtlc.into());
        }
        self.push_our_change(Change::Remove {
            id: htlc_id,
            removal: Removal::Fail(reason.clone()),
        });
        self.queues
            .push_message(Message::UpdateFailHtlc(UpdateFailHtlc {
                channel_id: self.channel_id,
                id: htlc_id,
                reason,
                attribution_data: None,
                unknown_tlvs: Vec::new(),
            }));
        Ok(())
    }

    /// Fails the peer's HTLC `htlc_id` whose onion we could not parse.
    pub fn fail_malformed_htlc(
        &mut self,
        htlc_id: u64,
        sha256_of_onion: [u8; 32],
        failure_code: u16,
    ) -> Result<(), ChannelError> {
        self.check_can_update()?;
        if failure_code & BADONION == 0 {
            return Err(ApiError::NotBadOnion.into());
        }
        if !self.commitments.is_settleable(Side::Counterparty, htlc_id) {
            return Err(ApiError::UnknownHtlc.into());
        }
        self.push_our_change(Change::Remove {
            id: htlc_id,
            removal: Removal::FailMalformed {
                sha256_of_onion,
                failure_code,
            },
        });
        self.queues
            .push_message(Message::UpdateFailMalformedHtlc(UpdateFailMalformedHtlc {
                channel_id: self.channel_id,
                id: htlc_id,
                sha256_of_onion,
                failure_code,
            }));
        Ok(())
    }

    /// Proposes a new commitment feerate (funder only).
    pub fn update_fee(&mut self, feerate_per_kw: u32) -> Result<(), ChannelError> {
        self.check_can_update()?;
        if !self.is_funder {
            return Err(ApiError::NotFunder.into());
        }
        let limits = &self.config.limits;
        if feerate_per_kw < limits.min_feerate_per_kw || feerate_per_kw > limits.max_feerate_per_kw
        {
            return Err(ApiError::Feerate.into());
        }
        let mut spec = self.commitments.projected();
        let change = Change::Fee(feerate_per_kw);
        let _ = spec.apply(Side::Holder, &change);
        if !self.can_afford(&spec, Side::Holder, spec.htlcs.len()) {
            return Err(ApiError::InsufficientBalance.into());
        }
        self.push_our_change(change);
        self.queues.push_message(Message::UpdateFee(UpdateFee {
            channel_id: self.channel_id,
            feerate_per_kw,
        }));
        Ok(())
    }

    fn check_peer_can_update(&self) -> Result<(), ChannelError> {
        if self.state.updates_allowed() {
            Ok(())
        } else {
            Err(CloseReason::ProtocolOrder.into())
        }
    }

    /// Handles the peer's `update_add_htlc`.
    pub fn handle_update_add_htlc(&mut self, msg: &UpdateAddHtlc) -> Result<(), ChannelError> {
        self.check_channel_id(&msg.channel_id)?;
        if self
            .state
            .shutdown()
            .is_some_and(|s| s.counterparty_script.is_some())
        {
            return Err(CloseReason::AddAfterShutdown.into());
        }
        self.check_peer_can_update()?;
        if msg.id != self.commitments.next_counterparty_htlc_id {
            return Err(CloseReason::WrongHtlcId.into());
        }
        if msg.amount_msat == 0 || msg.amount_msat < self.holder.htlc_minimum_msat {
            return Err(CloseReason::HtlcBelowMinimum.into());
        }
        if msg.cltv_expiry >= MAX_CLTV_EXPIRY {
            return Err(CloseReason::BadCltvExpiry.into());
        }
        let change = Change::Add {
            htlc: SpecHtlc {
                offerer: Side::Counterparty,
                id: msg.id,
                amount_msat: msg.amount_msat,
                payment_hash: msg.payment_hash,
                cltv_expiry: msg.cltv_expiry,
            },
            onion: msg.onion_routing_packet.clone(),
        };
        let mut spec = self.commitments.projected();
        spec.apply(Side::Counterparty, &change)
            .map_err(|_| CloseReason::InsufficientBalance)?;
        let (value, count) = spec.offered(Side::Counterparty);
        let max_accepted = self.holder.max_accepted_htlcs.min(MAX_ACCEPTED_HTLCS_LIMIT);
        if count > usize::from(max_accepted) {
            return Err(CloseReason::TooManyHtlcs.into());
        }
        if value > self.holder.max_htlc_value_in_flight_msat {
            return Err(CloseReason::HtlcValueInFlightExceeded.into());
        }
        let htlc_count = Self::lenient_htlc_count(&self.commitments, &spec);
        if !self.can_afford(&spec, Side::Counterparty, htlc_count) {
            return Err(CloseReason::InsufficientBalance.into());
        }
        self.commitments.next_counterparty_htlc_id += 1;
        self.commitments.theirs.push(Logged {
            stage: Stage::Proposed,
            change,
        });
        Ok(())
    }

    /// Checks a removal of our HTLC `id` by the peer and logs it.
    fn receive_removal(&mut self, id: u64, removal: Removal) -> Result<(), ChannelError> {
        self.check_peer_can_update()?;
        if !self.commitments.is_settleable(Side::Holder, id) {
            return Err(CloseReason::UnknownHtlc.into());
        }
        self.commitments.theirs.push(Logged {
            stage: Stage::Proposed,
            change: Change::Remove { id, removal },
        });
        Ok(())
    }

    /// Handles the peer's `update_fulfill_htlc`: emits [`ChannelEvent::HtlcFulfilled`] at once.
    pub fn handle_update_fulfill_htlc(
        &mut self,
        msg: &UpdateFulfillHtlc,
    ) -> Result<(), ChannelError> {
        self.check_channel_id(&msg.channel_id)?;
        let htlc = self
            .commitments
            .local
            .find(Side::Holder, msg.id)
            .ok_or(CloseReason::UnknownHtlc)?;
        if hash_of(&msg.payment_preimage) != htlc.payment_hash {
            return Err(CloseReason::BadPreimage.into());
        }
        self.receive_removal(msg.id, Removal::Fulfill(msg.payment_preimage))?;
        self.queues.push_event_now(ChannelEvent::HtlcFulfilled {
            htlc_id: msg.id,
            preimage: msg.payment_preimage,
        });
        Ok(())
    }

    /// Handles the peer's `update_fail_htlc`.
    pub fn handle_update_fail_htlc(&mut self, msg: &UpdateFailHtlc) -> Result<(), ChannelError> {
        self.check_channel_id(&msg.channel_id)?;
        self.receive_removal(msg.id, Removal::Fail(msg.reason.clone()))
    }

    /// Handles the peer's `update_fail_malformed_htlc`.
    pub fn handle_update_fail_malformed_htlc(
        &mut self,
        msg: &UpdateFailMalformedHtlc,
    ) -> Result<(), ChannelError> {
        self.check_channel_id(&msg.channel_id)?;
        if msg.failure_code & BADONION == 0 {
            return Err(CloseReason::MalformedWithoutBadOnion.into());
        }
        self.receive_removal(
            msg.id,
            Removal::FailMalformed {
                sha256_of_onion: msg.sha256_of_onion,
                failure_code: msg.failure_code,
            },
        )
    }

    /// Handles the peer's `update_fee` (only the funder may send it).
    pub fn handle_update_fee(&mut self, msg: &UpdateFee) -> Result<(), ChannelError> {
        self.check_channel_id(&msg.channel_id)?;
        if self.is_funder {
            return Err(CloseReason::UpdateFeeFromNonFunder.into());
        }
        self.check_peer_can_update()?;
        let limits = &self.config.limits;
        if msg.feerate_per_kw < limits.min_feerate_per_kw
            || msg.feerate_per_kw > limits.max_feerate_per_kw
        {
            return Err(CloseReason::UnreasonableFeerate.into());
        }
        let change = Change::Fee(msg.feerate_per_kw);
        let mut spec = self.commitments.projected();
        let _ = spec.apply(Side::Counterparty, &change);
        let htlc_count = Self::lenient_htlc_count(&self.commitments, &spec);
        if !self.funder_can_pay_fee(&spec, htlc_count) {
            return Err(CloseReason::InsufficientBalance.into());
        }
        self.commitments.theirs.push(Logged {
            stage: Stage::Proposed,
            change,
        });
        Ok(())
    }
}
