//! The command line: how many repetitions and how big each one is.

use std::fmt;

use crate::stats::Clock;

/// How much work each workload does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Measured repetitions per library and workload.
    pub reps: usize,
    /// Unmeasured repetitions before the measured ones.
    pub warmup: usize,
    /// Payments per repetition of the sequential workload.
    pub sequential_payments: usize,
    /// Payments per repetition of the full-stack workload (each update fsync'd).
    pub stack_payments: usize,
    /// Nodes of the routing workload's synthetic graph.
    pub routing_nodes: usize,
    /// Channels of the routing workload's synthetic graph.
    pub routing_channels: usize,
    /// Route queries of the routing workload.
    pub routing_queries: usize,
    /// Payments started at once in the in-flight workload.
    pub in_flight: usize,
    /// The amount of each payment.
    pub amount_msat: u64,
    /// Messages per repetition of the transport workload.
    pub transport_messages: usize,
    /// Operations per repetition of the secp256k1 micro-benchmark.
    pub secp_ops: usize,
    /// Payments measured by the cost workload.
    pub cost_payments: usize,
    /// Run only the workloads whose name contains one of these (all when empty).
    pub only: Vec<String>,
    /// What is timed: wall-clock time unless `--cpu-time`.
    pub clock: Clock,
}

impl Config {
    /// The full run.
    pub fn full() -> Config {
        Config {
            reps: 15,
            warmup: 2,
            sequential_payments: 200,
            stack_payments: 10,
            routing_nodes: 15_000,
            routing_channels: 60_000,
            routing_queries: 1_000,
            in_flight: 100,
            amount_msat: 10_000,
            transport_messages: 500,
            secp_ops: 2_000,
            cost_payments: 100,
            only: Vec::new(),
            clock: Clock::Wall,
        }
    }

    /// A smoke run of a few iterations (seconds; for CI).
    pub fn quick() -> Config {
        Config {
            reps: 3,
            warmup: 1,
            sequential_payments: 10,
            stack_payments: 4,
            routing_nodes: 500,
            routing_channels: 2_000,
            routing_queries: 50,
            in_flight: 20,
            amount_msat: 10_000,
            transport_messages: 20,
            secp_ops: 50,
            cost_payments: 10,
            only: Vec::new(),
            clock: Clock::Wall,
        }
    }

    /// Whether workload `name` runs.
    pub fn selected(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|only| name.contains(only.as_str()))
    }

    /// Parses the arguments (without the program name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Config, ArgsError> {
        let args: Vec<String> = args.into_iter().collect();
        let mut config = if args.iter().any(|a| a == "--quick") {
            Config::quick()
        } else {
            Config::full()
        };
        let mut iter = args.into_iter();
        while let Some(arg) = iter.next() {
            let mut value = |name: &str| -> Result<u64, ArgsError> {
                let text = iter
                    .next()
                    .ok_or_else(|| ArgsError::MissingValue(name.to_string()))?;
                text.parse()
                    .map_err(|_| ArgsError::NotANumber(name.to_string(), text))
            };
            match arg.as_str() {
                "--quick" => {}
                "--cpu-time" => config.clock = Clock::ThreadCpu,
                "--reps" => config.reps = value("--reps")?.max(1) as usize,
                "--warmup" => config.warmup = value("--warmup")? as usize,
                "--payments" => config.sequential_payments = value("--payments")?.max(1) as usize,
                "--stack-payments" => {
                    config.stack_payments = value("--stack-payments")?.max(1) as usize
                }
                "--routing-nodes" => {
                    config.routing_nodes = value("--routing-nodes")?.max(3) as usize
                }
                "--routing-channels" => {
                    config.routing_channels = value("--routing-channels")?.max(2) as usize
                }
                "--queries" => config.routing_queries = value("--queries")?.max(1) as usize,
                "--in-flight" => config.in_flight = value("--in-flight")?.max(1) as usize,
                "--amount-msat" => config.amount_msat = value("--amount-msat")?.max(1),
                "--messages" => config.transport_messages = value("--messages")?.max(1) as usize,
                "--secp-ops" => config.secp_ops = value("--secp-ops")?.max(1) as usize,
                "--cost-payments" => {
                    config.cost_payments = value("--cost-payments")?.max(1) as usize
                }
                "--only" => {
                    let list = iter
                        .next()
                        .ok_or_else(|| ArgsError::MissingValue("--only".to_string()))?;
                    config.only = list.split(',').map(str::to_string).collect();
                }
                "--help" | "-h" => return Err(ArgsError::Help),
                _ => return Err(ArgsError::Unknown(arg)),
            }
        }
        Ok(config)
    }
}

/// The usage text.
pub const USAGE: &str = "\
usage: cargo run --release -p bench -- [options]
  --quick              a smoke run of a few iterations (seconds)
  --reps N             measured repetitions per library and workload (default 15)
  --warmup N           unmeasured repetitions first (default 2)
  --payments N         payments per repetition, sequential workload (default 200)
  --stack-payments N   payments per repetition, full-stack workload (default 10)
  --routing-nodes N    nodes of the synthetic graph, routing workload (default 15000)
  --routing-channels N channels of the synthetic graph, routing workload (default 60000)
  --queries N          route queries, routing workload (default 1000)
  --in-flight N        payments started at once, in-flight workload (default 100)
  --amount-msat N      amount of each payment (default 10000)
  --messages N         65535-byte messages per repetition, transport workload (default 500)
  --secp-ops N         operations per repetition, secp256k1 micro-benchmark (default 2000)
  --cost-payments N    payments counted by the cost workload (default 100)
  --only a,b           run only the workloads whose name contains a or b
  --cpu-time           time with the thread's CPU time (Linux) instead of the wall clock,
                       for a loaded machine
Output: a plain-text block per workload, then one JSON line per workload (lines starting with '{').";

/// A command line that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsError {
    /// `--help` was asked for.
    Help,
    /// An option without its value.
    MissingValue(String),
    /// An option whose value is not a number.
    NotANumber(String, String),
    /// An unknown argument.
    Unknown(String),
}

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgsError::Help => write!(f, "help requested"),
            ArgsError::MissingValue(name) => write!(f, "{name} needs a value"),
            ArgsError::NotANumber(name, text) => write!(f, "{name}: {text:?} is not a number"),
            ArgsError::Unknown(arg) => write!(f, "unknown argument {arg:?}"),
        }
    }
}

impl std::error::Error for ArgsError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, ArgsError> {
        Config::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn quick_then_overrides() {
        let config = parse(&["--reps", "7", "--quick", "--only", "secp,transport"]).expect("ok");
        assert_eq!(config.reps, 7);
        assert_eq!(
            config.sequential_payments,
            Config::quick().sequential_payments
        );
        assert!(config.selected("secp256k1") && !config.selected("sequential_payments"));
        assert_eq!(config.clock, Clock::Wall);
        assert_eq!(parse(&["--cpu-time"]).expect("ok").clock, Clock::ThreadCpu);
    }

    #[test]
    fn bad_arguments() {
        assert_eq!(
            parse(&["--reps"]),
            Err(ArgsError::MissingValue("--reps".into()))
        );
        assert!(matches!(
            parse(&["--reps", "x"]),
            Err(ArgsError::NotANumber(..))
        ));
        assert!(matches!(parse(&["--bogus"]), Err(ArgsError::Unknown(_))));
    }
}
