//! [`SimChain`]: a deterministic, in-memory regtest chain with a mempool, a UTXO set, reorgs and
//! replay of chain events to [`Listen`](crate::chain::Listen) and
//! [`Confirm`](crate::chain::Confirm) components.

mod block;
mod listeners;
mod mining;
mod source;

pub use listeners::{ListenerId, SyncError, SyncReport, UnknownBlock};
pub use mining::{MineOutcome, RejectReason, RejectedTransaction};
pub use source::DEFAULT_FEERATE_SAT_PER_KW;

use alloc::vec;
use alloc::vec::Vec;

use bitcoin::block::Header;
use bitcoin::blockdata::constants::genesis_block;
use bitcoin::{Amount, Block, BlockHash, Network, OutPoint, Script, Transaction};
use bitcoin::{TxOut, Txid};
use hashbrown::HashMap;

use crate::chain::BestBlock;

/// The seconds between the timestamps of two consecutively mined simulated blocks.
pub const BLOCK_INTERVAL_SECS: u32 = 600;

/// An unspent output with where it was created.
#[derive(Clone, Debug)]
struct UtxoEntry {
    txout: TxOut,
    /// Height of the block that created it.
    height: u32,
}

/// A deterministic simulated bitcoin chain (regtest), for tests and for users' tests.
///
/// It starts at the regtest genesis block. Blocks carry a coinbase (BIP 34 height, a BIP 141
/// witness commitment), a valid merkle root and a header that meets the regtest proof of work;
/// timestamps come from a counter ([`BLOCK_INTERVAL_SECS`] apart per mined block), so the same
/// sequence of calls always produces the same block hashes.
///
/// What it checks when mining (see [`mine_blocks`](Self::mine_blocks)): inputs exist and are
/// unspent, outputs do not exceed inputs, absolute locktimes (BIP 113) and relative locktimes
/// (BIP 68) are met. What it does **not** check: scripts and signatures, coinbase maturity,
/// block weight, fee minimums and the block subsidy. The first broadcast of conflicting
/// transactions wins (no replace-by-fee).
///
/// Call contract:
/// - Transactions enter the mempool by [`broadcast`](Self::broadcast) (or
///   [`ChainSource::broadcast_transactions`](crate::chain::ChainSource::broadcast_transactions)).
/// - [`mine_blocks`](Self::mine_blocks) confirms what it can and drops the rest from the mempool
///   with a reason; [`mine_empty_blocks`](Self::mine_empty_blocks) leaves the mempool alone.
/// - [`disconnect_blocks`](Self::disconnect_blocks) and [`reorg`](Self::reorg) rewind the chain;
///   the disconnected transactions go back to the front of the mempool.
/// - Components learn of all this only when the test calls
///   [`sync_listener`](Self::sync_listener) or [`sync_confirm`](Self::sync_confirm) for them,
///   after registering them with [`register_listener`](Self::register_listener).
#[derive(Clone, Debug)]
pub struct SimChain {
    /// The best chain; index = height.
    blocks: Vec<Block>,
    /// Per height, the outputs that block spent, to restore them on disconnection.
    undo: Vec<Vec<(OutPoint, UtxoEntry)>>,
    utxos: HashMap<OutPoint, UtxoEntry>,
    /// For every output spent in the best chain, the spending transaction.
    spent_by: HashMap<OutPoint, Txid>,
    /// Every transaction in the best chain: (height, index in its block).
    tx_index: HashMap<Txid, (u32, usize)>,
    /// Every block ever mined (best chain or stale): height and header.
    known_headers: HashMap<BlockHash, (u32, Header)>,
    /// Blocks that left the best chain, by hash.
    stale_blocks: HashMap<BlockHash, Block>,
    mempool: Vec<Transaction>,
    /// Blocks mined so far (including replaced ones): drives timestamps and extra nonces.
    blocks_mined: u32,
    listeners: Vec<BlockHash>,
    source: source::SourceState,
}

impl Default for SimChain {
    fn default() -> Self {
        Self::new()
    }
}

impl SimChain {
    /// A chain holding only the regtest genesis block, with an empty mempool and every fee rate
    /// at [`DEFAULT_FEERATE_SAT_PER_KW`].
    pub fn new() -> Self {
        let genesis = genesis_block(Network::Regtest);
        let mut known_headers = HashMap::new();
        known_headers.insert(genesis.block_hash(), (0, genesis.header));
        let mut tx_index = HashMap::new();
        // The genesis coinbase is indexed but, as in Bitcoin Core, its output is not spendable.
        tx_index.insert(genesis.txdata[0].compute_txid(), (0, 0));
        SimChain {
            blocks: vec![genesis],
            undo: vec![Vec::new()],
            utxos: HashMap::new(),
            spent_by: HashMap::new(),
            tx_index,
            known_headers,
            stale_blocks: HashMap::new(),
            mempool: Vec::new(),
            blocks_mined: 0,
            listeners: Vec::new(),
            source: source::SourceState::default(),
        }
    }

    /// The network the chain simulates: always [`Network::Regtest`].
    pub fn network(&self) -> Network {
        Network::Regtest
    }

    /// The tip of the best chain.
    pub fn tip(&self) -> BestBlock {
        BestBlock::new(self.tip_block().block_hash(), self.height())
    }

    /// The height of the tip (0 when only genesis exists).
    pub fn height(&self) -> u32 {
        // Invariant: blocks is never empty (genesis is never disconnected) and the simulator
        // cannot reach 2^32 blocks in memory.
        u32::try_from(self.blocks.len() - 1).expect("chain height fits in u32")
    }

    /// The tip block.
    pub fn tip_block(&self) -> &Block {
        // Invariant: genesis is never disconnected.
        self.blocks.last().expect("chain holds genesis")
    }

    /// The block of the best chain at `height`, if the chain is that long.
    pub fn block_at(&self, height: u32) -> Option<&Block> {
        self.blocks.get(usize::try_from(height).ok()?)
    }

    /// The block with `hash`, in the best chain or stale (left it in a reorg), with its height.
    pub fn block_by_hash(&self, hash: &BlockHash) -> Option<(u32, &Block)> {
        let (height, _) = self.known_headers.get(hash)?;
        if let Some(block) = self.block_at(*height).filter(|b| b.block_hash() == *hash) {
            return Some((*height, block));
        }
        self.stale_blocks.get(hash).map(|block| (*height, block))
    }

    /// Whether the block with `hash` is in the best chain.
    pub fn is_in_best_chain(&self, hash: &BlockHash) -> bool {
        match self.known_headers.get(hash) {
            Some((height, _)) => self
                .block_at(*height)
                .is_some_and(|b| b.block_hash() == *hash),
            None => false,
        }
    }

    /// The unspent output at `outpoint` in the best chain (mempool transactions not counted).
    pub fn utxo(&self, outpoint: &OutPoint) -> Option<&TxOut> {
        self.utxos.get(outpoint).map(|entry| &entry.txout)
    }

    /// Every unspent output of the best chain paying `script_pubkey`, sorted by outpoint.
    pub fn outputs_paying(&self, script_pubkey: &Script) -> Vec<(OutPoint, TxOut)> {
        let mut found: Vec<(OutPoint, TxOut)> = self
            .utxos
            .iter()
            .filter(|(_, entry)| entry.txout.script_pubkey.as_script() == script_pubkey)
            .map(|(outpoint, entry)| (*outpoint, entry.txout.clone()))
            .collect();
        found.sort_by_key(|(outpoint, _)| *outpoint);
        found
    }

    /// The sum of [`outputs_paying`](Self::outputs_paying) `script_pubkey`.
    pub fn balance_of(&self, script_pubkey: &Script) -> Amount {
        self.outputs_paying(script_pubkey)
            .iter()
            .map(|(_, txout)| txout.value)
            .sum()
    }

    /// How many confirmations `txid` has in the best chain (1 when in the tip block), or `None`
    /// when it is not confirmed.
    pub fn tx_confirmations(&self, txid: &Txid) -> Option<u32> {
        let (height, _) = self.tx_index.get(txid)?;
        Some(self.height() - height + 1)
    }

    /// The confirmed transaction `txid` with the height of its block.
    pub fn confirmed_transaction(&self, txid: &Txid) -> Option<(u32, &Transaction)> {
        let (height, index) = self.tx_index.get(txid)?;
        let tx = self.block_at(*height)?.txdata.get(*index)?;
        Some((*height, tx))
    }

    /// The transaction of the best chain that spent `outpoint`, if any.
    pub fn spending_txid(&self, outpoint: &OutPoint) -> Option<Txid> {
        self.spent_by.get(outpoint).copied()
    }

    /// Mines one block whose coinbase pays `amount` to `script_pubkey`, and returns that output.
    /// The block holds no mempool transaction. Coinbase maturity (100 blocks) is not enforced
    /// by the simulator, so the output can be spent in the next block. If a reorg disconnects
    /// the block, the output disappears (as a real coinbase output would).
    pub fn fund_address(&mut self, script_pubkey: &Script, amount: Amount) -> OutPoint {
        let payout = TxOut {
            value: amount,
            script_pubkey: script_pubkey.to_owned(),
        };
        self.mine_block_with(vec![payout], &[]);
        OutPoint {
            txid: self.tip_block().txdata[0].compute_txid(),
            vout: 0,
        }
    }

    /// Adds `block` on top of the tip: spends its inputs, adds its outputs, indexes it.
    fn connect_block(&mut self, block: Block) {
        let height = self.height() + 1;
        let block_hash = block.block_hash();
        let mut spent = Vec::new();
        for (index, tx) in block.txdata.iter().enumerate() {
            let txid = tx.compute_txid();
            if !tx.is_coinbase() {
                for input in &tx.input {
                    if let Some(entry) = self.utxos.remove(&input.previous_output) {
                        spent.push((input.previous_output, entry));
                    }
                    self.spent_by.insert(input.previous_output, txid);
                }
            }
            for (vout, txout) in tx.output.iter().enumerate() {
                // As in Bitcoin Core, provably unspendable outputs never enter the UTXO set.
                if txout.script_pubkey.is_op_return() {
                    continue;
                }
                // Invariant: a transaction in memory has far fewer than 2^32 outputs.
                let vout = u32::try_from(vout).expect("output index fits in u32");
                let entry = UtxoEntry {
                    txout: txout.clone(),
                    height,
                };
                self.utxos.insert(OutPoint { txid, vout }, entry);
            }
            self.tx_index.insert(txid, (height, index));
        }
        self.known_headers
            .insert(block_hash, (height, block.header));
        self.stale_blocks.remove(&block_hash);
        self.blocks.push(block);
        self.undo.push(spent);
    }

    /// Removes the tip block (never genesis) and undoes its effects; returns it.
    fn disconnect_tip(&mut self) -> Option<Block> {
        if self.blocks.len() <= 1 {
            return None;
        }
        let block = self.blocks.pop()?;
        let spent = self.undo.pop().unwrap_or_default();
        for tx in block.txdata.iter().rev() {
            let txid = tx.compute_txid();
            for vout in 0..tx.output.len() {
                // Invariant: a transaction in memory has far fewer than 2^32 outputs.
                let vout = u32::try_from(vout).expect("output index fits in u32");
                self.utxos.remove(&OutPoint { txid, vout });
            }
            if !tx.is_coinbase() {
                for input in &tx.input {
                    self.spent_by.remove(&input.previous_output);
                }
            }
            self.tx_index.remove(&txid);
        }
        for (outpoint, entry) in spent {
            self.utxos.insert(outpoint, entry);
        }
        self.stale_blocks.insert(block.block_hash(), block.clone());
        Some(block)
    }

    /// The header of the block at `height` in the best chain.
    fn header_at(&self, height: u32) -> Option<&Header> {
        self.block_at(height).map(|b| &b.header)
    }
}
