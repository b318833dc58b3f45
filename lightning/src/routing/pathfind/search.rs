//! One path search: Dijkstra from the payee back to the payer, amounts and fees computed
//! backwards (the amount a node must receive is what it forwards plus its fee).

use alloc::collections::BinaryHeap;
use alloc::vec::Vec;
use core::cmp::Reverse;
use core::time::Duration;

use hashbrown::{HashMap, HashSet};

use crate::routing::graph::{NetworkGraph, NodeKey};
use crate::routing::router::{FirstHop, RouteHintHop, RouteParameters, RoutingFees};
use crate::routing::scorer::Score;

/// The most hops a path may have: what fits in a 1,300-byte onion with room to spare.
pub(super) const MAX_PATH_HOPS: u8 = 20;

/// An edge the search may use: `source` forwards to `target` over `short_channel_id`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Edge {
    pub(super) source: u32,
    pub(super) target: u32,
    pub(super) short_channel_id: u64,
    /// BOLT 7 direction (false: from node_id_1); for the scorer and liquidity accounting.
    pub(super) direction: bool,
    pub(super) fees: RoutingFees,
    pub(super) cltv_expiry_delta: u16,
    pub(super) htlc_minimum_msat: u64,
    pub(super) htlc_maximum_msat: u64,
    /// What the channel can carry in total (capacity or live balance).
    pub(super) capacity_msat: u64,
    /// Our own channel: no fee, no CLTV delta, no score (its balance is known).
    pub(super) first_hop: bool,
    /// Whether the scorer is asked about this edge.
    pub(super) scored: bool,
}

/// The nodes of one search: the graph's slots, then nodes known only from hints or first hops.
pub(super) struct SearchSpace<'g> {
    pub(super) graph: &'g NetworkGraph,
    pub(super) extra_keys: Vec<NodeKey>,
    extra_index: HashMap<NodeKey, u32>,
    /// Edges into each node that do not come from the graph (hints, first hops).
    extra_edges: HashMap<u32, Vec<Edge>>,
    pub(super) payer: u32,
    pub(super) payee: u32,
    excluded_nodes: HashSet<u32>,
    excluded_channels: HashSet<u64>,
}

impl<'g> SearchSpace<'g> {
    pub(super) fn new(
        graph: &'g NetworkGraph,
        payer: NodeKey,
        params: &RouteParameters,
        first_hops: &[FirstHop],
    ) -> Self {
        let mut space = SearchSpace {
            graph,
            extra_keys: Vec::new(),
            extra_index: HashMap::new(),
            extra_edges: HashMap::new(),
            payer: 0,
            payee: 0,
            excluded_nodes: HashSet::new(),
            excluded_channels: params.excluded_channels.iter().map(|id| id.0).collect(),
        };
        space.payer = space.index_of(payer);
        space.payee = space.index_of(NodeKey::from_pubkey(&params.payee));
        for node in &params.excluded_nodes {
            let index = space.index_of(NodeKey::from_pubkey(node));
            if index != space.payer && index != space.payee {
                space.excluded_nodes.insert(index);
            }
        }
        for hop in first_hops {
            let target = space.index_of(NodeKey::from_pubkey(&hop.counterparty));
            let direction = payer.0 > hop.counterparty.serialize();
            let edge = Edge {
                source: space.payer,
                target,
                short_channel_id: hop.short_channel_id.0,
                direction,
                fees: RoutingFees::default(),
                cltv_expiry_delta: 0,
                htlc_minimum_msat: hop.next_outbound_htlc_minimum_msat,
                htlc_maximum_msat: hop.next_outbound_htlc_limit_msat,
                capacity_msat: hop.outbound_capacity_msat,
                first_hop: true,
                scored: false,
            };
            space.extra_edges.entry(target).or_default().push(edge);
        }
        for hint in &params.route_hints {
            let hops = &hint.0;
            for (position, hop) in hops.iter().enumerate() {
                let target_key = match hops.get(position + 1) {
                    Some(next) => NodeKey::from_pubkey(&next.src_node_id),
                    None => NodeKey::from_pubkey(&params.payee),
                };
                space.add_hint_edge(hop, target_key);
            }
        }
        space
    }

    fn add_hint_edge(&mut self, hop: &RouteHintHop, target_key: NodeKey) {
        let source_key = NodeKey::from_pubkey(&hop.src_node_id);
        let source = self.index_of(source_key);
        let target = self.index_of(target_key);
        if source == target {
            return;
        }
        let htlc_maximum_msat = hop.htlc_maximum_msat.unwrap_or(u64::MAX);
        let edge = Edge {
            source,
            target,
            short_channel_id: hop.short_channel_id.0,
            direction: source_key > target_key,
            fees: hop.fees,
            cltv_expiry_delta: hop.cltv_expiry_delta,
            htlc_minimum_msat: hop.htlc_minimum_msat.unwrap_or(0),
            htlc_maximum_msat,
            capacity_msat: htlc_maximum_msat,
            first_hop: source == self.payer,
            scored: false,
        };
        self.extra_edges.entry(target).or_default().push(edge);
    }

    /// The index of `key`, adding it as an extra node if the graph does not know it.
    fn index_of(&mut self, key: NodeKey) -> u32 {
        if let Some(slot) = self.graph.node_slot(&key) {
            return slot;
        }
        if let Some(index) = self.extra_index.get(&key) {
            return *index;
        }
        let index = (self.graph.nodes.len() + self.extra_keys.len()) as u32;
        self.extra_keys.push(key);
        self.extra_index.insert(key, index);
        index
    }

    pub(super) fn node_count(&self) -> usize {
        self.graph.nodes.len() + self.extra_keys.len()
    }

    pub(super) fn key(&self, index: u32) -> NodeKey {
        match (index as usize).checked_sub(self.graph.nodes.len()) {
            None => *self.graph.node_key(index),
            Some(extra) => self.extra_keys[extra],
        }
    }

    /// Calls `visit` with every usable edge into `target`.
    fn for_each_edge_into(&self, target: u32, mut visit: impl FnMut(Edge)) {
        if let Some(edges) = self.extra_edges.get(&target) {
            edges.iter().copied().for_each(&mut visit);
        }
        let Some(node) = self.graph.nodes.get(target as usize) else {
            return;
        };
        for slot in &node.channels {
            let channel = &self.graph.channels[*slot as usize];
            let (source, direction) = if channel.node_one == target {
                (channel.node_two, true)
            } else {
                (channel.node_one, false)
            };
            // Our own channels come from the first hops, with their live balances.
            if source == self.payer || self.excluded_channels.contains(&channel.short_channel_id) {
                continue;
            }
            let Some(policy) = channel.policies[usize::from(direction)] else {
                continue;
            };
            if !policy.enabled || policy.htlc_minimum_msat > policy.htlc_maximum_msat {
                continue;
            }
            visit(Edge {
                source,
                target,
                short_channel_id: channel.short_channel_id,
                direction,
                fees: policy.fees,
                cltv_expiry_delta: policy.cltv_expiry_delta,
                htlc_minimum_msat: policy.htlc_minimum_msat,
                htlc_maximum_msat: policy.htlc_maximum_msat,
                capacity_msat: channel.capacity_msat().unwrap_or(policy.htlc_maximum_msat),
                first_hop: false,
                scored: true,
            });
        }
    }
}

/// The best known way from a node to the payee.
#[derive(Clone, Copy, Debug)]
pub(super) struct Label {
    /// The amount that must arrive at this node.
    pub(super) amount_msat: u64,
    /// The fees paid from here to the payee.
    pub(super) fee_msat: u64,
    /// Fees plus penalties: what Dijkstra minimises.
    cost: u64,
    /// The sum of CLTV deltas from here (the final delta included).
    pub(super) cltv: u32,
    /// The hops from here to the payee.
    hops: u8,
    /// The edge from this node towards the payee (`None` at the payee).
    pub(super) next: Option<Edge>,
}

/// Limits and state one search runs under.
pub(super) struct SearchLimits<'a> {
    pub(super) amount_msat: u64,
    pub(super) final_cltv: u32,
    pub(super) max_cltv: u32,
    pub(super) max_fee_msat: u64,
    /// Liquidity already used per (channel, direction): in flight plus earlier parts.
    pub(super) used: &'a HashMap<(u64, bool), u64>,
    pub(super) scorer: &'a dyn Score,
    pub(super) now: Duration,
}

/// The labels of the fixed path `edges` (payer first) delivering `limits.amount_msat`, if
/// every edge can carry its amount within the limits.
pub(super) fn walk_path(
    space: &SearchSpace<'_>,
    limits: &SearchLimits<'_>,
    edges: &[Edge],
) -> Option<Vec<Label>> {
    let mut labels = alloc::vec![Label {
        amount_msat: limits.amount_msat,
        fee_msat: 0,
        cost: 0,
        cltv: limits.final_cltv,
        hops: 0,
        next: None,
    }];
    for edge in edges.iter().rev() {
        let here = labels.last()?;
        let label = relax(space, limits, here, *edge)?;
        labels.push(label);
    }
    labels.reverse();
    Some(labels)
}

/// Finds the cheapest path for `limits.amount_msat`: the labels from the payer to the payee,
/// payer first, or `None`.
pub(super) fn search(space: &SearchSpace<'_>, limits: &SearchLimits<'_>) -> Option<Vec<Label>> {
    let mut labels: Vec<Option<Label>> = alloc::vec![None; space.node_count()];
    let mut done = alloc::vec![false; space.node_count()];
    let mut heap = BinaryHeap::new();
    labels[space.payee as usize] = Some(Label {
        amount_msat: limits.amount_msat,
        fee_msat: 0,
        cost: 0,
        cltv: limits.final_cltv,
        hops: 0,
        next: None,
    });
    heap.push(Reverse((0u64, space.payee)));
    while let Some(Reverse((cost, node))) = heap.pop() {
        if done[node as usize] {
            continue;
        }
        done[node as usize] = true;
        if node == space.payer {
            break;
        }
        // Every node in the heap has a label (pushed with it).
        let Some(here) = labels[node as usize] else {
            continue;
        };
        debug_assert_eq!(here.cost, cost);
        space.for_each_edge_into(node, |edge| {
            let source = edge.source as usize;
            if done[source] || space.excluded_nodes.contains(&edge.source) {
                return;
            }
            if edge.source != space.payer && edge.first_hop {
                return;
            }
            let Some(label) = relax(space, limits, &here, edge) else {
                return;
            };
            if labels[source].is_none_or(|old| label.cost < old.cost) {
                labels[source] = Some(label);
                heap.push(Reverse((label.cost, edge.source)));
            }
        });
    }
    if !done[space.payer as usize] {
        return None;
    }
    let mut path = Vec::new();
    let mut node = space.payer;
    loop {
        let label = labels[node as usize]?;
        path.push(label);
        match label.next {
            Some(edge) => node = edge.target,
            None => break,
        }
    }
    Some(path)
}

/// The label `edge.source` gets by forwarding to `here` over `edge`, if the edge can carry it.
fn relax(
    space: &SearchSpace<'_>,
    limits: &SearchLimits<'_>,
    here: &Label,
    edge: Edge,
) -> Option<Label> {
    if here.hops >= MAX_PATH_HOPS {
        return None;
    }
    let amount = here.amount_msat;
    if amount < edge.htlc_minimum_msat || amount > edge.htlc_maximum_msat {
        return None;
    }
    let used = limits
        .used
        .get(&(edge.short_channel_id, edge.direction))
        .copied()
        .unwrap_or(0);
    let total = amount.checked_add(used)?;
    if total > edge.capacity_msat {
        return None;
    }
    let from_payer = edge.source == space.payer;
    let (fee, delta) = match from_payer {
        true => (0, 0),
        false => (
            edge.fees.fee_for(amount)?,
            u32::from(edge.cltv_expiry_delta),
        ),
    };
    let fee_msat = here.fee_msat.checked_add(fee)?;
    let cltv = here.cltv.checked_add(delta)?;
    if fee_msat > limits.max_fee_msat || cltv > limits.max_cltv {
        return None;
    }
    let penalty = match edge.scored {
        false => 0,
        true => limits.scorer.channel_penalty_msat(
            crate::wire::ShortChannelId(edge.short_channel_id),
            edge.direction,
            total,
            edge.capacity_msat,
            limits.now,
        ),
    };
    Some(Label {
        amount_msat: amount.checked_add(fee)?,
        fee_msat,
        cost: here.cost.saturating_add(fee).saturating_add(penalty),
        cltv,
        hops: here.hops + 1,
        next: Some(edge),
    })
}
