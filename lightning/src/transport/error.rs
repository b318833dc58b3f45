//! The typed errors of the transport, one enum per operation.

use core::fmt;

use super::ecdh::EcdhFailed;

/// One of the three handshake acts of BOLT 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandshakeAct {
    /// Act one, initiator to responder: `e, es` (50 bytes).
    One,
    /// Act two, responder to initiator: `e, ee` (50 bytes).
    Two,
    /// Act three, initiator to responder: `s, se` (66 bytes).
    Three,
}

impl fmt::Display for HandshakeAct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HandshakeAct::One => "act one",
            HandshakeAct::Two => "act two",
            HandshakeAct::Three => "act three",
        })
    }
}

/// Which authentication tag failed to verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MacCheck {
    /// The tag closing act one (the initiator does not know our static key).
    ActOne,
    /// The tag closing act two.
    ActTwo,
    /// The tag on the encrypted static key of act three.
    ActThreeStaticKey,
    /// The final tag of act three.
    ActThreeFinal,
    /// The tag on an encrypted 2-byte message length prefix.
    MessageLength,
    /// The tag on an encrypted message body.
    MessageBody,
}

impl fmt::Display for MacCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MacCheck::ActOne => "act one",
            MacCheck::ActTwo => "act two",
            MacCheck::ActThreeStaticKey => "act three (encrypted static key)",
            MacCheck::ActThreeFinal => "act three (final tag)",
            MacCheck::MessageLength => "message length prefix",
            MacCheck::MessageBody => "message body",
        })
    }
}

/// Why receiving failed: the peer sent something invalid, the caller's ECDH failed, the stream
/// ended early, or the session had already failed.
///
/// Every error is terminal: the session is dead and the connection must be closed
/// without sending anything more. Later calls return [`TransportError::UsedAfterFailure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportError {
    /// A handshake act started with a version byte other than 0.
    UnknownVersion {
        /// The act that carried the byte.
        act: HandshakeAct,
        /// The version byte received.
        version: u8,
    },
    /// The public key in an act is not a valid compressed secp256k1 point: the ephemeral key of
    /// act one or act two, or the (decrypted) static key of act three.
    InvalidPublicKey {
        /// The act that carried the key.
        act: HandshakeAct,
    },
    /// An authentication tag did not verify: the peer does not hold the keys it claims, or the
    /// bytes were altered or misaligned.
    BadMac(MacCheck),
    /// The caller's [`super::StaticKeyEcdh`] failed.
    Ecdh(EcdhFailed),
    /// The stream ended (see `handle_eof`) in the middle of a handshake act.
    TruncatedAct {
        /// The act being read.
        act: HandshakeAct,
        /// How many bytes of it had arrived.
        received: usize,
    },
    /// The stream ended (see `handle_eof`) in the middle of an encrypted message frame.
    TruncatedMessage {
        /// How many bytes of the frame had arrived.
        received: usize,
    },
    /// The session had already failed; it must be dropped.
    UsedAfterFailure,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::UnknownVersion { act, version } => {
                write!(f, "unknown handshake version {version} in {act}")
            }
            TransportError::InvalidPublicKey { act } => write!(f, "invalid public key in {act}"),
            TransportError::BadMac(check) => write!(f, "bad MAC on {check}"),
            TransportError::Ecdh(_) => f.write_str("the node's static-key ECDH failed"),
            TransportError::TruncatedAct { act, received } => {
                write!(f, "stream ended after {received} bytes of {act}")
            }
            TransportError::TruncatedMessage { received } => {
                write!(
                    f,
                    "stream ended after {received} bytes of an encrypted message"
                )
            }
            TransportError::UsedAfterFailure => f.write_str("transport used after it failed"),
        }
    }
}

impl core::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            TransportError::Ecdh(inner) => Some(inner),
            _ => None,
        }
    }
}

/// Why a message could not be encrypted.
///
/// `NotReady` and `MessageTooLarge` leave the session untouched (nothing was sent, no nonce was
/// used); `UsedAfterFailure` means the session is dead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The handshake has not completed yet.
    NotReady,
    /// The message is longer than the 65535 bytes a frame can carry.
    MessageTooLarge {
        /// The length of the refused message.
        len: usize,
    },
    /// The session had already failed; it must be dropped.
    UsedAfterFailure,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NotReady => f.write_str("the handshake has not completed"),
            SendError::MessageTooLarge { len } => {
                write!(f, "message of {len} bytes exceeds the 65535-byte maximum")
            }
            SendError::UsedAfterFailure => f.write_str("transport used after it failed"),
        }
    }
}

impl core::error::Error for SendError {}

/// The 32 ephemeral secret bytes given to start a handshake are not a valid secp256k1 secret
/// key (zero, or not below the curve order). Draw new random bytes and try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvalidEphemeralKey;

impl fmt::Display for InvalidEphemeralKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ephemeral key bytes are not a valid secp256k1 secret key")
    }
}

impl core::error::Error for InvalidEphemeralKey {}
