//! Outbound payments: the onion for a path, and the book of payments in flight by
//! [`PaymentId`] (exactly one `PaymentSent` or `PaymentFailed` per id).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use secp256k1::ecdh::SharedSecret;
use secp256k1::SecretKey;

use crate::channel::ChannelError;
use crate::onion::{
    build_onion, BuildError, FailureCode, HopPayload, OnionHop, PaymentData, ONION_PACKET_LEN,
};
use crate::routing::{FindRouteError, Path, RouteError};
use crate::wire::{PaymentHash, PaymentPreimage, UnknownTlv};

use super::inbound_secret::PaymentSecret;

/// The caller's identifier of an outbound payment: at most one payment per id, and exactly
/// one `PaymentSent` or `PaymentFailed` event per id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PaymentId(pub [u8; 32]);

/// What the payer tells the recipient in the final hop's payload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecipientOnionFields {
    /// The invoice's payment secret (required by recipients that set `payment_secret`).
    pub payment_secret: Option<PaymentSecret>,
    /// The invoice's payment metadata, echoed.
    pub payment_metadata: Option<Vec<u8>>,
    /// Custom TLV records `(type, value)` for the recipient; types must be >= 65536 and
    /// distinct.
    pub custom_tlvs: Vec<(u64, Vec<u8>)>,
}

impl RecipientOnionFields {
    /// Fields carrying only a payment secret (the common case for BOLT 11 invoices).
    pub fn secret_only(payment_secret: PaymentSecret) -> Self {
        RecipientOnionFields {
            payment_secret: Some(payment_secret),
            ..Default::default()
        }
    }
}

/// Why a payment could not be sent. Nothing was sent and no event will follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// A payment with this id is in flight or was already resolved.
    DuplicatePayment,
    /// The route has no path, a path has no hop, or its paths end at different nodes.
    UnsupportedRoute,
    /// The path's amounts or expiries are unusable.
    InvalidPath(RouteError),
    /// A custom TLV type is below 65536 or repeated.
    InvalidCustomTlvs,
    /// The onion could not be built (too many hops, payloads too large).
    Onion(BuildError),
    /// We have no usable channel with the first hop's node (none, not ready, or the
    /// `short_channel_id` does not match one of ours).
    NoChannel,
    /// The channel refused the HTLC (balance, reserve, limits, state).
    ChannelRefused(ChannelError),
    /// The router found no route.
    RouteNotFound(FindRouteError),
    /// The invoice cannot be paid (see the error).
    Invoice(crate::invoice::PayInvoiceError),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::DuplicatePayment => f.write_str("a payment with this id already exists"),
            SendError::UnsupportedRoute => {
                f.write_str("route must have paths, all ending at the recipient")
            }
            SendError::InvalidPath(err) => write!(f, "invalid path: {err}"),
            SendError::InvalidCustomTlvs => {
                f.write_str("custom TLV types must be >= 65536 and distinct")
            }
            SendError::Onion(err) => write!(f, "cannot build the onion: {err}"),
            SendError::NoChannel => f.write_str("no usable channel with the first hop"),
            SendError::ChannelRefused(err) => write!(f, "the channel refused the HTLC: {err}"),
            SendError::RouteNotFound(err) => write!(f, "no route: {err}"),
            SendError::Invoice(err) => write!(f, "cannot pay the invoice: {err}"),
        }
    }
}

impl core::error::Error for SendError {}

/// An onion built for one path, and what the origin keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentOnion {
    /// The serialized onion for `update_add_htlc`.
    pub onion: Box<[u8; ONION_PACKET_LEN]>,
    /// The amount of the HTLC to offer the first hop.
    pub first_hop_amount_msat: u64,
    /// The `cltv_expiry` of the HTLC to offer the first hop.
    pub first_hop_cltv_expiry: u32,
    /// The shared secret with each hop, in path order, to decode a returned failure.
    pub hop_shared_secrets: Vec<SharedSecret>,
}

fn custom_records(fields: &RecipientOnionFields) -> Result<Vec<UnknownTlv>, SendError> {
    let mut records: Vec<UnknownTlv> = fields
        .custom_tlvs
        .iter()
        .map(|(record_type, value)| UnknownTlv {
            record_type: *record_type,
            value: value.clone(),
        })
        .collect();
    records.sort_by_key(|record| record.record_type);
    let distinct = records
        .windows(2)
        .all(|pair| pair[0].record_type != pair[1].record_type);
    let custom = records
        .iter()
        .all(|record| record.record_type >= crate::onion::MIN_CUSTOM_RECORD_TYPE);
    if !distinct || !custom {
        return Err(SendError::InvalidCustomTlvs);
    }
    Ok(records)
}

/// Builds the onion for `path` at `current_height`: a forward payload (next channel, amount,
/// expiry) for each intermediate hop and a final payload with the payment secret, total,
/// metadata and custom records for the recipient. `session_key` must be fresh randomness.
pub fn build_payment_onion(
    path: &Path,
    payment_hash: &PaymentHash,
    recipient: &RecipientOnionFields,
    current_height: u32,
    session_key: &SecretKey,
) -> Result<PaymentOnion, SendError> {
    let part = PartOnionFields {
        total_msat: path.final_value_msat(),
        keysend_preimage: None,
    };
    build_part_onion(
        path,
        payment_hash,
        recipient,
        &part,
        current_height,
        session_key,
    )
}

/// What the final payload of one part says beyond the [`RecipientOnionFields`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartOnionFields {
    /// The payment's total over all its parts (`total_msat` of `payment_data`).
    pub total_msat: u64,
    /// The preimage of a spontaneous (keysend) payment.
    pub keysend_preimage: Option<PaymentPreimage>,
}

/// Like [`build_payment_onion`] for one part of a payment (a multi-part payment gives every
/// part the same total) or a keysend payment.
pub fn build_part_onion(
    path: &Path,
    payment_hash: &PaymentHash,
    recipient: &RecipientOnionFields,
    part: &PartOnionFields,
    current_height: u32,
    session_key: &SecretKey,
) -> Result<PaymentOnion, SendError> {
    let amounts = path
        .hop_amounts_and_expiries(current_height)
        .map_err(SendError::InvalidPath)?;
    let custom = custom_records(recipient)?;
    let last = path.hops.len() - 1; // not empty: hop_amounts_and_expiries checked it
    let mut hops = Vec::with_capacity(path.hops.len());
    for (index, hop) in path.hops.iter().enumerate() {
        let payload = if index == last {
            HopPayload {
                amt_to_forward: Some(amounts[index].amount_msat),
                outgoing_cltv_value: Some(amounts[index].cltv_expiry),
                payment_data: recipient.payment_secret.map(|secret| PaymentData {
                    payment_secret: secret.0,
                    total_msat: part.total_msat,
                }),
                payment_metadata: recipient.payment_metadata.clone(),
                keysend_preimage: part.keysend_preimage.map(|preimage| preimage.0),
                other_records: custom.clone(),
                ..Default::default()
            }
        } else {
            let next = &amounts[index + 1];
            HopPayload {
                amt_to_forward: Some(next.amount_msat),
                outgoing_cltv_value: Some(next.cltv_expiry),
                short_channel_id: Some(path.hops[index + 1].short_channel_id),
                ..Default::default()
            }
        };
        hops.push(OnionHop {
            node_id: hop.node_id,
            payload: payload.encode(),
        });
    }
    let built = build_onion(session_key, &hops, &payment_hash.0).map_err(SendError::Onion)?;
    let bytes = built.packet.to_bytes();
    let mut onion = Box::new([0u8; ONION_PACKET_LEN]);
    onion.copy_from_slice(&bytes);
    Ok(PaymentOnion {
        onion,
        first_hop_amount_msat: amounts[0].amount_msat,
        first_hop_cltv_expiry: amounts[0].cltv_expiry,
        hop_shared_secrets: built
            .hop_keys
            .iter()
            .map(|keys| keys.shared_secret)
            .collect(),
    })
}

/// How one of our HTLCs was failed back to us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReturnedHtlcFailure {
    /// An `update_fail_htlc` reason: the obfuscated failure packet.
    Packet(Vec<u8>),
    /// The first hop could not parse the onion (`update_fail_malformed_htlc`).
    Malformed(FailureCode),
    /// The HTLC was failed without a message from the network (the channel closed, or we
    /// failed it ourselves).
    Local,
}
