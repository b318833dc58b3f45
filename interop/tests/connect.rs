//! Scenario 1 of issue 9: BOLT 8 handshake and `init` between our node (on the net adapter)
//! and LDK 0.2, in both directions, over real loopback TCP sockets; then `ping`/`pong` both
//! ways.

mod support;

use std::time::Duration;

use lightning::peer::PeerManagerConfig;
use support::{LdkNode, OurNode, WAIT};

fn addr_of(ours: &OurNode) -> std::net::SocketAddr {
    ours.addr.socket_target().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ours_dials_ldk_handshake_and_init() {
    let ldk = LdkNode::start(21);
    let listening = ldk.listen().await;
    let ours = OurNode::start(1, PeerManagerConfig::default()).await;
    let target = format!("{}@{listening}", ldk.id).parse().unwrap();
    tokio::time::timeout(WAIT, ours.node.connect_and_wait(&target))
        .await
        .expect("connects in time")
        .unwrap_or_else(|e| panic!("{e}\nours:\n{}\nldk:\n{}", ours.log.dump(), ldk.log.dump()));
    ldk.wait_connected(ours.id()).await;
    // LDK's init as we decoded it: its features, and our address as it saw it.
    let init = ours
        .node
        .with(|pm, _| pm.peer_init(&ldk.id).cloned())
        .expect("connected");
    assert!(init
        .features
        .supports(lightning::wire::features::Feature::StaticRemoteKey));
    // Our init as LDK decoded it: our required features, and the address we saw for LDK.
    let details = ldk.peers.peer_by_node_id(&ours.id()).unwrap();
    assert!(details.init_features.requires_static_remote_key());
    assert!(details.init_features.requires_payment_secret());
    assert!(details.is_inbound_connection);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldk_dials_ours_handshake_and_init() {
    let ldk = LdkNode::start(22);
    let ours = OurNode::start(2, PeerManagerConfig::default()).await;
    ldk.connect(ours.id(), addr_of(&ours)).await;
    ours.wait_connected(ldk.id).await;
    ldk.wait_connected(ours.id()).await;
    let details = ldk.peers.peer_by_node_id(&ours.id()).unwrap();
    assert!(!details.is_inbound_connection);
    assert!(ours
        .node
        .with(|pm, h| pm.is_connected(&ldk.id) && h.node_id() == ours.id()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pings_and_pongs_both_ways() {
    let config = PeerManagerConfig {
        ping_interval: Duration::from_millis(500),
        ping_timeout: Duration::from_secs(3),
        ..PeerManagerConfig::default()
    };
    let ldk = LdkNode::start(23);
    let ours = OurNode::start(3, config).await;
    ldk.connect(ours.id(), addr_of(&ours)).await;
    ours.wait_connected(ldk.id).await;
    ldk.wait_connected(ours.id()).await;
    // LDK pings on its timer ticks and drops a peer whose pong does not come within a tick
    // or two; we ping every 500 ms and drop LDK if its pong does not come within 3 s.
    for _ in 0..6 {
        ldk.tick();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let pings_from_ldk = ours.log.count("received message type 18");
    let pongs_from_ldk = ours.log.count("received message type 19");
    assert!(
        pings_from_ldk >= 3,
        "LDK's pings reached us: {pings_from_ldk}\n{}",
        ours.log.dump()
    );
    assert!(
        pongs_from_ldk >= 3,
        "LDK answered our pings: {pongs_from_ldk}\n{}",
        ours.log.dump()
    );
    assert!(
        ldk.is_connected(&ours.id()),
        "LDK kept us:\n{}",
        ldk.log.dump()
    );
    assert!(ours.node.with(|pm, _| pm.is_connected(&ldk.id)));
}
