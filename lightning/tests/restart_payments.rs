//! Restarts: the `ChannelManager` is encoded after every step of concurrent payments, the
//! node is dropped and decoded, reconnects and continues: no HTLC lost, no force close,
//! exactly one outcome per payment. Also a node restored from an old state (data loss).

mod reestablish_support;

use lightning::manager::{ChannelManager, ClosureReason, Event, ManagerDecodeError};
use lightning::wire::Message;
use reestablish_support::{params, Net};

fn funded_net() -> Net {
    let mut net = Net::new();
    net.start_payment(0, 400_000_000, 100);
    net.run();
    net
}

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
fn encode_decode_round_trip_is_stable() {
    let mut net = funded_net();
    start_scenario(&mut net);
    for _ in 0..7 {
        net.step();
    }
    // Compare with the live nodes in the same (disconnected) situation.
    net.disconnect();
    for i in 0..2 {
        let saved = net.nodes[i].manager.encode();
        let decoded = ChannelManager::decode(&saved, params(net.seeds[i])).expect("decode");
        // Decoding is a disconnect (the peer's uncommitted updates are forgotten), so the
        // first re-encoding may differ; from then on it is a fixed point.
        let once = decoded.encode();
        let twice = ChannelManager::decode(&once, params(net.seeds[i]))
            .expect("decode again")
            .encode();
        assert_eq!(once, twice, "re-encoding gives the same bytes");
        let before = net.nodes[i].manager.list_channels();
        let after = decoded.list_channels();
        assert_eq!(before.len(), after.len());
        assert_eq!(before[0].balance_msat, after[0].balance_msat);
        assert_eq!(before[0].pending_htlcs, after[0].pending_htlcs);
        assert!(
            !after[0].is_usable,
            "a restored channel waits for the reestablish"
        );
    }
}

#[test]
fn quiescent_manager_round_trips_byte_for_byte() {
    let net = funded_net();
    for i in 0..2 {
        let saved = net.nodes[i].manager.encode();
        let decoded = ChannelManager::decode(&saved, params(net.seeds[i])).expect("decode");
        assert_eq!(decoded.encode(), saved);
    }
}

#[test]
fn decode_refuses_bad_input() {
    let net = funded_net();
    let saved = net.nodes[0].manager.encode();
    assert!(matches!(
        ChannelManager::decode(&[], params(1)),
        Err(ManagerDecodeError::Empty)
    ));
    let mut wrong_version = saved.clone();
    wrong_version[0] = 99;
    assert!(matches!(
        ChannelManager::decode(&wrong_version, params(1)),
        Err(ManagerDecodeError::UnknownVersion(99))
    ));
    assert!(matches!(
        ChannelManager::decode(&saved, params(2)),
        Err(ManagerDecodeError::WrongNode)
    ));
    for len in [1, saved.len() / 3, saved.len() - 1] {
        assert!(ChannelManager::decode(&saved[..len], params(1)).is_err());
    }
}

#[test]
fn restart_after_every_step_of_concurrent_payments() {
    let total = {
        let mut net = funded_net();
        start_scenario(&mut net);
        net.run()
    };
    for node in 0..2 {
        for cut in 0..=total {
            let mut net = funded_net();
            let payments = start_scenario(&mut net);
            for _ in 0..cut {
                net.step();
            }
            // The node saved its state after its last call, then crashed: its output in
            // flight is lost with the connection.
            let saved = net.nodes[node].manager.encode();
            net.restart(node, &saved);
            net.reconnect();
            net.run();
            assert_completed(&net, &payments);
        }
    }
}

#[test]
fn unhandled_events_are_replayed_after_restart() {
    let mut net = funded_net();
    net.auto_claim = false;
    let hash = net.start_payment(0, 7_000_000, 7);
    // Deliver without draining node 1's events.
    loop {
        let mut delivered = false;
        for to in 0..2 {
            if let Some(message) = net.inbox[to].pop_front() {
                let from = net.nodes[1 - to].id;
                net.nodes[to]
                    .manager
                    .handle_message(from, message)
                    .expect("ok");
                delivered = true;
            }
            while let Some(update) = net.nodes[to].manager.poll_monitor_update() {
                net.nodes[to]
                    .manager
                    .monitor_update_completed(update.channel_id, update.update_id);
            }
            while let Some((_, message)) = net.nodes[to].manager.poll_message() {
                net.inbox[1 - to].push_back(message);
            }
        }
        if !delivered {
            break;
        }
    }
    let saved = net.nodes[1].manager.encode();
    let mut restored = ChannelManager::decode(&saved, params(2)).expect("decode");
    let replayed: Vec<Event> = std::iter::from_fn(|| restored.next_event()).collect();
    let original: Vec<Event> = std::iter::from_fn(|| net.nodes[1].manager.next_event()).collect();
    assert_eq!(replayed, original);
    let preimage = replayed
        .iter()
        .find_map(|e| match e {
            Event::PaymentClaimable {
                payment_hash,
                payment_preimage,
                ..
            } if *payment_hash == hash => *payment_preimage,
            _ => None,
        })
        .expect("PaymentClaimable replayed");
    // Claim on the restored node after reconnecting.
    net.nodes[1].manager = restored;
    net.disconnect();
    net.reconnect();
    net.run();
    net.nodes[1]
        .manager
        .claim_funds(preimage)
        .expect("claim after restart");
    net.auto_claim = true;
    net.run();
    assert_eq!(net.outcomes(0, 7), (1, 0));
    assert_eq!(net.claimed(1, hash), 1);
    net.assert_agree();
}

#[test]
fn payment_ids_survive_a_restart() {
    let mut net = funded_net();
    let hash = net.start_payment(0, 3_000_000, 9);
    net.step();
    let saved = net.nodes[0].manager.encode();
    net.restart(0, &saved);
    net.reconnect();
    net.run();
    assert_eq!(net.outcomes(0, 9), (1, 0));
    // The id is still known after another restart: a second payment with it is refused.
    let saved = net.nodes[0].manager.encode();
    net.restart(0, &saved);
    net.reconnect();
    net.run();
    let (hash2, secret) =
        net.nodes[1]
            .manager
            .create_inbound_payment(Some(1_000), 3600, reestablish_support::START);
    let peer = net.nodes[1].id;
    let again = net.nodes[0].manager.send_payment_to_peer(
        peer,
        1_000,
        40,
        hash2,
        lightning::manager::RecipientOnionFields::secret_only(secret),
        lightning::manager::PaymentId([9; 32]),
    );
    assert_eq!(again, Err(lightning::manager::SendError::DuplicatePayment));
    assert_eq!(net.claimed(1, hash), 1);
}

#[test]
fn node_restored_from_an_old_state_does_not_broadcast_and_asks_to_close() {
    let mut net = funded_net();
    let old = net.nodes[1].manager.encode();
    net.start_payment(0, 10_000_000, 1);
    net.run();
    net.start_payment(1, 2_000_000, 2);
    net.run();
    assert_eq!(net.outcomes(0, 1), (1, 0));
    // Node 1 loses its recent state.
    net.restart(1, &old);
    net.connected = true;
    let init = lightning::wire::Init {
        features: lightning::manager::our_init_features(),
        ..Default::default()
    };
    let (a, b) = (net.nodes[0].id, net.nodes[1].id);
    net.nodes[0].manager.peer_connected(b, &init);
    net.nodes[1].manager.peer_connected(a, &init);
    net.pump();
    // Node 1 handles node 0's reestablish first: it learns it is behind.
    let from_0 = net.inbox[1].pop_front().expect("reestablish from node 0");
    assert!(matches!(from_0, Message::ChannelReestablish(_)));
    net.nodes[1]
        .manager
        .handle_message(a, from_0)
        .expect("handled");
    net.pump();
    assert_eq!(net.broadcasts[1], 0, "the stale node must not broadcast");
    assert!(net.events[1].iter().any(|e| matches!(
        e,
        Event::ChannelClosed {
            reason: ClosureReason::ProtocolError(
                lightning::channel::CloseReason::StaleLocalState { .. }
            ),
            ..
        }
    )));
    let error = net.inbox[0]
        .iter()
        .find(|m| matches!(m, Message::Error(_)))
        .cloned()
        .expect("the stale node asks the peer to close");
    // The peer closes on that error and broadcasts its (latest) commitment.
    net.inbox[0].clear();
    net.nodes[0]
        .manager
        .handle_message(b, error)
        .expect("handled");
    net.pump();
    assert_eq!(
        net.broadcasts[0], 1,
        "the up-to-date peer broadcasts its commitment"
    );
    assert_eq!(net.broadcasts[1], 0);
}

#[test]
fn peer_that_is_behind_gets_its_channel_closed_by_us() {
    let mut net = funded_net();
    let old = net.nodes[1].manager.encode();
    net.start_payment(0, 10_000_000, 1);
    net.run();
    net.restart(1, &old);
    net.connected = true;
    let init = lightning::wire::Init {
        features: lightning::manager::our_init_features(),
        ..Default::default()
    };
    let (a, b) = (net.nodes[0].id, net.nodes[1].id);
    net.nodes[0].manager.peer_connected(b, &init);
    net.nodes[1].manager.peer_connected(a, &init);
    net.pump();
    // Node 0 sees node 1's stale numbers first: BOLT 2 says fail the channel.
    let from_1 = net.inbox[0].pop_front().expect("reestablish from node 1");
    let _ = net.nodes[0].manager.handle_message(b, from_1);
    net.pump();
    assert_eq!(net.broadcasts[0], 1, "we broadcast our latest commitment");
    // The stale node learns it is behind from our reestablish and does not broadcast.
    while let Some(m) = net.inbox[1].pop_front() {
        let _ = net.nodes[1].manager.handle_message(a, m);
        net.pump();
    }
    assert_eq!(net.broadcasts[1], 0);
}
