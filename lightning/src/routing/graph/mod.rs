//! The [`NetworkGraph`]: every public channel and node we learned from verified gossip.
//!
//! # Call contract
//!
//! 1. Create it once per chain with [`NetworkGraph::new`] (or read a stored one back with
//!    [`NetworkGraph::read`]).
//! 2. Feed it gossip, usually through a [`GossipHandler`](crate::routing::gossip::GossipHandler)
//!    which calls [`NetworkGraph::handle_channel_announcement`],
//!    [`NetworkGraph::handle_node_announcement`] and [`NetworkGraph::handle_channel_update`].
//!    Each check of BOLT 7 that fails returns a [`GossipError`] and leaves the graph unchanged.
//! 3. When a funding output is spent, call [`NetworkGraph::remove_channel`]; once in a while
//!    (e.g. hourly) call [`NetworkGraph::prune_stale_channels`] with the current time.
//! 4. Store it with [`NetworkGraph::write`] whenever convenient.
//!
//! # Layout
//!
//! Nodes and channels live in slot vectors and refer to each other by 32-bit index, so the
//! pathfinder walks adjacency lists without hashing. Node keys are kept in their 33-byte
//! compressed form (parsed only when a route names them). The signatures needed to serve the
//! gossip to other peers (query replies) are kept in a separate boxed "proof" per channel,
//! which a node that never serves gossip can turn off ([`NetworkGraph::new_without_proofs`]).
//! [`NetworkGraph::memory_usage`] reports the bytes used.

mod serialize;
mod update;

pub use serialize::GraphReadError;
pub use update::{GossipError, UtxoLookup, UtxoResult};

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::mem::size_of;

use hashbrown::HashMap;
use secp256k1::ecdsa::Signature;
use secp256k1::PublicKey;

use crate::routing::router::RoutingFees;
use crate::wire::gossip::NodeAnnouncement;
use crate::wire::{ChainHash, ShortChannelId};

/// A node's key in compressed form (33 bytes), as stored in the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeKey(pub [u8; 33]);

impl NodeKey {
    /// The compressed form of `key`.
    pub fn from_pubkey(key: &PublicKey) -> Self {
        NodeKey(key.serialize())
    }

    /// The key, or `None` if the bytes are not a valid point.
    pub fn to_pubkey(&self) -> Option<PublicKey> {
        PublicKey::from_slice(&self.0).ok()
    }
}

/// One direction's forwarding policy, from the latest valid `channel_update` of that side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelPolicy {
    /// The fees charged to forward in this direction.
    pub fees: RoutingFees,
    /// The smallest HTLC forwarded.
    pub htlc_minimum_msat: u64,
    /// The largest HTLC forwarded.
    pub htlc_maximum_msat: u64,
    /// The update's `timestamp` (seconds since the Unix epoch).
    pub last_update: u32,
    /// The CLTV delta required.
    pub cltv_expiry_delta: u16,
    /// Whether the direction is usable (the `disable` bit is clear).
    pub enabled: bool,
}

/// A channel as the graph knows it (an owned copy, for callers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelView {
    /// The channel's id.
    pub short_channel_id: ShortChannelId,
    /// `node_id_1`, the lesser key.
    pub node_one: PublicKey,
    /// `node_id_2`, the greater key.
    pub node_two: PublicKey,
    /// The funding output's value, if a UTXO lookup gave it.
    pub capacity_sat: Option<u64>,
    /// The policy of `node_one` forwarding to `node_two` (direction 0).
    pub one_to_two: Option<ChannelPolicy>,
    /// The policy of `node_two` forwarding to `node_one` (direction 1).
    pub two_to_one: Option<ChannelPolicy>,
}

/// Bytes used by a graph, as counted by [`NetworkGraph::memory_usage`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphMemoryUsage {
    /// Channels in the graph.
    pub channels: usize,
    /// Nodes in the graph.
    pub nodes: usize,
    /// Bytes of the channel slots, index and adjacency lists (no proofs).
    pub channel_bytes: usize,
    /// Bytes of the node slots and index (announcements included).
    pub node_bytes: usize,
    /// Bytes of the kept gossip proofs (signatures to serve gossip to peers).
    pub proof_bytes: usize,
}

impl GraphMemoryUsage {
    /// All bytes.
    pub fn total_bytes(&self) -> usize {
        self.channel_bytes + self.node_bytes + self.proof_bytes
    }

    /// All bytes divided by the number of channels (0 for an empty graph).
    pub fn bytes_per_channel(&self) -> usize {
        self.total_bytes().checked_div(self.channels).unwrap_or(0)
    }
}

/// The signatures and extra bytes needed to rebuild one direction's `channel_update`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UpdateProof {
    pub(crate) signature: Signature,
    pub(crate) message_flags: u8,
    pub(crate) channel_flags: u8,
    pub(crate) excess_data: Box<[u8]>,
}

/// What is needed to rebuild the channel's signed gossip for other peers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChannelProof {
    pub(crate) signatures: [Signature; 4],
    pub(crate) bitcoin_keys: [NodeKey; 2],
    pub(crate) features: Box<[u8]>,
    pub(crate) excess_data: Box<[u8]>,
    pub(crate) updates: [Option<UpdateProof>; 2],
}

/// Marks a free channel slot.
pub(crate) const DEAD: u32 = u32::MAX;

/// One channel slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChannelEntry {
    pub(crate) short_channel_id: u64,
    pub(crate) node_one: u32,
    pub(crate) node_two: u32,
    /// When we learned of the channel (seconds): its age when no update came yet.
    pub(crate) added_at: u32,
    /// The funding value in satoshis, 0 when unknown.
    pub(crate) capacity_sat: u64,
    pub(crate) policies: [Option<ChannelPolicy>; 2],
    pub(crate) proof: Option<Box<ChannelProof>>,
}

impl ChannelEntry {
    fn dead() -> Self {
        ChannelEntry {
            short_channel_id: 0,
            node_one: DEAD,
            node_two: DEAD,
            added_at: 0,
            capacity_sat: 0,
            policies: [None, None],
            proof: None,
        }
    }

    pub(crate) fn is_dead(&self) -> bool {
        self.node_one == DEAD
    }

    /// The largest HTLC the channel can carry as far as gossip tells: the capacity if known.
    pub(crate) fn capacity_msat(&self) -> Option<u64> {
        (self.capacity_sat != 0).then(|| self.capacity_sat.saturating_mul(1000))
    }
}

/// One node slot; `channels` empty means a free slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NodeEntry {
    pub(crate) key: NodeKey,
    pub(crate) channels: Vec<u32>,
    pub(crate) announcement: Option<Box<NodeAnnouncement>>,
}

/// The public network, from verified gossip. See the [module documentation](self).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkGraph {
    chain_hash: ChainHash,
    keep_proofs: bool,
    pub(crate) channels: Vec<ChannelEntry>,
    free_channels: Vec<u32>,
    channel_index: BTreeMap<u64, u32>,
    pub(crate) nodes: Vec<NodeEntry>,
    free_nodes: Vec<u32>,
    node_index: HashMap<NodeKey, u32>,
}

/// Two weeks, in seconds: the age after which a channel without fresh updates is stale.
pub const STALE_CHANNEL_AGE_SECS: u32 = 1_209_600;

impl NetworkGraph {
    /// An empty graph for `chain_hash` that keeps the signatures needed to serve gossip.
    pub fn new(chain_hash: ChainHash) -> Self {
        Self::with_proofs(chain_hash, true)
    }

    /// An empty graph that keeps no signatures: smaller, but cannot answer gossip queries
    /// with announcements (only with channel ids).
    pub fn new_without_proofs(chain_hash: ChainHash) -> Self {
        Self::with_proofs(chain_hash, false)
    }

    fn with_proofs(chain_hash: ChainHash, keep_proofs: bool) -> Self {
        NetworkGraph {
            chain_hash,
            keep_proofs,
            channels: Vec::new(),
            free_channels: Vec::new(),
            channel_index: BTreeMap::new(),
            nodes: Vec::new(),
            free_nodes: Vec::new(),
            node_index: HashMap::new(),
        }
    }

    /// The chain this graph is for.
    pub fn chain_hash(&self) -> ChainHash {
        self.chain_hash
    }

    /// Whether the graph keeps gossip proofs (see [`NetworkGraph::new_without_proofs`]).
    pub fn keeps_proofs(&self) -> bool {
        self.keep_proofs
    }

    /// The number of channels.
    pub fn channel_count(&self) -> usize {
        self.channel_index.len()
    }

    /// The number of nodes (with at least one channel).
    pub fn node_count(&self) -> usize {
        self.node_index.len()
    }

    /// The channel `short_channel_id`, if known.
    pub fn channel(&self, short_channel_id: ShortChannelId) -> Option<ChannelView> {
        let entry = self.channel_entry(short_channel_id.0)?;
        Some(ChannelView {
            short_channel_id,
            node_one: self.nodes[entry.node_one as usize].key.to_pubkey()?,
            node_two: self.nodes[entry.node_two as usize].key.to_pubkey()?,
            capacity_sat: (entry.capacity_sat != 0).then_some(entry.capacity_sat),
            one_to_two: entry.policies[0],
            two_to_one: entry.policies[1],
        })
    }

    /// The ids of every channel, in increasing order.
    pub fn channel_ids(&self) -> impl Iterator<Item = ShortChannelId> + '_ {
        self.channel_index.keys().map(|id| ShortChannelId(*id))
    }

    /// The ids of the channels whose funding block is in `first_block..first_block + count`,
    /// in increasing order.
    pub fn channel_ids_in_blocks(
        &self,
        first_block: u32,
        count: u32,
    ) -> impl Iterator<Item = ShortChannelId> + '_ {
        let start = u64::from(first_block) << 40;
        let end = (u64::from(first_block) + u64::from(count)).min(1 << 24) << 40;
        self.channel_index
            .range(start..end)
            .map(|(id, _)| ShortChannelId(*id))
    }

    /// The channels of `node`, if the node is known.
    pub fn node_channels(&self, node: &PublicKey) -> Option<Vec<ShortChannelId>> {
        let index = *self.node_index.get(&NodeKey::from_pubkey(node))?;
        let entry = &self.nodes[index as usize];
        Some(
            entry
                .channels
                .iter()
                .map(|slot| ShortChannelId(self.channels[*slot as usize].short_channel_id))
                .collect(),
        )
    }

    /// The latest valid `node_announcement` of `node`, if any.
    pub fn node_announcement(&self, node: &PublicKey) -> Option<&NodeAnnouncement> {
        let index = *self.node_index.get(&NodeKey::from_pubkey(node))?;
        self.nodes[index as usize].announcement.as_deref()
    }

    /// Removes a channel (e.g. its funding output was spent), and any node left without
    /// channels. Returns whether it was known.
    pub fn remove_channel(&mut self, short_channel_id: ShortChannelId) -> bool {
        let Some(slot) = self.channel_index.remove(&short_channel_id.0) else {
            return false;
        };
        let entry = &mut self.channels[slot as usize];
        let ends = [entry.node_one, entry.node_two];
        entry.node_one = DEAD;
        entry.node_two = DEAD;
        entry.policies = [None, None];
        entry.proof = None;
        self.free_channels.push(slot);
        for node in ends {
            self.detach_channel(node, slot);
        }
        true
    }

    /// Removes every channel whose older direction had no `channel_update` for two weeks
    /// ([`STALE_CHANNEL_AGE_SECS`]) before `now_secs` (a direction never updated counts from
    /// when we learned the channel). Returns how many were removed.
    pub fn prune_stale_channels(&mut self, now_secs: u64) -> usize {
        let cutoff = now_secs.saturating_sub(u64::from(STALE_CHANNEL_AGE_SECS));
        let stale: Vec<u64> = self
            .channel_index
            .values()
            .map(|slot| &self.channels[*slot as usize])
            .filter(|entry| {
                let age = |policy: &Option<ChannelPolicy>| {
                    policy.map_or(entry.added_at, |policy| policy.last_update)
                };
                let oldest = age(&entry.policies[0]).min(age(&entry.policies[1]));
                u64::from(oldest) < cutoff
            })
            .map(|entry| entry.short_channel_id)
            .collect();
        for id in &stale {
            self.remove_channel(ShortChannelId(*id));
        }
        stale.len()
    }

    /// Counts the bytes the graph uses (container capacities and boxed data included).
    pub fn memory_usage(&self) -> GraphMemoryUsage {
        // A BTreeMap leaf holds up to 11 entries plus a parent pointer, index and length;
        // count each entry at its share of a full leaf plus one edge pointer per node.
        let btree_entry = size_of::<u64>() + size_of::<u32>() + size_of::<usize>() / 2 + 2;
        let adjacency: usize = self
            .nodes
            .iter()
            .map(|node| node.channels.capacity() * size_of::<u32>())
            .sum();
        let channel_bytes = self.channels.capacity() * size_of::<ChannelEntry>()
            + self.free_channels.capacity() * size_of::<u32>()
            + self.channel_index.len() * btree_entry
            + adjacency;
        let announcements: usize = self
            .nodes
            .iter()
            .filter_map(|node| node.announcement.as_deref())
            .map(|ann| {
                size_of::<NodeAnnouncement>()
                    + ann.addresses.capacity() * size_of::<crate::wire::gossip::AddressDescriptor>()
                    + ann.unparsed_addresses.capacity()
                    + ann.excess_data.capacity()
                    + ann.features.to_wire_bytes().len()
            })
            .sum();
        let node_bytes = self.nodes.capacity() * size_of::<NodeEntry>()
            + self.free_nodes.capacity() * size_of::<u32>()
            + self.node_index.capacity() * (size_of::<(NodeKey, u32)>() + 1)
            + announcements;
        let proof_bytes = self
            .channels
            .iter()
            .filter_map(|entry| entry.proof.as_deref())
            .map(|proof| {
                size_of::<ChannelProof>()
                    + proof.features.len()
                    + proof.excess_data.len()
                    + proof
                        .updates
                        .iter()
                        .flatten()
                        .map(|update| update.excess_data.len())
                        .sum::<usize>()
            })
            .sum();
        GraphMemoryUsage {
            channels: self.channel_count(),
            nodes: self.node_count(),
            channel_bytes,
            node_bytes,
            proof_bytes,
        }
    }

    /// Releases spare capacity (e.g. after a bulk load).
    pub fn shrink_to_fit(&mut self) {
        self.channels.shrink_to_fit();
        self.nodes.shrink_to_fit();
        for node in &mut self.nodes {
            node.channels.shrink_to_fit();
        }
        self.node_index.shrink_to_fit();
    }

    pub(crate) fn channel_entry(&self, short_channel_id: u64) -> Option<&ChannelEntry> {
        let slot = *self.channel_index.get(&short_channel_id)?;
        Some(&self.channels[slot as usize])
    }

    pub(crate) fn channel_entry_mut(&mut self, short_channel_id: u64) -> Option<&mut ChannelEntry> {
        let slot = *self.channel_index.get(&short_channel_id)?;
        Some(&mut self.channels[slot as usize])
    }

    pub(crate) fn node_slot(&self, key: &NodeKey) -> Option<u32> {
        self.node_index.get(key).copied()
    }

    pub(crate) fn node_key(&self, slot: u32) -> &NodeKey {
        &self.nodes[slot as usize].key
    }

    pub(crate) fn node_entry_mut(&mut self, slot: u32) -> &mut NodeEntry {
        &mut self.nodes[slot as usize]
    }

    /// Inserts a new channel between two distinct nodes. The caller checked it is not known.
    pub(crate) fn insert_channel(&mut self, mut entry: ChannelEntry, ends: [NodeKey; 2]) {
        if !self.keep_proofs {
            entry.proof = None;
        }
        let slot = match self.free_channels.pop() {
            Some(slot) => slot,
            None => {
                self.channels.push(ChannelEntry::dead());
                // Channels are far fewer than 2^32; a graph that large cannot be in memory.
                u32::try_from(self.channels.len() - 1).unwrap_or(DEAD - 1)
            }
        };
        entry.node_one = self.attach_channel(ends[0], slot);
        entry.node_two = self.attach_channel(ends[1], slot);
        self.channel_index.insert(entry.short_channel_id, slot);
        self.channels[slot as usize] = entry;
    }

    fn attach_channel(&mut self, key: NodeKey, channel_slot: u32) -> u32 {
        if let Some(slot) = self.node_index.get(&key) {
            self.nodes[*slot as usize].channels.push(channel_slot);
            return *slot;
        }
        let entry = NodeEntry {
            key,
            channels: alloc::vec![channel_slot],
            announcement: None,
        };
        let slot = match self.free_nodes.pop() {
            Some(slot) => {
                self.nodes[slot as usize] = entry;
                slot
            }
            None => {
                self.nodes.push(entry);
                u32::try_from(self.nodes.len() - 1).unwrap_or(DEAD - 1)
            }
        };
        self.node_index.insert(key, slot);
        slot
    }

    fn detach_channel(&mut self, node_slot: u32, channel_slot: u32) {
        let node = &mut self.nodes[node_slot as usize];
        node.channels.retain(|slot| *slot != channel_slot);
        if node.channels.is_empty() {
            node.announcement = None;
            node.channels = Vec::new();
            let key = node.key;
            self.node_index.remove(&key);
            self.free_nodes.push(node_slot);
        }
    }

    pub(crate) fn keep_proofs(&self) -> bool {
        self.keep_proofs
    }
}
