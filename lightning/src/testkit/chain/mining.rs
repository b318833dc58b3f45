//! The mempool, mining, and rewinding the chain.

use alloc::vec::Vec;
use core::fmt;

use bitcoin::blockdata::constants::genesis_block;
use bitcoin::{Amount, BlockHash, Network, OutPoint, Transaction, TxOut, Txid};
use hashbrown::{HashMap, HashSet};

use super::block::{build_block, median_time_past, BlockTemplate};
use super::{SimChain, BLOCK_INTERVAL_SECS};

/// nLockTime values below this are block heights, at or above it Unix times.
const LOCKTIME_THRESHOLD: u32 = 500_000_000;
/// BIP 68: an input's sequence with this bit set has no relative lock time.
const SEQUENCE_DISABLE_FLAG: u32 = 1 << 31;
/// BIP 68: an input's sequence with this bit set counts 512-second units instead of blocks.
const SEQUENCE_TYPE_FLAG: u32 = 1 << 22;
/// BIP 68: the bits of an input's sequence that hold the relative lock value.
const SEQUENCE_VALUE_MASK: u32 = 0xffff;
/// BIP 68: time-based relative locks count units of 2^9 = 512 seconds.
const SEQUENCE_TIME_GRANULARITY_SHIFT: u32 = 9;

/// Why [`SimChain::mine_blocks`] dropped a transaction from the mempool instead of mining it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RejectReason {
    /// The transaction is a coinbase or has no inputs or no outputs.
    Malformed,
    /// The transaction is already confirmed in the best chain.
    AlreadyConfirmed,
    /// The transaction spends the same output twice.
    DuplicateInput {
        /// The output spent twice.
        outpoint: OutPoint,
    },
    /// An input refers to an output nobody created (in the best chain or earlier in the block).
    MissingInput {
        /// The unknown output.
        outpoint: OutPoint,
    },
    /// An input's output was already spent, in the best chain or earlier in the block.
    DoubleSpend {
        /// The output spent twice.
        outpoint: OutPoint,
        /// The transaction that spent it first.
        spent_by: Txid,
    },
    /// The outputs pay more than the inputs hold.
    OutputsExceedInputs {
        /// What the inputs hold.
        inputs: Amount,
        /// What the outputs pay.
        outputs: Amount,
    },
    /// The absolute lock time (nLockTime, BIP 113) is not reached by the block being mined.
    NonFinal {
        /// The transaction's nLockTime.
        lock_time: u32,
    },
    /// An input's relative lock time (BIP 68) is not reached by the block being mined.
    RelativeLockTimeNotMet {
        /// The index of the input.
        input: usize,
    },
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::Malformed => f.write_str("coinbase, or no inputs or no outputs"),
            RejectReason::AlreadyConfirmed => f.write_str("already confirmed"),
            RejectReason::DuplicateInput { outpoint } => write!(f, "spends {outpoint} twice"),
            RejectReason::MissingInput { outpoint } => write!(f, "input {outpoint} is unknown"),
            RejectReason::DoubleSpend { outpoint, spent_by } => {
                write!(f, "input {outpoint} already spent by {spent_by}")
            }
            RejectReason::OutputsExceedInputs { inputs, outputs } => {
                write!(f, "outputs pay {outputs} but inputs hold {inputs}")
            }
            RejectReason::NonFinal { lock_time } => write!(f, "lock time {lock_time} not reached"),
            RejectReason::RelativeLockTimeNotMet { input } => {
                write!(f, "relative lock time of input {input} not reached")
            }
        }
    }
}

impl core::error::Error for RejectReason {}

/// A transaction [`SimChain::mine_blocks`] dropped from the mempool, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedTransaction {
    /// The dropped transaction.
    pub tx: Transaction,
    /// Why it could not be mined.
    pub reason: RejectReason,
}

/// What [`SimChain::mine_blocks`] or [`SimChain::reorg`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MineOutcome {
    /// The hashes of the mined blocks, lowest first.
    pub blocks: Vec<BlockHash>,
    /// The mempool transactions that were mined, in block order.
    pub confirmed: Vec<Txid>,
    /// The mempool transactions that could not be mined and were dropped.
    pub rejected: Vec<RejectedTransaction>,
}

impl MineOutcome {
    /// Whether `txid` was rejected.
    pub fn was_rejected(&self, txid: &Txid) -> bool {
        self.rejected.iter().any(|r| r.tx.compute_txid() == *txid)
    }
}

/// The in-block view a candidate transaction is checked against.
#[derive(Default)]
struct BlockInProgress {
    height: u32,
    /// Median time past of the parent block (BIP 113).
    parent_mtp: u32,
    /// Outputs created by transactions already selected for the block.
    created: HashMap<OutPoint, TxOut>,
    /// Outputs spent by transactions already selected for the block.
    spent: HashMap<OutPoint, Txid>,
    selected: Vec<Transaction>,
    selected_txids: HashSet<Txid>,
}

impl SimChain {
    /// Adds `tx` to the mempool. Returns `false` (and changes nothing) when it is already in the
    /// mempool or confirmed. Nothing is checked until mining.
    pub fn broadcast(&mut self, tx: Transaction) -> bool {
        let txid = tx.compute_txid();
        self.record_broadcast(&tx);
        if self.tx_index.contains_key(&txid) || self.mempool_contains(&txid) {
            return false;
        }
        self.mempool.push(tx);
        true
    }

    /// The transactions waiting to be mined, in the order they will be considered.
    pub fn mempool(&self) -> &[Transaction] {
        &self.mempool
    }

    /// Whether `txid` waits in the mempool.
    pub fn mempool_contains(&self, txid: &Txid) -> bool {
        self.mempool.iter().any(|tx| tx.compute_txid() == *txid)
    }

    /// Removes `txid` from the mempool (as if miners never saw it); returns it if it was there.
    pub fn remove_from_mempool(&mut self, txid: &Txid) -> Option<Transaction> {
        let position = self
            .mempool
            .iter()
            .position(|tx| tx.compute_txid() == *txid)?;
        Some(self.mempool.remove(position))
    }

    /// Mines `count` blocks. Each takes every mempool transaction it can, in mempool order
    /// (a transaction may spend outputs of one earlier in the same block); whatever cannot be
    /// mined is dropped from the mempool and reported in [`MineOutcome::rejected`], as a node
    /// would refuse it. After the first block the mempool is therefore empty unless it is
    /// refilled in between.
    pub fn mine_blocks(&mut self, count: u32) -> MineOutcome {
        let mut outcome = MineOutcome::default();
        for _ in 0..count {
            let (selected, rejected) = self.select_mempool_transactions();
            outcome
                .confirmed
                .extend(selected.iter().map(Transaction::compute_txid));
            outcome.rejected.extend(rejected);
            outcome
                .blocks
                .push(self.mine_block_with(Vec::new(), &selected));
        }
        outcome
    }

    /// Mines `count` blocks holding only their coinbase; the mempool is left as it is (as if
    /// miners ignored it). Returns the blocks' hashes, lowest first.
    pub fn mine_empty_blocks(&mut self, count: u32) -> Vec<BlockHash> {
        (0..count)
            .map(|_| self.mine_block_with(Vec::new(), &[]))
            .collect()
    }

    /// Disconnects the last `depth` blocks (never genesis: at most down to height 0) and returns
    /// their hashes, tip first. Their transactions (coinbases excepted) go back to the front of
    /// the mempool, oldest block first, ahead of what was waiting there; a transaction that no
    /// longer fits (its inputs came from a disconnected coinbase, or a mempool transaction
    /// conflicts with it) is rejected at the next [`mine_blocks`](Self::mine_blocks).
    pub fn disconnect_blocks(&mut self, depth: u32) -> Vec<BlockHash> {
        let mut disconnected = Vec::new();
        for _ in 0..depth {
            match self.disconnect_tip() {
                Some(block) => disconnected.push(block),
                None => break,
            }
        }
        let mut returned: Vec<Transaction> = disconnected
            .iter()
            .rev()
            .flat_map(|block| block.txdata.iter().skip(1).cloned())
            .collect();
        let returned_txids: HashSet<Txid> = returned.iter().map(|tx| tx.compute_txid()).collect();
        let waiting = core::mem::take(&mut self.mempool);
        returned.extend(
            waiting
                .into_iter()
                .filter(|tx| !returned_txids.contains(&tx.compute_txid())),
        );
        self.mempool = returned;
        disconnected
            .iter()
            .map(|block| block.block_hash())
            .collect()
    }

    /// A reorg: [`disconnect_blocks`](Self::disconnect_blocks)`(depth)` then
    /// [`mine_blocks`](Self::mine_blocks)`(new_blocks)`, so the disconnected transactions are
    /// normally mined again in the first replacement block. Use `disconnect_blocks` with
    /// [`mine_empty_blocks`](Self::mine_empty_blocks) or
    /// [`remove_from_mempool`](Self::remove_from_mempool) for a branch without them.
    pub fn reorg(&mut self, depth: u32, new_blocks: u32) -> MineOutcome {
        self.disconnect_blocks(depth);
        self.mine_blocks(new_blocks)
    }

    /// Mines one block with `coinbase_outputs` (besides the witness commitment) and exactly
    /// `transactions`, which the caller has checked; returns its hash.
    pub(super) fn mine_block_with(
        &mut self,
        coinbase_outputs: Vec<TxOut>,
        transactions: &[Transaction],
    ) -> BlockHash {
        self.blocks_mined = self.blocks_mined.saturating_add(1);
        let genesis_time = genesis_block(Network::Regtest).header.time;
        let time =
            genesis_time.saturating_add(BLOCK_INTERVAL_SECS.saturating_mul(self.blocks_mined));
        let block = build_block(BlockTemplate {
            prev_blockhash: self.tip_block().block_hash(),
            height: self.height() + 1,
            time,
            bits: self.tip_block().header.bits,
            extra_nonce: self.blocks_mined,
            coinbase_outputs,
            transactions,
        });
        let hash = block.block_hash();
        self.connect_block(block);
        hash
    }

    /// Takes the mempool apart: the transactions the next block can hold, in order, and the
    /// rejected rest. Passes repeat so a child broadcast before its parent is still mined.
    fn select_mempool_transactions(&mut self) -> (Vec<Transaction>, Vec<RejectedTransaction>) {
        let mut block = BlockInProgress {
            height: self.height() + 1,
            parent_mtp: self.median_time_past_at(self.height()),
            ..BlockInProgress::default()
        };
        let mut pending: Vec<(Transaction, RejectReason)> = core::mem::take(&mut self.mempool)
            .into_iter()
            .map(|tx| (tx, RejectReason::Malformed))
            .collect();
        loop {
            let mut progress = false;
            let mut still_pending = Vec::new();
            for (tx, _) in pending {
                match self.check_transaction(&tx, &block) {
                    Ok(()) => {
                        add_to_block(&mut block, tx);
                        progress = true;
                    }
                    Err(reason) => still_pending.push((tx, reason)),
                }
            }
            pending = still_pending;
            if !progress || pending.is_empty() {
                break;
            }
        }
        let rejected = pending
            .into_iter()
            .map(|(tx, reason)| RejectedTransaction { tx, reason })
            .collect();
        (block.selected, rejected)
    }

    /// Whether `tx` can go into `block` now.
    fn check_transaction(
        &self,
        tx: &Transaction,
        block: &BlockInProgress,
    ) -> Result<(), RejectReason> {
        if tx.is_coinbase() || tx.input.is_empty() || tx.output.is_empty() {
            return Err(RejectReason::Malformed);
        }
        let txid = tx.compute_txid();
        if self.tx_index.contains_key(&txid) || block.selected_txids.contains(&txid) {
            return Err(RejectReason::AlreadyConfirmed);
        }
        let mut seen = HashSet::new();
        let mut input_total = Amount::ZERO;
        for (index, input) in tx.input.iter().enumerate() {
            let outpoint = input.previous_output;
            if !seen.insert(outpoint) {
                return Err(RejectReason::DuplicateInput { outpoint });
            }
            let (value, coin_height) = self.find_spendable(&outpoint, block)?;
            input_total = input_total.checked_add(value).unwrap_or(Amount::MAX);
            self.check_relative_lock(tx, index, coin_height, block)?;
        }
        let output_total = tx
            .output
            .iter()
            .try_fold(Amount::ZERO, |sum, out| sum.checked_add(out.value))
            .unwrap_or(Amount::MAX);
        if output_total > input_total {
            return Err(RejectReason::OutputsExceedInputs {
                inputs: input_total,
                outputs: output_total,
            });
        }
        check_final(tx, block)
    }

    /// The value and creation height of the unspent output `outpoint`, seen from `block`.
    fn find_spendable(
        &self,
        outpoint: &OutPoint,
        block: &BlockInProgress,
    ) -> Result<(Amount, u32), RejectReason> {
        if let Some(spent_by) = block.spent.get(outpoint).or(self.spent_by.get(outpoint)) {
            return Err(RejectReason::DoubleSpend {
                outpoint: *outpoint,
                spent_by: *spent_by,
            });
        }
        if let Some(txout) = block.created.get(outpoint) {
            return Ok((txout.value, block.height));
        }
        match self.utxos.get(outpoint) {
            Some(entry) => Ok((entry.txout.value, entry.height)),
            None => Err(RejectReason::MissingInput {
                outpoint: *outpoint,
            }),
        }
    }

    /// BIP 68: input `index` of `tx`, spending an output created at `coin_height`.
    fn check_relative_lock(
        &self,
        tx: &Transaction,
        index: usize,
        coin_height: u32,
        block: &BlockInProgress,
    ) -> Result<(), RejectReason> {
        let sequence = tx.input[index].sequence.0;
        if tx.version.0 < 2 || sequence & SEQUENCE_DISABLE_FLAG != 0 {
            return Ok(());
        }
        let value = sequence & SEQUENCE_VALUE_MASK;
        let met = if sequence & SEQUENCE_TYPE_FLAG != 0 {
            let required_secs = value << SEQUENCE_TIME_GRANULARITY_SHIFT;
            let coin_mtp = if coin_height >= block.height {
                block.parent_mtp
            } else {
                self.median_time_past_at(coin_height.saturating_sub(1))
            };
            coin_mtp.saturating_add(required_secs) <= block.parent_mtp
        } else {
            coin_height.saturating_add(value) <= block.height
        };
        if met {
            Ok(())
        } else {
            Err(RejectReason::RelativeLockTimeNotMet { input: index })
        }
    }

    /// BIP 113 median time past of the best-chain block at `height`.
    pub(super) fn median_time_past_at(&self, height: u32) -> u32 {
        median_time_past((0..=height).rev().filter_map(|h| self.header_at(h)))
    }
}

/// Whether `tx`'s absolute lock time lets it into `block`.
fn check_final(tx: &Transaction, block: &BlockInProgress) -> Result<(), RejectReason> {
    let lock_time = tx.lock_time.to_consensus_u32();
    if lock_time == 0 || tx.input.iter().all(|input| input.sequence.0 == u32::MAX) {
        return Ok(());
    }
    let reached = if lock_time < LOCKTIME_THRESHOLD {
        lock_time < block.height
    } else {
        lock_time < block.parent_mtp
    };
    if reached {
        Ok(())
    } else {
        Err(RejectReason::NonFinal { lock_time })
    }
}

/// Selects `tx` for `block`: its inputs become spent, its outputs available.
fn add_to_block(block: &mut BlockInProgress, tx: Transaction) {
    let txid = tx.compute_txid();
    for input in &tx.input {
        block.created.remove(&input.previous_output);
        block.spent.insert(input.previous_output, txid);
    }
    for (vout, txout) in tx.output.iter().enumerate() {
        // Invariant: a transaction in memory has far fewer than 2^32 outputs.
        let vout = u32::try_from(vout).expect("output index fits in u32");
        block.created.insert(OutPoint { txid, vout }, txout.clone());
    }
    block.selected_txids.insert(txid);
    block.selected.push(tx);
}
