//! BOLT 11 invoices, on the [`lightning_invoice`] crate (re-exported here): create an invoice
//! for an inbound payment, signed through the [`NodeSigner`], and pay one.
//!
//! # Call contract
//!
//! - **Receive**: [`ChannelManager::create_invoice`] with [`InvoiceParams`] and the current
//!   time. It draws the payment hash and secret from `create_inbound_payment` (stateless: the
//!   manager stores nothing), builds the invoice and has the node signer sign its
//!   human-readable part and 5-bit data ([`sign_raw_invoice`]). Hand the invoice's string to
//!   the payer; the payment arrives as `PaymentClaimable` with its preimage.
//! - **Pay**: [`ChannelManager::pay_invoice`] with the invoice, the amount when the invoice
//!   has none, a payment id, a retry budget, the router and the current time. It checks the
//!   signature, the network, the expiry and the required features, then routes (with the
//!   invoice's route hints and features) and sends with the payment secret and metadata.
//!   Events as for `send_payment_with_retry`.
//!
//! [`NodeSigner`]: lightning_signer_api::traits::NodeSigner
//! [`ChannelManager::create_invoice`]: crate::manager::ChannelManager::create_invoice
//! [`ChannelManager::pay_invoice`]: crate::manager::ChannelManager::pay_invoice

mod create;
mod pay;

pub use lightning_invoice;

pub use create::{sign_raw_invoice, CreateInvoiceError, InvoiceDescription, InvoiceParams};
pub use pay::{route_parameters_for, PayInvoiceError};
