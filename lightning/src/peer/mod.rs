//! The `PeerManager`: one BOLT 8 transport per peer, the `init` exchange, `ping`/`pong`
//! liveness and dispatch of messages.
//!
//! [`PeerManager`] sits between the caller's sockets and the message handlers. The caller
//! names each connection with a [`ConnectionId`], feeds it the bytes it reads
//! ([`PeerManager::read`]), writes the bytes it hands out ([`PeerManager::poll_transmit`]),
//! runs its timers ([`PeerManager::tick`]) and closes the connections it asks to close
//! ([`PeerManager::poll_disconnect`]). Messages go to and come from a
//! [`PeerMessageHandler`] (the channel manager, possibly paired with a gossip handler through
//! [`HandlerPair`]), passed to each call that needs it. The full call contract is on
//! [`PeerManager`].
//!
//! What the peer manager does itself (BOLT 1):
//! - sends our `init` (features from the handler, `networks` = our chain) as soon as the
//!   handshake completes, requires the peer's first message to be `init`, and closes the
//!   connection if the peer's features are unacceptable ([`check_peer_init_features`]) or its
//!   `networks` exclude our chain; only then is the handler told `peer_connected`;
//! - answers `ping`s (rate-limited), sends its own every `ping_interval`, and drops a peer
//!   whose `pong` does not come or does not match;
//! - logs `warning`s; passes `error`s to the handler, and disconnects on an `error` for all
//!   channels;
//! - ignores unknown odd messages and closes the connection on unknown even ones, undecodable
//!   messages and a second `init`;
//! - keeps a single connection per peer: a newer one replaces the older.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use lightning::bitcoin::Network;
//! use lightning::peer::{ConnectionId, IgnoringMessageHandler, PeerManager, PeerManagerConfig};
//! use lightning::signer_api::keys_manager::KeysManager;
//! use lightning::signer_api::traits::NodeSigner;
//! use lightning::util::logger::NoopLogger;
//! use lightning::wire::ChainHash;
//!
//! let chain = ChainHash::using_genesis_block(Network::Regtest);
//! let new_node = |seed: u8| {
//!     let keys = KeysManager::new(&[seed; 32]).unwrap();
//!     PeerManager::new(Box::new(keys), chain, PeerManagerConfig::default(), Arc::new(NoopLogger))
//! };
//! let (mut alice, mut bob) = (new_node(1), new_node(2));
//! let (mut alice_handler, mut bob_handler) = (IgnoringMessageHandler, IgnoringMessageHandler);
//! let now = Duration::from_secs(1_700_000_000);
//!
//! // Alice dials Bob; the "sockets" are ours to move bytes between.
//! let (a, b) = (ConnectionId(1), ConnectionId(1));
//! let act_one = alice.new_outbound_connection(a, bob.our_node_id(), [0x11; 32], now).unwrap();
//! bob.new_inbound_connection(b, [0x22; 32], now).unwrap();
//! bob.read(b, &act_one, &mut bob_handler, now).unwrap();
//! for _ in 0..3 {
//!     while let Some(bytes) = bob.poll_transmit(b) {
//!         alice.read(a, &bytes, &mut alice_handler, now).unwrap();
//!     }
//!     while let Some(bytes) = alice.poll_transmit(a) {
//!         bob.read(b, &bytes, &mut bob_handler, now).unwrap();
//!     }
//! }
//! assert!(alice.is_connected(&bob.our_node_id()));
//! assert!(bob.is_connected(&alice.our_node_id()));
//! ```
//!
//! [`check_peer_init_features`]: crate::wire::features::check_peer_init_features

mod config;
mod connection;
mod error;
mod handler;
mod manager;
mod outbound;
mod receive;
mod timers;

pub use config::PeerManagerConfig;
pub use error::{DisconnectReason, NewConnectionError};
pub use handler::{
    is_gossip_message, HandlerPair, IgnoringMessageHandler, PeerMessageHandler, PeerRejected,
};
pub use manager::{ConnectionId, PeerManager};
