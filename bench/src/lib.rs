//! Benchmarks of the `lightning` crate side by side with LDK 0.2 on the same work (issue 10).
//!
//! Run the whole set in release mode with one command from the workspace root:
//!
//! ```text
//! cargo run --release -p bench            # the full run
//! cargo run --release -p bench -- --quick # a smoke run of a few iterations (seconds)
//! cargo run --release -p bench -- --help  # iterations, sizes, --only
//! ```
//!
//! Each workload runs ours and LDK alternately in one process and prints, per figure, the
//! median and spread (p10, p90) of each and the ratio (oriented so that above 1 means ours is
//! better), as plain text and then as one JSON line (a line starting with `{`).
//!
//! Layout: [`ours`] and [`ldk_pair`] build two nodes with a ready channel for each library,
//! wired by direct calls; [`workloads`] has one module per workload; [`stats`] summarises and
//! prints; [`config`] reads the command line.

#![deny(missing_docs)]

pub mod chain;
pub mod config;
pub mod fs;
pub mod graph_gen;
pub mod ldk_pair;
pub mod ours;
pub mod stats;
pub mod workloads;
