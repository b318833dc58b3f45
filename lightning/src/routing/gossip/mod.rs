//! [`GossipHandler`]: BOLT 7 gossip from and to peers, feeding a [`NetworkGraph`].
//!
//! It implements [`PeerMessageHandler`] and sits beside the channel manager:
//! `HandlerPair::new(&mut manager, &mut gossip, peer::is_gossip_message)`.
//!
//! # Call contract
//!
//! 1. Create it with [`GossipHandler::new`] over a graph (empty or read back), the current
//!    time and a [`GossipConfig`]; optionally give it a [`UtxoLookup`] with
//!    [`GossipHandler::set_utxo_lookup`] so announced funding outputs are checked on chain.
//! 2. Pass it (through the pair) to every `PeerManager` call. Each incoming announcement or
//!    update is checked and applied to the graph; queries from peers are answered through
//!    `poll_bulk_message`, so a congested peer gets its replies only as its buffer drains.
//! 3. Call [`GossipHandler::tick`] with the current time about once a minute: it resets the
//!    per-peer rate-limit windows, gives the time to the timestamp checks, and prunes stale
//!    channels once an hour.
//! 4. Read the graph with [`GossipHandler::graph`] to route (e.g. `DefaultRouter::new`), and
//!    store it with `graph().write()`.
//!
//! # Sync
//!
//! When a peer offering `gossip_queries` connects and no sync is running, the handler asks it
//! for every channel id (`query_channel_range` with timestamps), then queries the ids it lacks
//! (or has older updates for) in batches of `query_batch_size` with
//! `query_short_channel_ids`, one batch at a time (each ends with
//! `reply_short_channel_ids_end`). It also sends a `gossip_timestamp_filter` from now on, so
//! new gossip flows. It answers the same queries from peers.
//!
//! # Rate limits
//!
//! Replies we asked for are credited (five messages per queried channel). Other gossip
//! counts against `max_unsolicited_per_window` per peer per window; the excess is dropped. A
//! peer that sends gossip proven invalid (bad signatures, ...) more than `max_misbehaviour`
//! times gets a `warning` and its gossip is ignored until it reconnects. At most
//! `max_pending_queries` of a peer's queries are answered at once; more are dropped.

mod serve;
mod sync;

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use core::time::Duration;

use hashbrown::HashMap;
use secp256k1::{PublicKey, Secp256k1, VerifyOnly};

use crate::peer::{PeerMessageHandler, PeerRejected};
use crate::routing::graph::{GossipError, NetworkGraph, UtxoLookup};
use crate::wire::features::{Feature, InitFeatures};
use crate::wire::gossip::{GossipTimestampFilter, ReplyShortChannelIdsEnd};
use crate::wire::{ChannelId, Init, Message, WarningMessage};
use serve::ServeTask;
use sync::SyncState;

/// Limits and choices of a [`GossipHandler`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GossipConfig {
    /// Unrequested gossip messages accepted per peer per window.
    pub max_unsolicited_per_window: u32,
    /// The length of a rate-limit window.
    pub window: Duration,
    /// Proven-invalid messages tolerated from a peer before its gossip is ignored.
    pub max_misbehaviour: u32,
    /// A peer's queries answered at once; more are dropped.
    pub max_pending_queries: usize,
    /// Channel ids per `query_short_channel_ids` we send.
    pub query_batch_size: usize,
    /// Messages queued per peer for relay; beyond this, relayed gossip is dropped.
    pub max_relay_queue: usize,
    /// Whether to sync the graph from the first peer offering `gossip_queries`.
    pub sync_on_connect: bool,
}

impl Default for GossipConfig {
    fn default() -> Self {
        GossipConfig {
            max_unsolicited_per_window: 1_000,
            window: Duration::from_secs(60),
            max_misbehaviour: 10,
            max_pending_queries: 2,
            query_batch_size: 500,
            max_relay_queue: 4_096,
            sync_on_connect: true,
        }
    }
}

/// Counters of what the handler did with incoming gossip.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GossipStats {
    /// Messages applied to the graph.
    pub accepted: u64,
    /// Messages that failed a check (old, unknown, invalid).
    pub rejected: u64,
    /// Messages dropped by a rate limit or because the peer is ignored.
    pub dropped: u64,
    /// Queries answered (or being answered).
    pub queries_served: u64,
}

/// What we track per connected peer.
#[derive(Debug, Default)]
struct PeerState {
    supports_queries: bool,
    unsolicited_in_window: u32,
    solicited_credit: u64,
    misbehaviour: u32,
    ignored: bool,
    serve: VecDeque<ServeTask>,
    relay: VecDeque<Message>,
    filter: Option<GossipTimestampFilter>,
    sync: SyncState,
}

/// The gossip side of a node. See the [module documentation](self).
pub struct GossipHandler {
    graph: NetworkGraph,
    secp: Secp256k1<VerifyOnly>,
    config: GossipConfig,
    now: Duration,
    window_start: Duration,
    last_prune: Duration,
    peers: HashMap<PublicKey, PeerState>,
    outbound: VecDeque<(PublicKey, Message)>,
    utxo_lookup: Option<Box<dyn UtxoLookup>>,
    stats: GossipStats,
    syncing_from: Option<PublicKey>,
}

impl GossipHandler {
    /// The `init` features every gossip handler offers (`gossip_queries`, optional): what
    /// [`provided_init_features`](PeerMessageHandler::provided_init_features) returns, known
    /// before the handler is built, e.g. for
    /// [`ManagerConfig::other_handler_features`](crate::manager::ManagerConfig::other_handler_features)
    /// so that our `node_announcement` lists it.
    pub fn offered_init_features() -> InitFeatures {
        let mut features = InitFeatures::empty();
        features.set_optional(Feature::GossipQueries);
        features
    }

    /// A handler over `graph`, at time `now` (since the Unix epoch).
    pub fn new(graph: NetworkGraph, config: GossipConfig, now: Duration) -> Self {
        GossipHandler {
            graph,
            secp: Secp256k1::verification_only(),
            config,
            now,
            window_start: now,
            last_prune: now,
            peers: HashMap::new(),
            outbound: VecDeque::new(),
            utxo_lookup: None,
            stats: GossipStats::default(),
            syncing_from: None,
        }
    }

    /// Checks announced funding outputs through `lookup` from now on.
    pub fn set_utxo_lookup(&mut self, lookup: Box<dyn UtxoLookup>) {
        self.utxo_lookup = Some(lookup);
    }

    /// The graph.
    pub fn graph(&self) -> &NetworkGraph {
        &self.graph
    }

    /// The graph, to change it directly (e.g. [`NetworkGraph::remove_channel`] when a funding
    /// output is spent).
    pub fn graph_mut(&mut self) -> &mut NetworkGraph {
        &mut self.graph
    }

    /// Gives the graph back, dropping the handler.
    pub fn into_graph(self) -> NetworkGraph {
        self.graph
    }

    /// The counters so far.
    pub fn stats(&self) -> GossipStats {
        self.stats
    }

    /// Whether a graph sync from a peer is running.
    pub fn is_syncing(&self) -> bool {
        self.syncing_from.is_some()
    }

    /// Advances the clock: resets rate-limit windows when one has passed and prunes stale
    /// channels once an hour. Call about once a minute.
    pub fn tick(&mut self, now: Duration) {
        self.now = now;
        if now.saturating_sub(self.window_start) >= self.config.window {
            self.window_start = now;
            for peer in self.peers.values_mut() {
                peer.unsolicited_in_window = 0;
            }
        }
        if now.saturating_sub(self.last_prune) >= Duration::from_secs(3600) {
            self.last_prune = now;
            self.graph.prune_stale_channels(now.as_secs());
        }
    }

    /// Applies our own gossip (e.g. a `channel_update` for one of our channels) and relays it
    /// to every peer, whatever their filters.
    pub fn broadcast_own_gossip(&mut self, message: Message) -> Result<(), GossipError> {
        self.apply(&message)?;
        for peer in self.peers.values_mut() {
            if peer.relay.len() < self.config.max_relay_queue {
                peer.relay.push_back(message.clone());
            }
        }
        Ok(())
    }

    fn apply(&mut self, message: &Message) -> Result<(), GossipError> {
        let now_secs = self.now.as_secs();
        match message {
            Message::ChannelAnnouncement(msg) => {
                let lookup = self
                    .utxo_lookup
                    .as_mut()
                    .map(|lookup| &mut **lookup as &mut dyn UtxoLookup);
                self.graph
                    .handle_channel_announcement(&self.secp, msg, lookup, now_secs)
            }
            Message::NodeAnnouncement(msg) => self.graph.handle_node_announcement(&self.secp, msg),
            Message::ChannelUpdate(msg) => {
                self.graph.handle_channel_update(&self.secp, msg, now_secs)
            }
            _ => Ok(()),
        }
    }

    /// Counts a gossip message against the peer's limits; false if it must be dropped.
    fn admit(&mut self, peer_id: &PublicKey) -> bool {
        let limit = self.config.max_unsolicited_per_window;
        let Some(peer) = self.peers.get_mut(peer_id) else {
            return false;
        };
        if peer.ignored {
            return false;
        }
        if peer.solicited_credit > 0 {
            peer.solicited_credit -= 1;
            return true;
        }
        if peer.unsolicited_in_window >= limit {
            return false;
        }
        peer.unsolicited_in_window += 1;
        true
    }

    fn handle_gossip(&mut self, peer_id: PublicKey, message: Message) {
        if !self.admit(&peer_id) {
            self.stats.dropped += 1;
            return;
        }
        match self.apply(&message) {
            Ok(()) => {
                self.stats.accepted += 1;
                self.relay(peer_id, &message);
            }
            Err(error) => {
                self.stats.rejected += 1;
                if let (GossipError::UnknownChannel, Message::ChannelUpdate(update)) =
                    (error, &message)
                {
                    self.want_channel(peer_id, update.short_channel_id);
                }
                if error.is_misbehaviour() {
                    self.note_misbehaviour(peer_id);
                }
            }
        }
    }

    fn note_misbehaviour(&mut self, peer_id: PublicKey) {
        let limit = self.config.max_misbehaviour;
        let Some(peer) = self.peers.get_mut(&peer_id) else {
            return;
        };
        peer.misbehaviour = peer.misbehaviour.saturating_add(1);
        if peer.misbehaviour > limit && !peer.ignored {
            peer.ignored = true;
            let warning = WarningMessage {
                channel_id: ChannelId([0; 32]),
                data: b"too much invalid gossip; ignoring your gossip".to_vec(),
            };
            self.outbound
                .push_back((peer_id, Message::Warning(warning)));
        }
    }

    /// Queues accepted gossip for the other peers whose filter includes it.
    fn relay(&mut self, from: PublicKey, message: &Message) {
        let (timestamp, first_update_of) = match message {
            Message::ChannelUpdate(update) => {
                let channel = self.graph.channel(update.short_channel_id);
                let first =
                    channel.is_some_and(|c| c.one_to_two.is_none() || c.two_to_one.is_none());
                (update.timestamp, first.then_some(update.short_channel_id))
            }
            Message::NodeAnnouncement(ann) => (ann.timestamp, None),
            _ => return,
        };
        let announcement = first_update_of.and_then(|id| self.graph.channel_announcement(id));
        let max = self.config.max_relay_queue;
        for (peer_id, peer) in self.peers.iter_mut() {
            if *peer_id == from || !peer.filter.as_ref().is_some_and(|f| f.includes(timestamp)) {
                continue;
            }
            if peer.relay.len() + 2 > max {
                continue;
            }
            if let Some(announcement) = &announcement {
                peer.relay
                    .push_back(Message::ChannelAnnouncement(announcement.clone()));
            }
            peer.relay.push_back(message.clone());
        }
    }

    fn queue_task(&mut self, peer_id: PublicKey, task: ServeTask) {
        let max = self.config.max_pending_queries;
        let Some(peer) = self.peers.get_mut(&peer_id) else {
            return;
        };
        if peer.serve.len() >= max {
            self.stats.dropped += 1;
            return;
        }
        self.stats.queries_served += 1;
        peer.serve.push_back(task);
    }
}

impl PeerMessageHandler for GossipHandler {
    fn provided_init_features(&self) -> InitFeatures {
        Self::offered_init_features()
    }

    fn peer_connected(
        &mut self,
        their_node_id: PublicKey,
        init: &Init,
        _inbound: bool,
    ) -> Result<(), PeerRejected> {
        let supports_queries = init.combined_features().supports(Feature::GossipQueries);
        let state = PeerState {
            supports_queries,
            ..PeerState::default()
        };
        self.peers.insert(their_node_id, state);
        if supports_queries {
            self.send_timestamp_filter(their_node_id);
            if self.config.sync_on_connect && self.syncing_from.is_none() {
                self.start_sync(their_node_id);
            }
        }
        Ok(())
    }

    fn peer_disconnected(&mut self, their_node_id: PublicKey) {
        self.peers.remove(&their_node_id);
        self.outbound.retain(|(peer, _)| *peer != their_node_id);
        if self.syncing_from == Some(their_node_id) {
            self.syncing_from = None;
        }
    }

    fn handle_message(&mut self, their_node_id: PublicKey, message: Message) {
        if !self.peers.contains_key(&their_node_id) {
            return;
        }
        let chain = self.graph.chain_hash();
        match message {
            Message::ChannelAnnouncement(_)
            | Message::NodeAnnouncement(_)
            | Message::ChannelUpdate(_) => self.handle_gossip(their_node_id, message),
            Message::QueryChannelRange(query) if query.chain_hash == chain => {
                let task = ServeTask::ChannelRange {
                    next_block: u64::from(query.first_blocknum),
                    query,
                    first_reply: true,
                };
                self.queue_task(their_node_id, task);
            }
            Message::QueryShortChannelIds(query) if query.chain_hash == chain => {
                let task = ServeTask::ShortIds {
                    query,
                    next_index: 0,
                    pending: VecDeque::new(),
                    sent_nodes: Default::default(),
                };
                self.queue_task(their_node_id, task);
            }
            Message::QueryShortChannelIds(query) => {
                // A chain we know nothing about: say so (BOLT 7 `full_information` = 0).
                let end = ReplyShortChannelIdsEnd {
                    chain_hash: query.chain_hash,
                    full_information: 0,
                };
                self.outbound
                    .push_back((their_node_id, Message::ReplyShortChannelIdsEnd(end)));
            }
            Message::GossipTimestampFilter(filter) if filter.chain_hash == chain => {
                if let Some(peer) = self.peers.get_mut(&their_node_id) {
                    peer.filter = Some(filter.clone());
                    peer.serve
                        .retain(|task| !matches!(task, ServeTask::TimestampDump { .. }));
                }
                let task = ServeTask::TimestampDump {
                    filter,
                    next_id: 0,
                    pending: VecDeque::new(),
                    sent_nodes: hashbrown::HashSet::new(),
                };
                self.queue_task(their_node_id, task);
            }
            Message::ReplyChannelRange(reply) if reply.chain_hash == chain => {
                self.handle_reply_channel_range(their_node_id, reply);
            }
            Message::ReplyShortChannelIdsEnd(end) if end.chain_hash == chain => {
                self.handle_reply_short_ids_end(their_node_id);
            }
            _ => {}
        }
    }

    fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        self.outbound.pop_front()
    }

    fn poll_bulk_message(&mut self, their_node_id: PublicKey) -> Option<Message> {
        let peer = self.peers.get_mut(&their_node_id)?;
        while let Some(task) = peer.serve.front_mut() {
            if let Some(message) = task.next_message(&self.graph) {
                return Some(message);
            }
            peer.serve.pop_front();
        }
        peer.relay.pop_front()
    }
}
