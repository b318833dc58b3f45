//! The channel's state enum with per-phase data, and what it waits for from the signer.

use bitcoin::{ScriptBuf, Transaction};

use super::events::ChannelPhase;

/// Where the opening dance is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub(crate) enum OpeningStep {
    /// Funder: `open_channel` sent.
    AwaitingAccept,
    /// Funder: `accept_channel` received; waiting for the owner's funding transaction.
    AwaitingFundingTx,
    /// Funder: funding transaction known; `funding_created` sent (or its signature pending).
    AwaitingFundingSigned { funding_tx: Transaction },
    /// Fundee: `accept_channel` sent.
    AwaitingFundingCreated,
}

/// Shutdown progress: who sent `shutdown`, with which scripts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ShutdownState {
    /// Our script, once known.
    pub holder_script: Option<ScriptBuf>,
    /// Whether we sent our `shutdown`.
    pub holder_sent: bool,
    /// The peer's script from its `shutdown`.
    pub counterparty_script: Option<ScriptBuf>,
    /// The feerate we target for the closing transaction.
    pub target_feerate_per_kw: u32,
}

/// `closing_signed` negotiation progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Negotiation {
    /// The fee and our signature of the last `closing_signed` we sent.
    pub last_sent: Option<(u64, bitcoin::secp256k1::ecdsa::Signature)>,
    /// The fee and the peer's signature of its last `closing_signed`.
    pub last_received: Option<(u64, bitcoin::secp256k1::ecdsa::Signature)>,
}

/// The channel's state, with the data of each phase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ChannelState {
    /// Negotiating and funding.
    Opening(OpeningStep),
    /// Funded; waiting for depth and `channel_ready`s.
    AwaitingReady {
        /// Whether we sent `channel_ready`.
        holder_ready: bool,
        /// Whether the peer sent `channel_ready`.
        counterparty_ready: bool,
    },
    /// Open.
    Normal,
    /// `shutdown` sent or received; HTLCs clearing.
    ShuttingDown(ShutdownState),
    /// Fee negotiation.
    Negotiating(ShutdownState, Negotiation),
    /// Closed.
    Closed,
}

impl ChannelState {
    pub fn phase(&self) -> ChannelPhase {
        match self {
            ChannelState::Opening(_) => ChannelPhase::Opening,
            ChannelState::AwaitingReady { .. } => ChannelPhase::AwaitingChannelReady,
            ChannelState::Normal => ChannelPhase::Normal,
            ChannelState::ShuttingDown(_) => ChannelPhase::ShuttingDown,
            ChannelState::Negotiating(..) => ChannelPhase::NegotiatingClose,
            ChannelState::Closed => ChannelPhase::Closed,
        }
    }

    /// The shutdown data, if a shutdown is in progress.
    pub fn shutdown(&self) -> Option<&ShutdownState> {
        match self {
            ChannelState::ShuttingDown(s) | ChannelState::Negotiating(s, _) => Some(s),
            _ => None,
        }
    }

    /// Whether commitment updates may flow (after `channel_ready`, until negotiation).
    pub fn updates_allowed(&self) -> bool {
        matches!(self, ChannelState::Normal | ChannelState::ShuttingDown(_))
    }
}

/// Signer calls that answered `Pending`, to repeat on `signer_ready`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SignerWaits {
    /// Funder: the signature for `funding_created`.
    pub funding_created: bool,
    /// Fundee: the signature for `funding_signed`.
    pub funding_signed: bool,
    /// Our second per-commitment point for `channel_ready`.
    pub channel_ready: bool,
    /// The `revoke_and_ack` we owe.
    pub revoke_and_ack: bool,
    /// A counterparty revocation to record with the signer: (commitment number, secret).
    pub revocation: Option<(u64, [u8; 32])>,
    /// The `commitment_signed` we want to send.
    pub commitment_signed: bool,
    /// A `closing_signed` to sign with this fee.
    pub closing_signed: Option<u64>,
}

impl SignerWaits {
    pub fn any(&self) -> bool {
        *self != SignerWaits::default()
    }
}
