//! Scenario 2 of issue 9: a channel opened by ours to LDK and by LDK to ours, over real
//! loopback sockets, funded on a simulated chain both nodes are fed, and confirmed until
//! both sides report the channel ready; with and without `option_anchors_zero_fee_htlc_tx`.

mod support;

use support::world::{ldk_opens, ours_opens};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ours_opens_a_channel_to_ldk_and_both_see_it_ready() {
    let channel = ours_opens(false).await.ldk_channel;
    let channel_type = channel.channel_type.expect("known once negotiated");
    assert!(channel_type.supports_static_remote_key());
    assert!(!channel_type.supports_anchors_zero_fee_htlc_tx());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldk_opens_a_channel_to_ours_and_both_see_it_ready() {
    let channel = ldk_opens(false).await.ldk_channel;
    let channel_type = channel.channel_type.expect("known once negotiated");
    assert!(channel_type.supports_static_remote_key());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ours_opens_an_anchor_channel_to_ldk_and_both_see_it_ready() {
    let channel = ours_opens(true).await.ldk_channel;
    let channel_type = channel.channel_type.expect("known once negotiated");
    assert!(channel_type.supports_anchors_zero_fee_htlc_tx());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldk_opens_an_anchor_channel_to_ours_and_both_see_it_ready() {
    let channel = ldk_opens(true).await.ldk_channel;
    let channel_type = channel.channel_type.expect("known once negotiated");
    assert!(channel_type.supports_anchors_zero_fee_htlc_tx());
}
