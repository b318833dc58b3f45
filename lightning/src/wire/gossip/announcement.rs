//! `announcement_signatures`, `channel_announcement` and `node_announcement`.

use alloc::vec::Vec;
use core::fmt;

use bitcoin::hashes::{sha256d, Hash};
use secp256k1::ecdsa::Signature;
use secp256k1::{Message as SecpMessage, PublicKey, Secp256k1, Verification};

use super::address::{decode_addresses, AddressDescriptor};
use crate::wire::codec::{encode_u16_prefixed, Decode, DecodeError, Encode, Reader, WireMessage};
use crate::wire::features::{ChannelFeatures, NodeFeatures};
use crate::wire::types::{ChannelId, ShortChannelId};
use crate::wire::ChainHash;

fixed_message! {
    /// `announcement_signatures` (type 259): one end of a channel sends its two signatures of
    /// the `channel_announcement` (its node key's and its funding key's) to the other end.
    ///
    /// Once both ends have exchanged these, either can assemble and relay the
    /// [`ChannelAnnouncement`]. Verify them against
    /// [`ChannelAnnouncement::message_hash`] of the announcement being built.
    pub struct AnnouncementSignatures = 259 {
        /// The channel being announced.
        pub channel_id: ChannelId,
        /// Its confirmed funding output.
        pub short_channel_id: ShortChannelId,
        /// The sender's node key signature of the announcement hash.
        pub node_signature: Signature,
        /// The sender's funding key signature of the announcement hash.
        pub bitcoin_signature: Signature,
    }
}

/// Which signature of a gossip message failed to verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GossipSignatureError {
    /// `node_signature_1` of a `channel_announcement`.
    NodeSignature1,
    /// `node_signature_2` of a `channel_announcement`.
    NodeSignature2,
    /// `bitcoin_signature_1` of a `channel_announcement`.
    BitcoinSignature1,
    /// `bitcoin_signature_2` of a `channel_announcement`.
    BitcoinSignature2,
    /// The single `signature` of a `node_announcement` or `channel_update`.
    Signature,
}

impl fmt::Display for GossipSignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let which = match self {
            GossipSignatureError::NodeSignature1 => "node_signature_1",
            GossipSignatureError::NodeSignature2 => "node_signature_2",
            GossipSignatureError::BitcoinSignature1 => "bitcoin_signature_1",
            GossipSignatureError::BitcoinSignature2 => "bitcoin_signature_2",
            GossipSignatureError::Signature => "signature",
        };
        write!(f, "gossip {which} does not verify")
    }
}

impl core::error::Error for GossipSignatureError {}

/// The double-SHA256 that gossip signatures sign.
pub(super) fn double_sha256(bytes: &[u8]) -> [u8; 32] {
    sha256d::Hash::hash(bytes).to_byte_array()
}

/// Checks `signature` of `hash` by `key`. High-S signatures are accepted (normalised first):
/// relays may flip `s`, and BOLT 7 says that must not discredit the signer.
pub(super) fn signature_valid<C: Verification>(
    secp: &Secp256k1<C>,
    hash: [u8; 32],
    signature: &Signature,
    key: &PublicKey,
) -> bool {
    let mut normalized = *signature;
    normalized.normalize_s();
    secp.verify_ecdsa(&SecpMessage::from_digest(hash), &normalized, key)
        .is_ok()
}

/// `channel_announcement` (type 256): proves that two nodes own a funding output and are
/// willing to route through it.
///
/// Build the fields, hash them with [`ChannelAnnouncement::message_hash`], have each node sign
/// with its node key and funding key (exchanged in [`AnnouncementSignatures`]), then fill in the
/// signatures. A receiver calls [`ChannelAnnouncement::verify_signatures`] and checks the
/// funding output on chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelAnnouncement {
    /// `node_id_1`'s signature of the hash.
    pub node_signature_1: Signature,
    /// `node_id_2`'s signature of the hash.
    pub node_signature_2: Signature,
    /// `bitcoin_key_1`'s signature of the hash.
    pub bitcoin_signature_1: Signature,
    /// `bitcoin_key_2`'s signature of the hash.
    pub bitcoin_signature_2: Signature,
    /// The channel's features (minimal length on the wire).
    pub features: ChannelFeatures,
    /// The chain the channel lives on.
    pub chain_hash: ChainHash,
    /// The funding output.
    pub short_channel_id: ShortChannelId,
    /// The lexicographically lesser node key.
    pub node_id_1: PublicKey,
    /// The greater node key.
    pub node_id_2: PublicKey,
    /// `node_id_1`'s funding key.
    pub bitcoin_key_1: PublicKey,
    /// `node_id_2`'s funding key.
    pub bitcoin_key_2: PublicKey,
    /// Bytes after the known fields (future fields), covered by the signatures.
    pub excess_data: Vec<u8>,
}

impl ChannelAnnouncement {
    /// The bytes the signatures cover: the payload from offset 256 (after the four
    /// signatures) to the end, excess data included.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_signed_part(&mut out);
        out
    }

    /// The double-SHA256 of [`ChannelAnnouncement::signed_bytes`]: what all four keys sign.
    pub fn message_hash(&self) -> [u8; 32] {
        double_sha256(&self.signed_bytes())
    }

    /// Checks the four signatures against the four keys, reporting the first that fails.
    pub fn verify_signatures<C: Verification>(
        &self,
        secp: &Secp256k1<C>,
    ) -> Result<(), GossipSignatureError> {
        let hash = self.message_hash();
        let checks = [
            (
                &self.node_signature_1,
                &self.node_id_1,
                GossipSignatureError::NodeSignature1,
            ),
            (
                &self.node_signature_2,
                &self.node_id_2,
                GossipSignatureError::NodeSignature2,
            ),
            (
                &self.bitcoin_signature_1,
                &self.bitcoin_key_1,
                GossipSignatureError::BitcoinSignature1,
            ),
            (
                &self.bitcoin_signature_2,
                &self.bitcoin_key_2,
                GossipSignatureError::BitcoinSignature2,
            ),
        ];
        for (signature, key, error) in checks {
            if !signature_valid(secp, hash, signature, key) {
                return Err(error);
            }
        }
        Ok(())
    }

    fn encode_signed_part(&self, out: &mut Vec<u8>) {
        self.features.encode(out);
        self.chain_hash.encode(out);
        self.short_channel_id.encode(out);
        self.node_id_1.encode(out);
        self.node_id_2.encode(out);
        self.bitcoin_key_1.encode(out);
        self.bitcoin_key_2.encode(out);
        out.extend_from_slice(&self.excess_data);
    }
}

impl WireMessage for ChannelAnnouncement {
    const TYPE: u16 = 256;
}

impl Encode for ChannelAnnouncement {
    fn encode(&self, out: &mut Vec<u8>) {
        self.node_signature_1.encode(out);
        self.node_signature_2.encode(out);
        self.bitcoin_signature_1.encode(out);
        self.bitcoin_signature_2.encode(out);
        self.encode_signed_part(out);
    }
}

impl Decode for ChannelAnnouncement {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ChannelAnnouncement {
            node_signature_1: r.decode()?,
            node_signature_2: r.decode()?,
            bitcoin_signature_1: r.decode()?,
            bitcoin_signature_2: r.decode()?,
            features: r.decode()?,
            chain_hash: r.decode()?,
            short_channel_id: r.decode()?,
            node_id_1: r.decode()?,
            node_id_2: r.decode()?,
            bitcoin_key_1: r.decode()?,
            bitcoin_key_2: r.decode()?,
            excess_data: r.read_remaining().to_vec(),
        })
    }
}

/// `node_announcement` (type 257): a node's features, alias, color and addresses, signed by
/// its node key.
///
/// A receiver calls [`NodeAnnouncement::verify_signature`], and keeps it only if the node is
/// known from a `channel_announcement` and `timestamp` is newer than the last one.
///
/// Addresses: the descriptors we understand are in `addresses`; from the first descriptor of
/// an unknown type (or a DNS name that is not ASCII) on, the rest of the field is kept raw in
/// `unparsed_addresses`, as BOLT 7 says to stop there. Encoding writes both back, so the
/// signed bytes are unchanged.
///
/// Re-encoding is byte-exact when the sender used minimal `features` (as BOLT 7 asks); a
/// padded feature vector is normalised, so its signature would no longer verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeAnnouncement {
    /// `node_id`'s signature of the double-SHA256 of everything after it.
    pub signature: Signature,
    /// The node's features.
    pub features: NodeFeatures,
    /// Strictly increasing per node (usually UNIX seconds).
    pub timestamp: u32,
    /// The node.
    pub node_id: PublicKey,
    /// Red, green, blue.
    pub rgb_color: [u8; 3],
    /// A UTF-8 alias padded with zero bytes (see [`NodeAnnouncement::alias_text`]).
    pub alias: [u8; 32],
    /// The address descriptors understood, in the order sent.
    pub addresses: Vec<AddressDescriptor>,
    /// The rest of the `addresses` field from the first descriptor not understood.
    pub unparsed_addresses: Vec<u8>,
    /// Bytes after the known fields (future fields), covered by the signature.
    pub excess_data: Vec<u8>,
}

impl NodeAnnouncement {
    /// The bytes the signature covers: everything after `signature`.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_signed_part(&mut out);
        out
    }

    /// The double-SHA256 of [`NodeAnnouncement::signed_bytes`]: what `node_id` signs.
    pub fn message_hash(&self) -> [u8; 32] {
        double_sha256(&self.signed_bytes())
    }

    /// Checks `signature` against `node_id`.
    pub fn verify_signature<C: Verification>(
        &self,
        secp: &Secp256k1<C>,
    ) -> Result<(), GossipSignatureError> {
        if signature_valid(secp, self.message_hash(), &self.signature, &self.node_id) {
            Ok(())
        } else {
            Err(GossipSignatureError::Signature)
        }
    }

    /// The alias without its zero padding, if it is valid UTF-8. Sanitize before display.
    pub fn alias_text(&self) -> Option<&str> {
        let end = self
            .alias
            .iter()
            .rposition(|byte| *byte != 0)
            .map_or(0, |last| last + 1);
        core::str::from_utf8(&self.alias[..end]).ok()
    }

    fn encode_signed_part(&self, out: &mut Vec<u8>) {
        self.features.encode(out);
        self.timestamp.encode(out);
        self.node_id.encode(out);
        self.rgb_color.encode(out);
        self.alias.encode(out);
        let mut addresses = Vec::new();
        for address in &self.addresses {
            address.encode(&mut addresses);
        }
        addresses.extend_from_slice(&self.unparsed_addresses);
        encode_u16_prefixed(&addresses, out);
        out.extend_from_slice(&self.excess_data);
    }
}

impl WireMessage for NodeAnnouncement {
    const TYPE: u16 = 257;
}

impl Encode for NodeAnnouncement {
    fn encode(&self, out: &mut Vec<u8>) {
        self.signature.encode(out);
        self.encode_signed_part(out);
    }
}

impl Decode for NodeAnnouncement {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let signature = r.decode()?;
        let features = r.decode()?;
        let timestamp = r.decode()?;
        let node_id = r.decode()?;
        let rgb_color = r.decode()?;
        let alias = r.decode()?;
        let (addresses, unparsed_addresses) = decode_addresses(r.read_u16_prefixed()?)?;
        Ok(NodeAnnouncement {
            signature,
            features,
            timestamp,
            node_id,
            rgb_color,
            alias,
            addresses,
            unparsed_addresses,
            excess_data: r.read_remaining().to_vec(),
        })
    }
}
