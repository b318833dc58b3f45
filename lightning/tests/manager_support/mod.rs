//! Shared helpers of the manager tests: two nodes, a message loop, a chain of headers.
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
use lightning::manager::{
    our_init_features, ChannelManager, Event, ManagerConfig, ManagerParams, PaymentId,
    RecipientOnionFields,
};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::EntropySource;
use lightning::util::logger::NoopLogger;
use lightning::wire::{ChainHash, ChannelId, Init, PaymentPreimage};
use secp256k1::PublicKey;

pub const START: Duration = Duration::from_secs(1_700_000_000);
pub const FUNDING_SATS: u64 = 1_000_000;

/// Deterministic entropy: SHA256(seed || counter).
pub struct TestEntropy {
    pub seed: u8,
    pub counter: u64,
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

pub fn node(seed: u8) -> Node {
    node_with(seed, ManagerConfig::default())
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

/// Moves messages between the two nodes and completes monitor updates at once, until quiet.
pub fn deliver(nodes: &mut [Node; 2]) {
    for _ in 0..1000 {
        let mut progressed = false;
        for from in 0..2 {
            let to = 1 - from;
            while let Some(update) = nodes[from].manager.poll_monitor_update() {
                nodes[from]
                    .manager
                    .monitor_update_completed(update.channel_id, update.update_id);
                progressed = true;
            }
            while let Some((peer, message)) = nodes[from].manager.poll_message() {
                assert_eq!(peer, nodes[to].id);
                let sender = nodes[from].id;
                nodes[to]
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

pub fn events(node: &mut Node) -> Vec<Event> {
    std::iter::from_fn(|| node.manager.next_event()).collect()
}

/// A chain of headers both nodes see.
pub struct Chain {
    pub tip: BlockHash,
    pub height: u32,
}

impl Chain {
    pub fn header(&mut self) -> Header {
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

    pub fn mine(&mut self, nodes: &mut [Node; 2], txs: &[&Transaction]) {
        let header = self.header();
        let txdata: Vec<(usize, &Transaction)> =
            txs.iter().enumerate().map(|(i, tx)| (i + 1, *tx)).collect();
        for node in nodes.iter_mut() {
            node.manager
                .transactions_confirmed(&header, &txdata, self.height);
            node.manager.best_block_updated(&header, self.height);
        }
        deliver(nodes);
    }
}

pub fn connect(nodes: &mut [Node; 2]) {
    let init = Init {
        features: our_init_features(),
        ..Default::default()
    };
    let (a, b) = (nodes[0].id, nodes[1].id);
    nodes[0].manager.peer_connected(b, &init);
    nodes[1].manager.peer_connected(a, &init);
}

pub fn funding_tx(output_script: ScriptBuf) -> Transaction {
    Transaction {
        version: Version::TWO,
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint::new(Txid::from_byte_array([9; 32]), 0),
            script_sig: ScriptBuf::new(),
            sequence: Sequence::MAX,
            witness: Witness::from_slice(&[vec![1u8; 72], vec![2u8; 33]]),
        }],
        output: vec![
            TxOut {
                value: Amount::from_sat(50_000),
                script_pubkey: ScriptBuf::new_op_return([1u8; 4]),
            },
            TxOut {
                value: Amount::from_sat(FUNDING_SATS),
                script_pubkey: output_script,
            },
        ],
    }
}

/// Opens, funds and confirms a channel from node 0 to node 1; returns its id.
pub fn open_channel(nodes: &mut [Node; 2], chain: &mut Chain) -> ChannelId {
    connect(nodes);
    let b = nodes[1].id;
    let temporary = nodes[0]
        .manager
        .open_channel(b, FUNDING_SATS, 0, 42, None)
        .expect("open");
    deliver(nodes);
    let ready = events(&mut nodes[0]);
    let [Event::FundingGenerationReady {
        temporary_channel_id,
        output_script,
        channel_value_satoshis,
        user_channel_id,
        ..
    }] = ready.as_slice()
    else {
        panic!("expected FundingGenerationReady, got {ready:?}");
    };
    assert_eq!(*temporary_channel_id, temporary);
    assert_eq!(*channel_value_satoshis, FUNDING_SATS);
    assert_eq!(*user_channel_id, 42);
    let tx = funding_tx(output_script.clone());
    nodes[0]
        .manager
        .funding_transaction_generated(temporary, b, tx.clone())
        .expect("funding");
    deliver(nodes);
    assert_eq!(nodes[0].manager.poll_broadcast(), Some(tx.clone()));
    let expected_id = ChannelId::from_funding_outpoint(tx.compute_txid().to_byte_array(), 1);
    for node in nodes.iter_mut() {
        let pending = events(node);
        assert!(
            matches!(pending.as_slice(), [Event::ChannelPending { channel_id, funding_txo, .. }]
                if *channel_id == expected_id && funding_txo.txid == tx.compute_txid()),
            "{pending:?}"
        );
    }
    chain.mine(nodes, &[&tx]);
    chain.mine(nodes, &[]);
    for node in nodes.iter_mut() {
        assert!(
            events(node).is_empty(),
            "not ready before the minimum depth"
        );
    }
    chain.mine(nodes, &[]);
    for node in nodes.iter_mut() {
        let ready = events(node);
        assert!(
            matches!(ready.as_slice(), [Event::ChannelReady { channel_id, .. }] if *channel_id == expected_id),
            "{ready:?}"
        );
    }
    let details = nodes[0].manager.list_channels();
    assert_eq!(details.len(), 1);
    assert!(details[0].is_usable);
    assert!(details[0].short_channel_id.is_some());
    assert_eq!(details[0].balance_msat, FUNDING_SATS * 1000);
    expected_id
}

pub fn setup() -> ([Node; 2], Chain, ChannelId) {
    let mut nodes = [node(1), node(2)];
    let mut chain = Chain {
        tip: BestBlock::from_network_genesis(Network::Regtest).block_hash,
        height: 0,
    };
    let channel_id = open_channel(&mut nodes, &mut chain);
    (nodes, chain, channel_id)
}

/// Pays `amount_msat` from `from` to the other node; returns the preimage.
pub fn pay(
    nodes: &mut [Node; 2],
    from: usize,
    amount_msat: u64,
    payment_id: PaymentId,
) -> PaymentPreimage {
    let to = 1 - from;
    let (hash, secret) = nodes[to]
        .manager
        .create_inbound_payment(Some(amount_msat), 3600, START);
    let recipient = nodes[to].id;
    nodes[from]
        .manager
        .send_payment_to_peer(
            recipient,
            amount_msat,
            40,
            hash,
            RecipientOnionFields::secret_only(secret),
            payment_id,
        )
        .expect("send");
    deliver(nodes);
    let claimable = events(&mut nodes[to]);
    let [Event::PaymentClaimable {
        payment_hash,
        amount_msat: received,
        payment_preimage: Some(preimage),
        payment_secret,
        ..
    }] = claimable.as_slice()
    else {
        panic!("expected PaymentClaimable, got {claimable:?}");
    };
    assert_eq!(*payment_hash, hash);
    assert_eq!(*received, amount_msat);
    assert_eq!(*payment_secret, secret);
    let preimage = *preimage;
    nodes[to].manager.claim_funds(preimage).expect("claim");
    deliver(nodes);
    assert_eq!(
        events(&mut nodes[to]),
        vec![Event::PaymentClaimed {
            payment_hash: hash,
            amount_msat
        }]
    );
    assert_eq!(
        events(&mut nodes[from]),
        vec![Event::PaymentSent {
            payment_id,
            payment_hash: hash,
            payment_preimage: preimage,
            fee_paid_msat: Some(0),
        }]
    );
    preimage
}
