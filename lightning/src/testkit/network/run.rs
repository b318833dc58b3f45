//! Driving the network: collecting each node's output, running until quiet, monitor-update
//! completion, the chain and the clock.

use alloc::vec::Vec;
use core::time::Duration;

use crate::manager::ChannelManager;
use crate::monitor::update::ChannelMonitorUpdate;
use crate::testkit::MineOutcome;
use crate::wire::ChannelId;

use super::monitors::apply_update;
use super::node::{Completion, CompletionOrder, MonitorPolicy};
use super::Network;
use crate::persist::PersistStatus;

/// The most rounds [`Network::run_until_quiet`] makes before it decides the nodes livelock.
pub const MAX_QUIET_ROUNDS: usize = 10_000;

impl Network {
    /// Moves everything until nothing moves: collects every node's output (monitor updates
    /// per its policy, messages into the per-direction queues, broadcasts into the chain's
    /// mempool, events), delivers every queued message on directions not
    /// [`held`](Self::hold), and repeats. Returns the number of rounds that moved something.
    ///
    /// # Panics
    /// After [`MAX_QUIET_ROUNDS`] rounds that all moved something (a livelock: two nodes
    /// answering each other forever), naming the busy directions.
    pub fn run_until_quiet(&mut self) -> usize {
        for round in 0..MAX_QUIET_ROUNDS {
            self.process_routed_payments();
            let mut moved = self.collect_all();
            let busy: Vec<(usize, usize)> = self.deliverable_directions();
            for (from, to) in busy {
                moved |= self.deliver_all(from, to) > 0;
            }
            if !moved {
                return round;
            }
        }
        panic!(
            "the network did not go quiet after {MAX_QUIET_ROUNDS} rounds (livelock); \
             directions still busy: {:?}",
            self.deliverable_directions()
        );
    }

    /// The directions with queued messages that are not held, as `(from, to)`.
    pub(super) fn deliverable_directions(&self) -> Vec<(usize, usize)> {
        let mut directions = Vec::new();
        for connection in &self.connections {
            for (from, to, queue) in [
                (connection.a, connection.b, &connection.a_to_b),
                (connection.b, connection.a, &connection.b_to_a),
            ] {
                if !queue.is_empty() && !self.held_links.contains(&(from, to)) {
                    directions.push((from, to));
                }
            }
        }
        directions
    }

    /// Collects every node's output once over (see [`run_until_quiet`](Self::run_until_quiet)),
    /// delivering nothing. Returns whether anything came out.
    pub fn collect_all(&mut self) -> bool {
        let mut moved = false;
        for index in 0..self.nodes.len() {
            moved |= self.collect_node(index);
        }
        moved
    }

    /// Drains node `index`'s channel manager until it has nothing more to say. Each round
    /// first writes the manager if it changed (so the write holds the monitor updates, events
    /// and broadcasts it is about to hand out), then writes its monitor updates, then hands
    /// out the rest (see `restart` for these persistence points).
    fn collect_node(&mut self, index: usize) -> bool {
        let mut moved_any = false;
        loop {
            let mut moved = false;
            if self.write_manager_if_changed(index) {
                return true;
            }
            while let Some(update) = self.nodes[index]
                .manager
                .pop(ChannelManager::poll_monitor_update)
            {
                moved = true;
                if self.hand_monitor_update(index, &update) {
                    return true;
                }
            }
            let node = &mut self.nodes[index];
            moved |= node.drain_chain_monitor(&mut self.chain);
            moved |= self.collect_gossip(index);
            let node = &mut self.nodes[index];
            while let Some(tx) = node.manager.pop(ChannelManager::poll_broadcast) {
                moved = true;
                self.chain.broadcast(tx.clone());
                node.broadcasts.push(tx);
            }
            while let Some(event) = node.manager.pop(ChannelManager::next_event) {
                moved = true;
                node.events.push(event);
            }
            let mut outgoing = Vec::new();
            while let Some(message) = node.manager.pop(ChannelManager::poll_message) {
                moved = true;
                outgoing.push(message);
            }
            for (peer, message) in outgoing {
                let Some(to) = self.index_of(&peer) else {
                    continue;
                };
                if let Some(connection) = self.connection_index(index, to) {
                    self.connections[connection]
                        .queue_from(index)
                        .push_back(message);
                }
                // Not connected: the message is lost, as with a dead socket.
            }
            if !moved {
                return moved_any;
            }
            moved_any = true;
        }
    }

    /// Hands one monitor update of node `index` to its chain monitor and store (a
    /// persistence point), or, if the stored monitor already has it (a restarted node
    /// replaying its saved queue), reports it complete. Returns whether the node crashed.
    fn hand_monitor_update(&mut self, index: usize, update: &ChannelMonitorUpdate) -> bool {
        let node = &mut self.nodes[index];
        let already_durable = node
            .chain_monitor
            .get_monitor(&update.channel_id)
            .is_some_and(|monitor| monitor.latest_update_id() >= update.update_id);
        if already_durable {
            node.manager
                .monitor_update_completed(update.channel_id, update.update_id);
            return false;
        }
        let best_block = self
            .chain
            .listener_tip(node.monitor_listener)
            .unwrap_or_else(|| self.chain.tip());
        let applied = apply_update(
            &mut node.chain_monitor,
            &mut node.keys,
            &mut node.store,
            update,
            best_block,
        );
        match applied {
            Ok(PersistStatus::InProgress) => node
                .held_updates
                .push((update.channel_id, update.update_id)),
            Ok(_) => {}
            Err(error) => {
                // Keep the channel going as before the monitors were wired, and record the
                // refusal for the test to see.
                node.monitor_errors.push(error);
                node.manager
                    .monitor_update_completed(update.channel_id, update.update_id);
            }
        }
        self.persistence_point(index)
    }

    /// Sets node `index`'s monitor-update policy (updates already held stay held).
    pub fn set_monitor_policy(&mut self, index: usize, policy: MonitorPolicy) {
        self.nodes[index].policy = policy;
        self.nodes[index].persister_policy.set(policy);
    }

    /// Completes held monitor updates of node `index`: `which` of them, oldest or newest
    /// first, each reported to its channel manager with `monitor_update_completed`. Then
    /// collects (but delivers nothing). Returns the updates completed, in order.
    pub fn complete_monitor_updates(
        &mut self,
        index: usize,
        which: Completion,
        order: CompletionOrder,
    ) -> Vec<(ChannelId, u64)> {
        self.collect_all();
        let node = &mut self.nodes[index];
        let count = match which {
            Completion::All => node.held_updates.len(),
            Completion::Count(count) => count.min(node.held_updates.len()),
        };
        let chosen: Vec<(ChannelId, u64)> = match order {
            CompletionOrder::OldestFirst => node.held_updates.drain(..count).collect(),
            CompletionOrder::NewestFirst => {
                let start = node.held_updates.len() - count;
                node.held_updates.drain(start..).rev().collect()
            }
        };
        for (channel_id, update_id) in &chosen {
            node.report_durable(*channel_id, *update_id);
        }
        self.collect_all();
        chosen
    }

    /// Completes one held monitor update of node `index`; returns whether it was held.
    pub fn complete_monitor_update(
        &mut self,
        index: usize,
        channel_id: ChannelId,
        update_id: u64,
    ) -> bool {
        let node = &mut self.nodes[index];
        let Some(position) = node
            .held_updates
            .iter()
            .position(|held| *held == (channel_id, update_id))
        else {
            return false;
        };
        node.held_updates.remove(position);
        node.report_durable(channel_id, update_id);
        self.collect_all();
        true
    }

    /// Mines `count` blocks (with the mempool's transactions), then syncs every node and
    /// runs until quiet. Returns what was mined.
    pub fn mine_blocks(&mut self, count: u32) -> MineOutcome {
        self.collect_all();
        let outcome = self.chain.mine_blocks(count);
        self.sync_chain();
        self.run_until_quiet();
        outcome
    }

    /// Brings every node's channel manager up to the chain's tip (the chain's
    /// [`sync_confirm`](crate::testkit::SimChain::sync_confirm)), and collects. Call it after
    /// changing the chain directly (e.g. a reorg through [`chain_mut`](Self::chain_mut)).
    pub fn sync_chain(&mut self) {
        for node in &mut self.nodes {
            node.sync_to_tip(&mut self.chain);
        }
        self.collect_all();
    }

    /// The simulated time (since the Unix epoch).
    pub fn now(&self) -> Duration {
        self.now
    }

    /// Moves the simulated time forward by `by`, telling every channel manager and running
    /// every peer manager's timers (pings; peers that stop answering are dropped). Collects.
    pub fn advance_time(&mut self, by: Duration) {
        self.now = self.now.saturating_add(by);
        let now = self.now;
        for node in &mut self.nodes {
            node.manager.advance_time(now);
            node.gossip.tick(now);
            node.with_closed_handler(|pm, h| pm.tick(now, h));
        }
        let pairs: Vec<(usize, usize)> = self.connections.iter().map(|c| (c.a, c.b)).collect();
        for (a, b) in pairs {
            while self.shuttle_bytes(a, b) {}
        }
        self.handle_disconnects();
        self.collect_all();
    }
}
