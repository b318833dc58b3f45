//! Routing: the [`Route`] a payment takes through the network, and the pluggable [`Router`]
//! that finds it.
//!
//! - [`route`]: the route types that `ChannelManager::send_payment` consumes ([`Route`],
//!   [`Path`], [`RouteHop`]).
//! - [`router`]: the [`Router`] trait and what it is asked ([`RouteParameters`], [`FirstHop`],
//!   [`RouteHint`], [`InFlightHtlcs`]).

pub mod graph;
pub mod route;
pub mod router;

pub use graph::{
    ChannelPolicy, ChannelView, GossipError, GraphMemoryUsage, GraphReadError, NetworkGraph,
    NodeKey, UtxoLookup, UtxoResult,
};
pub use route::{HopAmount, Path, Route, RouteError, RouteHop};
pub use router::{
    direction_bit, FindRouteError, FirstHop, InFlightHtlcs, RouteHint, RouteHintHop,
    RouteParameters, Router, RoutingFees,
};
