//! One connection's state inside the [`super::PeerManager`]: its transport, its phase, its
//! outbound buffer with the congestion marks, and its ping bookkeeping.

use alloc::vec::Vec;
use core::time::Duration;

use secp256k1::PublicKey;

use super::error::DisconnectReason;
use crate::transport::{PeerTransport, SendError};
use crate::wire::features::InitFeatures;
use crate::wire::{Init, Message, Ping};

/// Where a connection stands.
pub(super) enum Phase {
    /// The BOLT 8 handshake is running.
    Handshake,
    /// The handshake completed and our `init` is queued; the peer's `init` has not arrived.
    AwaitingInit {
        /// The features we sent, to check the peer's against.
        ours: InitFeatures,
    },
    /// Both `init`s are exchanged and the handler accepted the peer.
    Connected {
        /// The peer's `init`.
        init: Init,
    },
    /// We decided to close the connection; it waits for the caller to close the socket.
    Closing {
        /// Why.
        reason: DisconnectReason,
        /// Whether `poll_disconnect` already handed it out (the next `tick` forgets it).
        handed_out: bool,
    },
}

/// Our `ping` bookkeeping for one connection, and the rate limit on the peer's pings.
pub(super) struct PingState {
    /// The `num_pong_bytes` of our outstanding `ping` and when it was queued.
    pub awaiting_pong: Option<(u16, Duration)>,
    /// When our last `ping` was queued (or when the peer connected, before the first).
    pub last_sent: Duration,
    /// How many pings we sent: picks the next `num_pong_bytes`.
    pub sent_count: u16,
    /// Start of the current window for counting the peer's pings.
    pub inbound_window_start: Duration,
    /// Pings the peer sent in the current window.
    pub inbound_in_window: u32,
}

impl PingState {
    fn new(now: Duration) -> Self {
        PingState {
            awaiting_pong: None,
            last_sent: now,
            sent_count: 0,
            inbound_window_start: now,
            inbound_in_window: 0,
        }
    }

    /// Our next `ping`: zero padding, and a `num_pong_bytes` cycling through 0..64 so that a
    /// `pong` answering an older ping would not match. No randomness: every value is derived
    /// from the count of pings sent.
    pub fn next_ping(&mut self, now: Duration) -> Ping {
        let num_pong_bytes = self.sent_count % 64;
        self.sent_count = self.sent_count.wrapping_add(1);
        self.awaiting_pong = Some((num_pong_bytes, now));
        self.last_sent = now;
        Ping {
            num_pong_bytes,
            ignored: Vec::new(),
        }
    }

    /// Counts one inbound `ping` at `now`; false if it exceeds `limit` pings per `window`.
    pub fn admit_inbound_ping(&mut self, now: Duration, window: Duration, limit: u32) -> bool {
        if now.saturating_sub(self.inbound_window_start) >= window {
            self.inbound_window_start = now;
            self.inbound_in_window = 0;
        }
        self.inbound_in_window = self.inbound_in_window.saturating_add(1);
        self.inbound_in_window <= limit
    }
}

/// One connection, from the first handshake byte until the caller closes it.
pub(super) struct Connection {
    pub transport: PeerTransport,
    pub inbound: bool,
    pub created_at: Duration,
    /// Put in our `init` as `remote_addr` (BOLT 7 address descriptor).
    pub remote_addr: Option<Vec<u8>>,
    pub phase: Phase,
    /// Encrypted bytes waiting for `poll_transmit`.
    outbound: Vec<u8>,
    /// Set when `outbound` went above the high-water mark; cleared at or below the low-water
    /// mark.
    congested_since: Option<Duration>,
    /// When the connection last left congestion (the pong wait restarts from there).
    pub resumed_at: Duration,
    /// Bytes received while congested (kept undecrypted in the transport).
    pub paused_input: usize,
    /// Whether the transport may hold input we have not decrypted yet.
    pub input_pending: bool,
    pub ping: PingState,
}

impl Connection {
    pub fn new(transport: PeerTransport, inbound: bool, now: Duration) -> Self {
        Connection {
            transport,
            inbound,
            created_at: now,
            remote_addr: None,
            phase: Phase::Handshake,
            outbound: Vec::new(),
            congested_since: None,
            resumed_at: now,
            paused_input: 0,
            input_pending: false,
            ping: PingState::new(now),
        }
    }

    /// The peer's authenticated node id, once the handshake has revealed it.
    pub fn their_node_id(&self) -> Option<PublicKey> {
        if self.transport.is_ready() {
            self.transport.their_node_id()
        } else {
            None
        }
    }

    pub fn is_closing(&self) -> bool {
        matches!(self.phase, Phase::Closing { .. })
    }

    pub fn closing_reason(&self) -> Option<DisconnectReason> {
        match self.phase {
            Phase::Closing { reason, .. } => Some(reason),
            _ => None,
        }
    }

    pub fn is_connected(&self) -> bool {
        matches!(self.phase, Phase::Connected { .. })
    }

    pub fn is_congested(&self) -> bool {
        self.congested_since.is_some()
    }

    pub fn congested_since(&self) -> Option<Duration> {
        self.congested_since
    }

    pub fn outbound_len(&self) -> usize {
        self.outbound.len()
    }

    /// Appends handshake bytes (act two or three) to the outbound buffer.
    pub fn queue_raw(&mut self, bytes: &[u8]) {
        self.outbound.extend_from_slice(bytes);
    }

    /// Encrypts `message` into the outbound buffer, marking congestion above `high_water`.
    pub fn send(
        &mut self,
        message: &Message,
        now: Duration,
        high_water: usize,
    ) -> Result<(), SendError> {
        self.transport
            .encrypt_message_into(&message.encode(), &mut self.outbound)?;
        if self.outbound.len() > high_water && self.congested_since.is_none() {
            self.congested_since = Some(now);
        }
        Ok(())
    }

    /// Takes up to `max_len` bytes of the outbound buffer (`None` if it is empty), leaving
    /// congestion once at or below `low_water`.
    pub fn take_outbound(
        &mut self,
        max_len: usize,
        low_water: usize,
        now: Duration,
    ) -> Option<Vec<u8>> {
        if self.outbound.is_empty() || max_len == 0 {
            return None;
        }
        let bytes = if max_len >= self.outbound.len() {
            core::mem::take(&mut self.outbound)
        } else {
            let rest = self.outbound.split_off(max_len);
            core::mem::replace(&mut self.outbound, rest)
        };
        if self.congested_since.is_some() && self.outbound.len() <= low_water {
            self.congested_since = None;
            self.resumed_at = now;
        }
        Some(bytes)
    }

    /// Drops every byte not yet handed out (the connection is being forgotten).
    pub fn clear_outbound(&mut self) {
        self.outbound = Vec::new();
        self.congested_since = None;
    }
}
