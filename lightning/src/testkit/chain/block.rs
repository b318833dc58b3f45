//! Building the simulator's blocks: a coinbase, a witness commitment, a valid merkle root and a
//! header that meets the regtest proof of work.

use alloc::vec;
use alloc::vec::Vec;

use bitcoin::absolute::LockTime;
use bitcoin::block::{Header, Version};
use bitcoin::hashes::Hash;
use bitcoin::script::Builder;
use bitcoin::transaction::Version as TxVersion;
use bitcoin::{
    Amount, Block, BlockHash, CompactTarget, OutPoint, ScriptBuf, Sequence, Transaction, TxIn,
    TxMerkleNode, TxOut, Witness,
};

/// The witness reserved value (BIP 141) every simulated coinbase carries.
const WITNESS_RESERVED_VALUE: [u8; 32] = [0u8; 32];

/// The magic that starts a BIP 141 witness commitment, after `OP_RETURN`.
const WITNESS_COMMITMENT_MAGIC: [u8; 4] = [0xaa, 0x21, 0xa9, 0xed];

/// What goes into one block besides the header's chain position.
pub(super) struct BlockTemplate<'a> {
    pub prev_blockhash: BlockHash,
    pub height: u32,
    pub time: u32,
    pub bits: CompactTarget,
    /// Makes the coinbase unique even when two blocks share a height and payouts.
    pub extra_nonce: u32,
    /// Outputs of the coinbase besides the witness commitment (funding outputs).
    pub coinbase_outputs: Vec<TxOut>,
    pub transactions: &'a [Transaction],
}

/// Assembles a block from `template`: coinbase first (BIP 34 height, extra nonce, the given
/// outputs and a BIP 141 witness commitment), then the transactions; merkle root set and the
/// header's nonce ground until it meets the target (cheap on regtest: about two tries).
pub(super) fn build_block(template: BlockTemplate<'_>) -> Block {
    let script_sig = Builder::new()
        .push_int(i64::from(template.height))
        .push_int(i64::from(template.extra_nonce))
        .into_script();
    let coinbase = Transaction {
        version: TxVersion::TWO,
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint::null(),
            script_sig,
            sequence: Sequence::MAX,
            witness: Witness::from_slice(&[WITNESS_RESERVED_VALUE]),
        }],
        output: template.coinbase_outputs,
    };
    let mut txdata = Vec::with_capacity(template.transactions.len() + 1);
    txdata.push(coinbase);
    txdata.extend(template.transactions.iter().cloned());
    let header = Header {
        version: Version::TWO,
        prev_blockhash: template.prev_blockhash,
        merkle_root: TxMerkleNode::all_zeros(),
        time: template.time,
        bits: template.bits,
        nonce: 0,
    };
    let mut block = Block { header, txdata };
    add_witness_commitment(&mut block);
    // Invariant: txdata holds at least the coinbase, so a merkle root exists.
    block.header.merkle_root = block.compute_merkle_root().expect("block has a coinbase");
    grind_nonce(&mut block.header);
    block
}

/// Appends the BIP 141 commitment output to the coinbase (`block.txdata[0]`).
fn add_witness_commitment(block: &mut Block) {
    // Invariant: the coinbase exists, so the witness root exists.
    let witness_root = block.witness_root().expect("block has a coinbase");
    let commitment = Block::compute_witness_commitment(&witness_root, &WITNESS_RESERVED_VALUE);
    let mut payload = [0u8; 36];
    payload[..4].copy_from_slice(&WITNESS_COMMITMENT_MAGIC);
    payload[4..].copy_from_slice(commitment.as_byte_array());
    block.txdata[0].output.push(TxOut {
        value: Amount::ZERO,
        script_pubkey: ScriptBuf::new_op_return(payload),
    });
}

/// Increments the nonce until the header's hash meets its own target.
fn grind_nonce(header: &mut Header) {
    let target = header.target();
    while header.validate_pow(target).is_err() {
        header.nonce = header.nonce.wrapping_add(1);
    }
}

/// The median of the timestamps of the last (up to) 11 headers (BIP 113's median time past).
pub(super) fn median_time_past<'a>(last_headers: impl Iterator<Item = &'a Header>) -> u32 {
    let mut times: Vec<u32> = last_headers.take(11).map(|h| h.time).collect();
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or(0)
}
