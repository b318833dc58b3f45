//! The summary the program prints, and the checks behind its exit code.

use std::fmt;

use crate::breach::Breach;
use crate::payments::BatchStats;

/// How far gossip spread.
#[derive(Debug, Default)]
pub struct GossipSync {
    /// The announced channels.
    pub public_channels: usize,
    /// The channels each node's graph knows (the late joiner left out).
    pub known: Vec<usize>,
    pub late_joiner: usize,
    /// The late joiner's graph before it connected, and after its sync.
    pub late_before: usize,
    pub late_after: usize,
}

/// The closes.
#[derive(Debug, Default)]
pub struct Closes {
    pub cooperative: usize,
    pub forced: usize,
    pub total: usize,
    pub confirmed: usize,
}

/// Everything the run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub nodes: usize,
    pub channels: usize,
    pub capacity_sat: u64,
    pub gossip: GossipSync,
    pub batch: BatchStats,
    pub breach: Breach,
    pub closes: Closes,
    /// Channels drained behind a payer's back just before its payment.
    pub drained: usize,
    /// `(node, hub, payments)`: a node offline from a hub for that many payments.
    pub offline: (usize, usize, usize),
    /// Wall time per phase.
    pub phases: Vec<(&'static str, f64)>,
    pub seconds: f64,
}

fn btc(sat: u64) -> String {
    format!("{:.2} BTC", sat as f64 / 100_000_000.0)
}

impl Summary {
    /// What the summary would claim but did not happen (empty when all is well).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let g = &self.gossip;
        if g.known.iter().any(|known| *known < g.public_channels) {
            problems.push(format!(
                "not every graph knows the {} public channels: {:?}",
                g.public_channels, g.known
            ));
        }
        if g.late_after < g.public_channels {
            problems.push(format!(
                "the late joiner synced only {} channels",
                g.late_after
            ));
        }
        let b = &self.batch;
        if b.succeeded == 0 {
            problems.push("no payment succeeded".to_string());
        }
        if self.drained == 0 {
            problems.push("no channel was drained ahead of a payment".to_string());
        }
        if b.retries == 0 {
            problems.push("no payment was retried".to_string());
        }
        if b.hops.iter().max().copied().unwrap_or(0) < 3 {
            problems.push("no payment crossed three hops or more".to_string());
        }
        if self.breach.justice_txs == 0 || self.breach.penalty_sat == 0 {
            problems.push("the breach was not punished".to_string());
        }
        if self.closes.confirmed != self.closes.total || self.closes.total == 0 {
            problems.push(format!(
                "{} of {} closes confirmed",
                self.closes.confirmed, self.closes.total
            ));
        }
        problems
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = &self.gossip;
        let b = &self.batch;
        writeln!(f, "simnet summary")?;
        writeln!(f, "  nodes:     {}", self.nodes)?;
        writeln!(
            f,
            "  channels:  {} ({} public, {} total capacity)",
            self.channels,
            g.public_channels,
            btc(self.capacity_sat)
        )?;
        let complete = g
            .known
            .iter()
            .filter(|known| **known >= g.public_channels)
            .count();
        writeln!(
            f,
            "  gossip:    {complete}/{} graphs know all {} public channels",
            g.known.len(),
            g.public_channels
        )?;
        writeln!(
            f,
            "             late joiner (node {}) synced {} -> {} channels through gossip queries",
            g.late_joiner, g.late_before, g.late_after
        )?;
        let rate = match b.sent {
            0 => 0.0,
            sent => 100.0 * b.succeeded as f64 / sent as f64,
        };
        writeln!(
            f,
            "  payments:  {} sent, {} succeeded, {} failed",
            b.sent, b.succeeded, b.failed
        )?;
        writeln!(f, "  success:   {rate:.1}%")?;
        writeln!(
            f,
            "  retries:   {} ({} payments needed more than one route)",
            b.retries, b.retried_payments
        )?;
        writeln!(
            f,
            "             {} channels drained behind the payer's back; node {} offline from node {} for {} payments",
            self.drained, self.offline.0, self.offline.1, self.offline.2
        )?;
        if !b.failure_reasons.is_empty() {
            let reasons: Vec<String> = b
                .failure_reasons
                .iter()
                .map(|(r, n)| format!("{r} x{n}"))
                .collect();
            writeln!(f, "  failures:  {}", reasons.join(", "))?;
        }
        writeln!(
            f,
            "  fees:      {} sat on {} sat delivered",
            b.fees_msat / 1_000,
            b.amount_msat / 1_000
        )?;
        let average = match b.hops.len() {
            0 => 0.0,
            n => b.hops.iter().sum::<usize>() as f64 / n as f64,
        };
        writeln!(
            f,
            "  hops:      average {average:.2}, max {}",
            b.hops.iter().max().copied().unwrap_or(0)
        )?;
        let br = &self.breach;
        writeln!(
            f,
            "  breach:    node {} broadcast a revoked commitment; node {}'s monitor caught it",
            br.cheater, br.victim
        )?;
        writeln!(f, "             penalty {} sat taken from the cheater ({} sat of its own swept too, {} txs)", br.penalty_sat, br.own_sat, br.justice_txs)?;
        writeln!(
            f,
            "  closes:    {} cooperative, {} forced, {}/{} confirmed",
            self.closes.cooperative, self.closes.forced, self.closes.confirmed, self.closes.total
        )?;
        let phases: Vec<String> = self
            .phases
            .iter()
            .map(|(name, secs)| format!("{name} {secs:.2}"))
            .collect();
        writeln!(
            f,
            "  time:      {:.2} s ({})",
            self.seconds,
            phases.join(", ")
        )
    }
}
