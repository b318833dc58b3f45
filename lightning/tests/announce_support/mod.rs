//! Shared harness of the `announce_*` tests: networks whose nodes open public channels, and
//! what their graphs say.
// Each test file uses a different part of the harness.
#![allow(dead_code)]

use lightning::bitcoin::secp256k1::PublicKey;
use lightning::manager::{ChannelDetails, ChannelManager};
use lightning::routing::ChannelPolicy;
use lightning::testkit::network::{Network, NodeConfig};
use lightning::wire::{ChannelId, ShortChannelId};

pub const FUNDING_SAT: u64 = 1_000_000;

/// The config of node `index`, opening public channels when `public`.
pub fn node_config(index: usize, public: bool) -> NodeConfig {
    let mut config = NodeConfig::for_index(index);
    config.manager.channel_config.announce_channel = public;
    let alias = format!("node{index}");
    config.manager.node_alias[..alias.len()].copy_from_slice(alias.as_bytes());
    config.manager.node_rgb_color = [index as u8, 0x20, 0x30];
    config
}

/// `count` nodes opening public channels.
pub fn public_network(count: usize) -> Network {
    Network::with_nodes((0..count).map(|i| node_config(i, true)).collect())
}

/// The channel as node `node` lists it.
pub fn details(net: &Network, node: usize, channel: ChannelId) -> ChannelDetails {
    net.node(node)
        .channel(channel)
        .expect("the node has the channel")
}

/// The channel as the first node that has it lists it.
fn any_details(net: &Network, channel: ChannelId) -> ChannelDetails {
    (0..net.node_count())
        .find_map(|node| net.node(node).channel(channel))
        .expect("some node has the channel")
}

/// The channel's short channel id.
pub fn scid(net: &Network, channel: ChannelId) -> ShortChannelId {
    any_details(net, channel)
        .short_channel_id
        .expect("confirmed")
}

/// The funding transaction's confirmations.
pub fn confirmations(net: &Network, channel: ChannelId) -> u32 {
    let txo = any_details(net, channel).funding_txo.expect("funded");
    net.chain().tx_confirmations(&txo.txid).unwrap_or(0)
}

/// Mines until the funding has `depth` confirmations.
pub fn mine_to_depth(net: &mut Network, channel: ChannelId, depth: u32) {
    let have = confirmations(net, channel);
    assert!(have <= depth, "already {have} confirmations");
    if depth > have {
        net.mine_blocks(depth - have);
    }
    assert_eq!(confirmations(net, channel), depth);
}

/// The policy of `from`'s direction of channel `scid` in node `viewer`'s graph.
pub fn policy_of(
    net: &Network,
    viewer: usize,
    scid: ShortChannelId,
    from: usize,
) -> Option<ChannelPolicy> {
    let channel = net.node(viewer).graph().channel(scid)?;
    let from_id = net.node(from).node_id();
    if channel.node_one == from_id {
        channel.one_to_two
    } else if channel.node_two == from_id {
        channel.two_to_one
    } else {
        None
    }
}

/// Whether node `viewer`'s graph holds the channel between `a` and `b` with both
/// directions' updates and both nodes' announcements.
pub fn graph_has_full_channel(
    net: &Network,
    viewer: usize,
    scid: ShortChannelId,
    a: usize,
    b: usize,
) -> bool {
    let graph = net.node(viewer).graph();
    let Some(channel) = graph.channel(scid) else {
        return false;
    };
    let ids = [net.node(a).node_id(), net.node(b).node_id()];
    let mut ends = [channel.node_one, channel.node_two];
    ends.sort();
    let mut want = ids;
    want.sort();
    ends == want
        && channel.one_to_two.is_some()
        && channel.two_to_one.is_some()
        && ids.iter().all(|id| graph.node_announcement(id).is_some())
}

/// Whether node `viewer`'s graph has a `node_announcement` for `node`.
pub fn has_node_announcement(net: &Network, viewer: usize, node: &PublicKey) -> bool {
    net.node(viewer).graph().node_announcement(node).is_some()
}

/// Restores node `index`'s manager from `bytes` with the node's own keys (as a restart
/// would), replacing the running one. Call with the node disconnected from everyone.
pub fn restore_manager(net: &mut Network, index: usize, bytes: &[u8]) {
    let params = net.manager_params(index, b"restored manager");
    let restored = ChannelManager::decode(bytes, params).expect("the saved manager decodes");
    *net.node_mut(index).manager_mut() = restored;
}
