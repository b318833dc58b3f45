//! Exactly once across restarts: what the manager keeps of a closed channel (the HTLCs that
//! wait for the monitor, the monitor update id) and what the monitor delivered (failures of
//! HTLCs that were no output of the confirmed commitment) survive an encode/decode.

mod force_close_support;

use force_close_support::{
    channel_with_payment_in_flight, claimable_preimage, failed, force_close, mine_then_sent_once,
    sent, FUNDING_SAT,
};
use lightning::manager::ChannelManager;
use lightning::monitor::{ChannelMonitor, FundingSpendKind, MonitorEvent, ANTI_REORG_DELAY};
use lightning::persist::encoded_monitor_keys_id;
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::SignerProvider;
use lightning::testkit::network::{Network, NodeConfig};

#[test]
fn both_restarted_after_the_close_payee_claims_on_chain_payer_gets_payment_sent_once() {
    let (mut net, channel, pending) = channel_with_payment_in_flight(40_000_000);
    let preimage = claimable_preimage(&mut net, 1);
    net.drop_connection(0, 1);
    // B (the payee) force closes; A learns it on chain only.
    force_close(&mut net, 1, 0, channel);
    net.mine_blocks(1);
    assert!(net.node(1).manager().list_channels().is_empty(), "closed");

    // Restart both: the record of the closed channel round-trips (B's carries the monitor
    // update id the preimage update must follow).
    for node in 0..2 {
        let saved = net.node(node).manager().encode();
        let restored =
            ChannelManager::decode(&saved, net.manager_params(node, b"restarted")).expect("decode");
        assert_eq!(restored.encode(), saved, "node {node}: byte for byte");
        *net.node_mut(node).manager_mut() = restored;
    }
    let b_updates = net
        .node(1)
        .chain_monitor()
        .get_monitor(&channel)
        .expect("B's monitor")
        .latest_update_id();

    // B claims after the restart: the preimage goes to B's monitor as the next update.
    net.node_mut(1)
        .manager_mut()
        .claim_funds(preimage)
        .expect("still claimable after close and restart");
    net.run_until_quiet();
    assert_eq!(
        net.node(1)
            .chain_monitor()
            .get_monitor(&channel)
            .expect("B's monitor")
            .latest_update_id(),
        b_updates + 1,
        "the preimage update follows the last one"
    );
    mine_then_sent_once(&mut net, 60, pending.payment_id);
}

#[test]
fn delivered_dust_failure_is_not_reported_again_after_a_monitor_restart() {
    let (mut net, channel, pending) = channel_with_payment_in_flight(300_000);
    net.drop_connection(0, 1);
    force_close(&mut net, 0, 1, channel);
    net.mine_blocks(ANTI_REORG_DELAY);
    assert_eq!(failed(&net, 0, pending.payment_id), 1, "failed once final");
    let failures = |events: &[MonitorEvent]| {
        events
            .iter()
            .filter(|event| {
                matches!(event, MonitorEvent::HtlcFailed { payment_hash, .. }
                if *payment_hash == pending.payment_hash)
            })
            .count()
    };
    assert_eq!(failures(net.node(0).monitor_events()), 1);

    let monitor = net
        .node(0)
        .chain_monitor()
        .get_monitor(&channel)
        .expect("A's monitor");
    let saved = monitor.encode();
    let mut keys = KeysManager::new(&NodeConfig::for_index(0).seed).expect("test seed");
    let keys_id = encoded_monitor_keys_id(&saved).expect("keys id");
    let mut restored =
        ChannelMonitor::decode(&saved, keys.derive_channel_signer(&keys_id)).expect("decode");
    assert_eq!(restored.encode(), saved, "byte for byte");
    let again: Vec<MonitorEvent> = core::iter::from_fn(|| restored.poll_event()).collect();
    assert_eq!(
        failures(&again),
        0,
        "delivered before the restart: {again:?}"
    );

    // The live monitor does not report it again either, however long the chain grows.
    for _ in 0..20 {
        net.mine_blocks(1);
    }
    assert_eq!(failures(net.node(0).monitor_events()), 1);
    assert_eq!(failed(&net, 0, pending.payment_id), 1);
}

#[test]
fn revoked_commitment_without_the_htlc_fails_it_once_final_and_justice_takes_the_rest() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, 300_000_000).expect("B gets a balance");
    // A copy of B from before the HTLC: its commitment is revoked once the HTLC is in.
    let stale = net.node(1).manager().encode();
    let pending = net.send_payment(0, 1, 40_000_000).expect("send");
    net.run_until_quiet();
    let _ = claimable_preimage(&mut net, 1);
    net.drop_connection(0, 1);
    let stale = ChannelManager::decode(&stale, net.manager_params(1, b"restarted"))
        .expect("decode the stale B");
    *net.node_mut(1).manager_mut() = stale;
    force_close(&mut net, 1, 0, channel);
    let revoked = net
        .node(1)
        .broadcasts()
        .last()
        .cloned()
        .expect("the stale B broadcast its revoked commitment");
    // A force closes too (its own commitment loses the race to the revoked one).
    force_close(&mut net, 0, 1, channel);
    assert_eq!(
        failed(&net, 0, pending.payment_id),
        0,
        "not failed at close"
    );
    let txid = revoked.compute_txid();
    net.mine_blocks(1);
    assert_eq!(
        net.chain().tx_confirmations(&txid),
        Some(1),
        "the revoked commitment won"
    );
    assert!(
        net.node(0).monitor_events().iter().any(|event| matches!(
            event,
            MonitorEvent::FundingSpent {
                kind: FundingSpendKind::RevokedCounterpartyCommitment { .. },
                ..
            }
        )),
        "A's monitor saw the breach"
    );
    while net.chain().tx_confirmations(&txid) < Some(ANTI_REORG_DELAY) {
        assert_eq!(failed(&net, 0, pending.payment_id), 0, "not final yet");
        net.mine_blocks(1);
    }
    assert_eq!(failed(&net, 0, pending.payment_id), 1, "failed once final");
    for _ in 0..30 {
        net.mine_blocks(1);
    }
    assert_eq!(failed(&net, 0, pending.payment_id), 1, "exactly once");
    assert_eq!(sent(&net, 0, pending.payment_id).len(), 0);
    // Justice: A takes B's side of the revoked commitment as well as its own.
    let destination = net.node_mut(0).destination_script();
    let a_got = net.chain().balance_of(&destination).to_sat();
    assert!(
        a_got > FUNDING_SAT - 30_000,
        "A swept the whole channel minus fees: {a_got}"
    );
    assert!(net.node(0).monitor_errors().is_empty());
}
