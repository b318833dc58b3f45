//! The default pathfinder: known cheapest routes, each constraint, multi-path splitting, route
//! hints, and scorer feedback.

mod routing_support;

use std::time::Duration;

use lightning::routing::{
    find_route, DefaultRouter, FindRouteError, FirstHop, InFlightHtlcs, LiquidityScorer, Route,
    RouteHint, RouteHintHop, RouteParameters, Router, RoutingFees, ScorerConfig,
};
use lightning::wire::features::Bolt11InvoiceFeatures;
use lightning::wire::ShortChannelId;
use routing_support::*;

fn no_penalty() -> LiquidityScorer {
    LiquidityScorer::new(ScorerConfig {
        base_penalty_msat: 0,
        liquidity_penalty_multiplier_msat: 0,
        half_life: Duration::from_secs(3600),
    })
}

fn route(
    builder: &GraphBuilder,
    params: &RouteParameters,
    first_hops: &[FirstHop],
) -> Result<Route, FindRouteError> {
    let result = find_route(
        &builder.graph,
        &no_penalty(),
        &keys(0).id,
        params,
        first_hops,
        &InFlightHtlcs::new(),
        T0,
    );
    if let Ok(route) = &result {
        assert_route_valid(&builder.graph, &keys(0).id, params, first_hops, route);
    }
    result
}

fn params(payee: u32, amount_msat: u64) -> RouteParameters {
    RouteParameters::new(keys(payee).id, amount_msat, 18)
}

/// 0 -> {1, 2} -> 3: via 1 costs 1000 msat, via 2 costs 10 msat.
fn diamond() -> GraphBuilder {
    let mut b = GraphBuilder::new();
    b.both(0, 1, 1, 1_000_000, Policy::fee(0, 0))
        .both(0, 2, 2, 1_000_000, Policy::fee(0, 0))
        .both(1, 3, 3, 1_000_000, Policy::fee(1_000, 0))
        .both(2, 3, 4, 1_000_000, Policy::fee(10, 0));
    b
}

fn diamond_first_hops() -> Vec<FirstHop> {
    vec![first_hop(1, 1, 500_000_000), first_hop(2, 2, 500_000_000)]
}

#[test]
fn cheapest_route_on_a_diamond() {
    let b = diamond();
    let route = route(&b, &params(3, 10_000), &diamond_first_hops()).unwrap();
    assert_eq!(route.paths.len(), 1);
    assert_eq!(node_numbers(&route.paths[0], 4), vec![2, 3]);
    assert_eq!(route.paths[0].fee_msat(), Some(10));
}

#[test]
fn a_longer_path_wins_when_cheaper_and_fees_compound_backwards() {
    let mut b = GraphBuilder::new();
    b.both(0, 1, 1, 1_000_000, Policy::fee(0, 0))
        .both(1, 5, 2, 1_000_000, Policy::fee(10_000, 0))
        .both(1, 2, 3, 1_000_000, Policy::fee(100, 1_000))
        .both(2, 3, 4, 1_000_000, Policy::fee(100, 2_000))
        .both(3, 5, 5, 1_000_000, Policy::fee(100, 3_000));
    let first_hops = [first_hop(1, 1, 900_000_000)];
    let route = route(&b, &params(5, 1_000_000), &first_hops).unwrap();
    let path = &route.paths[0];
    assert_eq!(node_numbers(path, 6), vec![1, 2, 3, 5]);
    // Backwards: node 3 charges 100 + 0.3% of 1,000,000 = 3,100; node 2 charges 100 + 0.2% of
    // 1,003,100 = 2,106; node 1 charges 100 + 0.1% of 1,005,206 = 1,105.
    let fees: Vec<u64> = path.hops.iter().map(|hop| hop.fee_msat).collect();
    assert_eq!(fees, vec![1_105, 2_106, 3_100, 1_000_000]);
    let cltvs: Vec<u32> = path.hops.iter().map(|hop| hop.cltv_expiry_delta).collect();
    assert_eq!(cltvs, vec![40, 40, 40, 18]);
}

#[test]
fn disabled_directions_are_avoided() {
    let mut disabled = Policy::fee(10, 0);
    disabled.disabled = true;
    // The cheap side's 2->3 direction is disabled (3->2 is not).
    let mut b = GraphBuilder::new();
    b.both(0, 1, 1, 1_000_000, Policy::fee(0, 0))
        .both(0, 2, 2, 1_000_000, Policy::fee(0, 0))
        .both(1, 3, 3, 1_000_000, Policy::fee(1_000, 0))
        .channel(2, 3, 4, 1_000_000, Some(disabled), Some(Policy::fee(10, 0)));
    let route = route(&b, &params(3, 10_000), &diamond_first_hops()).unwrap();
    assert_eq!(node_numbers(&route.paths[0], 4), vec![1, 3]);
}

fn diamond_with_cheap_policy(cheap: Policy) -> GraphBuilder {
    let mut b = GraphBuilder::new();
    b.both(0, 1, 1, 1_000_000, Policy::fee(0, 0))
        .both(0, 2, 2, 1_000_000, Policy::fee(0, 0))
        .both(1, 3, 3, 1_000_000, Policy::fee(1_000, 0))
        .both(2, 3, 4, 1_000_000, cheap);
    b
}

#[test]
fn htlc_minimum_is_respected() {
    let mut cheap = Policy::fee(10, 0);
    cheap.htlc_min = 50_000;
    let b = diamond_with_cheap_policy(cheap);
    let route = route(&b, &params(3, 10_000), &diamond_first_hops()).unwrap();
    assert_eq!(node_numbers(&route.paths[0], 4), vec![1, 3]);
}

#[test]
fn htlc_maximum_is_respected() {
    let mut cheap = Policy::fee(10, 0);
    cheap.htlc_max = 5_000;
    let b = diamond_with_cheap_policy(cheap);
    let route = route(&b, &params(3, 10_000), &diamond_first_hops()).unwrap();
    assert_eq!(node_numbers(&route.paths[0], 4), vec![1, 3]);
}

#[test]
fn capacity_minus_in_flight_is_respected() {
    let mut cheap = Policy::fee(10, 0);
    cheap.htlc_max = 1_000_000;
    let mut b = GraphBuilder::new();
    b.both(0, 1, 1, 1_000_000, Policy::fee(0, 0))
        .both(0, 2, 2, 1_000_000, Policy::fee(0, 0))
        .both(1, 3, 3, 1_000_000, Policy::fee(1_000, 0))
        .both(2, 3, 4, 1_000, cheap);
    let mut in_flight = InFlightHtlcs::new();
    in_flight.add(ShortChannelId(4), &keys(2).id, &keys(3).id, 600_000);
    let p = params(3, 500_000);
    let hops = diamond_first_hops();
    let free = find_route(
        &b.graph,
        &no_penalty(),
        &keys(0).id,
        &p,
        &hops,
        &InFlightHtlcs::new(),
        T0,
    )
    .unwrap();
    assert_eq!(node_numbers(&free.paths[0], 4), vec![2, 3]);
    let busy = find_route(
        &b.graph,
        &no_penalty(),
        &keys(0).id,
        &p,
        &hops,
        &in_flight,
        T0,
    )
    .unwrap();
    assert_eq!(node_numbers(&busy.paths[0], 4), vec![1, 3]);
}

#[test]
fn max_total_cltv_is_respected() {
    let mut slow = Policy::fee(10, 0);
    slow.cltv = 500;
    let b = diamond_with_cheap_policy(slow);
    let mut p = params(3, 10_000);
    assert_eq!(
        node_numbers(&route(&b, &p, &diamond_first_hops()).unwrap().paths[0], 4),
        vec![2, 3]
    );
    p.max_total_cltv_expiry_delta = 100;
    assert_eq!(
        node_numbers(&route(&b, &p, &diamond_first_hops()).unwrap().paths[0], 4),
        vec![1, 3]
    );
    p.max_total_cltv_expiry_delta = 30;
    assert_eq!(
        route(&b, &p, &diamond_first_hops()),
        Err(FindRouteError::NoRoute)
    );
}

#[test]
fn max_total_fee_is_respected() {
    let b = diamond();
    let mut p = params(3, 10_000);
    p.max_total_fee_msat = Some(10);
    assert!(route(&b, &p, &diamond_first_hops()).is_ok());
    p.max_total_fee_msat = Some(9);
    assert_eq!(
        route(&b, &p, &diamond_first_hops()),
        Err(FindRouteError::FeeLimitExceeded)
    );
}

#[test]
fn first_hops_live_balances_decide() {
    let b = diamond();
    // The cheap side's channel has too little balance left for the amount.
    let first_hops = vec![first_hop(1, 1, 500_000_000), first_hop(2, 2, 9_000)];
    let route = route(&b, &params(3, 10_000), &first_hops).unwrap();
    assert_eq!(node_numbers(&route.paths[0], 4), vec![1, 3]);
    // Without first hops, our graph channels are not used.
    assert_eq!(
        find_route(
            &b.graph,
            &no_penalty(),
            &keys(0).id,
            &params(3, 10_000),
            &[],
            &InFlightHtlcs::new(),
            T0
        ),
        Err(FindRouteError::NoRoute)
    );
}

#[test]
fn excluded_channels_and_nodes_are_avoided() {
    let b = diamond();
    let mut p = params(3, 10_000);
    p.excluded_channels.push(ShortChannelId(4));
    assert_eq!(
        node_numbers(&route(&b, &p, &diamond_first_hops()).unwrap().paths[0], 4),
        vec![1, 3]
    );
    let mut p = params(3, 10_000);
    p.excluded_nodes.push(keys(2).id);
    assert_eq!(
        node_numbers(&route(&b, &p, &diamond_first_hops()).unwrap().paths[0], 4),
        vec![1, 3]
    );
    p.excluded_nodes.push(keys(1).id);
    assert_eq!(
        route(&b, &p, &diamond_first_hops()),
        Err(FindRouteError::NoRoute)
    );
}

#[test]
fn route_hints_reach_a_private_payee() {
    let b = diamond();
    let payee = keys(9);
    let hint = RouteHint(vec![RouteHintHop {
        src_node_id: keys(3).id,
        short_channel_id: ShortChannelId(99),
        fees: RoutingFees {
            base_msat: 7,
            proportional_millionths: 0,
        },
        cltv_expiry_delta: 144,
        htlc_minimum_msat: None,
        htlc_maximum_msat: None,
    }]);
    let mut p = RouteParameters::new(payee.id, 10_000, 18);
    assert_eq!(
        find_route(
            &b.graph,
            &no_penalty(),
            &keys(0).id,
            &p,
            &diamond_first_hops(),
            &InFlightHtlcs::new(),
            T0
        ),
        Err(FindRouteError::NoRoute)
    );
    p.route_hints.push(hint);
    let route = find_route(
        &b.graph,
        &no_penalty(),
        &keys(0).id,
        &p,
        &diamond_first_hops(),
        &InFlightHtlcs::new(),
        T0,
    )
    .unwrap();
    let path = &route.paths[0];
    assert_eq!(node_numbers(path, 10), vec![2, 3, 9]);
    assert_eq!(path.hops[2].short_channel_id, ShortChannelId(99));
    assert_eq!(path.hops[1].fee_msat, 7);
    assert_eq!(path.hops[1].cltv_expiry_delta, 144);
    assert_eq!(path.hops[0].fee_msat, 10);
    assert_eq!(path.final_value_msat(), 10_000);
}

fn mpp_params(payee: u32, amount_msat: u64) -> RouteParameters {
    let mut p = params(payee, amount_msat);
    let mut features = Bolt11InvoiceFeatures::empty();
    features.set_basic_mpp_optional();
    p.payee_features = Some(features);
    p
}

#[test]
fn payments_split_over_several_paths_when_one_cannot_carry_them() {
    let mut capped = Policy::fee(10, 0);
    capped.htlc_max = 60_000_000;
    let mut b = GraphBuilder::new();
    b.both(0, 1, 1, 1_000_000, Policy::fee(0, 0))
        .both(0, 2, 2, 1_000_000, Policy::fee(0, 0))
        .both(1, 3, 3, 60_000, capped)
        .both(2, 3, 4, 60_000, capped);
    let hops = diamond_first_hops();
    assert_eq!(
        route(&b, &params(3, 100_000_000), &hops),
        Err(FindRouteError::InsufficientLiquidity)
    );
    let route = route(&b, &mpp_params(3, 100_000_000), &hops).unwrap();
    assert!(route.paths.len() >= 2, "{route:?}");
    let mut p = mpp_params(3, 130_000_000);
    assert_eq!(
        route_err(&b, &p, &hops),
        FindRouteError::InsufficientLiquidity
    );
    p.final_value_msat = 120_000_000;
    assert!(self::route(&b, &p, &hops).is_ok());
}

fn route_err(b: &GraphBuilder, p: &RouteParameters, hops: &[FirstHop]) -> FindRouteError {
    route(b, p, hops).unwrap_err()
}

#[test]
fn the_max_path_count_bounds_the_split() {
    let mut capped = Policy::fee(10, 0);
    capped.htlc_max = 30_000_000;
    let mut b = GraphBuilder::new();
    b.both(0, 1, 1, 1_000_000, Policy::fee(0, 0));
    for i in 0..4u32 {
        b.both(1, 10 + i, 10 + u64::from(i), 30_000, capped);
        b.both(10 + i, 3, 20 + u64::from(i), 30_000, capped);
    }
    let hops = [first_hop(1, 1, 900_000_000)];
    let mut p = mpp_params(3, 100_000_000);
    let route = route(&b, &p, &hops).unwrap();
    assert!(route.paths.len() >= 4);
    p.max_path_count = 3;
    assert!(self::route(&b, &p, &hops).is_err());
}

#[test]
fn the_scorer_learns_from_failures_and_forgets_with_time() {
    let mut b = GraphBuilder::new();
    b.both(0, 1, 1, 1_000_000, Policy::fee(0, 0))
        .both(0, 2, 2, 1_000_000, Policy::fee(0, 0))
        .both(1, 3, 3, 1_000_000, Policy::fee(100, 0))
        .both(2, 3, 4, 1_000_000, Policy::fee(10, 0));
    let hops = diamond_first_hops();
    let mut scorer = LiquidityScorer::new(ScorerConfig::default());
    let payer = keys(0).id;
    let p = params(3, 50_000_000);
    let mut router = DefaultRouter::new(&b.graph, &mut scorer);
    let first = router
        .find_route(&payer, &p, &hops, &InFlightHtlcs::new(), T0)
        .unwrap();
    assert_eq!(node_numbers(&first.paths[0], 4), vec![2, 3]);
    router.payment_path_failed(&payer, &first.paths[0], Some(ShortChannelId(4)), T0);
    let second = router
        .find_route(&payer, &p, &hops, &InFlightHtlcs::new(), T0)
        .unwrap();
    assert_eq!(node_numbers(&second.paths[0], 4), vec![1, 3]);
    router.payment_path_successful(&payer, &second.paths[0], T0);
    // A week later the failure is forgotten.
    let later = T0 + Duration::from_secs(7 * 86_400);
    let third = router
        .find_route(&payer, &p, &hops, &InFlightHtlcs::new(), later)
        .unwrap();
    assert_eq!(node_numbers(&third.paths[0], 4), vec![2, 3]);
}

#[test]
fn trivial_errors() {
    let b = diamond();
    assert_eq!(
        route(&b, &params(3, 0), &diamond_first_hops()),
        Err(FindRouteError::ZeroAmount)
    );
    assert_eq!(
        route(&b, &params(0, 5), &diamond_first_hops()),
        Err(FindRouteError::PayeeIsPayer)
    );
    assert_eq!(
        route(&b, &params(77, 5), &diamond_first_hops()),
        Err(FindRouteError::NoRoute)
    );
}

#[test]
fn paths_are_at_most_twenty_hops() {
    let mut b = GraphBuilder::new();
    for i in 0..22u32 {
        b.both(i, i + 1, 100 + u64::from(i), 1_000_000, Policy::fee(1, 0));
    }
    let hops = [first_hop(1, 100, 900_000_000)];
    let longest = route(&b, &params(20, 1_000), &hops).unwrap();
    assert_eq!(longest.paths[0].hops.len(), 20);
    assert_eq!(
        route(&b, &params(21, 1_000), &hops),
        Err(FindRouteError::NoRoute)
    );
}

#[test]
fn a_split_fills_each_path_to_what_it_can_carry() {
    let mut wide = Policy::fee(10, 0);
    wide.htlc_max = 80_000_000;
    let mut narrow = Policy::fee(20, 0);
    narrow.htlc_max = 30_000_000;
    let mut b = GraphBuilder::new();
    b.both(0, 1, 1, 1_000_000, Policy::fee(0, 0))
        .both(1, 4, 2, 80_000, wide)
        .both(4, 3, 3, 80_000, wide)
        .both(1, 5, 4, 30_000, narrow)
        .both(5, 3, 5, 30_000, narrow);
    let hops = [first_hop(1, 1, 900_000_000)];
    let route = route(&b, &mpp_params(3, 100_000_000), &hops).unwrap();
    let mut parts: Vec<u64> = route.paths.iter().map(|p| p.final_value_msat()).collect();
    parts.sort();
    // The wide path is filled until its first channel (which also carries node 4's 10 msat
    // fee) is full, and the rest goes over the narrow one.
    assert_eq!(route.paths.len(), 2, "{parts:?}");
    assert_eq!(parts, vec![20_000_010, 80_000_000 - 10]);
}
