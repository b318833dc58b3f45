//! Workload 5: routing on a synthetic mainnet-sized graph ([`crate::graph_gen`]: 15,000 nodes
//! and 60,000 channels by default, scale-free, generated from a seed), loaded into both
//! routers, then the same random queries on both:
//! - ours: the stored form of `lightning::routing::NetworkGraph` written directly (as
//!   `lightning/tests/routing_graph_size.rs` does; no signatures to make or check) and read
//!   back with `NetworkGraph::read`; routes from `lightning::routing::find_route` (what
//!   `DefaultRouter` calls) with the default `LiquidityScorer`;
//! - LDK: its `NetworkGraph` filled with `add_channel_from_partial_announcement` and
//!   `update_channel_unsigned`; routes from `ldk::routing::router::find_route` with its default
//!   `ProbabilisticScorer` and fee parameters.
//!
//! Both get the same limits: a single path (the payee announces no features), a fee limit of
//! 1% + 50 sat (LDK's default), a total CLTV limit of 1,008 blocks (LDK's default), final
//! CLTV delta 40. The payer's own channels: LDK takes them from the graph (no first hops
//! given); our pathfinder takes them only from first hops, so it is given the payer's graph
//! channels as first hops with half their capacity as balance (built outside the timing).
//! Each query is timed on its own with the wall clock, the two sides alternating which goes
//! first.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bitcoin::constants::ChainHash as LdkChainHash;
use bitcoin::Network;
use ldk::ln::msgs::UnsignedChannelUpdate;
use ldk::routing::gossip::{NetworkGraph as LdkGraph, NodeId};
use ldk::routing::router::{
    find_route as ldk_find_route, PaymentParameters, RouteParameters as LdkRouteParameters,
};
use ldk::routing::scoring::{
    ProbabilisticScorer, ProbabilisticScoringDecayParameters, ProbabilisticScoringFeeParameters,
};
use ldk::types::features::ChannelFeatures;
use lightning::routing::{
    find_route, FirstHop, InFlightHtlcs, LiquidityScorer, NetworkGraph, RouteParameters,
};
use lightning::wire::{BigSize, ChainHash, Encode, ShortChannelId};

use crate::config::Config;
use crate::graph_gen::{Graph, Query};
use crate::ldk_pair::plugs::SilentLogger;
use crate::stats::{Direction, Figure, Report, Summary};

/// The workload's name.
pub const NAME: &str = "routing";

const GRAPH_SEED: u64 = 0x6c6e_6772_6170_6801;
const QUERY_SEED: u64 = 0x7175_6572_7900_0005;
const FINAL_CLTV_DELTA: u32 = 40;
const MAX_TOTAL_CLTV: u32 = 1_008;

/// LDK's default fee limit for a payment of `amount_msat`, used on both sides.
fn fee_limit_msat(amount_msat: u64) -> u64 {
    amount_msat / 100 + 50_000
}

fn tlv(out: &mut Vec<u8>, record_type: u64, value: &[u8]) {
    BigSize(record_type).encode(out);
    BigSize(value.len() as u64).encode(out);
    out.extend_from_slice(value);
}

/// The graph in our stored format (see `lightning::routing::graph`), without proofs.
fn our_stored_graph(graph: &Graph, now: u32) -> Vec<u8> {
    let mut nodes = (graph.keys.len() as u32).to_be_bytes().to_vec();
    for key in &graph.keys {
        nodes.extend_from_slice(&key.serialize());
        0u16.encode(&mut nodes); // no node announcement
    }
    let mut channels = (graph.channels.len() as u32).to_be_bytes().to_vec();
    for channel in &graph.channels {
        channel.scid.encode(&mut channels);
        (channel.node_one as u32).encode(&mut channels);
        (channel.node_two as u32).encode(&mut channels);
        now.encode(&mut channels);
        channel.capacity_sat.encode(&mut channels);
        channels.push(0b011); // both policies, no proof
        for policy in &channel.policies {
            policy.base_msat.encode(&mut channels);
            policy.ppm.encode(&mut channels);
            policy.htlc_minimum_msat.encode(&mut channels);
            policy.htlc_maximum_msat.encode(&mut channels);
            now.encode(&mut channels);
            policy.cltv_expiry_delta.encode(&mut channels);
            channels.push(1); // enabled
        }
    }
    let mut out = b"LNGRAPH\x01".to_vec();
    tlv(
        &mut out,
        0,
        &ChainHash::using_genesis_block(Network::Bitcoin).encode_to_vec(),
    );
    tlv(&mut out, 2, &[0]);
    tlv(&mut out, 4, &nodes);
    tlv(&mut out, 6, &channels);
    out
}

fn load_ours(graph: &Graph, now: u32) -> (NetworkGraph, Duration) {
    let started = Instant::now();
    let bytes = our_stored_graph(graph, now);
    let loaded = NetworkGraph::read(&bytes).expect("ours: the synthetic graph reads back");
    let elapsed = started.elapsed();
    assert_eq!(
        loaded.channel_count(),
        graph.channels.len(),
        "ours: channels lost"
    );
    (loaded, elapsed)
}

fn load_ldk(graph: &Graph, now: u32) -> (LdkGraph<Arc<SilentLogger>>, Duration) {
    let started = Instant::now();
    let loaded = LdkGraph::new(Network::Bitcoin, Arc::new(SilentLogger));
    let chain_hash = LdkChainHash::using_genesis_block(Network::Bitcoin);
    for channel in &graph.channels {
        loaded
            .add_channel_from_partial_announcement(
                channel.scid,
                Some(channel.capacity_sat),
                u64::from(now),
                ChannelFeatures::empty(),
                NodeId::from_pubkey(&graph.keys[channel.node_one]),
                NodeId::from_pubkey(&graph.keys[channel.node_two]),
            )
            .expect("ldk: channel added");
        for (direction, policy) in channel.policies.iter().enumerate() {
            let update = UnsignedChannelUpdate {
                chain_hash,
                short_channel_id: channel.scid,
                timestamp: now,
                message_flags: 1, // must_be_one
                channel_flags: direction as u8,
                cltv_expiry_delta: policy.cltv_expiry_delta,
                htlc_minimum_msat: policy.htlc_minimum_msat,
                htlc_maximum_msat: policy.htlc_maximum_msat,
                fee_base_msat: policy.base_msat,
                fee_proportional_millionths: policy.ppm,
                excess_data: Vec::new(),
            };
            loaded
                .update_channel_unsigned(&update)
                .expect("ldk: channel update applied");
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(
        loaded.read_only().channels().len(),
        graph.channels.len(),
        "ldk: channels lost"
    );
    (loaded, elapsed)
}

/// What each side did with the queries: time per query (µs) and the fee when found.
#[derive(Default)]
struct Outcomes {
    micros: Vec<f64>,
    fees: Vec<Option<u64>>,
}

struct Routers<'a> {
    graph: &'a Graph,
    /// Per node, the indices of its channels in `graph.channels`.
    adjacency: Vec<Vec<usize>>,
    ours: NetworkGraph,
    ours_scorer: LiquidityScorer,
    ldk: &'a LdkGraph<Arc<SilentLogger>>,
    ldk_scorer: ProbabilisticScorer<&'a LdkGraph<Arc<SilentLogger>>, Arc<SilentLogger>>,
    ldk_fee_params: ProbabilisticScoringFeeParameters,
    logger: Arc<SilentLogger>,
    now: Duration,
}

impl Routers<'_> {
    /// The payer's channels as our pathfinder takes them (it reads the payer's own channels
    /// only from first hops, with live balances): every graph channel of the payer, half of
    /// its capacity as our balance.
    fn first_hops(&self, payer: usize) -> Vec<FirstHop> {
        self.adjacency[payer]
            .iter()
            .map(|&index| {
                let channel = &self.graph.channels[index];
                let peer = if channel.node_one == payer {
                    channel.node_two
                } else {
                    channel.node_one
                };
                let balance_msat = channel.capacity_sat * 1_000 / 2;
                FirstHop {
                    short_channel_id: ShortChannelId(channel.scid),
                    counterparty: self.graph.keys[peer],
                    outbound_capacity_msat: balance_msat,
                    next_outbound_htlc_limit_msat: balance_msat,
                    next_outbound_htlc_minimum_msat: channel.policies[0].htlc_minimum_msat,
                }
            })
            .collect()
    }

    fn ours(&self, query: &Query, first_hops: &[FirstHop]) -> Option<u64> {
        let mut params = RouteParameters::new(
            self.graph.keys[query.payee],
            query.amount_msat,
            FINAL_CLTV_DELTA,
        );
        params.max_total_fee_msat = Some(fee_limit_msat(query.amount_msat));
        params.max_total_cltv_expiry_delta = MAX_TOTAL_CLTV;
        let route = find_route(
            &self.ours,
            &self.ours_scorer,
            &self.graph.keys[query.payer],
            &params,
            first_hops,
            &InFlightHtlcs::new(),
            self.now,
        )
        .ok()?;
        let delivered: u64 = route.paths.iter().map(|p| p.final_value_msat()).sum();
        assert_eq!(
            delivered, query.amount_msat,
            "ours: route delivers the amount"
        );
        route.paths.iter().map(|p| p.fee_msat()).sum()
    }

    fn ldk(&self, query: &Query) -> Option<u64> {
        let mut payment =
            PaymentParameters::from_node_id(self.graph.keys[query.payee], FINAL_CLTV_DELTA);
        payment.max_total_cltv_expiry_delta = MAX_TOTAL_CLTV;
        let params = LdkRouteParameters::from_payment_params_and_value(payment, query.amount_msat);
        let route = ldk_find_route(
            &self.graph.keys[query.payer],
            &params,
            self.ldk,
            None,
            Arc::clone(&self.logger),
            &self.ldk_scorer,
            &self.ldk_fee_params,
            &[0x42; 32],
        )
        .ok()?;
        Some(route.get_total_fees())
    }
}

fn timed(f: impl FnOnce() -> Option<u64>, into: &mut Outcomes) {
    let started = Instant::now();
    let fee = f();
    into.micros.push(started.elapsed().as_secs_f64() * 1e6);
    into.fees.push(fee);
}

fn p99(samples: &[f64]) -> Vec<f64> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => Vec::new(),
        n => vec![sorted[((0.99 * (n - 1) as f64).round() as usize).min(n - 1)]],
    }
}

/// Runs the workload.
pub fn run(config: &Config) -> Report {
    let graph = Graph::generate(GRAPH_SEED, config.routing_nodes, config.routing_channels);
    let (max_degree, _) = graph.degree_spread();
    // LDK refuses updates more than two weeks old or a day ahead of its clock: use now.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    let now_secs = now.as_secs() as u32;
    let (ours_graph, ours_load) = load_ours(&graph, now_secs);
    let (ldk_graph, ldk_load) = load_ldk(&graph, now_secs);
    let memory = ours_graph.memory_usage();
    let logger = Arc::new(SilentLogger);
    let mut adjacency = vec![Vec::new(); graph.keys.len()];
    for (index, channel) in graph.channels.iter().enumerate() {
        adjacency[channel.node_one].push(index);
        adjacency[channel.node_two].push(index);
    }
    let routers = Routers {
        graph: &graph,
        adjacency,
        ours: ours_graph,
        ours_scorer: LiquidityScorer::default(),
        ldk: &ldk_graph,
        ldk_scorer: ProbabilisticScorer::new(
            ProbabilisticScoringDecayParameters::default(),
            &ldk_graph,
            Arc::clone(&logger),
        ),
        ldk_fee_params: ProbabilisticScoringFeeParameters::default(),
        logger,
        now,
    };
    let queries = graph.queries(QUERY_SEED, config.routing_queries);
    // Warm-up: a few queries on each side, unmeasured.
    for query in queries.iter().take(config.warmup * 10) {
        routers.ours(query, &routers.first_hops(query.payer));
        routers.ldk(query);
    }
    let (mut ours, mut ldk) = (Outcomes::default(), Outcomes::default());
    for (i, query) in queries.iter().enumerate() {
        // Built outside the timing, as a node has them at hand from its channel list.
        let first_hops = routers.first_hops(query.payer);
        if i % 2 == 0 {
            timed(|| routers.ours(query, &first_hops), &mut ours);
            timed(|| routers.ldk(query), &mut ldk);
        } else {
            timed(|| routers.ldk(query), &mut ldk);
            timed(|| routers.ours(query, &first_hops), &mut ours);
        }
    }
    report(
        &graph,
        max_degree,
        memory.bytes_per_channel(),
        (ours_load, ldk_load),
        ours,
        ldk,
    )
}

fn report(
    graph: &Graph,
    max_degree: usize,
    bytes_per_channel: usize,
    loads: (Duration, Duration),
    ours: Outcomes,
    ldk: Outcomes,
) -> Report {
    let found = |o: &Outcomes| o.fees.iter().filter(|f| f.is_some()).count();
    let total = |o: &Outcomes| o.fees.iter().flatten().sum::<u64>();
    let (mut ours_common, mut ldk_common, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for (a, b) in ours.fees.iter().zip(&ldk.fees) {
        if let (Some(a), Some(b)) = (a, b) {
            ours_common.push(*a as f64);
            ldk_common.push(*b as f64);
            // Both free (a direct channel): equal.
            ratios.push(if *b == 0 {
                if *a == 0 {
                    1.0
                } else {
                    f64::INFINITY
                }
            } else {
                *a as f64 / *b as f64
            });
        }
    }
    let finite: Vec<f64> = ratios.iter().copied().filter(|r| r.is_finite()).collect();
    let mean_ratio = finite.iter().sum::<f64>() / finite.len().max(1) as f64;
    let ratio_median = Summary::of(&finite).map_or(f64::NAN, |s| s.median);
    let lower = Direction::LowerIsBetter;
    let ms = |d: Duration| vec![d.as_secs_f64() * 1e3];
    Report {
        workload: NAME.to_string(),
        description: format!(
            "{} nodes, {} channels (scale-free, max degree {max_degree}); {} queries, amounts \
             log-uniform 1k-1M sat, single path, fee limit 1% + 50 sat, CLTV limit {MAX_TOTAL_CLTV}; \
             found: ours {}, ldk {}; total fee of routes found: ours {} msat, ldk {} msat; on the \
             {} queries both solved, fee ours/ldk: mean {mean_ratio:.3}, median {ratio_median:.3}",
            graph.keys.len(),
            graph.channels.len(),
            ours.fees.len(),
            found(&ours),
            found(&ldk),
            total(&ours),
            total(&ldk),
            ours_common.len(),
        ),
        figures: vec![
            Figure::both("us/route (every query, wall clock)", lower, ours.micros.clone(), ldk.micros.clone()),
            Figure::both("p99 us/route", lower, p99(&ours.micros), p99(&ldk.micros)),
            Figure::both(
                "routes found",
                Direction::HigherIsBetter,
                vec![found(&ours) as f64],
                vec![found(&ldk) as f64],
            ),
            Figure::both(
                "total fee of routes found (msat)",
                lower,
                vec![total(&ours) as f64],
                vec![total(&ldk) as f64],
            ),
            Figure::both("fee msat/route (queries both solved)", lower, ours_common, ldk_common),
            Figure::ours_only(
                "fee ours/ldk per query (queries both solved)",
                lower,
                finite,
                "a ratio of the two sides (mean in the description)",
            ),
            Figure::both(
                "graph load ms (ours: read of the stored form; ldk: unsigned announcements and updates)",
                lower,
                ms(loads.0),
                ms(loads.1),
            ),
            Figure::ours_only(
                "graph bytes/channel in memory",
                lower,
                vec![bytes_per_channel as f64],
                "LDK's NetworkGraph does not report its memory use",
            ),
        ],
        pending: None,
    }
}
