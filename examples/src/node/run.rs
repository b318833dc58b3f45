//! Starting the node and its event loop: build, listen, print the address, dial, tick.

use std::sync::Arc;
use std::time::Duration;

use lightning::peer::{PeerManager, PeerManagerConfig};
use lightning::routing::gossip::{GossipConfig, GossipHandler};
use lightning::routing::graph::NetworkGraph;
use lightning::signer_api::keys_manager::KeysManager;
use lightning::wire::ChainHash;
use lightning_net_adapter::os::unix_now;
use lightning_net_adapter::{AdapterConfig, NodeHandle};

use super::args::Options;
use super::handler::NodeHandler;
use super::logger::{log_level_from_env, StderrLogger};
use super::store::{load_or_create_seed, open_store, restore, NETWORK};

/// How often the timers run: the manager's `timer_tick_occurred` and clock, the gossip
/// handler's `tick`, and (through the adapter's timer task) the peer manager's `tick`.
pub const TICK: Duration = Duration::from_secs(10);

/// Runs the node until the process is killed (returns only on a start-up error).
pub async fn run(options: Options) -> Result<(), String> {
    let data_dir = options.data_dir.as_deref();
    let seed = load_or_create_seed(options.seed, data_dir)?;
    let logger = Arc::new(StderrLogger::new(log_level_from_env()));
    let store = open_store(data_dir)?;
    let chain_hash = ChainHash::using_genesis_block(NETWORK);
    let now = unix_now();
    let gossip = GossipHandler::new(NetworkGraph::new(chain_hash), GossipConfig::default(), now);
    let (mut handler, restored) = restore(store, &seed, logger.clone(), gossip)?;
    handler.tick(now);
    handler.settle();

    let node_signer = KeysManager::new(&seed).map_err(|e| format!("bad seed: {e}"))?;
    let peers = PeerManager::new(
        Box::new(node_signer),
        chain_hash,
        PeerManagerConfig::default(),
        logger,
    );
    let adapter = AdapterConfig {
        tick_interval: TICK,
        ..AdapterConfig::default()
    };
    let node: NodeHandle<NodeHandler> =
        NodeHandle::new(peers, handler, adapter).map_err(|e| e.to_string())?;
    let local = node
        .listen(options.listen.as_str())
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    // The first line on stdout is the address other nodes dial; nothing else goes there.
    println!("{}@{local}", node.node_id());
    eprintln!(
        "started: {} ({}), {} channel(s), {} monitor(s), store: {}",
        node.node_id(),
        if restored.manager_found {
            "restored"
        } else {
            "new"
        },
        restored.channels,
        restored.monitors,
        data_dir.map_or("memory (nothing survives)".to_string(), |dir| dir
            .display()
            .to_string()),
    );
    for peer in options.connect {
        let node = node.clone();
        tokio::spawn(async move {
            match node.connect_and_wait(&peer).await {
                Ok(_) => eprintln!("connected to {peer}"),
                Err(e) => eprintln!("cannot connect to {peer}: {e}"),
            }
        });
    }
    let mut timer = tokio::time::interval(TICK);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick of an interval is immediate; the start-up tick was done above.
    timer.tick().await;
    loop {
        timer.tick().await;
        // `with` ends with the peer manager's `process`, which settles and saves the handler.
        node.with(|_, handler| handler.tick(unix_now()));
    }
}
