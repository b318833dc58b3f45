//! What we announce for a channel ([`ChannelConfig`]) and what we accept from the peer
//! ([`ChannelHandshakeLimits`]).

/// The parameters we announce in `open_channel` / `accept_channel`, and our policy for the
/// channel's life. `Default` gives sensible values for mainnet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelConfig {
    /// Our `dust_limit_satoshis` (at least 354).
    pub dust_limit_satoshis: u64,
    /// Our `htlc_minimum_msat`: the smallest HTLC we accept.
    pub htlc_minimum_msat: u64,
    /// Our `max_accepted_htlcs` (at most 483).
    pub max_accepted_htlcs: u16,
    /// Our `max_htlc_value_in_flight_msat` as a share of the channel, in percent (1-100).
    pub max_htlc_value_in_flight_percent: u8,
    /// The reserve we require of the peer, in millionths of the funding amount (at least the
    /// dust limits).
    pub reserve_proportional_millionths: u32,
    /// The `to_self_delay` we require of the peer's outputs, in blocks.
    pub to_self_delay: u16,
    /// When we accept a channel: the `minimum_depth` we ask for the funding transaction.
    pub minimum_depth: u32,
    /// Whether to set `announce_channel` in `open_channel`.
    pub announce_channel: bool,
    /// Whether to commit to our shutdown script in `open_channel` / `accept_channel`
    /// (`upfront_shutdown_script`).
    pub commit_upfront_shutdown_script: bool,
    /// Whether we accept an inbound channel of type `anchors_zero_fee_htlc_tx`.
    pub accept_anchors: bool,
    /// The limits we put on the peer's parameters.
    pub limits: ChannelHandshakeLimits,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        ChannelConfig {
            dust_limit_satoshis: 546,
            htlc_minimum_msat: 1,
            max_accepted_htlcs: 50,
            max_htlc_value_in_flight_percent: 100,
            reserve_proportional_millionths: 10_000,
            to_self_delay: 144,
            minimum_depth: 3,
            announce_channel: false,
            commit_upfront_shutdown_script: false,
            accept_anchors: true,
            limits: ChannelHandshakeLimits::default(),
        }
    }
}

/// Bounds on the peer's `open_channel` / `accept_channel` parameters: a channel outside them
/// is refused (BOLT 2 "MAY fail the channel if ... unreasonably large").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelHandshakeLimits {
    /// Smallest channel we accept.
    pub min_funding_satoshis: u64,
    /// Largest channel we accept (2^24 - 1 unless large channels are negotiated).
    pub max_funding_satoshis: u64,
    /// Largest `htlc_minimum_msat` we accept from the peer.
    pub max_htlc_minimum_msat: u64,
    /// Smallest `max_htlc_value_in_flight_msat` we accept, in millionths of the channel.
    pub min_max_htlc_value_in_flight_millionths: u32,
    /// Largest reserve the peer may require of us, in millionths of the channel.
    pub max_reserve_millionths: u32,
    /// Smallest `max_accepted_htlcs` we accept.
    pub min_max_accepted_htlcs: u16,
    /// Largest `to_self_delay` the peer may impose on our outputs.
    pub max_to_self_delay: u16,
    /// Smallest peer `dust_limit_satoshis` (BOLT 2: at least 354).
    pub min_dust_limit_satoshis: u64,
    /// Largest peer `dust_limit_satoshis`.
    pub max_dust_limit_satoshis: u64,
    /// Largest `minimum_depth` we accept from an acceptor.
    pub max_minimum_depth: u32,
    /// Lowest `feerate_per_kw` we accept (BOLT: 253 is the floor).
    pub min_feerate_per_kw: u32,
    /// Highest `feerate_per_kw` we accept.
    pub max_feerate_per_kw: u32,
}

impl Default for ChannelHandshakeLimits {
    fn default() -> Self {
        ChannelHandshakeLimits {
            min_funding_satoshis: 1_000,
            max_funding_satoshis: (1 << 24) - 1,
            max_htlc_minimum_msat: 1_000_000,
            min_max_htlc_value_in_flight_millionths: 10_000,
            max_reserve_millionths: 200_000,
            min_max_accepted_htlcs: 5,
            max_to_self_delay: 2016,
            min_dust_limit_satoshis: 354,
            max_dust_limit_satoshis: 10_000,
            max_minimum_depth: 144,
            min_feerate_per_kw: 253,
            max_feerate_per_kw: 100_000,
        }
    }
}

/// The BOLT 2 ceiling on `max_accepted_htlcs`.
pub const MAX_ACCEPTED_HTLCS_LIMIT: u16 = 483;
/// The BOLT 2 floor on `dust_limit_satoshis`.
pub const MIN_DUST_LIMIT_SATOSHIS: u64 = 354;
/// CLTV expiries at or above this are timestamps, which HTLCs must not use.
pub const MAX_CLTV_EXPIRY: u32 = 500_000_000;
