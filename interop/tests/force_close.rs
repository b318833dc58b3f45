//! Scenario 7 of issue 9: force close by each side; the other side's monitor claims its funds
//! on the simulated chain. Both sides run real chain monitors: ours a `ChainMonitor` over
//! `MonitorUpdatingPersister` over `MemoryStore`, LDK its `ChainMonitor` with a `Persist`
//! that completes at once.

mod support;

use bitcoin::OutPoint;
use ldk::events::Event as LdkEvent;
use ldk::sign::SpendableOutputDescriptor;
use lightning::monitor::chain_monitor::ChainMonitorEvent;
use lightning::monitor::MonitorEvent;
use support::pay::ours_pays_ldk;
use support::world::{ours_opens_with, Opened, FUNDING_SATS};

/// What ours pays LDK before the close, so that both sides have an output.
const PAID_MSAT: u64 = 20_000_000;

/// The outputs our monitor reported spendable so far.
fn our_spendable(opened: &Opened) -> Vec<(OutPoint, u64)> {
    let monitors = opened
        .ours
        .monitors
        .as_ref()
        .expect("ours has a chain monitor");
    let monitors = monitors.borrow();
    monitors
        .events
        .iter()
        .filter_map(|e| match e {
            ChainMonitorEvent::Monitor(MonitorEvent::SpendableOutputs { outputs, .. }) => {
                Some(outputs.clone())
            }
            _ => None,
        })
        .flatten()
        .map(|o| (o.outpoint, o.output.value.to_sat()))
        .collect()
}

fn funding_spent_seen(opened: &Opened) -> bool {
    let monitors = opened
        .ours
        .monitors
        .as_ref()
        .expect("ours has a chain monitor");
    let seen = monitors.borrow().events.iter().any(|e| {
        matches!(
            e,
            ChainMonitorEvent::Monitor(MonitorEvent::FundingSpent { .. })
        )
    });
    seen
}

/// Waits for LDK's `SpendableOutputs`; returns each output and its value.
async fn ldk_spendable(opened: &Opened) -> Vec<(OutPoint, u64)> {
    let outputs = opened
        .ldk
        .wait_event(|e| match e {
            LdkEvent::SpendableOutputs { outputs, .. } => Some(outputs.clone()),
            _ => None,
        })
        .await;
    outputs
        .iter()
        .map(|d| match d {
            SpendableOutputDescriptor::StaticOutput {
                outpoint, output, ..
            } => (outpoint.into_bitcoin_outpoint(), output.value.to_sat()),
            SpendableOutputDescriptor::DelayedPaymentOutput(d) => {
                (d.outpoint.into_bitcoin_outpoint(), d.output.value.to_sat())
            }
            SpendableOutputDescriptor::StaticPaymentOutput(d) => {
                (d.outpoint.into_bitcoin_outpoint(), d.output.value.to_sat())
            }
        })
        .collect()
}

/// Every `(outpoint, value)` is an unspent output of that value on the simulated chain.
fn assert_on_chain(opened: &Opened, outputs: &[(OutPoint, u64)]) {
    for (outpoint, value) in outputs {
        let utxo = opened.world.chain.utxo(outpoint);
        assert_eq!(
            utxo.map(|o| o.value.to_sat()),
            Some(*value),
            "{outpoint} is on chain and unspent"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldk_force_closes_and_our_monitor_claims() {
    tokio::task::LocalSet::new()
        .run_until(async {
            let mut opened = ours_opens_with(false, true).await;
            ours_pays_ldk(&mut opened, 1, PAID_MSAT).await;
            wait_settled(&opened).await;
            let ours_msat = opened.ours.node.with(|_, m| m.list_channels())[0].balance_msat;
            let channel = opened.ldk.manager.list_channels()[0].clone();
            opened
                .ldk
                .manager
                .force_close_broadcasting_latest_txn(
                    &channel.channel_id,
                    &opened.ours.id(),
                    "interop: LDK force closes".to_string(),
                )
                .expect("LDK force closes");
            let Opened {
                world, ours, ldk, ..
            } = &mut opened;
            world.mine(1, ours, ldk);
            assert!(
                funding_spent_seen(&opened),
                "our monitor saw LDK's commitment confirm:\n{}",
                opened.ours.log.dump()
            );
            let Opened {
                world, ours, ldk, ..
            } = &mut opened;
            world.mine(10, ours, ldk);
            let ours_outputs = our_spendable(&opened);
            assert!(
                !ours_outputs.is_empty(),
                "our monitor reports our output: {:?}",
                opened.ours.monitors.as_ref().unwrap().borrow().events
            );
            let total: u64 = ours_outputs.iter().map(|(_, v)| v).sum();
            // Ours is the funder: the commitment fee came out of our balance.
            assert!(
                total <= ours_msat / 1000 && total + 10_000 > ours_msat / 1000,
                "ours got {total} sat of its {ours_msat} msat"
            );
            assert_on_chain(&opened, &ours_outputs);
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ours_force_closes_and_ldk_monitor_claims() {
    tokio::task::LocalSet::new()
        .run_until(async {
            let mut opened = ours_opens_with(false, true).await;
            ours_pays_ldk(&mut opened, 1, PAID_MSAT).await;
            wait_settled(&opened).await;
            let (channel_id, ldk_id) = (
                opened.ours.node.with(|_, m| m.list_channels())[0].channel_id,
                opened.ldk.id,
            );
            opened
                .ours
                .node
                .with(|_, m| m.force_close_channel(channel_id, ldk_id))
                .expect("ours force closes");
            // Let the pump move the close's monitor update and broadcast.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let Opened {
                world, ours, ldk, ..
            } = &mut opened;
            // Our commitment reaches the mempool before the one LDK broadcasts on our `error`.
            world.broadcast_ours(ours);
            world.mine(1, ours, ldk);
            opened
                .ldk
                .wait_event(|e| matches!(e, LdkEvent::ChannelClosed { .. }).then_some(()))
                .await;
            let Opened {
                world, ours, ldk, ..
            } = &mut opened;
            world.mine(10, ours, ldk);
            let ldk_outputs = ldk_spendable(&opened).await;
            let total: u64 = ldk_outputs.iter().map(|(_, v)| v).sum();
            assert_eq!(total, PAID_MSAT / 1000, "LDK's output is what it was paid");
            assert_on_chain(&opened, &ldk_outputs);
            // Our own output waits for LDK's `to_self_delay`, then our monitor sweeps it.
            let ours_msat = FUNDING_SATS * 1000 - PAID_MSAT;
            let Opened {
                world, ours, ldk, ..
            } = &mut opened;
            for _ in 0..30 {
                world.mine(10, ours, ldk);
            }
            let ours_outputs = our_spendable(&opened);
            let total: u64 = ours_outputs.iter().map(|(_, v)| v).sum();
            assert!(
                total <= ours_msat / 1000 && total + 10_000 > ours_msat / 1000,
                "ours swept {total} sat of its {ours_msat} msat: {:?}",
                opened.ours.monitors.as_ref().unwrap().borrow().events
            );
            assert_on_chain(&opened, &ours_outputs);
        })
        .await;
}

/// Waits until the payment's commitment dance is over on both sides.
async fn wait_settled(opened: &Opened) {
    let settled = tokio::time::timeout(support::WAIT, async {
        loop {
            let ours = opened.ours.node.with(|_, m| m.list_channels());
            let theirs = opened.ldk.manager.list_channels();
            if ours[0].pending_htlcs == 0
                && theirs[0].pending_inbound_htlcs.is_empty()
                && theirs[0].pending_outbound_htlcs.is_empty()
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(settled.is_ok(), "the payment settled on both sides");
}

/// Ours force closes with an HTLC to LDK pending; LDK claims it after the close with the
/// preimage, on chain, and our monitor learns the preimage from LDK's claim.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_htlc_claimed_on_chain_after_our_force_close() {
    use lightning::manager::{PaymentId, PaymentSecret, RecipientOnionFields};
    use lightning::wire::PaymentHash;
    tokio::task::LocalSet::new()
        .run_until(async {
            let mut opened = ours_opens_with(false, true).await;
            let amount = 15_000_000;
            let (hash, secret) = opened
                .ldk
                .manager
                .create_inbound_payment(Some(amount), 3600, None)
                .expect("LDK makes an invoice");
            let ldk_id = opened.ldk.id;
            opened
                .ours
                .node
                .with(|_, m| {
                    m.send_payment_to_peer(
                        ldk_id,
                        amount,
                        support::pay::FINAL_CLTV,
                        PaymentHash(hash.0),
                        RecipientOnionFields::secret_only(PaymentSecret(secret.0)),
                        PaymentId([9; 32]),
                    )
                })
                .expect("ours sends");
            let preimage = opened
                .ldk
                .wait_event(|e| match e {
                    LdkEvent::PaymentClaimable { purpose, .. } => purpose.preimage(),
                    _ => None,
                })
                .await;
            wait_settled_with_htlc(&opened).await;
            let channel_id = opened.ours.node.with(|_, m| m.list_channels())[0].channel_id;
            opened
                .ours
                .node
                .with(|_, m| m.force_close_channel(channel_id, ldk_id))
                .expect("ours force closes");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let Opened {
                world, ours, ldk, ..
            } = &mut opened;
            world.broadcast_ours(ours);
            world.mine(1, ours, ldk);
            opened.ldk.manager.claim_funds(preimage);
            opened
                .ldk
                .wait_event(|e| {
                    matches!(e, LdkEvent::PaymentClaimed { payment_hash, .. } if *payment_hash == hash)
                        .then_some(())
                })
                .await;
            let Opened {
                world, ours, ldk, ..
            } = &mut opened;
            for _ in 0..3 {
                world.mine(1, ours, ldk);
            }
            let learnt = opened
                .ours
                .monitors
                .as_ref()
                .unwrap()
                .borrow()
                .events
                .iter()
                .find_map(|e| match e {
                    ChainMonitorEvent::Monitor(MonitorEvent::HtlcResolved {
                        payment_hash,
                        preimage,
                        ..
                    }) if payment_hash.0 == hash.0 => Some(preimage.0),
                    _ => None,
                });
            assert_eq!(
                learnt,
                Some(preimage.0),
                "our monitor learnt the preimage from LDK's on-chain claim: {:?}",
                opened.ours.monitors.as_ref().unwrap().borrow().events
            );
            // LDK's claim is final after its anti-reorg delay: LDK reports it spendable.
            let Opened {
                world, ours, ldk, ..
            } = &mut opened;
            world.mine(10, ours, ldk);
            let ldk_outputs = ldk_spendable(&opened).await;
            assert!(!ldk_outputs.is_empty());
            assert_on_chain(&opened, &ldk_outputs);
        })
        .await;
}

/// Waits until the HTLC is irrevocably committed on both sides (one pending on ours).
async fn wait_settled_with_htlc(opened: &Opened) {
    let settled = tokio::time::timeout(support::WAIT, async {
        loop {
            let ours = opened.ours.node.with(|_, m| m.list_channels());
            let theirs = opened.ldk.manager.list_channels();
            if ours[0].pending_htlcs == 1 && theirs[0].pending_inbound_htlcs.len() == 1 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(settled.is_ok(), "the HTLC is committed on both sides");
}
