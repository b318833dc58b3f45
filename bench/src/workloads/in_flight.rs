//! Workload 3: payments in flight. N payments are started at once from one node to the other
//! (their HTLCs go out in batched commitments), all are claimed together, then N go back the
//! other way.

use crate::config::Config;
use crate::ldk_pair::LdkPair;
use crate::ours::OursPair;
use crate::stats::{per_second, time, Direction, Figure, Report};
use crate::workloads::alternate;

/// The workload's name.
pub const NAME: &str = "payments_in_flight";

/// Runs the workload.
pub fn run(config: &Config) -> Report {
    let n = config.in_flight;
    let amount = config.amount_msat;
    let max_htlcs = n.clamp(50, 483) as u16;
    let mut ours = OursPair::new(false, max_htlcs);
    let mut ldk = LdkPair::new(false, max_htlcs);
    let (ours_samples, ldk_samples) = alternate(
        config,
        || {
            let (elapsed, ()) = time(config.clock, || {
                ours.pay(0, n, amount);
                ours.pay(1, n, amount);
            });
            per_second(2 * n as u64, elapsed)
        },
        || {
            let (elapsed, ()) = time(config.clock, || {
                ldk.pay(0, n, amount);
                ldk.pay(1, n, amount);
            });
            per_second(2 * n as u64, elapsed)
        },
    );
    Report {
        workload: NAME.to_string(),
        description: format!(
            "per repetition: {n} payments of {amount} msat started at once A->B, claimed \
             together and settled, then {n} B->A"
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
