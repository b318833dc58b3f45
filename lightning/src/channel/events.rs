//! What a channel tells its owner: [`ChannelEvent`]s, the [`ChannelPhase`] and
//! [`ChannelBalances`].

use alloc::boxed::Box;
use alloc::vec::Vec;

use bitcoin::{ScriptBuf, Transaction};

use super::error::CloseReason;
use crate::wire::{ChannelId, PaymentHash, PaymentPreimage};

/// Something the owner (the channel manager) must act on, from
/// [`Channel::poll_event`](super::Channel::poll_event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelEvent {
    /// (Funder) the peer accepted: build a transaction paying `funding_satoshis` to
    /// `output_script`, then call
    /// [`funding_transaction_generated`](super::Channel::funding_transaction_generated).
    FundingGenerationReady {
        /// The temporary channel id.
        temporary_channel_id: ChannelId,
        /// The P2WSH 2-of-2 script to pay.
        output_script: ScriptBuf,
        /// The amount to pay to it.
        funding_satoshis: u64,
        /// The user's id of the channel.
        user_channel_id: u128,
    },
    /// (Funder) the peer signed our first commitment: broadcast the funding transaction.
    BroadcastFunding(Transaction),
    /// The funding is signed on both sides; the channel waits for confirmations. The channel
    /// id is now the real one.
    Pending {
        /// The id the channel had during negotiation.
        temporary_channel_id: ChannelId,
        /// The real channel id.
        channel_id: ChannelId,
    },
    /// Both sides sent `channel_ready`: payments can flow.
    Ready,
    /// An inbound HTLC is irrevocably committed on both sides: peel, forward or claim it.
    HtlcLockedIn {
        /// The peer's HTLC id.
        htlc_id: u64,
        /// Its amount.
        amount_msat: u64,
        /// Its payment hash.
        payment_hash: PaymentHash,
        /// Its absolute expiry height.
        cltv_expiry: u32,
        /// The onion packet to peel.
        onion: Box<[u8; 1366]>,
    },
    /// The peer fulfilled one of our HTLCs: the preimage is ours.
    HtlcFulfilled {
        /// Our HTLC id.
        htlc_id: u64,
        /// The preimage.
        preimage: PaymentPreimage,
    },
    /// One of our HTLCs failed; the removal is irrevocably committed.
    HtlcFailed {
        /// Our HTLC id.
        htlc_id: u64,
        /// Why, as the peer said.
        reason: HtlcFailReason,
    },
    /// A `shutdown` was exchanged or started. If `needs_script`, we have no shutdown script
    /// yet: call [`close`](super::Channel::close) with one.
    ShutdownStarted {
        /// Whether the owner must supply our shutdown script through `close`.
        needs_script: bool,
    },
    /// The channel is closed. A cooperative close carries the fully signed closing
    /// transaction to broadcast.
    Closed {
        /// Why.
        reason: CloseReason,
        /// The closing transaction, for a cooperative close.
        closing_tx: Option<Transaction>,
    },
}

/// Why the peer failed one of our HTLCs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HtlcFailReason {
    /// `update_fail_htlc`: the encrypted onion failure packet.
    Onion(Vec<u8>),
    /// `update_fail_malformed_htlc`: the peer could not parse our onion.
    Malformed {
        /// SHA256 of the onion it received.
        sha256_of_onion: [u8; 32],
        /// The BOLT 4 failure code (with `BADONION`).
        failure_code: u16,
    },
}

/// The channel's phase, from [`Channel::phase`](super::Channel::phase).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelPhase {
    /// `open_channel`/`accept_channel`/funding messages are being exchanged.
    Opening,
    /// Funded; waiting for the funding depth and both `channel_ready`s.
    AwaitingChannelReady,
    /// Open: HTLCs flow.
    Normal,
    /// `shutdown` sent or received; waiting for HTLCs to clear.
    ShuttingDown,
    /// `closing_signed` fee negotiation.
    NegotiatingClose,
    /// Closed (cooperatively or by force).
    Closed,
}

/// The channel's balances, from [`Channel::balances`](super::Channel::balances).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChannelBalances {
    /// Our balance, with every pending change applied, HTLCs excluded.
    pub to_holder_msat: u64,
    /// The peer's balance, likewise.
    pub to_counterparty_msat: u64,
    /// What we could send in one more HTLC now (after reserve and fees).
    pub outbound_capacity_msat: u64,
    /// What the peer could send us now (after its reserve and fees, roughly).
    pub inbound_capacity_msat: u64,
    /// HTLCs not yet settled, both directions.
    pub pending_htlcs: usize,
}
