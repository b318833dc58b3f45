//! BOLT 2 `channel_reestablish`: resynchronising a channel after a reconnection.

use alloc::vec::Vec;

use bitcoin::Txid;
use secp256k1::PublicKey;

use super::codec::{Decode, DecodeError, Encode, Reader, WireMessage};
use super::tlv::{read_tlv_stream, TlvWriter, UnknownTlv};
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

/// `channel_reestablish` (type 136): sent for each channel after reconnecting, before any
/// other message for that channel, so both sides can retransmit what the other missed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelReestablish {
    /// The channel.
    pub channel_id: ChannelId,
    /// The commitment number of the next `commitment_signed` the sender expects.
    pub next_commitment_number: u64,
    /// The commitment number of the next `revoke_and_ack` the sender expects.
    pub next_revocation_number: u64,
    /// The last `per_commitment_secret` received, or zeroes if `next_revocation_number` is 0.
    pub your_last_per_commitment_secret: [u8; 32],
    /// The sender's current per-commitment point.
    pub my_current_per_commitment_point: PublicKey,
    /// TLV 1 `next_funding`: an interactive transaction the sender signed but has no
    /// `tx_signatures` for; flag [`ChannelReestablish::RETRANSMIT_COMMITMENT_SIGNED`].
    pub next_funding: Option<FundingRetransmit>,
    /// TLV 5 `my_current_funding_locked`: the latest funding transaction the sender sent
    /// `channel_ready`/`splice_locked` for; flag
    /// [`ChannelReestablish::RETRANSMIT_ANNOUNCEMENT_SIGNATURES`].
    pub my_current_funding_locked: Option<FundingRetransmit>,
    /// Unknown odd TLV records, written back on encode.
    pub unknown_tlvs: Vec<UnknownTlv>,
}

impl ChannelReestablish {
    /// `next_funding.retransmit_flags` bit 0: please retransmit `commitment_signed`.
    pub const RETRANSMIT_COMMITMENT_SIGNED: u8 = 1;
    /// `my_current_funding_locked.retransmit_flags` bit 0: please retransmit
    /// `announcement_signatures`.
    pub const RETRANSMIT_ANNOUNCEMENT_SIGNATURES: u8 = 1;
}

impl WireMessage for ChannelReestablish {
    const TYPE: u16 = 136;
}

impl Encode for ChannelReestablish {
    fn encode(&self, out: &mut Vec<u8>) {
        self.channel_id.encode(out);
        self.next_commitment_number.encode(out);
        self.next_revocation_number.encode(out);
        self.your_last_per_commitment_secret.encode(out);
        self.my_current_per_commitment_point.encode(out);
        let mut tlvs = TlvWriter::new(out, &self.unknown_tlvs);
        if let Some(next_funding) = &self.next_funding {
            tlvs.write(1, next_funding);
        }
        if let Some(funding_locked) = &self.my_current_funding_locked {
            tlvs.write(5, funding_locked);
        }
        tlvs.finish();
    }
}

impl Decode for ChannelReestablish {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let channel_id = r.decode()?;
        let next_commitment_number = r.decode()?;
        let next_revocation_number = r.decode()?;
        let your_last_per_commitment_secret = r.decode()?;
        let my_current_per_commitment_point = r.decode()?;
        let mut next_funding = None;
        let mut my_current_funding_locked = None;
        let unknown_tlvs = read_tlv_stream(r, |record_type, value| {
            match record_type {
                1 => next_funding = Some(value.decode()?),
                5 => my_current_funding_locked = Some(value.decode()?),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(ChannelReestablish {
            channel_id,
            next_commitment_number,
            next_revocation_number,
            your_last_per_commitment_secret,
            my_current_per_commitment_point,
            next_funding,
            my_current_funding_locked,
            unknown_tlvs,
        })
    }
}
