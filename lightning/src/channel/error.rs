//! What can go wrong in a channel, and what the owner must do about it.

use core::fmt;

use lightning_signer_api::traits::Refusal;
use lightning_signer_api::tx::{ClosingError, CommitmentError};

use crate::wire::features::ChannelTypeError;

/// The error of every [`Channel`](super::Channel) call. Each variant says what the owner
/// must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelError {
    /// The peer sent something we ignore: the owner may send a `warning` (and may disconnect).
    /// The channel is unchanged.
    Warn(WarnReason),
    /// The channel must be force closed: the owner sends `error`, calls
    /// [`force_close`](super::Channel::force_close) and broadcasts. Funds are safe.
    Close(CloseReason),
    /// A command that cannot be done now; nothing changed.
    Api(ApiError),
}

impl fmt::Display for ChannelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelError::Warn(r) => write!(f, "ignored peer message: {r}"),
            ChannelError::Close(r) => write!(f, "channel must close: {r}"),
            ChannelError::Api(r) => write!(f, "cannot do this now: {r}"),
        }
    }
}

impl core::error::Error for ChannelError {}

impl From<CloseReason> for ChannelError {
    fn from(r: CloseReason) -> Self {
        ChannelError::Close(r)
    }
}

impl From<ApiError> for ChannelError {
    fn from(r: ApiError) -> Self {
        ChannelError::Api(r)
    }
}

impl From<WarnReason> for ChannelError {
    fn from(r: WarnReason) -> Self {
        ChannelError::Warn(r)
    }
}

/// Why a peer message was ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarnReason {
    /// The message names another channel.
    WrongChannelId,
    /// The message is not expected in the channel's current phase.
    UnexpectedMessage,
    /// `closing_signed` fee ranges do not overlap.
    NoFeeRangeOverlap,
    /// A `closing_signed` fee outside our range without a `fee_range` to negotiate.
    UnacceptableClosingFee,
    /// A `closing_signed` signature does not verify.
    BadClosingSignature,
    /// A `shutdown` script that is not one of the standard forms.
    NonStandardShutdownScript,
}

impl fmt::Display for WarnReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WrongChannelId => "message for another channel",
            Self::UnexpectedMessage => "message not expected now",
            Self::NoFeeRangeOverlap => "closing fee ranges do not overlap",
            Self::UnacceptableClosingFee => "closing fee not acceptable",
            Self::BadClosingSignature => "closing signature does not verify",
            Self::NonStandardShutdownScript => "non-standard shutdown script",
        })
    }
}

/// Why the channel must be (or was) closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// A parameter of `open_channel`/`accept_channel` breaks BOLT 2 or our limits.
    BadParameter(ParameterError),
    /// The channel type is unknown, not negotiated or not one we support.
    ChannelType(ChannelTypeError),
    /// The peer did not send a `channel_type` and we need `option_static_remotekey`.
    MissingChannelType,
    /// The peer's signature on our commitment (or an HTLC transaction) does not verify.
    BadCommitmentSignature,
    /// The peer sent the wrong number of HTLC signatures.
    WrongHtlcSignatureCount,
    /// The peer's revocation secret does not match its commitment point or earlier secrets.
    BadRevocationSecret,
    /// The peer sent a message out of protocol order.
    ProtocolOrder,
    /// An HTLC id that is not the next one.
    WrongHtlcId,
    /// An update naming an HTLC that does not exist (or cannot be removed yet).
    UnknownHtlc,
    /// A preimage that does not hash to the HTLC's payment hash.
    BadPreimage,
    /// An HTLC below our `htlc_minimum_msat` (or zero).
    HtlcBelowMinimum,
    /// More HTLCs than our `max_accepted_htlcs`.
    TooManyHtlcs,
    /// More HTLC value in flight than our `max_htlc_value_in_flight_msat`.
    HtlcValueInFlightExceeded,
    /// The peer cannot afford the HTLC (or fee) while keeping its reserve.
    InsufficientBalance,
    /// A `cltv_expiry` that is a timestamp (>= 500000000).
    BadCltvExpiry,
    /// `update_fee` from the peer that does not pay the fee.
    UpdateFeeFromNonFunder,
    /// A feerate outside our limits.
    UnreasonableFeerate,
    /// `update_fail_malformed_htlc` without the `BADONION` bit.
    MalformedWithoutBadOnion,
    /// An HTLC added after `shutdown`.
    AddAfterShutdown,
    /// A shutdown script that is not standard, or not the one committed upfront.
    BadShutdownScript,
    /// A funding transaction that does not pay the funding script the agreed amount.
    BadFundingTransaction,
    /// The signer refused a request.
    SignerRefused(Refusal),
    /// A commitment transaction could not be built.
    Commitment(CommitmentError),
    /// The closing transaction could not be built.
    Closing(ClosingError),
    /// The peer sent an `error` (set by the owner).
    CounterpartyError,
    /// We (the owner) chose to force close.
    HolderForceClosed,
    /// The channel closed cooperatively.
    CooperativeClose,
    /// The peer's `channel_reestablish` names commitment numbers that cannot be (it is
    /// behind us, or it is lying): BOLT 2 says fail the channel.
    ReestablishMismatch,
    /// The peer's `channel_reestablish` proves (with one of our revocation secrets) that
    /// our state is older than its: we must not broadcast our commitment; the peer is asked
    /// to close and we wait for its commitment on chain (with `option_static_remotekey` our
    /// `to_remote` output pays our payment basepoint directly; the point is kept for
    /// channels that would need it).
    StaleLocalState {
        /// The peer's current per-commitment point from its `channel_reestablish`.
        their_current_per_commitment_point: bitcoin::secp256k1::PublicKey,
    },
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadParameter(e) => write!(f, "bad channel parameter: {e}"),
            Self::ChannelType(e) => write!(f, "channel type: {e}"),
            Self::SignerRefused(e) => write!(f, "{e}"),
            Self::Commitment(e) => write!(f, "commitment: {e}"),
            Self::Closing(e) => write!(f, "closing transaction: {e}"),
            other => f.write_str(match other {
                Self::MissingChannelType => "peer sent no channel_type",
                Self::BadCommitmentSignature => "bad commitment signature",
                Self::WrongHtlcSignatureCount => "wrong number of HTLC signatures",
                Self::BadRevocationSecret => "bad revocation secret",
                Self::ProtocolOrder => "message out of protocol order",
                Self::WrongHtlcId => "HTLC id is not the next one",
                Self::UnknownHtlc => "unknown or uncommitted HTLC",
                Self::BadPreimage => "preimage does not match the payment hash",
                Self::HtlcBelowMinimum => "HTLC below htlc_minimum_msat",
                Self::TooManyHtlcs => "more HTLCs than max_accepted_htlcs",
                Self::HtlcValueInFlightExceeded => "max_htlc_value_in_flight_msat exceeded",
                Self::InsufficientBalance => "peer cannot afford it while keeping its reserve",
                Self::BadCltvExpiry => "cltv_expiry is not a block height",
                Self::UpdateFeeFromNonFunder => "update_fee from the non-funder",
                Self::UnreasonableFeerate => "unreasonable feerate",
                Self::MalformedWithoutBadOnion => "update_fail_malformed_htlc without BADONION",
                Self::AddAfterShutdown => "HTLC added after shutdown",
                Self::BadShutdownScript => "bad shutdown script",
                Self::BadFundingTransaction => "funding transaction does not pay the channel",
                Self::CounterpartyError => "peer sent an error",
                Self::HolderForceClosed => "force closed by us",
                Self::CooperativeClose => "closed cooperatively",
                Self::ReestablishMismatch => "channel_reestablish does not match our state",
                Self::StaleLocalState { .. } => {
                    "our channel state is stale (data loss): please close"
                }
                _ => "channel failure",
            }),
        }
    }
}

impl core::error::Error for CloseReason {}

/// Which `open_channel`/`accept_channel` parameter was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterError {
    /// Another chain.
    WrongChain,
    /// `accept_channel` names another temporary channel id.
    WrongTemporaryChannelId,
    /// Funding amount outside our limits.
    FundingAmount,
    /// `push_msat` larger than the funding.
    PushExceedsFunding,
    /// `to_self_delay` too large.
    ToSelfDelay,
    /// `max_accepted_htlcs` zero, above 483 or below our minimum.
    MaxAcceptedHtlcs,
    /// `feerate_per_kw` outside our band.
    Feerate,
    /// `dust_limit_satoshis` below 354 or above our maximum.
    DustLimit,
    /// The reserve is below a dust limit, or above our maximum.
    ChannelReserve,
    /// `htlc_minimum_msat` too large.
    HtlcMinimum,
    /// `max_htlc_value_in_flight_msat` too small.
    MaxHtlcValueInFlight,
    /// `minimum_depth` too large.
    MinimumDepth,
    /// The funder cannot pay the initial commitment fee.
    FunderCannotPayFee,
    /// Neither side would have more than the reserve on the first commitment.
    BothBelowReserve,
    /// A key is invalid or repeated.
    Keys,
}

impl fmt::Display for ParameterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WrongChain => "chain_hash is not ours",
            Self::WrongTemporaryChannelId => "temporary_channel_id mismatch",
            Self::FundingAmount => "funding_satoshis outside limits",
            Self::PushExceedsFunding => "push_msat exceeds the funding",
            Self::ToSelfDelay => "to_self_delay too large",
            Self::MaxAcceptedHtlcs => "max_accepted_htlcs out of range",
            Self::Feerate => "feerate_per_kw out of range",
            Self::DustLimit => "dust_limit_satoshis out of range",
            Self::ChannelReserve => "channel_reserve_satoshis out of range",
            Self::HtlcMinimum => "htlc_minimum_msat too large",
            Self::MaxHtlcValueInFlight => "max_htlc_value_in_flight_msat too small",
            Self::MinimumDepth => "minimum_depth too large",
            Self::FunderCannotPayFee => "funder cannot pay the initial fee",
            Self::BothBelowReserve => "both balances at or below the reserve",
            Self::Keys => "invalid channel keys",
        })
    }
}

impl core::error::Error for ParameterError {}

/// Why a command was refused. Nothing changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The channel is not in a phase where this can be done.
    WrongPhase,
    /// Our balance cannot pay this (after reserve and fees).
    InsufficientBalance,
    /// Below the peer's `htlc_minimum_msat`.
    BelowHtlcMinimum,
    /// The peer's `max_accepted_htlcs` would be exceeded.
    TooManyHtlcs,
    /// The peer's `max_htlc_value_in_flight_msat` would be exceeded.
    ValueInFlightExceeded,
    /// No such HTLC, or it cannot be settled now (not irrevocably committed, already settled).
    UnknownHtlc,
    /// The preimage does not match the HTLC's payment hash.
    BadPreimage,
    /// Only the funder may change the feerate.
    NotFunder,
    /// A `cltv_expiry` at or above 500000000.
    BadCltvExpiry,
    /// A shutdown is in progress: no new HTLCs.
    ShuttingDown,
    /// A shutdown script is needed (none was given, none committed upfront) or differs from
    /// the one committed upfront.
    ShutdownScript,
    /// The funding transaction does not pay the channel's funding script and amount.
    FundingTransaction,
    /// The signer has not answered yet; call again after `signer_ready`.
    SignerPending,
    /// The signer refused.
    SignerRefused(Refusal),
    /// A failure code without the `BADONION` bit.
    NotBadOnion,
    /// The feerate is outside the sane band.
    Feerate,
    /// One of our own channel parameters is out of range.
    BadParameter(ParameterError),
    /// The channel type is not one we can open.
    UnsupportedChannelType,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SignerRefused(r) => write!(f, "{r}"),
            Self::BadParameter(e) => write!(f, "{e}"),
            other => f.write_str(match other {
                Self::UnsupportedChannelType => "unsupported channel type",
                Self::WrongPhase => "wrong channel phase",
                Self::InsufficientBalance => "insufficient balance",
                Self::BelowHtlcMinimum => "below the peer's htlc_minimum_msat",
                Self::TooManyHtlcs => "too many HTLCs",
                Self::ValueInFlightExceeded => "too much value in flight",
                Self::UnknownHtlc => "unknown or unsettleable HTLC",
                Self::BadPreimage => "preimage does not match",
                Self::NotFunder => "only the funder may update the fee",
                Self::BadCltvExpiry => "bad cltv_expiry",
                Self::ShuttingDown => "channel is shutting down",
                Self::ShutdownScript => "shutdown script missing or not the upfront one",
                Self::FundingTransaction => "funding transaction does not pay the channel",
                Self::SignerPending => "signer pending",
                Self::NotBadOnion => "failure code lacks BADONION",
                Self::Feerate => "feerate out of range",
                _ => "refused",
            }),
        }
    }
}

impl core::error::Error for ApiError {}
