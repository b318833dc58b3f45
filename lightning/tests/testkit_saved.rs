//! The testkit's saved networks: a network at rest saved once, new networks started from it
//! as often as wanted, each the same as the others and independent of them.

use lightning::manager::Event;
use lightning::testkit::network::{MonitorPolicy, Network, SaveError, SavedNetwork};

const FUNDING_SAT: u64 = 1_000_000;

/// A line `0 — 1 — 2` with both channels open, saved.
fn saved_line() -> (SavedNetwork, [lightning::wire::ChannelId; 2]) {
    let mut net = Network::new(3);
    let first = net.open_channel(0, 1, FUNDING_SAT, 100_000_000);
    let second = net.open_channel(1, 2, FUNDING_SAT, 100_000_000);
    net.run_until_quiet();
    (net.save().expect("the line is at rest"), [first, second])
}

/// What a network's nodes hold, to compare networks: manager encodings, events, channels,
/// broadcasts, persistence points, and the chain's tip.
fn state_of(net: &Network) -> (Vec<Vec<u8>>, String, Vec<u64>) {
    let managers = (0..net.node_count())
        .map(|i| net.node(i).manager().encode())
        .collect();
    let records = (0..net.node_count())
        .map(|i| {
            let node = net.node(i);
            format!(
                "{:?} {:?} {:?}",
                node.events(),
                node.channels(),
                node.broadcasts()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
        + &format!("{:?}", net.chain().tip());
    let points = (0..net.node_count())
        .map(|i| net.persistence_points(i))
        .collect();
    (managers, records, points)
}

/// The same calls on a network: a direct payment, a forwarded one, a crash, a block.
fn exercise(net: &mut Network) {
    net.pay(0, 1, 5_000_000).expect("direct payment");
    net.pay_along(&[0, 1, 2], 3_000_000)
        .expect("forwarded payment");
    net.crash_and_restart(1).expect("node 1 restarts");
    net.mine_blocks(1);
    net.pay(2, 1, 1_000_000).expect("payment back");
}

#[test]
fn started_network_keeps_channels_balances_and_records() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, 10_000_000).expect("payment");
    let saved = net.save().expect("at rest");
    assert_eq!(saved.node_count(), 2);
    assert_eq!(saved.connected_pairs(), &[(0, 1)]);
    assert_eq!(saved.chain().tip(), net.chain().tip());
    assert!(saved.store(1).entries().next().is_some());

    let copy = Network::from_saved(&saved).expect("every node restarts");
    assert!(copy.is_connected(0, 1));
    assert_eq!(copy.now(), net.now());
    assert_eq!(copy.chain().tip(), net.chain().tip());
    for node in 0..2 {
        assert_eq!(copy.node(node).node_id(), net.node(node).node_id());
        assert_eq!(copy.node(node).restarts(), 0, "starting is not a restart");
        assert_eq!(copy.node(node).events(), net.node(node).events());
        assert_eq!(copy.node(node).broadcasts(), net.node(node).broadcasts());
        assert!(copy.persistence_points(node) >= net.persistence_points(node));
        let (theirs, ours) = (net.node(node).channels(), copy.node(node).channels());
        assert_eq!(theirs.len(), ours.len());
        assert!(ours.iter().all(|details| details.is_usable));
        assert_eq!(
            copy.node(node).wallet().balance(copy.chain()),
            net.node(node).wallet().balance(net.chain())
        );
    }
    assert_eq!(copy.balance_msat(1, channel), Some(10_000_000));
    assert_eq!(copy.balance_msat(0, channel), net.balance_msat(0, channel));
}

#[test]
fn networks_started_from_one_save_run_alike() {
    let (saved, _) = saved_line();
    let mut first = Network::from_saved(&saved).expect("start");
    assert_eq!(
        state_of(&first),
        state_of(&Network::from_saved(&saved).unwrap())
    );
    exercise(&mut first);
    // A network started after another one ran (and crashed a node, mined) starts the same.
    let mut second = Network::from_saved(&saved).expect("start again");
    exercise(&mut second);
    assert_eq!(state_of(&first), state_of(&second));
    // A clone of the saved network starts the same network too.
    let mut third = Network::from_saved(&saved.clone()).expect("start from a clone");
    exercise(&mut third);
    assert_eq!(state_of(&first), state_of(&third));
}

#[test]
fn started_networks_are_independent_of_each_other_and_of_the_original() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    let saved = net.save().expect("at rest");
    let original_tip = net.chain().tip();
    let mut copy = Network::from_saved(&saved).expect("start");
    copy.set_monitor_policy(1, MonitorPolicy::Hold);
    copy.mine_blocks(3);
    copy.pay(0, 1, 1_000_000)
        .expect_err("node 1 holds its updates");
    // Neither the original nor a new start sees the copy's blocks, payment or policy.
    assert_eq!(net.chain().tip(), original_tip);
    assert_eq!(saved.chain().tip(), original_tip);
    let mut other = Network::from_saved(&saved).expect("start");
    assert_eq!(other.chain().tip(), original_tip);
    assert_eq!(
        other.node(1).monitor_policy(),
        MonitorPolicy::CompleteImmediately
    );
    other
        .pay(0, 1, 1_000_000)
        .expect("payment in the other copy");
    assert_eq!(other.balance_msat(1, channel), Some(1_000_000));
    net.pay(0, 1, 2_000_000).expect("payment in the original");
    assert_eq!(net.balance_msat(1, channel), Some(2_000_000));
}

#[test]
fn started_network_saves_again_and_draws_fresh_randomness() {
    let (saved, _) = saved_line();
    let mut copy = Network::from_saved(&saved).expect("start");
    let first = copy
        .send_payment(0, 1, 1_000_000)
        .expect("invoice and send");
    copy.run_until_quiet();
    assert!(copy.claim_payment(1, first.payment_hash));
    copy.run_until_quiet();
    let saved_again = copy.save().expect("at rest");
    let mut deeper = Network::from_saved(&saved_again).expect("start from the second save");
    let second = deeper
        .send_payment(0, 1, 1_000_000)
        .expect("invoice and send");
    // The second-generation network's invoice is not the first one's again.
    assert_ne!(first.payment_hash, second.payment_hash);
    deeper.run_until_quiet();
    assert!(deeper.claim_payment(1, second.payment_hash));
    deeper.run_until_quiet();
    let sent = deeper.node(0).events().iter().filter(|event| {
        matches!(event, Event::PaymentSent { payment_hash, .. } if *payment_hash == second.payment_hash)
    });
    assert_eq!(sent.count(), 1);
}

#[test]
fn save_refuses_a_network_not_at_rest() {
    let mut net = Network::new(2);
    net.open_channel(0, 1, FUNDING_SAT, 0);

    net.hold(0, 1);
    net.send_payment(0, 1, 1_000_000).expect("send");
    net.run_until_quiet();
    assert_eq!(
        net.save().unwrap_err(),
        SaveError::MessagesInFlight { from: 0, to: 1 }
    );
    net.release(0, 1);
    net.run_until_quiet();
    assert!(net.save().is_ok());

    net.set_monitor_policy(1, MonitorPolicy::Hold);
    net.send_payment(0, 1, 1_000_000).expect("send");
    net.run_until_quiet();
    assert_eq!(
        net.save().unwrap_err(),
        SaveError::MonitorUpdatesHeld { node: 1 }
    );
    net.set_monitor_policy(1, MonitorPolicy::CompleteImmediately);
    net.complete_monitor_updates(
        1,
        lightning::testkit::network::Completion::All,
        lightning::testkit::network::CompletionOrder::OldestFirst,
    );
    net.run_until_quiet();

    net.crash_after_persistence_points(0, 3);
    assert_eq!(net.save().unwrap_err(), SaveError::CrashArmed { node: 0 });
}

#[test]
fn held_directions_stay_held_in_a_started_network() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.hold(1, 0);
    let saved = net.save().expect("nothing queued yet");
    let mut copy = Network::from_saved(&saved).expect("start");
    assert!(copy.is_held(1, 0));
    // The reestablish from node 1 waits on the held direction.
    assert!(copy.next_message(1, 0).is_some());
    copy.release(1, 0);
    copy.run_until_quiet();
    copy.pay(0, 1, 1_000_000).expect("payment once released");
    assert_eq!(copy.balance_msat(1, channel), Some(1_000_000));
}
