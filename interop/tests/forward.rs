//! Scenario 8 of issue 9: a two-hop payment where LDK forwards (ours → LDK → ours), over
//! real sockets, with both channels funded and confirmed on one simulated chain.

mod support;

use ldk::events::Event as LdkEvent;
use lightning::chain::Confirm;
use lightning::manager::{Event, PaymentId, RecipientOnionFields};
use lightning::peer::PeerManagerConfig;
use lightning::routing::{Path, Route, RouteHop};
use lightning::testkit::ListenerId;
use lightning::wire::ShortChannelId;
use support::ldk_channels::LdkChannelNode;
use support::pay::FINAL_CLTV;
use support::world::{fund_ours, ldk_opens_and_funds, World, FEERATE, FUNDING_SATS};
use support::{unix_now, OurNode, WAIT};

/// Mines `count` blocks with everything broadcast so far and feeds every node.
fn mine(world: &mut World, count: u32, ours: &[(&OurNode, ListenerId)], ldk: &LdkChannelNode) {
    for tx in ldk.take_broadcasts() {
        world.chain.broadcast(tx);
    }
    for (node, _) in ours {
        let chain = &mut world.chain;
        node.node.with(|_, manager| {
            while let Some(tx) = manager.poll_broadcast() {
                chain.broadcast(tx);
            }
        });
    }
    world.chain.mine_blocks(count);
    for (node, listener) in ours {
        let chain = &mut world.chain;
        node.node.with(|_, manager| {
            let manager: &mut dyn Confirm = &mut **manager;
            chain
                .sync_confirm(*listener, manager)
                .expect("follows the chain");
        });
    }
    let blocks = (1..=world.chain.height()).map(|h| (h, world.chain.block_at(h).unwrap()));
    ldk.connect_blocks(blocks);
}

async fn connect_to_ldk(ours: &OurNode, ldk: &LdkChannelNode, listening: std::net::SocketAddr) {
    let target = format!("{}@{listening}", ldk.id).parse().unwrap();
    tokio::time::timeout(WAIT, ours.node.connect_and_wait(&target))
        .await
        .unwrap()
        .unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while !ldk.is_connected(&ours.id()) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "LDK never connected"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldk_forwards_a_payment_between_two_of_ours() {
    // Both channels are unannounced; LDK forwards over them only when told to.
    let config = ldk::util::config::UserConfig {
        accept_forwards_to_priv_channels: true,
        ..Default::default()
    };
    let ldk = LdkChannelNode::start(41, FEERATE, config);
    let listening = ldk.listen().await;
    let alice = OurNode::start(5, PeerManagerConfig::default()).await;
    let bob = OurNode::start(6, PeerManagerConfig::default()).await;
    alice.spawn_monitor_pump();
    bob.spawn_monitor_pump();
    connect_to_ldk(&alice, &ldk, listening).await;
    connect_to_ldk(&bob, &ldk, listening).await;
    let mut world = World::new();
    let bob_listener = world.chain.register_listener_at_tip();
    let nodes = [(&alice, world.ours_listener), (&bob, bob_listener)];
    let (mut alice_seen, mut bob_seen) = (Vec::new(), Vec::new());

    // Alice opens to LDK; LDK opens to Bob (so that LDK can send towards Bob).
    alice
        .node
        .with(|_, manager| manager.open_channel(ldk.id, FUNDING_SATS, 0, 1, None))
        .expect("alice opens");
    fund_ours(&mut world, &alice, &ldk, &mut alice_seen).await;
    ldk_opens_and_funds(&mut world, &ldk, bob.id(), 2).await;
    for _ in 0..2 {
        ldk.wait_event(|e| matches!(e, LdkEvent::ChannelPending { .. }).then_some(()))
            .await;
    }
    alice
        .wait_event(&mut alice_seen, |e| {
            matches!(e, Event::ChannelPending { .. }).then_some(())
        })
        .await;
    mine(&mut world, 1, &nodes, &ldk);
    mine(&mut world, 6, &nodes, &ldk);
    for _ in 0..2 {
        ldk.wait_event(|e| matches!(e, LdkEvent::ChannelReady { .. }).then_some(()))
            .await;
    }
    alice
        .wait_event(&mut alice_seen, |e| {
            matches!(e, Event::ChannelReady { .. }).then_some(())
        })
        .await;
    bob.wait_event(&mut bob_seen, |e| {
        matches!(e, Event::ChannelReady { .. }).then_some(())
    })
    .await;

    // Alice pays Bob through LDK: LDK's channel to Bob, and LDK's forwarding terms.
    let ldk_to_bob = ldk
        .manager
        .list_channels()
        .into_iter()
        .find(|c| c.counterparty.node_id == bob.id())
        .unwrap();
    let alice_to_ldk = alice.node.with(|_, manager| manager.list_channels())[0].clone();
    let terms = ldk_to_bob.config.expect("LDK's forwarding config");
    let amount_msat = 7_000_000u64;
    let ldk_fee = u64::from(terms.forwarding_fee_base_msat)
        + amount_msat * u64::from(terms.forwarding_fee_proportional_millionths) / 1_000_000;
    let (hash, secret) = bob
        .node
        .with(|_, manager| manager.create_inbound_payment(Some(amount_msat), 3600, unix_now()));
    let route = Route {
        paths: vec![Path {
            hops: vec![
                RouteHop {
                    node_id: ldk.id,
                    short_channel_id: alice_to_ldk.short_channel_id.expect("confirmed"),
                    fee_msat: ldk_fee,
                    cltv_expiry_delta: u32::from(terms.cltv_expiry_delta),
                },
                RouteHop {
                    node_id: bob.id(),
                    short_channel_id: ShortChannelId(
                        ldk_to_bob.short_channel_id.expect("confirmed"),
                    ),
                    fee_msat: amount_msat,
                    cltv_expiry_delta: FINAL_CLTV,
                },
            ],
        }],
    };
    let payment_id = PaymentId([8; 32]);
    alice
        .node
        .with(|_, manager| {
            manager.send_payment(
                &route,
                hash,
                RecipientOnionFields::secret_only(secret),
                payment_id,
            )
        })
        .expect("alice sends");
    let preimage = bob
        .wait_event(&mut bob_seen, |e| match e {
            Event::PaymentClaimable {
                payment_hash,
                payment_preimage,
                amount_msat: received,
                ..
            } if *payment_hash == hash => {
                assert_eq!(*received, amount_msat);
                *payment_preimage
            }
            _ => None,
        })
        .await;
    bob.node
        .with(|_, manager| manager.claim_funds(preimage))
        .expect("bob claims");
    let (sent, fee) = alice
        .wait_event(&mut alice_seen, |e| match e {
            Event::PaymentSent {
                payment_id: id,
                payment_preimage,
                fee_paid_msat,
                ..
            } if *id == payment_id => Some((*payment_preimage, *fee_paid_msat)),
            _ => None,
        })
        .await;
    assert_eq!(sent, preimage);
    assert_eq!(fee, Some(ldk_fee));
    let earned = ldk
        .wait_event(|e| match e {
            LdkEvent::PaymentForwarded {
                total_fee_earned_msat,
                ..
            } => Some(*total_fee_earned_msat),
            _ => None,
        })
        .await;
    assert_eq!(earned, Some(ldk_fee));
}
