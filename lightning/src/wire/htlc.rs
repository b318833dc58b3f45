//! BOLT 2 normal-operation messages: `update_add_htlc`, `update_fulfill_htlc`,
//! `update_fail_htlc`, `update_fail_malformed_htlc`, `commitment_signed`, `revoke_and_ack`
//! and `update_fee`.

use alloc::boxed::Box;
use alloc::vec::Vec;

use bitcoin::Txid;
use secp256k1::ecdsa::Signature;
use secp256k1::PublicKey;

use super::codec::{Decode, DecodeError, Encode, Reader};
use super::types::{ChannelId, PaymentHash, PaymentPreimage};

/// The size of the BOLT 4 onion packet carried by `update_add_htlc`.
pub const ONION_PACKET_LEN: usize = 1366;

tlv_message! {
    /// `update_add_htlc` (type 128): offers an HTLC to the receiver.
    pub struct UpdateAddHtlc = 128 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The HTLC id: the sender's counter, starting at 0 and incremented by one per offer.
        pub id: u64,
        /// The amount offered.
        pub amount_msat: u64,
        /// The hash the HTLC is locked to.
        pub payment_hash: PaymentHash,
        /// The absolute block height at which the HTLC times out.
        pub cltv_expiry: u32,
        /// The BOLT 4 onion packet (version, public key, hop payloads, HMAC), kept raw.
        pub onion_routing_packet: Box<[u8; ONION_PACKET_LEN]>,
    }
    tlvs {
        /// TLV 0 `blinded_path`: the `path_key` the receiver needs to decrypt its blinded hop
        /// data.
        0 => pub path_key: Option<PublicKey>,
    }
}

/// How many hops attribution data covers.
pub const ATTRIBUTION_MAX_HOPS: usize = 20;
/// How many truncated HMACs attribution data holds (20 + 19 + ... + 1).
pub const ATTRIBUTION_HMAC_COUNT: usize = 210;

/// The `attribution_data` TLV of `update_fulfill_htlc`/`update_fail_htlc` (BOLT 4
/// attributable failures): per-hop hold times and truncated HMACs, 920 bytes on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AttributionData {
    /// Hold time reported by each hop, in units of 100 milliseconds.
    pub htlc_hold_times: [u32; ATTRIBUTION_MAX_HOPS],
    /// The first 4 bytes of each HMAC.
    pub truncated_hmacs: [[u8; 4]; ATTRIBUTION_HMAC_COUNT],
}

impl Default for AttributionData {
    fn default() -> Self {
        AttributionData {
            htlc_hold_times: [0; ATTRIBUTION_MAX_HOPS],
            truncated_hmacs: [[0; 4]; ATTRIBUTION_HMAC_COUNT],
        }
    }
}

impl Encode for AttributionData {
    fn encode(&self, out: &mut Vec<u8>) {
        for hold_time in &self.htlc_hold_times {
            hold_time.encode(out);
        }
        for hmac in &self.truncated_hmacs {
            out.extend_from_slice(hmac);
        }
    }
}

impl Decode for AttributionData {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut data = AttributionData::default();
        for hold_time in &mut data.htlc_hold_times {
            *hold_time = r.decode()?;
        }
        for hmac in &mut data.truncated_hmacs {
            *hmac = r.read_array()?;
        }
        Ok(data)
    }
}

tlv_message! {
    /// `update_fulfill_htlc` (type 130): settles an HTLC by revealing its preimage.
    pub struct UpdateFulfillHtlc = 130 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The id of the HTLC being settled.
        pub id: u64,
        /// The preimage of the HTLC's payment hash.
        pub payment_preimage: PaymentPreimage,
    }
    tlvs {
        /// TLV 1 `attribution_data`.
        1 => pub attribution_data: Option<Box<AttributionData>>,
    }
}

tlv_message! {
    /// `update_fail_htlc` (type 131): fails an HTLC, with an onion-encrypted reason for the
    /// payer.
    pub struct UpdateFailHtlc = 131 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The id of the HTLC being failed.
        pub id: u64,
        /// The encrypted failure message (BOLT 4), opaque to this hop (u16 length-prefixed).
        pub reason: Vec<u8>,
    }
    tlvs {
        /// TLV 1 `attribution_data`.
        1 => pub attribution_data: Option<Box<AttributionData>>,
    }
}

fixed_message! {
    /// `update_fail_malformed_htlc` (type 135): fails an HTLC whose onion the receiver could
    /// not parse; the previous hop turns it into an `update_fail_htlc`.
    pub struct UpdateFailMalformedHtlc = 135 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The id of the HTLC being failed.
        pub id: u64,
        /// SHA256 of the onion packet as received.
        pub sha256_of_onion: [u8; 32],
        /// The BOLT 4 failure code; the `BADONION` bit must be set.
        pub failure_code: u16,
    }
}

tlv_message! {
    /// `commitment_signed` (type 132): signs the receiver's next commitment transaction and
    /// its HTLC transactions.
    pub struct CommitmentSigned = 132 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The signature of the commitment transaction.
        pub signature: Signature,
        /// One signature per HTLC output, in commitment output order (BOLT 3); a u16 count
        /// on the wire.
        pub htlc_signatures: Vec<Signature>,
    }
    tlvs {
        /// TLV 1 `funding_txid`: the funding transaction this commitment spends (splicing).
        1 => pub funding_txid: Option<Txid>,
    }
}

fixed_message! {
    /// `revoke_and_ack` (type 133): revokes the sender's previous commitment and gives the
    /// point for its next one.
    pub struct RevokeAndAck = 133 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The secret of the commitment being revoked.
        pub per_commitment_secret: [u8; 32],
        /// The sender's per-commitment point for the commitment after next.
        pub next_per_commitment_point: PublicKey,
    }
}

fixed_message! {
    /// `update_fee` (type 134): the channel opener changes the commitment fee rate.
    pub struct UpdateFee = 134 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The new fee rate, satoshi per 1000 weight.
        pub feerate_per_kw: u32,
    }
}
