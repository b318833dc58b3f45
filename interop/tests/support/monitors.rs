//! Our side's real chain monitor for the force-close scenarios: the channel manager's monitor
//! updates go to a `ChainMonitor` over `MonitorUpdatingPersister` over `MemoryStore`, and the
//! completed ones back to the manager.

use bitcoin::{Network, Transaction};
use lightning::chain::BestBlock;
use lightning::manager::ChannelManager;
use lightning::monitor::chain_monitor::{ChainMonitor, ChainMonitorEvent};
use lightning::monitor::update::MonitorUpdateStep;
use lightning::monitor::ChannelMonitor;
use lightning::persist::{MemoryStore, MonitorUpdatingPersister, PersistStatus};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::SignerProvider;

/// Writes of updates between two full monitor writes.
const UPDATES_BETWEEN_FULL_WRITES: u64 = 5;

/// Our chain monitor, its events and broadcasts not yet taken by the test.
pub struct OurMonitors {
    pub chain_monitor: ChainMonitor,
    keys: KeysManager,
    pub events: Vec<ChainMonitorEvent>,
    pub broadcasts: Vec<Transaction>,
}

impl OurMonitors {
    /// A chain monitor for the node made from `seed` (the same keys as the node's).
    pub fn new(seed: u8) -> OurMonitors {
        let persister = MonitorUpdatingPersister::new(
            Box::new(MemoryStore::new()),
            UPDATES_BETWEEN_FULL_WRITES,
        );
        OurMonitors {
            chain_monitor: ChainMonitor::new(Box::new(persister)),
            keys: KeysManager::new(&[seed; 32]).expect("valid seed"),
            events: Vec::new(),
            broadcasts: Vec::new(),
        }
    }

    /// Moves the manager's monitor updates into the chain monitor, completed ones back, and
    /// collects the chain monitor's events and broadcasts.
    pub fn pump(&mut self, manager: &mut ChannelManager) {
        let monitors = &mut self.chain_monitor;
        while let Some(update) = manager.poll_monitor_update() {
            let status = if monitors.get_monitor(&update.channel_id).is_none() {
                let keys_id = match update.steps.as_slice() {
                    [MonitorUpdateStep::Init(init)] => init.channel_keys_id,
                    _ => panic!("ours: a channel's first monitor update is not its init"),
                };
                let signer = self.keys.derive_channel_signer(&keys_id);
                let destination = self
                    .keys
                    .destination_script(&keys_id)
                    .ready()
                    .expect("the in-process keys manager answers at once");
                let genesis = BestBlock::from_network_genesis(Network::Regtest);
                let monitor = ChannelMonitor::new(&update, signer, destination, genesis)
                    .expect("ours: a monitor from update 0");
                monitors
                    .watch_channel(monitor)
                    .expect("ours: a new channel's monitor")
            } else {
                monitors
                    .update_channel(&update)
                    .expect("ours: the monitor applies the update")
            };
            assert_eq!(status, PersistStatus::Completed, "ours: persistence");
        }
        while let Some((channel_id, update_id)) = monitors.poll_completed_updates() {
            manager.monitor_update_completed(channel_id, update_id);
        }
        self.drain();
    }

    /// Collects the chain monitor's events and broadcasts.
    pub fn drain(&mut self) {
        while let Some(event) = self.chain_monitor.poll_event() {
            self.events.push(event);
        }
        while let Some(tx) = self.chain_monitor.poll_broadcast() {
            self.broadcasts.push(tx);
        }
    }
}
