//! Our side: two `lightning::manager::ChannelManager`s in one process with one channel,
//! wired by direct `handle_message`/`poll_message` calls (no transport), monitor updates
//! completed at once; or, built with [`OursPair::new_full_stack`], through the real stack
//! ([`stack`]: BOLT 8 peer managers and fsync'd filesystem persistence).

pub mod signers;
pub mod stack;

use std::sync::Arc;
use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::Network;
use lightning::chain::{BestBlock, Confirm};
use lightning::manager::{
    ChannelManager, Event, ManagerConfig, ManagerParams, PaymentId, RecipientOnionFields,
};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::EntropySource;
use lightning::util::logger::NoopLogger;
use lightning::wire::features::{Feature, InitFeatures};
use lightning::wire::{ChainHash, Init, PaymentPreimage};
use secp256k1::PublicKey;

use self::signers::{CountingKeys, SignCounters, SignCounts};
use self::stack::OursStack;
use crate::chain::{funding_tx, HeaderChain, CONFIRMATIONS, FUNDING_SATS, START};

/// The final CLTV delta both libraries put in their payments.
pub const FINAL_CLTV_DELTA: u32 = 40;

/// Deterministic entropy: SHA256(seed || counter).
struct SeededEntropy {
    seed: u8,
    counter: u64,
}

impl EntropySource for SeededEntropy {
    fn random_bytes(&mut self) -> [u8; 32] {
        self.counter += 1;
        let mut data = [0u8; 9];
        data[0] = self.seed;
        data[1..].copy_from_slice(&self.counter.to_be_bytes());
        sha256::Hash::hash(&data).to_byte_array()
    }
}

/// What the pair measures besides time.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PairCounts {
    /// Monitor updates produced by both nodes.
    pub monitor_updates: u64,
    /// The sum of `ChannelMonitorUpdate::encode().len()` (only when measuring).
    pub monitor_update_bytes: u64,
    /// Signer activity of both nodes (only when measuring).
    pub signer: SignCounts,
}

/// Two of our nodes with a ready channel between them.
pub struct OursPair {
    nodes: [ChannelManager; 2],
    ids: [PublicKey; 2],
    counters: [Arc<SignCounters>; 2],
    measure: bool,
    monitor_updates: u64,
    monitor_update_bytes: u64,
    next_payment: u64,
    /// The real transport and persistence, when built with [`OursPair::new_full_stack`].
    stack: Option<OursStack>,
}

/// The `init` features both nodes announce: no anchors, so the channel is
/// `option_static_remotekey`, the channel type LDK 0.2 negotiates by default.
pub(crate) fn init_features() -> InitFeatures {
    let mut features = InitFeatures::empty();
    features.set_required(Feature::VarOnionOptin);
    features.set_required(Feature::StaticRemoteKey);
    features.set_required(Feature::PaymentSecret);
    features.set_required(Feature::ChannelType);
    features
}

fn new_node(seed: u8, counters: Arc<SignCounters>, max_htlcs: u16) -> ChannelManager {
    let keys = |s| KeysManager::new(&[s; 32]).expect("a 32-byte seed is always valid");
    let mut config = ManagerConfig::default();
    config.channel_config.max_accepted_htlcs = max_htlcs;
    ChannelManager::new(ManagerParams {
        chain_hash: ChainHash::using_genesis_block(Network::Regtest),
        config,
        node_signer: Box::new(CountingKeys::new(keys(seed), counters.clone())),
        signer_provider: Box::new(CountingKeys::new(keys(seed), counters)),
        entropy: Box::new(SeededEntropy { seed, counter: 0 }),
        logger: Arc::new(NoopLogger),
        best_block: BestBlock::from_network_genesis(Network::Regtest),
        inbound_payment_key_material: None,
    })
}

impl OursPair {
    /// Two nodes with a confirmed, usable 10M-sat channel from node 0 to node 1 (node 0 pushes
    /// half of it so both can pay). `measure` turns on monitor-update encoding for byte counts.
    pub fn new(measure: bool, max_htlcs: u16) -> OursPair {
        Self::build(measure, max_htlcs, None)
    }

    /// The same pair over the real stack: messages through two `PeerManager`s (BOLT 8, bytes
    /// moved in memory), monitor updates through `ChainMonitor`s persisting to
    /// `FilesystemStore`s in temporary directories (removed on drop).
    pub fn new_full_stack(max_htlcs: u16) -> OursPair {
        Self::build(false, max_htlcs, Some(OursStack::new([1, 2])))
    }

    /// Bytes and values written by the filesystem stores so far ((0, 0) without the stack).
    pub fn written(&self) -> (u64, u64) {
        self.stack.as_ref().map_or((0, 0), OursStack::written)
    }

    fn build(measure: bool, max_htlcs: u16, stack: Option<OursStack>) -> OursPair {
        let counters = [Arc::default(), Arc::default()];
        let nodes = [
            new_node(1, Arc::clone(&counters[0]), max_htlcs),
            new_node(2, Arc::clone(&counters[1]), max_htlcs),
        ];
        let ids = [nodes[0].node_id(), nodes[1].node_id()];
        let mut pair = OursPair {
            nodes,
            ids,
            counters,
            measure,
            monitor_updates: 0,
            monitor_update_bytes: 0,
            next_payment: 0,
            stack,
        };
        pair.open_channel();
        pair
    }

    fn open_channel(&mut self) {
        let init = Init {
            features: init_features(),
            ..Default::default()
        };
        match &mut self.stack {
            Some(stack) => self.monitor_updates += stack.connect(&mut self.nodes),
            None => {
                self.nodes[0].peer_connected(self.ids[1], &init);
                self.nodes[1].peer_connected(self.ids[0], &init);
            }
        }
        let temporary = self.nodes[0]
            .open_channel(self.ids[1], FUNDING_SATS, FUNDING_SATS * 500, 42, None)
            .expect("open_channel to a connected peer");
        self.deliver();
        let script = loop {
            match self.nodes[0].next_event() {
                Some(Event::FundingGenerationReady { output_script, .. }) => break output_script,
                Some(_) => continue,
                None => panic!("ours: no FundingGenerationReady"),
            }
        };
        let tx = funding_tx(script);
        self.nodes[0]
            .funding_transaction_generated(temporary, self.ids[1], tx.clone())
            .expect("funding transaction accepted");
        self.deliver();
        let mut chain =
            HeaderChain::new(BestBlock::from_network_genesis(Network::Regtest).block_hash);
        for block in 0..=CONFIRMATIONS {
            let header = chain.next_header();
            let txdata = if block == 0 { vec![(1, &tx)] } else { vec![] };
            for node in self.nodes.iter_mut() {
                node.transactions_confirmed(&header, &txdata, chain.height);
                node.best_block_updated(&header, chain.height);
            }
            if let Some(stack) = &mut self.stack {
                stack.confirm(&header, &txdata, chain.height);
            }
            self.deliver();
        }
        for node in self.nodes.iter_mut() {
            while node.next_event().is_some() {}
            let channels = node.list_channels();
            assert!(
                channels.len() == 1 && channels[0].is_usable,
                "ours: channel not usable"
            );
        }
    }

    /// Moves messages between the nodes and completes monitor updates at once (through the
    /// stack when there is one), until quiet.
    pub fn deliver(&mut self) {
        if let Some(stack) = &mut self.stack {
            self.monitor_updates += stack.deliver(&mut self.nodes);
            return;
        }
        loop {
            let mut progressed = false;
            for from in 0..2 {
                let to = 1 - from;
                while let Some(update) = self.nodes[from].poll_monitor_update() {
                    self.monitor_updates += 1;
                    if self.measure {
                        self.monitor_update_bytes += update.encode().len() as u64;
                    }
                    self.nodes[from].monitor_update_completed(update.channel_id, update.update_id);
                    progressed = true;
                }
                while let Some((_, message)) = self.nodes[from].poll_message() {
                    let sender = self.ids[from];
                    if let Err(err) = self.nodes[to].handle_message(sender, message) {
                        panic!("ours: node {to} refused a message: {err}");
                    }
                    progressed = true;
                }
            }
            if !progressed {
                return;
            }
        }
    }

    fn fresh_payment_id(&mut self) -> PaymentId {
        self.next_payment += 1;
        let mut id = [0u8; 32];
        id[..8].copy_from_slice(&self.next_payment.to_be_bytes());
        PaymentId(id)
    }

    /// Starts a payment of `amount_msat` from node `from` to the other node (not delivered).
    fn start_payment(&mut self, from: usize, amount_msat: u64) {
        let to = 1 - from;
        // The invoice's time: the last block's (headers are 600 s apart from START).
        let now = START + Duration::from_secs(600 * u64::from(CONFIRMATIONS + 1));
        let (hash, secret) = self.nodes[to].create_inbound_payment(Some(amount_msat), 3600, now);
        let payment_id = self.fresh_payment_id();
        self.nodes[from]
            .send_payment_to_peer(
                self.ids[to],
                amount_msat,
                FINAL_CLTV_DELTA,
                hash,
                RecipientOnionFields::secret_only(secret),
                payment_id,
            )
            .expect("ours: send_payment_to_peer");
    }

    /// Claims every claimable payment at node `to`; returns how many.
    fn claim_all(&mut self, to: usize) -> usize {
        let mut preimages: Vec<PaymentPreimage> = Vec::new();
        while let Some(event) = self.nodes[to].next_event() {
            if let Event::PaymentClaimable {
                payment_preimage: Some(preimage),
                ..
            } = event
            {
                preimages.push(preimage);
            }
        }
        for preimage in &preimages {
            self.nodes[to].claim_funds(*preimage).expect("ours: claim");
        }
        preimages.len()
    }

    /// Counts `PaymentSent` events at `from` (draining all events of both nodes).
    fn count_sent(&mut self, from: usize) -> usize {
        let mut sent = 0;
        while let Some(event) = self.nodes[from].next_event() {
            if matches!(event, Event::PaymentSent { .. }) {
                sent += 1;
            }
        }
        while self.nodes[1 - from].next_event().is_some() {}
        sent
    }

    /// Pays `count` payments from `from` to the other node, starting all of them before
    /// delivering anything (one at a time when `count` is 1), and settles them fully.
    pub fn pay(&mut self, from: usize, count: usize, amount_msat: u64) {
        for _ in 0..count {
            self.start_payment(from, amount_msat);
        }
        self.deliver();
        let claimed = self.claim_all(1 - from);
        assert_eq!(claimed, count, "ours: not every payment became claimable");
        self.deliver();
        let sent = self.count_sent(from);
        assert_eq!(sent, count, "ours: not every payment was sent");
    }

    /// Monitor updates and signer counts so far.
    pub fn counts(&self) -> PairCounts {
        let a = self.counters[0].snapshot();
        let b = self.counters[1].snapshot();
        PairCounts {
            monitor_updates: self.monitor_updates,
            monitor_update_bytes: self.monitor_update_bytes,
            signer: SignCounts {
                signatures_made: a.signatures_made + b.signatures_made,
                signatures_verified: a.signatures_verified + b.signatures_verified,
                ecdh: a.ecdh + b.ecdh,
                points: a.points + b.points,
            },
        }
    }
}
