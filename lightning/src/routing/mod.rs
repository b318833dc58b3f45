//! Routing: from verified gossip to the [`Route`] a payment takes.
//!
//! - [`route`]: the route types that `ChannelManager::send_payment` consumes ([`Route`],
//!   [`Path`], [`RouteHop`]).
//! - [`router`]: the pluggable [`Router`] trait and what it is asked ([`RouteParameters`],
//!   [`FirstHop`], [`RouteHint`], [`InFlightHtlcs`]).
//! - [`graph`]: the [`NetworkGraph`] of public channels and nodes, built from BOLT 7 gossip
//!   checked on arrival, compact in memory and stored as versioned TLV.
//! - [`gossip`]: the [`GossipHandler`], a `PeerMessageHandler` that feeds the graph from
//!   peers, answers and sends the gossip queries, and rate-limits what a peer may send.
//! - [`pathfind`]: [`DefaultRouter`], the default pathfinder (backwards Dijkstra, multi-path).
//! - [`scorer`]: the pluggable [`Score`] and the default [`LiquidityScorer`].
//!
//! A typical node: a `GossipHandler` beside the `ChannelManager` (through
//! `peer::HandlerPair` and `peer::is_gossip_message`); for each payment, a
//! `DefaultRouter::new(gossip.graph(), &mut scorer)` passed to the manager.

pub mod gossip;
pub mod graph;
pub mod pathfind;
pub mod route;
pub mod router;
pub mod scorer;

pub use gossip::{GossipConfig, GossipHandler};
pub use graph::{
    ChannelPolicy, ChannelView, GossipError, GraphMemoryUsage, GraphReadError, NetworkGraph,
    NodeKey, UtxoLookup, UtxoResult,
};
pub use pathfind::{find_route, DefaultRouter};
pub use route::{HopAmount, Path, Route, RouteError, RouteHop};
pub use router::{
    direction_bit, FindRouteError, FirstHop, InFlightHtlcs, RouteHint, RouteHintHop,
    RouteParameters, Router, RoutingFees,
};
pub use scorer::{LiquidityScorer, Score, ScoredHop, ScorerConfig, ScorerReadError};
