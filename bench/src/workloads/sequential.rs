//! Workload 1: sequential payments. Two nodes in one process, one channel; payments go A→B
//! then B→A, each fully settled (add, commitment dance, fulfil, commitment dance) before the
//! next. Ours and LDK are wired the same way: direct handler calls, monitor updates completed
//! at once.

use crate::config::Config;
use crate::ldk_pair::LdkPair;
use crate::ours::OursPair;
use crate::stats::{per_second, time, Direction, Figure, Report};
use crate::workloads::alternate;

/// The workload's name.
pub const NAME: &str = "sequential_payments";

/// Runs the workload.
pub fn run(config: &Config) -> Report {
    let mut ours = OursPair::new(false, 483);
    let mut ldk = LdkPair::new(false, 483);
    let n = config.sequential_payments;
    let amount = config.amount_msat;
    let (ours_samples, ldk_samples) = alternate(
        config,
        || {
            let (elapsed, ()) = time(config.clock, || {
                for i in 0..n {
                    ours.pay(i % 2, 1, amount);
                }
            });
            per_second(n as u64, elapsed)
        },
        || {
            let (elapsed, ()) = time(config.clock, || {
                for i in 0..n {
                    ldk.pay(i % 2, 1, amount);
                }
            });
            per_second(n as u64, elapsed)
        },
    );
    Report {
        workload: NAME.to_string(),
        description: format!(
            "{n} payments of {amount} msat per repetition, alternating A->B and B->A, each \
             settled before the next"
        ),
        figures: vec![Figure::both(
            "payments/s",
            Direction::HigherIsBetter,
            ours_samples,
            ldk_samples,
        )],
        pending: None,
    }
}
