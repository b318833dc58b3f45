//! The channel's on-chain guardian and what a channel hands to it.
//!
//! - [`update`]: [`ChannelMonitorUpdate`](update::ChannelMonitorUpdate), the versioned blob a
//!   channel emits for every state change the monitor must know, and
//!   [`ChannelMonitorInit`](update::ChannelMonitorInit), the monitor's initial data.
//! - [`ChannelMonitor`]: one channel's guardian (BOLT 5), built from update 0 and kept
//!   current by the later updates; it watches the chain, claims our outputs and punishes
//!   breaches, and reports [`MonitorEvent`]s.

pub mod chain_monitor;
mod channel_monitor;
pub(crate) mod codec;
pub mod update;

pub use channel_monitor::{
    BumpTransaction, ChannelMonitor, ClaimSource, FundingSpendKind, MonitorDecodeError,
    MonitorEvent, MonitorUpdateError, SpendableOutput, ANTI_REORG_DELAY, HTLC_DEADLINE_BUFFER,
    MIN_CLAIM_OUTPUT_SATOSHIS, MONITOR_FORMAT_VERSION,
};
