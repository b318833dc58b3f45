//! `channel_ready`: sent at the funding depth, received from the peer.

use alloc::vec::Vec;

use crate::channel::events::ChannelEvent;
use crate::channel::state::ChannelState;
use crate::channel::{signer_result, Channel, ChannelError, WarnReason};
use crate::wire::{ChannelReady, Message, ShortChannelId};

impl Channel {
    /// The funding transaction has `depth` confirmations (0: unconfirmed or reorged out) at
    /// `short_channel_id`. At our minimum depth, queues `channel_ready`.
    pub fn funding_depth(
        &mut self,
        depth: u32,
        short_channel_id: ShortChannelId,
    ) -> Result<(), ChannelError> {
        if depth > 0 {
            self.short_channel_id = Some(short_channel_id);
        }
        let ChannelState::AwaitingReady { holder_ready, .. } = self.state else {
            return Ok(());
        };
        if holder_ready || depth < self.minimum_depth || self.waits.channel_ready {
            return Ok(());
        }
        self.send_channel_ready()
    }

    /// Queues `channel_ready` with our second per-commitment point.
    pub(crate) fn send_channel_ready(&mut self) -> Result<(), ChannelError> {
        let Some(point) = signer_result(self.signer.per_commitment_point(1))? else {
            self.waits.channel_ready = true;
            return Ok(());
        };
        self.commitments.holder_next_point = Some(point);
        self.queues
            .push_message_after_updates(Message::ChannelReady(ChannelReady {
                channel_id: self.channel_id,
                second_per_commitment_point: point,
                short_channel_id_alias: None,
                unknown_tlvs: Vec::new(),
            }));
        if let ChannelState::AwaitingReady {
            counterparty_ready, ..
        } = self.state
        {
            self.state = ChannelState::AwaitingReady {
                holder_ready: true,
                counterparty_ready,
            };
        }
        self.maybe_become_ready();
        Ok(())
    }

    /// Handles the peer's `channel_ready`.
    pub fn handle_channel_ready(&mut self, msg: &ChannelReady) -> Result<(), ChannelError> {
        self.check_channel_id(&msg.channel_id)?;
        match self.state {
            ChannelState::AwaitingReady { holder_ready, .. } => {
                self.commitments.counterparty_next_point = Some(msg.second_per_commitment_point);
                self.state = ChannelState::AwaitingReady {
                    holder_ready,
                    counterparty_ready: true,
                };
                self.maybe_become_ready();
                Ok(())
            }
            // A repeat (after a reconnect) changes nothing (BOLT 2: ignore redundant ones).
            ChannelState::Normal | ChannelState::ShuttingDown(_) => Ok(()),
            _ => Err(WarnReason::UnexpectedMessage.into()),
        }
    }

    fn maybe_become_ready(&mut self) {
        if self.state
            == (ChannelState::AwaitingReady {
                holder_ready: true,
                counterparty_ready: true,
            })
        {
            self.state = ChannelState::Normal;
            self.queues.push_event(ChannelEvent::Ready);
        }
    }
}
