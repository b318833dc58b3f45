//! Shared helpers of the payment tests: N `ChannelManager`s, a message loop that routes each
//! message to the node it names, channels opened and confirmed on a shared header chain.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use bitcoin::absolute::LockTime;
use bitcoin::block::{Header, Version as BlockVersion};
use bitcoin::hashes::{sha256, Hash};
use bitcoin::transaction::Version;
use bitcoin::{
    Amount, BlockHash, CompactTarget, Network, OutPoint, ScriptBuf, Sequence, Transaction, TxIn,
    TxMerkleNode, TxOut, Txid, Witness,
};
use lightning::chain::{BestBlock, Confirm};
use lightning::manager::{our_init_features, ChannelManager, Event, ManagerConfig, ManagerParams};
use lightning::routing::{Path, RouteHop};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::EntropySource;
use lightning::util::logger::NoopLogger;
use lightning::wire::{ChainHash, ChannelId, Init, ShortChannelId};
use secp256k1::PublicKey;

pub const START: Duration = Duration::from_secs(1_700_000_000);

/// Deterministic entropy: SHA256(seed || counter).
pub struct TestEntropy {
    seed: u8,
    counter: u64,
}

impl EntropySource for TestEntropy {
    fn random_bytes(&mut self) -> [u8; 32] {
        self.counter += 1;
        let mut data = vec![self.seed];
        data.extend_from_slice(&self.counter.to_be_bytes());
        sha256::Hash::hash(&data).to_byte_array()
    }
}

pub struct Node {
    pub manager: ChannelManager,
    pub id: PublicKey,
}

pub fn node_with(seed: u8, config: ManagerConfig) -> Node {
    let keys = |s| Box::new(KeysManager::new(&[s; 32]).expect("valid seed"));
    let manager = ChannelManager::new(ManagerParams {
        chain_hash: ChainHash::using_genesis_block(Network::Regtest),
        config,
        node_signer: keys(seed),
        signer_provider: keys(seed),
        entropy: Box::new(TestEntropy { seed, counter: 0 }),
        logger: Arc::new(NoopLogger),
        best_block: BestBlock::from_network_genesis(Network::Regtest),
        inbound_payment_key_material: None,
    });
    let id = manager.node_id();
    Node { manager, id }
}

/// A network of nodes sharing a header chain.
pub struct Net {
    pub nodes: Vec<Node>,
    pub tip: BlockHash,
    pub height: u32,
    funding_counter: u8,
}

/// A channel between two nodes of a [`Net`].
#[derive(Clone, Copy, Debug)]
pub struct Chan {
    pub id: ChannelId,
    pub scid: ShortChannelId,
}

impl Net {
    pub fn new(count: usize, config: ManagerConfig) -> Net {
        Net::with_configs((0..count).map(|_| config.clone()).collect())
    }

    pub fn with_configs(configs: Vec<ManagerConfig>) -> Net {
        let nodes = configs
            .into_iter()
            .enumerate()
            .map(|(i, config)| node_with(i as u8 + 1, config))
            .collect();
        Net {
            nodes,
            tip: BestBlock::from_network_genesis(Network::Regtest).block_hash,
            height: 0,
            funding_counter: 0,
        }
    }

    pub fn id(&self, index: usize) -> PublicKey {
        self.nodes[index].id
    }

    fn index_of(&self, id: &PublicKey) -> usize {
        self.nodes
            .iter()
            .position(|node| node.id == *id)
            .expect("known node")
    }

    /// Moves messages between the nodes and completes monitor updates at once, until quiet.
    pub fn deliver(&mut self) {
        for _ in 0..10_000 {
            let mut progressed = false;
            for from in 0..self.nodes.len() {
                while let Some(update) = self.nodes[from].manager.poll_monitor_update() {
                    self.nodes[from]
                        .manager
                        .monitor_update_completed(update.channel_id, update.update_id);
                    progressed = true;
                }
                while let Some((peer, message)) = self.nodes[from].manager.poll_message() {
                    let to = self.index_of(&peer);
                    let sender = self.nodes[from].id;
                    self.nodes[to]
                        .manager
                        .handle_message(sender, message.clone())
                        .unwrap_or_else(|err| panic!("node {to} refused {message:?}: {err}"));
                    progressed = true;
                }
            }
            if !progressed {
                return;
            }
        }
        panic!("message loop did not settle");
    }

    pub fn events(&mut self, index: usize) -> Vec<Event> {
        let node = &mut self.nodes[index];
        std::iter::from_fn(|| node.manager.next_event()).collect()
    }

    fn header(&mut self) -> Header {
        self.height += 1;
        let header = Header {
            version: BlockVersion::TWO,
            prev_blockhash: self.tip,
            merkle_root: TxMerkleNode::from_byte_array([self.height as u8; 32]),
            time: (START.as_secs() as u32) + self.height * 600,
            bits: CompactTarget::from_consensus(0x207fffff),
            nonce: 0,
        };
        self.tip = header.block_hash();
        header
    }

    /// Mines a block with `txs` seen by every node.
    pub fn mine(&mut self, txs: &[&Transaction]) {
        let header = self.header();
        let txdata: Vec<(usize, &Transaction)> =
            txs.iter().enumerate().map(|(i, tx)| (i + 1, *tx)).collect();
        let height = self.height;
        for node in self.nodes.iter_mut() {
            node.manager
                .transactions_confirmed(&header, &txdata, height);
            node.manager.best_block_updated(&header, height);
        }
        self.deliver();
    }

    pub fn connect(&mut self, a: usize, b: usize) {
        let init = Init {
            features: our_init_features(),
            ..Default::default()
        };
        let (ida, idb) = (self.id(a), self.id(b));
        self.nodes[a].manager.peer_connected(idb, &init);
        self.nodes[b].manager.peer_connected(ida, &init);
    }

    /// Opens, funds and confirms a channel from `a` to `b` with `push_msat` given to `b`.
    pub fn open(&mut self, a: usize, b: usize, funding_sats: u64, push_msat: u64) -> Chan {
        self.connect(a, b);
        let idb = self.id(b);
        let temporary = self.nodes[a]
            .manager
            .open_channel(idb, funding_sats, push_msat, 7, None)
            .expect("open");
        self.deliver();
        let ready = self.events(a);
        let [Event::FundingGenerationReady { output_script, .. }] = ready.as_slice() else {
            panic!("expected FundingGenerationReady, got {ready:?}");
        };
        self.funding_counter += 1;
        let tx = funding_tx(output_script.clone(), funding_sats, self.funding_counter);
        self.nodes[a]
            .manager
            .funding_transaction_generated(temporary, idb, tx.clone())
            .expect("funding");
        self.deliver();
        assert_eq!(self.nodes[a].manager.poll_broadcast(), Some(tx.clone()));
        let id = ChannelId::from_funding_outpoint(tx.compute_txid().to_byte_array(), 0);
        self.events(a);
        self.events(b);
        self.mine(&[&tx]);
        self.mine(&[]);
        self.mine(&[]);
        for index in [a, b] {
            let ready = self.events(index);
            assert!(
                matches!(ready.as_slice(), [Event::ChannelReady { channel_id, .. }] if *channel_id == id),
                "{ready:?}"
            );
        }
        let scid = self.nodes[a]
            .manager
            .list_channels()
            .into_iter()
            .find(|details| details.channel_id == id)
            .and_then(|details| details.short_channel_id)
            .expect("confirmed channel");
        Chan { id, scid }
    }

    /// Mines `count` empty blocks.
    pub fn mine_blocks(&mut self, count: u32) {
        for _ in 0..count {
            self.mine(&[]);
        }
    }

    pub fn balance_msat(&self, node: usize, channel: ChannelId) -> u64 {
        self.nodes[node]
            .manager
            .list_channels()
            .into_iter()
            .find(|details| details.channel_id == channel)
            .expect("channel")
            .balance_msat
    }
}

pub fn funding_tx(output_script: ScriptBuf, funding_sats: u64, salt: u8) -> Transaction {
    Transaction {
        version: Version::TWO,
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint::new(Txid::from_byte_array([salt; 32]), 0),
            script_sig: ScriptBuf::new(),
            sequence: Sequence::MAX,
            witness: Witness::from_slice(&[vec![1u8; 72], vec![2u8; 33]]),
        }],
        output: vec![TxOut {
            value: Amount::from_sat(funding_sats),
            script_pubkey: output_script,
        }],
    }
}

/// A path over `hops` (node, channel) where every intermediate hop charges `policy`'s fee
/// and delta, delivering `amount_msat` with the final delta.
pub fn path_with_fees(
    hops: &[(PublicKey, ShortChannelId)],
    amount_msat: u64,
    final_cltv_delta: u32,
    fee_base_msat: u64,
    fee_ppm: u64,
    cltv_delta: u32,
) -> Path {
    let mut route_hops = Vec::new();
    let mut forwarded = amount_msat;
    for (index, (node_id, scid)) in hops.iter().enumerate().rev() {
        let last = index + 1 == hops.len();
        let (fee_msat, delta) = if last {
            (amount_msat, final_cltv_delta)
        } else {
            (fee_base_msat + forwarded * fee_ppm / 1_000_000, cltv_delta)
        };
        if !last {
            forwarded += fee_msat;
        }
        route_hops.push(RouteHop {
            node_id: *node_id,
            short_channel_id: *scid,
            fee_msat,
            cltv_expiry_delta: delta,
        });
    }
    route_hops.reverse();
    Path { hops: route_hops }
}

/// A router over candidate hop lists: returns the first candidate none of whose channels is
/// excluded, with fees of the given policy, for the asked amount. Records the feedback.
pub struct ScriptedRouter {
    pub candidates: Vec<Vec<(PublicKey, ShortChannelId)>>,
    pub fee_base_msat: u64,
    pub fee_ppm: u64,
    pub cltv_delta: u32,
    pub failed: Vec<Option<ShortChannelId>>,
    pub succeeded: usize,
    pub calls: usize,
}

impl ScriptedRouter {
    pub fn new(
        candidates: Vec<Vec<(PublicKey, ShortChannelId)>>,
        policy: &lightning::manager::ForwardingPolicy,
    ) -> Self {
        ScriptedRouter {
            candidates,
            fee_base_msat: u64::from(policy.fee_base_msat),
            fee_ppm: u64::from(policy.fee_proportional_millionths),
            cltv_delta: u32::from(policy.cltv_expiry_delta),
            failed: Vec::new(),
            succeeded: 0,
            calls: 0,
        }
    }
}

impl lightning::routing::Router for ScriptedRouter {
    fn find_route(
        &mut self,
        _payer: &PublicKey,
        params: &lightning::routing::RouteParameters,
        _first_hops: &[lightning::routing::FirstHop],
        _in_flight: &lightning::routing::InFlightHtlcs,
        _now: Duration,
    ) -> Result<lightning::routing::Route, lightning::routing::FindRouteError> {
        self.calls += 1;
        let hops = self
            .candidates
            .iter()
            .find(|hops| {
                hops.iter()
                    .all(|(_, scid)| !params.excluded_channels.contains(scid))
            })
            .ok_or(lightning::routing::FindRouteError::NoRoute)?;
        Ok(lightning::routing::Route::single(path_with_fees(
            hops,
            params.final_value_msat,
            params.final_cltv_expiry_delta,
            self.fee_base_msat,
            self.fee_ppm,
            self.cltv_delta,
        )))
    }

    fn payment_path_failed(
        &mut self,
        _payer: &PublicKey,
        _path: &Path,
        failing_scid: Option<ShortChannelId>,
        _now: Duration,
    ) {
        self.failed.push(failing_scid);
    }

    fn payment_path_successful(&mut self, _payer: &PublicKey, _path: &Path, _now: Duration) {
        self.succeeded += 1;
    }
}
