//! Payments across a topology: routes over the network's own channels, multi-hop payments,
//! and [`PaymentScript`]s (channels to open, then steps to run) with one outcome per step.
//!
//! Routes are built from the nodes' channel lists, with each forwarding node's
//! [`ForwardingPolicy`](crate::manager::ForwardingPolicy) fee and CLTV delta and the
//! recipient's final CLTV delta: no gossip is needed.

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

use crate::manager::SendError;
use crate::routing::{Path, Route, RouteHop};
use crate::wire::ChannelId;

use super::flows::{PayError, PaymentOutcome, PendingPayment, PLAIN_PAYMENT};
use super::{Network, RestartError};

/// One step of a [`PaymentScript`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptStep {
    /// Pay `amount_msat` from `from` to `to` over the shortest route with the capacity, and
    /// run until it settles ([`Network::pay_along`]).
    Pay {
        /// The payer.
        from: usize,
        /// The recipient.
        to: usize,
        /// The amount the recipient gets.
        amount_msat: u64,
    },
    /// [`Network::crash_and_restart`] this node.
    CrashAndRestart(usize),
    /// [`Network::disconnect`] these two nodes.
    Disconnect(usize, usize),
    /// [`Network::connect`] these two nodes (if not connected) and run until quiet.
    Connect(usize, usize),
    /// [`Network::mine_blocks`].
    MineBlocks(u32),
    /// [`Network::timer_tick`].
    TimerTick,
}

/// A topology and what to do on it: [`Network::run_script`] opens `channels` in order (each
/// `(a, b, funding_sat, push_msat)`, opened by `a`), then runs `steps` in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentScript {
    /// The channels to open: `(a, b, funding_sat, push_msat)`.
    pub channels: Vec<(usize, usize, u64, u64)>,
    /// The steps to run after the channels are open.
    pub steps: Vec<ScriptStep>,
}

impl PaymentScript {
    /// A script with these channels and no steps.
    pub fn with_channels(channels: Vec<(usize, usize, u64, u64)>) -> Self {
        PaymentScript {
            channels,
            steps: Vec::new(),
        }
    }

    /// Adds a payment step.
    pub fn pay(mut self, from: usize, to: usize, amount_msat: u64) -> Self {
        self.steps.push(ScriptStep::Pay {
            from,
            to,
            amount_msat,
        });
        self
    }

    /// Adds any step.
    pub fn then(mut self, step: ScriptStep) -> Self {
        self.steps.push(step);
        self
    }
}

/// What one step of a script did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// The payment settled, over these nodes (payer first).
    Paid {
        /// The nodes of the route, payer first, recipient last.
        route: Vec<usize>,
        /// The payment.
        outcome: PaymentOutcome,
    },
    /// The payment did not settle.
    PayFailed {
        /// The nodes of the route tried, payer first.
        route: Vec<usize>,
        /// Why.
        error: PayError,
    },
    /// No route had the capacity.
    NoRoute,
    /// A restart failed.
    RestartFailed(RestartError),
    /// A step that is not a payment was run.
    Done,
}

impl StepOutcome {
    /// Whether this is a settled payment.
    pub fn is_paid(&self) -> bool {
        matches!(self, StepOutcome::Paid { .. })
    }
}

/// What [`Network::run_script`] did: the channels it opened (in the script's order) and one
/// outcome per step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptReport {
    /// The opened channels, in the script's order.
    pub channels: Vec<ChannelId>,
    /// One outcome per step, in order.
    pub outcomes: Vec<StepOutcome>,
}

impl ScriptReport {
    /// How many payment steps settled.
    pub fn paid(&self) -> usize {
        self.outcomes.iter().filter(|o| o.is_paid()).count()
    }
}

impl Network {
    /// A route for `amount_msat` along `nodes` (payer first, recipient last, each next to the
    /// previous by a channel): for each pair the channel of the sender with the most outbound
    /// capacity (open ones first), fees and CLTV deltas of each forwarding node's policy, the
    /// recipient's final delta. `None` if two neighbours share no funded channel.
    pub fn route_along(&self, nodes: &[usize], amount_msat: u64) -> Option<Route> {
        if nodes.len() < 2 {
            return None;
        }
        let mut hops = Vec::new();
        for pair in nodes.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            let to_id = self.nodes[to].node_id;
            let channel = self.nodes[from]
                .channels()
                .into_iter()
                .filter(|c| c.counterparty_node_id == to_id && c.short_channel_id.is_some())
                .max_by_key(|c| (c.is_usable, c.outbound_capacity_msat))?;
            hops.push(RouteHop {
                node_id: to_id,
                // Present: filtered above.
                short_channel_id: channel.short_channel_id?,
                fee_msat: 0,
                cltv_expiry_delta: 0,
            });
        }
        // Fill the fees and deltas backwards: each forwarding node's policy applies to what
        // it forwards.
        let recipient = *nodes.last()?;
        let last = hops.len() - 1;
        hops[last].fee_msat = amount_msat;
        hops[last].cltv_expiry_delta = self.nodes[recipient].min_final_cltv_expiry_delta;
        let mut forwarded = amount_msat;
        for position in (0..last).rev() {
            let forwarder = nodes[position + 1];
            let policy = self.nodes[forwarder].manager.config().forwarding_policy;
            let fee = policy.fee_msat(forwarded)?;
            hops[position].fee_msat = fee;
            hops[position].cltv_expiry_delta = u32::from(policy.cltv_expiry_delta);
            forwarded = forwarded.checked_add(fee)?;
        }
        Some(Route::single(Path { hops }))
    }

    /// The shortest list of nodes from `from` to `to` (both included) over usable channels
    /// whose sender has at least `amount_msat` plus 1% and 10 sat of outbound capacity.
    pub fn find_route(&self, from: usize, to: usize, amount_msat: u64) -> Option<Vec<usize>> {
        let margin = amount_msat / 100 + 10_000;
        let needed = amount_msat.saturating_add(margin);
        let mut previous: Vec<Option<usize>> = vec![None; self.nodes.len()];
        let mut queue = VecDeque::from([from]);
        let mut seen = vec![false; self.nodes.len()];
        seen[from] = true;
        while let Some(node) = queue.pop_front() {
            if node == to {
                let mut route = vec![to];
                let mut at = to;
                while let Some(prev) = previous[at] {
                    route.push(prev);
                    at = prev;
                }
                route.reverse();
                return Some(route);
            }
            // Sorted by channel id: the same network gives the same route.
            for channel in self.nodes[node].channels() {
                if !channel.is_usable || channel.outbound_capacity_msat < needed {
                    continue;
                }
                let Some(next) = self.index_of(&channel.counterparty_node_id) else {
                    continue;
                };
                if !seen[next] {
                    seen[next] = true;
                    previous[next] = Some(node);
                    queue.push_back(next);
                }
            }
        }
        None
    }

    /// Starts a payment of `amount_msat` along `nodes` ([`route_along`](Self::route_along)):
    /// the last node creates the invoice, the first sends. Nothing is delivered yet.
    pub fn send_payment_along(
        &mut self,
        nodes: &[usize],
        amount_msat: u64,
    ) -> Result<PendingPayment, SendError> {
        let route = self
            .route_along(nodes, amount_msat)
            .ok_or(SendError::UnsupportedRoute)?;
        let (from, to) = (nodes[0], nodes[nodes.len() - 1]);
        self.start_payment(
            from,
            to,
            amount_msat,
            PLAIN_PAYMENT,
            |net, payment_hash, onion, payment_id| {
                net.nodes[from]
                    .manager
                    .send_payment(&route, payment_hash, onion, payment_id)
            },
        )
    }

    /// Pays `amount_msat` along `nodes` and runs to the end
    /// ([`send_payment_along`](Self::send_payment_along) then
    /// [`finish_payment`](Self::finish_payment)).
    pub fn pay_along(
        &mut self,
        nodes: &[usize],
        amount_msat: u64,
    ) -> Result<PaymentOutcome, PayError> {
        let pending = self
            .send_payment_along(nodes, amount_msat)
            .map_err(PayError::Send)?;
        self.finish_payment(&pending)
    }

    /// Calls every node's `timer_tick_occurred` once, then collects.
    pub fn timer_tick(&mut self) {
        for node in &mut self.nodes {
            node.manager.timer_tick_occurred();
        }
        self.collect_all();
    }

    /// Opens the script's channels, then runs its steps; see [`PaymentScript`].
    ///
    /// # Panics
    /// If a channel cannot be opened (see [`open_channel`](Self::open_channel)).
    pub fn run_script(&mut self, script: &PaymentScript) -> ScriptReport {
        let channels = script
            .channels
            .iter()
            .map(|&(a, b, funding_sat, push_msat)| self.open_channel(a, b, funding_sat, push_msat))
            .collect();
        let outcomes = script
            .steps
            .iter()
            .map(|step| self.run_step(step))
            .collect();
        ScriptReport { channels, outcomes }
    }

    fn run_step(&mut self, step: &ScriptStep) -> StepOutcome {
        match *step {
            ScriptStep::Pay {
                from,
                to,
                amount_msat,
            } => {
                let Some(route) = self.find_route(from, to, amount_msat) else {
                    return StepOutcome::NoRoute;
                };
                match self.pay_along(&route, amount_msat) {
                    Ok(outcome) => StepOutcome::Paid { route, outcome },
                    Err(error) => StepOutcome::PayFailed { route, error },
                }
            }
            ScriptStep::CrashAndRestart(node) => match self.crash_and_restart(node) {
                Ok(()) => {
                    self.run_until_quiet();
                    StepOutcome::Done
                }
                Err(error) => StepOutcome::RestartFailed(error),
            },
            ScriptStep::Disconnect(a, b) => {
                self.disconnect(a, b);
                StepOutcome::Done
            }
            ScriptStep::Connect(a, b) => {
                if !self.is_connected(a, b) {
                    self.connect(a, b);
                }
                self.run_until_quiet();
                StepOutcome::Done
            }
            ScriptStep::MineBlocks(count) => {
                self.mine_blocks(count);
                StepOutcome::Done
            }
            ScriptStep::TimerTick => {
                self.timer_tick();
                self.run_until_quiet();
                StepOutcome::Done
            }
        }
    }
}
