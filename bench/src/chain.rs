//! A chain of block headers and a funding transaction, shared by both libraries' harnesses.

use std::time::Duration;

use bitcoin::absolute::LockTime;
use bitcoin::block::{Header, Version as BlockVersion};
use bitcoin::hashes::Hash;
use bitcoin::transaction::Version;
use bitcoin::{
    Amount, BlockHash, CompactTarget, OutPoint, ScriptBuf, Sequence, Transaction, TxIn,
    TxMerkleNode, TxOut, Txid, Witness,
};

/// The time the benchmark's simulated chain starts at.
pub const START: Duration = Duration::from_secs(1_700_000_000);

/// The channel size of every benchmark channel.
pub const FUNDING_SATS: u64 = 10_000_000;

/// How many blocks to mine after the funding block so both libraries see the channel ready
/// (our default minimum depth is 3, LDK's is 6).
pub const CONFIRMATIONS: u32 = 8;

/// A chain of headers on top of a given tip.
pub struct HeaderChain {
    /// The hash of the last header.
    pub tip: BlockHash,
    /// The height of the last header.
    pub height: u32,
}

impl HeaderChain {
    /// A chain starting at `tip` (height 0).
    pub fn new(tip: BlockHash) -> Self {
        HeaderChain { tip, height: 0 }
    }

    /// The next header, extending the chain.
    pub fn next_header(&mut self) -> Header {
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
}

/// A (fake-input, segwit) transaction paying `FUNDING_SATS` to `output_script` at output 1.
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
