//! The interfaces with the caller's chain data: blocks or confirmed transactions in, what to
//! watch and what to broadcast out.
//!
//! The library never fetches chain data itself. The caller runs whatever chain client it has
//! (a full node, BIP157 compact filters, Electrum, Esplora) and feeds what it learns in:
//!
//! - A caller that sees **whole blocks** (full node, BIP157) calls [`Listen`] on each component:
//!   [`Listen::block_connected`] for every block that joins the best chain, in height order, and
//!   [`Listen::block_disconnected`] for every block that leaves it in a reorg, tip first.
//! - A caller that sees **only relevant transactions** (Electrum, Esplora) calls [`Confirm`], in
//!   the order documented there: un-confirmations first, then confirmations in chain order, then
//!   the new best block.
//!
//! Components implement [`Confirm`] only; [`ConfirmAsListen`] turns any of them into a
//! [`Listen`] for callers that have blocks.
//!
//! In the other direction, components tell the caller what they need through [`ChainSource`],
//! which the caller implements: which transactions and outputs to watch (so a filtering client
//! knows what to fetch), which transactions to broadcast, and what fee rate to pay for a given
//! [`ConfirmationTarget`].

mod listen;
mod source;

pub use listen::{Confirm, ConfirmAsListen, Listen};
pub use source::{ChainSource, ConfirmationTarget, FEERATE_FLOOR_SATS_PER_KW};

use bitcoin::BlockHash;

/// The tip of the best chain as a component last saw it: the hash and height of the block.
///
/// Components store one so that, after a restart, the caller knows from which block to resume
/// feeding chain data (and which blocks to disconnect first if the chain reorganised meanwhile).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BestBlock {
    /// The hash of the tip block.
    pub block_hash: BlockHash,
    /// The height of the tip block (the genesis block is at height 0).
    pub height: u32,
}

impl BestBlock {
    /// A best block from its hash and height.
    pub fn new(block_hash: BlockHash, height: u32) -> Self {
        BestBlock { block_hash, height }
    }

    /// The genesis block of `network`, for a component that starts before any block was seen.
    pub fn from_network_genesis(network: bitcoin::Network) -> Self {
        let genesis = bitcoin::blockdata::constants::genesis_block(network);
        BestBlock {
            block_hash: genesis.block_hash(),
            height: 0,
        }
    }
}
