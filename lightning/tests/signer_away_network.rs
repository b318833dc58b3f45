//! A forwarding node whose signer goes away (a hardware signer waiting for its user, a remote
//! signer disconnected): its channels pause, nothing is lost or closed, and everything moves
//! on once the signer answers, also across a restart while it is away.

mod force_close_support;

use force_close_support::{count, failed, sent, FUNDING_SAT};
use lightning::manager::Event;
use lightning::testkit::network::Network;

const AMOUNT_MSAT: u64 = 20_000_000;

fn forwarded(net: &Network) -> usize {
    count(net, 1, |event| {
        matches!(event, Event::PaymentForwarded { .. })
    })
}

fn forward_while_the_forwarders_signer_is_away(restart_while_away: bool) {
    let mut net = Network::new(3);
    net.open_channel(0, 1, FUNDING_SAT, 0);
    net.open_channel(1, 2, FUNDING_SAT, 0);
    net.set_signer_pending(1, true);
    let pending = net
        .send_payment_along(&[0, 1, 2], AMOUNT_MSAT)
        .expect("send");
    net.run_until_quiet();
    // Node 1 cannot sign its commitments: the HTLC never reaches node 2.
    assert_eq!(
        count(&net, 2, |event| matches!(
            event,
            Event::PaymentClaimable { .. }
        )),
        0
    );
    if restart_while_away {
        net.crash_and_restart(1).expect("restart");
        net.run_until_quiet();
    }
    net.timer_tick();
    net.run_until_quiet();
    assert!(sent(&net, 0, pending.payment_id).is_empty());
    assert_eq!(failed(&net, 0, pending.payment_id), 0, "nothing failed");

    net.set_signer_pending(1, false);
    net.run_until_quiet();
    assert!(
        net.claim_payment(2, pending.payment_hash),
        "the payment reached node 2"
    );
    net.run_until_quiet();
    assert_eq!(sent(&net, 0, pending.payment_id).len(), 1, "sent once");
    assert_eq!(failed(&net, 0, pending.payment_id), 0);
    assert_eq!(forwarded(&net), 1, "node 1 forwarded it once");
    for node in 0..3 {
        let channels = net.node(node).manager().list_channels();
        assert!(
            channels
                .iter()
                .all(|channel| channel.is_usable && channel.pending_htlcs == 0),
            "node {node}: {channels:?}"
        );
        assert!(net.node(node).monitor_errors().is_empty(), "node {node}");
    }
}

#[test]
fn a_forward_waits_for_the_forwarders_signer_and_completes_after() {
    forward_while_the_forwarders_signer_is_away(false);
}

#[test]
fn a_forward_waits_across_a_restart_of_the_forwarder_while_its_signer_is_away() {
    forward_while_the_forwarders_signer_is_away(true);
}

#[test]
fn the_signer_going_away_in_the_middle_of_a_payment_loses_nothing() {
    signer_away_at_each_step(false);
}

#[test]
fn a_reconnection_while_the_signer_is_away_loses_nothing() {
    signer_away_at_each_step(true);
}

/// The signer leaves at every step of a direct payment's commitment dance in turn (and the
/// peers reconnect while it is away, if `reconnect`); once it is back the payment completes.
fn signer_away_at_each_step(reconnect: bool) {
    for away_after in 0..8 {
        let mut net = Network::new(2);
        net.open_channel(0, 1, FUNDING_SAT, 0);
        let pending = net.send_payment(0, 1, AMOUNT_MSAT).expect("send");
        for _ in 0..away_after {
            net.deliver_next(0, 1);
            net.collect_all();
            net.deliver_next(1, 0);
            net.collect_all();
        }
        net.set_signer_pending(0, true);
        net.set_signer_pending(1, true);
        net.run_until_quiet();
        if reconnect {
            net.drop_connection(0, 1);
            net.connect(0, 1);
            net.run_until_quiet();
        }
        net.set_signer_pending(0, false);
        net.set_signer_pending(1, false);
        net.run_until_quiet();
        assert!(
            net.claim_payment(1, pending.payment_hash),
            "step {away_after}: delivered"
        );
        net.run_until_quiet();
        assert_eq!(
            sent(&net, 0, pending.payment_id).len(),
            1,
            "step {away_after}"
        );
        let channel = &net.node(0).manager().list_channels()[0];
        assert!(
            channel.is_usable && channel.pending_htlcs == 0,
            "step {away_after}"
        );
        assert_eq!(channel.balance_msat, FUNDING_SAT * 1000 - AMOUNT_MSAT);
    }
}

#[test]
fn a_cooperative_close_waits_for_the_signers_and_completes_after() {
    for away in [0, 1] {
        let mut net = Network::new(2);
        let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
        net.set_signer_pending(away, true);
        let peer = net.node(1).node_id();
        net.node_mut(0)
            .manager_mut()
            .close_channel(channel, peer)
            .expect("close");
        net.run_until_quiet();
        let closed = |net: &Network, node: usize| {
            count(
                net,
                node,
                |event| matches!(event, Event::ChannelClosed { channel_id, .. } if *channel_id == channel),
            )
        };
        assert_eq!(
            closed(&net, away),
            0,
            "node {away} cannot sign the close yet"
        );
        net.set_signer_pending(away, false);
        net.run_until_quiet();
        for node in 0..2 {
            assert_eq!(closed(&net, node), 1, "node {node} (away: {away})");
            assert!(net.node(node).manager().list_channels().is_empty());
        }
        let closing = net
            .node(0)
            .broadcasts()
            .last()
            .cloned()
            .expect("closing tx");
        net.mine_blocks(1);
        assert_eq!(
            net.chain().tx_confirmations(&closing.compute_txid()),
            Some(1),
            "the cooperative close confirms (away: {away})"
        );
    }
}

#[test]
fn a_network_saved_while_a_signer_is_away_starts_with_it_away() {
    let mut net = Network::new(2);
    net.open_channel(0, 1, FUNDING_SAT, 0);
    net.set_signer_pending(1, true);
    let saved = net.save().expect("at rest");
    let mut started = Network::from_saved(&saved).expect("start");
    let pending = started.send_payment(0, 1, AMOUNT_MSAT).expect("send");
    started.run_until_quiet();
    assert!(
        !started.claim_payment(1, pending.payment_hash),
        "node 1 cannot sign: the payment is not claimable yet"
    );
    started.set_signer_pending(1, false);
    started.run_until_quiet();
    assert!(started.claim_payment(1, pending.payment_hash));
    started.run_until_quiet();
    assert_eq!(sent(&started, 0, pending.payment_id).len(), 1);
}
