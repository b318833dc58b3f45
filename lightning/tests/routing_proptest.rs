//! Property test: every route the default pathfinder returns on a random graph is valid for
//! that graph and the parameters (hops exist and are enabled, amounts within limits and
//! capacities, fees and CLTV deltas exactly as advertised, limits respected).

mod routing_support;

use std::collections::HashSet;

use lightning::routing::{
    find_route, FirstHop, InFlightHtlcs, LiquidityScorer, RouteParameters, ScorerConfig,
};
use lightning::wire::features::Bolt11InvoiceFeatures;
use proptest::prelude::*;
use routing_support::*;

/// Raw policy: base fee, ppm, CLTV delta, htlc_minimum, htlc_maximum in quarters, disabled.
type RawPolicy = (u32, u32, u16, u64, u64, bool);

#[derive(Clone, Debug)]
struct RandomChannel {
    a: u32,
    b: u32,
    capacity_sat: u64,
    policies: [Option<RawPolicy>; 2],
}

fn policy_strategy() -> impl Strategy<Value = Option<RawPolicy>> {
    proptest::option::weighted(
        0.9,
        (
            0u32..2_000,
            0u32..5_000,
            0u16..200,
            0u64..50_000,
            1u64..4,
            any::<bool>(),
        ),
    )
}

fn channel_strategy(nodes: u32) -> impl Strategy<Value = RandomChannel> {
    (
        0..nodes,
        0..nodes,
        1_000u64..500_000,
        policy_strategy(),
        policy_strategy(),
    )
        .prop_map(|(a, b, capacity_sat, p1, p2)| RandomChannel {
            a,
            b,
            capacity_sat,
            policies: [p1, p2],
        })
}

fn to_policy(raw: RawPolicy, capacity_sat: u64) -> Policy {
    let (base_msat, ppm, cltv, htlc_min, max_fraction, disabled) = raw;
    Policy {
        base_msat,
        ppm,
        cltv,
        htlc_min,
        // A quarter, half, or three quarters of the capacity.
        htlc_max: capacity_sat * 1000 * max_fraction / 4,
        // Mostly enabled.
        disabled: disabled && base_msat % 3 == 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_route_is_valid(
        channels in proptest::collection::vec(channel_strategy(12), 10..60),
        payee in 1u32..12,
        amount_msat in prop_oneof![1u64..1_000_000, 1u64..300_000_000],
        max_fee in proptest::option::of(0u64..100_000),
        max_cltv in 20u32..800,
        mpp in any::<bool>(),
        balances in proptest::collection::vec(0u64..400_000_000, 12),
    ) {
        let mut builder = GraphBuilder::new();
        let mut pairs = HashSet::new();
        let mut first_hops: Vec<FirstHop> = Vec::new();
        // The payer always has a few channels.
        let ours = (1..4).map(|peer| RandomChannel {
            a: 0,
            b: peer,
            capacity_sat: 400_000,
            policies: [Some((0, 0, 40, 1, 4, false)), Some((0, 0, 40, 1, 4, false))],
        });
        let all: Vec<RandomChannel> = ours.chain(channels).collect();
        for (index, channel) in all.iter().enumerate() {
            if channel.a == channel.b || !pairs.insert((channel.a.min(channel.b), channel.a.max(channel.b))) {
                continue;
            }
            let scid = 1_000 + index as u64;
            let [p1, p2] = channel.policies;
            builder.channel(
                channel.a,
                channel.b,
                scid,
                channel.capacity_sat,
                p1.map(|p| to_policy(p, channel.capacity_sat)),
                p2.map(|p| to_policy(p, channel.capacity_sat)),
            );
            let other = if channel.a == 0 { Some(channel.b) } else if channel.b == 0 { Some(channel.a) } else { None };
            if let Some(peer) = other {
                first_hops.push(first_hop(peer, scid, balances[peer as usize]));
            }
        }
        let mut params = RouteParameters::new(keys(payee).id, amount_msat, 18);
        params.max_total_fee_msat = max_fee;
        params.max_total_cltv_expiry_delta = max_cltv;
        if mpp {
            let mut features = Bolt11InvoiceFeatures::empty();
            features.set_basic_mpp_optional();
            params.payee_features = Some(features);
        }
        let scorer = LiquidityScorer::new(ScorerConfig::default());
        let result = find_route(&builder.graph, &scorer, &keys(0).id, &params, &first_hops, &InFlightHtlcs::new(), T0);
        if let Ok(route) = result {
            assert_route_valid(&builder.graph, &keys(0).id, &params, &first_hops, &route);
        }
    }
}
