//! The versioned TLV encoding of a [`ChannelMonitor`].
//!
//! Format version [`MONITOR_FORMAT_VERSION`], then a TLV stream:
//! - 0 channel id, 2 counterparty node id, 4 channel keys id, 6 setup, 8 destination script,
//!   10 shutdown script (optional), 12 latest update id;
//! - 14 current holder commitment (inputs, signatures), 16 previous one (optional);
//! - 18 counterparty commitments (`u32` count, then inputs and point each);
//! - 20 counterparty secrets (the secret store's own versioned encoding);
//! - 22 preimages (`u32` count, 32 bytes each);
//! - 24 force-close flag; 26 best block (hash, height); 28 confirmed relevant transactions
//!   (`u32` count, then height, block hash and the `u32`-prefixed consensus encoding);
//! - 30 delivered event keys (`u32` count, 37 bytes each); 32 claim fee rate;
//! - 33 (odd, optional) delivered failures of HTLCs that were no output of the confirmed
//!   commitment (`u32` count, then payment hash, amount, expiry and rank, 48 bytes each).
//!
//! Claims and pending events are not stored: they are derived again on decode.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use bitcoin::consensus::encode::{deserialize, serialize};
use bitcoin::hashes::Hash;
use bitcoin::{BlockHash, OutPoint, ScriptBuf, Transaction, Txid};
use lightning_signer_api::keys::CounterpartyCommitmentSecrets;
use lightning_signer_api::traits::{ChannelKeysId, ChannelSigner};

use super::data::{CounterpartyCommitment, HolderCommitment, MonitorData};
use super::events::MonitorDecodeError;
use super::{ChainState, ChannelMonitor, EventKey, SeenTx};
use crate::chain::BestBlock;
use crate::monitor::codec::{
    read_inputs, read_setup, read_signatures, to_bytes, write_inputs, write_setup, write_signatures,
};
use crate::wire::{read_tlv_stream, Decode, DecodeError, Encode, Reader, TlvWriter};

/// The format version written as the first byte of an encoded monitor.
pub const MONITOR_FORMAT_VERSION: u8 = 1;

fn write_holder(holder: &HolderCommitment, out: &mut Vec<u8>) {
    write_inputs(&holder.inputs, out);
    write_signatures(&holder.signatures, out);
}

fn read_holder(r: &mut Reader<'_>) -> Result<HolderCommitment, DecodeError> {
    Ok(HolderCommitment {
        inputs: read_inputs(r)?,
        signatures: read_signatures(r)?,
    })
}

fn write_count(len: usize, out: &mut Vec<u8>) {
    // Stored collections are far below 2^32 entries.
    u32::try_from(len).unwrap_or(u32::MAX).encode(out);
}

fn write_key(key: &EventKey, out: &mut Vec<u8>) {
    let (tag, bytes, vout): (u8, [u8; 32], u32) = match key {
        EventKey::FundingSpent(txid) => (0, txid.to_byte_array(), 0),
        EventKey::Preimage(hash) => (1, *hash, 0),
        EventKey::HtlcFailed(o) => (2, o.txid.to_byte_array(), o.vout),
        EventKey::Spendable(o) => (3, o.txid.to_byte_array(), o.vout),
        EventKey::Bump(txid) => (4, txid.to_byte_array(), 0),
        EventKey::Resolved => (5, [0; 32], 0),
        // Written in their own record (33), which older readers skip.
        EventKey::HtlcGone { .. } => return,
    };
    out.push(tag);
    bytes.encode(out);
    vout.encode(out);
}

fn read_key(r: &mut Reader<'_>) -> Result<EventKey, DecodeError> {
    let tag = u8::decode(r)?;
    let bytes: [u8; 32] = r.read_array()?;
    let vout = u32::decode(r)?;
    let outpoint = OutPoint {
        txid: Txid::from_byte_array(bytes),
        vout,
    };
    Ok(match tag {
        0 => EventKey::FundingSpent(outpoint.txid),
        1 => EventKey::Preimage(bytes),
        2 => EventKey::HtlcFailed(outpoint),
        3 => EventKey::Spendable(outpoint),
        4 => EventKey::Bump(outpoint.txid),
        5 => EventKey::Resolved,
        _ => return Err(DecodeError::InvalidValue),
    })
}

impl ChannelMonitor {
    /// The versioned encoding of everything the monitor knows (see the module docs).
    pub fn encode(&self) -> Vec<u8> {
        let d = &self.data;
        let c = &self.chain;
        let mut out = alloc::vec![MONITOR_FORMAT_VERSION];
        let mut w = TlvWriter::new(&mut out, &[]);
        w.write(0, &d.channel_id);
        w.write(2, &d.counterparty_node_id);
        w.write(4, &d.channel_keys_id.0);
        w.write_bytes(6, &to_bytes(&d.setup, write_setup));
        w.write_bytes(8, self.destination_script.as_bytes());
        if let Some(script) = &d.shutdown_script {
            w.write_bytes(10, script.as_bytes());
        }
        w.write(12, &d.latest_update_id);
        w.write_bytes(14, &to_bytes(&d.holder, write_holder));
        if let Some(previous) = &d.previous_holder {
            w.write_bytes(16, &to_bytes(previous, write_holder));
        }
        let mut commitments = Vec::new();
        write_count(d.counterparty.len(), &mut commitments);
        for commitment in d.counterparty.values() {
            write_inputs(&commitment.inputs, &mut commitments);
            commitment.point.encode(&mut commitments);
        }
        w.write_bytes(18, &commitments);
        w.write_bytes(20, &d.secrets.encode());
        let mut preimages = Vec::new();
        write_count(d.preimages.len(), &mut preimages);
        for preimage in d.preimages.values() {
            preimage.encode(&mut preimages);
        }
        w.write_bytes(22, &preimages);
        w.write(24, &u8::from(d.holder_broadcast_requested));
        let mut best = Vec::new();
        c.best.block_hash.to_byte_array().encode(&mut best);
        c.best.height.encode(&mut best);
        w.write_bytes(26, &best);
        let mut seen = Vec::new();
        write_count(c.seen.len(), &mut seen);
        for s in &c.seen {
            s.height.encode(&mut seen);
            s.block_hash.to_byte_array().encode(&mut seen);
            let bytes = serialize(&s.tx);
            write_count(bytes.len(), &mut seen);
            seen.extend_from_slice(&bytes);
        }
        w.write_bytes(28, &seen);
        let (gone, others): (Vec<&EventKey>, Vec<&EventKey>) = c
            .delivered
            .iter()
            .partition(|key| matches!(key, EventKey::HtlcGone { .. }));
        let mut keys = Vec::new();
        write_count(others.len(), &mut keys);
        for key in others {
            write_key(key, &mut keys);
        }
        w.write_bytes(30, &keys);
        w.write(32, &c.feerate_per_kw);
        if !gone.is_empty() {
            w.write_bytes(33, &write_gone_keys(&gone));
        }
        w.finish();
        out
    }

    /// Reads an [`encode`](Self::encode)d monitor, with the channel's signer (derived again
    /// from the channel keys id, which must match). Then apply any update stored after it.
    pub fn decode(
        bytes: &[u8],
        signer: Box<dyn ChannelSigner>,
    ) -> Result<ChannelMonitor, MonitorDecodeError> {
        let (&version, rest) = bytes.split_first().ok_or(MonitorDecodeError::Empty)?;
        if version != MONITOR_FORMAT_VERSION {
            return Err(MonitorDecodeError::UnknownVersion(version));
        }
        let mut fields: [Option<&[u8]>; 17] = [None; 17];
        let mut gone_field: Option<&[u8]> = None;
        read_tlv_stream(&mut Reader::new(rest), |t, value| {
            if t == 33 {
                gone_field = Some(value.read_remaining());
                return Ok(true);
            }
            match usize::try_from(t / 2)
                .ok()
                .filter(|i| *i < 17 && t % 2 == 0)
            {
                Some(i) => {
                    fields[i] = Some(value.read_remaining());
                    Ok(true)
                }
                None => Ok(false),
            }
        })?;
        let field = |t: usize, name: &'static str| {
            fields[t / 2].ok_or(MonitorDecodeError::MissingField(name))
        };
        let exact = |r: Reader<'_>| {
            if r.is_empty() {
                Ok(())
            } else {
                Err(MonitorDecodeError::Wire(
                    DecodeError::TlvValueLengthMismatch,
                ))
            }
        };
        let channel_keys_id = ChannelKeysId(<[u8; 32]>::decode_exact(field(4, "keys id")?)?);
        if signer.channel_keys_id() != channel_keys_id {
            return Err(MonitorDecodeError::SignerMismatch);
        }
        let mut r = Reader::new(field(6, "setup")?);
        let setup = read_setup(&mut r)?;
        exact(r)?;
        let mut r = Reader::new(field(14, "holder")?);
        let holder = read_holder(&mut r)?;
        exact(r)?;
        let previous_holder = match fields[8] {
            Some(bytes) => {
                let mut r = Reader::new(bytes);
                let previous = read_holder(&mut r)?;
                exact(r)?;
                Some(previous)
            }
            None => None,
        };
        let counterparty = read_counterparty(field(18, "counterparty commitments")?)?;
        let secrets = CounterpartyCommitmentSecrets::decode(field(20, "secrets")?)
            .map_err(|_| MonitorDecodeError::BadSecrets)?;
        let preimages = read_preimages(field(22, "preimages")?)?;
        let data = MonitorData {
            channel_id: Decode::decode_exact(field(0, "channel id")?)?,
            counterparty_node_id: Decode::decode_exact(field(2, "node id")?)?,
            channel_keys_id,
            setup,
            shutdown_script: fields[5].map(|s| ScriptBuf::from_bytes(s.to_vec())),
            latest_update_id: u64::decode_exact(field(12, "update id")?)?,
            holder,
            previous_holder,
            counterparty,
            secrets,
            preimages,
            holder_broadcast_requested: u8::decode_exact(field(24, "force closed")?)? != 0,
        };
        let chain = ChainState {
            best: read_best(field(26, "best block")?)?,
            seen: read_seen(field(28, "seen")?)?,
            delivered: {
                let mut delivered = read_keys(field(30, "delivered")?)?;
                if let Some(bytes) = gone_field {
                    delivered.extend(read_gone_keys(bytes)?);
                }
                delivered
            },
            feerate_per_kw: u32::decode_exact(field(32, "feerate")?)?,
        };
        let destination = ScriptBuf::from_bytes(field(8, "destination")?.to_vec());
        Ok(ChannelMonitor::assemble(signer, destination, data, chain))
    }
}

fn read_counterparty(bytes: &[u8]) -> Result<BTreeMap<u64, CounterpartyCommitment>, DecodeError> {
    let mut r = Reader::new(bytes);
    let count = u32::decode(&mut r)?;
    let mut map = BTreeMap::new();
    for _ in 0..count {
        let inputs = read_inputs(&mut r)?;
        let point = r.decode()?;
        map.insert(
            inputs.commitment_number,
            CounterpartyCommitment { inputs, point },
        );
    }
    finish(r)?;
    Ok(map)
}

fn read_preimages(bytes: &[u8]) -> Result<BTreeMap<[u8; 32], [u8; 32]>, DecodeError> {
    use bitcoin::hashes::sha256;
    let mut r = Reader::new(bytes);
    let count = u32::decode(&mut r)?;
    let mut map = BTreeMap::new();
    for _ in 0..count {
        let preimage: [u8; 32] = r.read_array()?;
        map.insert(sha256::Hash::hash(&preimage).to_byte_array(), preimage);
    }
    finish(r)?;
    Ok(map)
}

fn read_best(bytes: &[u8]) -> Result<BestBlock, DecodeError> {
    let mut r = Reader::new(bytes);
    let hash = BlockHash::from_byte_array(r.read_array()?);
    let height = u32::decode(&mut r)?;
    finish(r)?;
    Ok(BestBlock::new(hash, height))
}

fn read_seen(bytes: &[u8]) -> Result<Vec<SeenTx>, MonitorDecodeError> {
    let mut r = Reader::new(bytes);
    let count = u32::decode(&mut r)?;
    let mut seen = Vec::new();
    for _ in 0..count {
        let height = u32::decode(&mut r)?;
        let block_hash = BlockHash::from_byte_array(r.read_array()?);
        let len = usize::try_from(u32::decode(&mut r)?).map_err(|_| DecodeError::ShortRead)?;
        let tx: Transaction =
            deserialize(r.read_bytes(len)?).map_err(|_| MonitorDecodeError::BadTransaction)?;
        seen.push(SeenTx {
            txid: tx.compute_txid(),
            tx,
            height,
            block_hash,
        });
    }
    finish(r)?;
    Ok(seen)
}

fn read_keys(bytes: &[u8]) -> Result<BTreeSet<EventKey>, DecodeError> {
    let mut r = Reader::new(bytes);
    let count = u32::decode(&mut r)?;
    let mut keys = BTreeSet::new();
    for _ in 0..count {
        keys.insert(read_key(&mut r)?);
    }
    finish(r)?;
    Ok(keys)
}

fn write_gone_keys(keys: &[&EventKey]) -> Vec<u8> {
    let mut out = Vec::new();
    write_count(keys.len(), &mut out);
    for key in keys {
        if let EventKey::HtlcGone {
            payment_hash,
            amount_msat,
            cltv_expiry,
            ordinal,
        } = key
        {
            payment_hash.encode(&mut out);
            amount_msat.encode(&mut out);
            cltv_expiry.encode(&mut out);
            ordinal.encode(&mut out);
        }
    }
    out
}

fn read_gone_keys(bytes: &[u8]) -> Result<Vec<EventKey>, DecodeError> {
    let mut r = Reader::new(bytes);
    let count = u32::decode(&mut r)?;
    let mut keys = Vec::new();
    for _ in 0..count {
        keys.push(EventKey::HtlcGone {
            payment_hash: r.read_array()?,
            amount_msat: u64::decode(&mut r)?,
            cltv_expiry: u32::decode(&mut r)?,
            ordinal: u32::decode(&mut r)?,
        });
    }
    finish(r)?;
    Ok(keys)
}

fn finish(r: Reader<'_>) -> Result<(), DecodeError> {
    if r.is_empty() {
        Ok(())
    } else {
        Err(DecodeError::TlvValueLengthMismatch)
    }
}
