//! The payment batch: random pairs and amounts from a fixed seed, each routed by the payer's
//! default router over its gossip graph, with retries; plus the disturbances that make some
//! first routes fail (a drained channel, a node gone offline for a while).

use lightning::manager::{PaymentFailureReason, Retry, SendError};
use lightning::routing::{
    find_route, FindRouteError, InFlightHtlcs, LiquidityScorer, RouteParameters, ScorerConfig,
};
use lightning::testkit::network::{Network, PayError};

/// How many payments the batch sends.
pub const PAYMENT_COUNT: usize = 60;
/// How many new routes a payment may try after its first.
pub const RETRIES: u32 = 4;

/// A small deterministic generator (xorshift64*), so the same run every time.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..bound` (bound > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// What the batch did.
#[derive(Debug, Default)]
pub struct BatchStats {
    pub sent: usize,
    pub succeeded: usize,
    pub failed: usize,
    /// Payments that needed more than one route.
    pub retried_payments: usize,
    /// New routes tried after a first one failed (over all payments).
    pub retries: u32,
    pub fees_msat: u64,
    pub amount_msat: u64,
    pub hops: Vec<usize>,
    /// Why payments failed, with how many.
    pub failure_reasons: Vec<(String, usize)>,
}

impl BatchStats {
    fn record_failure(&mut self, reason: String) {
        self.failed += 1;
        match self.failure_reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, count)) => *count += 1,
            None => self.failure_reasons.push((reason, 1)),
        }
    }
}

/// A short name for why a payment failed.
fn failure_name(error: &PayError) -> String {
    match error {
        PayError::Send(SendError::RouteNotFound(FindRouteError::InsufficientLiquidity)) => {
            "no route with the capacity".to_string()
        }
        PayError::Send(SendError::RouteNotFound(_)) => "no route".to_string(),
        PayError::Send(err) => format!("not sent ({err})"),
        PayError::Failed(reason) => match **reason {
            PaymentFailureReason::RouteNotFound => "no route left after a failed one".to_string(),
            PaymentFailureReason::RetriesExhausted => "retries exhausted".to_string(),
            ref other => format!("{other:?}")
                .split([' ', '{', '('])
                .next()
                .unwrap_or("failed")
                .to_string(),
        },
        PayError::NotClaimable => "never reached the payee".to_string(),
        PayError::NoOutcome => "no outcome".to_string(),
    }
}

/// Sends `count` payments one after the other, between random distinct pairs of `nodes`
/// with amounts between 1,000 and 400,000 sat (most small). `script(net, i)` runs before
/// payment `i`: it may disturb the network (take a node offline, bring it back) and may
/// return `(from, to, amount_msat)` to send instead of the random payment.
pub fn run_batch(
    net: &mut Network,
    nodes: &[usize],
    count: usize,
    rng: &mut Rng,
    mut script: impl FnMut(&mut Network, usize) -> Option<(usize, usize, u64)>,
) -> BatchStats {
    let mut stats = BatchStats::default();
    for i in 0..count {
        let from = nodes[rng.below(nodes.len() as u64) as usize];
        let mut to = nodes[rng.below(nodes.len() as u64) as usize];
        while to == from {
            to = nodes[rng.below(nodes.len() as u64) as usize];
        }
        // Log-uniform-ish: 1k, 10k or 100k sat scale, times 1..4.
        let scale = [1_000u64, 10_000, 100_000][rng.below(3) as usize];
        let amount_msat = scale * (1 + rng.below(4)) * 1_000;
        let (from, to, amount_msat) = script(net, i).unwrap_or((from, to, amount_msat));
        pay_one(net, &mut stats, from, to, amount_msat);
    }
    stats
}

/// Pays `amount_msat` from `from` to `to` over a routed path (with retries) and counts the
/// outcome in `stats`.
pub fn pay_one(
    net: &mut Network,
    stats: &mut BatchStats,
    from: usize,
    to: usize,
    amount_msat: u64,
) {
    stats.sent += 1;
    let verbose = std::env::var_os("SIMNET_VERBOSE").is_some();
    let attempts = match net.pay_routed(from, to, amount_msat, Retry::Attempts(RETRIES)) {
        Ok(outcome) => {
            stats.succeeded += 1;
            stats.fees_msat += outcome.fee_paid_msat;
            stats.amount_msat += amount_msat;
            stats.hops.push(outcome.hops());
            if verbose {
                let via: Vec<String> = outcome.paths[0]
                    .hops
                    .iter()
                    .filter_map(|hop| net.index_of(&hop.node_id))
                    .map(|index| index.to_string())
                    .collect();
                eprintln!(
                    "  {from:>2} -> {to:>2} {:>7} sat: paid over {}, fee {} msat, {} attempt(s)",
                    amount_msat / 1_000,
                    via.join("-"),
                    outcome.fee_paid_msat,
                    outcome.attempts
                );
            }
            outcome.attempts
        }
        Err(err) => {
            if verbose {
                eprintln!(
                    "  {from:>2} -> {to:>2} {:>7} sat: {err}",
                    amount_msat / 1_000
                );
            }
            stats.record_failure(failure_name(&err.error));
            err.attempts
        }
    };
    let retries = attempts.saturating_sub(1);
    stats.retries += retries;
    if retries > 0 {
        stats.retried_payments += 1;
    }
}

/// Drains, behind the payer's back, the second channel of the route its router would pick
/// for `amount_msat` to `to` (a channel between two other nodes, whose balance the payer
/// cannot see): its first attempt fails there and it must retry over another route.
/// Returns the drained channel's ends, or `None` if the route has a single hop.
pub fn drain_ahead(
    net: &mut Network,
    from: usize,
    to: usize,
    amount_msat: u64,
) -> Option<(usize, usize)> {
    let payer = net.node(from).node_id();
    let mut params = RouteParameters::new(
        net.node(to).node_id(),
        amount_msat,
        net.node(to).manager().config().min_final_cltv_expiry_delta,
    );
    params.max_path_count = 1;
    let fresh = LiquidityScorer::new(ScorerConfig::default());
    let scorer = net.scorer(from).unwrap_or(&fresh);
    let first_hops = net.node(from).manager().first_hops();
    let route = find_route(
        net.node(from).graph(),
        scorer,
        &payer,
        &params,
        &first_hops,
        &InFlightHtlcs::new(),
        net.now(),
    )
    .ok()?;
    let hops = &route.paths.first()?.hops;
    let (a, b) = (
        net.index_of(&hops.first()?.node_id)?,
        net.index_of(&hops.get(1)?.node_id)?,
    );
    let outbound = net
        .node(a)
        .channels()
        .iter()
        .find(|channel| channel.counterparty_node_id == hops[1].node_id)
        .map(|channel| channel.outbound_capacity_msat)?;
    // Leave less than the payment needs.
    let keep = amount_msat / 2;
    net.pay(a, b, outbound.checked_sub(keep)?).ok()?;
    Some((a, b))
}
