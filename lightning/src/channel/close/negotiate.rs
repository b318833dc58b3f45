//! `closing_signed` fee negotiation with `fee_range` (BOLT 2 "Closing Negotiation").

use alloc::vec::Vec;

use bitcoin::secp256k1::ecdsa::Signature;
use bitcoin::sighash::EcdsaSighashType;
use bitcoin::Transaction;
use lightning_signer_api::traits::ClosingProposal;
use lightning_signer_api::tx::{
    fee_for_weight, funding_witness, verify_p2wsh_signature, ClosingOutput,
};

use crate::channel::events::ChannelEvent;
use crate::channel::state::{ChannelState, ShutdownState};
use crate::channel::{signer_result, Channel, ChannelError, CloseReason, WarnReason};
use crate::wire::{ClosingFeeRange, ClosingSigned, Message};

/// The weight of a closing transaction's fixed parts and its 2-of-2 witness, without outputs.
const CLOSING_BASE_WEIGHT: u64 = 4 * (4 + 1 + 36 + 1 + 4 + 1 + 4) + (2 + 1 + 1 + 74 + 74 + 1 + 71);

impl Channel {
    fn shutdown_scripts(&self) -> Option<&ShutdownState> {
        self.state.shutdown()
    }

    /// The closing transaction's weight with both outputs.
    fn closing_weight(&self) -> u64 {
        let outputs: u64 = self
            .shutdown_scripts()
            .map(|s| {
                [&s.holder_script, &s.counterparty_script]
                    .iter()
                    .filter_map(|script| script.as_ref())
                    .map(|script| 4 * (8 + 1 + script.len() as u64))
                    .sum()
            })
            .unwrap_or(0);
        CLOSING_BASE_WEIGHT + outputs
    }

    /// The funder's balance in satoshis (the most the fee can be).
    fn funder_balance_sat(&self) -> u64 {
        self.commitments.local.balance(self.funder_side()) / 1000
    }

    /// Our acceptable fee range.
    fn our_fee_range(&self) -> ClosingFeeRange {
        let feerate = self
            .shutdown_scripts()
            .map_or(253, |s| s.target_feerate_per_kw);
        let weight = self.closing_weight();
        let funder_max = self.funder_balance_sat();
        let max = if self.is_funder {
            fee_for_weight(feerate.saturating_mul(2), weight).min(funder_max)
        } else {
            funder_max
        };
        let min = fee_for_weight((feerate / 2).max(253), weight).min(max);
        ClosingFeeRange {
            min_fee_satoshis: min,
            max_fee_satoshis: max,
        }
    }

    /// The fee we would like.
    pub(crate) fn closing_fee_proposal(&self) -> u64 {
        let feerate = self
            .shutdown_scripts()
            .map_or(253, |s| s.target_feerate_per_kw);
        let range = self.our_fee_range();
        fee_for_weight(feerate, self.closing_weight())
            .clamp(range.min_fee_satoshis, range.max_fee_satoshis)
    }

    /// The closing proposal for `fee`: both outputs, dust removed with the larger dust limit
    /// (so that both sides build the same transaction).
    fn closing_proposal(&self, fee: u64) -> Option<ClosingProposal> {
        let shutdown = self.shutdown_scripts()?;
        let spec = &self.commitments.local;
        Some(ClosingProposal::Legacy {
            holder_output: Some(ClosingOutput {
                script_pubkey: shutdown.holder_script.clone()?,
                balance_msat: spec.to_holder_msat,
            }),
            counterparty_output: Some(ClosingOutput {
                script_pubkey: shutdown.counterparty_script.clone()?,
                balance_msat: spec.to_counterparty_msat,
            }),
            fee_satoshis: fee,
            dust_limit_satoshis: self
                .holder
                .dust_limit_satoshis
                .max(self.counterparty.dust_limit_satoshis),
        })
    }

    fn closing_tx(&self, fee: u64) -> Result<Transaction, ChannelError> {
        let setup = self.funded_setup()?;
        let proposal = self
            .closing_proposal(fee)
            .ok_or(CloseReason::ProtocolOrder)?;
        proposal
            .build(setup)
            .map_err(|e| CloseReason::Closing(e).into())
    }

    /// Signs and queues `closing_signed` with `fee`; finishes if the peer already signed it.
    pub(crate) fn send_closing_signed(&mut self, fee: u64) -> Result<(), ChannelError> {
        let setup = self.funded_setup()?.clone();
        let proposal = self
            .closing_proposal(fee)
            .ok_or(CloseReason::ProtocolOrder)?;
        let Some(signature) =
            signer_result(self.signer.sign_closing_transaction(&setup, &proposal))?
        else {
            self.waits.closing_signed = Some(fee);
            return Ok(());
        };
        let range = self.our_fee_range();
        self.queues
            .push_message(Message::ClosingSigned(ClosingSigned {
                channel_id: self.channel_id,
                fee_satoshis: fee,
                signature,
                fee_range: Some(range),
                unknown_tlvs: Vec::new(),
            }));
        let ChannelState::Negotiating(_, negotiation) = &mut self.state else {
            return Ok(());
        };
        negotiation.last_sent = Some((fee, signature));
        match negotiation.last_received {
            Some((their_fee, their_signature)) if their_fee == fee => {
                self.finish_close(fee, signature, their_signature)
            }
            _ => Ok(()),
        }
    }

    /// Both signatures on the closing transaction with `fee`: emits `Closed` with it.
    fn finish_close(
        &mut self,
        fee: u64,
        ours: Signature,
        theirs: Signature,
    ) -> Result<(), ChannelError> {
        let mut tx = self.closing_tx(fee)?;
        let setup = self.funded_setup()?;
        let params = &setup.parameters;
        tx.input[0].witness = funding_witness(
            &params.funding_witness_script(),
            (&params.holder.funding_pubkey, &ours),
            (&params.counterparty.funding_pubkey, &theirs),
        );
        self.state = ChannelState::Closed;
        self.queues.push_event(ChannelEvent::Closed {
            reason: CloseReason::CooperativeClose,
            closing_tx: Some(tx),
        });
        Ok(())
    }

    /// Handles the peer's `closing_signed`: accepts a fee in our range, counters inside the
    /// overlap of the ranges, or finishes when the fees match.
    pub fn handle_closing_signed(&mut self, msg: &ClosingSigned) -> Result<(), ChannelError> {
        self.check_channel_id(&msg.channel_id)?;
        self.maybe_start_closing_negotiation()?;
        let ChannelState::Negotiating(_, negotiation) = &self.state else {
            return Err(WarnReason::UnexpectedMessage.into());
        };
        let last_sent = negotiation.last_sent;
        let fee = msg.fee_satoshis;
        if fee > self.funder_balance_sat() {
            return Err(WarnReason::UnacceptableClosingFee.into());
        }
        let tx = self.closing_tx(fee)?;
        let params = &self.funded_setup()?.parameters;
        let valid = verify_p2wsh_signature(
            &self.secp,
            &tx,
            0,
            &params.funding_witness_script(),
            params.funding_satoshis,
            EcdsaSighashType::All,
            &msg.signature,
            &params.counterparty.funding_pubkey,
        );
        if !valid {
            return Err(WarnReason::BadClosingSignature.into());
        }
        if let ChannelState::Negotiating(_, negotiation) = &mut self.state {
            negotiation.last_received = Some((fee, msg.signature));
        }
        if let Some((sent_fee, our_signature)) = last_sent {
            if sent_fee == fee {
                return self.finish_close(fee, our_signature, msg.signature);
            }
        }
        let ours = self.our_fee_range();
        if (ours.min_fee_satoshis..=ours.max_fee_satoshis).contains(&fee) {
            return self.send_closing_signed(fee);
        }
        let theirs = msg.fee_range.ok_or(WarnReason::UnacceptableClosingFee)?;
        let low = ours.min_fee_satoshis.max(theirs.min_fee_satoshis);
        let high = ours.max_fee_satoshis.min(theirs.max_fee_satoshis);
        if low > high {
            return Err(WarnReason::NoFeeRangeOverlap.into());
        }
        let proposal = self.closing_fee_proposal().clamp(low, high);
        self.send_closing_signed(proposal)
    }
}
