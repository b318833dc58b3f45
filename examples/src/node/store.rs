//! The data directory: the seed file, the key-value store, and restoring the node from it.
//!
//! Layout of `--data-dir DIR` (a [`FilesystemStore`] rooted at `DIR`, plus the seed):
//! - `seed`: the node's 32-byte seed in hex (the node id derives from it);
//! - `manager`: the channel manager's versioned encoding, rewritten after every change;
//! - `monitors/<channel id>`: each channel monitor, written whole every
//!   [`UPDATES_BETWEEN_FULL_WRITES`] updates;
//! - `monitor_updates/<channel id>/<update id>`: the monitor updates since that full write.

use lightning::routing::gossip::GossipHandler;
use std::path::Path;

use lightning::bitcoin::Network;
use lightning::chain::BestBlock;
use lightning::manager::{ChannelManager, ManagerConfig, ManagerParams};
use lightning::monitor::chain_monitor::ChainMonitor;
use lightning::persist::{FilesystemStore, KVStore, MemoryStore, MonitorUpdatingPersister};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::util::logger::SharedLogger;
use lightning::wire::ChainHash;
use lightning_net_adapter::os::{os_random_bytes, OsEntropy};

use super::args::parse_seed;
use super::handler::NodeHandler;

/// How many monitor updates are stored as deltas between two full monitor writes.
pub const UPDATES_BETWEEN_FULL_WRITES: u64 = 32;

/// The chain the node runs on. It has no chain backend, so regtest is the honest choice.
pub const NETWORK: Network = Network::Regtest;

/// The seed: `given` if any; otherwise `DIR/seed` if it exists; otherwise 32 fresh bytes from
/// `/dev/urandom`, saved to `DIR/seed` when there is a data directory.
pub fn load_or_create_seed(
    given: Option<[u8; 32]>,
    data_dir: Option<&Path>,
) -> Result<[u8; 32], String> {
    if let Some(seed) = given {
        return Ok(seed);
    }
    let fresh = || os_random_bytes().map_err(|e| format!("cannot read /dev/urandom: {e}"));
    let Some(dir) = data_dir else {
        return fresh();
    };
    let path = dir.join("seed");
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_seed(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let seed = fresh()?;
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            std::fs::write(&path, hex::encode(seed))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(seed)
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// A [`FilesystemStore`] in `data_dir`, or a [`MemoryStore`] without one.
pub fn open_store(data_dir: Option<&Path>) -> Result<Box<dyn KVStore>, String> {
    match data_dir {
        Some(dir) => FilesystemStore::open(dir)
            .map(|store| Box::new(store) as Box<dyn KVStore>)
            .map_err(|e| format!("cannot open the store in {}: {e}", dir.display())),
        None => Ok(Box::new(MemoryStore::new())),
    }
}

/// What [`restore`] found, for the start-up log line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Restored {
    /// Whether a saved manager was read (otherwise a new one was made).
    pub manager_found: bool,
    /// How many channel monitors were read.
    pub monitors: usize,
    /// How many channels the manager holds.
    pub channels: usize,
}

/// Builds the node's handler from `store`: reads every monitor back (with its deltas), decodes
/// the saved manager with them (or makes a new one), hands the monitors to a [`ChainMonitor`]
/// over a [`MonitorUpdatingPersister`] on the same store, and reports every monitor update the
/// manager still waits for that the store already holds.
pub fn restore(
    store: Box<dyn KVStore>,
    seed: &[u8; 32],
    logger: SharedLogger,
    gossip: GossipHandler,
) -> Result<(NodeHandler, Restored), String> {
    let keys = || KeysManager::new(seed).map_err(|e| format!("bad seed: {e}"));
    let persister = MonitorUpdatingPersister::new(store, UPDATES_BETWEEN_FULL_WRITES);
    let mut monitor_keys = keys()?;
    let monitors = persister
        .read_all_channel_monitors(&mut monitor_keys)
        .map_err(|e| format!("cannot read the channel monitors: {e}"))?;
    let saved = persister
        .read_manager()
        .map_err(|e| format!("cannot read the channel manager: {e}"))?;
    let chain_hash = ChainHash::using_genesis_block(NETWORK);
    let entropy = OsEntropy::new().map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    let params = ManagerParams {
        chain_hash,
        config: ManagerConfig {
            // The node ticks every 10 s: wait a minute for the missing parts of a payment.
            mpp_timeout_ticks: 6,
            // The gossip handler beside the manager answers graph queries: announce it.
            other_handler_features: GossipHandler::offered_init_features(),
            ..ManagerConfig::default()
        },
        node_signer: Box::new(keys()?),
        signer_provider: Box::new(keys()?),
        entropy: Box::new(entropy),
        logger,
        best_block: BestBlock::from_network_genesis(NETWORK),
        inbound_payment_key_material: None,
    };
    let mut manager = match &saved {
        Some(bytes) => ChannelManager::decode(bytes, params)
            .map_err(|e| format!("cannot decode the saved channel manager: {e}"))?,
        None => ChannelManager::new(params),
    };
    let restored = Restored {
        manager_found: saved.is_some(),
        monitors: monitors.len(),
        channels: manager.list_channels().len(),
    };
    let mut chain_monitor = ChainMonitor::new(Box::new(persister));
    for monitor in monitors {
        chain_monitor
            .load_channel(monitor)
            .map_err(|e| format!("cannot load a channel monitor: {e}"))?;
    }
    for (channel_id, update_id) in manager.in_progress_monitor_updates() {
        let stored = chain_monitor
            .get_monitor(&channel_id)
            .is_some_and(|monitor| monitor.latest_update_id() >= update_id);
        if stored {
            manager.monitor_update_completed(channel_id, update_id);
        } else {
            // Not polled before the save: it comes out of poll_monitor_update again.
            eprintln!("monitor update {update_id} of channel {channel_id} is not stored yet");
        }
    }
    Ok((
        NodeHandler::new(manager, gossip, chain_monitor, monitor_keys),
        restored,
    ))
}
