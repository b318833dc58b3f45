//! The typed errors of the [`super::PeerManager`]: why a connection ends, and why one could not
//! be opened.

use core::fmt;

use crate::transport::{InvalidEphemeralKey, TransportError};
use crate::wire::features::PeerFeatureError;
use crate::wire::DecodeError;

/// Why a connection was (or must be) closed.
///
/// Returned by [`super::PeerManager::read`] and kept for every connection handed out by
/// [`super::PeerManager::poll_disconnect`] (see [`super::PeerManager::disconnect_reason`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisconnectReason {
    /// The connection id names no open connection (never opened, or already forgotten).
    UnknownConnection,
    /// The BOLT 8 transport failed: bad handshake, bad MAC, or the signer's ECDH failed.
    Transport(TransportError),
    /// The handshake and `init` exchange did not finish within the configured timeout.
    HandshakeTimeout,
    /// The peer did not answer our `ping` within the configured timeout.
    PingTimeout,
    /// Our outbound buffer for the peer stayed congested longer than the stall timeout: the
    /// peer is not reading.
    Stalled,
    /// The caller kept passing input while [`super::PeerManager::wants_read`] was false,
    /// beyond the configured limit.
    PausedInputOverflow,
    /// The peer's first message was not `init`.
    FirstMessageNotInit {
        /// The type of the message it sent instead.
        msg_type: u16,
    },
    /// The peer sent a second `init` on the same connection.
    DuplicateInit,
    /// The peer's `init` features are unacceptable (BOLT 1 and 9).
    IncompatibleFeatures(PeerFeatureError),
    /// The peer's `init` lists `networks`, none of which is our chain.
    NoCommonNetwork,
    /// The peer sent a message of an unknown even type (BOLT 1: close the connection).
    UnknownEvenMessage {
        /// The message type.
        msg_type: u16,
    },
    /// The peer sent a message that does not decode.
    InvalidMessage {
        /// The message type (0 if the message was too short to hold one).
        msg_type: u16,
        /// What was wrong with it.
        error: DecodeError,
    },
    /// The peer sent a `pong` we did not ask for, or of a length other than the one we asked.
    UnexpectedPong {
        /// The `byteslen` we asked for, `None` if no `ping` was outstanding.
        expected: Option<u16>,
        /// The `byteslen` received.
        received: usize,
    },
    /// The peer sent an `error` for all channels (all-zero `channel_id`).
    PeerSentError,
    /// The handler refused the peer in `peer_connected`.
    HandlerRejected,
    /// A newer connection with the same peer completed its `init`: this one is dropped
    /// (BOLT 1: a single connection per peer).
    Replaced,
    /// The peer authenticated with our own node id.
    ConnectedToSelf,
    /// The caller asked for the disconnection.
    Requested,
    /// The caller reported the socket closed ([`super::PeerManager::socket_disconnected`]).
    SocketClosed,
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisconnectReason::UnknownConnection => f.write_str("unknown connection"),
            DisconnectReason::Transport(e) => write!(f, "transport failed: {e}"),
            DisconnectReason::HandshakeTimeout => {
                f.write_str("handshake and init did not complete in time")
            }
            DisconnectReason::PingTimeout => f.write_str("no pong received in time"),
            DisconnectReason::Stalled => f.write_str("peer stopped reading our data"),
            DisconnectReason::PausedInputOverflow => {
                f.write_str("too much input received while reading was paused")
            }
            DisconnectReason::FirstMessageNotInit { msg_type } => {
                write!(f, "first message was type {msg_type}, not init")
            }
            DisconnectReason::DuplicateInit => f.write_str("peer sent a second init"),
            DisconnectReason::IncompatibleFeatures(e) => write!(f, "incompatible features: {e}"),
            DisconnectReason::NoCommonNetwork => f.write_str("peer's networks exclude our chain"),
            DisconnectReason::UnknownEvenMessage { msg_type } => {
                write!(f, "unknown even message type {msg_type}")
            }
            DisconnectReason::InvalidMessage { msg_type, error } => {
                write!(f, "invalid message of type {msg_type}: {error}")
            }
            DisconnectReason::UnexpectedPong {
                expected: Some(expected),
                received,
            } => write!(f, "pong of {received} bytes, expected {expected}"),
            DisconnectReason::UnexpectedPong {
                expected: None,
                received,
            } => write!(f, "unsolicited pong of {received} bytes"),
            DisconnectReason::PeerSentError => f.write_str("peer sent an error for all channels"),
            DisconnectReason::HandlerRejected => {
                f.write_str("the message handler refused the peer")
            }
            DisconnectReason::Replaced => f.write_str("replaced by a newer connection"),
            DisconnectReason::ConnectedToSelf => f.write_str("peer has our own node id"),
            DisconnectReason::Requested => f.write_str("disconnection requested locally"),
            DisconnectReason::SocketClosed => f.write_str("the socket closed"),
        }
    }
}

impl core::error::Error for DisconnectReason {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            DisconnectReason::Transport(e) => Some(e),
            DisconnectReason::IncompatibleFeatures(e) => Some(e),
            DisconnectReason::InvalidMessage { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl DisconnectReason {
    /// Whether the peer broke the protocol (as opposed to a timeout, a local decision or a
    /// dead transport). We tell such a peer why in a `warning` before closing.
    pub fn is_protocol_violation(&self) -> bool {
        matches!(
            self,
            DisconnectReason::FirstMessageNotInit { .. }
                | DisconnectReason::DuplicateInit
                | DisconnectReason::IncompatibleFeatures(_)
                | DisconnectReason::NoCommonNetwork
                | DisconnectReason::UnknownEvenMessage { .. }
                | DisconnectReason::InvalidMessage { .. }
                | DisconnectReason::UnexpectedPong { .. }
        )
    }
}

/// Why [`super::PeerManager::new_outbound_connection`] or
/// [`super::PeerManager::new_inbound_connection`] refused a connection. Nothing was recorded:
/// close the socket (or retry with new ephemeral bytes for `InvalidEphemeralKey`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewConnectionError {
    /// The connection id is already in use by a connection not yet forgotten.
    DuplicateConnectionId,
    /// The 32 ephemeral bytes are not a valid secret key.
    InvalidEphemeralKey(InvalidEphemeralKey),
    /// We were asked to dial our own node id.
    ConnectingToSelf,
}

impl fmt::Display for NewConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewConnectionError::DuplicateConnectionId => {
                f.write_str("connection id already in use")
            }
            NewConnectionError::InvalidEphemeralKey(e) => e.fmt(f),
            NewConnectionError::ConnectingToSelf => {
                f.write_str("cannot connect to our own node id")
            }
        }
    }
}

impl core::error::Error for NewConnectionError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            NewConnectionError::InvalidEphemeralKey(e) => Some(e),
            _ => None,
        }
    }
}
