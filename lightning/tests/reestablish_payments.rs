//! `channel_reestablish` through two `ChannelManager`s: a disconnect after every single
//! message of several concurrent payments, disconnects while a monitor update is held, and
//! random disconnect points.

mod reestablish_support;

use proptest::prelude::*;
use reestablish_support::Net;

/// Node 1 gets a balance first, so both directions can pay.
fn funded_net() -> Net {
    let mut net = Net::new();
    net.start_payment(0, 400_000_000, 100);
    net.run();
    assert_eq!(net.outcomes(0, 100), (1, 0));
    net
}

/// Starts three payments (two 0 → 1, one 1 → 0) at once.
fn start_scenario(net: &mut Net) -> Vec<(usize, u8, lightning::wire::PaymentHash)> {
    vec![
        (0, 1, net.start_payment(0, 10_000_000, 1)),
        (0, 2, net.start_payment(0, 20_000_000, 2)),
        (1, 3, net.start_payment(1, 5_000_000, 3)),
    ]
}

fn assert_completed(net: &Net, payments: &[(usize, u8, lightning::wire::PaymentHash)]) {
    for (from, id, hash) in payments {
        assert_eq!(net.outcomes(*from, *id), (1, 0), "payment {id}");
        assert_eq!(net.claimed(1 - from, *hash), 1, "payment {id} claimed once");
    }
    net.assert_agree();
}

#[test]
fn scenario_completes_without_disconnect() {
    let mut net = funded_net();
    let payments = start_scenario(&mut net);
    let steps = net.run();
    assert!(steps > 10, "{steps}");
    assert_completed(&net, &payments);
}

#[test]
fn disconnect_after_every_message_then_reconnect() {
    let total = {
        let mut net = funded_net();
        start_scenario(&mut net);
        net.run()
    };
    for cut in 0..=total {
        let mut net = funded_net();
        let payments = start_scenario(&mut net);
        for _ in 0..cut {
            net.step();
        }
        net.disconnect();
        net.reconnect();
        net.run();
        assert_completed(&net, &payments);
    }
}

#[test]
fn two_disconnects_in_a_row_at_every_point() {
    let total = {
        let mut net = funded_net();
        start_scenario(&mut net);
        net.run()
    };
    for cut in 0..=total {
        let mut net = funded_net();
        let payments = start_scenario(&mut net);
        for _ in 0..cut {
            net.step();
        }
        net.disconnect();
        net.reconnect();
        // Only the reestablish messages get through before the next drop.
        net.step();
        net.step();
        net.disconnect();
        net.reconnect();
        net.run();
        assert_completed(&net, &payments);
    }
}

#[test]
fn disconnect_while_a_monitor_update_is_held() {
    for holder in 0..2 {
        let total = {
            let mut net = funded_net();
            start_scenario(&mut net);
            net.run()
        };
        for cut in 0..total {
            let mut net = funded_net();
            net.hold[holder] = true;
            let payments = start_scenario(&mut net);
            for _ in 0..cut {
                net.step();
            }
            net.disconnect();
            net.reconnect();
            net.run();
            // Held messages stay held across the reconnection; releasing completes it.
            net.release(holder);
            net.run();
            assert_completed(&net, &payments);
        }
    }
}

#[test]
fn reestablish_is_the_first_message_after_reconnect() {
    let mut net = funded_net();
    start_scenario(&mut net);
    net.step();
    net.step();
    net.disconnect();
    net.reconnect();
    for inbox in &net.inbox {
        assert!(matches!(
            inbox.front(),
            Some(lightning::wire::Message::ChannelReestablish(_))
        ));
        assert_eq!(inbox.len(), 1, "nothing else before the peer's reestablish");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_payments_and_disconnects_reconverge(
        amounts in proptest::collection::vec((0usize..2, 1_000u64..20_000_000), 1..5),
        cuts in proptest::collection::vec(0usize..40, 0..4),
        hold in proptest::option::of(0usize..2),
    ) {
        let mut net = funded_net();
        if let Some(i) = hold {
            net.hold[i] = true;
        }
        let mut payments = Vec::new();
        for (index, (from, amount)) in amounts.iter().enumerate() {
            let id = 10 + index as u8;
            payments.push((*from, id, net.start_payment(*from, *amount, id)));
        }
        for cut in cuts {
            for _ in 0..cut {
                net.step();
            }
            net.disconnect();
            net.reconnect();
        }
        net.run();
        if let Some(i) = hold {
            net.release(i);
            net.run();
        }
        assert_completed(&net, &payments);
    }
}
