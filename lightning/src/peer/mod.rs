//! The `PeerManager`: one BOLT 8 transport per peer, the `init` exchange, `ping`/`pong` liveness and dispatch of messages.
