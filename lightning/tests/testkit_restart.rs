//! The testkit's crash-and-restart, snapshots, dropping a connection at a chosen message, and
//! payment scripts across a topology.

use lightning::manager::Event;
use lightning::testkit::network::{MonitorPolicy, Network, PaymentScript, ScriptStep, StepOutcome};

const FUNDING_SAT: u64 = 1_000_000;
const COMMITMENT_SIGNED: u16 = 132;
const REVOKE_AND_ACK: u16 = 133;

fn assert_channels_agree(net: &Network) {
    for a in 0..net.node_count() {
        for channel in net.node(a).channels() {
            let b = net.index_of(&channel.counterparty_node_id).unwrap();
            let other = net.node(b).channel(channel.channel_id).expect("both sides");
            assert_eq!(
                channel.balance_msat + other.balance_msat,
                channel.channel_value_satoshis * 1000,
                "channel {a}-{b}"
            );
            assert!(channel.is_usable, "{channel:?}");
            assert_eq!(channel.pending_htlcs, 0, "{channel:?}");
        }
    }
}

#[test]
fn quiet_node_restarts_and_keeps_paying() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, 10_000_000).expect("first payment");
    let points = net.persistence_points(1);
    assert!(points > 0);
    net.crash_and_restart(1).expect("restart");
    assert_eq!(net.node(1).restarts(), 1);
    assert!(net.is_connected(0, 1), "the restarted node reconnects");
    net.run_until_quiet();
    assert!(
        net.persistence_points(1) > points,
        "the restart writes the manager"
    );
    assert_eq!(net.balance_msat(1, channel), Some(10_000_000));
    net.pay(0, 1, 5_000_000).expect("payment after the restart");
    net.pay(1, 0, 2_000_000)
        .expect("payment from the restarted node");
    assert_eq!(net.balance_msat(1, channel), Some(13_000_000));
    assert!(net.node(1).broadcasts().is_empty());
    assert!(net.node(1).monitor_errors().is_empty());
    assert_channels_agree(&net);
}

#[test]
fn snapshot_holds_the_manager_and_the_monitors() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, 10_000_000).expect("payment");
    let snapshot = net.snapshot(1);
    assert!(snapshot.manager_bytes().is_some());
    assert_eq!(snapshot.persistence_points(), net.persistence_points(1));
    let namespaces: Vec<&str> = snapshot.store().entries().map(|(ns, _)| ns).collect();
    assert!(namespaces.contains(&"monitors"), "{namespaces:?}");
    // Restoring an up-to-date snapshot loses nothing.
    net.restore(1, &snapshot).expect("restore");
    net.run_until_quiet();
    assert_eq!(net.balance_msat(1, channel), Some(10_000_000));
    net.pay(0, 1, 1_000_000).expect("payment after restoring");
    assert!(net.take_closures(1, channel).is_empty());
}

#[test]
fn connection_dropped_at_a_chosen_message_and_the_payment_resumes() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    let pending = net.send_payment(0, 1, 7_000_000).expect("send");
    assert!(net.drop_connection_at_message(1, 0, REVOKE_AND_ACK));
    assert!(!net.is_connected(0, 1));
    assert!(net.disconnections().last().unwrap().dropped_messages >= 1);
    net.connect(0, 1);
    net.run_until_quiet();
    assert!(net.claim_payment(1, pending.payment_hash));
    net.run_until_quiet();
    assert!(net.node(0).events().iter().any(
        |e| matches!(e, Event::PaymentSent { payment_id, .. } if *payment_id == pending.payment_id)
    ));
    assert_eq!(net.balance_msat(1, channel), Some(7_000_000));
    assert_channels_agree(&net);
}

#[test]
fn run_until_message_stops_before_it() {
    let mut net = Network::new(2);
    net.open_channel(0, 1, FUNDING_SAT, 0);
    net.send_payment(0, 1, 1_000_000).expect("send");
    assert!(net.run_until_message(0, 1, COMMITMENT_SIGNED));
    assert_eq!(net.next_message_type(0, 1), Some(COMMITMENT_SIGNED));
    // A message that never comes: the network goes quiet.
    net.run_until_quiet();
    assert!(!net.run_until_message(0, 1, 39));
}

#[test]
fn crash_with_monitor_updates_in_progress() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.set_monitor_policy(1, MonitorPolicy::Hold);
    let pending = net.send_payment(0, 1, 3_000_000).expect("send");
    net.run_until_quiet();
    assert!(!net.node(1).held_monitor_updates().is_empty());
    // The writes are in the store; only their completion was held.
    net.crash_and_restart(1).expect("restart");
    assert!(net.node(1).held_monitor_updates().is_empty());
    net.set_monitor_policy(1, MonitorPolicy::CompleteImmediately);
    net.run_until_quiet();
    assert!(net.claim_payment(1, pending.payment_hash));
    net.run_until_quiet();
    assert_eq!(net.balance_msat(1, channel), Some(3_000_000));
    assert_channels_agree(&net);
}

/// A 5-node mesh: a ring 0-1-2-3-4-0 and the chords 0-2 and 1-3.
fn mesh_script() -> PaymentScript {
    let channels = vec![
        (0, 1, FUNDING_SAT, 0),
        (1, 2, FUNDING_SAT, 0),
        (2, 3, FUNDING_SAT, 0),
        (3, 4, FUNDING_SAT, 0),
        (4, 0, FUNDING_SAT, 0),
        (0, 2, FUNDING_SAT, 0),
        (1, 3, FUNDING_SAT, 0),
    ];
    PaymentScript::with_channels(channels)
        .pay(0, 3, 20_000_000)
        .pay(0, 4, 15_000_000)
        .pay(1, 4, 10_000_000)
        .pay(3, 1, 2_000_000)
        .then(ScriptStep::CrashAndRestart(2))
        .pay(0, 2, 5_000_000)
        .pay(4, 2, 1_000_000)
        .then(ScriptStep::Disconnect(0, 2))
        .pay(0, 2, 4_000_000)
        .then(ScriptStep::Connect(0, 2))
        .then(ScriptStep::TimerTick)
        .pay(2, 0, 8_000_000)
        .pay(0, 1, 1_500_000_000)
}

#[test]
fn payment_script_on_a_five_node_mesh() {
    let mut net = Network::new(5);
    let report = net.run_script(&mesh_script());
    assert_eq!(report.channels.len(), 7);
    assert_eq!(report.outcomes.len(), 13);
    let routes: Vec<Option<&Vec<usize>>> = report
        .outcomes
        .iter()
        .map(|o| match o {
            StepOutcome::Paid { route, .. } => Some(route),
            _ => None,
        })
        .collect();
    // 0→3 needs a forward (no 0-3 channel).
    assert_eq!(routes[0].map(Vec::len), Some(3));
    assert!(
        routes[3].is_some(),
        "3 pays 1 back: {:?}",
        report.outcomes[3]
    );
    // With 0-2 down, 0 pays 2 through a neighbour.
    assert_eq!(routes[8].map(Vec::len), Some(3), "{:?}", report.outcomes[8]);
    // More than any channel holds: no route.
    assert_eq!(report.outcomes[12], StepOutcome::NoRoute);
    assert_eq!(report.paid(), 8, "{:?}", report.outcomes);
    for (index, outcome) in report.outcomes.iter().enumerate() {
        if let StepOutcome::Paid { route, outcome } = outcome {
            let fee = outcome.fee_paid_msat.unwrap_or(0);
            assert_eq!(
                fee > 0,
                route.len() > 2,
                "step {index}: {route:?} paid {fee}"
            );
        }
    }
    assert_eq!(net.node(2).restarts(), 1);
    for node in 0..5 {
        assert!(net.node(node).broadcasts().len() <= 2, "only funding");
        assert!(!net
            .node(node)
            .events()
            .iter()
            .any(|e| matches!(e, Event::ChannelClosed { .. })));
    }
    assert_channels_agree(&net);
}

#[test]
fn the_same_script_gives_the_same_run() {
    let script = mesh_script();
    let first = Network::new(5).run_script(&script);
    let second = Network::new(5).run_script(&script);
    assert_eq!(first, second);
}
