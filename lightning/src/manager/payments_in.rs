//! Inbound HTLCs: peel the onion with the node key, validate the final hop's payload against
//! the stateless payment secret, and build the failure to return when refused.
//!
//! [`receive_htlc`] is the whole decision for one HTLC, a pure function of the HTLC, the
//! node's ECDH and the current height and time; the manager calls it for every
//! `HtlcLockedIn` and acts on the answer.

use alloc::vec::Vec;
use core::time::Duration;

use secp256k1::ecdh::SharedSecret;
use secp256k1::PublicKey;

use crate::onion::{
    create_failure, peel_onion_bytes, Failure, FailureMessage, FinalPayload, MalformedHtlc,
    PaymentHop, PeelError,
};
use crate::wire::{PaymentHash, PaymentPreimage};
use bitcoin::hashes::{sha256, Hash};

use super::inbound_secret::{InboundPaymentError, InboundPaymentKey, PaymentSecret};

/// An HTLC offered to us, as it was locked in.
#[derive(Clone, Copy, Debug)]
pub struct InboundHtlc<'a> {
    /// Its amount.
    pub amount_msat: u64,
    /// Its payment hash.
    pub payment_hash: PaymentHash,
    /// Its `cltv_expiry`.
    pub cltv_expiry: u32,
    /// The onion as received (1,366 bytes for a well-formed one).
    pub onion: &'a [u8],
}

/// What the receiver knows when deciding.
#[derive(Clone, Copy, Debug)]
pub struct ReceiveContext {
    /// The best block height.
    pub current_height: u32,
    /// The current time (seconds since the Unix epoch), to check invoice expiry.
    pub now: Duration,
    /// The smallest `cltv_expiry - current_height` we accept for a payment to us.
    pub min_final_cltv_expiry_delta: u32,
}

/// A payment to us that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedPayment {
    /// The payment hash.
    pub payment_hash: PaymentHash,
    /// The HTLC's amount.
    pub amount_msat: u64,
    /// The payment's total over all its parts (`total_msat` of the payload; the HTLC's amount
    /// for a single-part payment).
    pub total_msat: u64,
    /// The HTLC's expiry.
    pub cltv_expiry: u32,
    /// The payer's payment secret (all zero for a keysend payment without one).
    pub payment_secret: PaymentSecret,
    /// The preimage, when derived from the secret.
    pub payment_preimage: Option<PaymentPreimage>,
    /// The invoice's metadata, echoed.
    pub payment_metadata: Option<Vec<u8>>,
    /// Custom records `(type, value)`.
    pub custom_tlvs: Vec<(u64, Vec<u8>)>,
    /// The shared secret with the payer, to fail the HTLC later.
    pub shared_secret: SharedSecret,
}

/// Why an HTLC was refused, and how to answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HtlcRejection {
    /// The onion could not be authenticated: answer with `update_fail_malformed_htlc`.
    Malformed(MalformedHtlc),
    /// Answer with `update_fail_htlc` carrying `failure` encrypted with `shared_secret`
    /// ([`HtlcRejection::failure_packet`]).
    Fail {
        /// The shared secret with the payer.
        shared_secret: SharedSecret,
        /// The failure to return.
        failure: Failure,
        /// Why, for logs.
        cause: RejectCause,
    },
    /// The node signer did not answer the ECDH (pending or refused): retry later.
    SignerUnavailable,
}

/// Why a well-formed onion was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectCause {
    /// The payload is invalid for a final hop.
    InvalidPayload,
    /// The onion asks us to forward ([`receive_htlc`] only receives).
    ForwardingUnsupported,
    /// The HTLC carries less than the payload's `amt_to_forward`.
    AmountBelowOnion,
    /// The HTLC's expiry is below the payload's `outgoing_cltv_value`.
    CltvBelowOnion,
    /// The HTLC expires too soon for us to claim it safely.
    ExpiryTooSoon,
    /// No payment secret and no keysend preimage.
    NoPaymentSecret,
    /// A keysend payment while keysend is off, or whose preimage does not match the hash.
    Keysend,
    /// A multi-part payment (`total_msat` above this HTLC's amount) given to
    /// [`receive_htlc`], which takes single-part payments only.
    MultiPart,
    /// The secret, amount or expiry check failed.
    Payment(InboundPaymentError),
}

impl HtlcRejection {
    /// The `reason` of the `update_fail_htlc` for a [`HtlcRejection::Fail`].
    pub fn failure_packet(&self) -> Option<Vec<u8>> {
        match self {
            HtlcRejection::Fail {
                shared_secret,
                failure,
                ..
            } => failure_packet(shared_secret, failure.clone()),
            _ => None,
        }
    }
}

/// The obfuscated failure packet of `failure` for the payer who shares `shared_secret`.
pub fn failure_packet(shared_secret: &SharedSecret, failure: Failure) -> Option<Vec<u8>> {
    let message = FailureMessage::from(failure);
    create_failure(shared_secret, &message, 0)
        .ok()
        .map(|returned| returned.packet)
}

fn fail(shared_secret: SharedSecret, failure: Failure, cause: RejectCause) -> HtlcRejection {
    HtlcRejection::Fail {
        shared_secret,
        failure,
        cause,
    }
}

/// Peels an HTLC offered to us and validates its payload for our role: a
/// [`PaymentHop::Forward`] to pass on, or a [`PaymentHop::Final`] payment to us (not yet
/// checked against the HTLC: see [`check_final_part`]). `ecdh` is the node signer's ECDH.
pub fn peel_inbound(
    htlc: &InboundHtlc<'_>,
    mut ecdh: impl FnMut(&PublicKey) -> Option<SharedSecret>,
) -> Result<PaymentHop, HtlcRejection> {
    let peeled = match peel_onion_bytes(htlc.onion, &htlc.payment_hash.0, |point| {
        ecdh(point).ok_or(())
    }) {
        Ok(peeled) => peeled,
        Err(PeelError::Ecdh(())) => return Err(HtlcRejection::SignerUnavailable),
        Err(PeelError::InvalidPayload { shared_secret, .. }) => {
            let failure = Failure::InvalidOnionPayload {
                tlv_type: 0,
                offset: 0,
            };
            return Err(fail(shared_secret, failure, RejectCause::InvalidPayload));
        }
        Err(error) => {
            // Every other peel error has a BADONION code (see PeelError::failure_code).
            return Err(match MalformedHtlc::for_peel_error(htlc.onion, &error) {
                Some(malformed) => HtlcRejection::Malformed(malformed),
                None => HtlcRejection::SignerUnavailable,
            });
        }
    };
    let shared_secret = *peeled.shared_secret();
    peeled.payment_hop(None).map_err(|error| {
        let failure = error.failure([0u8; 32]);
        fail(shared_secret, failure, RejectCause::InvalidPayload)
    })
}

/// Peels and validates an HTLC offered to us as a complete, single-part payment (forwards and
/// multi-part payments are refused: the manager handles those with [`peel_inbound`] and
/// [`check_final_part`]). `ecdh` is the node signer's ECDH with the node key (`None` when it
/// has no answer now). `key` checks the payment secret.
pub fn receive_htlc(
    htlc: &InboundHtlc<'_>,
    context: &ReceiveContext,
    key: &InboundPaymentKey,
    ecdh: impl FnMut(&PublicKey) -> Option<SharedSecret>,
) -> Result<ReceivedPayment, HtlcRejection> {
    let (shared_secret, payload) = match peel_inbound(htlc, ecdh)? {
        PaymentHop::Final {
            shared_secret,
            payload,
        } => (shared_secret, payload),
        PaymentHop::Forward { shared_secret, .. } => {
            return Err(fail(
                shared_secret,
                Failure::UnknownNextPeer,
                RejectCause::ForwardingUnsupported,
            ))
        }
    };
    let received = check_final_part(htlc, context, key, shared_secret, payload, false)?;
    if received.total_msat > htlc.amount_msat {
        let unknown = Failure::IncorrectOrUnknownPaymentDetails {
            htlc_msat: htlc.amount_msat,
            height: context.current_height,
        };
        return Err(fail(shared_secret, unknown, RejectCause::MultiPart));
    }
    Ok(received)
}

/// The BOLT 4 final-node checks of one HTLC (one part of a payment), then the payment secret
/// against the payment's total (`total_msat`): the caller must still wait until the parts it
/// holds sum to `total_msat`. A keysend payload (preimage in the onion) is accepted only with
/// `accept_keysend`, when the preimage matches the hash; its `payment_secret` is all zero
/// unless the payer sent one.
pub fn check_final_part(
    htlc: &InboundHtlc<'_>,
    context: &ReceiveContext,
    key: &InboundPaymentKey,
    shared_secret: SharedSecret,
    payload: FinalPayload,
    accept_keysend: bool,
) -> Result<ReceivedPayment, HtlcRejection> {
    let unknown = Failure::IncorrectOrUnknownPaymentDetails {
        htlc_msat: htlc.amount_msat,
        height: context.current_height,
    };
    let FinalPayload::Unblinded {
        amt_to_forward,
        outgoing_cltv_value,
        payment_data,
        payment_metadata,
        keysend_preimage,
        other_records,
    } = payload
    else {
        // A blinded final payload needs a path key, which we never pass: unreachable in
        // practice, refused the same way as an unknown payment.
        return Err(fail(shared_secret, unknown, RejectCause::InvalidPayload));
    };
    if htlc.amount_msat < amt_to_forward {
        let failure = Failure::FinalIncorrectHtlcAmount {
            incoming_htlc_amt: htlc.amount_msat,
        };
        return Err(fail(shared_secret, failure, RejectCause::AmountBelowOnion));
    }
    if htlc.cltv_expiry < outgoing_cltv_value {
        let failure = Failure::FinalIncorrectCltvExpiry {
            cltv_expiry: htlc.cltv_expiry,
        };
        return Err(fail(shared_secret, failure, RejectCause::CltvBelowOnion));
    }
    let earliest = context
        .current_height
        .saturating_add(context.min_final_cltv_expiry_delta);
    if htlc.cltv_expiry < earliest {
        return Err(fail(shared_secret, unknown, RejectCause::ExpiryTooSoon));
    }
    let custom_tlvs = other_records
        .into_iter()
        .map(|record| (record.record_type, record.value))
        .collect();
    let total_msat = payment_data.map_or(htlc.amount_msat, |data| data.total_msat);
    let payment_secret = PaymentSecret(payment_data.map_or([0u8; 32], |data| data.payment_secret));
    let payment_preimage = if let Some(preimage) = keysend_preimage {
        let hash = sha256::Hash::hash(&preimage).to_byte_array();
        if !accept_keysend || hash != htlc.payment_hash.0 {
            return Err(fail(shared_secret, unknown, RejectCause::Keysend));
        }
        Some(PaymentPreimage(preimage))
    } else {
        if payment_data.is_none() {
            return Err(fail(shared_secret, unknown, RejectCause::NoPaymentSecret));
        }
        key.verify(&htlc.payment_hash, &payment_secret, total_msat, context.now)
            .map_err(|error| fail(shared_secret, unknown.clone(), RejectCause::Payment(error)))?
            .preimage
    };
    Ok(ReceivedPayment {
        payment_hash: htlc.payment_hash,
        amount_msat: htlc.amount_msat,
        total_msat,
        cltv_expiry: htlc.cltv_expiry,
        payment_secret,
        payment_preimage,
        payment_metadata,
        custom_tlvs,
        shared_secret,
    })
}
