//! The adapter's typed errors.

use core::fmt;
use std::io;

use lightning::peer::NewConnectionError;

/// Why [`crate::NodeHandle::new`] could not start the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartError {
    /// It was not called from inside a tokio runtime (it spawns the timer task there).
    NoRuntime,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NodeHandle::new must be called from inside a tokio runtime")
    }
}

impl std::error::Error for StartError {}

/// Why a connection could not be opened or did not reach the connected state.
#[derive(Debug)]
pub enum ConnectError {
    /// Connecting the TCP socket, or reading randomness from the OS, failed.
    Io(io::Error),
    /// The peer manager refused the new connection (e.g. dialling our own node id).
    Refused(NewConnectionError),
    /// The node is shutting down.
    ShuttingDown,
    /// The connection closed before both `init`s were exchanged (the log says why).
    Closed,
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Io(e) => write!(f, "i/o error: {e}"),
            ConnectError::Refused(e) => write!(f, "connection refused by the peer manager: {e}"),
            ConnectError::ShuttingDown => f.write_str("the node is shutting down"),
            ConnectError::Closed => f.write_str("the connection closed before init completed"),
        }
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConnectError::Io(e) => Some(e),
            ConnectError::Refused(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for ConnectError {
    fn from(e: io::Error) -> Self {
        ConnectError::Io(e)
    }
}

impl From<NewConnectionError> for ConnectError {
    fn from(e: NewConnectionError) -> Self {
        ConnectError::Refused(e)
    }
}
