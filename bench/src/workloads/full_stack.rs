//! Workload 2: sequential payments through the real stack (BOLT 8 transport through the
//! `PeerManager`, filesystem persistence with fsync). Pending: it needs our filesystem
//! store. When it lands, this module builds both pairs with their transports and stores and
//! times the same payments as [`super::sequential`].

use crate::config::Config;
use crate::stats::Report;

/// The workload's name.
pub const NAME: &str = "full_stack_payments";

/// Reports the workload as pending.
pub fn run(_config: &Config) -> Report {
    Report::pending(
        NAME,
        "not yet: needs our filesystem store with fsync (the persist issue) to compare with \
         LDK's FilesystemStore",
    )
}
