//! Routing: the [`Route`] a payment takes through the network.
//!
//! For now this module holds the route types that `ChannelManager::send_payment` consumes
//! ([`Route`], [`Path`], [`RouteHop`]). The network graph, gossip handling, the `Router` trait
//! and the default pathfinder come later and will produce these same types.

pub mod route;

pub use route::{HopAmount, Path, Route, RouteError, RouteHop};
