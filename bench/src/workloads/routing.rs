//! Workload 5: routing on a synthetic mainnet-sized graph (about 15,000 nodes and 60,000
//! channels, generated from a seed), 1,000 random queries, median and p99 time per route and
//! the total fee of the routes found. Pending: it needs our router and pathfinder (the
//! routing issue). When they land, this module generates the graph once, loads it into both
//! routers and times the same queries.

use crate::config::Config;
use crate::stats::Report;

/// The workload's name.
pub const NAME: &str = "routing";

/// Reports the workload as pending.
pub fn run(_config: &Config) -> Report {
    Report::pending(
        NAME,
        "not yet: needs our NetworkGraph and pathfinder (the routing issue)",
    )
}
