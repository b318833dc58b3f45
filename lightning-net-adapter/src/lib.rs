//! TCP sockets for the `lightning` crate's [`PeerManager`](lightning::peer::PeerManager), on
//! tokio.
//!
//! The `lightning` crate is sans-IO: it never touches a socket, a clock or an RNG. This crate
//! is the std side that does: [`NodeHandle`] owns a peer manager and its message handler
//! behind one mutex, accepts and dials TCP connections, runs one task per socket that moves
//! bytes between the socket and the peer manager (honouring its backpressure both ways), a
//! timer task that calls `tick`, and wakes the socket tasks whenever the node has something
//! to send. Time comes from `SystemTime` and randomness from `/dev/urandom` ([`os`]).
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use lightning::bitcoin::Network;
//! use lightning::peer::{IgnoringMessageHandler, PeerManager, PeerManagerConfig};
//! use lightning::signer_api::keys_manager::KeysManager;
//! use lightning::util::logger::NoopLogger;
//! use lightning::wire::ChainHash;
//! use lightning_net_adapter::{AdapterConfig, NodeHandle, PeerAddr};
//!
//! let keys = KeysManager::new(&lightning_net_adapter::os::os_random_bytes()?)?;
//! let chain = ChainHash::using_genesis_block(Network::Regtest);
//! let peers =
//!     PeerManager::new(Box::new(keys), chain, PeerManagerConfig::default(), Arc::new(NoopLogger));
//! let node = NodeHandle::new(peers, IgnoringMessageHandler, AdapterConfig::default())?;
//! let listening_on = node.listen("127.0.0.1:9735").await?;
//! println!("{}@{listening_on}", node.node_id());
//! let peer: PeerAddr = "02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619@127.0.0.1:9736".parse()?;
//! node.connect_and_wait(&peer).await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod addr;
mod connection;
mod error;
mod node;
pub mod os;

pub use addr::{address_descriptor, PeerAddr, PeerAddrError};
pub use error::{ConnectError, StartError};
pub use node::{AdapterConfig, NodeHandle};
