//! Scenario 5 of issue 9: the connection dies in the middle of a commitment dance (the tap
//! of `support::tap` loses every message after a chosen one, then the test disconnects and
//! reconnects); `channel_reestablish` brings both sides to the same state, the payment
//! completes and both sides agree on the balances. Both directions, several cut points.

mod support;

use std::sync::Arc;
use std::time::Duration;

use lightning_net_adapter::NodeHandle;
use support::ldk_channels::LdkChannelNode;
use support::pay::{
    ldk_payment_completes, ldk_sends_to_ours, ours_payment_completes, ours_pays_ldk,
    ours_sends_to_ldk,
};
use support::tap::{
    CutAt, Dir, Tap, COMMITMENT_SIGNED, REVOKE_AND_ACK, UPDATE_ADD_HTLC, UPDATE_FULFILL_HTLC,
};
use support::world::{ours_opens, Opened, FUNDING_SATS};
use support::WAIT;

fn cut(dir: Dir, msg_type: u16, nth: usize, deliver: bool) -> CutAt {
    CutAt {
        dir,
        msg_type,
        nth,
        deliver,
    }
}

/// Waits for the tap to cut, then disconnects for real and dials LDK again.
async fn reconnect_after_cut(node: NodeHandle<Tap>, ldk: Arc<LdkChannelNode>) -> Vec<(Dir, u16)> {
    let dropped = tokio::time::timeout(WAIT, node.wait_until(|_, tap| tap.cut_happened()))
        .await
        .expect("the cut point was reached");
    // Let the peer's answers to the last message through the (dead) tap too.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let dropped = node.with(|_, tap| tap.cut_happened()).unwrap_or(dropped);
    let ldk_id = ldk.id;
    assert!(node.disconnect_peer(ldk_id));
    tokio::time::timeout(
        WAIT,
        node.wait_until(|pm, _| (!pm.is_connected(&ldk_id)).then_some(())),
    )
    .await
    .unwrap();
    let ours_id = node.node_id();
    while ldk.is_connected(&ours_id) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::timeout(WAIT, node.connect_and_wait(&ldk.listening()))
        .await
        .unwrap()
        .unwrap();
    dropped
}

fn arm(opened: &Opened, at: CutAt) -> tokio::task::JoinHandle<Vec<(Dir, u16)>> {
    opened.ours.node.with(|_, tap| tap.arm(at));
    tokio::spawn(reconnect_after_cut(
        opened.ours.node.clone(),
        opened.ldk.clone(),
    ))
}

/// Our balance is `expected_msat`, nothing is pending, and LDK's view adds up to the channel.
fn assert_balances(opened: &Opened, expected_msat: u64) {
    let ours = opened.ours.node.with(|_, manager| manager.list_channels());
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].pending_htlcs, 0, "nothing left pending on our side");
    assert_eq!(ours[0].balance_msat, expected_msat, "our balance");
    let theirs = opened.ldk.manager.list_channels();
    assert_eq!(theirs.len(), 1);
    assert!(theirs[0].is_usable, "LDK's channel is usable again");
    assert!(
        theirs[0].pending_inbound_htlcs.is_empty() && theirs[0].pending_outbound_htlcs.is_empty()
    );
    let reserve_msat = theirs[0].unspendable_punishment_reserve.unwrap_or(0) * 1000;
    assert_eq!(
        theirs[0].outbound_capacity_msat + reserve_msat,
        FUNDING_SATS * 1000 - expected_msat,
        "LDK's balance is the rest of the channel"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_while_ours_pays_ldk() {
    let mut opened = ours_opens(false).await;
    let mut ours_msat = FUNDING_SATS * 1000;
    let cuts = [
        // LDK got `update_add_htlc` but not our `commitment_signed`.
        cut(Dir::Out, COMMITMENT_SIGNED, 1, false),
        // LDK got both; its `revoke_and_ack` and `commitment_signed` are lost.
        cut(Dir::Out, COMMITMENT_SIGNED, 1, true),
        // We got LDK's `revoke_and_ack` and `commitment_signed`; our `revoke_and_ack` is lost.
        cut(Dir::Out, REVOKE_AND_ACK, 1, false),
        // LDK's `update_fulfill_htlc` is lost.
        cut(Dir::In, UPDATE_FULFILL_HTLC, 1, false),
        // The fulfill's `commitment_signed` arrived; our answer is lost.
        cut(Dir::In, COMMITMENT_SIGNED, 2, true),
    ];
    for (i, at) in cuts.into_iter().enumerate() {
        let amount = 3_000_000 + i as u64 * 1_000;
        let reconnect = arm(&opened, at);
        let sent = ours_sends_to_ldk(&mut opened, i as u8, amount);
        ours_payment_completes(&mut opened, sent).await;
        let dropped = reconnect.await.unwrap();
        eprintln!("cut {at:?}: lost {dropped:?}");
        assert!(!dropped.is_empty(), "the cut at {at:?} lost messages");
        ours_msat -= amount;
        wait_settled(&opened, ours_msat).await;
        assert_balances(&opened, ours_msat);
    }
    // And the channel still works both ways.
    ours_pays_ldk(&mut opened, 100, 1_000_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_while_ldk_pays_ours() {
    let mut opened = ours_opens(false).await;
    // Give LDK something to pay with (LDK limits HTLCs in flight to a share of the channel).
    for i in 0..4 {
        ours_pays_ldk(&mut opened, i, 20_000_000).await;
    }
    let mut ours_msat = FUNDING_SATS * 1000 - 80_000_000;
    let cuts = [
        // We got `update_add_htlc` but not LDK's `commitment_signed`.
        cut(Dir::In, COMMITMENT_SIGNED, 1, false),
        // We got both; our `revoke_and_ack` and `commitment_signed` are lost.
        cut(Dir::Out, REVOKE_AND_ACK, 1, false),
        // Our answers arrived; LDK's `revoke_and_ack` is lost.
        cut(Dir::In, REVOKE_AND_ACK, 1, false),
        // Our `update_fulfill_htlc` is lost.
        cut(Dir::Out, UPDATE_FULFILL_HTLC, 1, false),
        // The first message of the dance is lost.
        cut(Dir::In, UPDATE_ADD_HTLC, 1, false),
    ];
    for (i, at) in cuts.into_iter().enumerate() {
        let amount = 2_000_000 + i as u64 * 1_000;
        let reconnect = arm(&opened, at);
        let sent = ldk_sends_to_ours(&mut opened, 10 + i as u8, amount);
        ldk_payment_completes(&mut opened, sent).await;
        let dropped = reconnect.await.unwrap();
        eprintln!("cut {at:?}: lost {dropped:?}");
        assert!(!dropped.is_empty(), "the cut at {at:?} lost messages");
        ours_msat += amount;
        wait_settled(&opened, ours_msat).await;
        assert_balances(&opened, ours_msat);
    }
    ours_pays_ldk(&mut opened, 100, 1_000_000).await;
}

/// Waits until both sides have finished the dance (no HTLC pending on either side).
async fn wait_settled(opened: &Opened, ours_msat: u64) {
    let settled = tokio::time::timeout(WAIT, async {
        loop {
            let ours = opened.ours.node.with(|_, manager| manager.list_channels());
            let theirs = opened.ldk.manager.list_channels();
            if ours[0].pending_htlcs == 0
                && ours[0].balance_msat == ours_msat
                && theirs[0].pending_inbound_htlcs.is_empty()
                && theirs[0].pending_outbound_htlcs.is_empty()
                && theirs[0].is_usable
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    if settled.is_err() {
        panic!(
            "not settled: ours {:?}\nLDK {:?}\nour log:\n{}\nLDK log:\n{}",
            opened.ours.node.with(|_, manager| manager.list_channels()),
            opened.ldk.manager.list_channels(),
            opened.ours.log.dump(),
            opened.ldk.log.dump()
        );
    }
}
