//! An embeddable, runtime-free Lightning Network library.
//!
//! The library does nothing unless called. The caller brings the sockets, the clock, the
//! randomness, the storage and the chain data; the library takes input through method calls
//! (`handle_*`, `read`, commands) and hands back what must leave it as data that the caller
//! polls (`poll_*`, `next_*`): bytes for a peer, events for the user, updates to persist.
//!
//! Modules, bottom up:
//! - [`wire`]: the BOLT 1 codec (primitives, TLV streams, every BOLT 1/2/7 message) and the
//!   BOLT 9 feature bits.
//! - [`transport`]: the BOLT 8 encrypted and authenticated transport (Noise_XK) as a sans-IO
//!   state machine.
//! - [`onion`]: BOLT 4 onion routing (build, peel, forward, failure attribution).
//! - [`channel`]: one channel's BOLT 2 state machine (open, fund, update, close).
//! - [`monitor`]: the `ChannelMonitor` (one channel's on-chain guardian: justice, HTLC claims,
//!   sweeps, anchors), the `ChainMonitor` over all of them, and the update blobs channels emit.
//! - [`manager`]: the `ChannelManager`, owning every channel with every peer, payments and
//!   events.
//! - [`peer`]: the `PeerManager`, one BOLT 8 transport per peer, `init`, `ping`/`pong`, and
//!   dispatch of messages to the managers.
//! - [`invoice`]: BOLT 11 invoices: create (signed through the node signer) and pay.
//! - [`routing`]: BOLT 7 gossip handling, the `NetworkGraph`, the pluggable `Router` with its
//!   default pathfinder and a learning scorer, and the route types a payment is sent over.
//! - [`chain`]: the interfaces with the caller's chain data (blocks in, transactions out).
//! - [`persist`]: the `Persister` contract (updates that can pause a channel), key-value stores
//!   (in memory; on the filesystem under `std`) and the delta-writing monitor persister.
//! - [`util`]: the `Logger` every component logs through.
//! - `testkit` (feature `testkit`): the in-process network simulator (a simulated chain and
//!   wallet, N nodes over real BOLT 8 transports with controllable delivery), public for users.
//!
//! Built with `--no-default-features` the crate is `#![no_std]` + `alloc`.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;

pub use bitcoin;
pub use lightning_signer_api as signer_api;

pub mod chain;
pub mod channel;
pub mod invoice;
pub mod manager;
pub mod monitor;
pub mod onion;
pub mod peer;
pub mod persist;
pub mod routing;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod transport;
pub mod util;
pub mod wire;
