//! A network of N nodes for restart tests of forwarded and multi-part payments: channels are
//! opened with the `payments_support` harness, then messages travel one at a time through a
//! single FIFO (so each link keeps its order), links can be held, and any node can be
//! restarted from its encoded manager (its connections drop and come back).
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::Arc;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::Network;
use lightning::chain::BestBlock;
use lightning::manager::{
    our_init_features, ChannelManager, Event, ManagerConfig, ManagerParams, PaymentId,
};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::EntropySource;
use lightning::util::logger::NoopLogger;
use lightning::wire::{ChainHash, Init, Message, PaymentHash};

use crate::payments_support::{Chan, Net};

/// Entropy of a restarted node: fresh values (never those of its first life).
struct RestartEntropy {
    seed: u8,
    counter: u64,
}

impl EntropySource for RestartEntropy {
    fn random_bytes(&mut self) -> [u8; 32] {
        self.counter += 1;
        let mut data = vec![self.seed, 0xee];
        data.extend_from_slice(&self.counter.to_be_bytes());
        sha256::Hash::hash(&data).to_byte_array()
    }
}

/// The plugs of node `index` of a `payments_support::Net` (seed `index + 1`), as after a
/// restart; `life` keeps the entropy of successive restarts apart.
pub fn restart_params(index: usize, config: ManagerConfig, life: u64) -> ManagerParams {
    let seed = index as u8 + 1;
    let keys = |s| Box::new(KeysManager::new(&[s; 32]).expect("valid seed"));
    ManagerParams {
        chain_hash: ChainHash::using_genesis_block(Network::Regtest),
        config,
        node_signer: keys(seed),
        signer_provider: keys(seed),
        entropy: Box::new(RestartEntropy {
            seed,
            counter: life * 1_000_000,
        }),
        logger: Arc::new(NoopLogger),
        best_block: BestBlock::from_network_genesis(Network::Regtest),
        inbound_payment_key_material: None,
    }
}

/// Nodes, the links between them, messages in flight, and everything each node reported.
pub struct StepNet {
    pub net: Net,
    pub config: ManagerConfig,
    /// Pairs of nodes with a channel (and a connection while `connected` says so).
    pub links: Vec<(usize, usize)>,
    /// Messages in flight `(from, to, message)`, in sending order.
    pub queue: VecDeque<(usize, usize, Message)>,
    /// Links `(from, to)` whose messages wait in the queue until released.
    pub held: Vec<(usize, usize)>,
    /// Every event each node emitted.
    pub events: Vec<Vec<Event>>,
    /// Transactions each node asked to broadcast.
    pub broadcasts: Vec<usize>,
    /// Claim payments automatically when they become claimable.
    pub auto_claim: bool,
    lives: u64,
}

impl StepNet {
    /// Wraps a network whose channels are open (their events already drained).
    pub fn new(net: Net, config: ManagerConfig, links: Vec<(usize, usize)>) -> StepNet {
        let count = net.nodes.len();
        StepNet {
            net,
            config,
            links,
            queue: VecDeque::new(),
            held: Vec::new(),
            events: vec![Vec::new(); count],
            broadcasts: vec![0; count],
            auto_claim: true,
            lives: 0,
        }
    }

    fn index_of(&self, id: &secp256k1::PublicKey) -> usize {
        self.net
            .nodes
            .iter()
            .position(|node| node.id == *id)
            .expect("known node")
    }

    pub fn manager(&mut self, i: usize) -> &mut ChannelManager {
        &mut self.net.nodes[i].manager
    }

    /// Moves every node's output out: completes monitor updates, queues messages, counts
    /// broadcasts, records events (claiming when `auto_claim`).
    pub fn pump(&mut self) {
        loop {
            let mut progressed = false;
            for i in 0..self.net.nodes.len() {
                while let Some(update) = self.manager(i).poll_monitor_update() {
                    progressed = true;
                    self.manager(i)
                        .monitor_update_completed(update.channel_id, update.update_id);
                }
                while let Some((peer, message)) = self.manager(i).poll_message() {
                    progressed = true;
                    let to = self.index_of(&peer);
                    self.queue.push_back((i, to, message));
                }
                while self.manager(i).poll_broadcast().is_some() {
                    self.broadcasts[i] += 1;
                }
                while let Some(event) = self.manager(i).next_event() {
                    progressed = true;
                    if let (
                        true,
                        Event::PaymentClaimable {
                            payment_preimage: Some(preimage),
                            ..
                        },
                    ) = (self.auto_claim, &event)
                    {
                        self.manager(i).claim_funds(*preimage).expect("claim");
                    }
                    self.events[i].push(event);
                }
            }
            if !progressed {
                return;
            }
        }
    }

    /// Delivers the first message not on a held link; false when there is none.
    pub fn step(&mut self) -> bool {
        self.pump();
        let Some(position) = self
            .queue
            .iter()
            .position(|(from, to, _)| !self.held.contains(&(*from, *to)))
        else {
            return false;
        };
        let (from, to, message) = self.queue.remove(position).expect("position is valid");
        let sender = self.net.nodes[from].id;
        self.manager(to)
            .handle_message(sender, message.clone())
            .unwrap_or_else(|e| panic!("node {to} refused {message:?} from {from}: {e}"));
        self.pump();
        true
    }

    /// Delivers until nothing deliverable is in flight; returns the number delivered.
    pub fn run(&mut self) -> usize {
        let mut count = 0;
        while self.step() {
            count += 1;
            assert!(count < 10_000, "message loop does not settle");
        }
        count
    }

    /// Holds messages from `from` to `to` in the queue.
    pub fn hold(&mut self, from: usize, to: usize) {
        self.held.push((from, to));
    }

    /// Lets messages from `from` to `to` go again.
    pub fn release(&mut self, from: usize, to: usize) {
        self.held.retain(|link| *link != (from, to));
    }

    fn neighbours(&self, i: usize) -> Vec<usize> {
        self.links
            .iter()
            .filter_map(|&(a, b)| {
                if a == i {
                    Some(b)
                } else if b == i {
                    Some(a)
                } else {
                    None
                }
            })
            .collect()
    }

    /// Replaces node `i` by one decoded from `saved`: its connections drop (messages in
    /// flight to and from it are lost), it completes its in-progress monitor updates (the
    /// persister holds them), and it connects again to every neighbour.
    pub fn restart(&mut self, i: usize, saved: &[u8]) {
        self.pump();
        self.queue.retain(|(from, to, _)| *from != i && *to != i);
        let id = self.net.nodes[i].id;
        for j in self.neighbours(i) {
            self.manager(j).peer_disconnected(id);
        }
        self.lives += 1;
        let params = restart_params(i, self.config.clone(), self.lives);
        let manager = ChannelManager::decode(saved, params).expect("decode manager");
        assert_eq!(manager.node_id(), id);
        self.net.nodes[i].manager = manager;
        for (channel_id, update_id) in self.manager(i).in_progress_monitor_updates() {
            self.manager(i)
                .monitor_update_completed(channel_id, update_id);
        }
        self.pump();
        let init = Init {
            features: our_init_features(),
            ..Default::default()
        };
        for j in self.neighbours(i) {
            let other = self.net.nodes[j].id;
            self.manager(i).peer_connected(other, &init);
            self.manager(j).peer_connected(id, &init);
        }
        self.pump();
    }

    /// Saves node `i` now and restarts it from that save.
    pub fn save_and_restart(&mut self, i: usize) {
        self.pump();
        let saved = self.manager(i).encode();
        self.restart(i, &saved);
    }

    pub fn count(&self, i: usize, matches: impl Fn(&Event) -> bool) -> usize {
        self.events[i].iter().filter(|e| matches(e)).count()
    }

    /// How many `PaymentSent` node `i` emitted for `id`, and how many `PaymentFailed`.
    pub fn outcomes(&self, i: usize, id: PaymentId) -> (usize, usize) {
        let sent = self.count(
            i,
            |e| matches!(e, Event::PaymentSent { payment_id, .. } if *payment_id == id),
        );
        let failed = self.count(
            i,
            |e| matches!(e, Event::PaymentFailed { payment_id, .. } if *payment_id == id),
        );
        (sent, failed)
    }

    pub fn claimed(&self, i: usize, hash: PaymentHash) -> usize {
        self.count(
            i,
            |e| matches!(e, Event::PaymentClaimed { payment_hash, .. } if *payment_hash == hash),
        )
    }

    pub fn forwarded(&self, i: usize) -> usize {
        self.count(i, |e| matches!(e, Event::PaymentForwarded { .. }))
    }

    /// No channel closed, nothing broadcast, no HTLC pending anywhere, every channel usable.
    pub fn assert_settled(&self) {
        assert!(
            self.broadcasts.iter().all(|n| *n == 0),
            "broadcasts {:?}: {:?}",
            self.broadcasts,
            self.events
        );
        for (i, node) in self.net.nodes.iter().enumerate() {
            assert!(
                !self.events[i]
                    .iter()
                    .any(|e| matches!(e, Event::ChannelClosed { .. })),
                "node {i}: {:?}",
                self.events[i]
            );
            for details in node.manager.list_channels() {
                assert_eq!(details.pending_htlcs, 0, "node {i} {details:?}");
                assert!(details.is_usable, "node {i} {details:?}");
            }
        }
    }

    /// The sum of both sides' balances of `chan` equals its value.
    pub fn assert_mirrored(&self, a: usize, b: usize, chan: Chan, funding_sats: u64) {
        let sum = self.net.balance_msat(a, chan.id) + self.net.balance_msat(b, chan.id);
        assert_eq!(sum, funding_sats * 1000, "channel {a}-{b} balances");
    }
}
