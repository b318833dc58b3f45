//! The `node` program: a Lightning node on the filesystem store that listens for peers over
//! TCP (see `src/bin/node.rs` and the README).
//!
//! - [`args`]: the command line.
//! - [`store`]: the seed file, the key-value store, and restoring the node from it.
//! - [`handler`]: the peer message handler that wires the channel manager to the chain
//!   monitor and the gossip handler, and saves the manager before its messages leave.
//! - [`run`]: start-up and the timer loop.
//! - [`logger`]: the stderr log.

pub mod args;
pub mod handler;
pub mod logger;
pub mod run;
pub mod store;

use std::io::Write;
use std::process::ExitCode;

use args::{parse_args, Command, HELP};

/// The program: parses `args` (without the program name) and runs the node on a
/// current-thread tokio runtime. Exit codes: 2 for bad arguments, 1 for a start-up error;
/// otherwise it runs until killed.
pub fn main_with_args(args: impl Iterator<Item = String>) -> ExitCode {
    let options = match parse_args(args) {
        Ok(Command::Run(options)) => options,
        Ok(Command::Help) => {
            // A closed stdout (e.g. `node --help | head`) is not an error worth a panic.
            let _ = writeln!(std::io::stdout(), "{HELP}");
            return ExitCode::SUCCESS;
        }
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
    match runtime.block_on(run::run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
