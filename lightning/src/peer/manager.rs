//! [`PeerManager`]: the connections table and the calls the caller makes.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use core::time::Duration;

use lightning_signer_api::traits::NodeSigner;
use secp256k1::PublicKey;

use super::config::PeerManagerConfig;
use super::connection::{Connection, Phase};
use super::error::{DisconnectReason, NewConnectionError};
use super::handler::PeerMessageHandler;
use crate::log_at;
use crate::transport::PeerTransport;
use crate::util::logger::{Level, SharedLogger};
use crate::wire::{ChainHash, ChannelId, Init, Message, WarningMessage};

/// A connection, named by the caller. Any value the caller likes (a socket number, a counter),
/// unique among the connections the peer manager has not yet forgotten.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnectionId(pub u64);

impl core::fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "conn#{}", self.0)
    }
}

/// The layer between sockets and message handlers: one BOLT 8 transport per connection, the
/// `init` exchange, `ping`/`pong` liveness, and dispatch of every other message to a
/// [`PeerMessageHandler`]. Sans-IO: it never touches a socket, a clock or an RNG.
///
/// # Call contract
///
/// 1. **Open.** For a socket we dialled, call [`PeerManager::new_outbound_connection`] with a
///    fresh [`ConnectionId`], the peer's node id and 32 fresh random bytes; write the act one
///    it returns. For a socket we accepted, call [`PeerManager::new_inbound_connection`].
///    Optionally call [`PeerManager::set_remote_address`] so our `init` tells the peer its
///    address.
/// 2. **Bytes in.** Pass every chunk read from the socket to [`PeerManager::read`]. It runs the
///    handshake, sends our `init` once the handshake completes, checks the peer's `init`, and
///    hands every other message to the handler. An `Err` means the connection is closing
///    (it is also reported by `poll_disconnect`): stop reading from it.
/// 3. **Handler out.** After `read`s and `tick`s (and whenever the handler has something to
///    send), call [`PeerManager::process`]: it pulls the handler's messages, encrypts each
///    into its peer's buffer, and resumes input that was held back.
/// 4. **Bytes out.** When a socket can take data, write what [`PeerManager::poll_transmit`]
///    (or [`PeerManager::poll_transmit_limited`]) hands out for it. Bytes taken count as sent.
/// 5. **Timers.** Call [`PeerManager::tick`] regularly (about once a second) with the current
///    time: it sends `ping`s, and drops peers that do not answer, that stall, or that did not
///    finish the handshake and `init` in time.
/// 6. **Closing.** Drain [`PeerManager::poll_disconnect`] after each call above: for every id
///    it returns, write the last bytes `poll_transmit` still has for it (e.g. a `warning`
///    saying why), then close the socket. The record is forgotten at the next `tick` or at
///    `socket_disconnected`. When a socket dies on its own (EOF, error), or after you closed
///    it, call [`PeerManager::socket_disconnected`]; closing an id twice is harmless.
///
/// The handler learns of a peer only when both `init`s are exchanged
/// ([`PeerMessageHandler::peer_connected`]) and is told [`PeerMessageHandler::peer_disconnected`]
/// exactly once when that connection ends, whichever call ends it (all calls that can end a
/// connected peer take the handler).
///
/// Only one connection per peer: when a second connection with the same node id completes
/// its `init`, the older one is closed ([`DisconnectReason::Replaced`]).
///
/// # Backpressure
///
/// Each connection has an outbound buffer of encrypted bytes waiting for `poll_transmit`.
/// When it grows above [`PeerManagerConfig::outbound_high_water`] (the caller is not writing
/// because the peer is not reading), the connection is congested until the buffer falls to
/// [`PeerManagerConfig::outbound_low_water`]. While congested:
/// - [`PeerManager::wants_read`] is false: the caller should stop reading that socket. Bytes
///   passed to `read` anyway are kept undecrypted (up to
///   [`PeerManagerConfig::max_paused_input`], beyond which the peer is dropped), so the peer
///   cannot make us produce more output (pongs, replies) while it is not reading.
/// - `process` stops asking the handler for bulk messages for it
///   ([`PeerMessageHandler::poll_bulk_message`]); essential messages
///   ([`PeerMessageHandler::poll_message`]) are still queued, never lost.
/// - The wait for a `pong` is suspended (the pong may be in the held-back input).
/// - If it stays congested longer than [`PeerManagerConfig::stall_timeout`], `tick` drops it
///   ([`DisconnectReason::Stalled`]).
///
/// Once the buffer drains, the next `process` (or `read`) decrypts the held-back input.
pub struct PeerManager {
    pub(super) node_signer: Box<dyn NodeSigner>,
    pub(super) our_node_id: PublicKey,
    pub(super) chain_hash: ChainHash,
    pub(super) config: PeerManagerConfig,
    pub(super) logger: SharedLogger,
    pub(super) connections: BTreeMap<ConnectionId, Connection>,
    /// Connected peers (both `init`s exchanged, handler told) and their connection.
    pub(super) peers: BTreeMap<PublicKey, ConnectionId>,
    pub(super) disconnects: VecDeque<ConnectionId>,
    /// The latest `now` seen, for calls that take no time argument.
    pub(super) last_now: Duration,
}

impl PeerManager {
    /// Creates a peer manager for the node whose key `node_signer` holds (used for the
    /// handshake's ECDH), on the chain `chain_hash` (sent in our `init` as `networks`; peers
    /// whose `networks` exclude it are dropped).
    pub fn new(
        node_signer: Box<dyn NodeSigner>,
        chain_hash: ChainHash,
        config: PeerManagerConfig,
        logger: SharedLogger,
    ) -> Self {
        PeerManager {
            our_node_id: node_signer.node_id(),
            node_signer,
            chain_hash,
            config,
            logger,
            connections: BTreeMap::new(),
            peers: BTreeMap::new(),
            disconnects: VecDeque::new(),
            last_now: Duration::ZERO,
        }
    }

    /// Our node id, as the node signer reports it.
    pub fn our_node_id(&self) -> PublicKey {
        self.our_node_id
    }

    /// The configuration given at construction.
    pub fn config(&self) -> &PeerManagerConfig {
        &self.config
    }

    /// Registers a connection we dialled to `their_node_id` and returns act one, the first
    /// bytes to write to the socket. `ephemeral` must be 32 fresh random bytes.
    pub fn new_outbound_connection(
        &mut self,
        conn: ConnectionId,
        their_node_id: PublicKey,
        ephemeral: [u8; 32],
        now: Duration,
    ) -> Result<Vec<u8>, NewConnectionError> {
        if self.connections.contains_key(&conn) {
            return Err(NewConnectionError::DuplicateConnectionId);
        }
        if their_node_id == self.our_node_id {
            return Err(NewConnectionError::ConnectingToSelf);
        }
        let (transport, act_one) =
            PeerTransport::new_outbound(their_node_id, self.our_node_id, &ephemeral)
                .map_err(NewConnectionError::InvalidEphemeralKey)?;
        self.observe_time(now);
        self.connections
            .insert(conn, Connection::new(transport, false, now));
        log_at!(
            self.logger,
            Level::Debug,
            Some(their_node_id),
            None,
            "{conn}: dialling"
        );
        Ok(act_one.to_vec())
    }

    /// Registers a connection a peer opened to us; its first bytes go to
    /// [`PeerManager::read`]. `ephemeral` must be 32 fresh random bytes.
    pub fn new_inbound_connection(
        &mut self,
        conn: ConnectionId,
        ephemeral: [u8; 32],
        now: Duration,
    ) -> Result<(), NewConnectionError> {
        if self.connections.contains_key(&conn) {
            return Err(NewConnectionError::DuplicateConnectionId);
        }
        let transport = PeerTransport::new_inbound(self.our_node_id, &ephemeral)
            .map_err(NewConnectionError::InvalidEphemeralKey)?;
        self.observe_time(now);
        self.connections
            .insert(conn, Connection::new(transport, true, now));
        log_at!(self.logger, Level::Debug, None, None, "{conn}: accepted");
        Ok(())
    }

    /// Sets the `remote_addr` of the `init` we send on `conn`: the peer's address as we see
    /// it, as a BOLT 7 address descriptor (type byte then address). Call before the handshake
    /// completes; returns false if the connection is unknown or its `init` already went out.
    pub fn set_remote_address(&mut self, conn: ConnectionId, address: Vec<u8>) -> bool {
        match self.connections.get_mut(&conn) {
            Some(connection) if matches!(connection.phase, Phase::Handshake) => {
                connection.remote_addr = Some(address);
                true
            }
            _ => false,
        }
    }

    /// Whether the caller should read more from `conn`'s socket: false while the connection
    /// is congested (see Backpressure above), closing, or unknown.
    pub fn wants_read(&self, conn: ConnectionId) -> bool {
        self.connections
            .get(&conn)
            .is_some_and(|c| !c.is_closing() && !c.is_congested())
    }

    /// Takes every encrypted byte waiting to be written to `conn`'s socket, or `None`.
    /// Call when the socket can accept data; the bytes taken count as sent.
    pub fn poll_transmit(&mut self, conn: ConnectionId) -> Option<Vec<u8>> {
        self.poll_transmit_limited(conn, usize::MAX)
    }

    /// Like [`PeerManager::poll_transmit`] but takes at most `max_len` bytes, for a caller
    /// that writes only what the socket accepts right now.
    pub fn poll_transmit_limited(&mut self, conn: ConnectionId, max_len: usize) -> Option<Vec<u8>> {
        let low_water = self.config.effective_low_water();
        let now = self.last_now;
        self.connections
            .get_mut(&conn)?
            .take_outbound(max_len, low_water, now)
    }

    /// How many encrypted bytes wait for `conn` (0 if unknown).
    pub fn pending_outbound_len(&self, conn: ConnectionId) -> usize {
        self.connections
            .get(&conn)
            .map_or(0, Connection::outbound_len)
    }

    /// The next connection the caller must close, if any (see the call contract). Each
    /// connection we close is handed out once.
    pub fn poll_disconnect(&mut self) -> Option<ConnectionId> {
        while let Some(conn) = self.disconnects.pop_front() {
            if let Some(connection) = self.connections.get_mut(&conn) {
                if let Phase::Closing { handed_out, .. } = &mut connection.phase {
                    *handed_out = true;
                    return Some(conn);
                }
            }
        }
        None
    }

    /// Why `conn` is closing, while the peer manager still remembers it.
    pub fn disconnect_reason(&self, conn: ConnectionId) -> Option<DisconnectReason> {
        self.connections.get(&conn)?.closing_reason()
    }

    /// The socket of `conn` is closed (by the peer, by an error, or by the caller after
    /// `poll_disconnect`). Tells the handler if the peer was connected, and forgets the
    /// connection. Unknown ids are ignored.
    pub fn socket_disconnected(
        &mut self,
        conn: ConnectionId,
        handler: &mut dyn PeerMessageHandler,
    ) {
        if self.connections.get(&conn).is_some_and(|c| !c.is_closing()) {
            self.close(conn, DisconnectReason::SocketClosed, handler);
        }
        self.connections.remove(&conn);
        self.disconnects.retain(|queued| *queued != conn);
    }

    /// Closes `conn` on the caller's behalf: the handler is told, and the id comes out of
    /// [`PeerManager::poll_disconnect`]. Returns false if the connection is unknown or already
    /// closing.
    pub fn disconnect(&mut self, conn: ConnectionId, handler: &mut dyn PeerMessageHandler) -> bool {
        if self.connections.get(&conn).is_none_or(|c| c.is_closing()) {
            return false;
        }
        self.close(conn, DisconnectReason::Requested, handler);
        true
    }

    /// Closes the connection with `their_node_id`, if connected; see
    /// [`PeerManager::disconnect`].
    pub fn disconnect_peer(
        &mut self,
        their_node_id: PublicKey,
        handler: &mut dyn PeerMessageHandler,
    ) -> bool {
        match self.peers.get(&their_node_id).copied() {
            Some(conn) => self.disconnect(conn, handler),
            None => false,
        }
    }

    /// The peers whose `init` exchange completed, in node id order.
    pub fn connected_peers(&self) -> Vec<PublicKey> {
        self.peers.keys().copied().collect()
    }

    /// Whether `their_node_id` is connected (both `init`s exchanged).
    pub fn is_connected(&self, their_node_id: &PublicKey) -> bool {
        self.peers.contains_key(their_node_id)
    }

    /// The connection of a connected peer.
    pub fn connection_of(&self, their_node_id: &PublicKey) -> Option<ConnectionId> {
        self.peers.get(their_node_id).copied()
    }

    /// The authenticated node id on `conn`, once its handshake has completed.
    pub fn peer_of(&self, conn: ConnectionId) -> Option<PublicKey> {
        self.connections.get(&conn)?.their_node_id()
    }

    /// The `init` a connected peer sent us (its features, networks and our address as it
    /// sees it).
    pub fn peer_init(&self, their_node_id: &PublicKey) -> Option<&Init> {
        let conn = self.peers.get(their_node_id)?;
        match &self.connections.get(conn)?.phase {
            Phase::Connected { init } => Some(init),
            _ => None,
        }
    }

    pub(super) fn observe_time(&mut self, now: Duration) {
        self.last_now = self.last_now.max(now);
    }

    /// Marks `conn` closing for `reason`: tells the handler if the peer was connected on it,
    /// queues a `warning` for a protocol violation, and queues the id for `poll_disconnect`.
    pub(super) fn close(
        &mut self,
        conn: ConnectionId,
        reason: DisconnectReason,
        handler: &mut dyn PeerMessageHandler,
    ) {
        let Some(connection) = self.connections.get_mut(&conn) else {
            return;
        };
        if connection.is_closing() {
            return;
        }
        let node_id = connection.their_node_id();
        let was_connected = connection.is_connected();
        connection.phase = Phase::Closing {
            reason,
            handed_out: false,
        };
        if let DisconnectReason::Transport(_) = reason {
            // The transport is dead: nothing more may be sent.
            connection.clear_outbound();
        } else if reason.is_protocol_violation() && connection.transport.is_ready() {
            let warning = WarningMessage {
                channel_id: ChannelId([0; 32]),
                data: alloc::format!("closing connection: {reason}").into_bytes(),
            };
            // A warning is short; it cannot fail on a ready transport.
            let _ = connection.send(&Message::Warning(warning), self.last_now, usize::MAX);
        }
        self.disconnects.push_back(conn);
        let level = if reason.is_protocol_violation() {
            Level::Warn
        } else {
            Level::Debug
        };
        log_at!(
            self.logger,
            level,
            node_id,
            None,
            "{conn}: disconnecting: {reason}"
        );
        if was_connected {
            if let Some(node_id) = node_id {
                if self.peers.get(&node_id) == Some(&conn) {
                    self.peers.remove(&node_id);
                    handler.peer_disconnected(node_id);
                }
            }
        }
    }
}
