//! What a channel hands to its on-chain guardian.
//!
//! - [`update`]: [`ChannelMonitorUpdate`](update::ChannelMonitorUpdate), the versioned blob a
//!   channel emits for every state change the monitor must know, and
//!   [`ChannelMonitorInit`](update::ChannelMonitorInit), the monitor's initial data.

pub(crate) mod codec;
pub mod update;
