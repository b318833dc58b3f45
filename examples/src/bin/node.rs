//! A Lightning node that listens for peers over TCP, on the filesystem store.
//!
//! ```text
//! node --listen 127.0.0.1:9735 [--seed HEX] [--data-dir DIR] [--connect PUBKEY@HOST:PORT]...
//! ```
//!
//! It prints `<node_id>@<listen address>` as the first line on stdout, then accepts peers
//! until it is killed: the BOLT 8 handshake, `init` and `ping`/`pong` are answered by the
//! peer manager, channel messages go to the `ChannelManager` (inbound channels are accepted),
//! gossip to a `GossipHandler`. With `--data-dir` the seed, the channel manager and the
//! channel monitors are stored there and restored on start; without it everything is in
//! memory. There is no chain backend: transactions are logged, not broadcast. Events and
//! peers are logged on stderr (`NODE_LOG=debug` or `trace` for more). `--help` says more.
//!
//! The code is in `examples::node` (`src/node/`).
//!
//! Run with `cargo run -p examples --bin node -- --listen 127.0.0.1:9735`.

use std::process::ExitCode;

fn main() -> ExitCode {
    examples::node::main_with_args(std::env::args().skip(1))
}
