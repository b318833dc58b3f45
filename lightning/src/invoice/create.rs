//! Creating and signing invoices.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::Network;
use lightning_invoice::{
    Bolt11Invoice, Currency, InvoiceBuilder, RawBolt11Invoice, RouteHint as InvoiceRouteHint,
    RouteHintHop as InvoiceRouteHintHop, RoutingFees as InvoiceRoutingFees,
};
use lightning_signer_api::traits::{NodeSigner, SignerReply};

use crate::manager::{ChannelManager, PaymentSecret};
use crate::routing::RouteHint;

/// What an invoice says about the payment, beyond what the manager draws itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvoiceDescription {
    /// A short description (`d`), at most 639 bytes.
    Direct(String),
    /// The SHA256 of a longer description given out of band (`h`).
    Hash([u8; 32]),
}

/// The fields of an invoice to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceParams {
    /// The network the invoice is for (its currency prefix).
    pub network: Network,
    /// The amount asked, `None` for "any amount".
    pub amount_msat: Option<u64>,
    /// The description.
    pub description: InvoiceDescription,
    /// Seconds until the invoice expires (also the payment secret's expiry).
    pub expiry_secs: u32,
    /// The final CLTV delta asked of the payer; `None` takes the manager's
    /// `min_final_cltv_expiry_delta`.
    pub min_final_cltv_expiry_delta: Option<u32>,
    /// Private routes to us (for unannounced channels). Left empty, an invoice of a node
    /// without announced channels gets
    /// [`ChannelManager::private_route_hints`](crate::manager::ChannelManager::private_route_hints).
    pub route_hints: Vec<RouteHint>,
    /// Whether to announce `basic_mpp` (the payer may split the payment).
    pub basic_mpp: bool,
    /// Metadata the payer echoes in the onion.
    pub payment_metadata: Option<Vec<u8>>,
}

impl InvoiceParams {
    /// Parameters for `amount_msat` with `description`, one hour of expiry, no hints, MPP
    /// allowed.
    pub fn new(network: Network, amount_msat: Option<u64>, description: &str) -> Self {
        InvoiceParams {
            network,
            amount_msat,
            description: InvoiceDescription::Direct(String::from(description)),
            expiry_secs: 3600,
            min_final_cltv_expiry_delta: None,
            route_hints: Vec::new(),
            basic_mpp: true,
            payment_metadata: None,
        }
    }
}

/// Why an invoice could not be created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreateInvoiceError {
    /// A field is out of range (description too long, amount too large, timestamp, route).
    Creation(lightning_invoice::CreationError),
    /// The node signer answered `Pending`: call again once it is ready.
    SignerPending,
    /// The node signer refused, or its signature does not verify.
    SignerRefused,
}

impl fmt::Display for CreateInvoiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreateInvoiceError::Creation(err) => write!(f, "invalid invoice field: {err}"),
            CreateInvoiceError::SignerPending => f.write_str("the node signer is pending"),
            CreateInvoiceError::SignerRefused => f.write_str("the node signer did not sign"),
        }
    }
}

impl core::error::Error for CreateInvoiceError {}

/// Signs an unsigned invoice with the node signer: the signer receives the human-readable
/// part and the data part as 5-bit values (`NodeSigner::sign_invoice`), and the signature is
/// checked before the invoice is returned.
pub fn sign_raw_invoice(
    raw: RawBolt11Invoice,
    signer: &mut dyn NodeSigner,
) -> Result<Bolt11Invoice, CreateInvoiceError> {
    let (hrp, data) = raw.to_raw();
    let data: Vec<u8> = data.iter().map(|value| value.to_u8()).collect();
    let signature = match signer.sign_invoice(&hrp, &data) {
        SignerReply::Ready(signature) => signature,
        SignerReply::Pending => return Err(CreateInvoiceError::SignerPending),
        SignerReply::Refused(_) => return Err(CreateInvoiceError::SignerRefused),
    };
    let signed = raw
        .sign::<_, ()>(|_| Ok(signature))
        .map_err(|()| CreateInvoiceError::SignerRefused)?;
    Bolt11Invoice::from_signed(signed).map_err(|_| CreateInvoiceError::SignerRefused)
}

/// A route hint in the invoice crate's types.
pub(crate) fn to_invoice_hint(hint: &RouteHint) -> InvoiceRouteHint {
    InvoiceRouteHint(
        hint.0
            .iter()
            .map(|hop| InvoiceRouteHintHop {
                src_node_id: hop.src_node_id,
                short_channel_id: hop.short_channel_id.0,
                fees: InvoiceRoutingFees {
                    base_msat: hop.fees.base_msat,
                    proportional_millionths: hop.fees.proportional_millionths,
                },
                cltv_expiry_delta: hop.cltv_expiry_delta,
                htlc_minimum_msat: hop.htlc_minimum_msat,
                htlc_maximum_msat: hop.htlc_maximum_msat,
            })
            .collect(),
    )
}

impl ChannelManager {
    /// Creates a signed BOLT 11 invoice for a new inbound payment (see the
    /// [module documentation](crate::invoice)). `now` is the invoice's timestamp. When
    /// `params` names no route hints and none of our channels is announced, the invoice
    /// carries [`private_route_hints`](Self::private_route_hints), so payers can reach us
    /// through our unannounced channels.
    pub fn create_invoice(
        &mut self,
        params: &InvoiceParams,
        now: Duration,
    ) -> Result<Bolt11Invoice, CreateInvoiceError> {
        let (payment_hash, payment_secret) =
            self.create_inbound_payment(params.amount_msat, params.expiry_secs, now);
        let final_delta = params
            .min_final_cltv_expiry_delta
            .unwrap_or(self.config().min_final_cltv_expiry_delta);
        let mut params = params.clone();
        if params.route_hints.is_empty() && !self.has_announced_channel() {
            params.route_hints = self.private_route_hints();
        }
        let raw = build_raw(&params, payment_hash.0, payment_secret, final_delta, now)?;
        sign_raw_invoice(raw, self.node_signer_mut())
    }
}

fn build_raw(
    params: &InvoiceParams,
    payment_hash: [u8; 32],
    payment_secret: PaymentSecret,
    final_delta: u32,
    now: Duration,
) -> Result<RawBolt11Invoice, CreateInvoiceError> {
    let builder = InvoiceBuilder::new(Currency::from(params.network));
    let builder = match &params.description {
        InvoiceDescription::Direct(text) => builder.description(text.clone()),
        InvoiceDescription::Hash(hash) => {
            builder.description_hash(sha256::Hash::from_byte_array(*hash))
        }
    };
    let mut builder = builder
        .payment_hash(sha256::Hash::from_byte_array(payment_hash))
        .duration_since_epoch(Duration::from_secs(now.as_secs()))
        .min_final_cltv_expiry_delta(u64::from(final_delta))
        .payment_secret(lightning_invoice::PaymentSecret(payment_secret.0))
        .expiry_time(Duration::from_secs(u64::from(params.expiry_secs)));
    if let Some(amount) = params.amount_msat {
        builder = builder.amount_milli_satoshis(amount);
    }
    if params.basic_mpp {
        builder = builder.basic_mpp();
    }
    for hint in &params.route_hints {
        builder = builder.private_route(to_invoice_hint(hint));
    }
    let raw = match &params.payment_metadata {
        Some(metadata) => builder.payment_metadata(metadata.clone()).build_raw(),
        None => builder.build_raw(),
    };
    raw.map_err(CreateInvoiceError::Creation)
}
