//! The events the `ChannelManager` hands to its user, and the reasons they carry.

use alloc::string::String;
use alloc::vec::Vec;

use bitcoin::{OutPoint, ScriptBuf};
use secp256k1::PublicKey;

use crate::channel::CloseReason;
use crate::onion::{FailureCode, FailureMessage};
use crate::routing::Path;
use crate::wire::{ChannelId, PaymentHash, PaymentPreimage};

use super::inbound_secret::PaymentSecret;
use super::payments_out::PaymentId;

/// Something the user must know or act on. Drain them with `ChannelManager::next_event`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An outbound channel was accepted: build a transaction paying `channel_value_satoshis`
    /// to `output_script`, and hand it to `ChannelManager::funding_transaction_generated`
    /// (do not broadcast it yourself: the manager hands it back through `poll_broadcast` once
    /// the peer signed our first commitment).
    FundingGenerationReady {
        /// The channel's temporary id.
        temporary_channel_id: ChannelId,
        /// The peer.
        counterparty_node_id: PublicKey,
        /// The funding output's value.
        channel_value_satoshis: u64,
        /// The funding output's script (P2WSH of the 2-of-2).
        output_script: ScriptBuf,
        /// The id the user gave to `open_channel`.
        user_channel_id: u128,
    },
    /// A peer wants to open a channel with us and manual acceptance is configured: call
    /// `ChannelManager::accept_inbound_channel` (or ignore it to refuse).
    OpenChannelRequest {
        /// The channel's temporary id.
        temporary_channel_id: ChannelId,
        /// The peer.
        counterparty_node_id: PublicKey,
        /// The channel's value.
        funding_satoshis: u64,
        /// What the funder gives us at open.
        push_msat: u64,
    },
    /// The funding transaction is signed by both sides; the channel waits for confirmations.
    ChannelPending {
        /// The channel's id (derived from the funding outpoint).
        channel_id: ChannelId,
        /// The user's id of the channel.
        user_channel_id: u128,
        /// The temporary id used until now.
        former_temporary_channel_id: ChannelId,
        /// The peer.
        counterparty_node_id: PublicKey,
        /// The funding outpoint.
        funding_txo: OutPoint,
    },
    /// The channel is open and usable for payments.
    ChannelReady {
        /// The channel.
        channel_id: ChannelId,
        /// The user's id of the channel.
        user_channel_id: u128,
        /// The peer.
        counterparty_node_id: PublicKey,
    },
    /// A payment to us is irrevocably committed: call `ChannelManager::claim_funds` with the
    /// preimage to take it, or `fail_htlc_backwards` to refuse it.
    PaymentClaimable {
        /// The payment hash.
        payment_hash: PaymentHash,
        /// The amount received (the HTLC's amount).
        amount_msat: u64,
        /// The preimage, when the payment was created by `create_inbound_payment` (then
        /// `claim_funds` can be called with it directly).
        payment_preimage: Option<PaymentPreimage>,
        /// The payment secret the payer sent.
        payment_secret: PaymentSecret,
        /// The invoice's metadata, echoed by the payer.
        payment_metadata: Option<Vec<u8>>,
        /// Custom TLV records the payer added, `(type, value)` in type order.
        custom_tlvs: Vec<(u64, Vec<u8>)>,
        /// The channel it arrived on.
        via_channel_id: ChannelId,
        /// The `cltv_expiry` of the HTLC: claim before this height.
        claim_deadline: u32,
    },
    /// A multi-part payment to us did not complete in time (or an HTLC of a payment we held
    /// came too close to its expiry): its parts were failed back.
    PaymentReceiveFailed {
        /// The payment hash.
        payment_hash: PaymentHash,
        /// The sum of the parts that had arrived.
        received_msat: u64,
    },
    /// We released the preimage of a payment to us: the funds are ours.
    PaymentClaimed {
        /// The payment hash.
        payment_hash: PaymentHash,
        /// The amount claimed.
        amount_msat: u64,
    },
    /// A payment we sent succeeded: the recipient revealed the preimage.
    PaymentSent {
        /// The payment's id.
        payment_id: PaymentId,
        /// The payment hash.
        payment_hash: PaymentHash,
        /// The proof of payment.
        payment_preimage: PaymentPreimage,
        /// The fees paid to intermediate hops (`None` if they overflow).
        fee_paid_msat: Option<u64>,
    },
    /// A payment we sent failed for good: nothing was paid.
    PaymentFailed {
        /// The payment's id.
        payment_id: PaymentId,
        /// The payment hash.
        payment_hash: PaymentHash,
        /// Why.
        reason: PaymentFailureReason,
    },
    /// One path (part) of a payment we sent failed, and the payment goes on: other parts
    /// are in flight, or (when `will_retry`) the failed amount is routed again at the next
    /// `process_pending_payments`. A failure that ends the payment at once is reported by
    /// `PaymentFailed` alone, with the same reason.
    PaymentPathFailed {
        /// The payment's id.
        payment_id: PaymentId,
        /// The payment hash.
        payment_hash: PaymentHash,
        /// The path that failed.
        path: Path,
        /// Who failed it and why (attributed through the onion failure).
        reason: PaymentFailureReason,
        /// Whether the payment will try the amount again over another route.
        will_retry: bool,
    },
    /// We forwarded a payment and it settled: the downstream hop revealed the preimage and we
    /// claimed the incoming HTLC.
    PaymentForwarded {
        /// The channel the HTLC came in on.
        prev_channel_id: ChannelId,
        /// The channel we forwarded it over.
        next_channel_id: ChannelId,
        /// Incoming amount minus outgoing amount: our fee.
        fee_earned_msat: u64,
        /// The amount of the outgoing HTLC.
        outbound_amount_msat: u64,
    },
    /// A channel closed (or was refused before it opened).
    ChannelClosed {
        /// The channel's id (its temporary id if it closed before funding).
        channel_id: ChannelId,
        /// The user's id of the channel.
        user_channel_id: u128,
        /// The peer.
        counterparty_node_id: PublicKey,
        /// Why.
        reason: ClosureReason,
    },
}

/// Why an outbound payment failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentFailureReason {
    /// A hop (the recipient if `is_recipient`) returned a failure we could attribute.
    HopFailed {
        /// Index of the erring hop in the path (0 = our direct peer).
        hop_index: usize,
        /// Its node id.
        node_id: Option<PublicKey>,
        /// Whether the erring hop is the recipient.
        is_recipient: bool,
        /// The failure it sent, if it could be parsed.
        failure: Option<FailureMessage>,
    },
    /// Our direct peer could not parse the onion (`update_fail_malformed_htlc`).
    MalformedOnion {
        /// The BADONION failure code it returned.
        failure_code: FailureCode,
    },
    /// A failure came back that no hop's key authenticates.
    Unattributable,
    /// The HTLC was failed by us: the channel closed before it was signed, it was resolved on
    /// chain without its preimage, or the channel could not carry it.
    ChannelUnavailable,
    /// The router found no route for the (remaining) amount.
    RouteNotFound,
    /// The retry budget ran out (attempts or time) while parts were still unpaid.
    RetriesExhausted,
    /// The invoice expired before the payment could complete.
    InvoiceExpired,
}

impl PaymentFailureReason {
    /// The failure message a hop returned, when there is one.
    pub fn failure_message(&self) -> Option<&FailureMessage> {
        match self {
            PaymentFailureReason::HopFailed { failure, .. } => failure.as_ref(),
            _ => None,
        }
    }
}

/// Why a channel closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClosureReason {
    /// Closed by mutual agreement (`shutdown`/`closing_signed`).
    CooperativeClosure,
    /// We force closed it on the user's request.
    HolderForceClosed,
    /// The peer sent an `error` for the channel; `peer_message` is its text, sanitized to
    /// printable ASCII.
    CounterpartyForceClosed {
        /// The peer's error text.
        peer_message: String,
    },
    /// The peer broke the protocol (or the channel hit an unrecoverable error) and we force
    /// closed it.
    ProtocolError(CloseReason),
    /// The peer disconnected before the funding was signed: the channel is forgotten.
    DisconnectedBeforeFunding,
    /// An HTLC we forwarded over the channel neared its expiry unresolved: we force closed
    /// the channel to time it out on chain.
    HtlcsTimedOut,
    /// A commitment transaction spending the funding confirmed while the channel was still
    /// open for us (typically the peer force closed while we were disconnected), as the
    /// channel's monitor reported it.
    CommitmentTxConfirmed,
}

/// Keeps printable ASCII from a peer's text, replacing the rest, for safe display.
pub(crate) fn sanitize(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(256)
        .map(|byte| {
            if (0x20..0x7f).contains(byte) {
                char::from(*byte)
            } else {
                '?'
            }
        })
        .collect()
}
