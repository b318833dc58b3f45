//! Workload 2: sequential payments (the shape of [`super::sequential`]) through the real
//! stack of each library, in one process:
//! - transport: BOLT 8 through each library's peer manager, the bytes moved in memory between
//!   the two (ours: `lightning::peer::PeerManager` with the `ChannelManager` as handler; LDK:
//!   its `PeerManager` over an in-memory `SocketDescriptor`);
//! - persistence: every monitor update written to the filesystem with fsync before the
//!   channel goes on (ours: `ChainMonitor` → `MonitorUpdatingPersister` → `FilesystemStore`;
//!   LDK: `ChainMonitor` → its `MonitorUpdatingPersister` → a `KVStoreSync` over files that
//!   writes the way ours does: temporary file, fsync, rename, fsync of the directory). Both
//!   write a full monitor every 100th update and deltas in between. The channel managers
//!   themselves are not persisted on either side.
//!
//! Reports payments per second, and bytes and values written to the stores per payment.

use crate::config::Config;
use crate::ldk_pair::LdkPair;
use crate::ours::stack::UPDATES_BETWEEN_FULL_WRITES;
use crate::ours::OursPair;
use crate::stats::{per_second, time, Direction, Figure, Report};
use crate::workloads::alternate;

/// The workload's name.
pub const NAME: &str = "full_stack_payments";

/// Per repetition: payments/s, bytes written per payment, values written per payment.
#[derive(Default)]
struct Samples {
    rate: Vec<f64>,
    bytes: Vec<f64>,
    writes: Vec<f64>,
}

impl Samples {
    fn push(
        &mut self,
        n: usize,
        elapsed: std::time::Duration,
        before: (u64, u64),
        after: (u64, u64),
    ) -> f64 {
        let rate = per_second(n as u64, elapsed);
        self.rate.push(rate);
        self.bytes.push((after.0 - before.0) as f64 / n as f64);
        self.writes.push((after.1 - before.1) as f64 / n as f64);
        rate
    }
}

/// Runs the workload.
pub fn run(config: &Config) -> Report {
    let mut ours = OursPair::new_full_stack(483);
    let mut ldk = LdkPair::new_full_stack(483);
    let n = config.stack_payments;
    let amount = config.amount_msat;
    let mut ours_samples = Samples::default();
    let mut ldk_samples = Samples::default();
    // `alternate` runs warm-up repetitions first; only the measured ones are kept.
    let (_, _) = alternate(
        config,
        || {
            let before = ours.written();
            let (elapsed, ()) = time(config.clock, || {
                for i in 0..n {
                    ours.pay(i % 2, 1, amount);
                }
            });
            let after = ours.written();
            ours_samples.push(n, elapsed, before, after)
        },
        || {
            let before = ldk.written();
            let (elapsed, ()) = time(config.clock, || {
                for i in 0..n {
                    ldk.pay(i % 2, 1, amount);
                }
            });
            let after = ldk.written();
            ldk_samples.push(n, elapsed, before, after)
        },
    );
    let warm = config.warmup;
    for samples in [&mut ours_samples, &mut ldk_samples] {
        samples.rate.drain(..warm);
        samples.bytes.drain(..warm);
        samples.writes.drain(..warm);
    }
    let lower = Direction::LowerIsBetter;
    Report {
        workload: NAME.to_string(),
        description: format!(
            "{n} payments of {amount} msat per repetition, alternating A->B and B->A, each \
             settled before the next, over BOLT 8 peer managers with every monitor update \
             fsync'd to files (full monitor every {UPDATES_BETWEEN_FULL_WRITES} updates)"
        ),
        figures: vec![
            Figure::both(
                "payments/s",
                Direction::HigherIsBetter,
                ours_samples.rate,
                ldk_samples.rate,
            ),
            Figure::both(
                "bytes written/payment",
                lower,
                ours_samples.bytes,
                ldk_samples.bytes,
            ),
            Figure::both(
                "values written (fsync'd)/payment",
                lower,
                ours_samples.writes,
                ldk_samples.writes,
            ),
        ],
        pending: None,
    }
}
