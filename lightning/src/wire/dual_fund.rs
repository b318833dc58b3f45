//! BOLT 2 channel establishment v2 (`option_dual_fund`): `open_channel2` and
//! `accept_channel2`. Interactive construction of the funding transaction follows (see
//! [`interactive`](super::interactive)).

use alloc::vec::Vec;

use bitcoin::ScriptBuf;
use secp256k1::PublicKey;

use super::codec::{Decode, DecodeError, Encode, Reader};
use super::features::ChannelTypeFeatures;
use super::tlv::{read_tlv_stream, TlvWriter, UnknownTlv};
use super::types::ChannelId;
use super::ChainHash;

/// The TLV records of `open_channel2` (`opening_tlvs`) and `accept_channel2` (`accept_tlvs`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DualFundingTlvs {
    /// TLV 0 `upfront_shutdown_script`: where the sender's funds must go on a mutual close.
    pub upfront_shutdown_script: Option<ScriptBuf>,
    /// TLV 1 `channel_type`: the commitment format proposed or accepted.
    pub channel_type: Option<ChannelTypeFeatures>,
    /// TLV 2 `require_confirmed_inputs`: the receiver may only contribute confirmed inputs.
    pub require_confirmed_inputs: bool,
    /// Unknown odd TLV records, written back on encode.
    pub unknown_tlvs: Vec<UnknownTlv>,
}

impl Encode for DualFundingTlvs {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut tlvs = TlvWriter::new(out, &self.unknown_tlvs);
        if let Some(script) = &self.upfront_shutdown_script {
            tlvs.write_bytes(0, script.as_bytes());
        }
        if let Some(channel_type) = &self.channel_type {
            tlvs.write_bytes(1, &channel_type.to_wire_bytes());
        }
        if self.require_confirmed_inputs {
            tlvs.write_bytes(2, &[]);
        }
        tlvs.finish();
    }
}

/// Reads the TLV stream that fills the rest of the reader.
impl Decode for DualFundingTlvs {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut tlvs = DualFundingTlvs::default();
        tlvs.unknown_tlvs = read_tlv_stream(r, |record_type, value| {
            match record_type {
                0 => {
                    let script = value.read_remaining().to_vec();
                    tlvs.upfront_shutdown_script = Some(ScriptBuf::from_bytes(script));
                }
                1 => {
                    let bytes = value.read_remaining();
                    tlvs.channel_type = Some(ChannelTypeFeatures::from_wire_bytes(bytes));
                }
                // A flag: any value bytes are left unread and fail the stream.
                2 => tlvs.require_confirmed_inputs = true,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(tlvs)
    }
}

fixed_message! {
    /// `open_channel2` (type 64): the opener proposes a dual-funded channel. The accepter
    /// answers with `accept_channel2`, then both build the funding transaction interactively.
    pub struct OpenChannel2 = 64 {
        /// The chain the channel lives on (genesis hash).
        pub chain_hash: ChainHash,
        /// Derived from the opener's revocation basepoint (and a zero point), per BOLT 2.
        pub temporary_channel_id: ChannelId,
        /// The funding transaction's fee rate, satoshi per 1000 weight.
        pub funding_feerate_perkw: u32,
        /// The first commitment's fee rate, satoshi per 1000 weight.
        pub commitment_feerate_perkw: u32,
        /// The opener's contribution in satoshis.
        pub funding_satoshis: u64,
        /// Outputs below this many satoshis are not created in the sender's transactions.
        pub dust_limit_satoshis: u64,
        /// Cap on the value of HTLCs the accepter may have outstanding towards the sender.
        pub max_htlc_value_in_flight_msat: u64,
        /// The smallest HTLC the sender accepts.
        pub htlc_minimum_msat: u64,
        /// Blocks the accepter's to-self outputs are delayed by.
        pub to_self_delay: u16,
        /// How many HTLCs the accepter may offer at once.
        pub max_accepted_htlcs: u16,
        /// The funding transaction's locktime.
        pub locktime: u32,
        /// The sender's key in the 2-of-2 funding output.
        pub funding_pubkey: PublicKey,
        /// The sender's revocation basepoint.
        pub revocation_basepoint: PublicKey,
        /// The sender's payment basepoint.
        pub payment_basepoint: PublicKey,
        /// The sender's delayed payment basepoint.
        pub delayed_payment_basepoint: PublicKey,
        /// The sender's HTLC basepoint.
        pub htlc_basepoint: PublicKey,
        /// The sender's per-commitment point for the first commitment.
        pub first_per_commitment_point: PublicKey,
        /// The sender's per-commitment point for the second commitment.
        pub second_per_commitment_point: PublicKey,
        /// Bit 0 asks for the channel to be announced.
        pub channel_flags: u8,
        /// The TLV extension (`opening_tlvs`).
        pub tlvs: DualFundingTlvs,
    }
}

fixed_message! {
    /// `accept_channel2` (type 65): the accepter agrees to a dual-funded channel.
    pub struct AcceptChannel2 = 65 {
        /// The `temporary_channel_id` of the `open_channel2`.
        pub temporary_channel_id: ChannelId,
        /// The accepter's contribution in satoshis.
        pub funding_satoshis: u64,
        /// Outputs below this many satoshis are not created in the sender's transactions.
        pub dust_limit_satoshis: u64,
        /// Cap on the value of HTLCs the opener may have outstanding towards the sender.
        pub max_htlc_value_in_flight_msat: u64,
        /// The smallest HTLC the sender accepts.
        pub htlc_minimum_msat: u64,
        /// Confirmations the sender waits for before `channel_ready`.
        pub minimum_depth: u32,
        /// Blocks the opener's to-self outputs are delayed by.
        pub to_self_delay: u16,
        /// How many HTLCs the opener may offer at once.
        pub max_accepted_htlcs: u16,
        /// The sender's key in the 2-of-2 funding output.
        pub funding_pubkey: PublicKey,
        /// The sender's revocation basepoint.
        pub revocation_basepoint: PublicKey,
        /// The sender's payment basepoint.
        pub payment_basepoint: PublicKey,
        /// The sender's delayed payment basepoint.
        pub delayed_payment_basepoint: PublicKey,
        /// The sender's HTLC basepoint.
        pub htlc_basepoint: PublicKey,
        /// The sender's per-commitment point for the first commitment.
        pub first_per_commitment_point: PublicKey,
        /// The sender's per-commitment point for the second commitment.
        pub second_per_commitment_point: PublicKey,
        /// The TLV extension (`accept_tlvs`).
        pub tlvs: DualFundingTlvs,
    }
}
