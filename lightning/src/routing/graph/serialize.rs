//! The stored form of a [`NetworkGraph`]: a magic, a version byte, then a TLV stream.
//!
//! ```text
//! "LNGRAPH" version=1
//! tlv 0: chain_hash
//! tlv 2: keep_proofs (u8)
//! tlv 4: nodes    = u32 count, then per node: key[33], u16 len + node_announcement (len 0: none)
//! tlv 6: channels = u32 count, then per channel (fixed fields first):
//!        scid u64, node_one u32, node_two u32 (indices into the node list), added_at u32,
//!        capacity_sat u64, flags u8 (bit 0/1: policy 0/1 present, bit 2: proof present),
//!        each present policy (31 bytes), then the proof if present
//! ```
//!
//! Unknown odd records are skipped, unknown even ones refused: a later version adds odd
//! records for optional data and bumps the version byte for an incompatible change. Reading
//! does not re-verify signatures (the data is our own); it checks the structure, and never
//! allocates more than the input could hold.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use secp256k1::ecdsa::Signature;

use super::{ChannelEntry, ChannelPolicy, ChannelProof, NetworkGraph, NodeKey, UpdateProof};
use crate::routing::router::RoutingFees;
use crate::wire::gossip::NodeAnnouncement;
use crate::wire::{encode_u16_prefixed, Decode, DecodeError, Encode, Reader};
use crate::wire::{read_tlv_stream, ChainHash, TlvWriter};

const MAGIC: &[u8; 7] = b"LNGRAPH";
const VERSION: u8 = 1;
const POLICY_LEN: usize = 31;
const MIN_NODE_LEN: usize = 35;
const MIN_CHANNEL_LEN: usize = 29;

/// Why a stored graph could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphReadError {
    /// The bytes do not start with the graph magic.
    NotAGraph,
    /// The version byte is newer than this code understands.
    UnknownVersion(u8),
    /// The bytes are malformed.
    Decode(DecodeError),
    /// A required record is missing.
    MissingRecord(u64),
    /// A channel names a node index out of range, or the same node twice, or repeats an id.
    Inconsistent,
}

impl fmt::Display for GraphReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphReadError::NotAGraph => f.write_str("not a stored network graph"),
            GraphReadError::UnknownVersion(v) => write!(f, "unknown graph version {v}"),
            GraphReadError::Decode(error) => write!(f, "malformed graph: {error}"),
            GraphReadError::MissingRecord(t) => write!(f, "graph record {t} missing"),
            GraphReadError::Inconsistent => f.write_str("graph records are inconsistent"),
        }
    }
}

impl core::error::Error for GraphReadError {}

impl From<DecodeError> for GraphReadError {
    fn from(error: DecodeError) -> Self {
        GraphReadError::Decode(error)
    }
}

impl NetworkGraph {
    /// The stored form (see the [module documentation](self)).
    pub fn write(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.channel_count() * 64);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        let mut node_positions = alloc::vec![u32::MAX; self.nodes.len()];
        let mut nodes = Vec::new();
        let mut count = 0u32;
        for (slot, node) in self.nodes.iter().enumerate() {
            if node.channels.is_empty() {
                continue;
            }
            node_positions[slot] = count;
            count += 1;
            nodes.extend_from_slice(&node.key.0);
            match &node.announcement {
                Some(ann) => encode_u16_prefixed(&ann.encode_to_vec(), &mut nodes),
                None => 0u16.encode(&mut nodes),
            }
        }
        let mut node_record = count.to_be_bytes().to_vec();
        node_record.extend_from_slice(&nodes);
        let mut channel_record = Vec::with_capacity(4 + self.channel_count() * 100);
        (self.channel_count() as u32).encode(&mut channel_record);
        for id in self.channel_ids() {
            // Every id in the index has a live slot.
            if let Some(entry) = self.channel_entry(id.0) {
                write_channel(entry, &node_positions, &mut channel_record);
            }
        }
        let mut tlvs = TlvWriter::new(&mut out, &[]);
        tlvs.write(0, &self.chain_hash());
        tlvs.write(2, &u8::from(self.keeps_proofs()));
        tlvs.write_bytes(4, &node_record);
        tlvs.write_bytes(6, &channel_record);
        tlvs.finish();
        out
    }

    /// Reads back what [`NetworkGraph::write`] produced.
    pub fn read(bytes: &[u8]) -> Result<NetworkGraph, GraphReadError> {
        let body = bytes.strip_prefix(MAGIC).ok_or(GraphReadError::NotAGraph)?;
        let (&version, body) = body.split_first().ok_or(GraphReadError::NotAGraph)?;
        if version != VERSION {
            return Err(GraphReadError::UnknownVersion(version));
        }
        let mut chain_hash = None;
        let mut keep_proofs = true;
        let mut node_bytes: Option<&[u8]> = None;
        let mut channel_bytes: Option<&[u8]> = None;
        let mut reader = Reader::new(body);
        read_tlv_stream(&mut reader, |record_type, value| {
            match record_type {
                0 => chain_hash = Some(ChainHash::decode(value)?),
                2 => keep_proofs = u8::decode(value)? != 0,
                4 => node_bytes = Some(value.read_remaining()),
                6 => channel_bytes = Some(value.read_remaining()),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let chain_hash = chain_hash.ok_or(GraphReadError::MissingRecord(0))?;
        let mut graph = if keep_proofs {
            NetworkGraph::new(chain_hash)
        } else {
            NetworkGraph::new_without_proofs(chain_hash)
        };
        let nodes = read_nodes(node_bytes.ok_or(GraphReadError::MissingRecord(4))?)?;
        let mut r = Reader::new(channel_bytes.ok_or(GraphReadError::MissingRecord(6))?);
        let count = u32::decode(&mut r)?;
        for _ in 0..count {
            let (entry, ends) = read_channel(&mut r)?;
            let key = |index: u32| nodes.get(index as usize).map(|node| node.0);
            let (Some(one), Some(two)) = (key(ends[0]), key(ends[1])) else {
                return Err(GraphReadError::Inconsistent);
            };
            if one >= two || graph.channel_entry(entry.short_channel_id).is_some() {
                return Err(GraphReadError::Inconsistent);
            }
            graph.insert_channel(entry, [one, two]);
        }
        if !r.is_empty() {
            return Err(GraphReadError::Decode(DecodeError::TlvValueLengthMismatch));
        }
        for (key, announcement) in nodes {
            if let (Some(slot), Some(ann)) = (graph.node_slot(&key), announcement) {
                graph.node_entry_mut(slot).announcement = Some(ann);
            }
        }
        graph.shrink_to_fit();
        Ok(graph)
    }
}

type StoredNode = (NodeKey, Option<Box<NodeAnnouncement>>);

fn read_nodes(bytes: &[u8]) -> Result<Vec<StoredNode>, GraphReadError> {
    let mut r = Reader::new(bytes);
    let count = u32::decode(&mut r)? as usize;
    let mut nodes = Vec::with_capacity(count.min(r.remaining() / MIN_NODE_LEN));
    for _ in 0..count {
        let key = NodeKey(r.read_array()?);
        let announcement = r.read_u16_prefixed()?;
        let announcement = match announcement.is_empty() {
            true => None,
            false => Some(Box::new(NodeAnnouncement::decode_exact(announcement)?)),
        };
        nodes.push((key, announcement));
    }
    if !r.is_empty() {
        return Err(GraphReadError::Decode(DecodeError::TlvValueLengthMismatch));
    }
    Ok(nodes)
}

fn write_channel(entry: &ChannelEntry, node_positions: &[u32], out: &mut Vec<u8>) {
    entry.short_channel_id.encode(out);
    node_positions[entry.node_one as usize].encode(out);
    node_positions[entry.node_two as usize].encode(out);
    entry.added_at.encode(out);
    entry.capacity_sat.encode(out);
    let flags = u8::from(entry.policies[0].is_some())
        | u8::from(entry.policies[1].is_some()) << 1
        | u8::from(entry.proof.is_some()) << 2;
    out.push(flags);
    for policy in entry.policies.iter().flatten() {
        policy.fees.base_msat.encode(out);
        policy.fees.proportional_millionths.encode(out);
        policy.htlc_minimum_msat.encode(out);
        policy.htlc_maximum_msat.encode(out);
        policy.last_update.encode(out);
        policy.cltv_expiry_delta.encode(out);
        out.push(u8::from(policy.enabled));
    }
    if let Some(proof) = &entry.proof {
        for signature in &proof.signatures {
            signature.encode(out);
        }
        out.extend_from_slice(&proof.bitcoin_keys[0].0);
        out.extend_from_slice(&proof.bitcoin_keys[1].0);
        encode_u16_prefixed(&proof.features, out);
        encode_u16_prefixed(&proof.excess_data, out);
        for update in &proof.updates {
            match update {
                None => out.push(0),
                Some(update) => {
                    out.push(1);
                    update.signature.encode(out);
                    out.push(update.message_flags);
                    out.push(update.channel_flags);
                    encode_u16_prefixed(&update.excess_data, out);
                }
            }
        }
    }
}

fn read_channel(r: &mut Reader<'_>) -> Result<(ChannelEntry, [u32; 2]), GraphReadError> {
    if r.remaining() < MIN_CHANNEL_LEN {
        return Err(DecodeError::ShortRead.into());
    }
    let short_channel_id = u64::decode(r)?;
    let ends = [u32::decode(r)?, u32::decode(r)?];
    let added_at = u32::decode(r)?;
    let capacity_sat = u64::decode(r)?;
    let flags = u8::decode(r)?;
    let mut policies = [None, None];
    for (index, policy) in policies.iter_mut().enumerate() {
        if flags & (1 << index) != 0 {
            *policy = Some(read_policy(r)?);
        }
    }
    let proof = match flags & 4 != 0 {
        false => None,
        true => Some(Box::new(read_proof(r)?)),
    };
    let entry = ChannelEntry {
        short_channel_id,
        node_one: 0,
        node_two: 0,
        added_at,
        capacity_sat,
        policies,
        proof,
    };
    Ok((entry, ends))
}

fn read_policy(r: &mut Reader<'_>) -> Result<ChannelPolicy, DecodeError> {
    let bytes = r.read_bytes(POLICY_LEN)?;
    let mut r = Reader::new(bytes);
    Ok(ChannelPolicy {
        fees: RoutingFees {
            base_msat: r.decode()?,
            proportional_millionths: r.decode()?,
        },
        htlc_minimum_msat: r.decode()?,
        htlc_maximum_msat: r.decode()?,
        last_update: r.decode()?,
        cltv_expiry_delta: r.decode()?,
        enabled: u8::decode(&mut r)? != 0,
    })
}

fn read_proof(r: &mut Reader<'_>) -> Result<ChannelProof, DecodeError> {
    let signatures: [Signature; 4] = [r.decode()?, r.decode()?, r.decode()?, r.decode()?];
    let bitcoin_keys = [NodeKey(r.read_array()?), NodeKey(r.read_array()?)];
    let features = r.read_u16_prefixed()?.into();
    let excess_data = r.read_u16_prefixed()?.into();
    let mut updates = [None, None];
    for update in &mut updates {
        if u8::decode(r)? != 0 {
            *update = Some(UpdateProof {
                signature: r.decode()?,
                message_flags: r.decode()?,
                channel_flags: r.decode()?,
                excess_data: r.read_u16_prefixed()?.into(),
            });
        }
    }
    Ok(ChannelProof {
        signatures,
        bitcoin_keys,
        features,
        excess_data,
        updates,
    })
}
