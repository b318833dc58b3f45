//! A Lightning node that listens for peers over TCP: the smallest real program on the library.
//!
//! ```text
//! node --listen 127.0.0.1:9735 [--seed HEX] [--data-dir DIR] [--connect PUBKEY@HOST:PORT]...
//! ```
//!
//! It builds a `ChannelManager` (the message handler) and a `PeerManager` from one 32-byte
//! seed, hands both to `lightning-net-adapter`, prints `<node_id>@<listen address>` as the
//! first line on stdout, and then accepts peers until it is killed: the BOLT 8 handshake, the
//! `init` exchange and `ping`/`pong` are answered by the peer manager. Peers connecting and
//! leaving are logged on stderr (set `NODE_LOG=debug` or `NODE_LOG=trace` for more).
//!
//! The seed: `--seed` (64 hex characters) if given; otherwise the file `seed` in `--data-dir`
//! if it exists; otherwise 32 fresh bytes from `/dev/urandom`, written to `DIR/seed` when a
//! data directory is given so that the node keeps its id across restarts. Only the seed is
//! stored for now: channel state is not yet persisted.
//!
//! Run with `cargo run -p examples --bin node -- --listen 127.0.0.1:9735`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use bitcoin::Network;
use lightning::chain::BestBlock;
use lightning::manager::{ChannelManager, ManagerConfig, ManagerParams};
use lightning::peer::{PeerManager, PeerManagerConfig};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::util::logger::{Level, Logger, Record};
use lightning::wire::ChainHash;
use lightning_net_adapter::os::{os_random_bytes, unix_now, OsEntropy};
use lightning_net_adapter::{AdapterConfig, NodeHandle, PeerAddr};

/// What the command line asked for.
struct Options {
    listen: String,
    seed: Option<[u8; 32]>,
    data_dir: Option<PathBuf>,
    connect: Vec<PeerAddr>,
}

const USAGE: &str = "usage: node --listen HOST:PORT [--seed HEX] [--data-dir DIR] \
                     [--connect PUBKEY@HOST:PORT]...";

fn parse_options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut listen = None;
    let mut seed = None;
    let mut data_dir = None;
    let mut connect = Vec::new();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => listen = Some(value()?),
            "--seed" => seed = Some(parse_seed(&value()?)?),
            "--data-dir" => data_dir = Some(PathBuf::from(value()?)),
            "--connect" => {
                let peer = value()?;
                connect.push(peer.parse().map_err(|e| format!("--connect {peer}: {e}"))?);
            }
            "--help" | "-h" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(Options {
        listen: listen.ok_or(format!("--listen is required\n{USAGE}"))?,
        seed,
        data_dir,
        connect,
    })
}

fn parse_seed(text: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(text.trim()).map_err(|e| format!("seed is not hex: {e}"))?;
    bytes
        .try_into()
        .map_err(|_| "the seed must be 32 bytes (64 hex characters)".to_string())
}

/// The seed from the options, else from `DIR/seed`, else fresh (saved to `DIR/seed`).
fn load_or_create_seed(options: &Options) -> Result<[u8; 32], String> {
    if let Some(seed) = options.seed {
        return Ok(seed);
    }
    let Some(dir) = &options.data_dir else {
        return os_random_bytes().map_err(|e| format!("cannot read /dev/urandom: {e}"));
    };
    let path = dir.join("seed");
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_seed(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let seed = os_random_bytes().map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
            save_seed(dir, &path, &seed)?;
            Ok(seed)
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

fn save_seed(dir: &Path, path: &Path, seed: &[u8; 32]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(path, hex::encode(seed)).map_err(|e| format!("{}: {e}", path.display()))
}

/// Prints records at or above a level to stderr.
struct StderrLogger {
    min: Level,
}

impl Logger for StderrLogger {
    fn log(&self, record: &Record<'_>) {
        if record.level >= self.min {
            match record.peer {
                Some(peer) => eprintln!("{} [{peer}] {}", record.level, record.args),
                None => eprintln!("{} {}", record.level, record.args),
            }
        }
    }
}

fn log_level_from_env() -> Level {
    match std::env::var("NODE_LOG").as_deref() {
        Ok("trace") => Level::Trace,
        Ok("debug") => Level::Debug,
        Ok("warn") => Level::Warn,
        Ok("error") => Level::Error,
        _ => Level::Info,
    }
}

/// Builds the node from the seed: a `ChannelManager` as the peer manager's message handler.
fn build_node(seed: &[u8; 32]) -> Result<NodeHandle<ChannelManager>, String> {
    let keys = || {
        KeysManager::new(seed)
            .map(Box::new)
            .map_err(|e| format!("bad seed: {e}"))
    };
    let logger = Arc::new(StderrLogger {
        min: log_level_from_env(),
    });
    let network = Network::Regtest;
    let chain = ChainHash::using_genesis_block(network);
    let entropy = OsEntropy::new().map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    let manager = ChannelManager::new(ManagerParams {
        chain_hash: chain,
        config: ManagerConfig::default(),
        node_signer: keys()?,
        signer_provider: keys()?,
        entropy: Box::new(entropy),
        logger: logger.clone(),
        best_block: BestBlock::from_network_genesis(network),
        inbound_payment_key_material: None,
    });
    let peers = PeerManager::new(keys()?, chain, PeerManagerConfig::default(), logger);
    NodeHandle::new(peers, manager, AdapterConfig::default()).map_err(|e| e.to_string())
}

async fn run(options: Options) -> Result<(), String> {
    let seed = load_or_create_seed(&options)?;
    let node = build_node(&seed)?;
    let local = node
        .listen(options.listen.as_str())
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    // The first line on stdout is the address other nodes dial; print it before anything
    // else can be written there.
    println!("{}@{local}", node.node_id());
    for peer in options.connect {
        let node = node.clone();
        tokio::spawn(async move {
            match node.connect_and_wait(&peer).await {
                Ok(_) => eprintln!("connected to {peer}"),
                Err(e) => eprintln!("cannot connect to {peer}: {e}"),
            }
        });
    }
    // Runs until killed; the channel manager learns the time once a second.
    loop {
        node.with(|_, manager| manager.advance_time(unix_now()));
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn main() -> ExitCode {
    let options = match parse_options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
