//! The `ChannelManager`: every channel with every peer, payments out and in, and events.

// The manager type itself lands once the channel API is merged; until then some helpers are unused.
#![allow(dead_code)]

mod events;
mod inbound_secret;
mod payments_in;
mod payments_out;

pub use events::{ClosureReason, Event, PaymentFailureReason};
pub use inbound_secret::{InboundPaymentError, InboundPaymentKey, PaymentSecret, VerifiedPayment};
pub use payments_in::{
    failure_packet, receive_htlc, HtlcRejection, InboundHtlc, ReceiveContext, ReceivedPayment,
    RejectCause,
};
pub use payments_out::{
    build_payment_onion, PaymentId, PaymentOnion, RecipientOnionFields, ReturnedHtlcFailure,
    SendError,
};
