//! The channel scenarios' shared setup: a simulated chain both nodes follow, a wallet that
//! funds channels, and a channel opened by either side and confirmed until ready.

use std::sync::Arc;

use bitcoin::secp256k1::PublicKey;
use bitcoin::{Amount, Transaction};
use ldk::events::Event as LdkEvent;
use ldk::util::config::UserConfig;
use lightning::chain::Confirm;
use lightning::manager::Event;
use lightning::peer::PeerManagerConfig;
use lightning::testkit::{ListenerId, SimChain, SimWallet};

use super::ldk_channels::LdkChannelNode;
use super::{OurNode, WAIT};

pub const FUNDING_SATS: u64 = 250_000;
pub const FEERATE: u32 = 1_000;

/// The simulated chain both nodes follow, and the wallet that funds channels.
pub struct World {
    pub chain: SimChain,
    pub wallet: SimWallet,
    pub ours_listener: ListenerId,
    /// Our chain monitor's place on the chain (used when ours has one).
    pub monitor_listener: ListenerId,
}

impl World {
    pub fn new() -> World {
        let mut chain = SimChain::new();
        let ours_listener = chain.register_listener_at_tip();
        let monitor_listener = chain.register_listener_at_tip();
        let wallet = SimWallet::new([0x77; 32]);
        for _ in 0..4 {
            chain.fund_address(wallet.script_pubkey(), Amount::from_sat(1_000_000));
        }
        World {
            chain,
            wallet,
            ours_listener,
            monitor_listener,
        }
    }

    /// Moves what ours broadcast (its manager and its chain monitor) to the mempool, ahead
    /// of anything broadcast later (the first of two conflicting transactions is mined).
    pub fn broadcast_ours(&mut self, ours: &OurNode) {
        let chain = &mut self.chain;
        ours.node.with(|_, manager| {
            while let Some(tx) = manager.poll_broadcast() {
                chain.broadcast(tx);
            }
        });
        if let Some(monitors) = &ours.monitors {
            let mut monitors = monitors.borrow_mut();
            monitors.drain();
            for tx in monitors.broadcasts.drain(..) {
                self.chain.broadcast(tx);
            }
        }
    }

    pub fn funding_tx(&mut self, script: &bitcoin::Script, sats: u64) -> Transaction {
        self.wallet
            .create_payment(&self.chain, script, Amount::from_sat(sats), FEERATE)
            .expect("the wallet has funds")
    }

    /// Moves both nodes' broadcasts to the mempool, mines `count` blocks, and feeds them to
    /// both nodes.
    pub fn mine(&mut self, count: u32, ours: &OurNode, ldk: &LdkChannelNode) {
        for tx in ldk.take_broadcasts() {
            self.chain.broadcast(tx);
        }
        self.broadcast_ours(ours);
        self.chain.mine_blocks(count);
        if let Some(monitors) = &ours.monitors {
            let mut monitors = monitors.borrow_mut();
            self.chain
                .sync_confirm(self.monitor_listener, &mut monitors.chain_monitor)
                .expect("our chain monitor follows the chain");
            monitors.drain();
        }
        let (chain, listener) = (&mut self.chain, self.ours_listener);
        ours.node.with(|_, manager| {
            let manager: &mut dyn Confirm = &mut **manager;
            chain
                .sync_confirm(listener, manager)
                .expect("ours follows the chain");
        });
        let blocks = (1..=self.chain.height()).map(|h| (h, self.chain.block_at(h).unwrap()));
        ldk.connect_blocks(blocks);
    }
}

pub async fn connected_pair(
    ours_dials: bool,
    config: UserConfig,
    monitored: bool,
) -> (OurNode, Arc<LdkChannelNode>) {
    let ldk = if monitored {
        LdkChannelNode::start_monitored(31, FEERATE, config)
    } else {
        LdkChannelNode::start(31, FEERATE, config)
    };
    let mut ours = OurNode::start(4, PeerManagerConfig::default()).await;
    if monitored {
        ours.spawn_chain_monitor_pump();
    } else {
        ours.spawn_monitor_pump();
    }
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
pub fn ldk_config(anchors: bool) -> UserConfig {
    let mut config = UserConfig::default();
    config
        .channel_handshake_config
        .negotiate_anchors_zero_fee_htlc_tx = anchors;
    config.manually_accept_inbound_channels = anchors;
    config
}

/// Waits for `ChannelReady` on both sides, mining the funding transaction first.
pub async fn confirm_until_ready(
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

/// Ours funds the channel it just opened to LDK (`FundingGenerationReady` → a funding
/// transaction from `world`) and confirms it until ready on both sides.
pub async fn fund_ours_and_confirm(
    world: &mut World,
    ours: &OurNode,
    ldk: &LdkChannelNode,
    seen: &mut Vec<Event>,
) {
    let funding = fund_ours(world, ours, ldk, seen).await;
    confirm_until_ready(world, ours, ldk, seen, &funding).await;
}

/// Ours funds the channel it just opened to LDK (`FundingGenerationReady` → a funding
/// transaction from `world`); returns the funding transaction (not confirmed).
pub async fn fund_ours(
    world: &mut World,
    ours: &OurNode,
    ldk: &LdkChannelNode,
    seen: &mut Vec<Event>,
) -> Transaction {
    let (temporary_channel_id, script) = ours
        .wait_event(seen, |e| match e {
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
    funding
}

/// LDK opens a channel to ours (its config decides whether it is announced), funds it from
/// `world` and confirms it until ready on both sides.
pub async fn ldk_opens_and_confirms(
    world: &mut World,
    ours: &OurNode,
    ldk: &LdkChannelNode,
    seen: &mut Vec<Event>,
) {
    let funding = ldk_opens_and_funds(world, ldk, ours.id(), 7).await;
    confirm_until_ready(world, ours, ldk, seen, &funding).await;
}

/// LDK opens a channel to `peer` (one of ours) with `user_channel_id` and funds it from
/// `world`; returns the funding transaction (not confirmed).
pub async fn ldk_opens_and_funds(
    world: &mut World,
    ldk: &LdkChannelNode,
    peer: PublicKey,
    user_channel_id: u128,
) -> Transaction {
    ldk.manager
        .create_channel(peer, FUNDING_SATS, 0, user_channel_id, None, None)
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
        .funding_transaction_generated(temporary_channel_id, peer, funding.clone())
        .expect("LDK takes the funding transaction");
    funding
}

/// Ours opens a channel to LDK; returns LDK's view of it once ready on both sides.
pub async fn ours_opens(anchors: bool) -> Opened {
    ours_opens_with(anchors, false).await
}

/// [`ours_opens`], with real chain monitors on both sides when `monitored`.
pub async fn ours_opens_with(anchors: bool, monitored: bool) -> Opened {
    let (ours, ldk) = connected_pair(true, ldk_config(anchors), monitored).await;
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
    fund_ours_and_confirm(&mut world, &ours, &ldk, &mut seen).await;
    let channels = ldk.manager.list_channels();
    assert_eq!(channels.len(), 1);
    assert!(channels[0].is_channel_ready);
    assert_eq!(channels[0].channel_value_satoshis, FUNDING_SATS);
    assert!(!channels[0].is_outbound);
    assert_eq!(channels[0].counterparty.node_id, ours.id());
    let ldk_channel = channels[0].clone();
    Opened {
        ours,
        ldk,
        world,
        seen,
        ldk_channel,
    }
}

/// LDK opens a channel to ours; returns LDK's view of it once ready on both sides.
pub async fn ldk_opens(anchors: bool) -> Opened {
    ldk_opens_with(anchors, false).await
}

/// [`ldk_opens`], with real chain monitors on both sides when `monitored`.
pub async fn ldk_opens_with(anchors: bool, monitored: bool) -> Opened {
    let (ours, ldk) = connected_pair(false, ldk_config(anchors), monitored).await;
    let mut world = World::new();
    let mut seen = Vec::new();
    ldk_opens_and_confirms(&mut world, &ours, &ldk, &mut seen).await;
    let ours_channels = ours.node.with(|_, manager| manager.list_channels());
    assert_eq!(ours_channels.len(), 1);
    let channels = ldk.manager.list_channels();
    assert_eq!(channels.len(), 1);
    assert!(channels[0].is_outbound && channels[0].is_channel_ready);
    let ldk_channel = channels[0].clone();
    Opened {
        ours,
        ldk,
        world,
        seen,
        ldk_channel,
    }
}

/// Two nodes with one channel between them, ready on both sides.
pub struct Opened {
    pub ours: OurNode,
    pub ldk: Arc<LdkChannelNode>,
    pub world: World,
    /// Our events not consumed yet.
    pub seen: Vec<Event>,
    /// LDK's view of the channel when it became ready.
    pub ldk_channel: ldk::ln::channel_state::ChannelDetails,
}
