//! Chain input: the manager as a [`Confirm`] component (use
//! [`ConfirmAsListen`](crate::chain::ConfirmAsListen) to feed it whole blocks).
//!
//! The manager watches the funding transactions of its channels: when one confirms it tells
//! the channel its depth and short channel id (`channel_ready` goes out at the minimum
//! depth), and a reorg that unconfirms it sets the depth back to 0. Block header times move
//! the manager's clock forward (for invoice expiry).

use alloc::vec::Vec;
use core::time::Duration;

use bitcoin::block::Header;
use bitcoin::{BlockHash, Transaction, Txid};

use crate::chain::{BestBlock, Confirm};
use crate::wire::{ChannelId, ShortChannelId};

use super::ChannelManager;

impl ChannelManager {
    /// Tells one channel its funding depth at the current tip.
    fn update_funding_depth(&mut self, channel_id: ChannelId) {
        let height = self.best_block.height;
        let Some(entry) = self.channels.get_mut(&channel_id) else {
            return;
        };
        let result = match entry.funding_confirmation {
            Some((confirmed_at, _, scid)) => {
                let depth = height.saturating_sub(confirmed_at).saturating_add(1);
                entry.channel.funding_depth(depth, scid)
            }
            None => return,
        };
        self.handle_channel_result(channel_id, result);
        self.drain_channel(channel_id);
        self.advance_announcement(channel_id);
    }

    fn funding_txid(&self, channel_id: &ChannelId) -> Option<Txid> {
        self.channels
            .get(channel_id)?
            .channel
            .funding_outpoint()
            .map(|outpoint| outpoint.txid)
    }
}

impl Confirm for ChannelManager {
    fn transactions_confirmed(
        &mut self,
        header: &Header,
        txdata: &[(usize, &Transaction)],
        height: u32,
    ) {
        let block_hash = header.block_hash();
        let ids: Vec<ChannelId> = self.channels.keys().copied().collect();
        for channel_id in ids {
            let Some(outpoint) = self
                .channels
                .get(&channel_id)
                .and_then(|entry| entry.channel.funding_outpoint())
            else {
                continue;
            };
            let Some((index, _)) = txdata
                .iter()
                .find(|(_, tx)| tx.compute_txid() == outpoint.txid)
            else {
                continue;
            };
            let output_index = u16::try_from(outpoint.vout).unwrap_or(u16::MAX);
            let tx_index = u32::try_from(*index).unwrap_or(u32::MAX);
            let Some(scid) = ShortChannelId::new(height, tx_index, output_index) else {
                continue;
            };
            if let Some(entry) = self.channels.get_mut(&channel_id) {
                entry.funding_confirmation = Some((height, block_hash, scid));
            }
            if height > self.best_block.height {
                self.best_block = BestBlock::new(block_hash, height);
            }
            self.update_funding_depth(channel_id);
        }
    }

    fn transaction_unconfirmed(&mut self, txid: &Txid) {
        let ids: Vec<ChannelId> = self.channels.keys().copied().collect();
        for channel_id in ids {
            if self.funding_txid(&channel_id) != Some(*txid) {
                continue;
            }
            let Some(entry) = self.channels.get_mut(&channel_id) else {
                continue;
            };
            let Some((_, _, scid)) = entry.funding_confirmation.take() else {
                continue;
            };
            let result = entry.channel.funding_depth(0, scid);
            self.handle_channel_result(channel_id, result);
            self.drain_channel(channel_id);
        }
    }

    fn best_block_updated(&mut self, header: &Header, height: u32) {
        self.best_block = BestBlock::new(header.block_hash(), height);
        self.advance_time(Duration::from_secs(u64::from(header.time)));
        let ids: Vec<ChannelId> = self.channels.keys().copied().collect();
        for channel_id in ids {
            if let Some(entry) = self.channels.get_mut(&channel_id) {
                entry.channel.best_block_updated(height);
            }
            self.update_funding_depth(channel_id);
        }
        self.fail_expiring_htlcs();
    }

    fn relevant_txids(&self) -> Vec<(Txid, u32, Option<BlockHash>)> {
        self.channels
            .iter()
            .filter_map(|(channel_id, entry)| {
                let (height, hash, _) = entry.funding_confirmation?;
                Some((self.funding_txid(channel_id)?, height, Some(hash)))
            })
            .collect()
    }
}
