//! Cheating on purpose: a node keeps an encoded copy of one of its channel monitors
//! ([`Network::snapshot_monitor`]) and later broadcasts the commitment that copy holds
//! ([`Network::broadcast_stale_commitment`]) after the channel moved on, so that the
//! commitment is revoked and the peer's monitor must punish it with justice transactions.
//!
//! ```
//! use lightning::monitor::{FundingSpendKind, MonitorEvent};
//! use lightning::testkit::network::Network;
//!
//! let mut net = Network::new(2);
//! let channel = net.open_channel(0, 1, 1_000_000, 0);
//! net.pay(0, 1, 100_000_000).unwrap();
//! let old = net.snapshot_monitor(0, channel).unwrap();
//! net.pay(0, 1, 200_000_000).unwrap(); // node 0's old commitment is now revoked
//! let revoked = net.broadcast_stale_commitment(&old).unwrap();
//! net.mine_blocks(1);
//! assert!(net.node(1).monitor_events().iter().any(|event| matches!(event,
//!     MonitorEvent::FundingSpent { kind: FundingSpendKind::RevokedCounterpartyCommitment { .. }, .. })));
//! net.mine_blocks(1);
//! let justice = net.justice_transactions(1, &revoked);
//! assert!(!justice.is_empty());
//! ```

use alloc::vec::Vec;
use core::fmt;

use bitcoin::Transaction;
use lightning_signer_api::traits::SignerProvider;

use crate::monitor::{ChannelMonitor, MonitorDecodeError};
use crate::persist::encoded_monitor_keys_id;
use crate::wire::ChannelId;

use super::Network;

/// An encoded copy of one channel monitor of a node, as it stood when taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitorSnapshot {
    /// The node whose monitor it is.
    pub node: usize,
    /// The channel.
    pub channel_id: ChannelId,
    bytes: Vec<u8>,
}

impl MonitorSnapshot {
    /// The encoded monitor ([`ChannelMonitor::encode`]).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Why [`Network::broadcast_stale_commitment`] broadcast nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaleBroadcastError {
    /// The snapshot names no channel keys id.
    MissingKeysId,
    /// The snapshot does not decode with the node's signer.
    Decode(MonitorDecodeError),
    /// The decoded monitor built no commitment transaction.
    NoCommitment,
}

impl fmt::Display for StaleBroadcastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingKeysId => f.write_str("the snapshot has no channel keys id"),
            Self::Decode(err) => write!(f, "the snapshot does not decode: {err}"),
            Self::NoCommitment => f.write_str("the stale monitor built no commitment"),
        }
    }
}

impl core::error::Error for StaleBroadcastError {}

impl Network {
    /// An encoded copy of node `index`'s monitor of `channel_id` as it stands now, to
    /// broadcast its commitment later with
    /// [`broadcast_stale_commitment`](Self::broadcast_stale_commitment). `None` if the node
    /// has no monitor for the channel.
    pub fn snapshot_monitor(&self, index: usize, channel_id: ChannelId) -> Option<MonitorSnapshot> {
        let monitor = self.nodes[index].chain_monitor.get_monitor(&channel_id)?;
        Some(MonitorSnapshot {
            node: index,
            channel_id,
            bytes: monitor.encode(),
        })
    }

    /// Has the snapshot's node cheat: decodes the snapshot (with the node's own signer) and
    /// broadcasts the holder commitment it holds, into the chain's mempool (and the node's
    /// [`broadcasts`](super::TestNode::broadcasts)). If the channel moved on since the
    /// snapshot, that commitment is revoked: once it is mined, the peer's monitor sees a
    /// breach and broadcasts justice transactions. Mines nothing; returns the commitment.
    pub fn broadcast_stale_commitment(
        &mut self,
        snapshot: &MonitorSnapshot,
    ) -> Result<Transaction, StaleBroadcastError> {
        let keys_id = encoded_monitor_keys_id(&snapshot.bytes)
            .map_err(|_| StaleBroadcastError::MissingKeysId)?;
        let node = &mut self.nodes[snapshot.node];
        let signer = node.keys.derive_channel_signer(&keys_id);
        let mut stale =
            ChannelMonitor::decode(&snapshot.bytes, signer).map_err(StaleBroadcastError::Decode)?;
        stale.broadcast_latest_holder_commitment();
        let commitment = stale
            .poll_broadcast()
            .ok_or(StaleBroadcastError::NoCommitment)?;
        self.chain.broadcast(commitment.clone());
        node.broadcasts.push(commitment.clone());
        Ok(commitment)
    }

    /// The transactions node `index` broadcast that spend an output of `revoked` (its
    /// justice transactions after a breach), oldest first, without repeats.
    pub fn justice_transactions(&self, index: usize, revoked: &Transaction) -> Vec<Transaction> {
        let txid = revoked.compute_txid();
        let mut found: Vec<Transaction> = Vec::new();
        for tx in &self.nodes[index].broadcasts {
            let spends = tx
                .input
                .iter()
                .any(|input| input.previous_output.txid == txid);
            if spends
                && !found
                    .iter()
                    .any(|seen| seen.compute_txid() == tx.compute_txid())
            {
                found.push(tx.clone());
            }
        }
        found
    }
}
