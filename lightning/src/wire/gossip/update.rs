//! `channel_update`: one direction's relay policy for a channel.

use alloc::vec::Vec;

use secp256k1::ecdsa::Signature;
use secp256k1::{PublicKey, Secp256k1, Verification};

use super::announcement::{double_sha256, signature_valid, GossipSignatureError};
use crate::wire::codec::{Decode, DecodeError, Encode, Reader, WireMessage};
use crate::wire::types::ShortChannelId;
use crate::wire::ChainHash;

/// `channel_update` (type 258): the fees, CLTV delta and HTLC limits one end of a channel
/// applies when relaying in its direction, signed by that end's node key.
///
/// `channel_flags` bit 0 is the direction (0: from `node_id_1`, 1: from `node_id_2`), bit 1
/// disables the channel. `message_flags` bit 0 must be one, bit 1 is `dont_forward`. Read them
/// with the accessors; build them with the `*_FLAG_*` constants. A receiver finds the signing
/// key from the matching `channel_announcement` (see [`ChannelUpdate::direction`]) and calls
/// [`ChannelUpdate::verify_signature`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelUpdate {
    /// The origin node's signature of the double-SHA256 of everything after it.
    pub signature: Signature,
    /// The chain the channel lives on.
    pub chain_hash: ChainHash,
    /// The channel (its real id, or an alias for unannounced channels).
    pub short_channel_id: ShortChannelId,
    /// Strictly increasing per channel direction (usually UNIX seconds).
    pub timestamp: u32,
    /// `must_be_one` (bit 0) and `dont_forward` (bit 1).
    pub message_flags: u8,
    /// `direction` (bit 0) and `disable` (bit 1).
    pub channel_flags: u8,
    /// Blocks the origin subtracts from an incoming HTLC's `cltv_expiry`.
    pub cltv_expiry_delta: u16,
    /// The smallest HTLC the origin relays, in millisatoshis.
    pub htlc_minimum_msat: u64,
    /// The base fee in millisatoshis.
    pub fee_base_msat: u32,
    /// The proportional fee in millionths.
    pub fee_proportional_millionths: u32,
    /// The largest HTLC the origin relays, in millisatoshis.
    pub htlc_maximum_msat: u64,
    /// Bytes after the known fields (future fields), covered by the signature.
    pub excess_data: Vec<u8>,
}

impl ChannelUpdate {
    /// `message_flags` bit 0, `must_be_one`: always set by senders, ignored by receivers.
    pub const MESSAGE_FLAG_MUST_BE_ONE: u8 = 1 << 0;
    /// `message_flags` bit 1, `dont_forward`: the update is for the channel peer only.
    pub const MESSAGE_FLAG_DONT_FORWARD: u8 = 1 << 1;
    /// `channel_flags` bit 0, `direction`: set when the origin is `node_id_2`.
    pub const CHANNEL_FLAG_DIRECTION: u8 = 1 << 0;
    /// `channel_flags` bit 1, `disable`: the channel is not usable in this direction.
    pub const CHANNEL_FLAG_DISABLE: u8 = 1 << 1;

    /// The direction bit: 0 if the origin is `node_id_1`, 1 if it is `node_id_2`.
    pub fn direction(&self) -> u8 {
        self.channel_flags & Self::CHANNEL_FLAG_DIRECTION
    }

    /// Whether the origin is `node_id_2` of the channel announcement.
    pub fn is_from_node_2(&self) -> bool {
        self.direction() == 1
    }

    /// Whether the `disable` bit is set.
    pub fn is_disabled(&self) -> bool {
        self.channel_flags & Self::CHANNEL_FLAG_DISABLE != 0
    }

    /// Whether the `must_be_one` bit is set (it should always be).
    pub fn must_be_one(&self) -> bool {
        self.message_flags & Self::MESSAGE_FLAG_MUST_BE_ONE != 0
    }

    /// Whether the `dont_forward` bit is set: the update must not be relayed.
    pub fn dont_forward(&self) -> bool {
        self.message_flags & Self::MESSAGE_FLAG_DONT_FORWARD != 0
    }

    /// The bytes the signature covers: everything after `signature`.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_signed_part(&mut out);
        out
    }

    /// The double-SHA256 of [`ChannelUpdate::signed_bytes`]: what the origin signs.
    pub fn message_hash(&self) -> [u8; 32] {
        double_sha256(&self.signed_bytes())
    }

    /// Checks `signature` against `node_id`, the origin's key: `node_id_1` of the channel
    /// announcement if [`ChannelUpdate::direction`] is 0, `node_id_2` otherwise.
    pub fn verify_signature<C: Verification>(
        &self,
        secp: &Secp256k1<C>,
        node_id: &PublicKey,
    ) -> Result<(), GossipSignatureError> {
        if signature_valid(secp, self.message_hash(), &self.signature, node_id) {
            Ok(())
        } else {
            Err(GossipSignatureError::Signature)
        }
    }

    /// The checksum of `reply_channel_range`'s `checksums_tlv`: CRC32C (RFC 3720) of the update
    /// without its `signature` and `timestamp` (the fixed fields from `chain_hash` to
    /// `htlc_maximum_msat`; excess data is not included).
    pub fn checksum(&self) -> u32 {
        let mut bytes = Vec::with_capacity(32 + 8 + 2 + 2 + 8 + 4 + 4 + 8);
        self.chain_hash.encode(&mut bytes);
        self.short_channel_id.encode(&mut bytes);
        self.encode_policy(&mut bytes);
        crc32c(&bytes)
    }

    /// The fields from `message_flags` to `htlc_maximum_msat`.
    fn encode_policy(&self, out: &mut Vec<u8>) {
        self.message_flags.encode(out);
        self.channel_flags.encode(out);
        self.cltv_expiry_delta.encode(out);
        self.htlc_minimum_msat.encode(out);
        self.fee_base_msat.encode(out);
        self.fee_proportional_millionths.encode(out);
        self.htlc_maximum_msat.encode(out);
    }

    fn encode_signed_part(&self, out: &mut Vec<u8>) {
        self.chain_hash.encode(out);
        self.short_channel_id.encode(out);
        self.timestamp.encode(out);
        self.encode_policy(out);
        out.extend_from_slice(&self.excess_data);
    }
}

impl WireMessage for ChannelUpdate {
    const TYPE: u16 = 258;
}

impl Encode for ChannelUpdate {
    fn encode(&self, out: &mut Vec<u8>) {
        self.signature.encode(out);
        self.encode_signed_part(out);
    }
}

impl Decode for ChannelUpdate {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ChannelUpdate {
            signature: r.decode()?,
            chain_hash: r.decode()?,
            short_channel_id: r.decode()?,
            timestamp: r.decode()?,
            message_flags: r.decode()?,
            channel_flags: r.decode()?,
            cltv_expiry_delta: r.decode()?,
            htlc_minimum_msat: r.decode()?,
            fee_base_msat: r.decode()?,
            fee_proportional_millionths: r.decode()?,
            htlc_maximum_msat: r.decode()?,
            excess_data: r.read_remaining().to_vec(),
        })
    }
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit: updates are short.
fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0x82F6_3B78 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::crc32c;

    #[test]
    fn crc32c_check_values() {
        // The standard check value of CRC-32C, and RFC 3720 B.4's 32 zero bytes.
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xffu8; 32]), 0x62A8_AB43);
    }
}
