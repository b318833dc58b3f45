//! Scenarios 4 and 6 of issue 9: `update_fee` from the funder (ours, then LDK) with payments
//! afterwards to show both commitments still agree, and cooperative close initiated by
//! either side, paying each side its balance on the simulated chain.

mod support;

use bitcoin::{OutPoint, Transaction};
use ldk::events::Event as LdkEvent;
use lightning::manager::Event;
use support::pay::{ldk_pays_ours, ours_pays_ldk};
use support::world::{ldk_opens, ours_opens, Opened, FUNDING_SATS};

/// Waits until LDK reports `feerate` on its only channel.
async fn ldk_sees_feerate(opened: &Opened, feerate: u32) {
    let found = tokio::time::timeout(support::WAIT, async {
        loop {
            let channels = opened.ldk.manager.list_channels();
            if channels[0].feerate_sat_per_1000_weight == Some(feerate) && channels[0].is_usable {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(
        found.is_ok(),
        "LDK never used feerate {feerate}: {:?}\n{}",
        opened.ldk.manager.list_channels()[0].feerate_sat_per_1000_weight,
        opened.ldk.log.dump()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ours_as_funder_updates_the_fee_and_ldk_follows() {
    let mut opened = ours_opens(false).await;
    ours_pays_ldk(&mut opened, 1, 10_000_000).await;
    opened
        .ours
        .node
        .with(|_, manager| manager.update_fee(2_000));
    ldk_sees_feerate(&opened, 2_000).await;
    // Both commitments moved to the new fee: further updates still verify on both sides.
    ours_pays_ldk(&mut opened, 2, 3_000_000).await;
    ldk_pays_ours(&mut opened, 3, 1_000_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldk_as_funder_updates_the_fee_and_ours_follows() {
    let mut opened = ldk_opens(false).await;
    ldk_pays_ours(&mut opened, 1, 10_000_000).await;
    // LDK sends update_fee from its timer when its estimate moved.
    opened.ldk.fees.set(2_500);
    opened.ldk.manager.timer_tick_occurred();
    ldk_sees_feerate(&opened, 2_500).await;
    ldk_pays_ours(&mut opened, 2, 3_000_000).await;
    ours_pays_ldk(&mut opened, 3, 1_000_000).await;
}

/// The closing transaction: mined, spending the funding output, paying LDK its balance.
fn check_closing_tx(opened: &mut Opened, closing: &Transaction, ldk_balance_sat: u64) {
    let funding = opened.ldk_channel.funding_txo.expect("funded");
    let funding = OutPoint {
        txid: funding.txid,
        vout: funding.index.into(),
    };
    assert_eq!(closing.input.len(), 1);
    assert_eq!(closing.input[0].previous_output, funding);
    let values: Vec<u64> = closing.output.iter().map(|o| o.value.to_sat()).collect();
    assert!(
        values.contains(&ldk_balance_sat),
        "LDK gets its {ldk_balance_sat} sat: {values:?}"
    );
    let total: u64 = values.iter().sum();
    assert!(
        total < FUNDING_SATS && total > FUNDING_SATS - 10_000,
        "{values:?}"
    );
    assert_eq!(
        opened.world.chain.spending_txid(&funding),
        Some(closing.compute_txid()),
        "the closing transaction is mined"
    );
}

/// Mines what both nodes broadcast and waits for both `ChannelClosed` events; returns the
/// closing transaction.
async fn close_and_mine(opened: &mut Opened) -> Transaction {
    opened
        .ldk
        .wait_event(|e| matches!(e, LdkEvent::ChannelClosed { .. }).then_some(()))
        .await;
    let Opened {
        ours,
        ldk,
        world,
        seen,
        ..
    } = opened;
    ours.wait_event(seen, |e| {
        matches!(e, Event::ChannelClosed { .. }).then_some(())
    })
    .await;
    let mut broadcast = ldk.take_broadcasts();
    ours.node.with(|_, manager| {
        while let Some(tx) = manager.poll_broadcast() {
            broadcast.push(tx);
        }
    });
    assert!(
        !broadcast.is_empty(),
        "someone broadcast the closing transaction"
    );
    let closing = broadcast[0].clone();
    assert!(
        broadcast
            .iter()
            .all(|tx| tx.compute_txid() == closing.compute_txid()),
        "both sides broadcast the same closing transaction"
    );
    assert!(
        world.chain.broadcast(closing.clone()),
        "the closing transaction is valid on the chain"
    );
    world.mine(1, ours, ldk);
    closing
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ours_closes_cooperatively() {
    let mut opened = ours_opens(false).await;
    ours_pays_ldk(&mut opened, 1, 12_345_000).await;
    let (channel_id, ldk_id) = {
        let channels = opened.ours.node.with(|_, manager| manager.list_channels());
        (channels[0].channel_id, opened.ldk.id)
    };
    opened
        .ours
        .node
        .with(|_, manager| manager.close_channel(channel_id, ldk_id))
        .expect("close");
    let closing = close_and_mine(&mut opened).await;
    check_closing_tx(&mut opened, &closing, 12_345);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldk_closes_cooperatively() {
    let mut opened = ours_opens(false).await;
    ours_pays_ldk(&mut opened, 1, 12_345_000).await;
    let channel = opened.ldk.manager.list_channels()[0].clone();
    opened
        .ldk
        .manager
        .close_channel(&channel.channel_id, &channel.counterparty.node_id)
        .expect("LDK closes");
    let closing = close_and_mine(&mut opened).await;
    check_closing_tx(&mut opened, &closing, 12_345);
}
