//! Spontaneous (keysend) payments A -> C via B.

mod payments_support;

use lightning::manager::{
    Event, ForwardingPolicy, ManagerConfig, PaymentFailureReason, PaymentId, RecipientOnionFields,
};
use lightning::onion::Failure;
use lightning::routing::Route;
use lightning::wire::PaymentPreimage;
use payments_support::{path_with_fees, Net};

fn line(accept_keysend: bool) -> (Net, Route) {
    let policy = ForwardingPolicy::default();
    let config = ManagerConfig {
        forwarding_policy: policy,
        ..Default::default()
    };
    let recipient = ManagerConfig {
        accept_keysend,
        ..config.clone()
    };
    let mut net = Net::with_configs(vec![config.clone(), config, recipient]);
    let ab = net.open(0, 1, 1_000_000, 0);
    let bc = net.open(1, 2, 1_000_000, 0);
    let hops = [(net.id(1), ab.scid), (net.id(2), bc.scid)];
    let path = path_with_fees(
        &hops,
        30_000,
        40,
        u64::from(policy.fee_base_msat),
        u64::from(policy.fee_proportional_millionths),
        u32::from(policy.cltv_expiry_delta),
    );
    (net, Route::single(path))
}

#[test]
fn keysend_via_a_forwarder_is_claimed_with_the_onion_preimage() {
    let (mut net, route) = line(true);
    let preimage = PaymentPreimage([0x42; 32]);
    let id = PaymentId([1; 32]);
    let hash = net.nodes[0]
        .manager
        .send_spontaneous_payment(&route, Some(preimage), RecipientOnionFields::default(), id)
        .expect("send");
    net.deliver();
    let claimable = net.events(2);
    let [Event::PaymentClaimable {
        payment_hash,
        amount_msat: 30_000,
        payment_preimage: Some(received),
        ..
    }] = claimable.as_slice()
    else {
        panic!("{claimable:?}");
    };
    assert_eq!((*payment_hash, *received), (hash, preimage));
    net.nodes[2].manager.claim_funds(preimage).expect("claim");
    net.deliver();
    assert!(matches!(
        net.events(0).as_slice(),
        [Event::PaymentSent { payment_id, payment_preimage, .. }] if *payment_id == id && *payment_preimage == preimage
    ));
    assert!(matches!(
        net.events(1).as_slice(),
        [Event::PaymentForwarded { .. }]
    ));
}

#[test]
fn keysend_is_refused_when_not_enabled() {
    let (mut net, route) = line(false);
    let id = PaymentId([2; 32]);
    net.nodes[0]
        .manager
        .send_spontaneous_payment(&route, None, RecipientOnionFields::default(), id)
        .expect("send");
    net.deliver();
    assert!(net.events(2).is_empty());
    let failed = net.events(0);
    assert!(
        matches!(
            failed.as_slice(),
            [Event::PaymentFailed { reason: PaymentFailureReason::HopFailed { is_recipient: true, failure: Some(m), .. }, .. }]
                if matches!(m.failure, Failure::IncorrectOrUnknownPaymentDetails { .. })
        ),
        "{failed:?}"
    );
}
