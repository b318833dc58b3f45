//! Syncing the graph from a peer through the gossip queries (the asking side).

use alloc::vec::Vec;

use hashbrown::HashSet;

use secp256k1::PublicKey;

use super::GossipHandler;
use crate::wire::gossip::{
    GossipTimestampFilter, QueryChannelRange, QueryFlags, QueryOptionFlags, QueryShortChannelIds,
    ReplyChannelRange, MAX_ENCODED_SHORT_IDS,
};
use crate::wire::{Message, ShortChannelId};

/// Messages credited per queried channel: its announcement, two updates, two node
/// announcements.
const CREDIT_PER_CHANNEL: u64 = 5;

/// The most channel ids we keep wanting from one peer (bounds what a peer's replies can make
/// us hold).
const MAX_WANTED: usize = 200_000;

/// All query flags: everything about a channel.
const ALL_FLAGS: u64 = 0x1f;

/// Where a sync from one peer stands.
#[derive(Clone, Debug, Default)]
pub(super) struct SyncState {
    /// The range query whose replies we are receiving.
    range_end: Option<u64>,
    /// Channels to ask for, with what we want about each.
    wanted: Vec<(ShortChannelId, u64)>,
    /// The ids in `wanted`, to skip duplicates quickly.
    wanted_ids: HashSet<u64>,
    /// A `query_short_channel_ids` is outstanding.
    awaiting_end: bool,
}

impl GossipHandler {
    pub(super) fn send_timestamp_filter(&mut self, peer: PublicKey) {
        let filter = GossipTimestampFilter {
            chain_hash: self.graph.chain_hash(),
            first_timestamp: u32::try_from(self.now.as_secs()).unwrap_or(u32::MAX),
            timestamp_range: u32::MAX,
        };
        self.outbound
            .push_back((peer, Message::GossipTimestampFilter(filter)));
    }

    /// Asks `peer` for every channel id it knows, with update timestamps.
    pub(super) fn start_sync(&mut self, peer: PublicKey) {
        let Some(state) = self.peers.get_mut(&peer) else {
            return;
        };
        let query = QueryChannelRange {
            chain_hash: self.graph.chain_hash(),
            first_blocknum: 0,
            number_of_blocks: u32::MAX,
            query_option: Some(QueryOptionFlags(QueryOptionFlags::WANT_TIMESTAMPS)),
            unknown_tlvs: Vec::new(),
        };
        state.sync.range_end = Some(query.end_blocknum());
        self.syncing_from = Some(peer);
        self.outbound
            .push_back((peer, Message::QueryChannelRange(query)));
    }

    pub(super) fn handle_reply_channel_range(&mut self, peer: PublicKey, reply: ReplyChannelRange) {
        let Some(state) = self.peers.get_mut(&peer) else {
            return;
        };
        let Some(range_end) = state.sync.range_end else {
            // Not asked for: count it as unsolicited gossip.
            self.stats.dropped += 1;
            return;
        };
        for (index, id) in reply.short_channel_ids.iter().enumerate() {
            if state.sync.wanted.len() >= MAX_WANTED {
                break;
            }
            let flags = match self.graph.channel(*id) {
                None => ALL_FLAGS,
                Some(channel) => {
                    let theirs = reply.timestamps.as_ref().and_then(|t| t.get(index));
                    let ours = |policy: Option<crate::routing::graph::ChannelPolicy>| {
                        policy.map_or(0, |p| p.last_update)
                    };
                    let mut flags = 0;
                    if let Some(theirs) = theirs {
                        if theirs.timestamp_node_id_1 > ours(channel.one_to_two) {
                            flags |= QueryFlags::CHANNEL_UPDATE_NODE_1;
                        }
                        if theirs.timestamp_node_id_2 > ours(channel.two_to_one) {
                            flags |= QueryFlags::CHANNEL_UPDATE_NODE_2;
                        }
                    }
                    flags
                }
            };
            if flags != 0 && state.sync.wanted_ids.insert(id.0) {
                state.sync.wanted.push((*id, flags));
            }
        }
        let reply_end = u64::from(reply.first_blocknum) + u64::from(reply.number_of_blocks);
        if reply_end >= range_end {
            state.sync.range_end = None;
            self.send_next_batch(peer);
        }
    }

    pub(super) fn handle_reply_short_ids_end(&mut self, peer: PublicKey) {
        let Some(state) = self.peers.get_mut(&peer) else {
            return;
        };
        if !state.sync.awaiting_end {
            return;
        }
        state.sync.awaiting_end = false;
        // Replies are over: unused credit must not excuse later unsolicited gossip.
        state.solicited_credit = 0;
        self.send_next_batch(peer);
    }

    /// Remembers to ask `peer` about a channel we saw an update for but do not know.
    pub(super) fn want_channel(&mut self, peer: PublicKey, id: ShortChannelId) {
        let Some(state) = self.peers.get_mut(&peer) else {
            return;
        };
        if !state.supports_queries
            || state.sync.wanted.len() >= MAX_WANTED
            || !state.sync.wanted_ids.insert(id.0)
        {
            return;
        }
        state.sync.wanted.push((id, ALL_FLAGS));
        if state.sync.range_end.is_none() && !state.sync.awaiting_end {
            self.send_next_batch(peer);
        }
    }

    /// Sends the next `query_short_channel_ids` if none is outstanding, or ends the sync.
    fn send_next_batch(&mut self, peer: PublicKey) {
        let batch_size = self.config.query_batch_size.clamp(1, MAX_ENCODED_SHORT_IDS);
        let Some(state) = self.peers.get_mut(&peer) else {
            return;
        };
        if state.sync.awaiting_end || state.sync.range_end.is_some() {
            return;
        }
        if state.sync.wanted.is_empty() {
            if self.syncing_from == Some(peer) {
                self.syncing_from = None;
            }
            return;
        }
        let take = state.sync.wanted.len().min(batch_size);
        let batch: Vec<(ShortChannelId, u64)> = state.sync.wanted.drain(..take).collect();
        for (id, _) in &batch {
            state.sync.wanted_ids.remove(&id.0);
        }
        let all = batch.iter().all(|(_, flags)| *flags == ALL_FLAGS);
        let query = QueryShortChannelIds {
            chain_hash: self.graph.chain_hash(),
            short_channel_ids: batch.iter().map(|(id, _)| *id).collect(),
            query_flags: (!all).then(|| batch.iter().map(|(_, f)| QueryFlags(*f)).collect()),
            unknown_tlvs: Vec::new(),
        };
        state.sync.awaiting_end = true;
        state.solicited_credit = (take as u64).saturating_mul(CREDIT_PER_CHANNEL);
        self.outbound
            .push_back((peer, Message::QueryShortChannelIds(query)));
    }
}
