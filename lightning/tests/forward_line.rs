//! Forwarding along a line of four nodes A-B-C-D: fees per policy, failures attributed to
//! the hop that made them.

mod payments_support;

use lightning::manager::{
    Event, ForwardingPolicy, ManagerConfig, PaymentFailureReason, PaymentId, RecipientOnionFields,
};
use lightning::onion::Failure;
use lightning::routing::{Path, Route};
use lightning::wire::ShortChannelId;
use payments_support::{path_with_fees, Chan, Net, START};

const POLICY: ForwardingPolicy = ForwardingPolicy {
    fee_base_msat: 1_000,
    fee_proportional_millionths: 1_000,
    cltv_expiry_delta: 40,
};

fn line() -> (Net, [Chan; 3]) {
    let config = ManagerConfig {
        forwarding_policy: POLICY,
        ..Default::default()
    };
    let mut net = Net::new(4, config);
    let ab = net.open(0, 1, 1_000_000, 0);
    let bc = net.open(1, 2, 1_000_000, 0);
    let cd = net.open(2, 3, 1_000_000, 0);
    (net, [ab, bc, cd])
}

fn path_to_d(net: &Net, chans: &[Chan; 3], amount_msat: u64) -> Path {
    let hops = [
        (net.id(1), chans[0].scid),
        (net.id(2), chans[1].scid),
        (net.id(3), chans[2].scid),
    ];
    path_with_fees(
        &hops,
        amount_msat,
        40,
        u64::from(POLICY.fee_base_msat),
        u64::from(POLICY.fee_proportional_millionths),
        u32::from(POLICY.cltv_expiry_delta),
    )
}

#[test]
fn payment_across_three_hops_pays_forwarding_fees() {
    let (mut net, chans) = line();
    let amount = 2_000_000;
    let (hash, secret) = net.nodes[3]
        .manager
        .create_inbound_payment(Some(amount), 86_400, START);
    let path = path_to_d(&net, &chans, amount);
    // C forwards 2,000,000: 1,000 + 2,000 = 3,000; B forwards 2,003,000: 1,000 + 2,003.
    assert_eq!(path.hops[1].fee_msat, 3_000);
    assert_eq!(path.hops[0].fee_msat, 3_003);
    let id = PaymentId([1; 32]);
    net.nodes[0]
        .manager
        .send_payment(
            &Route::single(path),
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
        )
        .expect("send");
    net.deliver();
    let claimable = net.events(3);
    let [Event::PaymentClaimable {
        amount_msat,
        payment_preimage: Some(preimage),
        ..
    }] = claimable.as_slice()
    else {
        panic!("expected PaymentClaimable, got {claimable:?}");
    };
    assert_eq!(*amount_msat, amount);
    let preimage = *preimage;
    net.nodes[3].manager.claim_funds(preimage).expect("claim");
    net.deliver();
    assert_eq!(
        net.events(0),
        vec![Event::PaymentSent {
            payment_id: id,
            payment_hash: hash,
            payment_preimage: preimage,
            fee_paid_msat: Some(6_003),
        }]
    );
    assert_eq!(
        net.events(1),
        vec![Event::PaymentForwarded {
            prev_channel_id: chans[0].id,
            next_channel_id: chans[1].id,
            fee_earned_msat: 3_003,
            outbound_amount_msat: 2_003_000,
        }]
    );
    assert_eq!(
        net.events(2),
        vec![Event::PaymentForwarded {
            prev_channel_id: chans[1].id,
            next_channel_id: chans[2].id,
            fee_earned_msat: 3_000,
            outbound_amount_msat: 2_000_000,
        }]
    );
    // Balances moved by exactly the forwarded amounts.
    let funded = 1_000_000_000;
    assert_eq!(net.balance_msat(0, chans[0].id), funded - 2_006_003);
    assert_eq!(net.balance_msat(1, chans[0].id), 2_006_003);
    assert_eq!(net.balance_msat(1, chans[1].id), funded - 2_003_000);
    assert_eq!(net.balance_msat(2, chans[2].id), funded - 2_000_000);
    assert_eq!(net.balance_msat(3, chans[2].id), 2_000_000);
    for node in 0..4 {
        for details in net.nodes[node].manager.list_channels() {
            assert_eq!(details.pending_htlcs, 0, "node {node} settled");
        }
    }
}

fn expect_failed_at(net: &mut Net, id: PaymentId, hop_index: usize) -> Failure {
    let failed = net.events(0);
    let [Event::PaymentFailed {
        payment_id,
        reason:
            PaymentFailureReason::HopFailed {
                hop_index: index,
                node_id,
                is_recipient,
                failure: Some(message),
            },
        ..
    }] = failed.as_slice()
    else {
        panic!("expected an attributed PaymentFailed, got {failed:?}");
    };
    assert_eq!(*payment_id, id);
    assert_eq!(*index, hop_index);
    assert_eq!(*node_id, Some(net.id(hop_index + 1)));
    assert!(!is_recipient);
    message.failure.clone()
}

#[test]
fn unknown_next_channel_at_c_is_attributed_to_c() {
    let (mut net, chans) = line();
    let (hash, secret) = net.nodes[3]
        .manager
        .create_inbound_payment(None, 86_400, START);
    let mut path = path_to_d(&net, &chans, 50_000);
    path.hops[2].short_channel_id = ShortChannelId(0x0102_0304);
    let id = PaymentId([2; 32]);
    net.nodes[0]
        .manager
        .send_payment(
            &Route::single(path),
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
        )
        .unwrap();
    net.deliver();
    assert_eq!(expect_failed_at(&mut net, id, 1), Failure::UnknownNextPeer);
    assert!(net.events(3).is_empty());
    assert!(net.events(1).is_empty(), "no forward settled at B");
    // Everything is back where it was.
    assert_eq!(net.balance_msat(0, chans[0].id), 1_000_000_000);
    assert_eq!(net.balance_msat(1, chans[1].id), 1_000_000_000);
}

#[test]
fn insufficient_fee_for_c_fails_at_c_with_fee_insufficient() {
    let (mut net, chans) = line();
    let (hash, secret) = net.nodes[3]
        .manager
        .create_inbound_payment(None, 86_400, START);
    let mut path = path_to_d(&net, &chans, 50_000);
    // C asks 1,000 + 50 = 1,050; leave it 1 msat short.
    assert_eq!(path.hops[1].fee_msat, 1_050);
    path.hops[1].fee_msat -= 1;
    let id = PaymentId([3; 32]);
    net.nodes[0]
        .manager
        .send_payment(
            &Route::single(path),
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
        )
        .unwrap();
    net.deliver();
    let failure = expect_failed_at(&mut net, id, 1);
    assert_eq!(
        failure,
        Failure::FeeInsufficient {
            htlc_msat: 51_049,
            channel_update: vec![]
        }
    );
}

#[test]
fn short_cltv_delta_fails_with_incorrect_cltv_expiry_at_b() {
    let (mut net, chans) = line();
    let (hash, secret) = net.nodes[3]
        .manager
        .create_inbound_payment(None, 86_400, START);
    let mut path = path_to_d(&net, &chans, 50_000);
    path.hops[0].cltv_expiry_delta = 39;
    let id = PaymentId([4; 32]);
    net.nodes[0]
        .manager
        .send_payment(
            &Route::single(path),
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
        )
        .unwrap();
    net.deliver();
    let height = net.height;
    let failure = expect_failed_at(&mut net, id, 0);
    assert_eq!(
        failure,
        Failure::IncorrectCltvExpiry {
            cltv_expiry: height + 80,
            channel_update: vec![]
        }
    );
}

#[test]
fn recipient_refusal_travels_back_through_two_forwarders() {
    let (mut net, chans) = line();
    let (hash, secret) = net.nodes[3]
        .manager
        .create_inbound_payment(None, 86_400, START);
    let id = PaymentId([5; 32]);
    let path = path_to_d(&net, &chans, 70_000);
    net.nodes[0]
        .manager
        .send_payment(
            &Route::single(path),
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
        )
        .unwrap();
    net.deliver();
    assert!(matches!(
        net.events(3).as_slice(),
        [Event::PaymentClaimable { .. }]
    ));
    assert!(net.nodes[3].manager.fail_htlc_backwards(hash));
    net.deliver();
    let failed = net.events(0);
    let [Event::PaymentFailed {
        reason:
            PaymentFailureReason::HopFailed {
                hop_index: 2,
                is_recipient: true,
                failure: Some(message),
                ..
            },
        ..
    }] = failed.as_slice()
    else {
        panic!("{failed:?}");
    };
    assert!(matches!(
        message.failure,
        Failure::IncorrectOrUnknownPaymentDetails {
            htlc_msat: 70_000,
            ..
        }
    ));
}
