//! [`PeerManager::tick`]: pings, and the timeouts that drop silent or stalled peers.

use alloc::vec::Vec;
use core::time::Duration;

use super::config::PeerManagerConfig;
use super::connection::{Connection, Phase};
use super::error::DisconnectReason;
use super::handler::PeerMessageHandler;
use super::manager::{ConnectionId, PeerManager};
use crate::wire::Message;

/// What a connection needs at a tick.
enum TickAction {
    Nothing,
    SendPing,
    Close(DisconnectReason),
}

impl PeerManager {
    /// Runs the timers at time `now`; call about once a second.
    ///
    /// - Forgets connections that [`PeerManager::poll_disconnect`] handed out before.
    /// - Drops connections that did not finish the handshake and `init` within
    ///   [`PeerManagerConfig::handshake_timeout`], peers that did not answer a `ping` within
    ///   [`PeerManagerConfig::ping_timeout`], and peers congested longer than
    ///   [`PeerManagerConfig::stall_timeout`].
    /// - Queues a `ping` to each connected peer every
    ///   [`PeerManagerConfig::ping_interval`].
    ///
    /// Then drain [`PeerManager::poll_disconnect`] and write what
    /// [`PeerManager::poll_transmit`] hands out.
    pub fn tick(&mut self, now: Duration, handler: &mut dyn PeerMessageHandler) {
        self.observe_time(now);
        self.connections.retain(|_, connection| {
            !matches!(
                connection.phase,
                Phase::Closing {
                    handed_out: true,
                    ..
                }
            )
        });
        let ids: Vec<ConnectionId> = self.connections.keys().copied().collect();
        for conn in ids {
            let Some(connection) = self.connections.get_mut(&conn) else {
                continue;
            };
            match tick_action(connection, &self.config, now) {
                TickAction::Nothing => {}
                TickAction::Close(reason) => self.close(conn, reason, handler),
                TickAction::SendPing => {
                    let ping = connection.ping.next_ping(now);
                    // A ping without padding always fits a frame; the transport is ready.
                    let _ =
                        connection.send(&Message::Ping(ping), now, self.config.outbound_high_water);
                }
            }
        }
    }
}

/// Decides what one connection needs at `now`.
fn tick_action(connection: &Connection, config: &PeerManagerConfig, now: Duration) -> TickAction {
    match connection.phase {
        Phase::Closing { .. } => TickAction::Nothing,
        Phase::Handshake | Phase::AwaitingInit { .. } => {
            if elapsed_at_least(now, connection.created_at, config.handshake_timeout) {
                TickAction::Close(DisconnectReason::HandshakeTimeout)
            } else {
                TickAction::Nothing
            }
        }
        Phase::Connected { .. } => {
            if let Some(since) = connection.congested_since() {
                if elapsed_at_least(now, since, config.stall_timeout) {
                    return TickAction::Close(DisconnectReason::Stalled);
                }
                // The pong may sit in the input we hold back: do not time it out now.
                return TickAction::Nothing;
            }
            match connection.ping.awaiting_pong {
                Some((_, sent_at)) => {
                    let waiting_since = sent_at.max(connection.resumed_at);
                    if elapsed_at_least(now, waiting_since, config.ping_timeout) {
                        TickAction::Close(DisconnectReason::PingTimeout)
                    } else {
                        TickAction::Nothing
                    }
                }
                None if elapsed_at_least(now, connection.ping.last_sent, config.ping_interval) => {
                    TickAction::SendPing
                }
                None => TickAction::Nothing,
            }
        }
    }
}

/// Whether at least `span` passed from `start` to `now` (false if `now` is before `start`).
fn elapsed_at_least(now: Duration, start: Duration, span: Duration) -> bool {
    now.checked_sub(start)
        .is_some_and(|elapsed| elapsed >= span)
}
