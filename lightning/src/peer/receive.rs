//! The input path of the [`PeerManager`]: bytes in, handshake, `init`, and dispatch of each
//! message.

use alloc::vec;
use core::fmt;
use core::time::Duration;

use secp256k1::PublicKey;

use super::connection::Phase;
use super::error::DisconnectReason;
use super::handler::PeerMessageHandler;
use super::manager::{ConnectionId, PeerManager};
use crate::log_at;
use crate::transport::NodeSignerEcdh;
use crate::util::logger::Level;
use crate::wire::features::{check_peer_init_features, InitFeatures};
use crate::wire::{DecodeError, ErrorMessage, Init, Message, Ping, Pong};

impl PeerManager {
    /// Takes bytes read from `conn`'s socket (any chunk size), at time `now`: advances the
    /// handshake, then decrypts, decodes and handles each complete message (unless the
    /// connection is congested; see Backpressure in the type's docs).
    ///
    /// Returns `Err` when the connection is closing (for this reason or an earlier one) or
    /// unknown; the id is also handed out by [`PeerManager::poll_disconnect`]. Afterwards call
    /// [`PeerManager::process`] and write what [`PeerManager::poll_transmit`] hands out.
    pub fn read(
        &mut self,
        conn: ConnectionId,
        data: &[u8],
        handler: &mut dyn PeerMessageHandler,
        now: Duration,
    ) -> Result<(), DisconnectReason> {
        self.observe_time(now);
        let connection = self
            .connections
            .get_mut(&conn)
            .ok_or(DisconnectReason::UnknownConnection)?;
        if let Some(reason) = connection.closing_reason() {
            return Err(reason);
        }
        let was_ready = connection.transport.is_ready();
        let mut ecdh = NodeSignerEcdh(&mut *self.node_signer);
        if let Err(error) = connection.transport.read(data, &mut ecdh) {
            return self.fail(conn, DisconnectReason::Transport(error), handler);
        }
        if let Some(act) = connection.transport.poll_transmit() {
            connection.queue_raw(&act);
        }
        if connection.is_congested() {
            connection.input_pending = true;
            connection.paused_input = connection.paused_input.saturating_add(data.len());
            if connection.paused_input > self.config.max_paused_input {
                return self.fail(conn, DisconnectReason::PausedInputOverflow, handler);
            }
            return Ok(());
        }
        if !was_ready && connection.transport.is_ready() {
            self.handshake_completed(conn, handler)?;
        }
        self.drain_input(conn, handler, now)
    }

    /// Closes `conn` for `reason` and returns it as the error.
    pub(super) fn fail(
        &mut self,
        conn: ConnectionId,
        reason: DisconnectReason,
        handler: &mut dyn PeerMessageHandler,
    ) -> Result<(), DisconnectReason> {
        self.close(conn, reason, handler);
        Err(reason)
    }

    /// The handshake just completed on `conn`: check the peer is not us, and send our `init`.
    fn handshake_completed(
        &mut self,
        conn: ConnectionId,
        handler: &mut dyn PeerMessageHandler,
    ) -> Result<(), DisconnectReason> {
        let Some(connection) = self.connections.get_mut(&conn) else {
            return Err(DisconnectReason::UnknownConnection);
        };
        let their_node_id = connection.their_node_id();
        if their_node_id == Some(self.our_node_id) {
            return self.fail(conn, DisconnectReason::ConnectedToSelf, handler);
        }
        let ours = handler.provided_init_features();
        let init = Init {
            features: ours.clone(),
            networks: Some(vec![self.chain_hash]),
            remote_addr: connection.remote_addr.take(),
            ..Init::default()
        };
        // Our own init is far below the frame limit and the transport is ready.
        let _ = connection.send(&Message::Init(init), self.last_now, usize::MAX);
        connection.phase = Phase::AwaitingInit { ours };
        log_at!(
            self.logger,
            Level::Debug,
            their_node_id,
            None,
            "{conn}: handshake complete, init sent"
        );
        Ok(())
    }

    /// Decrypts and handles every complete message of `conn` until none is left, the
    /// connection closes, or it becomes congested.
    pub(super) fn drain_input(
        &mut self,
        conn: ConnectionId,
        handler: &mut dyn PeerMessageHandler,
        now: Duration,
    ) -> Result<(), DisconnectReason> {
        loop {
            let connection = self
                .connections
                .get_mut(&conn)
                .ok_or(DisconnectReason::UnknownConnection)?;
            if let Some(reason) = connection.closing_reason() {
                return Err(reason);
            }
            if connection.is_congested() {
                connection.input_pending = true;
                return Ok(());
            }
            match connection.transport.next_message() {
                None => {
                    connection.input_pending = false;
                    connection.paused_input = 0;
                    return Ok(());
                }
                Some(Err(error)) => {
                    return self.fail(conn, DisconnectReason::Transport(error), handler);
                }
                Some(Ok(bytes)) => self.handle_frame(conn, &bytes, handler, now)?,
            }
        }
    }

    /// Decodes one decrypted message and acts on it according to the connection's phase.
    fn handle_frame(
        &mut self,
        conn: ConnectionId,
        bytes: &[u8],
        handler: &mut dyn PeerMessageHandler,
        now: Duration,
    ) -> Result<(), DisconnectReason> {
        let message = match Message::read(bytes) {
            Ok(message) => message,
            Err(DecodeError::UnknownEvenMessageType(msg_type)) => {
                return self.fail(
                    conn,
                    DisconnectReason::UnknownEvenMessage { msg_type },
                    handler,
                );
            }
            Err(error) => {
                let msg_type = match bytes {
                    [high, low, ..] => u16::from_be_bytes([*high, *low]),
                    _ => 0,
                };
                return self.fail(
                    conn,
                    DisconnectReason::InvalidMessage { msg_type, error },
                    handler,
                );
            }
        };
        let Some(connection) = self.connections.get(&conn) else {
            return Err(DisconnectReason::UnknownConnection);
        };
        // Invariant: messages are only decrypted once the handshake is complete.
        let Some(their_node_id) = connection.their_node_id() else {
            return Ok(());
        };
        log_at!(
            self.logger,
            Level::Trace,
            Some(their_node_id),
            None,
            "{conn}: received message type {}",
            message.msg_type()
        );
        match (&connection.phase, message) {
            (Phase::AwaitingInit { ours }, Message::Init(init)) => {
                let ours = ours.clone();
                self.handle_init(conn, their_node_id, &ours, init, handler, now)
            }
            (Phase::AwaitingInit { .. }, other) => {
                let msg_type = other.msg_type();
                self.fail(
                    conn,
                    DisconnectReason::FirstMessageNotInit { msg_type },
                    handler,
                )
            }
            (Phase::Connected { .. }, message) => {
                self.handle_connected_message(conn, their_node_id, message, handler, now)
            }
            (Phase::Handshake | Phase::Closing { .. }, _) => Ok(()),
        }
    }

    /// Checks the peer's `init`; if acceptable, replaces an older connection with the same
    /// peer and tells the handler.
    fn handle_init(
        &mut self,
        conn: ConnectionId,
        their_node_id: PublicKey,
        ours: &InitFeatures,
        init: Init,
        handler: &mut dyn PeerMessageHandler,
        now: Duration,
    ) -> Result<(), DisconnectReason> {
        if let Err(error) = check_peer_init_features(ours, &init.combined_features()) {
            return self.fail(conn, DisconnectReason::IncompatibleFeatures(error), handler);
        }
        if let Some(networks) = &init.networks {
            if !networks.contains(&self.chain_hash) {
                return self.fail(conn, DisconnectReason::NoCommonNetwork, handler);
            }
        }
        if let Some(old) = self.peers.get(&their_node_id).copied() {
            if old != conn {
                self.close(old, DisconnectReason::Replaced, handler);
            }
        }
        let inbound = self.connections.get(&conn).is_some_and(|c| c.inbound);
        if handler
            .peer_connected(their_node_id, &init, inbound)
            .is_err()
        {
            return self.fail(conn, DisconnectReason::HandlerRejected, handler);
        }
        let Some(connection) = self.connections.get_mut(&conn) else {
            return Err(DisconnectReason::UnknownConnection);
        };
        connection.phase = Phase::Connected { init };
        connection.ping.last_sent = now;
        connection.ping.inbound_window_start = now;
        self.peers.insert(their_node_id, conn);
        log_at!(
            self.logger,
            Level::Info,
            Some(their_node_id),
            None,
            "{conn}: connected ({})",
            if inbound { "inbound" } else { "outbound" }
        );
        Ok(())
    }

    /// Handles a message after the `init` exchange.
    fn handle_connected_message(
        &mut self,
        conn: ConnectionId,
        their_node_id: PublicKey,
        message: Message,
        handler: &mut dyn PeerMessageHandler,
        now: Duration,
    ) -> Result<(), DisconnectReason> {
        match message {
            Message::Init(_) => self.fail(conn, DisconnectReason::DuplicateInit, handler),
            Message::Ping(ping) => {
                self.handle_ping(conn, their_node_id, &ping, now);
                Ok(())
            }
            Message::Pong(pong) => self.handle_pong(conn, &pong, handler),
            Message::Warning(warning) => {
                log_at!(
                    self.logger,
                    Level::Warn,
                    Some(their_node_id),
                    Some(warning.channel_id),
                    "{conn}: peer sent warning: {}",
                    Sanitized(&warning.data)
                );
                Ok(())
            }
            Message::Error(error) => self.handle_error(conn, their_node_id, error, handler),
            Message::Unknown { msg_type, .. } => {
                log_at!(
                    self.logger,
                    Level::Trace,
                    Some(their_node_id),
                    None,
                    "{conn}: ignoring unknown odd message type {msg_type}"
                );
                Ok(())
            }
            other => {
                handler.handle_message(their_node_id, other);
                Ok(())
            }
        }
    }

    /// Passes an `error` to the handler; one for all channels also ends the connection.
    fn handle_error(
        &mut self,
        conn: ConnectionId,
        their_node_id: PublicKey,
        error: ErrorMessage,
        handler: &mut dyn PeerMessageHandler,
    ) -> Result<(), DisconnectReason> {
        log_at!(
            self.logger,
            Level::Warn,
            Some(their_node_id),
            Some(error.channel_id),
            "{conn}: peer sent error: {}",
            Sanitized(&error.data)
        );
        let all_channels = error.channel_id.0 == [0; 32];
        handler.handle_message(their_node_id, Message::Error(error));
        if all_channels {
            return self.fail(conn, DisconnectReason::PeerSentError, handler);
        }
        Ok(())
    }

    /// Answers a `ping` (BOLT 1), within the rate limit.
    fn handle_ping(
        &mut self,
        conn: ConnectionId,
        their_node_id: PublicKey,
        ping: &Ping,
        now: Duration,
    ) {
        let Some(connection) = self.connections.get_mut(&conn) else {
            return;
        };
        let admitted = connection.ping.admit_inbound_ping(
            now,
            self.config.ping_interval,
            self.config.max_inbound_pings_per_interval,
        );
        if !admitted {
            log_at!(
                self.logger,
                Level::Debug,
                Some(their_node_id),
                None,
                "{conn}: ping flood, ignoring ping"
            );
            return;
        }
        if let Some(pong) = ping.pong() {
            // A pong holds at most 65531 bytes plus 4 of header: it always fits a frame.
            let _ = connection.send(&Message::Pong(pong), now, self.config.outbound_high_water);
        }
    }

    /// Matches a `pong` with our outstanding `ping`.
    fn handle_pong(
        &mut self,
        conn: ConnectionId,
        pong: &Pong,
        handler: &mut dyn PeerMessageHandler,
    ) -> Result<(), DisconnectReason> {
        let Some(connection) = self.connections.get_mut(&conn) else {
            return Err(DisconnectReason::UnknownConnection);
        };
        let received = pong.ignored.len();
        match connection.ping.awaiting_pong {
            Some((expected, _)) if usize::from(expected) == received => {
                connection.ping.awaiting_pong = None;
                Ok(())
            }
            awaiting => {
                let expected = awaiting.map(|(expected, _)| expected);
                self.fail(
                    conn,
                    DisconnectReason::UnexpectedPong { expected, received },
                    handler,
                )
            }
        }
    }
}

/// Peer-supplied bytes made safe to log: printable ASCII as is, anything else as `\xNN`
/// (BOLT 1: do not print non-printable `data` verbatim).
pub(super) struct Sanitized<'a>(pub &'a [u8]);

impl fmt::Display for Sanitized<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            if (32..=126).contains(byte) {
                write!(f, "{}", char::from(*byte))?;
            } else {
                write!(f, "\\x{byte:02x}")?;
            }
        }
        Ok(())
    }
}
