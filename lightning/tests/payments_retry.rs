//! Retries: the first route fails at a hop without liquidity, the router's second succeeds.

mod payments_support;

use lightning::manager::{
    Event, ForwardingPolicy, ManagerConfig, PaymentFailureReason, PaymentId, RecipientOnionFields,
    Retry,
};
use lightning::routing::RouteParameters;
use payments_support::{Net, ScriptedRouter, START};

const POLICY: ForwardingPolicy = ForwardingPolicy {
    fee_base_msat: 10,
    fee_proportional_millionths: 0,
    cltv_expiry_delta: 40,
};

/// A=0, B=1, C=2, D=3. A-B, A-C from A; D opens to B (B has nothing to send to D); C-D from C.
fn mesh() -> (Net, ScriptedRouter) {
    let config = ManagerConfig {
        forwarding_policy: POLICY,
        ..Default::default()
    };
    let mut net = Net::new(4, config);
    let ab = net.open(0, 1, 1_000_000, 0);
    let ac = net.open(0, 2, 1_000_000, 0);
    let db = net.open(3, 1, 1_000_000, 0);
    let cd = net.open(2, 3, 1_000_000, 0);
    let router = ScriptedRouter::new(
        vec![
            vec![(net.id(1), ab.scid), (net.id(3), db.scid)],
            vec![(net.id(2), ac.scid), (net.id(3), cd.scid)],
        ],
        &POLICY,
    );
    (net, router)
}

#[test]
fn failed_path_is_retried_over_the_second_route() {
    let (mut net, mut router) = mesh();
    let (hash, secret) = net.nodes[3]
        .manager
        .create_inbound_payment(Some(40_000), 86_400, START);
    let id = PaymentId([1; 32]);
    let params = RouteParameters::new(net.id(3), 40_000, 40);
    let now = START;
    net.nodes[0]
        .manager
        .send_payment_with_retry(
            params,
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
            Retry::Attempts(2),
            &mut router,
            now,
        )
        .expect("send");
    net.deliver();
    let first = net.events(0);
    let [Event::PaymentPathFailed {
        will_retry: true,
        reason:
            PaymentFailureReason::HopFailed {
                hop_index: 0,
                node_id,
                ..
            },
        ..
    }] = first.as_slice()
    else {
        panic!("expected a retried path failure at B, got {first:?}");
    };
    assert_eq!(*node_id, Some(net.id(1)));
    net.nodes[0]
        .manager
        .process_pending_payments(&mut router, now);
    net.deliver();
    assert_eq!(router.calls, 2);
    assert_eq!(
        router.failed.len(),
        1,
        "the failure was reported to the router"
    );
    let claimable = net.events(3);
    let [Event::PaymentClaimable {
        payment_preimage: Some(preimage),
        ..
    }] = claimable.as_slice()
    else {
        panic!("{claimable:?}");
    };
    let preimage = *preimage;
    net.nodes[3].manager.claim_funds(preimage).unwrap();
    net.deliver();
    net.nodes[0]
        .manager
        .process_pending_payments(&mut router, now);
    let sent = net.events(0);
    assert_eq!(
        sent,
        vec![Event::PaymentSent {
            payment_id: id,
            payment_hash: hash,
            payment_preimage: preimage,
            fee_paid_msat: Some(10),
        }]
    );
    assert_eq!(router.succeeded, 1);
    // Nothing more, ever, for this id.
    net.nodes[0]
        .manager
        .process_pending_payments(&mut router, now);
    assert!(net.events(0).is_empty());
}

#[test]
fn no_retry_budget_fails_the_payment_once() {
    let (mut net, mut router) = mesh();
    let (hash, secret) = net.nodes[3]
        .manager
        .create_inbound_payment(Some(40_000), 86_400, START);
    let id = PaymentId([2; 32]);
    let params = RouteParameters::new(net.id(3), 40_000, 40);
    net.nodes[0]
        .manager
        .send_payment_with_retry(
            params,
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
            Retry::Attempts(0),
            &mut router,
            START,
        )
        .expect("send");
    net.deliver();
    net.nodes[0]
        .manager
        .process_pending_payments(&mut router, START);
    let events = net.events(0);
    assert!(
        matches!(events.as_slice(), [Event::PaymentFailed { payment_id, .. }] if *payment_id == id),
        "{events:?}"
    );
    assert_eq!(router.calls, 1);
}

#[test]
fn exhausted_routes_end_with_route_not_found() {
    let (mut net, mut router) = mesh();
    router.candidates.truncate(1);
    let (hash, secret) = net.nodes[3]
        .manager
        .create_inbound_payment(Some(40_000), 86_400, START);
    let id = PaymentId([3; 32]);
    let params = RouteParameters::new(net.id(3), 40_000, 40);
    net.nodes[0]
        .manager
        .send_payment_with_retry(
            params,
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
            Retry::Attempts(5),
            &mut router,
            START,
        )
        .expect("send");
    net.deliver();
    net.nodes[0]
        .manager
        .process_pending_payments(&mut router, START);
    let events = net.events(0);
    assert!(
        matches!(
            events.as_slice(),
            [
                Event::PaymentPathFailed {
                    will_retry: true,
                    ..
                },
                Event::PaymentFailed {
                    reason: PaymentFailureReason::RouteNotFound,
                    ..
                }
            ]
        ),
        "{events:?}"
    );
}
