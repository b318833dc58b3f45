//! The simulated network's shape: which nodes, which channels (sizes, fees), and opening
//! them all in a few blocks.

use lightning::channel::ChannelConfig;
use lightning::manager::{Event, ForwardingPolicy};
use lightning::testkit::network::{Network, NodeConfig};
use lightning::wire::ChannelId;

use bitcoin::Amount;

/// Hubs: well connected, cheap to route through.
pub const HUBS: [usize; 4] = [0, 1, 2, 3];
/// The node that joins late (after gossip settled) and learns the graph through gossip
/// queries, over a channel to [`LATE_JOINER_PEER`].
pub const LATE_JOINER: usize = 14;
/// The late joiner's first peer.
pub const LATE_JOINER_PEER: usize = 5;
/// How many nodes the simulation runs.
pub const NODE_COUNT: usize = 15;

/// One channel to open: `funder` opens `capacity_sat` to `peer`, pushing half to it so both
/// sides can pay.
#[derive(Clone, Copy, Debug)]
pub struct ChannelPlan {
    pub funder: usize,
    pub peer: usize,
    pub capacity_sat: u64,
}

const fn plan(funder: usize, peer: usize, capacity_sat: u64) -> ChannelPlan {
    ChannelPlan {
        funder,
        peer,
        capacity_sat,
    }
}

/// The channels: a ring of hubs with a diagonal, regional nodes on one or two hubs (some
/// linked to each other, making cycles), and leaves with a single channel.
pub const CHANNELS: [ChannelPlan; 20] = [
    // The hub core: a ring plus a diagonal.
    plan(0, 1, 8_000_000),
    plan(1, 2, 8_000_000),
    plan(2, 3, 6_000_000),
    plan(3, 0, 6_000_000),
    plan(0, 2, 5_000_000),
    // Regional nodes, most on two hubs.
    plan(4, 0, 3_000_000),
    plan(4, 1, 2_500_000),
    plan(5, 1, 3_000_000),
    plan(5, 2, 2_000_000),
    plan(6, 2, 3_000_000),
    plan(6, 3, 2_000_000),
    plan(7, 3, 2_500_000),
    plan(8, 0, 2_000_000),
    plan(9, 1, 2_000_000),
    // Cycles between regional nodes.
    plan(4, 5, 1_500_000),
    plan(7, 8, 1_500_000),
    // Leaves: one channel each.
    plan(10, 4, 1_000_000),
    plan(11, 6, 1_200_000),
    plan(12, 7, 800_000),
    plan(13, 9, 1_000_000),
];

/// Node `index`'s config: hubs charge little, regional nodes more, leaves the most.
pub fn node_config(index: usize) -> NodeConfig {
    let mut config = NodeConfig::for_index(index);
    let (base, ppm) = match index {
        i if HUBS.contains(&i) => (500, 50 + 25 * i as u32),
        4..=9 => (1_000, 200 + 50 * (index as u32 - 4)),
        _ => (2_000, 500),
    };
    config.manager.forwarding_policy = ForwardingPolicy {
        fee_base_msat: base,
        fee_proportional_millionths: ppm,
        cltv_expiry_delta: 40,
    };
    config.wallet_funding = Amount::from_sat(50_000_000);
    config
}

/// An opened channel.
#[derive(Clone, Copy, Debug)]
pub struct OpenChannel {
    pub plan: ChannelPlan,
    pub channel_id: ChannelId,
}

/// Opens every planned channel, announced: in rounds where each node funds at most one
/// channel (its wallet's change confirms between rounds), then mines until every funding
/// has 6 confirmations (announcement depth).
pub fn open_all(net: &mut Network) -> Result<Vec<OpenChannel>, String> {
    let mut remaining: Vec<ChannelPlan> = CHANNELS.to_vec();
    let mut opened = Vec::new();
    let mut user_channel_id = 0u128;
    while !remaining.is_empty() {
        let mut funders = Vec::new();
        let mut round = Vec::new();
        remaining.retain(|plan| {
            if funders.contains(&plan.funder) {
                return true;
            }
            funders.push(plan.funder);
            round.push(*plan);
            false
        });
        let mut started = Vec::new();
        for plan in round {
            user_channel_id += 1;
            started.push((plan, start_open(net, plan, user_channel_id)?));
        }
        net.run_until_quiet();
        for (plan, temporary) in started {
            opened.push(OpenChannel {
                plan,
                channel_id: fund(net, plan, temporary)?,
            });
        }
        net.mine_blocks(1);
    }
    net.mine_blocks(6);
    for channel in &opened {
        let usable = net
            .node(channel.plan.funder)
            .channel(channel.channel_id)
            .is_some_and(|details| details.is_usable);
        if !usable {
            return Err(format!("channel {} is not usable", channel.channel_id));
        }
    }
    for index in 0..net.node_count() {
        net.node_mut(index)
            .take_events_where(|event| matches!(event, Event::ChannelReady { .. }));
    }
    Ok(opened)
}

fn start_open(
    net: &mut Network,
    plan: ChannelPlan,
    user_channel_id: u128,
) -> Result<ChannelId, String> {
    if !net.is_connected(plan.funder, plan.peer) {
        net.connect(plan.funder, plan.peer);
    }
    let peer_id = net.node(plan.peer).node_id();
    let config = ChannelConfig {
        announce_channel: true,
        ..ChannelConfig::default()
    };
    net.node_mut(plan.funder)
        .manager_mut()
        .open_channel(
            peer_id,
            plan.capacity_sat,
            plan.capacity_sat * 1_000 / 2,
            user_channel_id,
            Some(config),
        )
        .map_err(|err| format!("node {} cannot open to {}: {err}", plan.funder, plan.peer))
}

/// Funds a channel whose `FundingGenerationReady` came: builds the funding transaction with
/// the funder's wallet and hands it over (it is broadcast at once).
fn fund(net: &mut Network, plan: ChannelPlan, temporary: ChannelId) -> Result<ChannelId, String> {
    let ready = net.node_mut(plan.funder).take_events_where(|event| {
        matches!(event, Event::FundingGenerationReady { temporary_channel_id, .. }
            if *temporary_channel_id == temporary)
    });
    let Some(Event::FundingGenerationReady { output_script, .. }) = ready.into_iter().next() else {
        return Err(format!(
            "node {} got no FundingGenerationReady",
            plan.funder
        ));
    };
    let funding = net
        .create_funding_transaction(
            plan.funder,
            &output_script,
            Amount::from_sat(plan.capacity_sat),
        )
        .map_err(|err| format!("node {}'s wallet cannot fund: {err}", plan.funder))?;
    let peer_id = net.node(plan.peer).node_id();
    net.node_mut(plan.funder)
        .manager_mut()
        .funding_transaction_generated(temporary, peer_id, funding)
        .map_err(|err| format!("node {} refused its funding: {err}", plan.funder))?;
    net.run_until_quiet();
    let pending = net.node_mut(plan.funder).take_events_where(|event| {
        matches!(event, Event::ChannelPending { former_temporary_channel_id, .. }
            if *former_temporary_channel_id == temporary)
    });
    match pending.into_iter().next() {
        Some(Event::ChannelPending { channel_id, .. }) => {
            net.node_mut(plan.peer).take_events_where(|event| {
                matches!(event, Event::ChannelPending { channel_id: id, .. } if *id == channel_id)
            });
            Ok(channel_id)
        }
        _ => Err(format!("node {} got no ChannelPending", plan.funder)),
    }
}
