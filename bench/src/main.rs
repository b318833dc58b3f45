//! The benchmark program: `cargo run --release -p bench [-- options]` (see `--help`).

use std::process::ExitCode;

use bench::config::{ArgsError, Config, USAGE};
use bench::workloads::ALL;

fn main() -> ExitCode {
    let config = match Config::parse(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(ArgsError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("{err}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    if cfg!(debug_assertions) {
        println!(
            "WARNING: a debug build; figures mean little. Use `cargo run --release -p bench`."
        );
    }
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "bench: ours (lightning {}) vs LDK 0.2; {} measured reps after {} warm-up; {} cores",
        env!("CARGO_PKG_VERSION"),
        config.reps,
        config.warmup,
        cores
    );
    for workload in ALL.iter().filter(|w| config.selected(w.name)) {
        let report = (workload.run)(&config);
        print!("{}", report.text());
        println!("{}", report.json());
    }
    ExitCode::SUCCESS
}
