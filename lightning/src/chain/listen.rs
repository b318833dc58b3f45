//! [`Listen`] and [`Confirm`]: the two ways chain data comes in, and [`ConfirmAsListen`], which
//! feeds a [`Confirm`] component from whole blocks.

use alloc::vec::Vec;

use bitcoin::block::Header;
use bitcoin::{Block, BlockHash, Transaction, Txid};

/// Receives whole blocks as they join or leave the best chain. Called by a caller whose chain
/// client sees full blocks (a full node, a BIP157 client that fetched the matching blocks).
///
/// Call contract:
/// - [`block_connected`](Self::block_connected) for every block that joins the best chain,
///   strictly in height order, each block's parent being the previously connected block (or the
///   component's stored [`BestBlock`](super::BestBlock) when resuming).
/// - On a reorg, first [`block_disconnected`](Self::block_disconnected) for every block that
///   leaves the best chain, tip first (heights descending), then `block_connected` for each
///   block of the new branch in height order.
/// - No block is skipped and none is given twice (a disconnected block may come back later,
///   connected again).
pub trait Listen {
    /// `block` joined the best chain at `height`, on top of the previously connected block.
    fn block_connected(&mut self, block: &Block, height: u32);

    /// The block with `header`, at `height`, left the best chain: it was the tip, and the tip
    /// is now its parent (`header.prev_blockhash`, at `height - 1`).
    fn block_disconnected(&mut self, header: &Header, height: u32);
}

/// Receives confirmed transactions and the best block separately, for a caller whose chain
/// client sees only the transactions it asked about (Electrum, Esplora) rather than whole
/// blocks.
///
/// Call contract, for every sync (e.g. each time the client sees a new tip):
/// 1. Call [`relevant_txids`](Self::relevant_txids). For every returned transaction that is no
///    longer confirmed in the given block (the block left the best chain, or the transaction is
///    no longer in it), call [`transaction_unconfirmed`](Self::transaction_unconfirmed). Do this
///    first, before any confirmation of the new branch.
/// 2. Call [`transactions_confirmed`](Self::transactions_confirmed) for every newly confirmed
///    transaction the component watches (through
///    [`ChainSource::watch_transaction`](super::ChainSource::watch_transaction) or
///    [`watch_output`](super::ChainSource::watch_output)), grouped by block, blocks in height
///    order, transactions within a block in block order. A transaction already reported
///    confirmed in the same block need not be given again (giving it again is harmless).
/// 3. Call [`best_block_updated`](Self::best_block_updated) with the header of the new tip.
///
/// Every block passed in steps 2 and 3 must be on the best chain at the time of the call.
pub trait Confirm {
    /// The transactions in `txdata` were confirmed in the block with `header` at `height`. Each
    /// entry is (index of the transaction in the block, transaction). `txdata` may hold only
    /// the transactions the component cares about, or the whole block.
    fn transactions_confirmed(
        &mut self,
        header: &Header,
        txdata: &[(usize, &Transaction)],
        height: u32,
    );

    /// The transaction `txid`, earlier reported confirmed, is no longer confirmed (its block
    /// left the best chain). It may be confirmed again later, in another block.
    fn transaction_unconfirmed(&mut self, txid: &Txid);

    /// The best chain's tip is now the block with `header` at `height`. Called after the
    /// confirmations of a sync; components count confirmations and timelocks from it.
    fn best_block_updated(&mut self, header: &Header, height: u32);

    /// The transactions whose confirmation the component relies on: (txid, height of the block
    /// it confirmed in, hash of that block when known). The caller checks these are still
    /// confirmed in that block, and un-confirms those that are not.
    fn relevant_txids(&self) -> Vec<(Txid, u32, Option<BlockHash>)>;
}

/// Feeds a [`Confirm`] component from whole blocks: a [`Listen`] wrapper, so components only
/// implement [`Confirm`] and still work with a full-block chain client.
///
/// - A connected block is passed to [`Confirm::transactions_confirmed`] with all its
///   transactions (no filtering), then to [`Confirm::best_block_updated`].
/// - A disconnected block un-confirms, through [`Confirm::transaction_unconfirmed`], each of
///   the component's [`relevant_txids`](Confirm::relevant_txids) that was confirmed in that
///   block (or, when the component did not record the block hash, at that height or above).
///   The component does not learn the lowered tip height until the next connected block,
///   because a [`Listen`] caller gives no header for the new tip; in a reorg that block comes
///   right after the disconnections.
///
/// ```
/// # use lightning::chain::{Confirm, ConfirmAsListen, Listen};
/// fn feed_block(component: &mut dyn Confirm, block: &lightning::bitcoin::Block, height: u32) {
///     ConfirmAsListen::new(component).block_connected(block, height);
/// }
/// ```
pub struct ConfirmAsListen<'a, C: Confirm + ?Sized> {
    inner: &'a mut C,
}

impl<'a, C: Confirm + ?Sized> ConfirmAsListen<'a, C> {
    /// Wraps `inner` for the duration of the calls.
    pub fn new(inner: &'a mut C) -> Self {
        ConfirmAsListen { inner }
    }
}

impl<C: Confirm + ?Sized> Listen for ConfirmAsListen<'_, C> {
    fn block_connected(&mut self, block: &Block, height: u32) {
        let txdata: Vec<(usize, &Transaction)> = block.txdata.iter().enumerate().collect();
        self.inner
            .transactions_confirmed(&block.header, &txdata, height);
        self.inner.best_block_updated(&block.header, height);
    }

    fn block_disconnected(&mut self, header: &Header, height: u32) {
        let block_hash = header.block_hash();
        for (txid, confirmed_height, confirmed_in) in self.inner.relevant_txids() {
            let was_in_block = match confirmed_in {
                Some(hash) => hash == block_hash,
                None => confirmed_height >= height,
            };
            if was_in_block {
                self.inner.transaction_unconfirmed(&txid);
            }
        }
    }
}
