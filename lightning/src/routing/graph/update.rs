//! Applying verified gossip to the graph (BOLT 7 receiver checks), and rebuilding the signed
//! messages from what the graph keeps, to serve them to peers.

use alloc::boxed::Box;
use core::fmt;

use bitcoin::TxOut;
use lightning_signer_api::tx::scripts::funding_script_pubkey;
use secp256k1::{Secp256k1, Verification};

use super::{ChannelEntry, ChannelPolicy, ChannelProof, NetworkGraph, NodeKey, UpdateProof};
use crate::routing::router::RoutingFees;
use crate::wire::features::ChannelFeatures;
use crate::wire::gossip::{
    ChannelAnnouncement, ChannelUpdate, GossipSignatureError, NodeAnnouncement,
};
use crate::wire::{ChainHash, Encode, ShortChannelId};

/// How far in the future a `channel_update` timestamp may be (one day).
const MAX_FUTURE_SECS: u64 = 86_400;

/// What the caller's chain data says about a channel's funding output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UtxoResult {
    /// The output exists and is unspent.
    Unspent(TxOut),
    /// No such output, or it is spent.
    Missing,
}

/// A caller-provided lookup of funding outputs by short channel id, used to check that an
/// announced channel exists on chain (and to learn its capacity). `Send`, so that a
/// [`GossipHandler`](crate::routing::gossip::GossipHandler) holding one can live in a
/// multi-threaded runtime.
pub trait UtxoLookup: Send {
    /// The output `short_channel_id` points at on `chain_hash`.
    fn lookup_utxo(
        &mut self,
        chain_hash: &ChainHash,
        short_channel_id: ShortChannelId,
    ) -> UtxoResult;
}

/// Why a gossip message was not applied to the graph. Either way the graph is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GossipError {
    /// The message is for another chain.
    WrongChain,
    /// `node_id_1` is not strictly less than `node_id_2`.
    InvalidNodeOrder,
    /// The channel requires features we do not understand.
    UnknownRequiredFeatures,
    /// The channel is already known.
    DuplicateChannel,
    /// A signature does not verify.
    BadSignature(GossipSignatureError),
    /// The funding output does not exist or is spent.
    FundingOutputMissing,
    /// The funding output does not pay to the 2-of-2 of the announced bitcoin keys.
    FundingScriptMismatch,
    /// A `node_announcement` for a node with no known channel.
    UnknownNode,
    /// A `channel_update` for a channel with no known announcement.
    UnknownChannel,
    /// The message is not newer than what we have.
    Outdated,
    /// The timestamp is more than a day in the future.
    TimestampInFuture,
    /// The timestamp is older than two weeks.
    TimestampTooOld,
    /// The update lacks `htlc_maximum_msat` (`must_be_one` clear).
    MissingHtlcMaximum,
    /// `htlc_minimum_msat` is above `htlc_maximum_msat`.
    InvalidHtlcRange,
    /// `htlc_maximum_msat` is above the channel's capacity.
    HtlcMaximumAboveCapacity,
}

impl GossipError {
    /// Whether the error proves the sender relayed invalid data (as opposed to merely old or
    /// early data, which honest peers send too).
    pub fn is_misbehaviour(&self) -> bool {
        matches!(
            self,
            GossipError::InvalidNodeOrder
                | GossipError::BadSignature(_)
                | GossipError::FundingScriptMismatch
                | GossipError::HtlcMaximumAboveCapacity
                | GossipError::InvalidHtlcRange
        )
    }
}

impl fmt::Display for GossipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GossipError::WrongChain => f.write_str("gossip for another chain"),
            GossipError::InvalidNodeOrder => f.write_str("node ids not in increasing order"),
            GossipError::UnknownRequiredFeatures => {
                f.write_str("channel requires unknown features")
            }
            GossipError::DuplicateChannel => f.write_str("channel already known"),
            GossipError::BadSignature(which) => write!(f, "{which}"),
            GossipError::FundingOutputMissing => f.write_str("funding output missing or spent"),
            GossipError::FundingScriptMismatch => {
                f.write_str("funding output does not match the bitcoin keys")
            }
            GossipError::UnknownNode => f.write_str("node has no known channel"),
            GossipError::UnknownChannel => f.write_str("update for an unknown channel"),
            GossipError::Outdated => f.write_str("not newer than what we have"),
            GossipError::TimestampInFuture => f.write_str("timestamp too far in the future"),
            GossipError::TimestampTooOld => f.write_str("timestamp older than two weeks"),
            GossipError::MissingHtlcMaximum => f.write_str("update lacks htlc_maximum_msat"),
            GossipError::InvalidHtlcRange => f.write_str("htlc_minimum above htlc_maximum"),
            GossipError::HtlcMaximumAboveCapacity => {
                f.write_str("htlc_maximum_msat above the channel capacity")
            }
        }
    }
}

impl core::error::Error for GossipError {}

/// The `timestamp` of a stored `node_announcement` (after the signature and the features).
fn stored_timestamp(bytes: &[u8]) -> Option<u32> {
    let features_len = usize::from(u16::from_be_bytes(bytes.get(64..66)?.try_into().ok()?));
    let at = 66usize.checked_add(features_len)?;
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn to_secs(now_secs: u64) -> u32 {
    u32::try_from(now_secs).unwrap_or(u32::MAX)
}

impl NetworkGraph {
    /// Checks and adds a `channel_announcement`: right chain, ordered node ids, no unknown
    /// required feature, not already known, four valid signatures, and (when `utxo_lookup` is
    /// given) an unspent funding output paying to the bitcoin keys, whose value becomes the
    /// capacity. `now_secs` is when we learned it (for pruning).
    pub fn handle_channel_announcement<C: Verification>(
        &mut self,
        secp: &Secp256k1<C>,
        msg: &ChannelAnnouncement,
        utxo_lookup: Option<&mut dyn UtxoLookup>,
        now_secs: u64,
    ) -> Result<(), GossipError> {
        if msg.chain_hash != self.chain_hash() {
            return Err(GossipError::WrongChain);
        }
        let ends = [
            NodeKey::from_pubkey(&msg.node_id_1),
            NodeKey::from_pubkey(&msg.node_id_2),
        ];
        if ends[0] >= ends[1] {
            return Err(GossipError::InvalidNodeOrder);
        }
        if msg.features.unknown_bits().any(|bit| bit % 2 == 0) {
            return Err(GossipError::UnknownRequiredFeatures);
        }
        if self.channel_entry(msg.short_channel_id.0).is_some() {
            return Err(GossipError::DuplicateChannel);
        }
        msg.verify_signatures(secp)
            .map_err(GossipError::BadSignature)?;
        let capacity_sat = match utxo_lookup {
            None => 0,
            Some(lookup) => match lookup.lookup_utxo(&msg.chain_hash, msg.short_channel_id) {
                UtxoResult::Missing => return Err(GossipError::FundingOutputMissing),
                UtxoResult::Unspent(output) => {
                    let expected = funding_script_pubkey(&msg.bitcoin_key_1, &msg.bitcoin_key_2);
                    if output.script_pubkey != expected {
                        return Err(GossipError::FundingScriptMismatch);
                    }
                    output.value.to_sat()
                }
            },
        };
        let proof = self.keep_proofs().then(|| {
            Box::new(ChannelProof::new(
                [
                    msg.node_signature_1,
                    msg.node_signature_2,
                    msg.bitcoin_signature_1,
                    msg.bitcoin_signature_2,
                ],
                [
                    NodeKey::from_pubkey(&msg.bitcoin_key_1),
                    NodeKey::from_pubkey(&msg.bitcoin_key_2),
                ],
                &msg.features.to_wire_bytes(),
                &msg.excess_data,
            ))
        });
        let entry = ChannelEntry {
            short_channel_id: msg.short_channel_id.0,
            node_one: 0,
            node_two: 0,
            added_at: to_secs(now_secs),
            capacity_sat,
            policies: [None, None],
            proof,
        };
        self.insert_channel(entry, ends);
        Ok(())
    }

    /// Checks and stores a `node_announcement`: the node has a known channel, the timestamp is
    /// newer than the one we have, and the signature is valid.
    pub fn handle_node_announcement<C: Verification>(
        &mut self,
        secp: &Secp256k1<C>,
        msg: &NodeAnnouncement,
    ) -> Result<(), GossipError> {
        let slot = self
            .node_slot(&NodeKey::from_pubkey(&msg.node_id))
            .ok_or(GossipError::UnknownNode)?;
        let node = self.node_entry_mut(slot);
        if node
            .announcement
            .as_deref()
            .and_then(stored_timestamp)
            .is_some_and(|old| old >= msg.timestamp)
        {
            return Err(GossipError::Outdated);
        }
        msg.verify_signature(secp)
            .map_err(GossipError::BadSignature)?;
        self.node_entry_mut(slot).announcement = Some(msg.encode_to_vec().into_boxed_slice());
        Ok(())
    }

    /// Checks and applies a `channel_update`: known channel, `htlc_maximum_msat` present, not
    /// above the capacity and not below `htlc_minimum_msat`, timestamp newer than the
    /// direction's last one and within two weeks before / a day after `now_secs`, and signed
    /// by the direction's node.
    pub fn handle_channel_update<C: Verification>(
        &mut self,
        secp: &Secp256k1<C>,
        msg: &ChannelUpdate,
        now_secs: u64,
    ) -> Result<(), GossipError> {
        if msg.chain_hash != self.chain_hash() {
            return Err(GossipError::WrongChain);
        }
        let entry = self
            .channel_entry(msg.short_channel_id.0)
            .ok_or(GossipError::UnknownChannel)?;
        let direction = usize::from(msg.direction());
        if entry.policies[direction].is_some_and(|old| old.last_update >= msg.timestamp) {
            return Err(GossipError::Outdated);
        }
        let timestamp = u64::from(msg.timestamp);
        if timestamp > now_secs.saturating_add(MAX_FUTURE_SECS) {
            return Err(GossipError::TimestampInFuture);
        }
        if timestamp < now_secs.saturating_sub(u64::from(super::STALE_CHANNEL_AGE_SECS)) {
            return Err(GossipError::TimestampTooOld);
        }
        if !msg.must_be_one() {
            return Err(GossipError::MissingHtlcMaximum);
        }
        if msg.htlc_minimum_msat > msg.htlc_maximum_msat {
            return Err(GossipError::InvalidHtlcRange);
        }
        if entry
            .capacity_msat()
            .is_some_and(|capacity| msg.htlc_maximum_msat > capacity)
        {
            return Err(GossipError::HtlcMaximumAboveCapacity);
        }
        let origin = if direction == 0 {
            entry.node_one
        } else {
            entry.node_two
        };
        let origin_key = self
            .node_key(origin)
            .to_pubkey()
            .ok_or(GossipError::BadSignature(GossipSignatureError::Signature))?;
        msg.verify_signature(secp, &origin_key)
            .map_err(GossipError::BadSignature)?;
        let policy = ChannelPolicy {
            fees: RoutingFees {
                base_msat: msg.fee_base_msat,
                proportional_millionths: msg.fee_proportional_millionths,
            },
            htlc_minimum_msat: msg.htlc_minimum_msat,
            htlc_maximum_msat: msg.htlc_maximum_msat,
            last_update: msg.timestamp,
            cltv_expiry_delta: msg.cltv_expiry_delta,
            enabled: !msg.is_disabled(),
        };
        // The entry exists: it was found above and nothing removed it since.
        if let Some(entry) = self.channel_entry_mut(msg.short_channel_id.0) {
            entry.policies[direction] = Some(policy);
            if let Some(proof) = entry.proof.as_mut() {
                let update = UpdateProof {
                    signature: msg.signature,
                    message_flags: msg.message_flags,
                    channel_flags: msg.channel_flags,
                };
                proof.set_update(direction, update, &msg.excess_data);
            }
        }
        Ok(())
    }

    /// The `channel_announcement` of `short_channel_id`, rebuilt from the kept proof (`None`
    /// if unknown or the graph keeps no proofs).
    pub fn channel_announcement(
        &self,
        short_channel_id: ShortChannelId,
    ) -> Option<ChannelAnnouncement> {
        let entry = self.channel_entry(short_channel_id.0)?;
        let proof = entry.proof.as_deref()?;
        Some(ChannelAnnouncement {
            node_signature_1: proof.signatures[0],
            node_signature_2: proof.signatures[1],
            bitcoin_signature_1: proof.signatures[2],
            bitcoin_signature_2: proof.signatures[3],
            features: ChannelFeatures::from_wire_bytes(proof.features()),
            chain_hash: self.chain_hash(),
            short_channel_id,
            node_id_1: self.node_key(entry.node_one).to_pubkey()?,
            node_id_2: self.node_key(entry.node_two).to_pubkey()?,
            bitcoin_key_1: proof.bitcoin_keys[0].to_pubkey()?,
            bitcoin_key_2: proof.bitcoin_keys[1].to_pubkey()?,
            excess_data: proof.excess_data().to_vec(),
        })
    }

    /// The latest `channel_update` of `short_channel_id` in `direction` (0 or 1), rebuilt
    /// from the kept proof (`None` if unknown or not kept).
    pub fn channel_update(
        &self,
        short_channel_id: ShortChannelId,
        direction: u8,
    ) -> Option<ChannelUpdate> {
        let entry = self.channel_entry(short_channel_id.0)?;
        let index = usize::from(direction & 1);
        let policy = entry.policies[index]?;
        let proof = entry.proof.as_deref()?;
        let update = proof.updates[index].as_ref()?;
        Some(ChannelUpdate {
            signature: update.signature,
            chain_hash: self.chain_hash(),
            short_channel_id,
            timestamp: policy.last_update,
            message_flags: update.message_flags,
            channel_flags: update.channel_flags,
            cltv_expiry_delta: policy.cltv_expiry_delta,
            htlc_minimum_msat: policy.htlc_minimum_msat,
            fee_base_msat: policy.fees.base_msat,
            fee_proportional_millionths: policy.fees.proportional_millionths,
            htlc_maximum_msat: policy.htlc_maximum_msat,
            excess_data: proof.update_excess(index).to_vec(),
        })
    }
}
