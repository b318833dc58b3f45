//! The benchmark program: `cargo run --release -p bench [-- options]` (see `--help`).

use std::process::ExitCode;

use bench::config::{ArgsError, Config, USAGE};
use bench::stats::Clock;
use bench::workloads::ALL;

fn main() -> ExitCode {
    let mut config = match Config::parse(std::env::args().skip(1)) {
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
    if !config.clock.available() {
        println!("WARNING: no thread CPU clock here; timing with the wall clock.");
        config.clock = Clock::Wall;
    }
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    // The load average says how much the figures were disturbed (Linux only).
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string());
    println!(
        "bench: ours (lightning {}) vs LDK 0.2; {} measured reps after {} warm-up; timing {}; \
         {cores} cores, load average {load}",
        env!("CARGO_PKG_VERSION"),
        config.reps,
        config.warmup,
        config.clock.name(),
    );
    for workload in ALL.iter().filter(|w| config.selected(w.name)) {
        let report = (workload.run)(&config);
        print!("{}", report.text());
        println!("{}", report.json());
    }
    ExitCode::SUCCESS
}
