//! Multi-part payments over a small mesh: A reaches D through B, C and E.

mod payments_support;

use lightning::manager::{
    Event, ForwardingPolicy, ManagerConfig, PaymentFailureReason, PaymentId, RecipientOnionFields,
};
use lightning::onion::Failure;
use lightning::routing::Route;
use payments_support::{path_with_fees, Chan, Net, START};

const POLICY: ForwardingPolicy = ForwardingPolicy {
    fee_base_msat: 100,
    fee_proportional_millionths: 0,
    cltv_expiry_delta: 40,
};

/// A=0, B=1, C=2, E=3, D=4. A opens to B, C, E; B and C open to D; D opens to E (so E has
/// nothing to send to D).
fn mesh() -> (Net, Vec<(usize, Chan, Chan)>) {
    let config = ManagerConfig {
        forwarding_policy: POLICY,
        mpp_timeout_ticks: 2,
        ..Default::default()
    };
    let mut net = Net::new(5, config);
    let mut legs = Vec::new();
    for middle in 1..=3 {
        let first = net.open(0, middle, 1_000_000, 0);
        let second = if middle == 3 {
            net.open(4, middle, 1_000_000, 0)
        } else {
            net.open(middle, 4, 1_000_000, 0)
        };
        legs.push((middle, first, second));
    }
    (net, legs)
}

fn route(net: &Net, legs: &[(usize, Chan, Chan)], part_msat: u64) -> Route {
    Route {
        paths: legs
            .iter()
            .map(|(middle, first, second)| {
                let hops = [(net.id(*middle), first.scid), (net.id(4), second.scid)];
                path_with_fees(&hops, part_msat, 40, 100, 0, 40)
            })
            .collect(),
    }
}

#[test]
fn three_parts_over_three_paths_complete_one_payment() {
    let (mut net, mut legs) = mesh();
    // E cannot forward to D (D funded that channel): use B, C and B again with a second
    // part over A-B? Keep three distinct paths: push liquidity to E first.
    legs.truncate(2);
    let extra = net.open(0, 3, 1_000_000, 0);
    let e_d = net.open(3, 4, 1_000_000, 0);
    legs.push((3, extra, e_d));
    let (hash, secret) = net.nodes[4]
        .manager
        .create_inbound_payment(Some(300_000), 86_400, START);
    let id = PaymentId([1; 32]);
    let route = route(&net, &legs, 100_000);
    net.nodes[0]
        .manager
        .send_payment(&route, hash, RecipientOnionFields::secret_only(secret), id)
        .expect("send");
    net.deliver();
    let claimable = net.events(4);
    let [Event::PaymentClaimable {
        amount_msat: 300_000,
        payment_preimage: Some(preimage),
        ..
    }] = claimable.as_slice()
    else {
        panic!("expected one PaymentClaimable for the sum, got {claimable:?}");
    };
    let preimage = *preimage;
    net.nodes[4].manager.claim_funds(preimage).expect("claim");
    net.deliver();
    assert_eq!(
        net.events(4),
        vec![Event::PaymentClaimed {
            payment_hash: hash,
            amount_msat: 300_000
        }]
    );
    assert_eq!(
        net.events(0),
        vec![Event::PaymentSent {
            payment_id: id,
            payment_hash: hash,
            payment_preimage: preimage,
            fee_paid_msat: Some(300),
        }]
    );
    for middle in 1..=3 {
        let forwarded = net.events(middle);
        assert!(
            matches!(
                forwarded.as_slice(),
                [Event::PaymentForwarded {
                    fee_earned_msat: 100,
                    ..
                }]
            ),
            "{forwarded:?}"
        );
    }
}

#[test]
fn incomplete_set_times_out_and_fails_every_part_back() {
    let (mut net, legs) = mesh();
    let (hash, secret) = net.nodes[4]
        .manager
        .create_inbound_payment(Some(300_000), 86_400, START);
    let id = PaymentId([2; 32]);
    let route = route(&net, &legs, 100_000);
    net.nodes[0]
        .manager
        .send_payment(&route, hash, RecipientOnionFields::secret_only(secret), id)
        .expect("send");
    net.deliver();
    // The part through E failed at E; two parts wait at D.
    let first = net.events(0);
    let [Event::PaymentPathFailed {
        reason:
            PaymentFailureReason::HopFailed {
                hop_index: 0,
                failure: Some(message),
                ..
            },
        will_retry: false,
        ..
    }] = first.as_slice()
    else {
        panic!("expected the part through E to fail, got {first:?}");
    };
    assert!(matches!(
        message.failure,
        Failure::TemporaryChannelFailure { .. }
    ));
    assert!(net.events(4).is_empty(), "incomplete: nothing claimable");
    net.nodes[4].manager.timer_tick_occurred();
    net.deliver();
    assert!(net.events(0).is_empty(), "still waiting after one tick");
    net.nodes[4].manager.timer_tick_occurred();
    net.deliver();
    assert_eq!(
        net.events(4),
        vec![Event::PaymentReceiveFailed {
            payment_hash: hash,
            received_msat: 200_000
        }]
    );
    let failed = net.events(0);
    let timeouts = failed
        .iter()
        .filter(|event| {
            matches!(event,
                Event::PaymentPathFailed { reason: PaymentFailureReason::HopFailed { is_recipient: true, failure: Some(m), .. }, .. }
                | Event::PaymentFailed { reason: PaymentFailureReason::HopFailed { is_recipient: true, failure: Some(m), .. }, .. }
                if m.failure == Failure::MppTimeout)
        })
        .count();
    // One part reports mpp_timeout as a path failure; the last one ends the payment, whose
    // reason stays the first failure that made it give up (the part through E).
    assert_eq!(timeouts, 1, "{failed:?}");
    assert!(matches!(
        failed.last(),
        Some(Event::PaymentFailed { payment_id, reason: PaymentFailureReason::HopFailed { hop_index: 0, .. }, .. })
            if *payment_id == id
    ));
    let final_events: Vec<_> = failed
        .iter()
        .filter(|event| {
            matches!(
                event,
                Event::PaymentFailed { .. } | Event::PaymentSent { .. }
            )
        })
        .collect();
    assert_eq!(
        final_events.len(),
        1,
        "exactly one PaymentFailed: {failed:?}"
    );
    // Every HTLC is gone; A has its balance back.
    for (_, first, _) in &legs {
        assert_eq!(net.balance_msat(0, first.id), 1_000_000_000);
    }
}
