//! The `ChannelManager`: every channel with every peer, payments out and in, and events.
