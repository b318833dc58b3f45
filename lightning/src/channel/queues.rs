//! The channel's output queues and the monitor-update rule.
//!
//! Every monitor update gets the next `update_id` and is queued before any message or event
//! that depends on it. A message (or event) queued with a dependency waits until every update
//! up to the one it depends on is complete; messages leave strictly in the order they were
//! queued, so one held message holds those behind it.
//!
//! State changes of one commitment round that are emitted while the previous update is still
//! unpolled (a `commitment_signed` answered with `revoke_and_ack` and our own
//! `commitment_signed`; a claim and the commitment that carries it) share that update: the
//! monitor applies its steps in order, as it would separate updates, and everything waiting
//! on the update waits for all of them. Fewer durable writes, same persist-before-send rule.

use alloc::collections::{BTreeSet, VecDeque};
use alloc::vec::Vec;

use super::events::ChannelEvent;
use crate::monitor::update::{ChannelMonitorUpdate, MonitorUpdateStep};
use crate::wire::{ChannelId, Message};

/// Whether an update made of `steps` may share one update with another such: the steps a
/// commitment round records (commitments, revealed secrets, preimages), which the monitor
/// applies in order within an update exactly as in separate consecutive updates. The initial
/// update, a shutdown script and a force close always stand alone.
fn merges(steps: &[MonitorUpdateStep]) -> bool {
    steps.iter().all(|step| {
        matches!(
            step,
            MonitorUpdateStep::LatestHolderCommitment { .. }
                | MonitorUpdateStep::LatestCounterpartyCommitment { .. }
                | MonitorUpdateStep::CommitmentSecret { .. }
                | MonitorUpdateStep::PaymentPreimage { .. }
        )
    })
}

#[derive(Debug, Default)]
pub(crate) struct Queues {
    /// Messages for the peer with the update id they wait for.
    messages: VecDeque<(Option<u64>, Message)>,
    /// Events for the owner with the update id they wait for.
    events: VecDeque<(Option<u64>, ChannelEvent)>,
    /// Updates not yet polled.
    updates: VecDeque<ChannelMonitorUpdate>,
    /// Whether the last of `updates` was emitted by this process (not restored from a save),
    /// so steps may join it: a restored update may have reached the persister before the
    /// restart, which would then not store steps added to it now.
    last_update_open: bool,
    /// The id of the last update emitted (`None` before the initial one).
    latest_update_id: Option<u64>,
    /// Every update up to this id is complete.
    completed_through: Option<u64>,
    /// Completions above `completed_through` that arrived out of order.
    completed_ahead: BTreeSet<u64>,
    /// While the peer is disconnected (or has not reestablished), messages are not queued:
    /// what the peer must get is regenerated from the state at `channel_reestablish`.
    muted: bool,
}

impl Queues {
    /// Emits an update with the next id and returns that id, or adds `steps` to the latest
    /// update when that one is not polled yet (nor restored from a save) and both only record
    /// commitment-round state ([`merges`]): one durable write instead of two, and everything
    /// already queued behind that update (messages, events) now waits for both, never less.
    pub fn push_update(&mut self, channel_id: ChannelId, steps: Vec<MonitorUpdateStep>) -> u64 {
        if let Some(last) = self.updates.back_mut() {
            let unpolled_latest = Some(last.update_id) == self.latest_update_id;
            if self.last_update_open
                && unpolled_latest
                && last.channel_id == channel_id
                && merges(&last.steps)
                && merges(&steps)
            {
                last.steps.extend(steps);
                return last.update_id;
            }
        }
        let update_id = self.latest_update_id.map_or(0, |id| id.saturating_add(1));
        self.latest_update_id = Some(update_id);
        self.last_update_open = true;
        self.updates.push_back(ChannelMonitorUpdate {
            channel_id,
            update_id,
            steps,
        });
        update_id
    }

    /// The id of the last update emitted.
    pub fn latest_update_id(&self) -> Option<u64> {
        self.latest_update_id
    }

    /// Queues a message that needs no update (dropped while muted).
    pub fn push_message(&mut self, message: Message) {
        if !self.muted {
            self.messages.push_back((None, message));
        }
    }

    /// Queues a message that waits for every update emitted so far (dropped while muted).
    pub fn push_message_after_updates(&mut self, message: Message) {
        if !self.muted {
            self.messages.push_back((self.latest_update_id, message));
        }
    }

    /// Queues a message even while muted (`channel_reestablish`, `error`).
    pub fn push_message_unmuted(&mut self, message: Message) {
        self.messages.push_back((None, message));
    }

    /// Mutes or unmutes the message queue (see the `muted` field).
    pub fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
    }

    /// The completion state: (latest update id, every update through this id is complete).
    pub fn update_ids(&self) -> (Option<u64>, Option<u64>) {
        (self.latest_update_id, self.completed_through)
    }

    /// The events not yet released, with the update they wait for.
    pub fn held_events(&self) -> impl Iterator<Item = &(Option<u64>, ChannelEvent)> {
        self.events.iter()
    }

    /// The updates not yet polled.
    pub fn unpolled_updates(&self) -> impl Iterator<Item = &ChannelMonitorUpdate> {
        self.updates.iter()
    }

    /// Queues restored from persisted state: no messages, and muted (a restored channel
    /// starts disconnected). Completions reported out of order before the save are
    /// forgotten; the owner reports them again after the reload.
    pub fn restored(
        latest_update_id: Option<u64>,
        completed_through: Option<u64>,
        events: VecDeque<(Option<u64>, ChannelEvent)>,
        updates: VecDeque<ChannelMonitorUpdate>,
    ) -> Self {
        Queues {
            latest_update_id,
            completed_through,
            events,
            updates,
            muted: true,
            ..Queues::default()
        }
    }

    /// Queues an event that waits for every update emitted so far.
    pub fn push_event(&mut self, event: ChannelEvent) {
        self.events.push_back((self.latest_update_id, event));
    }

    /// Queues an event at once, whatever the updates.
    pub fn push_event_now(&mut self, event: ChannelEvent) {
        self.events.push_back((None, event));
    }

    fn released(&self, depends_on: Option<u64>) -> bool {
        match (depends_on, self.completed_through) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(needed), Some(done)) => needed <= done,
        }
    }

    pub fn poll_message(&mut self) -> Option<Message> {
        let (depends_on, _) = self.messages.front()?;
        if !self.released(*depends_on) {
            return None;
        }
        self.messages.pop_front().map(|(_, m)| m)
    }

    pub fn poll_event(&mut self) -> Option<ChannelEvent> {
        let (depends_on, _) = self.events.front()?;
        if !self.released(*depends_on) {
            return None;
        }
        self.events.pop_front().map(|(_, e)| e)
    }

    pub fn poll_update(&mut self) -> Option<ChannelMonitorUpdate> {
        self.updates.pop_front()
    }

    /// Records that update `update_id` is persisted.
    pub fn complete(&mut self, update_id: u64) {
        let beyond_latest = self
            .latest_update_id
            .is_none_or(|latest| update_id > latest);
        let already = self.completed_through.is_some_and(|done| update_id <= done);
        if beyond_latest || already {
            return;
        }
        self.completed_ahead.insert(update_id);
        loop {
            let next = self.completed_through.map_or(0, |done| done + 1);
            if !self.completed_ahead.remove(&next) {
                break;
            }
            self.completed_through = Some(next);
        }
    }

    /// Whether every emitted update is complete.
    pub fn all_updates_complete(&self) -> bool {
        self.latest_update_id == self.completed_through
    }

    /// Drops every queued message (the channel is closed).
    pub fn clear_messages(&mut self) {
        self.messages.clear();
    }
}
