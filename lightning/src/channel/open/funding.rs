//! Funding: `funding_created` / `funding_signed`, the first commitment signatures and the
//! initial monitor data.

use alloc::boxed::Box;
use alloc::vec::Vec;

use bitcoin::hashes::Hash;
use bitcoin::{OutPoint, Transaction};
use lightning_signer_api::traits::{ChannelSetup, CommitmentSignatures};
use lightning_signer_api::tx::{ChannelParameters, Side, SideParameters};

use crate::channel::events::ChannelEvent;
use crate::channel::state::{ChannelState, OpeningStep};
use crate::channel::{signer_result, ApiError, Channel, ChannelError, CloseReason, WarnReason};
use crate::monitor::update::{ChannelMonitorInit, MonitorUpdateStep};
use crate::wire::{ChannelId, FundingCreated, FundingSigned, Message};

impl Channel {
    /// The channel setup once the funding outpoint is known.
    fn build_setup(&self, funding_outpoint: OutPoint) -> Result<ChannelSetup, ChannelError> {
        let counterparty_keys = self.counterparty_keys.ok_or(ApiError::WrongPhase)?;
        let side =
            |keys: &lightning_signer_api::keys::ChannelPublicKeys, dust, delay| SideParameters {
                funding_pubkey: keys.funding_pubkey,
                payment_basepoint: keys.payment_point,
                dust_limit_satoshis: dust,
                to_self_delay: delay,
            };
        Ok(ChannelSetup {
            parameters: ChannelParameters {
                funding_outpoint,
                funding_satoshis: self.funding_satoshis,
                opener: self.funder_side(),
                channel_type: self.commitment_format,
                // Our outputs wait for the delay the peer asked for, and vice versa.
                holder: side(
                    &self.holder_keys,
                    self.holder.dust_limit_satoshis,
                    self.counterparty.to_self_delay,
                ),
                counterparty: side(
                    &counterparty_keys,
                    self.counterparty.dust_limit_satoshis,
                    self.holder.to_self_delay,
                ),
            },
            holder_keys: self.holder_keys,
            counterparty_keys,
        })
    }

    /// Fixes the funding outpoint: builds the setup and switches to the real channel id.
    fn set_funding(&mut self, funding_outpoint: OutPoint) -> Result<(), ChannelError> {
        let setup = self.build_setup(funding_outpoint)?;
        // An output index above u16 never reaches here: funding_created carries a u16.
        let index =
            u16::try_from(funding_outpoint.vout).map_err(|_| ApiError::FundingTransaction)?;
        self.channel_id =
            ChannelId::from_funding_outpoint(funding_outpoint.txid.to_byte_array(), index);
        self.setup = Some(setup);
        Ok(())
    }

    /// (Funder) the owner built the funding transaction paying the `output_script` of
    /// [`ChannelEvent::FundingGenerationReady`] at `output_index`: queues `funding_created`.
    /// Do not broadcast it before [`ChannelEvent::BroadcastFunding`].
    pub fn funding_transaction_generated(
        &mut self,
        funding_tx: Transaction,
        output_index: u16,
    ) -> Result<(), ChannelError> {
        if self.state != ChannelState::Opening(OpeningStep::AwaitingFundingTx) {
            return Err(ApiError::WrongPhase.into());
        }
        let counterparty_keys = self.counterparty_keys.ok_or(ApiError::WrongPhase)?;
        let script = lightning_signer_api::tx::scripts::funding_script_pubkey(
            &self.holder_keys.funding_pubkey,
            &counterparty_keys.funding_pubkey,
        );
        let pays = funding_tx
            .output
            .get(usize::from(output_index))
            .is_some_and(|out| {
                out.script_pubkey == script && out.value.to_sat() == self.funding_satoshis
            });
        if !pays {
            return Err(ApiError::FundingTransaction.into());
        }
        self.set_funding(OutPoint {
            txid: funding_tx.compute_txid(),
            vout: u32::from(output_index),
        })?;
        self.state = ChannelState::Opening(OpeningStep::AwaitingFundingSigned { funding_tx });
        self.send_funding_created()
    }

    /// Signs the peer's first commitment and queues `funding_created`.
    pub(crate) fn send_funding_created(&mut self) -> Result<(), ChannelError> {
        let setup = self.funded_setup()?.clone();
        let point = self
            .commitments
            .counterparty_current_point
            .ok_or(ApiError::WrongPhase)?;
        let inputs = self.commitments.remote.to_inputs(Side::Counterparty, 0);
        let reply = self
            .signer
            .sign_counterparty_commitment(&setup, &inputs, &point);
        let Some(signatures) = signer_result(reply)? else {
            self.waits.funding_created = true;
            return Ok(());
        };
        let outpoint = setup.parameters.funding_outpoint;
        self.queues
            .push_message(Message::FundingCreated(FundingCreated {
                temporary_channel_id: self.temporary_channel_id,
                funding_txid: outpoint.txid,
                // Came from a u16 in funding_transaction_generated.
                funding_output_index: outpoint.vout as u16,
                signature: signatures.commitment,
            }));
        Ok(())
    }

    /// Checks the peer's signature on our first commitment.
    fn check_first_signature(
        &mut self,
        signature: bitcoin::secp256k1::ecdsa::Signature,
    ) -> Result<CommitmentSignatures, ChannelError> {
        let point = self
            .commitments
            .holder_current_point
            .ok_or(ApiError::WrongPhase)?;
        let inputs = self.commitments.local.to_inputs(Side::Holder, 0);
        let signatures = CommitmentSignatures {
            commitment: signature,
            htlcs: Vec::new(),
        };
        self.verify_holder_commitment(&inputs, &point, &signatures)?;
        self.commitments.local_signatures = Some(signatures.clone());
        Ok(signatures)
    }

    /// (Fundee) handles `funding_created`: checks the signature on our first commitment,
    /// emits monitor update 0 and queues `funding_signed` after it.
    pub fn handle_funding_created(&mut self, msg: &FundingCreated) -> Result<(), ChannelError> {
        if self.state != ChannelState::Opening(OpeningStep::AwaitingFundingCreated)
            || self.setup.is_some()
        {
            return Err(WarnReason::UnexpectedMessage.into());
        }
        if msg.temporary_channel_id != self.temporary_channel_id {
            return Err(WarnReason::WrongChannelId.into());
        }
        self.set_funding(OutPoint {
            txid: msg.funding_txid,
            vout: u32::from(msg.funding_output_index),
        })?;
        if let Err(e) = self.check_first_signature(msg.signature) {
            self.setup = None;
            self.channel_id = self.temporary_channel_id;
            return Err(e);
        }
        self.send_funding_signed()
    }

    /// (Fundee) signs the peer's first commitment and queues `funding_signed`.
    pub(crate) fn send_funding_signed(&mut self) -> Result<(), ChannelError> {
        let setup = self.funded_setup()?.clone();
        let point = self
            .commitments
            .counterparty_current_point
            .ok_or(ApiError::WrongPhase)?;
        let inputs = self.commitments.remote.to_inputs(Side::Counterparty, 0);
        let holder_inputs = self.commitments.local.to_inputs(Side::Holder, 0);
        let local_signatures = self
            .commitments
            .local_signatures
            .clone()
            .ok_or(ApiError::WrongPhase)?;
        let validated =
            self.signer
                .validate_holder_commitment(&setup, &holder_inputs, &local_signatures);
        let reply = self
            .signer
            .sign_counterparty_commitment(&setup, &inputs, &point);
        let (Some(()), Some(signatures)) = (signer_result(validated)?, signer_result(reply)?)
        else {
            self.waits.funding_signed = true;
            return Ok(());
        };
        self.emit_monitor_init()?;
        self.queues
            .push_message_after_updates(Message::FundingSigned(FundingSigned {
                channel_id: self.channel_id,
                signature: signatures.commitment,
            }));
        self.become_funded();
        Ok(())
    }

    /// (Funder) handles `funding_signed`: checks the signature on our first commitment,
    /// emits monitor update 0, then [`ChannelEvent::BroadcastFunding`] once it is persisted.
    pub fn handle_funding_signed(&mut self, msg: &FundingSigned) -> Result<(), ChannelError> {
        let ChannelState::Opening(OpeningStep::AwaitingFundingSigned { funding_tx }) = &self.state
        else {
            return Err(WarnReason::UnexpectedMessage.into());
        };
        let funding_tx = funding_tx.clone();
        self.check_channel_id(&msg.channel_id)?;
        if self.waits.funding_created {
            return Err(CloseReason::ProtocolOrder.into());
        }
        let signatures = self.check_first_signature(msg.signature)?;
        let setup = self.funded_setup()?.clone();
        let inputs = self.commitments.local.to_inputs(Side::Holder, 0);
        // The in-memory signer never pends; a pending validation of commitment 0 is not needed
        // before the next one is validated, so it is not retried.
        if let Some(refusal) = self
            .signer
            .validate_holder_commitment(&setup, &inputs, &signatures)
            .into_result()
            .err()
        {
            return Err(CloseReason::SignerRefused(refusal).into());
        }
        self.emit_monitor_init()?;
        self.funding_tx = Some(funding_tx.clone());
        self.queues
            .push_event(ChannelEvent::BroadcastFunding(funding_tx));
        self.become_funded();
        Ok(())
    }

    /// Emits update 0 with the initial monitor data.
    fn emit_monitor_init(&mut self) -> Result<(), ChannelError> {
        let setup = self.funded_setup()?.clone();
        let c = &self.commitments;
        let init = ChannelMonitorInit {
            channel_id: self.channel_id,
            counterparty_node_id: self.counterparty_node_id,
            channel_keys_id: self.signer.channel_keys_id(),
            setup,
            holder_commitment: c.local.to_inputs(Side::Holder, 0),
            counterparty_signatures: c.local_signatures.clone().ok_or(ApiError::WrongPhase)?,
            counterparty_commitment: c.remote.to_inputs(Side::Counterparty, 0),
            counterparty_per_commitment_point: c
                .counterparty_current_point
                .ok_or(ApiError::WrongPhase)?,
            shutdown_script: self.holder_shutdown_script.clone(),
        };
        self.queues.push_update(
            self.channel_id,
            alloc::vec![MonitorUpdateStep::Init(Box::new(init))],
        );
        Ok(())
    }

    fn become_funded(&mut self) {
        self.state = ChannelState::AwaitingReady {
            holder_ready: false,
            counterparty_ready: false,
        };
        self.queues.push_event(ChannelEvent::Pending {
            temporary_channel_id: self.temporary_channel_id,
            channel_id: self.channel_id,
        });
    }

    /// The funding transaction (funder only, once `funding_signed` arrived).
    pub fn funding_transaction(&self) -> Option<&Transaction> {
        self.funding_tx.as_ref()
    }
}
