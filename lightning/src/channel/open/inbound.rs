//! The fundee's side of establishment: `open_channel` in, `accept_channel` out.

use alloc::vec::Vec;

use bitcoin::secp256k1::Secp256k1;
use lightning_signer_api::keys::ChannelPublicKeys;

use super::outbound::{signer_keys, upfront_script};
use super::{
    check_amounts, check_counterparty_config, check_initial_balances, check_keys,
    commitment_format, holder_side_config,
};
use crate::channel::commitment::Commitments;
use crate::channel::queues::Queues;
use crate::channel::state::{ChannelState, OpeningStep, SignerWaits};
use crate::channel::{
    Channel, ChannelError, CloseReason, InboundParams, ParameterError, SideConfig,
};
use crate::wire::features::{ChannelTypeError, Feature};
use crate::wire::{AcceptChannel, Message, OpenChannel, OpeningTlvs};

fn open_side_config(msg: &OpenChannel) -> SideConfig {
    SideConfig {
        dust_limit_satoshis: msg.dust_limit_satoshis,
        max_htlc_value_in_flight_msat: msg.max_htlc_value_in_flight_msat,
        channel_reserve_satoshis: msg.channel_reserve_satoshis,
        htlc_minimum_msat: msg.htlc_minimum_msat,
        to_self_delay: msg.to_self_delay,
        max_accepted_htlcs: msg.max_accepted_htlcs,
    }
}

fn open_keys(msg: &OpenChannel) -> ChannelPublicKeys {
    ChannelPublicKeys {
        funding_pubkey: msg.funding_pubkey,
        revocation_basepoint: msg.revocation_basepoint,
        payment_point: msg.payment_basepoint,
        delayed_payment_basepoint: msg.delayed_payment_basepoint,
        htlc_basepoint: msg.htlc_basepoint,
    }
}

impl Channel {
    /// Accepts (or refuses) the peer's `open_channel`: runs every BOLT 2 check and our limits,
    /// negotiates the channel type, and queues `accept_channel`. A refusal is
    /// [`ChannelError::Close`] with the reason (send an `error` for the temporary channel id).
    pub fn new_inbound(params: InboundParams, msg: &OpenChannel) -> Result<Channel, ChannelError> {
        let InboundParams {
            counterparty_node_id,
            user_channel_id,
            config,
            mut signer,
            shutdown_script,
            our_init_features,
            their_init_features,
            chain_hash,
            current_height,
            logger,
        } = params;
        let bad = |e| ChannelError::Close(CloseReason::BadParameter(e));
        if msg.chain_hash != chain_hash {
            return Err(bad(ParameterError::WrongChain));
        }
        check_amounts(
            &config.limits,
            msg.funding_satoshis,
            msg.push_msat,
            msg.feerate_per_kw,
        )
        .map_err(bad)?;
        let channel_type = msg
            .tlvs
            .channel_type
            .clone()
            .ok_or(CloseReason::MissingChannelType)?;
        channel_type
            .check_supported(&our_init_features, &their_init_features)
            .map_err(CloseReason::ChannelType)?;
        let format = commitment_format(&channel_type)?;
        if format.has_anchors() && !config.accept_anchors {
            return Err(CloseReason::ChannelType(ChannelTypeError::NotNegotiated {
                feature: Feature::AnchorsZeroFeeHtlcTx,
            })
            .into());
        }
        let theirs = open_side_config(msg);
        let holder = holder_side_config(
            &config,
            msg.funding_satoshis,
            Some(theirs.dust_limit_satoshis),
        );
        check_counterparty_config(&config.limits, msg.funding_satoshis, &theirs, &holder)
            .map_err(bad)?;
        check_initial_balances(
            format,
            msg.funding_satoshis,
            msg.push_msat,
            msg.feerate_per_kw,
            holder.channel_reserve_satoshis,
            theirs.channel_reserve_satoshis,
        )
        .map_err(bad)?;
        let keys = open_keys(msg);
        let (holder_keys, first_point) = signer_keys(&mut *signer)?;
        check_keys(&holder_keys, &keys).map_err(bad)?;
        let their_upfront = upfront_script(&msg.tlvs);
        let our_upfront = if config.commit_upfront_shutdown_script {
            shutdown_script.clone()
        } else {
            None
        };
        let upfront_field = match (&our_upfront, msg.tlvs.upfront_shutdown_script.is_some()) {
            (Some(script), _) => Some(script.clone()),
            (None, true) => Some(bitcoin::ScriptBuf::new()),
            (None, false) => None,
        };
        let accept = AcceptChannel {
            temporary_channel_id: msg.temporary_channel_id,
            dust_limit_satoshis: holder.dust_limit_satoshis,
            max_htlc_value_in_flight_msat: holder.max_htlc_value_in_flight_msat,
            channel_reserve_satoshis: holder.channel_reserve_satoshis,
            htlc_minimum_msat: holder.htlc_minimum_msat,
            minimum_depth: config.minimum_depth.max(1),
            to_self_delay: holder.to_self_delay,
            max_accepted_htlcs: holder.max_accepted_htlcs,
            funding_pubkey: holder_keys.funding_pubkey,
            revocation_basepoint: holder_keys.revocation_basepoint,
            payment_basepoint: holder_keys.payment_point,
            delayed_payment_basepoint: holder_keys.delayed_payment_basepoint,
            htlc_basepoint: holder_keys.htlc_basepoint,
            first_per_commitment_point: first_point,
            tlvs: OpeningTlvs {
                upfront_shutdown_script: upfront_field,
                channel_type: Some(channel_type.clone()),
                unknown_tlvs: Vec::new(),
            },
        };
        let mut commitments = Commitments::new(
            msg.funding_satoshis,
            msg.push_msat,
            false,
            msg.feerate_per_kw,
        );
        commitments.holder_current_point = Some(first_point);
        commitments.counterparty_current_point = Some(msg.first_per_commitment_point);
        let mut channel = Channel {
            counterparty_node_id,
            user_channel_id,
            temporary_channel_id: msg.temporary_channel_id,
            channel_id: msg.temporary_channel_id,
            is_funder: false,
            chain_hash,
            minimum_depth: config.minimum_depth.max(1),
            config,
            logger,
            signer,
            secp: Secp256k1::new(),
            channel_type,
            commitment_format: format,
            funding_satoshis: msg.funding_satoshis,
            push_msat: msg.push_msat,
            holder,
            counterparty: theirs,
            holder_keys,
            counterparty_keys: Some(keys),
            holder_shutdown_script: shutdown_script,
            counterparty_upfront_shutdown: their_upfront,
            setup: None,
            funding_tx: None,
            short_channel_id: None,
            current_height,
            state: ChannelState::Opening(OpeningStep::AwaitingFundingCreated),
            commitments,
            queues: Queues::default(),
            waits: SignerWaits::default(),
            link: crate::channel::LinkState::Connected,
        };
        channel.set_public(
            msg.channel_flags & crate::wire::channel::CHANNEL_FLAG_ANNOUNCE_CHANNEL != 0,
        );
        channel.queues.push_message(Message::AcceptChannel(accept));
        Ok(channel)
    }
}
