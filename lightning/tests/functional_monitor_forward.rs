//! Functional test through the testkit network with channel monitors: a forward A -> B -> C
//! where C claims but its channel to B closes before the fulfil reaches B. C claims the HTLC
//! on chain with the preimage; B's monitor learns it there and B settles upstream with A.

use lightning::manager::{Event, PaymentId, RecipientOnionFields};
use lightning::monitor::MonitorEvent;
use lightning::routing::{Path, Route, RouteHop};
use lightning::testkit::network::Network;

const FUNDING_SAT: u64 = 1_000_000;
const AMOUNT_MSAT: u64 = 20_000_000;

#[test]
fn preimage_learnt_on_chain_settles_the_forward_upstream() {
    let mut net = Network::new(3);
    let ab = net.open_channel(0, 1, FUNDING_SAT, 0);
    let bc = net.open_channel(1, 2, FUNDING_SAT, 0);
    let (b_id, c_id) = (net.node(1).node_id(), net.node(2).node_id());
    let ab_scid = net.node(0).channel(ab).unwrap().short_channel_id.unwrap();
    let bc_scid = net.node(1).channel(bc).unwrap().short_channel_id.unwrap();
    let policy = net.node(1).manager().config().forwarding_policy;
    let fee = policy.fee_msat(AMOUNT_MSAT).unwrap();
    let final_delta = net.node(2).manager().config().min_final_cltv_expiry_delta;
    let route = Route {
        paths: vec![Path {
            hops: vec![
                RouteHop {
                    node_id: b_id,
                    short_channel_id: ab_scid,
                    fee_msat: fee,
                    cltv_expiry_delta: u32::from(policy.cltv_expiry_delta),
                },
                RouteHop {
                    node_id: c_id,
                    short_channel_id: bc_scid,
                    fee_msat: AMOUNT_MSAT,
                    cltv_expiry_delta: final_delta,
                },
            ],
        }],
    };
    let now = net.now();
    let (payment_hash, secret) =
        net.node_mut(2)
            .manager_mut()
            .create_inbound_payment(Some(AMOUNT_MSAT), 3600, now);
    let payment_id = PaymentId([7; 32]);
    net.node_mut(0)
        .manager_mut()
        .send_payment(
            &route,
            payment_hash,
            RecipientOnionFields::secret_only(secret),
            payment_id,
        )
        .expect("payment starts");
    net.run_until_quiet();

    // C claims, but its fulfil never reaches B: the direction is held, then the connection
    // drops, then C force closes.
    net.hold(2, 1);
    assert!(net.claim_payment(2, payment_hash), "C can claim");
    net.run_until_quiet();
    net.drop_connection(1, 2);
    net.node_mut(2)
        .manager_mut()
        .force_close_channel(bc, b_id)
        .expect("C force closes");
    net.run_until_quiet();
    assert!(
        !net.node(0)
            .events()
            .iter()
            .any(|event| matches!(event, Event::PaymentSent { .. })),
        "nothing settled off chain"
    );

    for _ in 0..12 {
        net.mine_blocks(1);
    }

    let learnt = net.node(1).monitor_events().iter().any(|event| {
        matches!(event, MonitorEvent::HtlcResolved { channel_id, payment_hash: hash, .. }
            if *channel_id == bc && *hash == payment_hash)
    });
    assert!(
        learnt,
        "B's monitor learnt the preimage on chain: {:?}",
        net.node(1).monitor_events()
    );
    let forwarded = net.node_mut(1).take_events_where(|event| {
        matches!(event, Event::PaymentForwarded { prev_channel_id, next_channel_id, .. }
            if *prev_channel_id == ab && *next_channel_id == bc)
    });
    assert_eq!(forwarded.len(), 1, "B reports the forward once");
    let sent = net.node_mut(0).take_events_where(
        |event| matches!(event, Event::PaymentSent { payment_id: id, .. } if *id == payment_id),
    );
    assert_eq!(sent.len(), 1, "A gets PaymentSent once");
    for node in 0..3 {
        assert!(net.node(node).monitor_errors().is_empty(), "node {node}");
    }
    // The A-B channel goes on: B was paid the forwarded amount plus its fee.
    assert_eq!(
        net.balance_msat(1, ab),
        Some(AMOUNT_MSAT + fee),
        "B's balance on A-B"
    );
    assert_eq!(
        net.balance_msat(0, ab),
        Some(FUNDING_SAT * 1000 - AMOUNT_MSAT - fee),
        "A's balance on A-B"
    );
}
