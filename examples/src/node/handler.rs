//! [`NodeHandler`]: what the peer manager hands messages to. It holds the channel manager and
//! the chain monitor, reaches the gossip handler, and moves every output of the manager where
//! it belongs before any message leaves.

use std::time::Duration;

use lightning::bitcoin::consensus::encode::serialize_hex;
use lightning::bitcoin::secp256k1::PublicKey;
use lightning::bitcoin::Transaction;
use lightning::manager::ChannelManager;
use lightning::monitor::chain_monitor::{ChainMonitor, ChainMonitorEvent};
use lightning::monitor::update::{ChannelMonitorUpdate, MonitorUpdateStep};
use lightning::monitor::ChannelMonitor;
use lightning::peer::{is_gossip_message, HandlerPair, PeerMessageHandler, PeerRejected};
use lightning::persist::PersistStatus;
use lightning::routing::gossip::GossipHandler;
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::{SignerProvider, SignerReply};
use lightning::wire::features::InitFeatures;
use lightning::wire::{Init, Message};

/// The channel manager, the chain monitor and the keys to build monitors from, seen by the
/// peer manager as one handler (through a [`HandlerPair`] with the gossip handler).
///
/// # Call contract
///
/// Every call that may change the manager (a message, a peer connecting or leaving, a
/// command through [`NodeHandler::manager_mut`], a tick) marks the handler dirty. The peer
/// manager's `process` then calls [`PeerMessageHandler::poll_message`], which first
/// [`settle`](NodeHandler::settle)s: monitor updates go to the chain monitor (stored before
/// the answer), completions go back to the manager, our gossip goes to the gossip handler,
/// transactions and events are logged, and the manager is saved. Only then do its messages
/// leave, so a peer never sees a state the store does not hold.
pub struct NodeHandler {
    manager: ChannelManager,
    gossip: GossipHandler,
    chain_monitor: ChainMonitor,
    keys: KeysManager,
    dirty: bool,
}

impl NodeHandler {
    /// A handler over a restored (or new) manager, gossip handler and chain monitor; `keys`
    /// derives the signers of new monitors. It starts dirty, so the first `settle` saves the
    /// manager.
    pub fn new(
        manager: ChannelManager,
        gossip: GossipHandler,
        chain_monitor: ChainMonitor,
        keys: KeysManager,
    ) -> Self {
        NodeHandler {
            manager,
            gossip,
            chain_monitor,
            keys,
            dirty: true,
        }
    }

    /// The channel manager.
    pub fn manager(&self) -> &ChannelManager {
        &self.manager
    }

    /// The channel manager, for a command; marks the handler dirty.
    pub fn manager_mut(&mut self) -> &mut ChannelManager {
        self.dirty = true;
        &mut self.manager
    }

    /// The periodic tick: the manager's timer and clock, and the gossip handler's clock.
    pub fn tick(&mut self, now: Duration) {
        let manager = self.manager_mut();
        manager.advance_time(now);
        manager.timer_tick_occurred();
        self.gossip.tick(now);
    }

    /// Moves everything the manager and the chain monitor produced until neither has more.
    /// The manager is saved before each pass that moves its output, so the saved manager
    /// always holds the monitor updates it hands out: a crash between storing an update and
    /// saving the manager never leaves a monitor ahead of the saved manager (the update comes
    /// out again after a restart and is recognised as stored).
    pub fn settle(&mut self) {
        let mut changed = std::mem::take(&mut self.dirty);
        loop {
            if changed {
                self.save_manager();
            }
            if !self.move_outputs() {
                break;
            }
            changed = true;
        }
    }

    /// One pass over every output queue; returns whether anything moved.
    fn move_outputs(&mut self) -> bool {
        let mut moved = false;
        while let Some(update) = self.manager.poll_monitor_update() {
            moved = true;
            self.apply_monitor_update(&update);
        }
        while let Some((channel_id, update_id)) = self.chain_monitor.poll_completed_updates() {
            moved = true;
            self.manager.monitor_update_completed(channel_id, update_id);
        }
        while let Some(event) = self.chain_monitor.poll_event() {
            moved = true;
            match event {
                ChainMonitorEvent::Monitor(event) => {
                    eprintln!("monitor event: {event:?}");
                    self.manager.handle_monitor_event(&event);
                }
                ChainMonitorEvent::PersistenceFailed {
                    channel_id,
                    update_id,
                } => eprintln!(
                    "ERROR cannot store update {update_id} of channel {channel_id}: \
                     the channel stays paused"
                ),
            }
        }
        while let Some(tx) = self.chain_monitor.poll_broadcast() {
            moved = true;
            log_broadcast("monitor", &tx);
        }
        while let Some(tx) = self.manager.poll_broadcast() {
            moved = true;
            log_broadcast("manager", &tx);
        }
        while let Some(message) = self.manager.poll_gossip() {
            moved = true;
            if let Err(e) = self.gossip.broadcast_own_gossip(message) {
                eprintln!("WARN our own gossip was refused: {e}");
            }
        }
        while let Some(event) = self.manager.next_event() {
            moved = true;
            eprintln!("event: {event:?}");
        }
        moved
    }

    /// Gives one manager update to the chain monitor: update 0 builds the channel's monitor,
    /// any other updates it. The store answers at once; completions come back through
    /// `poll_completed_updates`. An update the store already holds (replayed from the saved
    /// manager after a restart) is reported completed at once. A refused update leaves the
    /// channel paused (safe: nothing that depends on it is sent).
    fn apply_monitor_update(&mut self, update: &ChannelMonitorUpdate) {
        let stored = self
            .chain_monitor
            .get_monitor(&update.channel_id)
            .is_some_and(|monitor| monitor.latest_update_id() >= update.update_id);
        if stored {
            // Replayed from the saved manager after a restart: the store already holds it.
            self.manager
                .monitor_update_completed(update.channel_id, update.update_id);
            return;
        }
        let status = match update.steps.as_slice() {
            [MonitorUpdateStep::Init(init)] if update.update_id == 0 => {
                let signer = self.keys.derive_channel_signer(&init.channel_keys_id);
                let destination = match self.keys.destination_script(&init.channel_keys_id) {
                    SignerReply::Ready(script) => script,
                    // The in-process KeysManager always answers Ready.
                    _ => Default::default(),
                };
                let best_block = self.manager.best_block();
                match ChannelMonitor::new(update, signer, destination, best_block) {
                    Ok(monitor) => self
                        .chain_monitor
                        .watch_channel(monitor)
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                }
            }
            _ => self
                .chain_monitor
                .update_channel(update)
                .map_err(|e| e.to_string()),
        };
        match status {
            Ok(PersistStatus::Completed) | Ok(PersistStatus::InProgress) => {}
            // Reported as a PersistenceFailed event.
            Ok(PersistStatus::Failed) => {}
            Err(e) => eprintln!(
                "ERROR monitor update {} of channel {} refused: {e}",
                update.update_id, update.channel_id
            ),
        }
    }

    /// Writes the manager's versioned encoding to the store (key `manager`).
    fn save_manager(&mut self) {
        let encoded = self.manager.encode();
        if self.chain_monitor.persist_manager(&encoded) == PersistStatus::Failed {
            eprintln!("ERROR cannot store the channel manager");
        }
    }

    /// Runs `f` on the manager and gossip handler as one [`PeerMessageHandler`].
    fn with_pair<T>(&mut self, f: impl FnOnce(&mut dyn PeerMessageHandler) -> T) -> T {
        f(&mut HandlerPair::new(
            &mut self.manager,
            &mut self.gossip,
            is_gossip_message,
        ))
    }
}

fn log_broadcast(from: &str, tx: &Transaction) {
    eprintln!(
        "broadcast from the {from} (no chain backend: not sent): {} {}",
        tx.compute_txid(),
        serialize_hex(tx)
    );
}

impl PeerMessageHandler for NodeHandler {
    fn provided_init_features(&self) -> InitFeatures {
        self.manager
            .provided_init_features()
            .union(&self.gossip.provided_init_features())
    }

    fn peer_connected(
        &mut self,
        their_node_id: PublicKey,
        init: &Init,
        inbound: bool,
    ) -> Result<(), PeerRejected> {
        self.dirty = true;
        let result = self.with_pair(|pair| pair.peer_connected(their_node_id, init, inbound));
        if result.is_ok() {
            let direction = if inbound { "inbound" } else { "outbound" };
            eprintln!("peer connected: {their_node_id} ({direction})");
        }
        result
    }

    fn peer_disconnected(&mut self, their_node_id: PublicKey) {
        self.dirty = true;
        self.with_pair(|pair| pair.peer_disconnected(their_node_id));
        eprintln!("peer disconnected: {their_node_id}");
    }

    fn handle_message(&mut self, their_node_id: PublicKey, message: Message) {
        // Gossip does not change the manager; everything else may.
        if !is_gossip_message(&message) {
            self.dirty = true;
        }
        self.with_pair(|pair| pair.handle_message(their_node_id, message));
    }

    fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        if self.dirty {
            self.settle();
        }
        self.with_pair(|pair| pair.poll_message())
    }

    fn poll_bulk_message(&mut self, their_node_id: PublicKey) -> Option<Message> {
        self.with_pair(|pair| pair.poll_bulk_message(their_node_id))
    }
}
