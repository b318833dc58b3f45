//! BOLT 2 `channel_reestablish`: resynchronising a channel after a reconnection.

use alloc::vec::Vec;

use bitcoin::Txid;
use secp256k1::PublicKey;

use super::codec::{Decode, DecodeError, Encode, Reader};
use super::types::ChannelId;

/// A funding transaction and the messages to retransmit for it: the value of the
/// `next_funding` and `my_current_funding_locked` TLVs (a `sha256` txid then a flags byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FundingRetransmit {
    /// The funding (or splice) transaction id.
    pub txid: Txid,
    /// The `retransmit_flags` bit field; see the constants on [`ChannelReestablish`].
    pub retransmit_flags: u8,
}

impl Encode for FundingRetransmit {
    fn encode(&self, out: &mut Vec<u8>) {
        self.txid.encode(out);
        self.retransmit_flags.encode(out);
    }
}

impl Decode for FundingRetransmit {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(FundingRetransmit {
            txid: r.decode()?,
            retransmit_flags: r.decode()?,
        })
    }
}

tlv_message! {
    /// `channel_reestablish` (type 136): sent for each channel after reconnecting, before any
    /// other message for that channel, so both sides can retransmit what the other missed.
    pub struct ChannelReestablish = 136 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The commitment number of the next `commitment_signed` the sender expects.
        pub next_commitment_number: u64,
        /// The commitment number of the next `revoke_and_ack` the sender expects.
        pub next_revocation_number: u64,
        /// The last `per_commitment_secret` received, or zeroes if `next_revocation_number`
        /// is 0.
        pub your_last_per_commitment_secret: [u8; 32],
        /// The sender's current per-commitment point.
        pub my_current_per_commitment_point: PublicKey,
    }
    tlvs {
        /// TLV 1 `next_funding`: an interactive transaction the sender signed but has no
        /// `tx_signatures` for; flag [`ChannelReestablish::RETRANSMIT_COMMITMENT_SIGNED`].
        1 => pub next_funding: Option<FundingRetransmit>,
        /// TLV 5 `my_current_funding_locked`: the latest funding transaction the sender sent
        /// `channel_ready`/`splice_locked` for; flag
        /// [`ChannelReestablish::RETRANSMIT_ANNOUNCEMENT_SIGNATURES`].
        5 => pub my_current_funding_locked: Option<FundingRetransmit>,
    }
}

impl ChannelReestablish {
    /// `next_funding.retransmit_flags` bit 0: please retransmit `commitment_signed`.
    pub const RETRANSMIT_COMMITMENT_SIGNED: u8 = 1;
    /// `my_current_funding_locked.retransmit_flags` bit 0: please retransmit
    /// `announcement_signatures`.
    pub const RETRANSMIT_ANNOUNCEMENT_SIGNATURES: u8 = 1;
}
