//! Chain input: [`Confirm`] for [`ChannelMonitor`] (and so [`Listen`](crate::chain::Listen)
//! through [`ConfirmAsListen`](crate::chain::ConfirmAsListen)).

use alloc::vec::Vec;

use bitcoin::block::Header;
use bitcoin::{BlockHash, Transaction, Txid};

use super::{ChannelMonitor, SeenTx};
use crate::chain::{BestBlock, Confirm};

impl ChannelMonitor {
    /// Whether `tx` spends an output the monitor watches.
    fn is_relevant(&self, tx: &Transaction) -> bool {
        tx.input.iter().any(|input| {
            self.resolution
                .tracked
                .iter()
                .any(|(outpoint, _)| *outpoint == input.previous_output)
        })
    }
}

impl Confirm for ChannelMonitor {
    fn transactions_confirmed(
        &mut self,
        header: &Header,
        txdata: &[(usize, &Transaction)],
        height: u32,
    ) {
        let block_hash = header.block_hash();
        for (_, tx) in txdata {
            if !self.is_relevant(tx) {
                continue;
            }
            let txid = tx.compute_txid();
            self.chain.seen.retain(|seen| seen.txid != txid);
            self.chain.seen.push(SeenTx {
                tx: (*tx).clone(),
                txid,
                height,
                block_hash,
            });
            // Later transactions of the block may spend what this one created.
            self.resolve();
        }
    }

    fn transaction_unconfirmed(&mut self, txid: &Txid) {
        let before = self.chain.seen.len();
        self.chain.seen.retain(|seen| seen.txid != *txid);
        if self.chain.seen.len() != before {
            self.resolve();
        }
    }

    fn best_block_updated(&mut self, header: &Header, height: u32) {
        self.chain.best = BestBlock::new(header.block_hash(), height);
        self.resolve();
    }

    fn relevant_txids(&self) -> Vec<(Txid, u32, Option<BlockHash>)> {
        self.chain
            .seen
            .iter()
            .map(|seen| (seen.txid, seen.height, Some(seen.block_hash)))
            .collect()
    }
}
