//! Scenario 5 of issue 9 (first step): disconnect and reconnect; `channel_reestablish`
//! brings both sides back to the same state and payments resume.

mod support;

use support::pay::{ldk_pays_ours, ours_pays_ldk};
use support::world::ours_opens;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_when_quiet_and_pay_again() {
    let mut opened = ours_opens(false).await;
    ours_pays_ldk(&mut opened, 1, 4_000_000).await;
    let ldk_id = opened.ldk.id;
    // Ours drops the connection and dials again.
    assert!(opened.ours.node.disconnect_peer(ldk_id));
    opened
        .ours
        .node
        .wait_until(|pm, _| (!pm.is_connected(&ldk_id)).then_some(()))
        .await;
    // LDK keeps one connection per peer: wait until it has seen the old one close.
    while opened.ldk.is_connected(&opened.ours.id()) {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let target = opened.ldk.listening();
    tokio::time::timeout(support::WAIT, opened.ours.node.connect_and_wait(&target))
        .await
        .unwrap()
        .unwrap();
    ours_pays_ldk(&mut opened, 2, 1_000_000).await;
    ldk_pays_ours(&mut opened, 3, 1_000_000).await;
}
