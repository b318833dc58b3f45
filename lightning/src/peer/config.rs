//! [`PeerManagerConfig`]: the timers and buffer limits of the [`super::PeerManager`].

use core::time::Duration;

/// The knobs of a [`super::PeerManager`]: liveness timers and per-peer buffer limits.
///
/// Start from [`PeerManagerConfig::default`] and change what you need. Times are compared with
/// the `now` the caller passes to every call, so they are only as precise as the caller's calls
/// to [`super::PeerManager::tick`] (call it about once a second).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerManagerConfig {
    /// How long a connected peer may stay without being sent a `ping` (default 30 s). A new
    /// `ping` goes out this long after the previous one was answered (or after `init`).
    pub ping_interval: Duration,
    /// How long we wait for the `pong` answering our `ping` before disconnecting (default
    /// 20 s). The wait is suspended while we hold back the peer's input (see
    /// [`PeerManagerConfig::outbound_high_water`]), since its `pong` may be in that input.
    pub ping_timeout: Duration,
    /// How long a new connection may take to finish the BOLT 8 handshake and the `init`
    /// exchange before it is dropped (default 20 s).
    pub handshake_timeout: Duration,
    /// How long a peer's outbound buffer may stay congested (above the high-water mark without
    /// coming back below the low-water mark) before the peer is disconnected as stalled
    /// (default 120 s).
    pub stall_timeout: Duration,
    /// Outbound bytes waiting for [`super::PeerManager::poll_transmit`] above which a
    /// connection is congested (default 256 KiB): we stop decrypting its input
    /// ([`super::PeerManager::wants_read`] turns false) and stop pulling bulk messages for it.
    pub outbound_high_water: usize,
    /// Outbound bytes at or below which a congested connection resumes (default 64 KiB). A
    /// value above `outbound_high_water` is treated as equal to it.
    pub outbound_low_water: usize,
    /// How many bytes the caller may keep passing to [`super::PeerManager::read`] while
    /// [`super::PeerManager::wants_read`] is false before the connection is dropped (default
    /// 1 MiB). The bytes are kept, undecrypted, until the connection resumes.
    pub max_paused_input: usize,
    /// How many `ping`s from a peer we answer per `ping_interval` (default 10); further pings
    /// in the same interval are ignored (BOLT 1 asks for limited precautions against ping
    /// flooding).
    pub max_inbound_pings_per_interval: u32,
}

impl Default for PeerManagerConfig {
    fn default() -> Self {
        PeerManagerConfig {
            ping_interval: Duration::from_secs(30),
            ping_timeout: Duration::from_secs(20),
            handshake_timeout: Duration::from_secs(20),
            stall_timeout: Duration::from_secs(120),
            outbound_high_water: 256 * 1024,
            outbound_low_water: 64 * 1024,
            max_paused_input: 1024 * 1024,
            max_inbound_pings_per_interval: 10,
        }
    }
}

impl PeerManagerConfig {
    /// The low-water mark actually used: never above the high-water mark.
    pub(super) fn effective_low_water(&self) -> usize {
        self.outbound_low_water.min(self.outbound_high_water)
    }
}
