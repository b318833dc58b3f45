//! What a signer answers: ready, pending, or refused (and why).

use core::fmt;

use crate::keys::{CommitmentNumberError, KeyDerivationError};
use crate::tx::{ClosingError, CommitmentError, SighashError};

/// The answer to every signer call that may need a device, a human or a network round trip.
///
/// - `Ready(value)`: done.
/// - `Pending`: the signer accepted the request but has no answer yet (a remote signer is
///   offline, a human has to confirm on a device). This is not an error: the caller pauses
///   the channel or operation that asked, keeps the request, and asks again with the same
///   arguments once the signer's owner reports that it is ready (`signer_ready` on the node).
///   A signer that answered `Pending` must give the same answer to the repeated request once
///   it is ready.
/// - `Refused(refusal)`: the signer will not sign this, ever; retrying does not help. The
///   caller treats it like a failed operation (for a channel, usually a force close or an
///   error to the peer), and shows the [`Refusal`] to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum SignerReply<T> {
    /// The answer.
    Ready(T),
    /// No answer yet; ask again after the signer reports it is ready.
    Pending,
    /// The signer will not do this.
    Refused(Refusal),
}

impl<T> SignerReply<T> {
    /// Applies `f` to a ready value, keeping `Pending` and `Refused`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> SignerReply<U> {
        match self {
            SignerReply::Ready(value) => SignerReply::Ready(f(value)),
            SignerReply::Pending => SignerReply::Pending,
            SignerReply::Refused(refusal) => SignerReply::Refused(refusal),
        }
    }

    /// Chains a second signer step on a ready value.
    pub fn and_then<U>(self, f: impl FnOnce(T) -> SignerReply<U>) -> SignerReply<U> {
        match self {
            SignerReply::Ready(value) => f(value),
            SignerReply::Pending => SignerReply::Pending,
            SignerReply::Refused(refusal) => SignerReply::Refused(refusal),
        }
    }

    /// The ready value, if any.
    pub fn ready(self) -> Option<T> {
        match self {
            SignerReply::Ready(value) => Some(value),
            _ => None,
        }
    }

    /// Whether the answer is `Pending`.
    pub fn is_pending(&self) -> bool {
        matches!(self, SignerReply::Pending)
    }

    /// `Ok(Some(value))`, `Ok(None)` for pending, `Err(refusal)` for a refusal: lets a caller
    /// use `?` on refusals while still handling pending explicitly.
    pub fn into_result(self) -> Result<Option<T>, Refusal> {
        match self {
            SignerReply::Ready(value) => Ok(Some(value)),
            SignerReply::Pending => Ok(None),
            SignerReply::Refused(refusal) => Err(refusal),
        }
    }
}

impl<T> From<Result<T, Refusal>> for SignerReply<T> {
    fn from(result: Result<T, Refusal>) -> Self {
        match result {
            Ok(value) => SignerReply::Ready(value),
            Err(refusal) => SignerReply::Refused(refusal),
        }
    }
}

impl<T> From<Refusal> for SignerReply<T> {
    fn from(refusal: Refusal) -> Self {
        SignerReply::Refused(refusal)
    }
}

impl<T> From<InvalidInput> for SignerReply<T> {
    fn from(reason: InvalidInput) -> Self {
        SignerReply::Refused(Refusal::InvalidInput(reason))
    }
}

impl<T> From<PolicyCode> for SignerReply<T> {
    fn from(code: PolicyCode) -> Self {
        SignerReply::Refused(Refusal::Policy(code))
    }
}

/// Why a signer refused a request. Retrying the same request does not help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The signer does not know this channel (or this node).
    UnknownChannel,
    /// The request is malformed, or what it describes does not rebuild into a valid
    /// transaction or message.
    InvalidInput(InvalidInput),
    /// The request is well formed but signing it would break one of the signer's policies.
    Policy(PolicyCode),
    /// The signer does not implement this operation.
    Unsupported,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::UnknownChannel => f.write_str("signer refused: unknown channel"),
            Refusal::InvalidInput(reason) => write!(f, "signer refused: invalid input: {reason}"),
            Refusal::Policy(code) => write!(f, "signer refused by policy: {code}"),
            Refusal::Unsupported => f.write_str("signer refused: operation not supported"),
        }
    }
}

impl core::error::Error for Refusal {}

impl From<InvalidInput> for Refusal {
    fn from(reason: InvalidInput) -> Self {
        Refusal::InvalidInput(reason)
    }
}

impl From<PolicyCode> for Refusal {
    fn from(code: PolicyCode) -> Self {
        Refusal::Policy(code)
    }
}

/// What is wrong with a request's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidInput {
    /// The channel description is inconsistent (its parameters disagree with its key sets) or
    /// names keys that are not this signer's.
    ChannelMismatch,
    /// The commitment transaction does not build.
    Commitment(CommitmentError),
    /// The closing transaction does not build.
    Closing(ClosingError),
    /// A signature hash could not be computed (input index out of range).
    Sighash(SighashError),
    /// A key could not be derived (for example a per-commitment secret that is not a key).
    KeyDerivation(KeyDerivationError),
    /// A commitment number is out of the 48-bit range.
    CommitmentNumber(CommitmentNumberError),
    /// An HTLC position is beyond the commitment's untrimmed HTLCs.
    HtlcOutOfRange,
    /// The transaction given does not spend or pay what the request describes.
    TransactionMismatch,
    /// A per-commitment secret does not match the commitment it is given for.
    SecretMismatch,
    /// A signature given for checking does not verify.
    BadSignature,
    /// Message bytes (invoice, gossip) do not parse.
    MalformedMessage,
    /// The message names a node or key that is not this signer's.
    NotOurs,
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ChannelMismatch => f.write_str("channel description does not match the keys"),
            Self::Commitment(e) => write!(f, "commitment does not build: {e}"),
            Self::Closing(e) => write!(f, "closing transaction does not build: {e}"),
            Self::Sighash(e) => write!(f, "signature hash: {e}"),
            Self::KeyDerivation(e) => write!(f, "key derivation: {e}"),
            Self::CommitmentNumber(e) => write!(f, "{e}"),
            Self::HtlcOutOfRange => f.write_str("HTLC position out of range"),
            Self::TransactionMismatch => f.write_str("transaction does not match the request"),
            Self::SecretMismatch => f.write_str("per-commitment secret does not match"),
            Self::BadSignature => f.write_str("signature does not verify"),
            Self::MalformedMessage => f.write_str("message does not parse"),
            Self::NotOurs => f.write_str("message is not about this signer's keys"),
        }
    }
}

impl core::error::Error for InvalidInput {}

impl From<CommitmentError> for InvalidInput {
    fn from(e: CommitmentError) -> Self {
        Self::Commitment(e)
    }
}

impl From<ClosingError> for InvalidInput {
    fn from(e: ClosingError) -> Self {
        Self::Closing(e)
    }
}

impl From<SighashError> for InvalidInput {
    fn from(e: SighashError) -> Self {
        Self::Sighash(e)
    }
}

impl From<KeyDerivationError> for InvalidInput {
    fn from(e: KeyDerivationError) -> Self {
        Self::KeyDerivation(e)
    }
}

impl From<CommitmentNumberError> for InvalidInput {
    fn from(e: CommitmentNumberError) -> Self {
        Self::CommitmentNumber(e)
    }
}

/// Which signer policy a request would break. The named codes are the policies every signer
/// of this crate understands; `Other` carries a vendor's own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyCode {
    /// Asked for the per-commitment secret of a commitment that is not yet superseded (its
    /// successor has not been validated): revealing it would let the peer take the funds.
    SecretNotSuperseded,
    /// Asked to sign a holder commitment whose secret was already released (revoked):
    /// broadcasting it would forfeit the channel.
    RevokedHolderCommitment,
    /// A commitment number went backwards where it must only go forward.
    CommitmentNumberRegression,
    /// Outputs or fees do not match the state the signer tracks.
    StateMismatch,
    /// Funds would go to a destination not on the signer's allowlist.
    UnapprovedDestination,
    /// The fee or feerate is outside the signer's bounds.
    FeeOutOfRange,
    /// The signer's velocity (amount per period) limit would be exceeded.
    VelocityLimit,
    /// A human declined the request on the device.
    UserDeclined,
    /// A vendor-specific policy code.
    Other(u16),
}

impl fmt::Display for PolicyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SecretNotSuperseded => f.write_str("commitment secret is not superseded"),
            Self::RevokedHolderCommitment => f.write_str("holder commitment is revoked"),
            Self::CommitmentNumberRegression => f.write_str("commitment number went backwards"),
            Self::StateMismatch => f.write_str("request does not match the tracked state"),
            Self::UnapprovedDestination => f.write_str("destination is not allowlisted"),
            Self::FeeOutOfRange => f.write_str("fee out of range"),
            Self::VelocityLimit => f.write_str("velocity limit exceeded"),
            Self::UserDeclined => f.write_str("declined by the user"),
            Self::Other(code) => write!(f, "vendor policy {code}"),
        }
    }
}
