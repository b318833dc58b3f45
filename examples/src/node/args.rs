//! The command line: `node --listen HOST:PORT [--seed HEX] [--data-dir DIR] [--connect ...]`.

use std::path::PathBuf;

use lightning_net_adapter::PeerAddr;

/// What the command line asked for.
#[derive(Debug)]
pub struct Options {
    /// The address to accept peers on (`HOST:PORT`; port 0 picks a free one).
    pub listen: String,
    /// The node's 32-byte seed, if given on the command line.
    pub seed: Option<[u8; 32]>,
    /// Where the seed, the channel manager and the monitors are stored; `None` keeps
    /// everything in memory.
    pub data_dir: Option<PathBuf>,
    /// Peers to dial at start.
    pub connect: Vec<PeerAddr>,
}

/// What parsing the command line decided.
#[derive(Debug)]
pub enum Command {
    /// Run the node.
    Run(Options),
    /// Print the help text and exit successfully.
    Help,
}

/// One line of usage, printed with every argument error.
pub const USAGE: &str = "usage: node --listen HOST:PORT [--seed HEX] [--data-dir DIR] \
                         [--connect PUBKEY@HOST:PORT]...";

/// The full `--help` text.
pub const HELP: &str = "\
usage: node --listen HOST:PORT [--seed HEX] [--data-dir DIR] [--connect PUBKEY@HOST:PORT]...

A Lightning node on the `lightning` crate. It prints `<node_id>@<address>` as the first line
on stdout, accepts peers (BOLT 8, init, ping/pong), accepts inbound channels, relays gossip,
logs events and peers on stderr, and runs until it is killed.

  --listen HOST:PORT   where to accept peers (port 0: any free port; the first line says
                       which one)
  --seed HEX           the node's 32-byte seed (64 hex characters); otherwise DIR/seed, or
                       fresh random bytes (saved to DIR/seed when --data-dir is given)
  --data-dir DIR       store the seed, the channel manager and the channel monitors in DIR
                       (a filesystem store) and restore them on start; without it everything
                       is kept in memory and lost when the process ends
  --connect ID@HOST:PORT
                       dial this peer at start (may be repeated)
  -h, --help           print this text

There is no chain backend: the node never sees a block, so channels it accepts stay
unconfirmed, and the transactions it would broadcast are only logged on stderr.
Set NODE_LOG=debug or NODE_LOG=trace for more log lines.";

/// Parses the arguments (without the program name). An `Err` is the message to print before
/// exiting with code 2.
pub fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut listen = None;
    let mut seed = None;
    let mut data_dir = None;
    let mut connect = Vec::new();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--listen" => listen = Some(value()?),
            "--seed" => seed = Some(parse_seed(&value()?)?),
            "--data-dir" => data_dir = Some(PathBuf::from(value()?)),
            "--connect" => {
                let peer = value()?;
                connect.push(peer.parse().map_err(|e| format!("--connect {peer}: {e}"))?);
            }
            "--help" | "-h" => return Ok(Command::Help),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(Command::Run(Options {
        listen: listen.ok_or(format!("--listen is required\n{USAGE}"))?,
        seed,
        data_dir,
        connect,
    }))
}

/// Reads a 32-byte seed written as 64 hex characters (surrounding whitespace is ignored).
pub fn parse_seed(text: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(text.trim()).map_err(|e| format!("the seed is not hex: {e}"))?;
    bytes
        .try_into()
        .map_err(|_| "the seed must be 32 bytes (64 hex characters)".to_string())
}
