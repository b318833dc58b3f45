//! Scenario 2 of issue 9: a channel opened by ours to LDK and by LDK to ours, over real
//! loopback sockets, funded on a simulated chain both nodes are fed, and confirmed until
//! both sides report the channel ready.

mod support;

use std::sync::Arc;

use bitcoin::{Amount, Transaction};
use ldk::events::Event as LdkEvent;
use ldk::util::config::UserConfig;
use lightning::chain::Confirm;
use lightning::manager::Event;
use lightning::peer::PeerManagerConfig;
use lightning::testkit::{ListenerId, SimChain, SimWallet};
use support::ldk_channels::LdkChannelNode;
use support::{OurNode, WAIT};

const FUNDING_SATS: u64 = 250_000;
const FEERATE: u32 = 1_000;

/// The simulated chain both nodes follow, and the wallet that funds channels.
struct World {
    chain: SimChain,
    wallet: SimWallet,
    ours_listener: ListenerId,
}

impl World {
    fn new() -> World {
        let mut chain = SimChain::new();
        let ours_listener = chain.register_listener_at_tip();
        let wallet = SimWallet::new([0x77; 32]);
        for _ in 0..4 {
            chain.fund_address(wallet.script_pubkey(), Amount::from_sat(1_000_000));
        }
        World {
            chain,
            wallet,
            ours_listener,
        }
    }

    fn funding_tx(&mut self, script: &bitcoin::Script, sats: u64) -> Transaction {
        self.wallet
            .create_payment(&self.chain, script, Amount::from_sat(sats), FEERATE)
            .expect("the wallet has funds")
    }

    /// Moves both nodes' broadcasts to the mempool, mines `count` blocks, and feeds them to
    /// both nodes.
    fn mine(&mut self, count: u32, ours: &OurNode, ldk: &LdkChannelNode) {
        for tx in ldk.take_broadcasts() {
            self.chain.broadcast(tx);
        }
        let chain = &mut self.chain;
        ours.node.with(|_, manager| {
            while let Some(tx) = manager.poll_broadcast() {
                chain.broadcast(tx);
            }
        });
        self.chain.mine_blocks(count);
        let (chain, listener) = (&mut self.chain, self.ours_listener);
        ours.node.with(|_, manager| {
            let manager: &mut dyn Confirm = manager;
            chain
                .sync_confirm(listener, manager)
                .expect("ours follows the chain");
        });
        let blocks = (1..=self.chain.height()).map(|h| (h, self.chain.block_at(h).unwrap()));
        ldk.connect_blocks(blocks);
    }
}

async fn connected_pair(ours_dials: bool, config: UserConfig) -> (OurNode, Arc<LdkChannelNode>) {
    let ldk = LdkChannelNode::start(31, FEERATE, config);
    let ours = OurNode::start(4, PeerManagerConfig::default()).await;
    ours.spawn_monitor_pump();
    if ours_dials {
        let listening = ldk.listen().await;
        let target = format!("{}@{listening}", ldk.id).parse().unwrap();
        tokio::time::timeout(WAIT, ours.node.connect_and_wait(&target))
            .await
            .unwrap()
            .unwrap();
    } else {
        ldk.connect(ours.id(), ours.addr.socket_target().parse().unwrap())
            .await;
        ours.wait_connected(ldk.id).await;
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    while !ldk.is_connected(&ours.id()) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "LDK never connected"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    (ours, ldk)
}

/// LDK's default configuration, or one that negotiates `option_anchors_zero_fee_htlc_tx`
/// (LDK then accepts inbound channels only manually).
fn ldk_config(anchors: bool) -> UserConfig {
    let mut config = UserConfig::default();
    config
        .channel_handshake_config
        .negotiate_anchors_zero_fee_htlc_tx = anchors;
    config.manually_accept_inbound_channels = anchors;
    config
}

/// Waits for `ChannelReady` on both sides, mining the funding transaction first.
async fn confirm_until_ready(
    world: &mut World,
    ours: &OurNode,
    ldk: &LdkChannelNode,
    seen: &mut Vec<Event>,
    funding: &Transaction,
) {
    ours.wait_event(seen, |e| {
        matches!(e, Event::ChannelPending { .. }).then_some(())
    })
    .await;
    ldk.wait_event(|e| matches!(e, LdkEvent::ChannelPending { .. }).then_some(()))
        .await;
    world.mine(1, ours, ldk);
    assert_eq!(
        world.chain.tx_confirmations(&funding.compute_txid()),
        Some(1),
        "the funder broadcast the funding transaction"
    );
    world.mine(6, ours, ldk);
    ours.wait_event(seen, |e| {
        matches!(e, Event::ChannelReady { .. }).then_some(())
    })
    .await;
    ldk.wait_event(|e| matches!(e, LdkEvent::ChannelReady { .. }).then_some(()))
        .await;
}

/// Ours opens a channel to LDK; returns LDK's view of it once ready on both sides.
async fn ours_opens(anchors: bool) -> ldk::ln::channel_state::ChannelDetails {
    let (ours, ldk) = connected_pair(true, ldk_config(anchors)).await;
    let mut world = World::new();
    let mut seen = Vec::new();
    ours.node
        .with(|_, manager| manager.open_channel(ldk.id, FUNDING_SATS, 0, 42, None))
        .expect("open_channel");
    if anchors {
        let (temporary_channel_id, counterparty) = ldk
            .wait_event(|e| match e {
                LdkEvent::OpenChannelRequest {
                    temporary_channel_id,
                    counterparty_node_id,
                    ..
                } => Some((*temporary_channel_id, *counterparty_node_id)),
                _ => None,
            })
            .await;
        ldk.manager
            .accept_inbound_channel(&temporary_channel_id, &counterparty, 1, None)
            .expect("LDK accepts");
    }
    let (temporary_channel_id, script) = ours
        .wait_event(&mut seen, |e| match e {
            Event::FundingGenerationReady {
                temporary_channel_id,
                output_script,
                ..
            } => Some((*temporary_channel_id, output_script.clone())),
            _ => None,
        })
        .await;
    let funding = world.funding_tx(&script, FUNDING_SATS);
    ours.node
        .with(|_, manager| {
            manager.funding_transaction_generated(temporary_channel_id, ldk.id, funding.clone())
        })
        .expect("funding accepted");
    confirm_until_ready(&mut world, &ours, &ldk, &mut seen, &funding).await;
    let channels = ldk.manager.list_channels();
    assert_eq!(channels.len(), 1);
    assert!(channels[0].is_channel_ready);
    assert_eq!(channels[0].channel_value_satoshis, FUNDING_SATS);
    assert!(!channels[0].is_outbound);
    assert_eq!(channels[0].counterparty.node_id, ours.id());
    channels[0].clone()
}

/// LDK opens a channel to ours; returns LDK's view of it once ready on both sides.
async fn ldk_opens(anchors: bool) -> ldk::ln::channel_state::ChannelDetails {
    let (ours, ldk) = connected_pair(false, ldk_config(anchors)).await;
    let mut world = World::new();
    let mut seen = Vec::new();
    ldk.manager
        .create_channel(ours.id(), FUNDING_SATS, 0, 7, None, None)
        .expect("LDK opens");
    let (temporary_channel_id, script) = ldk
        .wait_event(|e| match e {
            LdkEvent::FundingGenerationReady {
                temporary_channel_id,
                output_script,
                ..
            } => Some((*temporary_channel_id, output_script.clone())),
            _ => None,
        })
        .await;
    let funding = world.funding_tx(&script, FUNDING_SATS);
    ldk.manager
        .funding_transaction_generated(temporary_channel_id, ours.id(), funding.clone())
        .expect("LDK takes the funding transaction");
    confirm_until_ready(&mut world, &ours, &ldk, &mut seen, &funding).await;
    let ours_channels = ours.node.with(|_, manager| manager.list_channels());
    assert_eq!(ours_channels.len(), 1);
    let channels = ldk.manager.list_channels();
    assert_eq!(channels.len(), 1);
    assert!(channels[0].is_outbound && channels[0].is_channel_ready);
    channels[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "blocked on our init: LDK 0.2's ChannelManager requires feature bit 0 \
            (option_data_loss_protect, ASSUMED in BOLT 9) and our init does not set bit 0 or 1; \
            passes once lightning::manager::our_init_features sets it"]
async fn ours_opens_a_channel_to_ldk_and_both_see_it_ready() {
    let channel = ours_opens(false).await;
    let channel_type = channel.channel_type.expect("known once negotiated");
    assert!(channel_type.supports_static_remote_key());
    assert!(!channel_type.supports_anchors_zero_fee_htlc_tx());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "blocked on our init: LDK 0.2's ChannelManager requires feature bit 0 \
            (option_data_loss_protect, ASSUMED in BOLT 9) and our init does not set bit 0 or 1; \
            passes once lightning::manager::our_init_features sets it"]
async fn ldk_opens_a_channel_to_ours_and_both_see_it_ready() {
    let channel = ldk_opens(false).await;
    let channel_type = channel.channel_type.expect("known once negotiated");
    assert!(channel_type.supports_static_remote_key());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "blocked on our init: LDK 0.2's ChannelManager requires feature bit 0 \
            (option_data_loss_protect, ASSUMED in BOLT 9) and our init does not set bit 0 or 1; \
            passes once lightning::manager::our_init_features sets it"]
async fn ours_opens_an_anchor_channel_to_ldk_and_both_see_it_ready() {
    let channel = ours_opens(true).await;
    let channel_type = channel.channel_type.expect("known once negotiated");
    assert!(channel_type.supports_anchors_zero_fee_htlc_tx());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "blocked on our init: LDK 0.2's ChannelManager requires feature bit 0 \
            (option_data_loss_protect, ASSUMED in BOLT 9) and our init does not set bit 0 or 1; \
            passes once lightning::manager::our_init_features sets it"]
async fn ldk_opens_an_anchor_channel_to_ours_and_both_see_it_ready() {
    let channel = ldk_opens(true).await;
    let channel_type = channel.channel_type.expect("known once negotiated");
    assert!(channel_type.supports_anchors_zero_fee_htlc_tx());
}
