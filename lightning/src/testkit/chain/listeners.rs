//! Replaying the chain's history to components: each registered listener remembers the last
//! block it saw, and a sync hands it the disconnections and connections since then.

use alloc::vec::Vec;
use core::fmt;

use bitcoin::block::Header;
use bitcoin::{BlockHash, Transaction};

use super::SimChain;
use crate::chain::{BestBlock, Confirm, Listen};

/// Names a component registered with [`SimChain::register_listener`]; the chain remembers per
/// id the last block that component saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListenerId(u32);

/// [`SimChain::register_listener`] was given a block the chain never mined (or with the wrong
/// height).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownBlock {
    /// The block that was given.
    pub best_block: BestBlock,
}

impl fmt::Display for UnknownBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "block {} at height {} was not mined by this chain",
            self.best_block.block_hash, self.best_block.height
        )
    }
}

impl core::error::Error for UnknownBlock {}

/// Why a sync did nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncError {
    /// The id was not returned by this chain's [`SimChain::register_listener`].
    UnknownListener(ListenerId),
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::UnknownListener(id) => write!(f, "listener {} is not registered", id.0),
        }
    }
}

impl core::error::Error for SyncError {}

/// What a sync told a component.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Blocks reported disconnected ([`Listen`]) or whose transactions were un-confirmed
    /// ([`Confirm`]): those the component saw that left the best chain.
    pub disconnected: u32,
    /// Blocks reported connected (or confirmed) on the best chain.
    pub connected: u32,
}

/// Which transactions a [`Confirm`] sync passes to
/// [`transactions_confirmed`](Confirm::transactions_confirmed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ConfirmFilter {
    /// Every transaction of every new block.
    AllTransactions,
    /// Only those matching a [`ChainSource`](crate::chain::ChainSource) watch request, skipping
    /// blocks without any (what an Electrum client does).
    WatchedOnly,
}

impl SimChain {
    /// Registers a component that has seen the chain up to `best_block` (e.g. the
    /// [`tip`](Self::tip) when it was created) and returns its id for the syncs.
    pub fn register_listener(&mut self, best_block: BestBlock) -> Result<ListenerId, UnknownBlock> {
        match self.known_headers.get(&best_block.block_hash) {
            Some((height, _)) if *height == best_block.height => {}
            _ => return Err(UnknownBlock { best_block }),
        }
        // Invariant: a test registers far fewer than 2^32 listeners.
        let id =
            ListenerId(u32::try_from(self.listeners.len()).expect("fewer than 2^32 listeners"));
        self.listeners.push(best_block.block_hash);
        Ok(id)
    }

    /// Registers a component that has seen the chain up to the current tip.
    pub fn register_listener_at_tip(&mut self) -> ListenerId {
        let tip = self.tip();
        // Invariant: the tip was mined by this chain.
        self.register_listener(tip)
            .expect("the tip is a known block")
    }

    /// The last block the listener `id` was synced to.
    pub fn listener_tip(&self, id: ListenerId) -> Option<BestBlock> {
        let hash = self.listeners.get(usize::try_from(id.0).ok()?)?;
        let (height, _) = self.known_headers.get(hash)?;
        Some(BestBlock::new(*hash, *height))
    }

    /// Brings the [`Listen`] component `id` up to the tip: first
    /// [`block_disconnected`](Listen::block_disconnected) for each block it saw that left the
    /// best chain (tip first), then [`block_connected`](Listen::block_connected) for each best
    /// chain block it has not seen (in height order).
    pub fn sync_listener(
        &mut self,
        id: ListenerId,
        listener: &mut dyn Listen,
    ) -> Result<SyncReport, SyncError> {
        let (fork_height, stale) = self.fork_point(id)?;
        for (header, height) in &stale {
            listener.block_disconnected(header, *height);
        }
        for height in fork_height + 1..=self.height() {
            if let Some(block) = self.block_at(height) {
                listener.block_connected(block, height);
            }
        }
        Ok(self.finish_sync(id, fork_height, stale.len()))
    }

    /// Brings the [`Confirm`] component `id` up to the tip, Electrum style and in the order
    /// [`Confirm`] documents: [`transaction_unconfirmed`](Confirm::transaction_unconfirmed) for
    /// each of its [`relevant_txids`](Confirm::relevant_txids) no longer confirmed where it
    /// says; [`transactions_confirmed`](Confirm::transactions_confirmed) with every transaction
    /// of each best-chain block it has not seen; then
    /// [`best_block_updated`](Confirm::best_block_updated) if the tip changed.
    pub fn sync_confirm(
        &mut self,
        id: ListenerId,
        confirm: &mut dyn Confirm,
    ) -> Result<SyncReport, SyncError> {
        self.sync_confirm_filtered(id, confirm, ConfirmFilter::AllTransactions)
    }

    /// Like [`sync_confirm`](Self::sync_confirm), but passes only transactions matching a watch
    /// request ([`is_watched`](Self::is_watched)) and skips blocks without any, as a filtering
    /// client would: a component that forgets to ask to watch something never hears of it.
    pub fn sync_confirm_watched(
        &mut self,
        id: ListenerId,
        confirm: &mut dyn Confirm,
    ) -> Result<SyncReport, SyncError> {
        self.sync_confirm_filtered(id, confirm, ConfirmFilter::WatchedOnly)
    }

    fn sync_confirm_filtered(
        &mut self,
        id: ListenerId,
        confirm: &mut dyn Confirm,
        filter: ConfirmFilter,
    ) -> Result<SyncReport, SyncError> {
        let (fork_height, stale) = self.fork_point(id)?;
        for (txid, height, block_hash) in confirm.relevant_txids() {
            let confirmed_there = self.tx_index.get(&txid).is_some_and(|(h, _)| *h == height)
                && block_hash.is_none_or(|hash| self.is_in_best_chain(&hash));
            if !confirmed_there {
                confirm.transaction_unconfirmed(&txid);
            }
        }
        for height in fork_height + 1..=self.height() {
            let Some(block) = self.block_at(height) else {
                break;
            };
            let txdata: Vec<(usize, &Transaction)> = block
                .txdata
                .iter()
                .enumerate()
                .filter(|(_, tx)| filter == ConfirmFilter::AllTransactions || self.is_watched(tx))
                .collect();
            if !txdata.is_empty() {
                confirm.transactions_confirmed(&block.header, &txdata, height);
            }
        }
        let tip = self.tip();
        if self.listeners.get(listener_index(id)) != Some(&tip.block_hash) {
            confirm.best_block_updated(&self.tip_block().header, tip.height);
        }
        Ok(self.finish_sync(id, fork_height, stale.len()))
    }

    /// For listener `id`: the height of the last block it saw that is still in the best chain,
    /// and the blocks it saw above that (now stale or disconnected), tip first.
    fn fork_point(&self, id: ListenerId) -> Result<(u32, Vec<(Header, u32)>), SyncError> {
        let mut hash: BlockHash = *self
            .listeners
            .get(listener_index(id))
            .ok_or(SyncError::UnknownListener(id))?;
        let mut stale = Vec::new();
        loop {
            // Invariant: listeners only hold hashes of blocks this chain mined, and every mined
            // block's ancestors are known back to genesis, which is always in the best chain.
            let (height, header) = *self.known_headers.get(&hash).expect("known block");
            if self.is_in_best_chain(&hash) {
                return Ok((height, stale));
            }
            stale.push((header, height));
            hash = header.prev_blockhash;
        }
    }

    /// Records that listener `id` is at the tip and says what the sync did.
    fn finish_sync(&mut self, id: ListenerId, fork_height: u32, stale: usize) -> SyncReport {
        let tip = self.tip();
        if let Some(seen) = self.listeners.get_mut(listener_index(id)) {
            *seen = tip.block_hash;
        }
        SyncReport {
            disconnected: u32::try_from(stale).unwrap_or(u32::MAX),
            connected: tip.height - fork_height,
        }
    }
}

/// The index of `id` in the listeners list.
fn listener_index(id: ListenerId) -> usize {
    // Invariant: usize is at least 32 bits on every target the simulator (std) runs on.
    usize::try_from(id.0).expect("u32 fits in usize")
}
