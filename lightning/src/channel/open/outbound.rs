//! The funder's side of establishment: `open_channel` out, `accept_channel` in.

use alloc::vec::Vec;

use bitcoin::secp256k1::Secp256k1;
use bitcoin::ScriptBuf;
use lightning_signer_api::keys::ChannelPublicKeys;
use lightning_signer_api::tx::scripts::funding_script_pubkey;

use super::{
    check_amounts, check_counterparty_config, check_initial_balances, check_keys,
    commitment_format, holder_side_config,
};
use crate::channel::commitment::Commitments;
use crate::channel::events::ChannelEvent;
use crate::channel::queues::Queues;
use crate::channel::state::{ChannelState, OpeningStep, SignerWaits};
use crate::channel::{
    ApiError, Channel, ChannelError, CloseReason, OutboundParams, ParameterError, SideConfig,
    WarnReason,
};
use crate::wire::channel::CHANNEL_FLAG_ANNOUNCE_CHANNEL;
use crate::wire::features::ChannelTypeError;
use crate::wire::{AcceptChannel, Message, OpenChannel, OpeningTlvs};

/// A ready signer answer, or the command error for pending/refused (used while opening).
fn ready<T>(reply: lightning_signer_api::traits::SignerReply<T>) -> Result<T, ChannelError> {
    match reply.into_result() {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(ApiError::SignerPending.into()),
        Err(refusal) => Err(ApiError::SignerRefused(refusal).into()),
    }
}

pub(super) fn signer_keys(
    signer: &mut dyn lightning_signer_api::traits::ChannelSigner,
) -> Result<(ChannelPublicKeys, bitcoin::secp256k1::PublicKey), ChannelError> {
    let keys = ready(signer.public_keys())?;
    let point = ready(signer.per_commitment_point(0))?;
    Ok((keys, point))
}

/// The side config the peer announced in `accept_channel`.
fn accept_side_config(msg: &AcceptChannel) -> SideConfig {
    SideConfig {
        dust_limit_satoshis: msg.dust_limit_satoshis,
        max_htlc_value_in_flight_msat: msg.max_htlc_value_in_flight_msat,
        channel_reserve_satoshis: msg.channel_reserve_satoshis,
        htlc_minimum_msat: msg.htlc_minimum_msat,
        to_self_delay: msg.to_self_delay,
        max_accepted_htlcs: msg.max_accepted_htlcs,
    }
}

/// The key set the peer announced in `accept_channel`.
fn accept_keys(msg: &AcceptChannel) -> ChannelPublicKeys {
    ChannelPublicKeys {
        funding_pubkey: msg.funding_pubkey,
        revocation_basepoint: msg.revocation_basepoint,
        payment_point: msg.payment_basepoint,
        delayed_payment_basepoint: msg.delayed_payment_basepoint,
        htlc_basepoint: msg.htlc_basepoint,
    }
}

/// A non-empty upfront shutdown script.
pub(super) fn upfront_script(tlvs: &OpeningTlvs) -> Option<ScriptBuf> {
    tlvs.upfront_shutdown_script
        .clone()
        .filter(|script| !script.is_empty())
}

impl Channel {
    /// Starts a channel we fund: checks our parameters, asks the signer for our keys and
    /// queues `open_channel`. The signer must answer at once here
    /// ([`ApiError::SignerPending`] otherwise).
    pub fn new_outbound(params: OutboundParams) -> Result<Channel, ChannelError> {
        let OutboundParams {
            counterparty_node_id,
            funding_satoshis,
            push_msat,
            user_channel_id,
            temporary_channel_id,
            feerate_per_kw,
            channel_type,
            config,
            mut signer,
            shutdown_script,
            chain_hash,
            logger,
        } = params;
        let format =
            commitment_format(&channel_type).map_err(|_| ApiError::UnsupportedChannelType)?;
        check_amounts(&config.limits, funding_satoshis, push_msat, feerate_per_kw)
            .map_err(ApiError::BadParameter)?;
        check_initial_balances(format, funding_satoshis, push_msat, feerate_per_kw, 0, 0)
            .map_err(ApiError::BadParameter)?;
        let holder = holder_side_config(&config, funding_satoshis, None);
        let (holder_keys, first_point) = signer_keys(&mut *signer)?;
        let upfront = shutdown_script
            .clone()
            .filter(|_| config.commit_upfront_shutdown_script);
        let open = OpenChannel {
            chain_hash,
            temporary_channel_id,
            funding_satoshis,
            push_msat,
            dust_limit_satoshis: holder.dust_limit_satoshis,
            max_htlc_value_in_flight_msat: holder.max_htlc_value_in_flight_msat,
            channel_reserve_satoshis: holder.channel_reserve_satoshis,
            htlc_minimum_msat: holder.htlc_minimum_msat,
            feerate_per_kw,
            to_self_delay: holder.to_self_delay,
            max_accepted_htlcs: holder.max_accepted_htlcs,
            funding_pubkey: holder_keys.funding_pubkey,
            revocation_basepoint: holder_keys.revocation_basepoint,
            payment_basepoint: holder_keys.payment_point,
            delayed_payment_basepoint: holder_keys.delayed_payment_basepoint,
            htlc_basepoint: holder_keys.htlc_basepoint,
            first_per_commitment_point: first_point,
            channel_flags: if config.announce_channel {
                CHANNEL_FLAG_ANNOUNCE_CHANNEL
            } else {
                0
            },
            tlvs: OpeningTlvs {
                upfront_shutdown_script: upfront,
                channel_type: Some(channel_type.clone()),
                unknown_tlvs: Vec::new(),
            },
        };
        let mut commitments = Commitments::new(funding_satoshis, push_msat, true, feerate_per_kw);
        commitments.holder_current_point = Some(first_point);
        let mut channel = Channel {
            counterparty_node_id,
            user_channel_id,
            temporary_channel_id,
            channel_id: temporary_channel_id,
            is_funder: true,
            chain_hash,
            config,
            logger,
            signer,
            secp: Secp256k1::new(),
            channel_type,
            commitment_format: format,
            funding_satoshis,
            push_msat,
            counterparty: holder.clone(),
            holder,
            holder_keys,
            counterparty_keys: None,
            holder_shutdown_script: shutdown_script,
            counterparty_upfront_shutdown: None,
            minimum_depth: 1,
            setup: None,
            funding_tx: None,
            short_channel_id: None,
            current_height: 0,
            state: ChannelState::Opening(OpeningStep::AwaitingAccept),
            commitments,
            queues: Queues::default(),
            waits: SignerWaits::default(),
            link: crate::channel::LinkState::Connected,
        };
        channel.queues.push_message(Message::OpenChannel(open));
        Ok(channel)
    }

    /// Handles the peer's `accept_channel`: checks every parameter and emits
    /// [`ChannelEvent::FundingGenerationReady`].
    pub fn handle_accept_channel(&mut self, msg: &AcceptChannel) -> Result<(), ChannelError> {
        if self.state != ChannelState::Opening(OpeningStep::AwaitingAccept) {
            return Err(WarnReason::UnexpectedMessage.into());
        }
        if msg.temporary_channel_id != self.temporary_channel_id {
            return Err(CloseReason::BadParameter(ParameterError::WrongTemporaryChannelId).into());
        }
        let theirs = accept_side_config(msg);
        let limits = &self.config.limits;
        let bad = |e| ChannelError::Close(CloseReason::BadParameter(e));
        check_counterparty_config(limits, self.funding_satoshis, &theirs, &self.holder)
            .map_err(bad)?;
        if msg.minimum_depth > limits.max_minimum_depth {
            return Err(bad(ParameterError::MinimumDepth));
        }
        if let Some(channel_type) = &msg.tlvs.channel_type {
            if *channel_type != self.channel_type {
                return Err(CloseReason::ChannelType(ChannelTypeError::NoBasicType).into());
            }
        }
        let keys = accept_keys(msg);
        check_keys(&self.holder_keys, &keys).map_err(bad)?;
        check_initial_balances(
            self.commitment_format,
            self.funding_satoshis,
            self.push_msat,
            self.commitments.local.feerate_per_kw,
            theirs.channel_reserve_satoshis,
            self.holder.channel_reserve_satoshis,
        )
        .map_err(bad)?;
        self.counterparty = theirs;
        self.counterparty_keys = Some(keys);
        self.counterparty_upfront_shutdown = upfront_script(&msg.tlvs);
        self.minimum_depth = msg.minimum_depth.max(1);
        self.commitments.counterparty_current_point = Some(msg.first_per_commitment_point);
        self.state = ChannelState::Opening(OpeningStep::AwaitingFundingTx);
        self.queues
            .push_event_now(ChannelEvent::FundingGenerationReady {
                temporary_channel_id: self.temporary_channel_id,
                output_script: funding_script_pubkey(
                    &self.holder_keys.funding_pubkey,
                    &keys.funding_pubkey,
                ),
                funding_satoshis: self.funding_satoshis,
                user_channel_id: self.user_channel_id,
            });
        Ok(())
    }
}
