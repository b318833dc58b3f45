//! BOLT 2 channel establishment, close and reestablish messages: `open_channel`,
//! `accept_channel`, `funding_created`, `funding_signed`, `channel_ready`, `shutdown`,
//! `closing_signed` and `channel_reestablish`.

use alloc::vec::Vec;

use bitcoin::{ScriptBuf, Txid};
use secp256k1::ecdsa::Signature;
use secp256k1::PublicKey;

use super::codec::{Decode, DecodeError, Encode, Reader, WireMessage};
use super::features::ChannelTypeFeatures;
use super::tlv::{read_tlv_stream, TlvWriter, UnknownTlv};
use super::types::{ChannelId, ShortChannelId};
use super::ChainHash;

/// The TLV records shared by `open_channel` and `accept_channel`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpeningTlvs {
    /// TLV 0 `upfront_shutdown_script`: where the sender's funds must go on a mutual close.
    /// With `option_upfront_shutdown_script` it is always sent, empty to opt out.
    pub upfront_shutdown_script: Option<ScriptBuf>,
    /// TLV 1 `channel_type`: the commitment format proposed (open) or accepted (accept).
    pub channel_type: Option<ChannelTypeFeatures>,
    /// Unknown odd TLV records, written back on encode.
    pub unknown_tlvs: Vec<UnknownTlv>,
}

impl Encode for OpeningTlvs {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut tlvs = TlvWriter::new(out, &self.unknown_tlvs);
        if let Some(script) = &self.upfront_shutdown_script {
            tlvs.write_bytes(0, script.as_bytes());
        }
        if let Some(channel_type) = &self.channel_type {
            tlvs.write_bytes(1, &channel_type.to_wire_bytes());
        }
        tlvs.finish();
    }
}

/// Reads the TLV stream that fills the rest of the reader.
impl Decode for OpeningTlvs {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut tlvs = OpeningTlvs::default();
        tlvs.unknown_tlvs = read_tlv_stream(r, |record_type, value| {
            let bytes = value.read_remaining();
            match record_type {
                0 => tlvs.upfront_shutdown_script = Some(ScriptBuf::from_bytes(bytes.to_vec())),
                1 => tlvs.channel_type = Some(ChannelTypeFeatures::from_wire_bytes(bytes)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(tlvs)
    }
}

/// The `channel_flags` bit asking for the channel to be announced (BOLT 2/7).
pub const CHANNEL_FLAG_ANNOUNCE_CHANNEL: u8 = 1;

/// `open_channel` (type 32): the funder proposes a channel and its parameters.
///
/// The fundee answers with `accept_channel` (or an `error`). The field docs give the spec's
/// meaning; the values are checked by the channel state machine, not by the codec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenChannel {
    /// The chain the channel lives on (genesis hash).
    pub chain_hash: ChainHash,
    /// A random id used until the funding transaction is known.
    pub temporary_channel_id: ChannelId,
    /// The funder's contribution in satoshis.
    pub funding_satoshis: u64,
    /// Millisatoshis given to the fundee at open.
    pub push_msat: u64,
    /// Outputs below this many satoshis are not created in the sender's transactions.
    pub dust_limit_satoshis: u64,
    /// Cap on the value of HTLCs the fundee may have outstanding towards the sender.
    pub max_htlc_value_in_flight_msat: u64,
    /// What the fundee must keep as a direct balance.
    pub channel_reserve_satoshis: u64,
    /// The smallest HTLC the sender accepts.
    pub htlc_minimum_msat: u64,
    /// Initial commitment fee rate, satoshi per 1000 weight.
    pub feerate_per_kw: u32,
    /// Blocks the fundee's to-self outputs are delayed by.
    pub to_self_delay: u16,
    /// How many HTLCs the fundee may offer at once.
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
    /// Bit 0 is [`CHANNEL_FLAG_ANNOUNCE_CHANNEL`]; the others are reserved.
    pub channel_flags: u8,
    /// The TLV extension.
    pub tlvs: OpeningTlvs,
}

impl WireMessage for OpenChannel {
    const TYPE: u16 = 32;
}

impl Encode for OpenChannel {
    fn encode(&self, out: &mut Vec<u8>) {
        self.chain_hash.encode(out);
        self.temporary_channel_id.encode(out);
        self.funding_satoshis.encode(out);
        self.push_msat.encode(out);
        self.dust_limit_satoshis.encode(out);
        self.max_htlc_value_in_flight_msat.encode(out);
        self.channel_reserve_satoshis.encode(out);
        self.htlc_minimum_msat.encode(out);
        self.feerate_per_kw.encode(out);
        self.to_self_delay.encode(out);
        self.max_accepted_htlcs.encode(out);
        self.funding_pubkey.encode(out);
        self.revocation_basepoint.encode(out);
        self.payment_basepoint.encode(out);
        self.delayed_payment_basepoint.encode(out);
        self.htlc_basepoint.encode(out);
        self.first_per_commitment_point.encode(out);
        self.channel_flags.encode(out);
        self.tlvs.encode(out);
    }
}

impl Decode for OpenChannel {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(OpenChannel {
            chain_hash: r.decode()?,
            temporary_channel_id: r.decode()?,
            funding_satoshis: r.decode()?,
            push_msat: r.decode()?,
            dust_limit_satoshis: r.decode()?,
            max_htlc_value_in_flight_msat: r.decode()?,
            channel_reserve_satoshis: r.decode()?,
            htlc_minimum_msat: r.decode()?,
            feerate_per_kw: r.decode()?,
            to_self_delay: r.decode()?,
            max_accepted_htlcs: r.decode()?,
            funding_pubkey: r.decode()?,
            revocation_basepoint: r.decode()?,
            payment_basepoint: r.decode()?,
            delayed_payment_basepoint: r.decode()?,
            htlc_basepoint: r.decode()?,
            first_per_commitment_point: r.decode()?,
            channel_flags: r.decode()?,
            tlvs: r.decode()?,
        })
    }
}

/// `accept_channel` (type 33): the fundee accepts an `open_channel` with its own parameters.
///
/// The funder answers with `funding_created`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptChannel {
    /// The `temporary_channel_id` of the `open_channel`.
    pub temporary_channel_id: ChannelId,
    /// Outputs below this many satoshis are not created in the sender's transactions.
    pub dust_limit_satoshis: u64,
    /// Cap on the value of HTLCs the funder may have outstanding towards the sender.
    pub max_htlc_value_in_flight_msat: u64,
    /// What the funder must keep as a direct balance.
    pub channel_reserve_satoshis: u64,
    /// The smallest HTLC the sender accepts.
    pub htlc_minimum_msat: u64,
    /// Confirmations the sender waits for before `channel_ready`.
    pub minimum_depth: u32,
    /// Blocks the funder's to-self outputs are delayed by.
    pub to_self_delay: u16,
    /// How many HTLCs the funder may offer at once.
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
    /// The TLV extension.
    pub tlvs: OpeningTlvs,
}

impl WireMessage for AcceptChannel {
    const TYPE: u16 = 33;
}

impl Encode for AcceptChannel {
    fn encode(&self, out: &mut Vec<u8>) {
        self.temporary_channel_id.encode(out);
        self.dust_limit_satoshis.encode(out);
        self.max_htlc_value_in_flight_msat.encode(out);
        self.channel_reserve_satoshis.encode(out);
        self.htlc_minimum_msat.encode(out);
        self.minimum_depth.encode(out);
        self.to_self_delay.encode(out);
        self.max_accepted_htlcs.encode(out);
        self.funding_pubkey.encode(out);
        self.revocation_basepoint.encode(out);
        self.payment_basepoint.encode(out);
        self.delayed_payment_basepoint.encode(out);
        self.htlc_basepoint.encode(out);
        self.first_per_commitment_point.encode(out);
        self.tlvs.encode(out);
    }
}

impl Decode for AcceptChannel {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(AcceptChannel {
            temporary_channel_id: r.decode()?,
            dust_limit_satoshis: r.decode()?,
            max_htlc_value_in_flight_msat: r.decode()?,
            channel_reserve_satoshis: r.decode()?,
            htlc_minimum_msat: r.decode()?,
            minimum_depth: r.decode()?,
            to_self_delay: r.decode()?,
            max_accepted_htlcs: r.decode()?,
            funding_pubkey: r.decode()?,
            revocation_basepoint: r.decode()?,
            payment_basepoint: r.decode()?,
            delayed_payment_basepoint: r.decode()?,
            htlc_basepoint: r.decode()?,
            first_per_commitment_point: r.decode()?,
            tlvs: r.decode()?,
        })
    }
}

fixed_message! {
    /// `funding_created` (type 34): the funder names the funding outpoint and signs the
    /// fundee's first commitment. The fundee answers with `funding_signed`.
    pub struct FundingCreated = 34 {
        /// The `temporary_channel_id` of the `open_channel`.
        pub temporary_channel_id: ChannelId,
        /// The funding transaction id (internal byte order).
        pub funding_txid: Txid,
        /// The funding output's index in that transaction.
        pub funding_output_index: u16,
        /// The funder's signature of the fundee's first commitment transaction.
        pub signature: Signature,
    }
}

fixed_message! {
    /// `funding_signed` (type 35): the fundee signs the funder's first commitment; the
    /// funder may now broadcast the funding transaction.
    pub struct FundingSigned = 35 {
        /// The real channel id, derived from the funding outpoint.
        pub channel_id: ChannelId,
        /// The fundee's signature of the funder's first commitment transaction.
        pub signature: Signature,
    }
}

tlv_message! {
    /// `channel_ready` (type 36): the funding transaction is deep enough for the sender; once
    /// both sides sent it the channel is operational.
    pub struct ChannelReady = 36 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The sender's per-commitment point for its second commitment.
        pub second_per_commitment_point: PublicKey,
    }
    tlvs {
        /// TLV 1 `short_channel_id`: an alias the receiver may use in route hints and
        /// forwarding.
        1 => pub short_channel_id_alias: Option<ShortChannelId>,
    }
}

fixed_message! {
    /// `shutdown` (type 38): the sender starts a mutual close and names where its funds go.
    pub struct Shutdown = 38 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The sender's closing output script (u16 length-prefixed on the wire).
        pub scriptpubkey: ScriptBuf,
    }
}

/// The `fee_range` TLV of `closing_signed`: the fees the sender would accept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClosingFeeRange {
    /// The lowest acceptable fee in satoshis.
    pub min_fee_satoshis: u64,
    /// The highest acceptable fee in satoshis.
    pub max_fee_satoshis: u64,
}

impl Encode for ClosingFeeRange {
    fn encode(&self, out: &mut Vec<u8>) {
        self.min_fee_satoshis.encode(out);
        self.max_fee_satoshis.encode(out);
    }
}

impl Decode for ClosingFeeRange {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ClosingFeeRange {
            min_fee_satoshis: r.decode()?,
            max_fee_satoshis: r.decode()?,
        })
    }
}

tlv_message! {
    /// `closing_signed` (type 39): a fee proposal for the mutual close transaction and the
    /// sender's signature of it (the legacy close protocol, without `option_simple_close`).
    pub struct ClosingSigned = 39 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The proposed fee.
        pub fee_satoshis: u64,
        /// The sender's signature of the closing transaction with that fee.
        pub signature: Signature,
    }
    tlvs {
        /// TLV 1 `fee_range`.
        1 => pub fee_range: Option<ClosingFeeRange>,
    }
}
