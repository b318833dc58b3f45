//! Scenario 3 of issue 9: payments both ways by payment hash and secret over a channel
//! between ours and LDK, many in a row (LDK's `create_inbound_payment` for payments to LDK,
//! our `create_inbound_payment` for payments to us).

mod support;

use support::pay::{ldk_pays_ours, ours_pays_ldk};
use support::world::ours_opens;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_both_ways_many_in_a_row() {
    let mut opened = ours_opens(false).await;
    for i in 0..10u8 {
        ours_pays_ldk(&mut opened, i, 5_000_000 + u64::from(i) * 1_000).await;
    }
    let balance = opened.ldk.manager.list_channels()[0].outbound_capacity_msat;
    assert!(
        balance > 40_000_000,
        "LDK holds what it was paid: {balance}"
    );
    for i in 0..10u8 {
        ldk_pays_ours(&mut opened, 100 + i, 2_000_000 + u64::from(i) * 1_000).await;
    }
    // Alternate directions, so that each side's updates cross the other's.
    for i in 0..5u8 {
        ours_pays_ldk(&mut opened, 200 + i, 1_000_000).await;
        ldk_pays_ours(&mut opened, 210 + i, 1_000_000).await;
    }
    // Our balance is what we funded minus what we paid plus what we were paid.
    let paid: u64 = (0..10).map(|i| 5_000_000 + i * 1_000).sum::<u64>();
    let received: u64 = (0..10).map(|i| 2_000_000 + i * 1_000).sum::<u64>();
    let ours = opened.ours.node.with(|_, manager| manager.list_channels());
    assert_eq!(ours[0].pending_htlcs, 0);
    assert_eq!(
        ours[0].balance_msat,
        support::world::FUNDING_SATS * 1000 - paid + received
    );
}
