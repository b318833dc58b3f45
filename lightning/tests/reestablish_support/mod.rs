//! A two-node network for reestablish and restart tests: messages travel through inboxes
//! one at a time, connections drop and come back, monitor updates can be held, and a node
//! can be restarted from its encoded manager.
#![allow(dead_code)]

/// The two-node helpers shared with the manager tests.
#[path = "../manager_support/mod.rs"]
pub mod base;

use std::collections::VecDeque;
use std::sync::Arc;

use bitcoin::Network;
use lightning::chain::BestBlock;
use lightning::manager::{
    our_init_features, ChannelManager, Event, ManagerConfig, ManagerParams, PaymentId,
    RecipientOnionFields,
};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::util::logger::NoopLogger;
use lightning::wire::{ChainHash, ChannelId, Init, Message, PaymentHash};

pub use base::*;

/// The plugs of node `seed` (the same every time, as after a restart).
pub fn params(seed: u8) -> ManagerParams {
    let keys = |s| Box::new(KeysManager::new(&[s; 32]).expect("valid seed"));
    ManagerParams {
        chain_hash: ChainHash::using_genesis_block(Network::Regtest),
        config: ManagerConfig::default(),
        node_signer: keys(seed),
        signer_provider: keys(seed),
        entropy: Box::new(TestEntropy {
            seed,
            counter: 1_000_000,
        }),
        logger: Arc::new(NoopLogger),
        best_block: BestBlock::from_network_genesis(Network::Regtest),
        inbound_payment_key_material: None,
    }
}

/// Two nodes with an open channel, inboxes, and everything each node reported.
pub struct Net {
    pub nodes: [Node; 2],
    pub seeds: [u8; 2],
    pub chain: Chain,
    pub channel_id: ChannelId,
    /// Messages on their way to node `i`.
    pub inbox: [VecDeque<Message>; 2],
    pub connected: bool,
    /// Hold node `i`'s monitor updates instead of completing them.
    pub hold: [bool; 2],
    pub held: [Vec<(ChannelId, u64)>; 2],
    /// Every event each node emitted.
    pub events: [Vec<Event>; 2],
    /// Broadcasts each node asked for.
    pub broadcasts: [usize; 2],
    /// Claim payments automatically when they become claimable.
    pub auto_claim: bool,
}

impl Net {
    pub fn new() -> Net {
        let (nodes, chain, channel_id) = setup();
        Net {
            nodes,
            seeds: [1, 2],
            chain,
            channel_id,
            inbox: [VecDeque::new(), VecDeque::new()],
            connected: true,
            hold: [false, false],
            held: [Vec::new(), Vec::new()],
            events: [Vec::new(), Vec::new()],
            broadcasts: [0, 0],
            auto_claim: true,
        }
    }

    /// Moves each node's output into the inboxes, completes (or holds) monitor updates,
    /// collects events (claiming payments when `auto_claim`).
    pub fn pump(&mut self) {
        loop {
            let mut progressed = false;
            for i in 0..2 {
                while let Some(update) = self.nodes[i].manager.poll_monitor_update() {
                    progressed = true;
                    if self.hold[i] {
                        self.held[i].push((update.channel_id, update.update_id));
                    } else {
                        self.nodes[i]
                            .manager
                            .monitor_update_completed(update.channel_id, update.update_id);
                    }
                }
                while let Some((_, message)) = self.nodes[i].manager.poll_message() {
                    progressed = true;
                    if self.connected {
                        self.inbox[1 - i].push_back(message);
                    }
                }
                while self.nodes[i].manager.poll_broadcast().is_some() {
                    self.broadcasts[i] += 1;
                }
                while let Some(event) = self.nodes[i].manager.next_event() {
                    progressed = true;
                    if let (
                        true,
                        Event::PaymentClaimable {
                            payment_preimage: Some(preimage),
                            ..
                        },
                    ) = (self.auto_claim, &event)
                    {
                        self.nodes[i].manager.claim_funds(*preimage).expect("claim");
                    }
                    self.events[i].push(event);
                }
            }
            if !progressed {
                return;
            }
        }
    }

    /// Delivers one message (to node 0 first if it has one); false when none is in flight.
    pub fn step(&mut self) -> bool {
        self.pump();
        for to in 0..2 {
            if let Some(message) = self.inbox[to].pop_front() {
                let from = self.nodes[1 - to].id;
                self.nodes[to]
                    .manager
                    .handle_message(from, message.clone())
                    .unwrap_or_else(|e| panic!("node {to} refused {message:?}: {e}"));
                self.pump();
                return true;
            }
        }
        false
    }

    /// Delivers until nothing is in flight; returns the number of messages delivered.
    pub fn run(&mut self) -> usize {
        let mut count = 0;
        while self.step() {
            count += 1;
            assert!(count < 10_000, "message loop does not settle");
        }
        count
    }

    pub fn disconnect(&mut self) {
        self.pump();
        self.connected = false;
        self.inbox = [VecDeque::new(), VecDeque::new()];
        let (a, b) = (self.nodes[0].id, self.nodes[1].id);
        self.nodes[0].manager.peer_disconnected(b);
        self.nodes[1].manager.peer_disconnected(a);
        self.pump();
    }

    pub fn reconnect(&mut self) {
        self.connected = true;
        let init = Init {
            features: our_init_features(),
            ..Default::default()
        };
        let (a, b) = (self.nodes[0].id, self.nodes[1].id);
        self.nodes[0].manager.peer_connected(b, &init);
        self.nodes[1].manager.peer_connected(a, &init);
        self.pump();
    }

    /// Completes node `i`'s held monitor updates.
    pub fn release(&mut self, i: usize) {
        self.hold[i] = false;
        for (channel_id, update_id) in std::mem::take(&mut self.held[i]) {
            self.nodes[i]
                .manager
                .monitor_update_completed(channel_id, update_id);
        }
        self.pump();
    }

    /// Replaces node `i` by one decoded from `saved` (drops every message in flight: the
    /// connection went down with the crash), then completes its in-progress updates.
    pub fn restart(&mut self, i: usize, saved: &[u8]) {
        self.pump();
        self.disconnect();
        let manager = ChannelManager::decode(saved, params(self.seeds[i])).expect("decode manager");
        assert_eq!(manager.node_id(), self.nodes[i].id);
        self.nodes[i].manager = manager;
        for (channel_id, update_id) in self.nodes[i].manager.in_progress_monitor_updates() {
            self.nodes[i]
                .manager
                .monitor_update_completed(channel_id, update_id);
        }
        self.pump();
    }

    /// Starts a payment of `amount_msat` from node `from`; returns its hash.
    pub fn start_payment(&mut self, from: usize, amount_msat: u64, id: u8) -> PaymentHash {
        let to = 1 - from;
        let (hash, secret) =
            self.nodes[to]
                .manager
                .create_inbound_payment(Some(amount_msat), 3600, START);
        let recipient = self.nodes[to].id;
        self.nodes[from]
            .manager
            .send_payment_to_peer(
                recipient,
                amount_msat,
                40,
                hash,
                RecipientOnionFields::secret_only(secret),
                PaymentId([id; 32]),
            )
            .expect("send");
        self.pump();
        hash
    }

    /// Checks that the nodes agree: mirrored balances, no HTLC pending, nothing closed or
    /// broadcast, the channel usable.
    pub fn assert_agree(&self) {
        let a = self.nodes[0].manager.list_channels();
        let b = self.nodes[1].manager.list_channels();
        assert_eq!(a.len(), 1, "{:?}", self.events);
        assert_eq!(b.len(), 1);
        assert_eq!(a[0].pending_htlcs, 0, "node 0 has pending HTLCs");
        assert_eq!(b[0].pending_htlcs, 0, "node 1 has pending HTLCs");
        assert_eq!(
            a[0].balance_msat + b[0].balance_msat,
            FUNDING_SATS * 1000,
            "balances do not mirror"
        );
        assert!(a[0].is_usable && b[0].is_usable);
        assert_eq!(self.broadcasts, [0, 0], "something was broadcast");
        for events in &self.events {
            assert!(
                !events
                    .iter()
                    .any(|e| matches!(e, Event::ChannelClosed { .. })),
                "{events:?}"
            );
        }
    }

    /// How many `PaymentSent` node `i` emitted for `id`, and how many `PaymentFailed`.
    pub fn outcomes(&self, i: usize, id: u8) -> (usize, usize) {
        let sent = self.events[i]
            .iter()
            .filter(|e| matches!(e, Event::PaymentSent { payment_id, .. } if *payment_id == PaymentId([id; 32])))
            .count();
        let failed = self.events[i]
            .iter()
            .filter(|e| matches!(e, Event::PaymentFailed { payment_id, .. } if *payment_id == PaymentId([id; 32])))
            .count();
        (sent, failed)
    }

    /// How many `PaymentClaimed` node `i` emitted for `hash`.
    pub fn claimed(&self, i: usize, hash: PaymentHash) -> usize {
        self.events[i]
            .iter()
            .filter(|e| matches!(e, Event::PaymentClaimed { payment_hash, .. } if *payment_hash == hash))
            .count()
    }
}
