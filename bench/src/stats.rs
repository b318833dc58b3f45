//! Samples, their summary (median and spread) and the report of one workload as plain text and
//! as one JSON line.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Whether a bigger figure is better (a throughput) or a smaller one (a time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Throughput: payments/s, GB/s, ops/s.
    HigherIsBetter,
    /// Cost: bytes, signatures, microseconds.
    LowerIsBetter,
}

/// The summary of a set of samples.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    /// The median.
    pub median: f64,
    /// The 10th percentile (nearest rank).
    pub p10: f64,
    /// The 90th percentile (nearest rank).
    pub p90: f64,
    /// The smallest sample.
    pub min: f64,
    /// The largest sample.
    pub max: f64,
    /// How many samples.
    pub n: usize,
}

impl Summary {
    /// Summarises `samples`; `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Summary> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let rank = |p: f64| sorted[((p * (n - 1) as f64).round() as usize).min(n - 1)];
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Summary {
            median,
            p10: rank(0.10),
            p90: rank(0.90),
            min: sorted[0],
            max: sorted[n - 1],
            n,
        })
    }

    fn json(&self) -> String {
        format!(
            "{{\"median\":{},\"p10\":{},\"p90\":{},\"min\":{},\"max\":{},\"n\":{}}}",
            num(self.median),
            num(self.p10),
            num(self.p90),
            num(self.min),
            num(self.max),
            self.n
        )
    }

    fn text(&self) -> String {
        format!(
            "median {:>12}  p10 {:>12}  p90 {:>12}  (n={})",
            human(self.median),
            human(self.p10),
            human(self.p90),
            self.n
        )
    }
}

/// A JSON number (finite; JSON has no NaN or infinity).
fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.4}")
    } else {
        "null".to_string()
    }
}

/// A figure with a sensible number of digits.
fn human(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.4}")
    }
}

/// One line of a workload's result: one measured figure for ours and for what we compare
/// against (LDK, or a raw primitive), where it does the same work.
#[derive(Clone, Debug)]
pub struct Figure {
    /// What is measured, e.g. "payments/s".
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// Our samples.
    pub ours: Vec<f64>,
    /// What we compare against: "ldk" unless set otherwise.
    pub against: String,
    /// Its samples (empty when it does not do this or it cannot be measured).
    pub theirs: Vec<f64>,
    /// Why the other side has no figure, when it has none.
    pub theirs_missing: Option<String>,
}

impl Figure {
    /// A figure measured for both libraries.
    pub fn both(unit: &str, direction: Direction, ours: Vec<f64>, ldk: Vec<f64>) -> Figure {
        Figure {
            unit: unit.to_string(),
            direction,
            ours,
            against: "ldk".to_string(),
            theirs: ldk,
            theirs_missing: None,
        }
    }

    /// A figure compared against something other than LDK (e.g. a raw primitive).
    pub fn against(
        unit: &str,
        direction: Direction,
        ours: Vec<f64>,
        against: &str,
        theirs: Vec<f64>,
    ) -> Figure {
        Figure {
            against: against.to_string(),
            ..Figure::both(unit, direction, ours, theirs)
        }
    }

    /// A figure measured only for ours, with the reason LDK has none.
    pub fn ours_only(unit: &str, direction: Direction, ours: Vec<f64>, why: &str) -> Figure {
        Figure {
            unit: unit.to_string(),
            direction,
            ours,
            against: "ldk".to_string(),
            theirs: Vec::new(),
            theirs_missing: Some(why.to_string()),
        }
    }

    /// Ours relative to LDK, oriented so that above 1 means ours is better.
    pub fn ratio(&self) -> Option<f64> {
        let ours = Summary::of(&self.ours)?.median;
        let ldk = Summary::of(&self.theirs)?.median;
        match self.direction {
            Direction::HigherIsBetter => Some(ours / ldk),
            Direction::LowerIsBetter => Some(ldk / ours),
        }
    }
}

/// The result of one workload.
#[derive(Clone, Debug)]
pub struct Report {
    /// A short machine name, e.g. "sequential_payments".
    pub workload: String,
    /// A line saying what was done (sizes, counts).
    pub description: String,
    /// The figures, the first being the headline.
    pub figures: Vec<Figure>,
    /// Set when the workload did not run, with the reason.
    pub pending: Option<String>,
}

impl Report {
    /// A workload that cannot run yet.
    pub fn pending(workload: &str, reason: &str) -> Report {
        Report {
            workload: workload.to_string(),
            description: String::new(),
            figures: Vec::new(),
            pending: Some(reason.to_string()),
        }
    }

    /// The plain-text block of the report.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "== {} ==", self.workload);
        if let Some(reason) = &self.pending {
            let _ = writeln!(out, "  pending: {reason}");
            return out;
        }
        if !self.description.is_empty() {
            let _ = writeln!(out, "  {}", self.description);
        }
        for figure in &self.figures {
            let _ = writeln!(out, "  [{}]", figure.unit);
            match Summary::of(&figure.ours) {
                Some(s) => {
                    let _ = writeln!(out, "    {:<6} {}", "ours:", s.text());
                }
                None => {
                    let _ = writeln!(out, "    ours: -");
                }
            }
            let name = format!("{}:", figure.against);
            match (Summary::of(&figure.theirs), &figure.theirs_missing) {
                (Some(s), _) => {
                    let _ = writeln!(out, "    {name:<6} {}", s.text());
                }
                (None, Some(why)) => {
                    let _ = writeln!(out, "    {name:<6} n/a ({why})");
                }
                (None, None) => {
                    let _ = writeln!(out, "    {name:<6} -");
                }
            }
            if let Some(ratio) = figure.ratio() {
                let _ = writeln!(
                    out,
                    "    ratio ours/{} (>1 = ours better): {ratio:.3}",
                    figure.against
                );
            }
        }
        out
    }

    /// The report as one JSON line.
    pub fn json(&self) -> String {
        let mut out = format!("{{\"workload\":\"{}\"", escape(&self.workload));
        if let Some(reason) = &self.pending {
            let _ = write!(out, ",\"pending\":\"{}\"}}", escape(reason));
            return out;
        }
        let _ = write!(out, ",\"description\":\"{}\"", escape(&self.description));
        out.push_str(",\"figures\":[");
        for (i, figure) in self.figures.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let side = |samples: &[f64]| {
                Summary::of(samples)
                    .map(|s| s.json())
                    .unwrap_or_else(|| "null".to_string())
            };
            let _ = write!(
                out,
                "{{\"unit\":\"{}\",\"higher_is_better\":{},\"ours\":{},\"against\":\"{}\",\"theirs\":{},\"ratio\":{}",
                escape(&figure.unit),
                figure.direction == Direction::HigherIsBetter,
                side(&figure.ours),
                escape(&figure.against),
                side(&figure.theirs),
                figure.ratio().map(num).unwrap_or_else(|| "null".to_string()),
            );
            if let Some(why) = &figure.theirs_missing {
                let _ = write!(out, ",\"theirs_missing\":\"{}\"", escape(why));
            }
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}

/// Escapes a string for a JSON string literal.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// What a measurement's time is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Wall-clock time (`std::time::Instant`): the default.
    Wall,
    /// CPU time of the measuring thread (Linux `/proc/thread-self/schedstat`; up to one
    /// scheduler tick stale): steadier than wall time on a loaded machine.
    ThreadCpu,
}

impl Clock {
    /// Whether this clock can be read here (the thread CPU clock needs Linux's procfs).
    pub fn available(self) -> bool {
        match self {
            Clock::Wall => true,
            Clock::ThreadCpu => thread_cpu_time().is_some(),
        }
    }

    /// A short name for the report.
    pub fn name(self) -> &'static str {
        match self {
            Clock::Wall => "wall-clock time",
            Clock::ThreadCpu => "thread CPU time",
        }
    }
}

/// The CPU time the current thread has run, from `/proc/thread-self/schedstat`.
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Times `f` once on `clock`.
pub fn time<T>(clock: Clock, f: impl FnOnce() -> T) -> (Duration, T) {
    match clock {
        Clock::Wall => {
            let start = Instant::now();
            let value = f();
            (start.elapsed(), value)
        }
        Clock::ThreadCpu => {
            let start = thread_cpu_time().unwrap_or_default();
            let value = f();
            let end = thread_cpu_time().unwrap_or_default();
            (end.saturating_sub(start), value)
        }
    }
}

/// Operations per second for `count` operations in `elapsed`.
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_odd_and_even_samples() {
        let s = Summary::of(&[5.0, 1.0, 3.0]).expect("samples");
        assert_eq!((s.median, s.min, s.max, s.n), (3.0, 1.0, 5.0, 3));
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0]).expect("samples");
        assert_eq!(s.median, 2.5);
        assert!(Summary::of(&[]).is_none());
    }

    #[test]
    fn ratio_is_oriented_so_above_one_means_ours_is_better() {
        let fast = Figure::both("x/s", Direction::HigherIsBetter, vec![4.0], vec![2.0]);
        assert_eq!(fast.ratio(), Some(2.0));
        let cheap = Figure::both("bytes", Direction::LowerIsBetter, vec![2.0], vec![4.0]);
        assert_eq!(cheap.ratio(), Some(2.0));
    }

    #[test]
    fn json_line_is_one_line_and_escapes() {
        let report = Report::pending("routing", "needs \"routing\"\n");
        let line = report.json();
        assert!(!line.contains('\n'));
        assert!(line.contains("\\\"routing\\\""));
    }
}
