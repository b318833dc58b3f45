//! Paying invoices.

use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use lightning_invoice::Bolt11Invoice;

use crate::manager::{
    ChannelManager, PaymentId, PaymentSecret, RecipientOnionFields, Retry, SendError,
};
use crate::routing::{RouteHint, RouteHintHop, RouteParameters, Router, RoutingFees};
use crate::wire::features::Bolt11InvoiceFeatures;
use crate::wire::{ChainHash, PaymentHash, ShortChannelId};

/// Why an invoice cannot be paid. Nothing was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayInvoiceError {
    /// The signature does not verify against the payee.
    InvalidSignature,
    /// The invoice is for another network than our channels.
    WrongNetwork,
    /// The invoice expired at the time given.
    Expired,
    /// The invoice requires a feature we do not know.
    UnknownRequiredFeature,
    /// The invoice has no amount and none was given.
    AmountMissing,
    /// An amount was given for an invoice that names one.
    AmountNotAllowed,
}

impl fmt::Display for PayInvoiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PayInvoiceError::InvalidSignature => "the invoice signature is invalid",
            PayInvoiceError::WrongNetwork => "the invoice is for another network",
            PayInvoiceError::Expired => "the invoice expired",
            PayInvoiceError::UnknownRequiredFeature => "the invoice requires an unknown feature",
            PayInvoiceError::AmountMissing => "the invoice has no amount and none was given",
            PayInvoiceError::AmountNotAllowed => "the invoice names its amount already",
        })
    }
}

impl core::error::Error for PayInvoiceError {}

/// What to ask a router for to pay `invoice` with `amount_msat` (the invoice's own when
/// `None`): the payee, the final CLTV delta, the route hints and the invoice features.
pub fn route_parameters_for(invoice: &Bolt11Invoice, amount_msat: u64) -> RouteParameters {
    let final_delta = u32::try_from(invoice.min_final_cltv_expiry_delta()).unwrap_or(u32::MAX);
    let mut params =
        RouteParameters::new(invoice.recover_payee_pub_key(), amount_msat, final_delta);
    params.route_hints = invoice
        .route_hints()
        .iter()
        .map(|hint| {
            RouteHint(
                hint.0
                    .iter()
                    .map(|hop| RouteHintHop {
                        src_node_id: hop.src_node_id,
                        short_channel_id: ShortChannelId(hop.short_channel_id),
                        fees: RoutingFees {
                            base_msat: hop.fees.base_msat,
                            proportional_millionths: hop.fees.proportional_millionths,
                        },
                        cltv_expiry_delta: hop.cltv_expiry_delta,
                        htlc_minimum_msat: hop.htlc_minimum_msat,
                        htlc_maximum_msat: hop.htlc_maximum_msat,
                    })
                    .collect(),
            )
        })
        .collect();
    params.payee_features = invoice.features().map(|features| {
        let be: Vec<u8> = features.le_flags().iter().rev().copied().collect();
        Bolt11InvoiceFeatures::from_wire_bytes(&be)
    });
    params
}

impl ChannelManager {
    /// Pays a BOLT 11 invoice (see the [module documentation](crate::invoice)):
    /// `amount_if_zero_msat` is the amount for an invoice without one (and must be `None`
    /// otherwise). Checks the signature, network, expiry at `now` and required features, then
    /// routes through `router` and sends with the invoice's payment secret and metadata,
    /// retrying within `retry`.
    #[allow(clippy::too_many_arguments)]
    pub fn pay_invoice(
        &mut self,
        invoice: &Bolt11Invoice,
        amount_if_zero_msat: Option<u64>,
        payment_id: PaymentId,
        retry: Retry,
        router: &mut dyn Router,
        now: Duration,
    ) -> Result<(), SendError> {
        let amount_msat = self.check_invoice(invoice, amount_if_zero_msat, now)?;
        let params = route_parameters_for(invoice, amount_msat);
        let recipient = RecipientOnionFields {
            payment_secret: Some(PaymentSecret(invoice.payment_secret().0)),
            payment_metadata: invoice.payment_metadata().cloned(),
            custom_tlvs: Vec::new(),
        };
        let hash = PaymentHash(*AsRef::<[u8; 32]>::as_ref(invoice.payment_hash()));
        self.send_payment_with_retry(params, hash, recipient, payment_id, retry, router, now)
    }

    fn check_invoice(
        &self,
        invoice: &Bolt11Invoice,
        amount_if_zero_msat: Option<u64>,
        now: Duration,
    ) -> Result<u64, SendError> {
        let refuse = |error| Err(SendError::Invoice(error));
        if invoice.check_signature().is_err() {
            return refuse(PayInvoiceError::InvalidSignature);
        }
        if ChainHash::using_genesis_block(invoice.network()) != self.chain_hash() {
            return refuse(PayInvoiceError::WrongNetwork);
        }
        if invoice.would_expire(now) {
            return refuse(PayInvoiceError::Expired);
        }
        if invoice
            .features()
            .is_some_and(|features| features.requires_unknown_bits())
        {
            return refuse(PayInvoiceError::UnknownRequiredFeature);
        }
        match (invoice.amount_milli_satoshis(), amount_if_zero_msat) {
            (Some(amount), None) => Ok(amount),
            (None, Some(amount)) => Ok(amount),
            (Some(_), Some(_)) => refuse(PayInvoiceError::AmountNotAllowed),
            (None, None) => refuse(PayInvoiceError::AmountMissing),
        }
    }
}
