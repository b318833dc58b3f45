//! One module per workload of issue 10. Each `run` takes the [`Config`] and returns a
//! [`Report`]; workloads that wait for a feature return [`Report::pending`].

pub mod cost;
pub mod full_stack;
pub mod in_flight;
pub mod routing;
pub mod secp;
pub mod sequential;
pub mod transport;

use crate::config::Config;
use crate::stats::Report;

/// A workload: its name (for `--only`) and how to run it.
pub struct Workload {
    /// The name printed and matched by `--only`.
    pub name: &'static str,
    /// Runs it.
    pub run: fn(&Config) -> Report,
}

/// Every workload, in the order of issue 10, then the secp256k1 micro-benchmark.
pub const ALL: &[Workload] = &[
    Workload {
        name: sequential::NAME,
        run: sequential::run,
    },
    Workload {
        name: full_stack::NAME,
        run: full_stack::run,
    },
    Workload {
        name: in_flight::NAME,
        run: in_flight::run,
    },
    Workload {
        name: transport::NAME,
        run: transport::run,
    },
    Workload {
        name: routing::NAME,
        run: routing::run,
    },
    Workload {
        name: cost::NAME,
        run: cost::run,
    },
    Workload {
        name: secp::NAME,
        run: secp::run,
    },
];

/// Runs `warmup` unmeasured then `reps` measured repetitions of both sides, alternating
/// which goes first, and returns the samples of each (whatever each closure returns).
pub fn alternate(
    config: &Config,
    mut ours: impl FnMut() -> f64,
    mut theirs: impl FnMut() -> f64,
) -> (Vec<f64>, Vec<f64>) {
    for _ in 0..config.warmup {
        ours();
        theirs();
    }
    let mut ours_samples = Vec::with_capacity(config.reps);
    let mut their_samples = Vec::with_capacity(config.reps);
    for rep in 0..config.reps {
        if rep % 2 == 0 {
            ours_samples.push(ours());
            their_samples.push(theirs());
        } else {
            their_samples.push(theirs());
            ours_samples.push(ours());
        }
    }
    (ours_samples, their_samples)
}
