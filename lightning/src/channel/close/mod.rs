//! Closing: `shutdown`, waiting for HTLCs to clear, `closing_signed` fee negotiation
//! (`negotiate`) and force close (`force`).

mod force;
mod negotiate;

use alloc::vec;

use bitcoin::ScriptBuf;

use super::commitment::Stage;
use super::events::ChannelEvent;
use super::state::{ChannelState, ShutdownState};
use super::{ApiError, Channel, ChannelError, CloseReason, WarnReason};
use crate::monitor::update::MonitorUpdateStep;
use crate::wire::{Message, Shutdown};

/// Whether `script` is one of the BOLT 2 `shutdown` forms: P2PKH, P2SH, P2WPKH, P2WSH, or a
/// witness program of version 1 to 16 with 2 to 40 bytes.
pub(crate) fn is_standard_shutdown_script(script: &ScriptBuf) -> bool {
    if script.is_p2pkh() || script.is_p2sh() || script.is_p2wpkh() || script.is_p2wsh() {
        return true;
    }
    let bytes = script.as_bytes();
    let versioned = matches!(bytes.first(), Some(0x51..=0x60));
    let program_len = bytes.get(1).map(|l| usize::from(*l));
    versioned && program_len.is_some_and(|len| (2..=40).contains(&len) && bytes.len() == len + 2)
}

impl Channel {
    /// Our shutdown script as committed upfront, if we committed one.
    fn committed_shutdown_script(&self) -> Option<&ScriptBuf> {
        self.holder_shutdown_script
            .as_ref()
            .filter(|_| self.config.commit_upfront_shutdown_script)
    }

    /// Starts a cooperative close (or answers the peer's `shutdown` when we had no script):
    /// queues `shutdown` once our pending updates are signed. `shutdown_script` must equal
    /// the upfront one if we committed to one; `None` uses the script given at creation.
    pub fn close(
        &mut self,
        shutdown_script: Option<ScriptBuf>,
        target_feerate_per_kw: u32,
    ) -> Result<(), ChannelError> {
        let script = match (self.committed_shutdown_script(), shutdown_script) {
            (Some(committed), Some(given)) if *committed != given => {
                return Err(ApiError::ShutdownScript.into())
            }
            (Some(committed), _) => committed.clone(),
            (None, Some(given)) => given,
            (None, None) => self
                .holder_shutdown_script
                .clone()
                .ok_or(ApiError::ShutdownScript)?,
        };
        if !is_standard_shutdown_script(&script) {
            return Err(ApiError::ShutdownScript.into());
        }
        let mut shutdown = match &self.state {
            ChannelState::Normal | ChannelState::AwaitingReady { .. } => ShutdownState::default(),
            ChannelState::ShuttingDown(s) if !s.holder_sent => s.clone(),
            _ => return Err(ApiError::WrongPhase.into()),
        };
        shutdown.holder_script = Some(script);
        shutdown.target_feerate_per_kw = target_feerate_per_kw.max(253);
        self.state = ChannelState::ShuttingDown(shutdown);
        self.maybe_send_commitment()?;
        self.maybe_send_shutdown();
        self.maybe_start_closing_negotiation()
    }

    /// Queues our `shutdown` if we have a script, have not sent it, and none of our updates
    /// waits to be signed.
    pub(crate) fn maybe_send_shutdown(&mut self) {
        let pending_ours = self
            .commitments
            .ours
            .iter()
            .any(|l| l.stage == Stage::Proposed);
        let ChannelState::ShuttingDown(shutdown) = &mut self.state else {
            return;
        };
        let Some(script) = shutdown.holder_script.clone() else {
            return;
        };
        if shutdown.holder_sent || pending_ours {
            return;
        }
        shutdown.holder_sent = true;
        self.queues.push_update(
            self.channel_id,
            vec![MonitorUpdateStep::ShutdownScript {
                script: script.clone(),
            }],
        );
        self.queues
            .push_message_after_updates(Message::Shutdown(Shutdown {
                channel_id: self.channel_id,
                scriptpubkey: script,
            }));
    }

    /// Handles the peer's `shutdown`: answers with ours (or emits
    /// [`ChannelEvent::ShutdownStarted`] asking for a script) and, once HTLCs are cleared,
    /// starts fee negotiation.
    pub fn handle_shutdown(&mut self, msg: &Shutdown) -> Result<(), ChannelError> {
        self.check_channel_id(&msg.channel_id)?;
        if let Some(upfront) = &self.counterparty_upfront_shutdown {
            if *upfront != msg.scriptpubkey {
                return Err(CloseReason::BadShutdownScript.into());
            }
        }
        if !is_standard_shutdown_script(&msg.scriptpubkey) {
            return Err(WarnReason::NonStandardShutdownScript.into());
        }
        let repeated = self
            .state
            .shutdown()
            .is_some_and(|s| s.counterparty_script.as_ref() == Some(&msg.scriptpubkey));
        if repeated {
            // Retransmitted after a reconnection (BOLT 2): nothing new.
            return Ok(());
        }
        let mut shutdown = match &self.state {
            ChannelState::Normal | ChannelState::AwaitingReady { .. } => ShutdownState {
                target_feerate_per_kw: self.commitments.local.feerate_per_kw,
                ..ShutdownState::default()
            },
            ChannelState::ShuttingDown(s) if s.counterparty_script.is_none() => s.clone(),
            _ => return Err(WarnReason::UnexpectedMessage.into()),
        };
        shutdown.counterparty_script = Some(msg.scriptpubkey.clone());
        if shutdown.holder_script.is_none() {
            shutdown.holder_script = self
                .committed_shutdown_script()
                .or(self.holder_shutdown_script.as_ref())
                .cloned();
        }
        let needs_script = shutdown.holder_script.is_none();
        self.state = ChannelState::ShuttingDown(shutdown);
        self.queues
            .push_event_now(ChannelEvent::ShutdownStarted { needs_script });
        self.maybe_send_commitment()?;
        self.maybe_send_shutdown();
        self.maybe_start_closing_negotiation()
    }

    /// Moves to fee negotiation once both `shutdown`s are exchanged and no HTLC or update is
    /// left; the funder then proposes a fee.
    pub(crate) fn maybe_start_closing_negotiation(&mut self) -> Result<(), ChannelError> {
        let ChannelState::ShuttingDown(shutdown) = &self.state else {
            return Ok(());
        };
        let exchanged = shutdown.holder_sent && shutdown.counterparty_script.is_some();
        if !exchanged || !self.commitments.is_quiescent() || self.waits.any() {
            return Ok(());
        }
        let shutdown = shutdown.clone();
        self.state = ChannelState::Negotiating(shutdown, Default::default());
        if self.is_funder {
            let fee = self.closing_fee_proposal();
            self.send_closing_signed(fee)?;
        }
        Ok(())
    }
}
