//! User commands on channels (open, accept, fund, close, fee) and the channel list.

use alloc::vec::Vec;
use core::fmt;

use bitcoin::{OutPoint, ScriptBuf, Transaction};
use lightning_signer_api::traits::{ChannelKeysId, SignerReply};
use secp256k1::PublicKey;

use crate::channel::{
    ApiError, Channel, ChannelConfig, ChannelError, ChannelPhase, InboundParams, OutboundParams,
};
use crate::wire::features::ChannelTypeFeatures;
use crate::wire::{ChannelId, OpenChannel, ShortChannelId};

use super::config::our_init_features;
use super::events::{ClosureReason, Event};
use super::{ChannelEntry, ChannelManager, PendingOpen};

/// Why a user command on a channel was refused. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandError {
    /// The peer is not connected (opening needs its `init` features).
    PeerNotConnected,
    /// No channel (or pending request) with this id and peer.
    UnknownChannel,
    /// The channel refused the command.
    Channel(ChannelError),
    /// The funding transaction has no output paying the channel's funding script.
    FundingOutputNotFound,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::PeerNotConnected => f.write_str("peer is not connected"),
            CommandError::UnknownChannel => f.write_str("no such channel with this peer"),
            CommandError::Channel(err) => write!(f, "{err}"),
            CommandError::FundingOutputNotFound => {
                f.write_str("funding transaction does not pay the channel")
            }
        }
    }
}

impl core::error::Error for CommandError {}

/// A snapshot of one channel, from [`ChannelManager::list_channels`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelDetails {
    /// The channel id (temporary until funded).
    pub channel_id: ChannelId,
    /// The peer.
    pub counterparty_node_id: PublicKey,
    /// The user's id of the channel.
    pub user_channel_id: u128,
    /// The funding outpoint, once known.
    pub funding_txo: Option<OutPoint>,
    /// The short channel id, once the funding confirmed.
    pub short_channel_id: Option<ShortChannelId>,
    /// The channel's value.
    pub channel_value_satoshis: u64,
    /// Our balance (pending changes applied, HTLCs excluded).
    pub balance_msat: u64,
    /// What we can send in one HTLC now.
    pub outbound_capacity_msat: u64,
    /// What the peer can send us now (roughly).
    pub inbound_capacity_msat: u64,
    /// HTLCs not yet settled.
    pub pending_htlcs: usize,
    /// Whether we opened it.
    pub is_outbound: bool,
    /// Whether payments can go through it now (open and the peer connected).
    pub is_usable: bool,
    /// Where it is in its life.
    pub phase: ChannelPhase,
    /// Whether the peer is connected.
    pub is_peer_connected: bool,
    /// Whether the channel was opened to be announced (`announce_channel`).
    pub is_public: bool,
    /// Whether its `channel_announcement` is complete (both sides' signatures) and went to
    /// the gossip queue.
    pub is_announced: bool,
}

impl ChannelManager {
    /// Opens a channel to a connected peer: queues `open_channel` and returns the temporary
    /// channel id. Next comes `FundingGenerationReady`. `override_config` replaces the
    /// manager's channel config for this channel.
    pub fn open_channel(
        &mut self,
        their_node_id: PublicKey,
        funding_satoshis: u64,
        push_msat: u64,
        user_channel_id: u128,
        override_config: Option<ChannelConfig>,
    ) -> Result<ChannelId, CommandError> {
        let their_features = self
            .peers
            .get(&their_node_id)
            .and_then(|peer| peer.connected.clone())
            .ok_or(CommandError::PeerNotConnected)?;
        let temporary_channel_id = self.fresh_temporary_channel_id();
        let keys_id = self.new_keys_id(user_channel_id);
        let signer = self.signer_provider.derive_channel_signer(&keys_id);
        let channel = Channel::new_outbound(OutboundParams {
            counterparty_node_id: their_node_id,
            funding_satoshis,
            push_msat,
            user_channel_id,
            temporary_channel_id,
            feerate_per_kw: self.feerate_per_kw,
            channel_type: ChannelTypeFeatures::default_for(&our_init_features(), &their_features),
            config: override_config.unwrap_or_else(|| self.config.channel_config.clone()),
            signer,
            shutdown_script: self.shutdown_script(&keys_id),
            chain_hash: self.chain_hash,
            logger: self.logger.clone(),
        })
        .map_err(CommandError::Channel)?;
        self.insert_channel(channel, keys_id);
        self.drain_channel(temporary_channel_id);
        Ok(temporary_channel_id)
    }

    /// Accepts an inbound channel announced by an `OpenChannelRequest` event (manual
    /// acceptance): runs the checks and queues `accept_channel`.
    pub fn accept_inbound_channel(
        &mut self,
        temporary_channel_id: ChannelId,
        their_node_id: PublicKey,
        user_channel_id: u128,
    ) -> Result<(), CommandError> {
        match self.pending_opens.get(&temporary_channel_id) {
            Some(pending) if pending.counterparty_node_id == their_node_id => {}
            _ => return Err(CommandError::UnknownChannel),
        }
        // Present: checked just above.
        let pending = self
            .pending_opens
            .remove(&temporary_channel_id)
            .expect("pending open exists");
        self.create_inbound(their_node_id, &pending.msg, user_channel_id)
    }

    /// Handles the peer's `open_channel`: queued for the user under manual acceptance,
    /// accepted at once otherwise.
    pub(super) fn handle_open_channel(&mut self, their_node_id: PublicKey, msg: OpenChannel) {
        let id = msg.temporary_channel_id;
        if self.channels.contains_key(&id) || self.pending_opens.contains_key(&id) {
            self.queue_error(their_node_id, id, b"temporary channel id already in use");
            return;
        }
        if self.config.manually_accept_inbound_channels {
            self.events.push_back(Event::OpenChannelRequest {
                temporary_channel_id: id,
                counterparty_node_id: their_node_id,
                funding_satoshis: msg.funding_satoshis,
                push_msat: msg.push_msat,
            });
            self.pending_opens.insert(
                id,
                PendingOpen {
                    counterparty_node_id: their_node_id,
                    msg,
                },
            );
            return;
        }
        let user_channel_id = u128::from_be_bytes(self.random_16());
        // A refusal already sent the peer an `error`; there is no user to tell.
        let _ = self.create_inbound(their_node_id, &msg, user_channel_id);
    }

    fn create_inbound(
        &mut self,
        their_node_id: PublicKey,
        msg: &OpenChannel,
        user_channel_id: u128,
    ) -> Result<(), CommandError> {
        let their_features = self
            .peers
            .get(&their_node_id)
            .and_then(|peer| peer.connected.clone())
            .ok_or(CommandError::PeerNotConnected)?;
        let keys_id = self.new_keys_id(user_channel_id);
        let signer = self.signer_provider.derive_channel_signer(&keys_id);
        let result = Channel::new_inbound(
            InboundParams {
                counterparty_node_id: their_node_id,
                user_channel_id,
                config: self.config.channel_config.clone(),
                signer,
                shutdown_script: self.shutdown_script(&keys_id),
                our_init_features: our_init_features(),
                their_init_features: their_features,
                chain_hash: self.chain_hash,
                current_height: self.best_block.height,
                logger: self.logger.clone(),
            },
            msg,
        );
        match result {
            Ok(channel) => {
                let id = channel.channel_id();
                self.insert_channel(channel, keys_id);
                self.drain_channel(id);
                Ok(())
            }
            Err(error) => {
                let data = alloc::format!("{error}").into_bytes();
                self.queue_error(their_node_id, msg.temporary_channel_id, &data);
                Err(CommandError::Channel(error))
            }
        }
    }

    /// Hands over the funding transaction for the channel of a `FundingGenerationReady`
    /// event: queues `funding_created`. The manager broadcasts it (through `poll_broadcast`)
    /// once the peer has signed our first commitment; do not broadcast it before.
    pub fn funding_transaction_generated(
        &mut self,
        temporary_channel_id: ChannelId,
        their_node_id: PublicKey,
        funding_tx: Transaction,
    ) -> Result<(), CommandError> {
        let entry = self.entry_mut(temporary_channel_id, their_node_id)?;
        let script =
            entry
                .funding_script
                .clone()
                .ok_or(CommandError::Channel(ChannelError::Api(
                    ApiError::WrongPhase,
                )))?;
        let value = entry.channel.funding_satoshis();
        let output_index = funding_tx
            .output
            .iter()
            .position(|output| output.script_pubkey == script && output.value.to_sat() == value)
            .and_then(|index| u16::try_from(index).ok())
            .ok_or(CommandError::FundingOutputNotFound)?;
        let result = entry
            .channel
            .funding_transaction_generated(funding_tx, output_index);
        self.command_result(temporary_channel_id, result)
    }

    /// Starts a cooperative close: queues `shutdown` (once pending updates are signed); the
    /// closing transaction comes out of `poll_broadcast` with `ChannelClosed`.
    pub fn close_channel(
        &mut self,
        channel_id: ChannelId,
        their_node_id: PublicKey,
    ) -> Result<(), CommandError> {
        let feerate = self.feerate_per_kw;
        let entry = self.entry_mut(channel_id, their_node_id)?;
        let result = entry.channel.close(None, feerate).map(|_| ());
        self.command_result(channel_id, result)
    }

    /// Force closes a channel: sends `error` to the peer and broadcasts our latest
    /// commitment (an unfunded channel is simply forgotten).
    pub fn force_close_channel(
        &mut self,
        channel_id: ChannelId,
        their_node_id: PublicKey,
    ) -> Result<(), CommandError> {
        self.entry_mut(channel_id, their_node_id)?;
        self.queue_error(
            their_node_id,
            channel_id,
            b"channel force closed by the user",
        );
        self.force_close_with(channel_id, ClosureReason::HolderForceClosed);
        Ok(())
    }

    /// Sets the feerate for new channels and sends `update_fee` on every usable channel we
    /// fund whose peer is connected. Call it when the fee estimate moves.
    pub fn update_fee(&mut self, feerate_per_kw: u32) {
        self.feerate_per_kw = feerate_per_kw;
        let ids: Vec<ChannelId> = self.channels.keys().copied().collect();
        for channel_id in ids {
            let connected = self.is_peer_connected_for(channel_id);
            let Some(entry) = self.channels.get_mut(&channel_id) else {
                continue;
            };
            if !entry.channel.is_funder() || !entry.channel.is_usable() || !connected {
                continue;
            }
            let result = entry
                .channel
                .update_fee(feerate_per_kw)
                .and_then(|()| entry.channel.maybe_send_commitment());
            self.handle_channel_result(channel_id, result);
            self.drain_channel(channel_id);
        }
    }

    /// Every channel, in no particular order.
    pub fn list_channels(&self) -> Vec<ChannelDetails> {
        self.channels
            .iter()
            .map(|(channel_id, entry)| {
                let channel = &entry.channel;
                let balances = channel.balances();
                let is_peer_connected = self
                    .peers
                    .get(&channel.counterparty_node_id())
                    .is_some_and(|peer| peer.connected.is_some());
                ChannelDetails {
                    channel_id: *channel_id,
                    counterparty_node_id: channel.counterparty_node_id(),
                    user_channel_id: channel.user_channel_id(),
                    funding_txo: channel.funding_outpoint(),
                    short_channel_id: channel.short_channel_id(),
                    channel_value_satoshis: channel.funding_satoshis(),
                    balance_msat: balances.to_holder_msat,
                    outbound_capacity_msat: balances.outbound_capacity_msat,
                    inbound_capacity_msat: balances.inbound_capacity_msat,
                    pending_htlcs: balances.pending_htlcs,
                    is_outbound: channel.is_funder(),
                    is_usable: channel.is_usable() && is_peer_connected,
                    phase: channel.phase(),
                    is_peer_connected,
                    is_public: channel.is_public(),
                    is_announced: entry.announce.announced,
                }
            })
            .collect()
    }

    /// The channel `channel_id` with `their_node_id`.
    pub(super) fn entry_mut(
        &mut self,
        channel_id: ChannelId,
        their_node_id: PublicKey,
    ) -> Result<&mut ChannelEntry, CommandError> {
        match self.channels.get_mut(&channel_id) {
            Some(entry) if entry.channel.counterparty_node_id() == their_node_id => Ok(entry),
            _ => Err(CommandError::UnknownChannel),
        }
    }

    /// The ids of every channel with `their_node_id` (none for an unknown peer), copied out
    /// so that the caller may change the channels while it goes through them.
    pub(super) fn channel_ids_with(&self, their_node_id: &PublicKey) -> Vec<ChannelId> {
        self.peers
            .get(their_node_id)
            .map(|peer| peer.channels.iter().copied().collect())
            .unwrap_or_default()
    }

    pub(super) fn is_peer_connected_for(&self, channel_id: ChannelId) -> bool {
        self.channels.get(&channel_id).is_some_and(|entry| {
            self.peers
                .get(&entry.channel.counterparty_node_id())
                .is_some_and(|peer| peer.connected.is_some())
        })
    }

    /// Finishes a user command on a channel: acts on errors, drains its output.
    fn command_result(
        &mut self,
        channel_id: ChannelId,
        result: Result<(), ChannelError>,
    ) -> Result<(), CommandError> {
        let error = self.handle_channel_result(channel_id, result);
        self.drain_channel(channel_id);
        match error {
            Some(error) => Err(CommandError::Channel(error)),
            None => Ok(()),
        }
    }

    fn insert_channel(&mut self, channel: Channel, keys_id: ChannelKeysId) {
        let channel_id = channel.channel_id();
        let peer = channel.counterparty_node_id();
        self.peers
            .entry(peer)
            .or_default()
            .channels
            .insert(channel_id);
        self.channels.insert(
            channel_id,
            ChannelEntry {
                channel,
                keys_id,
                funding_confirmation: None,
                funding_script: None,
                closing_reason: None,
                announce: Default::default(),
            },
        );
    }

    fn fresh_temporary_channel_id(&mut self) -> ChannelId {
        loop {
            let id = ChannelId(self.entropy.random_bytes());
            if !self.channels.contains_key(&id) && !id.is_all_channels() {
                return id;
            }
        }
    }

    pub(super) fn random_16(&mut self) -> [u8; 16] {
        let bytes = self.entropy.random_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&bytes[..16]);
        out
    }

    fn new_keys_id(&mut self, user_channel_id: u128) -> ChannelKeysId {
        let random = self.entropy.random_bytes();
        self.signer_provider
            .generate_channel_keys_id(&random, user_channel_id)
    }

    fn shutdown_script(&mut self, keys_id: &ChannelKeysId) -> Option<ScriptBuf> {
        match self.signer_provider.shutdown_script(keys_id) {
            SignerReply::Ready(script) => Some(script),
            _ => None,
        }
    }

    /// Our shutdown script for an existing channel.
    pub(super) fn shutdown_script_for(&mut self, channel_id: ChannelId) -> Option<ScriptBuf> {
        let keys_id = self.channels.get(&channel_id)?.keys_id;
        self.shutdown_script(&keys_id)
    }
}
