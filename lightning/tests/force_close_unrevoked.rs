//! A forwarded HTLC whose failure by the downstream peer is not yet irrevocably committed when
//! the downstream channel force-closes: the peer's previous commitment (still holding the
//! HTLC) is not revoked, so the peer could still broadcast it and claim the HTLC with its
//! preimage. BOLT 2: "until the removal of an outgoing HTLC is irrevocably committed ... MUST
//! NOT fail the incoming HTLC". The forwarder waits for the monitor's verdict instead of
//! failing upstream at close.

mod force_close_support;

use force_close_support::{failed, FUNDING_SAT};
use lightning::monitor::ANTI_REORG_DELAY;
use lightning::testkit::network::Network;
use lightning::wire::Message;

const AMOUNT_MSAT: u64 = 30_000_000;

#[test]
fn a_forward_failed_downstream_waits_while_the_peers_previous_commitment_is_unrevoked() {
    forward_failed_downstream_then_force_close(false);
}

#[test]
fn the_unrevoked_commitment_is_remembered_across_a_restart() {
    forward_failed_downstream_then_force_close(true);
}

fn forward_failed_downstream_then_force_close(restart_forwarder: bool) {
    let mut net = Network::new(3);
    net.open_channel(0, 1, FUNDING_SAT, 0);
    let downstream = net.open_channel(1, 2, FUNDING_SAT, 0);
    let pending = net
        .send_payment_along(&[0, 1, 2], AMOUNT_MSAT)
        .expect("send");
    net.run_until_quiet();
    // Node 2 fails it: update_fail_htlc + commitment_signed to node 1, which answers with
    // revoke_and_ack + commitment_signed (node 2's previous commitment is now the one node 1
    // waits to see revoked).
    assert!(net.fail_payment(2, pending.payment_hash));
    net.deliver_all(2, 1);
    net.collect_all();
    net.deliver_all(1, 2);
    net.collect_all();
    // Node 2's revoke_and_ack never arrives.
    assert!(
        net.queued_messages(2, 1)
            .iter()
            .any(|message| matches!(message, Message::RevokeAndAck(_))),
        "node 2 revokes its previous commitment next"
    );
    net.drop_connection(1, 2);
    net.run_until_quiet();
    assert_eq!(
        failed(&net, 0, pending.payment_id),
        0,
        "not failed before the close"
    );
    if restart_forwarder {
        net.crash_and_restart(1).expect("restart");
        net.run_until_quiet();
    }
    let peer = net.node(2).node_id();
    net.node_mut(1)
        .manager_mut()
        .force_close_channel(downstream, peer)
        .expect("force close");
    net.run_until_quiet();
    assert_eq!(
        failed(&net, 0, pending.payment_id),
        0,
        "node 2 may still broadcast its unrevoked commitment with the HTLC: no failure yet"
    );
    // Node 1's own commitment (without the HTLC) confirms; the failure is final only once it
    // is ANTI_REORG_DELAY deep.
    net.mine_blocks(ANTI_REORG_DELAY - 1);
    assert_eq!(failed(&net, 0, pending.payment_id), 0);
    net.mine_blocks(1);
    assert_eq!(failed(&net, 0, pending.payment_id), 1);
    net.mine_blocks(ANTI_REORG_DELAY);
    assert_eq!(failed(&net, 0, pending.payment_id), 1);
}

/// The payee's channel is closed by the peer while one of its monitor updates is still in
/// progress (so the channel's `Closed` event waits behind it), and the user claims a payment
/// on it in that gap: the preimage must still reach the monitor, which claims the HTLC on
/// chain; the payer learns it there.
#[test]
fn a_claim_between_the_close_and_its_closed_event_reaches_the_monitor() {
    use force_close_support::{claimable_preimage, force_close, sent};
    use lightning::testkit::network::{Completion, CompletionOrder, MonitorPolicy};

    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    let first = net.send_payment(0, 1, AMOUNT_MSAT).expect("send");
    net.run_until_quiet();
    let preimage = claimable_preimage(&mut net, 1);
    // A second payment: node 1's first update (our new commitment) completes; its second
    // (node 0's revocation, which locks the HTLC in) stays in progress, with the event that
    // depends on it queued in front of anything the channel reports later.
    net.set_monitor_policy(1, MonitorPolicy::Hold);
    net.send_payment(0, 1, AMOUNT_MSAT / 2).expect("send");
    net.run_until_quiet();
    net.complete_monitor_updates(1, Completion::All, CompletionOrder::OldestFirst);
    net.run_until_quiet();
    assert!(!net.node(1).held_monitor_updates().is_empty());
    force_close(&mut net, 0, 1, channel);
    net.node_mut(1)
        .manager_mut()
        .claim_funds(preimage)
        .expect("claimable");
    net.run_until_quiet();
    net.set_monitor_policy(1, MonitorPolicy::CompleteImmediately);
    net.complete_monitor_updates(1, Completion::All, CompletionOrder::OldestFirst);
    net.run_until_quiet();
    for _ in 0..(2 * ANTI_REORG_DELAY) {
        net.mine_blocks(1);
    }
    assert_eq!(sent(&net, 0, first.payment_id), vec![preimage]);
    assert_eq!(failed(&net, 0, first.payment_id), 0);
}
