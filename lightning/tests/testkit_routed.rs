//! Routed payments in the testkit network: each payer's default router over its own gossip
//! graph, fees as the channel policies say, retries when a first route fails.

use lightning::manager::{Event, ForwardingPolicy, Retry};
use lightning::testkit::network::{Network, NodeConfig, PayError};

/// Node `index` charging `base_msat` plus `ppm` millionths to forward.
fn node(index: usize, base_msat: u32, ppm: u32) -> NodeConfig {
    let mut config = NodeConfig::for_index(index);
    config.manager.forwarding_policy = ForwardingPolicy {
        fee_base_msat: base_msat,
        fee_proportional_millionths: ppm,
        cltv_expiry_delta: 40,
    };
    config
}

fn policy(net: &Network, index: usize) -> ForwardingPolicy {
    net.node(index).manager().config().forwarding_policy
}

/// Opens the public channels `pairs` (half pushed to the peer) and lets gossip settle.
fn public_network(configs: Vec<NodeConfig>, pairs: &[(usize, usize)]) -> Network {
    let mut net = Network::with_nodes(configs);
    for (a, b) in pairs {
        net.open_public_channel(*a, *b, 1_000_000, 500_000_000);
    }
    net.run_until_quiet();
    for index in 0..net.node_count() {
        if net.node(index).channels().is_empty() {
            continue; // Not connected: hears no gossip.
        }
        assert_eq!(
            net.node(index).graph().channel_count(),
            pairs.len(),
            "node {index} knows every public channel"
        );
    }
    net
}

/// A diamond 0 - 1 - 3 and 0 - 2 - 3 where the route through node 1 is cheaper, but 1 -> 3
/// is drained.
fn drained_diamond() -> Network {
    let configs = vec![
        node(0, 0, 0),
        node(1, 100, 10),
        node(2, 5_000, 1_000),
        node(3, 0, 0),
    ];
    let mut net = public_network(configs, &[(0, 1), (1, 3), (0, 2), (2, 3)]);
    net.pay(1, 3, 480_000_000).expect("drains 1 -> 3");
    net
}

#[test]
fn multi_hop_fees_match_the_channel_policies() {
    // A line 0 - 1 - 2 - 3, each forwarding node with its own policy.
    let configs = vec![
        node(0, 0, 0),
        node(1, 1_000, 100),
        node(2, 2_000, 300),
        node(3, 0, 0),
    ];
    let mut net = public_network(configs, &[(0, 1), (1, 2), (2, 3)]);
    let amount = 10_000_000;

    let paid = net
        .pay_routed(0, 3, amount, Retry::Attempts(2))
        .expect("three hops");
    let fee_2 = policy(&net, 2).fee_msat(amount).unwrap();
    let fee_1 = policy(&net, 1).fee_msat(amount + fee_2).unwrap();
    assert_eq!(paid.hops(), 3);
    assert_eq!(paid.attempts, 1);
    assert_eq!(paid.fee_paid_msat, fee_1 + fee_2);
    let path = &paid.paths[0];
    let nodes: Vec<_> = path.hops.iter().map(|hop| hop.node_id).collect();
    assert_eq!(
        nodes,
        [1, 2, 3].map(|i| net.node(i).node_id()),
        "through 1 and 2"
    );

    let back = net
        .pay_routed(3, 1, amount, Retry::Attempts(2))
        .expect("two hops back");
    assert_eq!(back.hops(), 2);
    assert_eq!(
        back.fee_paid_msat,
        policy(&net, 2).fee_msat(amount).unwrap()
    );

    let direct = net
        .pay_routed(1, 2, amount, Retry::Attempts(2))
        .expect("direct");
    assert_eq!((direct.hops(), direct.fee_paid_msat), (1, 0));
    assert!(net.routes_found() >= 3);
    assert!(net.scorer(0).is_some(), "the payer's scorer learnt");
}

#[test]
fn the_cheapest_of_two_routes_is_taken() {
    // A diamond: 0 - 1 - 3 and 0 - 2 - 3; node 2 is cheaper.
    let configs = vec![
        node(0, 0, 0),
        node(1, 5_000, 1_000),
        node(2, 100, 10),
        node(3, 0, 0),
    ];
    let mut net = public_network(configs, &[(0, 1), (1, 3), (0, 2), (2, 3)]);
    let paid = net
        .pay_routed(0, 3, 5_000_000, Retry::Attempts(0))
        .expect("pays");
    assert_eq!(paid.paths[0].hops[0].node_id, net.node(2).node_id());
    assert_eq!(
        paid.fee_paid_msat,
        policy(&net, 2).fee_msat(5_000_000).unwrap()
    );
}

#[test]
fn a_drained_channel_fails_the_first_route_and_the_retry_succeeds() {
    let mut net = drained_diamond();
    let amount = 50_000_000;

    let pending = net
        .send_routed_payment(0, 3, amount, Retry::Attempts(3))
        .expect("a route");
    net.run_until_quiet();
    assert!(
        net.claim_payment(3, pending.payment_hash),
        "the retry arrives"
    );
    net.run_until_quiet();

    let events = net.node_mut(0).take_events();
    let sent: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::PaymentSent { payment_id, .. } if *payment_id == pending.payment_id))
        .collect();
    assert_eq!(sent.len(), 1, "exactly one PaymentSent: {events:?}");
    let failed_paths: Vec<&Event> = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::PaymentPathFailed {
                    will_retry: true,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(failed_paths.len(), 1, "the first route failed once");
    let Event::PaymentPathFailed { path, .. } = failed_paths[0] else {
        unreachable!()
    };
    assert_eq!(
        path.hops[0].node_id,
        net.node(1).node_id(),
        "through node 1"
    );
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::PaymentFailed { .. })));
    let Event::PaymentSent { fee_paid_msat, .. } = sent[0] else {
        unreachable!()
    };
    assert_eq!(
        *fee_paid_msat,
        policy(&net, 2).fee_msat(amount),
        "paid through node 2"
    );
}

#[test]
fn pay_routed_counts_the_attempts_of_a_retried_payment() {
    let mut net = drained_diamond();
    let paid = net
        .pay_routed(0, 3, 50_000_000, Retry::Attempts(3))
        .expect("pays on retry");
    assert_eq!(paid.attempts, 2);
    assert_eq!(paid.paths.len(), 1, "only the settled path");
    assert_eq!(paid.paths[0].hops[0].node_id, net.node(2).node_id());
    assert!(
        net.node(0).events().is_empty(),
        "the payment's events were taken"
    );
}

#[test]
fn without_retries_a_failed_route_fails_the_payment() {
    let mut net = drained_diamond();
    let err = net
        .pay_routed(0, 3, 50_000_000, Retry::Attempts(0))
        .expect_err("no retry allowed");
    assert!(matches!(err.error, PayError::Failed(_)), "{err}");
    assert_eq!(err.attempts, 1);
}

#[test]
fn an_unknown_payee_has_no_route() {
    let mut net = public_network(vec![node(0, 0, 0), node(1, 0, 0), node(2, 0, 0)], &[(0, 1)]);
    let err = net
        .pay_routed(0, 2, 1_000_000, Retry::Attempts(2))
        .expect_err("node 2 has no channel");
    assert!(matches!(err.error, PayError::Send(_)), "{err}");
    assert_eq!(err.attempts, 0);
}
