//! The BOLT 4 reader requirements on a payment hop payload: what a forwarding hop and a final
//! hop must (and must not) find, inside or outside a blinded route.

use alloc::boxed::Box;
use alloc::vec::Vec;

use secp256k1::ecdh::SharedSecret;
use secp256k1::PublicKey;

use crate::wire::{ShortChannelId, UnknownTlv};

use super::packet::OnionPacket;
use super::payload::{
    HopPayload, PayloadError, PayloadErrorKind, PaymentData, AMT_TO_FORWARD_TYPE,
    CURRENT_PATH_KEY_TYPE, ENCRYPTED_RECIPIENT_DATA_TYPE, OUTGOING_CLTV_VALUE_TYPE,
    SHORT_CHANNEL_ID_TYPE, TOTAL_AMOUNT_MSAT_TYPE,
};
use super::peel::PeeledOnion;

/// A validated payload of a forwarding hop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForwardPayload {
    /// A normal forward: the origin named the channel, amount and expiry.
    Unblinded {
        /// The outgoing channel (any channel to the same peer may be used).
        short_channel_id: ShortChannelId,
        /// Amount to forward, in millisatoshis.
        amt_to_forward: u64,
        /// The `cltv_expiry` of the outgoing HTLC.
        outgoing_cltv_value: u32,
        /// Custom and unknown odd records.
        other_records: Vec<UnknownTlv>,
    },
    /// A hop inside a blinded route: the instructions are in `encrypted_recipient_data`,
    /// which route blinding decrypts with the path key.
    Blinded {
        /// The recipient's encrypted instructions for this hop.
        encrypted_recipient_data: Vec<u8>,
        /// The path key from the payload (the introduction point), if it was there rather
        /// than in `update_add_htlc`.
        current_path_key: Option<PublicKey>,
    },
}

/// A validated payload of the final hop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FinalPayload {
    /// A payment outside blinded routes.
    Unblinded {
        /// Amount of this HTLC, in millisatoshis.
        amt_to_forward: u64,
        /// The expiry the HTLC must have at least.
        outgoing_cltv_value: u32,
        /// The payment secret and total amount, when the invoice gave a secret.
        payment_data: Option<PaymentData>,
        /// The invoice's payment metadata, echoed.
        payment_metadata: Option<Vec<u8>>,
        /// The preimage of a spontaneous (keysend) payment.
        keysend_preimage: Option<[u8; 32]>,
        /// Custom and unknown odd records.
        other_records: Vec<UnknownTlv>,
    },
    /// The last hop of a blinded route.
    Blinded {
        /// Amount of this HTLC, in millisatoshis.
        amt_to_forward: u64,
        /// The expiry the HTLC must have at least.
        outgoing_cltv_value: u32,
        /// The total of all parts of the payment.
        total_amount_msat: u64,
        /// The recipient's own encrypted data (its `path_id` authenticates the route).
        encrypted_recipient_data: Vec<u8>,
        /// The path key from the payload, if it was there rather than in `update_add_htlc`.
        current_path_key: Option<PublicKey>,
    },
}

impl FinalPayload {
    /// Amount of this HTLC, in millisatoshis.
    pub fn amt_to_forward(&self) -> u64 {
        match self {
            FinalPayload::Unblinded { amt_to_forward, .. }
            | FinalPayload::Blinded { amt_to_forward, .. } => *amt_to_forward,
        }
    }

    /// The total amount of the payment: `total_msat` of `payment_data` (or
    /// `total_amount_msat`), else `amt_to_forward` as BOLT 4 requires.
    pub fn total_msat(&self) -> u64 {
        match self {
            FinalPayload::Unblinded {
                payment_data: Some(data),
                ..
            } => data.total_msat,
            FinalPayload::Unblinded { amt_to_forward, .. } => *amt_to_forward,
            FinalPayload::Blinded {
                total_amount_msat, ..
            } => *total_amount_msat,
        }
    }
}

fn missing(tlv_type: u64, blinded: bool) -> PayloadError {
    PayloadError {
        kind: PayloadErrorKind::Missing,
        tlv_type: Some(tlv_type),
        offset: 0,
        blinded,
    }
}

fn error(kind: PayloadErrorKind, tlv_type: Option<u64>, blinded: bool) -> PayloadError {
    PayloadError {
        kind,
        tlv_type,
        offset: 0,
        blinded,
    }
}

/// Checks the path keys; `Ok(true)` inside a blinded route, `Ok(false)` outside one.
fn check_blinding(payload: &HopPayload, incoming_path_key: bool) -> Result<bool, PayloadError> {
    let in_payload = payload.current_path_key.is_some();
    if payload.encrypted_recipient_data.is_none() {
        if incoming_path_key || in_payload {
            return Err(error(
                PayloadErrorKind::PathKeyMismatch,
                Some(CURRENT_PATH_KEY_TYPE),
                true,
            ));
        }
        return Ok(false);
    }
    if incoming_path_key == in_payload {
        return Err(error(
            PayloadErrorKind::PathKeyMismatch,
            Some(CURRENT_PATH_KEY_TYPE),
            true,
        ));
    }
    Ok(true)
}

/// Refuses any record outside `allowed`.
fn only(payload: &HopPayload, allowed: &[u64], blinded: bool) -> Result<(), PayloadError> {
    match payload
        .present_types()
        .find(|record_type| !allowed.contains(record_type))
    {
        Some(record_type) => Err(error(
            PayloadErrorKind::Forbidden,
            Some(record_type),
            blinded,
        )),
        None => Ok(()),
    }
}

impl ForwardPayload {
    /// Decodes and checks a forwarding hop's payload. `incoming_path_key` is the `path_key`
    /// of the incoming `update_add_htlc`, if any.
    pub fn decode(
        payload: &[u8],
        incoming_path_key: Option<&PublicKey>,
    ) -> Result<Self, PayloadError> {
        let blinded = incoming_path_key.is_some();
        let decoded = HopPayload::decode(payload).map_err(|err| PayloadError { blinded, ..err })?;
        Self::from_hop_payload(decoded, blinded)
    }

    /// Checks an already decoded payload for a forwarding hop.
    pub fn from_hop_payload(
        payload: HopPayload,
        incoming_path_key: bool,
    ) -> Result<Self, PayloadError> {
        if check_blinding(&payload, incoming_path_key)? {
            only(
                &payload,
                &[ENCRYPTED_RECIPIENT_DATA_TYPE, CURRENT_PATH_KEY_TYPE],
                true,
            )?;
            return Ok(ForwardPayload::Blinded {
                // Present: check_blinding returned true only with encrypted data.
                encrypted_recipient_data: payload.encrypted_recipient_data.unwrap_or_default(),
                current_path_key: payload.current_path_key,
            });
        }
        let amt_to_forward = payload
            .amt_to_forward
            .ok_or(missing(AMT_TO_FORWARD_TYPE, false))?;
        let outgoing_cltv_value = payload
            .outgoing_cltv_value
            .ok_or(missing(OUTGOING_CLTV_VALUE_TYPE, false))?;
        let short_channel_id = payload
            .short_channel_id
            .ok_or(missing(SHORT_CHANNEL_ID_TYPE, false))?;
        Ok(ForwardPayload::Unblinded {
            short_channel_id,
            amt_to_forward,
            outgoing_cltv_value,
            other_records: payload.other_records,
        })
    }
}

impl FinalPayload {
    /// Decodes and checks the final hop's payload. `incoming_path_key` is the `path_key` of the
    /// incoming `update_add_htlc`, if any. Even custom records the application understands go
    /// in `known_even_custom`.
    pub fn decode(
        payload: &[u8],
        incoming_path_key: Option<&PublicKey>,
        known_even_custom: &[u64],
    ) -> Result<Self, PayloadError> {
        let blinded = incoming_path_key.is_some();
        let decoded = HopPayload::decode_accepting(payload, known_even_custom)
            .map_err(|err| PayloadError { blinded, ..err })?;
        Self::from_hop_payload(decoded, blinded)
    }

    /// Checks an already decoded payload for the final hop.
    pub fn from_hop_payload(
        payload: HopPayload,
        incoming_path_key: bool,
    ) -> Result<Self, PayloadError> {
        let blinded = check_blinding(&payload, incoming_path_key)?;
        let amt_to_forward = payload
            .amt_to_forward
            .ok_or(missing(AMT_TO_FORWARD_TYPE, blinded))?;
        let outgoing_cltv_value = payload
            .outgoing_cltv_value
            .ok_or(missing(OUTGOING_CLTV_VALUE_TYPE, blinded))?;
        if blinded {
            let allowed = [
                ENCRYPTED_RECIPIENT_DATA_TYPE,
                CURRENT_PATH_KEY_TYPE,
                AMT_TO_FORWARD_TYPE,
                OUTGOING_CLTV_VALUE_TYPE,
                TOTAL_AMOUNT_MSAT_TYPE,
            ];
            only(&payload, &allowed, true)?;
            let total_amount_msat = payload
                .total_amount_msat
                .ok_or(missing(TOTAL_AMOUNT_MSAT_TYPE, true))?;
            return Ok(FinalPayload::Blinded {
                amt_to_forward,
                outgoing_cltv_value,
                total_amount_msat,
                // Present: check_blinding returned true only with encrypted data.
                encrypted_recipient_data: payload.encrypted_recipient_data.unwrap_or_default(),
                current_path_key: payload.current_path_key,
            });
        }
        Ok(FinalPayload::Unblinded {
            amt_to_forward,
            outgoing_cltv_value,
            payment_data: payload.payment_data,
            payment_metadata: payload.payment_metadata,
            keysend_preimage: payload.keysend_preimage,
            other_records: payload.other_records,
        })
    }
}

/// A peeled payment onion with its payload validated for the hop's role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentHop {
    /// Forward `next_packet` as the payload says.
    Forward {
        /// The shared secret with the origin.
        shared_secret: SharedSecret,
        /// The validated payload.
        payload: ForwardPayload,
        /// The packet for the next hop.
        next_packet: Box<OnionPacket>,
    },
    /// Accept (or refuse) the payment as the final hop.
    Final {
        /// The shared secret with the origin.
        shared_secret: SharedSecret,
        /// The validated payload.
        payload: FinalPayload,
    },
}

impl PeeledOnion {
    /// Validates the payload for this hop's role (forward or final). On error the shared
    /// secret is still available from `self` to return the failure.
    pub fn payment_hop(
        &self,
        incoming_path_key: Option<&PublicKey>,
    ) -> Result<PaymentHop, PayloadError> {
        match self {
            PeeledOnion::Forward {
                shared_secret,
                payload,
                next_packet,
            } => Ok(PaymentHop::Forward {
                shared_secret: *shared_secret,
                payload: ForwardPayload::decode(payload, incoming_path_key)?,
                next_packet: next_packet.clone(),
            }),
            PeeledOnion::Final {
                shared_secret,
                payload,
            } => Ok(PaymentHop::Final {
                shared_secret: *shared_secret,
                payload: FinalPayload::decode(payload, incoming_path_key, &[])?,
            }),
        }
    }
}
