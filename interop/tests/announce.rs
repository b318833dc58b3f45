//! BOLT 7 channel announcement against LDK: a public channel opened by ours to LDK and by
//! LDK to ours, confirmed past 6 blocks; both sides exchange `announcement_signatures`
//! without any `warning` or `error`, both report the channel announced, LDK's network graph
//! accepts our `channel_announcement` (our four signatures checked by LDK), and our network
//! graph accepts the one LDK sent us.

mod support;

use std::sync::Arc;
use std::time::Duration;

use bitcoin::secp256k1::Secp256k1;
use bitcoin::Network;
use ldk::ln::msgs::RoutingMessageHandler;
use ldk::routing::gossip::{NetworkGraph as LdkGraph, P2PGossipSync};
use ldk::routing::utxo::UtxoLookup;
use ldk::util::config::UserConfig;
use ldk::util::ser::LengthReadable;
use lightning::channel::ChannelConfig;
use lightning::peer::PeerManagerConfig;
use lightning::routing::NetworkGraph;
use lightning::wire::gossip::ChannelAnnouncement;
use lightning::wire::{ChainHash, Message};

use support::ldk_channels::LdkChannelNode;
use support::tap::Dir;
use support::world::{
    connected_pair, fund_ours_and_confirm, ldk_config, ldk_opens_and_confirms, World, FUNDING_SATS,
};
use support::{unix_now, OurNode, WAIT};

/// LDK's default configuration, announcing its channels.
fn public_ldk_config() -> UserConfig {
    let mut config = ldk_config(false);
    config.channel_handshake_config.announce_for_forwarding = true;
    config
}

/// A third node of ours, connected to LDK before the channel is announced: LDK broadcasts
/// its `channel_announcement` to every peer but the channel's two ends, so this is where
/// LDK's own announcement shows up.
async fn observer_of(ldk: &LdkChannelNode) -> OurNode {
    let observer = OurNode::start(5, PeerManagerConfig::default()).await;
    ldk.connect(
        observer.id(),
        observer.addr.socket_target().parse().unwrap(),
    )
    .await;
    observer.wait_connected(ldk.id).await;
    observer
}

/// Ours opens a public channel to LDK and confirms it until ready on both sides.
async fn ours_opens_public() -> (OurNode, Arc<LdkChannelNode>, World, OurNode) {
    let (ours, ldk) = connected_pair(true, public_ldk_config(), false).await;
    let observer = observer_of(&ldk).await;
    let mut world = World::new();
    let mut seen = Vec::new();
    let config = ChannelConfig {
        announce_channel: true,
        ..ChannelConfig::default()
    };
    ours.node
        .with(|_, manager| manager.open_channel(ldk.id, FUNDING_SATS, 0, 42, Some(config)))
        .expect("open_channel");
    fund_ours_and_confirm(&mut world, &ours, &ldk, &mut seen).await;
    (ours, ldk, world, observer)
}

/// LDK opens a public channel to ours and confirms it until ready on both sides.
async fn ldk_opens_public() -> (OurNode, Arc<LdkChannelNode>, World, OurNode) {
    let (ours, ldk) = connected_pair(false, public_ldk_config(), false).await;
    let observer = observer_of(&ldk).await;
    let mut world = World::new();
    let mut seen = Vec::new();
    ldk_opens_and_confirms(&mut world, &ours, &ldk, &mut seen).await;
    (ours, ldk, world, observer)
}

/// Waits until both sides report the one channel announced; returns its short channel id.
async fn wait_announced(ours: &OurNode, ldk: &LdkChannelNode) -> u64 {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let ours_channels = ours.node.with(|_, manager| manager.list_channels());
        let ldk_channels = ldk.manager.list_channels();
        assert_eq!(ours_channels.len(), 1);
        assert_eq!(ldk_channels.len(), 1);
        assert!(ours_channels[0].is_public, "ours opened it public");
        if ours_channels[0].is_announced && ldk_channels[0].is_announced {
            let scid = ours_channels[0].short_channel_id.expect("confirmed").0;
            assert_eq!(ldk_channels[0].short_channel_id, Some(scid));
            return scid;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never announced on both sides (ours {}, LDK {})\nour log:\n{}\nLDK log:\n{}",
            ours_channels[0].is_announced,
            ldk_channels[0].is_announced,
            ours.log.dump(),
            ldk.log.dump()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Our `channel_announcement` for `scid` from our gossip queue.
fn our_channel_announcement(ours: &OurNode, scid: u64) -> ChannelAnnouncement {
    let gossip = ours.node.with(|_, tap| {
        let mut gossip = Vec::new();
        while let Some(message) = tap.manager.poll_gossip() {
            gossip.push(message);
        }
        gossip
    });
    gossip
        .into_iter()
        .find_map(|message| match message {
            Message::ChannelAnnouncement(a) if a.short_channel_id.0 == scid => Some(a),
            _ => None,
        })
        .expect("our gossip queue holds the channel_announcement")
}

/// Checks both sides' announcements and the messages exchanged, once announced.
async fn check_announced(ours: OurNode, ldk: Arc<LdkChannelNode>, observer: OurNode) {
    let scid = wait_announced(&ours, &ldk).await;
    // Let the last messages (LDK's broadcast of the announcement) arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let passed = ours.node.with(|_, tap| tap.passed.clone());
    let count = |dir: Dir, pick: fn(&Message) -> bool| {
        passed.iter().filter(|(d, m)| *d == dir && pick(m)).count()
    };
    let is_sigs = |m: &Message| matches!(m, Message::AnnouncementSignatures(_));
    let is_fault = |m: &Message| matches!(m, Message::Warning(_) | Message::Error(_));
    assert!(
        count(Dir::Out, is_sigs) >= 1,
        "ours sent announcement_signatures"
    );
    assert!(
        count(Dir::In, is_sigs) >= 1,
        "LDK sent announcement_signatures"
    );
    assert_eq!(count(Dir::Out, is_fault), 0, "ours sent no warning/error");
    assert_eq!(count(Dir::In, is_fault), 0, "LDK sent no error");
    assert_eq!(
        ours.log.count("peer sent warning"),
        0,
        "LDK sent no warning"
    );
    assert_eq!(ours.log.count("peer sent error"), 0, "LDK sent no error");
    assert!(
        ldk.log
            .count("Handling BroadcastChannelAnnouncement event in peer_handler")
            >= 1,
        "LDK broadcast its channel_announcement"
    );

    // LDK's gossip code checks our announcement (chain, keys order, four signatures).
    let ours_announcement = our_channel_announcement(&ours, scid);
    let bytes = Message::ChannelAnnouncement(ours_announcement.clone()).encode();
    let for_ldk =
        ldk::ln::msgs::ChannelAnnouncement::read_from_fixed_length_buffer(&mut &bytes[2..])
            .expect("LDK decodes our channel_announcement");
    let graph = Arc::new(LdkGraph::new(Network::Regtest, ldk.log.clone()));
    let sync = P2PGossipSync::new(
        graph.clone(),
        None::<Arc<dyn UtxoLookup + Send + Sync>>,
        ldk.log.clone(),
    );
    sync.handle_channel_announcement(None, &for_ldk)
        .unwrap_or_else(|e| panic!("LDK's graph rejects our channel_announcement: {e:?}"));
    {
        let read = graph.read_only();
        let channel = read.channel(scid).expect("LDK's graph has the channel");
        let ends = [channel.node_one, channel.node_two];
        assert!(ends.contains(&ldk::routing::gossip::NodeId::from_pubkey(&ours.id())));
        assert!(ends.contains(&ldk::routing::gossip::NodeId::from_pubkey(&ldk.id)));
    }

    // Ours checks LDK's announcement, as LDK broadcast it to the observer.
    let from_ldk = tokio::time::timeout(
        WAIT,
        observer.node.wait_until(|_, tap| {
            tap.passed.iter().find_map(|(dir, m)| match (dir, m) {
                (Dir::In, Message::ChannelAnnouncement(a)) if a.short_channel_id.0 == scid => {
                    Some(a.clone())
                }
                _ => None,
            })
        }),
    )
    .await
    .unwrap_or_else(|_| panic!("LDK never broadcast its channel_announcement to the observer"));
    let mut our_graph = NetworkGraph::new(ChainHash::using_genesis_block(Network::Regtest));
    our_graph
        .handle_channel_announcement(
            &Secp256k1::verification_only(),
            &from_ldk,
            None,
            unix_now().as_secs(),
        )
        .expect("our graph accepts LDK's channel_announcement");
    assert!(our_graph
        .channel(lightning::wire::ShortChannelId(scid))
        .is_some());
    // Both announce the same signed content, and signatures are deterministic (RFC 6979).
    assert_eq!(
        from_ldk, ours_announcement,
        "both sides built the same message"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ours_opens_a_public_channel_and_ldk_accepts_our_announcement() {
    let (ours, ldk, _world, observer) = ours_opens_public().await;
    check_announced(ours, ldk, observer).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldk_opens_a_public_channel_and_ldk_accepts_our_announcement() {
    let (ours, ldk, _world, observer) = ldk_opens_public().await;
    check_announced(ours, ldk, observer).await;
}
