//! Moving a channel's output into the manager's queues, acting on its events, and the close
//! paths (a channel error that closes, a force close, a channel that closed).

use alloc::vec::Vec;

use crate::channel::{ChannelError, ChannelEvent, ChannelPhase, CloseReason};
use crate::wire::{ChannelId, ErrorMessage, Message, WarningMessage};

use super::events::{ClosureReason, Event};
use super::ChannelManager;

/// The most rounds of draining one channel in one call (each round may produce more output:
/// a claimed HTLC queues a fulfill). Far above what a channel can produce; a bound against a
/// bug looping forever.
const MAX_DRAIN_ROUNDS: usize = 64;

impl ChannelManager {
    /// Moves everything `channel_id` has to say into the manager's queues and acts on its
    /// events, until it is quiet. Re-keys the channel if its id changed and removes it once it
    /// is closed and its updates are complete.
    pub(super) fn drain_channel(&mut self, channel_id: ChannelId) {
        let mut channel_id = channel_id;
        for _ in 0..MAX_DRAIN_ROUNDS {
            channel_id = self.rekey_if_needed(channel_id);
            let Some(entry) = self.channels.get_mut(&channel_id) else {
                return;
            };
            let peer = entry.channel.counterparty_node_id();
            let mut busy = false;
            while let Some(update) = entry.channel.poll_monitor_update() {
                self.monitor_updates.push_back(update);
                busy = true;
            }
            while let Some(message) = entry.channel.poll_message() {
                self.messages.push_back((peer, message));
                busy = true;
            }
            let mut events = Vec::new();
            while let Some(event) = entry.channel.poll_event() {
                events.push(event);
            }
            for event in events {
                busy = true;
                self.handle_channel_event(channel_id, event);
            }
            if !busy {
                break;
            }
        }
        self.remove_if_closed(channel_id);
    }

    /// Follows a channel whose id changed (temporary id replaced at funding).
    fn rekey_if_needed(&mut self, channel_id: ChannelId) -> ChannelId {
        let Some(entry) = self.channels.get(&channel_id) else {
            return channel_id;
        };
        let new_id = entry.channel.channel_id();
        if new_id == channel_id {
            return channel_id;
        }
        if self.channels.contains_key(&new_id) {
            // A peer chose a funding outpoint that collides with another channel: refuse the
            // new channel (nothing is funded on our side for it).
            let peer = entry.channel.counterparty_node_id();
            self.log_warn(
                peer,
                channel_id,
                "funding collides with an existing channel id",
            );
            self.queue_error(peer, channel_id, b"channel id collision");
            self.forget_channel(
                channel_id,
                ClosureReason::ProtocolError(CloseReason::BadFundingTransaction),
            );
            return channel_id;
        }
        // Present: looked up just above.
        let entry = self.channels.remove(&channel_id).expect("entry exists");
        let peer = entry.channel.counterparty_node_id();
        self.channels.insert(new_id, entry);
        if let Some(state) = self.peers.get_mut(&peer) {
            state.channels.remove(&channel_id);
            state.channels.insert(new_id);
        }
        self.outbound.rename_channel(channel_id, new_id);
        new_id
    }

    fn handle_channel_event(&mut self, channel_id: ChannelId, event: ChannelEvent) {
        let Some(entry) = self.channels.get_mut(&channel_id) else {
            return;
        };
        let counterparty_node_id = entry.channel.counterparty_node_id();
        let user_channel_id = entry.channel.user_channel_id();
        match event {
            ChannelEvent::FundingGenerationReady {
                temporary_channel_id,
                output_script,
                funding_satoshis,
                user_channel_id,
            } => {
                entry.funding_script = Some(output_script.clone());
                self.events.push_back(Event::FundingGenerationReady {
                    temporary_channel_id,
                    counterparty_node_id,
                    channel_value_satoshis: funding_satoshis,
                    output_script,
                    user_channel_id,
                })
            }
            ChannelEvent::BroadcastFunding(tx) => self.broadcasts.push_back(tx),
            ChannelEvent::Pending {
                temporary_channel_id,
                channel_id,
            } => {
                if let Some(funding_txo) = entry.channel.funding_outpoint() {
                    self.events.push_back(Event::ChannelPending {
                        channel_id,
                        user_channel_id,
                        former_temporary_channel_id: temporary_channel_id,
                        counterparty_node_id,
                        funding_txo,
                    });
                }
            }
            ChannelEvent::Ready => self.events.push_back(Event::ChannelReady {
                channel_id,
                user_channel_id,
                counterparty_node_id,
            }),
            ChannelEvent::HtlcLockedIn {
                htlc_id,
                amount_msat,
                payment_hash,
                cltv_expiry,
                onion,
            } => self.handle_inbound_htlc(super::payments::UnpeeledHtlc {
                channel_id,
                htlc_id,
                amount_msat,
                payment_hash,
                cltv_expiry,
                onion,
            }),
            ChannelEvent::HtlcFulfilled { htlc_id, preimage } => {
                self.outbound_htlc_fulfilled(channel_id, htlc_id, preimage)
            }
            ChannelEvent::HtlcFailed { htlc_id, reason } => {
                self.outbound_htlc_failed(channel_id, htlc_id, reason)
            }
            ChannelEvent::ShutdownStarted { needs_script } => {
                if needs_script {
                    let feerate = self.feerate_per_kw;
                    let script = self.shutdown_script_for(channel_id);
                    if let Some(entry) = self.channels.get_mut(&channel_id) {
                        let result = entry.channel.close(script, feerate).map(|_| ());
                        self.handle_channel_result(channel_id, result);
                    }
                }
            }
            ChannelEvent::Closed { reason, closing_tx } => {
                let decided = entry.closing_reason.take();
                if let Some(tx) = closing_tx {
                    self.broadcasts.push_back(tx);
                }
                self.settle_htlcs_at_close(channel_id);
                self.prune_closed_channels();
                let reason = decided.unwrap_or_else(|| closure_reason(reason));
                self.events.push_back(Event::ChannelClosed {
                    channel_id,
                    user_channel_id,
                    counterparty_node_id,
                    reason,
                });
            }
        }
    }

    /// Acts on the outcome of a channel call: warnings go to the peer, closes force close.
    /// Returns the error for the caller when it was an API refusal.
    pub(super) fn handle_channel_result(
        &mut self,
        channel_id: ChannelId,
        result: Result<(), ChannelError>,
    ) -> Option<ChannelError> {
        let error = result.err()?;
        let Some(entry) = self.channels.get(&channel_id) else {
            return Some(error);
        };
        let peer = entry.channel.counterparty_node_id();
        match &error {
            ChannelError::Warn(reason) => {
                self.log_warn(peer, channel_id, "ignored a message from the peer");
                let data = alloc::format!("{reason}").into_bytes();
                self.messages
                    .push_back((peer, Message::Warning(WarningMessage { channel_id, data })));
            }
            ChannelError::Close(reason) => {
                self.log_warn(peer, channel_id, "closing the channel after an error");
                let data = alloc::format!("{reason}").into_bytes();
                self.queue_error(peer, channel_id, &data);
                self.force_close_with(channel_id, ClosureReason::ProtocolError(reason.clone()));
            }
            ChannelError::Api(_) => {}
        }
        Some(error)
    }

    /// Sends an `error` for `channel_id` to `peer`.
    pub(super) fn queue_error(
        &mut self,
        peer: secp256k1::PublicKey,
        channel_id: ChannelId,
        data: &[u8],
    ) {
        self.messages.push_back((
            peer,
            Message::Error(ErrorMessage {
                channel_id,
                data: data.to_vec(),
            }),
        ));
    }

    /// Force closes `channel_id`, reporting `reason`: a funded channel broadcasts our latest
    /// commitment; an unfunded one is forgotten.
    pub(super) fn force_close_with(&mut self, channel_id: ChannelId, reason: ClosureReason) {
        self.stop_channel(channel_id, reason, true);
    }

    /// Closes `channel_id` (if still open) because a commitment spending its funding
    /// confirmed: the channel stops at once, our own commitment is not broadcast (the funding
    /// is spent), and its HTLCs wait for the monitor's verdict as in any force close.
    pub(super) fn close_on_funding_spent(&mut self, channel_id: ChannelId) {
        let Some(entry) = self.channels.get(&channel_id) else {
            return;
        };
        if entry.channel.phase() != ChannelPhase::Closed {
            let peer = entry.channel.counterparty_node_id();
            self.log_warn(
                peer,
                channel_id,
                "a commitment spent the funding: channel closed",
            );
        }
        self.stop_channel(channel_id, ClosureReason::CommitmentTxConfirmed, false);
    }

    /// Force closes `channel_id` unless it is closed already, reporting `reason`: an unfunded
    /// channel is forgotten; a funded one signs our latest commitment, broadcast when
    /// `broadcast_ours` (not when the funding is already spent).
    fn stop_channel(&mut self, channel_id: ChannelId, reason: ClosureReason, broadcast_ours: bool) {
        let Some(entry) = self.channels.get_mut(&channel_id) else {
            return;
        };
        if entry.channel.phase() == ChannelPhase::Closed {
            return;
        }
        if entry.channel.funding_outpoint().is_none() {
            self.forget_channel(channel_id, reason);
            return;
        }
        entry.closing_reason = Some(reason.clone());
        match entry.channel.force_close() {
            Ok(signed) => {
                match (signed, broadcast_ours) {
                    (Some(tx), true) => self.broadcasts.push_back(tx),
                    (None, true) => {
                        let peer = entry.channel.counterparty_node_id();
                        self.log_warn(
                            peer,
                            channel_id,
                            "force closed, but the signer has not signed our commitment yet: \
                             the monitor broadcasts it once the signer answers",
                        );
                    }
                    _ => {}
                }
                self.drain_channel(channel_id);
            }
            Err(_) => {
                // The funding is known but we hold no signed commitment of ours (the peer
                // never sent its `funding_signed`): nothing of ours can be on chain; the
                // channel is dropped and the monitor holds what it was given.
                let peer = entry.channel.counterparty_node_id();
                self.log_warn(
                    peer,
                    channel_id,
                    "force close could not sign our commitment",
                );
                self.forget_channel(channel_id, reason);
            }
        }
    }

    /// Drops a channel that has nothing on chain to take care of, with a `ChannelClosed`.
    pub(super) fn forget_channel(&mut self, channel_id: ChannelId, reason: ClosureReason) {
        self.settle_htlcs_at_close(channel_id);
        let Some(entry) = self.channels.remove(&channel_id) else {
            return;
        };
        let peer = entry.channel.counterparty_node_id();
        if let Some(state) = self.peers.get_mut(&peer) {
            state.channels.remove(&channel_id);
        }
        self.prune_closed_channels();
        self.events.push_back(Event::ChannelClosed {
            channel_id,
            user_channel_id: entry.channel.user_channel_id(),
            counterparty_node_id: peer,
            reason,
        });
    }

    /// Removes a closed channel once nothing it produced waits for a monitor update.
    fn remove_if_closed(&mut self, channel_id: ChannelId) {
        let Some(entry) = self.channels.get(&channel_id) else {
            return;
        };
        if entry.channel.phase() != ChannelPhase::Closed
            || !entry.channel.monitor_updates_complete()
        {
            return;
        }
        let peer = entry.channel.counterparty_node_id();
        self.channels.remove(&channel_id);
        if let Some(state) = self.peers.get_mut(&peer) {
            state.channels.remove(&channel_id);
        }
    }

    pub(super) fn log_warn(&self, peer: secp256k1::PublicKey, channel_id: ChannelId, what: &str) {
        crate::log_at!(
            self.logger,
            crate::util::logger::Level::Warn,
            Some(peer),
            Some(channel_id),
            "{}",
            what
        );
    }
}

/// The user-facing reason of a channel's own `Closed` event.
fn closure_reason(reason: CloseReason) -> ClosureReason {
    match reason {
        CloseReason::CooperativeClose => ClosureReason::CooperativeClosure,
        CloseReason::HolderForceClosed => ClosureReason::HolderForceClosed,
        other => ClosureReason::ProtocolError(other),
    }
}
