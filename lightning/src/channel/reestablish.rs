//! Disconnects and `channel_reestablish` (BOLT 2 "Message Retransmission").
//!
//! On a disconnect the channel forgets the peer's updates that no `commitment_signed` of
//! the peer covers yet (BOLT 2 says reverse them), drops every message not yet handed out,
//! and mutes its message queue: nothing leaves until the peer's `channel_reestablish`.
//! Our own uncommitted updates are kept: the peer forgets them, so they are sent again,
//! with the same HTLC ids, after the reestablish.
//!
//! On reconnect each side sends `channel_reestablish` with the numbers of the next
//! `commitment_signed` and `revoke_and_ack` it expects. From the peer's numbers we learn
//! what it missed and retransmit exactly that, in the original order:
//! `channel_ready` (while no commitment moved), our last `revoke_and_ack` and our last
//! `commitment_signed` (preceded by the updates it covers), `shutdown` if we sent one,
//! then our updates not yet signed. Retransmitted messages wait for every monitor update
//! emitted so far, so a message held for a persisting update stays held.
//!
//! Checks: numbers the peer cannot have (behind us, or never signed) fail the channel. A
//! `next_revocation_number` above ours with a valid secret of ours proves we lost data: the
//! channel does not broadcast anything (it moves to `Closed` with
//! [`CloseReason::StaleLocalState`] and sends an `error` asking the peer to close).

use alloc::vec::Vec;

use bitcoin::secp256k1::{PublicKey, SecretKey};
use lightning_signer_api::tx::Side;

use super::commitment::spec::{Change, Removal};
use super::commitment::Stage;
use super::events::ChannelEvent;
use super::state::ChannelState;
use super::{signer_result, Channel, ChannelError, CloseReason, WarnReason};
use crate::wire::{
    ChannelReady, ChannelReestablish, ErrorMessage, Message, Shutdown, UpdateAddHtlc,
    UpdateFailHtlc, UpdateFailMalformedHtlc, UpdateFee, UpdateFulfillHtlc,
};

/// The connection as the channel sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LinkState {
    /// Messages flow.
    Connected,
    /// The peer is gone; nothing is sent.
    Disconnected,
    /// We sent `channel_reestablish` and wait for the peer's.
    AwaitingReestablish,
}

/// What the peer's `channel_reestablish` asks us to retransmit.
struct Retransmit {
    channel_ready: bool,
    revoke_and_ack: bool,
    commitment_signed: bool,
}

impl Channel {
    /// Whether the connection is up and reestablished (messages for the peer flow).
    pub fn is_peer_link_up(&self) -> bool {
        self.link == LinkState::Connected
    }

    /// The peer disconnected: forgets the peer's uncommitted updates (and their HTLC ids),
    /// drops messages not yet polled, restarts a closing fee negotiation, and sends nothing
    /// until [`peer_connected`](Self::peer_connected) and the reestablish. Commands keep
    /// working: their messages are produced at the reestablish.
    pub fn peer_disconnected(&mut self) {
        self.link = LinkState::Disconnected;
        self.queues.clear_messages();
        self.queues.set_muted(true);
        let c = &mut self.commitments;
        let mut lowest_forgotten_add = None::<u64>;
        c.theirs.retain(|logged| {
            if logged.stage != Stage::Proposed {
                return true;
            }
            if let Change::Add { htlc, .. } = &logged.change {
                lowest_forgotten_add =
                    Some(lowest_forgotten_add.map_or(htlc.id, |l| l.min(htlc.id)));
            }
            false
        });
        if let Some(id) = lowest_forgotten_add {
            c.next_counterparty_htlc_id = id;
        }
        if let ChannelState::Negotiating(shutdown, _) = &self.state {
            self.state = ChannelState::ShuttingDown(shutdown.clone());
        }
    }

    /// The peer is connected again: queues our `channel_reestablish` (for a funded channel
    /// that is not closed). Only that message leaves until
    /// [`handle_channel_reestablish`](Self::handle_channel_reestablish).
    pub fn peer_connected(&mut self) -> Result<(), ChannelError> {
        if self.link != LinkState::Disconnected {
            self.peer_disconnected();
        }
        if self.setup.is_none() || self.state == ChannelState::Closed {
            return Ok(());
        }
        let c = &self.commitments;
        let next_revocation_number = c.remote_number.saturating_sub(u64::from(c.awaiting_raa));
        let your_last_per_commitment_secret = match next_revocation_number {
            0 => [0u8; 32],
            n => c.counterparty_secrets.get(n - 1).unwrap_or([0u8; 32]),
        };
        let point = match c.holder_current_point {
            Some(point) => point,
            None => match signer_result(self.signer.per_commitment_point(c.local_number))? {
                Some(point) => point,
                None => return Err(super::ApiError::SignerPending.into()),
            },
        };
        let message = ChannelReestablish {
            channel_id: self.channel_id,
            next_commitment_number: c.local_number.saturating_add(1),
            next_revocation_number,
            your_last_per_commitment_secret,
            my_current_per_commitment_point: point,
            next_funding: None,
            my_current_funding_locked: None,
            unknown_tlvs: Vec::new(),
        };
        self.queues
            .push_message_unmuted(Message::ChannelReestablish(message));
        self.link = LinkState::AwaitingReestablish;
        Ok(())
    }

    /// Handles the peer's `channel_reestablish`: checks its numbers and secret, then queues
    /// what the peer missed and resumes (signs pending updates, restarts closing). Learning
    /// that our state is stale closes the channel WITHOUT a commitment to broadcast.
    pub fn handle_channel_reestablish(
        &mut self,
        msg: &ChannelReestablish,
    ) -> Result<(), ChannelError> {
        if msg.channel_id != self.channel_id {
            return Err(WarnReason::WrongChannelId.into());
        }
        if self.state == ChannelState::Closed {
            return Ok(());
        }
        if self.link != LinkState::AwaitingReestablish {
            return Err(WarnReason::UnexpectedMessage.into());
        }
        let retransmit = match self.check_reestablish(msg)? {
            Some(retransmit) => retransmit,
            None => return Ok(()),
        };
        self.link = LinkState::Connected;
        self.queues.set_muted(false);
        if let ChannelState::Negotiating(shutdown, _) = &self.state {
            // Closing fee negotiation starts over after a reconnection.
            self.state = ChannelState::ShuttingDown(shutdown.clone());
        }
        self.log_debug(format_args!(
            "reestablished: their next commitment {}, next revocation {}",
            msg.next_commitment_number, msg.next_revocation_number
        ));
        if retransmit.channel_ready {
            self.retransmit_channel_ready();
        }
        let cs_first = retransmit.commitment_signed
            && retransmit.revoke_and_ack
            && !self.commitments.commitment_sent_last;
        if cs_first {
            self.retransmit_commitment_signed();
            self.retransmit_revoke_and_ack();
        } else {
            if retransmit.revoke_and_ack {
                self.retransmit_revoke_and_ack();
            }
            if retransmit.commitment_signed {
                self.retransmit_commitment_signed();
            }
        }
        self.retransmit_shutdown();
        self.resend_updates(Stage::Proposed);
        self.maybe_send_commitment()?;
        self.maybe_send_shutdown();
        self.maybe_start_closing_negotiation()
    }

    /// Checks the peer's numbers against ours. `Ok(None)`: we are behind (handled here).
    fn check_reestablish(
        &mut self,
        msg: &ChannelReestablish,
    ) -> Result<Option<Retransmit>, ChannelError> {
        let c = &self.commitments;
        let local = c.local_number;
        let remote = c.remote_number;
        let awaiting_raa = c.awaiting_raa;
        let next_commitment = msg.next_commitment_number;
        let next_revocation = msg.next_revocation_number;
        if next_commitment == 0 {
            return Err(CloseReason::ReestablishMismatch.into());
        }
        if next_revocation > local {
            // The peer says we revoked a commitment we do not know: it proves it with our
            // secret (we lost data), or it lies. Without a verdict from the signer, assume
            // the worst for us: never broadcast a possibly revoked commitment.
            let proven =
                self.own_secret_matches(next_revocation - 1, &msg.your_last_per_commitment_secret);
            if proven != Some(false) {
                self.enter_stale_state(msg.my_current_per_commitment_point);
                return Ok(None);
            }
            return Err(CloseReason::ReestablishMismatch.into());
        }
        if next_revocation > 0
            && self.own_secret_matches(next_revocation - 1, &msg.your_last_per_commitment_secret)
                == Some(false)
        {
            return Err(CloseReason::BadRevocationSecret.into());
        }
        // The peer must have our last revoke_and_ack, or miss only the last one.
        if next_revocation.saturating_add(1) < local {
            return Err(CloseReason::ReestablishMismatch.into());
        }
        let commitment_signed = if next_commitment == remote.saturating_add(1) {
            false
        } else if next_commitment == remote && awaiting_raa {
            true
        } else {
            return Err(CloseReason::ReestablishMismatch.into());
        };
        let revoke_and_ack = local >= 1
            && next_revocation == local - 1
            && !self.waits.revoke_and_ack
            && self.commitments.last_sent_revoke_and_ack.is_some();
        let holder_sent_ready = match self.state {
            ChannelState::AwaitingReady { holder_ready, .. } => holder_ready,
            ChannelState::Opening(_) => false,
            _ => true,
        };
        let channel_ready = next_commitment == 1 && local == 0 && holder_sent_ready;
        Ok(Some(Retransmit {
            channel_ready,
            revoke_and_ack,
            commitment_signed,
        }))
    }

    /// Whether `secret` is our per-commitment secret of `commitment_number` (`None`: the
    /// signer cannot say now).
    fn own_secret_matches(&mut self, commitment_number: u64, secret: &[u8; 32]) -> Option<bool> {
        let point = match signer_result(self.signer.per_commitment_point(commitment_number)) {
            Ok(Some(point)) => point,
            _ => return None,
        };
        let Ok(key) = SecretKey::from_slice(secret) else {
            return Some(false);
        };
        Some(PublicKey::from_secret_key(&self.secp, &key) == point)
    }

    /// We are behind the peer: close without broadcasting, ask the peer to close.
    fn enter_stale_state(&mut self, their_point: PublicKey) {
        self.log_debug(format_args!(
            "peer proved our state is stale: not broadcasting, asking it to close"
        ));
        self.state = ChannelState::Closed;
        self.link = LinkState::Connected;
        self.queues.clear_messages();
        self.queues
            .push_message_unmuted(Message::Error(ErrorMessage {
                channel_id: self.channel_id,
                data: b"we lost channel state: please close the channel".to_vec(),
            }));
        self.queues.push_event_now(ChannelEvent::Closed {
            reason: CloseReason::StaleLocalState {
                their_current_per_commitment_point: their_point,
            },
            closing_tx: None,
        });
    }

    fn retransmit_channel_ready(&mut self) {
        let point = match self.commitments.holder_next_point {
            Some(point) => point,
            None => match signer_result(self.signer.per_commitment_point(1)) {
                Ok(Some(point)) => point,
                // The first channel_ready waits for the signer too; it is sent then.
                _ => return,
            },
        };
        self.queues
            .push_message_after_updates(Message::ChannelReady(ChannelReady {
                channel_id: self.channel_id,
                second_per_commitment_point: point,
                short_channel_id_alias: None,
                unknown_tlvs: Vec::new(),
            }));
    }

    fn retransmit_revoke_and_ack(&mut self) {
        if let Some(raa) = self.commitments.last_sent_revoke_and_ack.clone() {
            self.queues
                .push_message_after_updates(Message::RevokeAndAck(raa));
        }
    }

    /// The updates our last `commitment_signed` covered, then that `commitment_signed`.
    fn retransmit_commitment_signed(&mut self) {
        self.resend_updates(Stage::Signed);
        if let Some(cs) = self.commitments.last_sent_commitment_signed.clone() {
            self.queues
                .push_message_after_updates(Message::CommitmentSigned(cs));
        }
    }

    fn retransmit_shutdown(&mut self) {
        let Some(shutdown) = self.state.shutdown() else {
            return;
        };
        let Some(script) = shutdown
            .holder_script
            .clone()
            .filter(|_| shutdown.holder_sent)
        else {
            return;
        };
        self.queues
            .push_message_after_updates(Message::Shutdown(Shutdown {
                channel_id: self.channel_id,
                scriptpubkey: script,
            }));
    }

    /// Sends again, in log order, our updates at `stage`.
    fn resend_updates(&mut self, stage: Stage) {
        let messages: Vec<Message> = self
            .commitments
            .ours
            .iter()
            .filter(|logged| logged.stage == stage)
            .map(|logged| self.update_message(&logged.change))
            .collect();
        for message in messages {
            self.queues.push_message_after_updates(message);
        }
    }

    /// The `update_*` message of one of our changes.
    fn update_message(&self, change: &Change) -> Message {
        let channel_id = self.channel_id;
        match change {
            Change::Add { htlc, onion } => {
                debug_assert_eq!(htlc.offerer, Side::Holder);
                Message::UpdateAddHtlc(UpdateAddHtlc {
                    channel_id,
                    id: htlc.id,
                    amount_msat: htlc.amount_msat,
                    payment_hash: htlc.payment_hash,
                    cltv_expiry: htlc.cltv_expiry,
                    onion_routing_packet: onion.clone(),
                    path_key: None,
                    unknown_tlvs: Vec::new(),
                })
            }
            Change::Remove { id, removal } => match removal {
                Removal::Fulfill(preimage) => Message::UpdateFulfillHtlc(UpdateFulfillHtlc {
                    channel_id,
                    id: *id,
                    payment_preimage: *preimage,
                    attribution_data: None,
                    unknown_tlvs: Vec::new(),
                }),
                Removal::Fail(reason) => Message::UpdateFailHtlc(UpdateFailHtlc {
                    channel_id,
                    id: *id,
                    reason: reason.clone(),
                    attribution_data: None,
                    unknown_tlvs: Vec::new(),
                }),
                Removal::FailMalformed {
                    sha256_of_onion,
                    failure_code,
                } => Message::UpdateFailMalformedHtlc(UpdateFailMalformedHtlc {
                    channel_id,
                    id: *id,
                    sha256_of_onion: *sha256_of_onion,
                    failure_code: *failure_code,
                }),
            },
            Change::Fee(feerate_per_kw) => Message::UpdateFee(UpdateFee {
                channel_id,
                feerate_per_kw: *feerate_per_kw,
            }),
        }
    }
}
