//! The payment onion's per-hop `payload` TLV stream: encoding, decoding, and the BOLT 4 checks
//! that turn it into a typed forward or final payload.

use alloc::vec::Vec;
use core::fmt;

use secp256k1::PublicKey;

use crate::wire::{
    Decode, DecodeError, Encode, Reader, ShortChannelId, TlvStreamReader, TlvWriter, Tu32, Tu64,
    UnknownTlv,
};

use super::failure::{Failure, FailureCode};

/// TLV type of `amt_to_forward`.
pub const AMT_TO_FORWARD_TYPE: u64 = 2;
/// TLV type of `outgoing_cltv_value`.
pub const OUTGOING_CLTV_VALUE_TYPE: u64 = 4;
/// TLV type of `short_channel_id`.
pub const SHORT_CHANNEL_ID_TYPE: u64 = 6;
/// TLV type of `payment_data`.
pub const PAYMENT_DATA_TYPE: u64 = 8;
/// TLV type of `encrypted_recipient_data`.
pub const ENCRYPTED_RECIPIENT_DATA_TYPE: u64 = 10;
/// TLV type of `current_path_key`.
pub const CURRENT_PATH_KEY_TYPE: u64 = 12;
/// TLV type of `payment_metadata`.
pub const PAYMENT_METADATA_TYPE: u64 = 16;
/// TLV type of `total_amount_msat`.
pub const TOTAL_AMOUNT_MSAT_TYPE: u64 = 18;
/// TLV type of the keysend (spontaneous payment) preimage record.
pub const KEYSEND_PREIMAGE_TYPE: u64 = 5_482_373_484;
/// Custom records (for applications) have types at or above this.
pub const MIN_CUSTOM_RECORD_TYPE: u64 = 65_536;

/// The `payment_data` record: the invoice's payment secret and the total amount of the payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentData {
    /// The recipient's payment secret.
    pub payment_secret: [u8; 32],
    /// The total of all parts of the payment, in millisatoshis.
    pub total_msat: u64,
}

/// Every record of a payment hop payload, as written or read, before the BOLT 4 checks.
///
/// Build one and call [`HopPayload::encode`] to get the bytes for `OnionHop::payload`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HopPayload {
    /// `amt_to_forward` (type 2), in millisatoshis.
    pub amt_to_forward: Option<u64>,
    /// `outgoing_cltv_value` (type 4).
    pub outgoing_cltv_value: Option<u32>,
    /// `short_channel_id` (type 6) of the outgoing channel.
    pub short_channel_id: Option<ShortChannelId>,
    /// `payment_data` (type 8).
    pub payment_data: Option<PaymentData>,
    /// `encrypted_recipient_data` (type 10), opaque here (decrypted by route blinding).
    pub encrypted_recipient_data: Option<Vec<u8>>,
    /// `current_path_key` (type 12).
    pub current_path_key: Option<PublicKey>,
    /// `payment_metadata` (type 16).
    pub payment_metadata: Option<Vec<u8>>,
    /// `total_amount_msat` (type 18).
    pub total_amount_msat: Option<u64>,
    /// The keysend preimage (type 5482373484).
    pub keysend_preimage: Option<[u8; 32]>,
    /// Every other record: custom records (type >= 65536) and unknown odd types, in type
    /// order. Written back in type order among the known records.
    pub other_records: Vec<UnknownTlv>,
}

/// Why a hop payload was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadErrorKind {
    /// The TLV stream is malformed (framing, ordering, a value of the wrong length).
    Malformed(DecodeError),
    /// An even type this node does not know.
    UnknownEvenType,
    /// A record the hop needs is absent.
    Missing,
    /// A record is present that the hop's role forbids.
    Forbidden,
    /// The route-blinding keys are inconsistent: `current_path_key` together with a path key
    /// in `update_add_htlc`, or neither inside a blinded route, or a path key outside one.
    PathKeyMismatch,
}

/// A refused hop payload, naming the record at fault when it can.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayloadError {
    /// What is wrong.
    pub kind: PayloadErrorKind,
    /// The TLV type at fault, when known.
    pub tlv_type: Option<u64>,
    /// Byte offset of that record in the payload (0 when not narrowed down).
    pub offset: u16,
    /// Whether the hop is inside a blinded route, which turns every failure into
    /// `invalid_onion_blinding`.
    pub blinded: bool,
}

impl PayloadError {
    fn new(kind: PayloadErrorKind, tlv_type: Option<u64>, offset: usize) -> Self {
        let offset = u16::try_from(offset).unwrap_or(u16::MAX);
        PayloadError {
            kind,
            tlv_type,
            offset,
            blinded: false,
        }
    }

    /// The failure code to return: `invalid_onion_blinding` inside a blinded route, else
    /// `invalid_onion_payload`.
    pub fn failure_code(&self) -> FailureCode {
        if self.blinded {
            FailureCode::INVALID_ONION_BLINDING
        } else {
            FailureCode::INVALID_ONION_PAYLOAD
        }
    }

    /// The failure to return. `sha256_of_onion` is only used for `invalid_onion_blinding`
    /// (BOLT 2 allows all zeroes).
    pub fn failure(&self, sha256_of_onion: [u8; 32]) -> Failure {
        if self.blinded {
            return Failure::InvalidOnionBlinding { sha256_of_onion };
        }
        Failure::InvalidOnionPayload {
            tlv_type: self.tlv_type.unwrap_or(0),
            offset: self.offset,
        }
    }
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid onion payload: {:?}", self.kind)?;
        if let Some(tlv_type) = self.tlv_type {
            write!(f, " (type {tlv_type} at offset {})", self.offset)?;
        }
        Ok(())
    }
}

impl core::error::Error for PayloadError {}

impl HopPayload {
    /// The TLV stream for `OnionHop::payload`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = TlvWriter::new(&mut out, &self.other_records);
        if let Some(amount) = self.amt_to_forward {
            writer.write(AMT_TO_FORWARD_TYPE, &Tu64(amount));
        }
        if let Some(cltv) = self.outgoing_cltv_value {
            writer.write(OUTGOING_CLTV_VALUE_TYPE, &Tu32(cltv));
        }
        if let Some(scid) = self.short_channel_id {
            writer.write(SHORT_CHANNEL_ID_TYPE, &scid);
        }
        if let Some(data) = &self.payment_data {
            let mut value = data.payment_secret.to_vec();
            Tu64(data.total_msat).encode(&mut value);
            writer.write_bytes(PAYMENT_DATA_TYPE, &value);
        }
        if let Some(data) = &self.encrypted_recipient_data {
            writer.write_bytes(ENCRYPTED_RECIPIENT_DATA_TYPE, data);
        }
        if let Some(key) = &self.current_path_key {
            writer.write(CURRENT_PATH_KEY_TYPE, key);
        }
        if let Some(metadata) = &self.payment_metadata {
            writer.write_bytes(PAYMENT_METADATA_TYPE, metadata);
        }
        if let Some(total) = self.total_amount_msat {
            writer.write(TOTAL_AMOUNT_MSAT_TYPE, &Tu64(total));
        }
        if let Some(preimage) = &self.keysend_preimage {
            writer.write(KEYSEND_PREIMAGE_TYPE, preimage);
        }
        writer.finish();
        out
    }

    /// Decodes a payload, refusing unknown even types (custom ones included).
    pub fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        Self::decode_accepting(bytes, &[])
    }

    /// Decodes a payload, accepting the even custom record types the application knows
    /// (`known_even_custom`) into [`HopPayload::other_records`].
    pub fn decode_accepting(bytes: &[u8], known_even_custom: &[u64]) -> Result<Self, PayloadError> {
        let mut payload = HopPayload::default();
        let mut stream = TlvStreamReader::new(bytes);
        let mut record_start = 0usize;
        loop {
            let record = match stream.next_record() {
                Ok(Some(record)) => record,
                Ok(None) => return Ok(payload),
                Err(err) => {
                    return Err(PayloadError::new(
                        PayloadErrorKind::Malformed(err),
                        None,
                        record_start,
                    ))
                }
            };
            let value_start = record.value.as_ptr() as usize - bytes.as_ptr() as usize;
            let at = |kind| PayloadError::new(kind, Some(record.record_type), record_start);
            let known = payload
                .read_record(record.record_type, record.value)
                .map_err(|err| {
                    let err = match err {
                        DecodeError::ShortRead => DecodeError::TlvValueLengthMismatch,
                        other => other,
                    };
                    at(PayloadErrorKind::Malformed(err))
                })?;
            if !known {
                let custom = record.record_type >= MIN_CUSTOM_RECORD_TYPE;
                let even = record.record_type % 2 == 0;
                if even && !(custom && known_even_custom.contains(&record.record_type)) {
                    return Err(at(PayloadErrorKind::UnknownEvenType));
                }
                payload.other_records.push(UnknownTlv {
                    record_type: record.record_type,
                    value: record.value.to_vec(),
                });
            }
            record_start = value_start + record.value.len();
        }
    }

    /// Decodes one known record into `self`; `Ok(false)` if the type is not known here.
    fn read_record(&mut self, record_type: u64, value: &[u8]) -> Result<bool, DecodeError> {
        match record_type {
            AMT_TO_FORWARD_TYPE => self.amt_to_forward = Some(Tu64::decode_exact(value)?.0),
            OUTGOING_CLTV_VALUE_TYPE => {
                self.outgoing_cltv_value = Some(Tu32::decode_exact(value)?.0)
            }
            SHORT_CHANNEL_ID_TYPE => {
                self.short_channel_id = Some(ShortChannelId::decode_exact(value)?)
            }
            PAYMENT_DATA_TYPE => {
                let mut reader = Reader::new(value);
                let payment_secret = <[u8; 32]>::decode(&mut reader)?;
                let total_msat = Tu64::decode(&mut reader)?.0;
                self.payment_data = Some(PaymentData {
                    payment_secret,
                    total_msat,
                });
            }
            ENCRYPTED_RECIPIENT_DATA_TYPE => self.encrypted_recipient_data = Some(value.to_vec()),
            CURRENT_PATH_KEY_TYPE => self.current_path_key = Some(PublicKey::decode_exact(value)?),
            PAYMENT_METADATA_TYPE => self.payment_metadata = Some(value.to_vec()),
            TOTAL_AMOUNT_MSAT_TYPE => self.total_amount_msat = Some(Tu64::decode_exact(value)?.0),
            KEYSEND_PREIMAGE_TYPE => self.keysend_preimage = Some(<[u8; 32]>::decode_exact(value)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The types of the known records present, for "no other field" checks.
    pub(crate) fn present_types(&self) -> impl Iterator<Item = u64> + '_ {
        [
            (self.amt_to_forward.is_some(), AMT_TO_FORWARD_TYPE),
            (self.outgoing_cltv_value.is_some(), OUTGOING_CLTV_VALUE_TYPE),
            (self.short_channel_id.is_some(), SHORT_CHANNEL_ID_TYPE),
            (self.payment_data.is_some(), PAYMENT_DATA_TYPE),
            (
                self.encrypted_recipient_data.is_some(),
                ENCRYPTED_RECIPIENT_DATA_TYPE,
            ),
            (self.current_path_key.is_some(), CURRENT_PATH_KEY_TYPE),
            (self.payment_metadata.is_some(), PAYMENT_METADATA_TYPE),
            (self.total_amount_msat.is_some(), TOTAL_AMOUNT_MSAT_TYPE),
            (self.keysend_preimage.is_some(), KEYSEND_PREIMAGE_TYPE),
        ]
        .into_iter()
        .filter_map(|(present, record_type)| present.then_some(record_type))
        .chain(self.other_records.iter().map(|record| record.record_type))
    }
}
