//! `commitment_signed` and `revoke_and_ack`, sent and received.

use alloc::vec::Vec;

use bitcoin::secp256k1::{PublicKey, SecretKey};
use bitcoin::sighash::EcdsaSighashType;
use lightning_signer_api::traits::CommitmentSignatures;
use lightning_signer_api::tx::{
    htlc_countersignatory_sighash_type, verify_p2wsh_signature, CommitmentInputs, Side,
};

use super::spec::{Change, Removal, SpecError};
use super::Stage;
use crate::channel::events::{ChannelEvent, HtlcFailReason};
use crate::channel::{signer_result, ApiError, Channel, ChannelError, CloseReason};
use crate::monitor::update::MonitorUpdateStep;
use crate::wire::{CommitmentSigned, Message, RevokeAndAck};

fn spec_error(e: SpecError) -> ChannelError {
    match e {
        SpecError::Overdrawn => CloseReason::InsufficientBalance.into(),
        SpecError::UnknownHtlc => CloseReason::UnknownHtlc.into(),
    }
}

impl Channel {
    /// Signs and queues `commitment_signed` if there are changes the peer's commitment does
    /// not hold yet and the protocol allows it now (no `revoke_and_ack` awaited). Does nothing
    /// otherwise. A pending signer pauses it until [`signer_ready`](Self::signer_ready).
    pub fn maybe_send_commitment(&mut self) -> Result<(), ChannelError> {
        let c = &self.commitments;
        let blocked = c.awaiting_raa
            || self.waits.revoke_and_ack
            || self.waits.revocation.is_some()
            || c.counterparty_next_point.is_none()
            || !c.has_changes_for_remote()
            || !self.state.updates_allowed()
            || self.link != crate::channel::LinkState::Connected;
        if blocked {
            return Ok(());
        }
        let mut spec = c.remote.clone();
        let ours = c.ours.iter().filter(|l| l.stage == Stage::Proposed);
        let theirs = c.theirs.iter().filter(|l| l.stage == Stage::Acked);
        spec.apply_all(
            ours.map(|l| (Side::Holder, &l.change))
                .chain(theirs.map(|l| (Side::Counterparty, &l.change))),
        )
        .map_err(spec_error)?;
        let number = c.remote_number + 1;
        // Checked in `blocked` above.
        let point = c.counterparty_next_point.expect("checked above");
        let inputs = spec.to_inputs(Side::Counterparty, number);
        let setup = self.funded_setup()?.clone();
        let reply = self
            .signer
            .sign_counterparty_commitment(&setup, &inputs, &point);
        let Some(signatures) = signer_result(reply)? else {
            self.waits.commitment_signed = true;
            return Ok(());
        };
        let c = &mut self.commitments;
        c.prev_remote = Some(core::mem::replace(&mut c.remote, spec));
        c.remote_number = number;
        c.awaiting_raa = true;
        for logged in c.ours.iter_mut().filter(|l| l.stage == Stage::Proposed) {
            logged.stage = Stage::Signed;
        }
        for logged in c.theirs.iter_mut().filter(|l| l.stage == Stage::Acked) {
            logged.stage = Stage::Signed;
        }
        c.counterparty_prev_point = c.counterparty_current_point;
        c.counterparty_current_point = Some(point);
        c.counterparty_next_point = None;
        let message = CommitmentSigned {
            channel_id: self.channel_id,
            signature: signatures.commitment,
            htlc_signatures: signatures.htlcs,
            funding_txid: None,
            unknown_tlvs: Vec::new(),
        };
        c.last_sent_commitment_signed = Some(message.clone());
        c.commitment_sent_last = true;
        self.queues.push_update(
            self.channel_id,
            alloc::vec![MonitorUpdateStep::LatestCounterpartyCommitment {
                commitment: inputs,
                per_commitment_point: point,
            }],
        );
        self.queues
            .push_message_after_updates(Message::CommitmentSigned(message));
        self.log_debug(format_args!("sent commitment_signed {number}"));
        self.maybe_send_shutdown();
        Ok(())
    }

    /// Checks the peer's signatures on our commitment `inputs` built with our `point`.
    pub(crate) fn verify_holder_commitment(
        &self,
        inputs: &CommitmentInputs,
        point: &PublicKey,
        signatures: &CommitmentSignatures,
    ) -> Result<(), ChannelError> {
        let setup = self.funded_setup()?;
        let built = setup
            .build_commitment(&self.secp, Side::Holder, point, inputs)
            .map_err(|_| CloseReason::BadCommitmentSignature)?;
        let params = &setup.parameters;
        let funding_ok = verify_p2wsh_signature(
            &self.secp,
            &built.tx,
            0,
            &params.funding_witness_script(),
            params.funding_satoshis,
            EcdsaSighashType::All,
            &signatures.commitment,
            &params.counterparty.funding_pubkey,
        );
        if !funding_ok {
            return Err(CloseReason::BadCommitmentSignature.into());
        }
        if signatures.htlcs.len() != built.htlc_outputs.len() {
            return Err(CloseReason::WrongHtlcSignatureCount.into());
        }
        let sighash_type = htlc_countersignatory_sighash_type(params.channel_type);
        for (position, (output, signature)) in
            built.htlc_outputs.iter().zip(&signatures.htlcs).enumerate()
        {
            let tx = built
                .htlc_transaction(position)
                .ok_or(CloseReason::WrongHtlcSignatureCount)?;
            let ok = verify_p2wsh_signature(
                &self.secp,
                &tx,
                0,
                &output.witness_script,
                output.htlc.amount_sat(),
                sighash_type,
                signature,
                &built.keys.countersignatory_htlc_key,
            );
            if !ok {
                return Err(CloseReason::BadCommitmentSignature.into());
            }
        }
        Ok(())
    }

    /// Handles the peer's `commitment_signed`: checks it, records our new commitment (monitor
    /// update), queues `revoke_and_ack`, then our own `commitment_signed` if needed.
    pub fn handle_commitment_signed(&mut self, msg: &CommitmentSigned) -> Result<(), ChannelError> {
        self.check_channel_id(&msg.channel_id)?;
        if !self.state.updates_allowed() || self.waits.revoke_and_ack {
            return Err(CloseReason::ProtocolOrder.into());
        }
        let c = &self.commitments;
        let point = c.holder_next_point.ok_or(CloseReason::ProtocolOrder)?;
        let mut spec = c.local.clone();
        let ours = c.ours.iter().filter(|l| l.stage == Stage::Acked);
        let theirs = c.theirs.iter().filter(|l| l.stage == Stage::Proposed);
        spec.apply_all(
            ours.map(|l| (Side::Holder, &l.change))
                .chain(theirs.map(|l| (Side::Counterparty, &l.change))),
        )
        .map_err(spec_error)?;
        let number = c.local_number + 1;
        let inputs = spec.to_inputs(Side::Holder, number);
        let signatures = CommitmentSignatures {
            commitment: msg.signature,
            htlcs: msg.htlc_signatures.clone(),
        };
        self.verify_holder_commitment(&inputs, &point, &signatures)?;
        let c = &mut self.commitments;
        c.local = spec;
        c.local_number = number;
        c.local_signatures = Some(signatures.clone());
        c.ours.retain(|l| l.stage != Stage::Acked);
        for logged in c.theirs.iter_mut().filter(|l| l.stage == Stage::Proposed) {
            logged.stage = Stage::Acked;
        }
        c.holder_current_point = Some(point);
        c.holder_next_point = None;
        self.queues.push_update(
            self.channel_id,
            alloc::vec![MonitorUpdateStep::LatestHolderCommitment {
                commitment: inputs,
                counterparty_signatures: signatures,
            }],
        );
        self.send_revoke_and_ack()?;
        self.maybe_send_commitment()?;
        self.maybe_start_closing_negotiation()
    }

    /// Builds and queues the `revoke_and_ack` of our previous commitment: validates the
    /// current one with the signer, then releases the old secret and the next point.
    pub(crate) fn send_revoke_and_ack(&mut self) -> Result<(), ChannelError> {
        let c = &self.commitments;
        let number = c.local_number;
        let inputs = c.local.to_inputs(Side::Holder, number);
        let signatures = c.local_signatures.clone().ok_or(ApiError::WrongPhase)?;
        let setup = self.funded_setup()?.clone();
        let pending = |channel: &mut Channel| {
            channel.waits.revoke_and_ack = true;
            Ok(())
        };
        let reply = self
            .signer
            .validate_holder_commitment(&setup, &inputs, &signatures);
        if signer_result(reply)?.is_none() {
            return pending(self);
        }
        let Some(secret) = signer_result(self.signer.release_commitment_secret(number - 1))? else {
            return pending(self);
        };
        let Some(next_point) = signer_result(self.signer.per_commitment_point(number + 1))? else {
            return pending(self);
        };
        self.commitments.holder_next_point = Some(next_point);
        let message = RevokeAndAck {
            channel_id: self.channel_id,
            per_commitment_secret: secret,
            next_per_commitment_point: next_point,
        };
        self.commitments.last_sent_revoke_and_ack = Some(message.clone());
        self.commitments.commitment_sent_last = false;
        self.queues
            .push_message_after_updates(Message::RevokeAndAck(message));
        Ok(())
    }

    /// Handles the peer's `revoke_and_ack`: checks the secret, stores it (monitor update),
    /// releases the events of changes now irrevocably committed, and signs what waited.
    pub fn handle_revoke_and_ack(&mut self, msg: &RevokeAndAck) -> Result<(), ChannelError> {
        self.check_channel_id(&msg.channel_id)?;
        let c = &self.commitments;
        if !c.awaiting_raa || !self.state.updates_allowed() {
            return Err(CloseReason::ProtocolOrder.into());
        }
        let expected = c
            .counterparty_prev_point
            .ok_or(CloseReason::ProtocolOrder)?;
        let secret_key = SecretKey::from_slice(&msg.per_commitment_secret)
            .map_err(|_| CloseReason::BadRevocationSecret)?;
        if PublicKey::from_secret_key(&self.secp, &secret_key) != expected {
            return Err(CloseReason::BadRevocationSecret.into());
        }
        let revoked = c.remote_number - 1;
        self.commitments
            .counterparty_secrets
            .insert(revoked, msg.per_commitment_secret)
            .map_err(|_| CloseReason::BadRevocationSecret)?;
        let c = &mut self.commitments;
        c.awaiting_raa = false;
        c.prev_remote = None;
        c.counterparty_prev_point = None;
        c.counterparty_next_point = Some(msg.next_per_commitment_point);
        for logged in c.ours.iter_mut().filter(|l| l.stage == Stage::Signed) {
            logged.stage = Stage::Acked;
        }
        let (done, kept): (Vec<_>, Vec<_>) = core::mem::take(&mut c.theirs)
            .into_iter()
            .partition(|l| l.stage == Stage::Signed);
        c.theirs = kept;
        self.queues.push_update(
            self.channel_id,
            alloc::vec![MonitorUpdateStep::CommitmentSecret {
                commitment_number: revoked,
                secret: msg.per_commitment_secret,
            }],
        );
        for logged in done {
            self.emit_irrevocable(logged.change);
        }
        self.record_counterparty_revocation(revoked, msg.per_commitment_secret)?;
        self.maybe_send_commitment()?;
        self.maybe_start_closing_negotiation()
    }

    /// Tells the signer about the peer's revocation (retried on `signer_ready`).
    pub(crate) fn record_counterparty_revocation(
        &mut self,
        number: u64,
        secret: [u8; 32],
    ) -> Result<(), ChannelError> {
        let setup = self.funded_setup()?.clone();
        let reply = self
            .signer
            .validate_counterparty_revocation(&setup, number, &secret);
        if signer_result(reply)?.is_none() {
            self.waits.revocation = Some((number, secret));
        }
        Ok(())
    }

    /// The event of a peer change that is now irrevocably committed on both sides.
    fn emit_irrevocable(&mut self, change: Change) {
        match change {
            Change::Add { htlc, onion } => self.queues.push_event(ChannelEvent::HtlcLockedIn {
                htlc_id: htlc.id,
                amount_msat: htlc.amount_msat,
                payment_hash: htlc.payment_hash,
                cltv_expiry: htlc.cltv_expiry,
                onion,
            }),
            Change::Remove { id, removal } => {
                let reason = match removal {
                    Removal::Fulfill(_) => return,
                    Removal::Fail(packet) => HtlcFailReason::Onion(packet),
                    Removal::FailMalformed {
                        sha256_of_onion,
                        failure_code,
                    } => HtlcFailReason::Malformed {
                        sha256_of_onion,
                        failure_code,
                    },
                };
                self.queues.push_event(ChannelEvent::HtlcFailed {
                    htlc_id: id,
                    reason,
                });
            }
            Change::Fee(_) => {}
        }
    }
}
