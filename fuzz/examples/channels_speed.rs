//! Times the `channels` target body over every input of a directory (a libFuzzer corpus) or
//! `N` seeded pseudo-random scripts, and prints runs per second. The mode says where each
//! input starts: `saved` (the shared saved line, what the fuzz target does), `fresh` (a
//! line built from scratch for each input) or `setup` (no script: building the line, then
//! starting networks from it, timed apart). On a busy machine, time it with a CPU-time tool
//! (`perf stat`, `/usr/bin/time`) as well.
//!
//! ```sh
//! cargo run -p lightning-fuzz --example channels_speed -- fuzz/corpus/channels saved
//! cargo run -p lightning-fuzz --example channels_speed -- 300 fresh
//! cargo run -p lightning-fuzz --example channels_speed -- 50 setup
//! ```

use std::time::Instant;

use lightning_fuzz::channels::{run_script_from, Start};
use lightning_fuzz::seeded::SeededInputs;

fn main() {
    let mut args = std::env::args().skip(1);
    let source = args.next().unwrap_or_else(|| String::from("200"));
    let mode = args.next().unwrap_or_else(|| String::from("saved"));
    let inputs = match source.parse::<usize>() {
        Ok(count) => seeded_inputs(count),
        Err(_) => corpus(&source),
    };
    let bytes: usize = inputs.iter().map(Vec::len).sum();
    println!(
        "{} inputs, {} bytes on average",
        inputs.len(),
        bytes / inputs.len().max(1)
    );
    let shared = Start::build();
    let started = Instant::now();
    let mut disagreements = 0;
    match mode.as_str() {
        "saved" => {
            for input in &inputs {
                disagreements += usize::from(run_script_from(&shared, input).is_err());
            }
        }
        "fresh" => {
            for input in &inputs {
                let fresh = Start::build();
                disagreements += usize::from(run_script_from(&fresh, input).is_err());
            }
        }
        "setup" => {
            for _ in &inputs {
                drop(Start::build());
            }
            report("building and saving the line", inputs.len(), started, 0);
            let started = Instant::now();
            for _ in &inputs {
                drop(shared.network());
            }
            report("starting a network from it", inputs.len(), started, 0);
            return;
        }
        other => panic!("unknown mode {other}: saved, fresh or setup"),
    }
    report(&mode, inputs.len(), started, disagreements);
}

fn report(what: &str, runs: usize, started: Instant, disagreements: usize) {
    let elapsed = started.elapsed();
    let per_second = runs as f64 / elapsed.as_secs_f64();
    let each = elapsed / u32::try_from(runs.max(1)).unwrap_or(u32::MAX);
    println!(
        "{what}: {runs} runs in {elapsed:?} ({each:?} each, {per_second:.1} runs/s), \
         {disagreements} disagreements"
    );
}

fn corpus(dir: &str) -> Vec<Vec<u8>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot read {dir}: {error}"))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .collect()
}

/// Scripts of known ops with their arguments, up to 120 ops each.
fn seeded_inputs(count: usize) -> Vec<Vec<u8>> {
    let mut inputs = SeededInputs::new(0x5eed_5eed);
    (0..count).map(|_| inputs.op_script(120)).collect()
}
