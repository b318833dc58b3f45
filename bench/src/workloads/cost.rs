//! Workload 6: cost per payment. Sequential payments (as in workload 1) with counting plugs:
//! for ours, a signer wrapper counts signatures made and verified (and ECDH, per-commitment
//! points), and every monitor update is encoded to count its bytes; for LDK, a `Persist`
//! implementation encodes each `ChannelMonitorUpdate` (and the full monitor it comes with)
//! and a wrapper around its `InMemorySigner` counts signatures made.
//! Figures are per payment, both nodes together, one sample per payment.

use crate::config::Config;
use crate::ldk_pair::LdkPair;
use crate::ours::OursPair;
use crate::stats::{Direction, Figure, Report};

/// The workload's name.
pub const NAME: &str = "cost_per_payment";

const LDK_VERIFIED: &str =
    "LDK checks the peer's signatures in its channel code, not through its signer";
const LDK_NOT_COUNTED: &str = "not counted for LDK (would need a wrapper around its NodeSigner)";

#[derive(Default)]
struct OursSamples {
    update_bytes: Vec<f64>,
    updates: Vec<f64>,
    signatures_made: Vec<f64>,
    signatures_verified: Vec<f64>,
    ecdh: Vec<f64>,
    points: Vec<f64>,
}

#[derive(Default)]
struct LdkSamples {
    update_bytes: Vec<f64>,
    updates: Vec<f64>,
    full_monitor_bytes: Vec<f64>,
    signatures_made: Vec<f64>,
    points: Vec<f64>,
}

fn measure_ours(config: &Config) -> OursSamples {
    let mut pair = OursPair::new(true, 483);
    for i in 0..config.warmup.max(1) * 2 {
        pair.pay(i % 2, 1, config.amount_msat);
    }
    let mut samples = OursSamples::default();
    for i in 0..config.cost_payments {
        let before = pair.counts();
        pair.pay(i % 2, 1, config.amount_msat);
        let after = pair.counts();
        let signer = after.signer.since(&before.signer);
        samples
            .update_bytes
            .push((after.monitor_update_bytes - before.monitor_update_bytes) as f64);
        samples
            .updates
            .push((after.monitor_updates - before.monitor_updates) as f64);
        samples.signatures_made.push(signer.signatures_made as f64);
        samples
            .signatures_verified
            .push(signer.signatures_verified as f64);
        samples.ecdh.push(signer.ecdh as f64);
        samples.points.push(signer.points as f64);
    }
    samples
}

fn measure_ldk(config: &Config) -> LdkSamples {
    let mut pair = LdkPair::new(true, 483);
    for i in 0..config.warmup.max(1) * 2 {
        pair.pay(i % 2, 1, config.amount_msat);
    }
    let mut samples = LdkSamples::default();
    for i in 0..config.cost_payments {
        let before = pair.counts();
        pair.pay(i % 2, 1, config.amount_msat);
        let after = pair.counts();
        samples
            .update_bytes
            .push((after.monitor_update_bytes - before.monitor_update_bytes) as f64);
        samples
            .updates
            .push((after.monitor_updates - before.monitor_updates) as f64);
        samples
            .full_monitor_bytes
            .push((after.full_monitor_bytes - before.full_monitor_bytes) as f64);
        samples
            .signatures_made
            .push((after.signatures_made - before.signatures_made) as f64);
        samples.points.push((after.points - before.points) as f64);
    }
    samples
}

/// Runs the workload.
pub fn run(config: &Config) -> Report {
    let ours = measure_ours(config);
    let ldk = measure_ldk(config);
    let lower = Direction::LowerIsBetter;
    Report {
        workload: NAME.to_string(),
        description: format!(
            "{} sequential payments of {} msat, counted per payment over both nodes",
            config.cost_payments, config.amount_msat
        ),
        figures: vec![
            Figure::both(
                "monitor update bytes/payment",
                lower,
                ours.update_bytes.clone(),
                ldk.update_bytes,
            ),
            Figure::both("monitor updates/payment", lower, ours.updates, ldk.updates),
            Figure::both(
                "bytes/payment if whole monitors are rewritten on each update \
                 (ours: deltas only)",
                lower,
                ours.update_bytes,
                ldk.full_monitor_bytes,
            ),
            Figure::both(
                "signatures made/payment",
                lower,
                ours.signatures_made,
                ldk.signatures_made,
            ),
            Figure::ours_only(
                "signatures verified/payment",
                lower,
                ours.signatures_verified,
                LDK_VERIFIED,
            ),
            Figure::ours_only("node ECDH/payment", lower, ours.ecdh, LDK_NOT_COUNTED),
            Figure::both(
                "per-commitment points derived/payment",
                lower,
                ours.points,
                ldk.points,
            ),
        ],
        pending: None,
    }
}
