//! Answering a peer's gossip queries lazily, one bulk message at a time, so a slow peer's
//! backpressure (the peer manager asks for bulk messages only while its buffer has room)
//! bounds what we hold for it.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use hashbrown::HashSet;

use crate::routing::graph::{NetworkGraph, NodeKey};
use crate::wire::gossip::{
    ChannelUpdateChecksums, ChannelUpdateTimestamps, GossipTimestampFilter, QueryChannelRange,
    QueryFlags, QueryOptionFlags, QueryShortChannelIds, ReplyChannelRange, ReplyShortChannelIdsEnd,
};
use crate::wire::{Message, ShortChannelId};

/// The most bytes of short ids (and their TLVs) put in one `reply_channel_range`, leaving room
/// for the other fields under the 65,535-byte message limit.
const REPLY_BUDGET_BYTES: usize = 64_000;

/// One query being answered.
#[derive(Clone, Debug)]
pub(super) enum ServeTask {
    /// `reply_channel_range`s for `[next_block, end_block)`.
    ChannelRange {
        query: QueryChannelRange,
        next_block: u64,
        first_reply: bool,
    },
    /// The gossip of each queried channel, then `reply_short_channel_ids_end`.
    ShortIds {
        query: QueryShortChannelIds,
        next_index: usize,
        pending: VecDeque<Message>,
        sent_nodes: HashSet<NodeKey>,
    },
    /// Every channel's gossip within a `gossip_timestamp_filter` (the dump after a filter).
    TimestampDump {
        filter: GossipTimestampFilter,
        next_id: u64,
        pending: VecDeque<Message>,
        sent_nodes: HashSet<NodeKey>,
    },
}

impl ServeTask {
    /// The next message of the task, or `None` when it is finished.
    pub(super) fn next_message(&mut self, graph: &NetworkGraph) -> Option<Message> {
        match self {
            ServeTask::ChannelRange {
                query,
                next_block,
                first_reply,
            } => next_range_reply(graph, query, next_block, first_reply),
            ServeTask::ShortIds {
                query,
                next_index,
                pending,
                sent_nodes,
            } => loop {
                if let Some(message) = pending.pop_front() {
                    return Some(message);
                }
                let Some(id) = query.short_channel_ids.get(*next_index).copied() else {
                    if *next_index == usize::MAX {
                        return None;
                    }
                    *next_index = usize::MAX;
                    return Some(Message::ReplyShortChannelIdsEnd(ReplyShortChannelIdsEnd {
                        chain_hash: query.chain_hash,
                        full_information: u8::from(graph.keeps_proofs()),
                    }));
                };
                let flags = query
                    .query_flags
                    .as_ref()
                    .and_then(|flags| flags.get(*next_index).copied());
                *next_index += 1;
                queue_channel_gossip(graph, id, flags, sent_nodes, pending);
            },
            ServeTask::TimestampDump {
                filter,
                next_id,
                pending,
                sent_nodes,
            } => loop {
                if let Some(message) = pending.pop_front() {
                    return Some(message);
                }
                let id = graph.channel_ids_from(ShortChannelId(*next_id)).next()?;
                *next_id = id.0.checked_add(1)?;
                queue_filtered_gossip(graph, id, filter, sent_nodes, pending);
            },
        }
    }
}

fn next_range_reply(
    graph: &NetworkGraph,
    query: &QueryChannelRange,
    next_block: &mut u64,
    first_reply: &mut bool,
) -> Option<Message> {
    let end_block = query.end_blocknum();
    if *next_block >= end_block && !*first_reply {
        return None;
    }
    let options = query.query_option.unwrap_or(QueryOptionFlags(0));
    let want_timestamps = options.contains(QueryOptionFlags::WANT_TIMESTAMPS);
    let want_checksums = options.contains(QueryOptionFlags::WANT_CHECKSUMS);
    let per_id = 8 + 8 * usize::from(want_timestamps) + 8 * usize::from(want_checksums);
    let max_ids = REPLY_BUDGET_BYTES / per_id;
    let start = *next_block;
    let count = u32::try_from(end_block.saturating_sub(start)).unwrap_or(u32::MAX);
    let mut ids: Vec<ShortChannelId> = graph
        .channel_ids_in_blocks(start as u32, count)
        .take(max_ids + 1)
        .collect();
    // Stop at a block boundary when the chunk is full, so no block is split.
    let reply_end = if ids.len() > max_ids {
        let cut_block = ids[max_ids].block_height();
        let boundary = ids.iter().position(|id| id.block_height() == cut_block);
        match boundary {
            Some(0) | None => {
                ids.truncate(max_ids);
                u64::from(cut_block)
            }
            Some(position) => {
                ids.truncate(position);
                u64::from(cut_block)
            }
        }
    } else {
        end_block
    };
    let reply_end = reply_end.max(start + 1);
    *next_block = reply_end;
    *first_reply = false;
    let final_reply = reply_end >= end_block;
    let timestamps =
        want_timestamps.then(|| ids.iter().map(|id| timestamps_of(graph, *id)).collect());
    let checksums = want_checksums.then(|| ids.iter().map(|id| checksums_of(graph, *id)).collect());
    Some(Message::ReplyChannelRange(ReplyChannelRange {
        chain_hash: query.chain_hash,
        first_blocknum: start as u32,
        number_of_blocks: (reply_end - start) as u32,
        sync_complete: u8::from(final_reply),
        short_channel_ids: ids,
        timestamps,
        checksums,
        unknown_tlvs: Vec::new(),
    }))
}

fn timestamps_of(graph: &NetworkGraph, id: ShortChannelId) -> ChannelUpdateTimestamps {
    let channel = graph.channel(id);
    let stamp =
        |policy: Option<crate::routing::graph::ChannelPolicy>| policy.map_or(0, |p| p.last_update);
    ChannelUpdateTimestamps {
        timestamp_node_id_1: channel.as_ref().map_or(0, |c| stamp(c.one_to_two)),
        timestamp_node_id_2: channel.as_ref().map_or(0, |c| stamp(c.two_to_one)),
    }
}

fn checksums_of(graph: &NetworkGraph, id: ShortChannelId) -> ChannelUpdateChecksums {
    let sum = |direction| {
        graph
            .channel_update(id, direction)
            .map_or(0, |u| u.checksum())
    };
    ChannelUpdateChecksums {
        checksum_node_id_1: sum(0),
        checksum_node_id_2: sum(1),
    }
}

/// Queues what a `query_short_channel_ids` entry asks for (everything without flags).
fn queue_channel_gossip(
    graph: &NetworkGraph,
    id: ShortChannelId,
    flags: Option<QueryFlags>,
    sent_nodes: &mut HashSet<NodeKey>,
    pending: &mut VecDeque<Message>,
) {
    let wants = |bit: u64| flags.is_none_or(|flags| flags.contains(bit));
    let Some(channel) = graph.channel(id) else {
        return;
    };
    if wants(QueryFlags::CHANNEL_ANNOUNCEMENT) {
        if let Some(announcement) = graph.channel_announcement(id) {
            pending.push_back(Message::ChannelAnnouncement(announcement));
        }
    }
    for (direction, bit) in [
        (0, QueryFlags::CHANNEL_UPDATE_NODE_1),
        (1, QueryFlags::CHANNEL_UPDATE_NODE_2),
    ] {
        if wants(bit) {
            if let Some(update) = graph.channel_update(id, direction) {
                pending.push_back(Message::ChannelUpdate(update));
            }
        }
    }
    for (node, bit) in [
        (channel.node_one, QueryFlags::NODE_ANNOUNCEMENT_NODE_1),
        (channel.node_two, QueryFlags::NODE_ANNOUNCEMENT_NODE_2),
    ] {
        if wants(bit) && sent_nodes.insert(NodeKey::from_pubkey(&node)) {
            if let Some(announcement) = graph.node_announcement(&node) {
                pending.push_back(Message::NodeAnnouncement(announcement));
            }
        }
    }
}

/// Queues a channel's announcement and updates if one of its updates is within `filter`
/// (the announcement takes its update's timestamp, as BOLT 7 says), then the announcements of
/// its two nodes that are within `filter` and not yet sent in this dump (only after a channel
/// of the node was sent, so the peer knows the node by then).
fn queue_filtered_gossip(
    graph: &NetworkGraph,
    id: ShortChannelId,
    filter: &GossipTimestampFilter,
    sent_nodes: &mut HashSet<NodeKey>,
    pending: &mut VecDeque<Message>,
) {
    let updates: Vec<_> = (0..2)
        .filter_map(|direction| graph.channel_update(id, direction))
        .filter(|update| filter.includes(update.timestamp))
        .collect();
    if updates.is_empty() {
        return;
    }
    if let Some(announcement) = graph.channel_announcement(id) {
        pending.push_back(Message::ChannelAnnouncement(announcement));
    }
    pending.extend(updates.into_iter().map(Message::ChannelUpdate));
    let Some(channel) = graph.channel(id) else {
        return;
    };
    for node in [channel.node_one, channel.node_two] {
        let Some(announcement) = graph.node_announcement(&node) else {
            continue;
        };
        if filter.includes(announcement.timestamp) && sent_nodes.insert(NodeKey::from_pubkey(&node))
        {
            pending.push_back(Message::NodeAnnouncement(announcement));
        }
    }
}
