//! The `ChannelManager`: every channel with every peer, payments out and in, and events.
//!
//! # Call contract of [`ChannelManager`]
//!
//! Inputs are calls; outputs are data the caller polls after every call (until `None`):
//! - [`poll_message`](ChannelManager::poll_message): `(peer, message)` pairs to send, in order
//!   per peer (through the `PeerManager`).
//! - [`poll_monitor_update`](ChannelManager::poll_monitor_update): monitor updates to persist
//!   (update 0 of a channel carries its initial monitor data). When one is durable, call
//!   [`monitor_update_completed`](ChannelManager::monitor_update_completed); messages that
//!   depend on it are held until then (completing at once is fine).
//! - [`poll_broadcast`](ChannelManager::poll_broadcast): transactions to broadcast (funding,
//!   cooperative closing, our commitment on force close).
//! - [`poll_gossip`](ChannelManager::poll_gossip): our own gossip (`channel_announcement`,
//!   `channel_update`, `node_announcement` for our public channels) to hand to the gossip
//!   handler's `broadcast_own_gossip`, which applies it to the graph and relays it to every
//!   peer. A channel opened with `announce_channel` is announced once both `channel_ready`
//!   are exchanged and its funding is [`ANNOUNCEMENT_DEPTH`] deep (`announcement_signatures`
//!   go to the peer through `poll_message`); see [`set_forwarding_policy`] and
//!   [`timer_tick_occurred`] for the updates that follow.
//!
//! [`set_forwarding_policy`]: ChannelManager::set_forwarding_policy
//! [`timer_tick_occurred`]: ChannelManager::timer_tick_occurred
//! - [`next_event`](ChannelManager::next_event): [`Event`]s for the user.
//!
//! Lifecycle:
//! 1. Build with [`ChannelManager::new`]. Feed the chain through the
//!    [`Confirm`](crate::chain::Confirm) implementation (or
//!    [`ConfirmAsListen`](crate::chain::ConfirmAsListen) for whole blocks), and the time with
//!    [`advance_time`](ChannelManager::advance_time) (block header times count too).
//! 2. For each connection: [`peer_connected`](ChannelManager::peer_connected) after the
//!    `init` exchange, [`handle_message`](ChannelManager::handle_message) for every message
//!    from the peer, [`peer_disconnected`](ChannelManager::peer_disconnected) when it drops.
//!    Channels that are not yet funded are forgotten on disconnect; funded channels stay and
//!    resume with `channel_reestablish` (queued by `peer_connected`; the channel sends nothing
//!    else until the peer's arrives, then retransmits what the peer missed).
//! 3. Open: [`open_channel`](ChannelManager::open_channel) → event `FundingGenerationReady` →
//!    [`funding_transaction_generated`](ChannelManager::funding_transaction_generated) →
//!    `ChannelPending` (the funding transaction comes out of `poll_broadcast`) → confirmations
//!    → `ChannelReady`. Inbound channels are accepted automatically, or through
//!    `OpenChannelRequest` and [`accept_inbound_channel`](ChannelManager::accept_inbound_channel).
//! 4. Receive: [`create_inbound_payment`](ChannelManager::create_inbound_payment) for the
//!    invoice → event `PaymentClaimable` → [`claim_funds`](ChannelManager::claim_funds) (event
//!    `PaymentClaimed`) or [`fail_htlc_backwards`](ChannelManager::fail_htlc_backwards).
//! 5. Send: [`send_payment`](ChannelManager::send_payment) over a route (or
//!    [`send_payment_to_peer`](ChannelManager::send_payment_to_peer) to a direct peer) →
//!    exactly one `PaymentSent` or `PaymentFailed` per payment id. When the channel carrying
//!    a part closes, the part fails at once only if its HTLC was never signed; otherwise it
//!    waits for the channel monitor's verdict: hand every monitor event to
//!    [`handle_monitor_event`](ChannelManager::handle_monitor_event).
//! 6. Close: [`close_channel`](ChannelManager::close_channel) (cooperative) or
//!    [`force_close_channel`](ChannelManager::force_close_channel) → `ChannelClosed`. A
//!    payment still claimable on a closed channel can be claimed with `claim_funds`: the
//!    preimage goes to the channel's monitor (the next monitor update), which claims on chain.

mod announce;
mod chain;
mod chain_events;
mod channels;
mod closed;
mod config;
mod drain;
mod events;
mod forward;
mod gossip_out;
mod held;
mod inbound_secret;
mod messages;
mod mpp;
mod outbound;
mod payments;
mod payments_in;
mod payments_out;
mod peer_updates;
mod reconnect;
mod retry;
mod serialize;
mod serialize_announce;
mod serialize_events;
mod serialize_payments;

pub use announce::ANNOUNCEMENT_DEPTH;
pub use channels::{ChannelDetails, CommandError};
pub use config::{our_init_features, ForwardingPolicy, ManagerConfig, ManagerParams};
pub use events::{ClosureReason, Event, PaymentFailureReason};
pub use forward::{MAX_INCOMING_EXPIRY_BLOCKS, MIN_OUTGOING_EXPIRY_BLOCKS};
pub use gossip_out::GOSSIP_REFRESH_SECS;
pub use inbound_secret::{InboundPaymentError, InboundPaymentKey, PaymentSecret, VerifiedPayment};
pub use messages::MessageError;
pub use mpp::CLAIM_EXPIRY_BUFFER;
pub use payments::ClaimError;
pub use payments_in::{
    check_final_part, failure_packet, peel_inbound, receive_htlc, HtlcRejection, InboundHtlc,
    ReceiveContext, ReceivedPayment, RejectCause,
};
pub use payments_out::{
    build_part_onion, build_payment_onion, PartOnionFields, PaymentId, PaymentOnion,
    RecipientOnionFields, ReturnedHtlcFailure, SendError,
};
pub use retry::Retry;
pub use serialize::{ManagerDecodeError, MANAGER_FORMAT_VERSION};

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::time::Duration;

use bitcoin::{BlockHash, Transaction};
use hashbrown::{HashMap, HashSet};
use lightning_signer_api::traits::{ChannelKeysId, EntropySource, NodeSigner, SignerProvider};
use secp256k1::PublicKey;

use crate::chain::BestBlock;
use crate::channel::Channel;
use crate::monitor::update::ChannelMonitorUpdate;
use crate::util::logger::SharedLogger;
use crate::wire::features::InitFeatures;
use crate::wire::{ChainHash, ChannelId, Message, OpenChannel, PaymentHash, ShortChannelId};

use self::outbound::OutboundPayments;
use self::payments::{ClaimableHtlc, UnpeeledHtlc};

/// One channel and what the manager knows about it beyond the channel itself.
struct ChannelEntry {
    channel: Channel,
    /// The id the signer provider derives the channel's keys from.
    keys_id: ChannelKeysId,
    /// Where the funding transaction confirmed: height, block hash, short channel id.
    funding_confirmation: Option<(u32, BlockHash, ShortChannelId)>,
    /// The funding output script, from the channel's `FundingGenerationReady` (funder only).
    funding_script: Option<bitcoin::ScriptBuf>,
    /// The reason to report when the channel's `Closed` event comes out, when we decided it.
    closing_reason: Option<ClosureReason>,
    /// Where the channel's BOLT 7 announcement and our updates for it stand.
    announce: announce::AnnounceState,
}

/// What the manager knows about a peer.
#[derive(Default)]
struct PeerState {
    /// Whether the peer is connected, with the features of its `init`.
    connected: Option<InitFeatures>,
    /// Every channel with the peer (by current id).
    channels: HashSet<ChannelId>,
}

/// An `open_channel` waiting for `accept_inbound_channel` (manual acceptance).
struct PendingOpen {
    counterparty_node_id: PublicKey,
    msg: OpenChannel,
}

/// Every channel with every peer, payments out and in, and the events for the user. See the
/// [module documentation](self) for the call contract.
pub struct ChannelManager {
    chain_hash: ChainHash,
    config: ManagerConfig,
    node_signer: Box<dyn NodeSigner>,
    signer_provider: Box<dyn SignerProvider>,
    entropy: Box<dyn EntropySource>,
    logger: SharedLogger,
    our_node_id: PublicKey,
    inbound_key: InboundPaymentKey,
    /// The material `inbound_key` comes from (persisted with the manager).
    inbound_key_material: [u8; 32],
    best_block: BestBlock,
    /// The latest time we were told (by a call or a block header).
    highest_seen_time: Duration,
    /// The feerate for new channels and fee updates.
    feerate_per_kw: u32,
    channels: HashMap<ChannelId, ChannelEntry>,
    peers: HashMap<PublicKey, PeerState>,
    pending_opens: HashMap<ChannelId, PendingOpen>,
    outbound: OutboundPayments,
    claimable: HashMap<PaymentHash, Vec<ClaimableHtlc>>,
    unpeeled: Vec<UnpeeledHtlc>,
    /// Funded channels that closed, while HTLCs on them still wait for their monitor (or
    /// may still be claimed through it).
    closed_channels: HashMap<ChannelId, closed::ClosedChannel>,
    /// Forwarded HTLCs in flight, by outgoing `(channel, htlc id)`.
    forwards: HashMap<(ChannelId, u64), forward::ForwardedHtlc>,
    /// Forwards waiting for their next channel to be usable again, oldest first.
    held_forwards: Vec<held::PendingForward>,
    /// Payments to us with parts still missing.
    receiving: HashMap<PaymentHash, mpp::PartialSet>,
    /// Paths of our payments that settled, not yet reported to a router.
    successful_paths: Vec<crate::routing::Path>,
    events: VecDeque<Event>,
    messages: VecDeque<(PublicKey, Message)>,
    monitor_updates: VecDeque<ChannelMonitorUpdate>,
    broadcasts: VecDeque<Transaction>,
    /// Our own gossip to broadcast to the whole network.
    gossip: VecDeque<Message>,
    /// The timestamp of our latest `node_announcement`, if we sent one.
    last_node_announcement: Option<u32>,
}

impl ChannelManager {
    /// A manager with no channels.
    pub fn new(params: ManagerParams) -> Self {
        let ManagerParams {
            chain_hash,
            config,
            node_signer,
            signer_provider,
            mut entropy,
            logger,
            best_block,
            inbound_payment_key_material,
        } = params;
        let key_material = inbound_payment_key_material.unwrap_or_else(|| entropy.random_bytes());
        let feerate_per_kw = config.initial_feerate_per_kw;
        ChannelManager {
            chain_hash,
            our_node_id: node_signer.node_id(),
            config,
            node_signer,
            signer_provider,
            entropy,
            logger,
            inbound_key: InboundPaymentKey::new(&key_material),
            inbound_key_material: key_material,
            best_block,
            highest_seen_time: Duration::ZERO,
            feerate_per_kw,
            channels: HashMap::new(),
            peers: HashMap::new(),
            pending_opens: HashMap::new(),
            outbound: OutboundPayments::default(),
            claimable: HashMap::new(),
            unpeeled: Vec::new(),
            closed_channels: HashMap::new(),
            forwards: HashMap::new(),
            held_forwards: Vec::new(),
            receiving: HashMap::new(),
            successful_paths: Vec::new(),
            events: VecDeque::new(),
            messages: VecDeque::new(),
            monitor_updates: VecDeque::new(),
            broadcasts: VecDeque::new(),
            gossip: VecDeque::new(),
            last_node_announcement: None,
        }
    }

    /// The chain our channels live on.
    pub fn chain_hash(&self) -> ChainHash {
        self.chain_hash
    }

    /// The manager's policy.
    pub fn config(&self) -> &ManagerConfig {
        &self.config
    }

    /// The node signer (for invoice signing).
    pub(crate) fn node_signer_mut(&mut self) -> &mut dyn NodeSigner {
        self.node_signer.as_mut()
    }

    /// Our node id.
    pub fn node_id(&self) -> PublicKey {
        self.our_node_id
    }

    /// The chain tip the manager last saw.
    pub fn best_block(&self) -> BestBlock {
        self.best_block
    }

    /// Tells the manager the time (since the Unix epoch); it only moves forward. Invoice
    /// expiry is checked against the latest time given here, to `create_inbound_payment`, or
    /// in a block header.
    pub fn advance_time(&mut self, now: Duration) {
        self.highest_seen_time = self.highest_seen_time.max(now);
    }

    /// The next event for the user.
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Same as [`next_event`](Self::next_event).
    pub fn poll_event(&mut self) -> Option<Event> {
        self.next_event()
    }

    /// The next message to send, with the peer to send it to.
    pub fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        self.messages.pop_front()
    }

    /// The next monitor update to persist.
    pub fn poll_monitor_update(&mut self) -> Option<ChannelMonitorUpdate> {
        self.monitor_updates.pop_front()
    }

    /// The next transaction to broadcast.
    pub fn poll_broadcast(&mut self) -> Option<Transaction> {
        self.broadcasts.pop_front()
    }

    /// The next message of our own gossip to broadcast to the network (a
    /// `channel_announcement`, `channel_update` or `node_announcement` about our public
    /// channels); hand it to
    /// [`GossipHandler::broadcast_own_gossip`](crate::routing::gossip::GossipHandler::broadcast_own_gossip).
    pub fn poll_gossip(&mut self) -> Option<Message> {
        self.gossip.pop_front()
    }

    /// Reports that monitor update `update_id` of `channel_id` is persisted: releases the
    /// messages and events that waited for it. Unknown channels are ignored.
    pub fn monitor_update_completed(&mut self, channel_id: ChannelId, update_id: u64) {
        if let Some(entry) = self.channels.get_mut(&channel_id) {
            entry.channel.monitor_update_completed(update_id);
            self.drain_channel(channel_id);
        }
    }

    /// The node or a channel signer, which answered `Pending` earlier, is ready: repeats what
    /// waited for it (channel steps, onion peeling). Call
    /// [`ChainMonitor::signer_ready`](crate::monitor::chain_monitor::ChainMonitor::signer_ready)
    /// too, so that the monitors retry their claims (e.g. our commitment after a force close
    /// made while the signer was away) at once rather than at the next block.
    pub fn signer_ready(&mut self) {
        let ids: Vec<ChannelId> = self.channels.keys().copied().collect();
        for channel_id in ids {
            if let Some(entry) = self.channels.get_mut(&channel_id) {
                let result = entry.channel.signer_ready();
                self.handle_channel_result(channel_id, result);
                self.drain_channel(channel_id);
            }
        }
        self.retry_unpeeled();
        self.advance_all_announcements();
    }
}
