//! The channel state machines of three nodes driven by a script read from the input, then
//! checked for disagreements.
//!
//! The network is a line `0 — 1 — 2` built with [`Network`] (real peer managers, channel
//! managers and chain monitors over in-memory connections): node 0 opens a channel to node 1
//! and node 1 one to node 2, each of [`FUNDING_SAT`] with [`PUSH_MSAT`] pushed to the
//! acceptor, so payments can go both ways from the start. Gossip is off (routes come from
//! the nodes' channel lists). Same input, same run.
//!
//! The line is built once per process ([`Start::shared`]: keys, wallets, both channels opened,
//! confirmed and run until quiet) and saved ([`Network::save`]); every input starts from a
//! network started from that saved line ([`Network::from_saved`]: each node restarted from
//! its persisted store on a copy of the chain, both pairs reconnected and run until quiet,
//! with no restart counted). So every input starts from exactly the same state, whatever the
//! inputs before it did, and a line built from scratch for the input ([`Start::build`]) gives
//! the same run ([`run_script_traced`] compares them in the tests). Starting from the saved
//! line skips the wallets' funding, both openings and their confirmations, but not every
//! cost of a start: each node still derives its keys again and decodes its stored state, and
//! both pairs still run the BOLT 8 handshake and `channel_reestablish` (the
//! `channels_speed` example times both starts).
//!
//! The input is a script of at most [`MAX_OPS`] operations, each an op byte and its argument
//! bytes (see [`Op`]); a byte that names no op is skipped, and a script cut short by the end
//! of the input simply ends. Operations the protocol forbids or that legitimately close a
//! channel are not offered: messages are never dropped one by one (only whole connections,
//! which the protocol recovers from by reestablishing), and blocks are mined only up to
//! [`MAX_BLOCKS`] in all, well before any HTLC of the script nears its expiry (the shortest
//! expiry is the recipient's `min_final_cltv_expiry_delta` of 18 blocks, the earliest
//! reaction to it is the recipient failing back an unclaimed payment 6 blocks before).
//!
//! After the script the network is brought to rest: every held direction released, every
//! pair reconnected, every signer back, every monitor policy back to completing at once and
//! every held update completed, run until quiet, then every claimable payment claimed and run until quiet
//! again. Then it checks what must hold for any script (see [`Disagreement`]):
//!
//! - no channel closed, and both ends of each channel see it usable; no node broadcast a
//!   spend of a funding output, and no monitor reported an on-chain event;
//! - both ends agree: no HTLC left pending on either side, and the two balances add up to
//!   the channel's value (a side's `balance_msat` excludes HTLCs and does not deduct the
//!   commitment fee, so with no HTLC in flight the two balances are the whole channel);
//! - the balances are the opening balances moved by exactly the payments that settled (a
//!   direct payment moves its amount over its channel; a payment over the line moves its
//!   amount plus the fee node 1 took over the first channel and its amount over the second);
//! - every payment the script started ended exactly once at its payer (one `PaymentSent` or
//!   one `PaymentFailed`, never both, never twice); a `PaymentSent` comes with exactly one
//!   `PaymentClaimed` at the payee, a `PaymentFailed` with none;
//! - node 1 reported one `PaymentForwarded` per line payment sent, earning the fees the
//!   payers paid;
//! - every monitor accepted every update (`monitor_errors` empty on every node).
//!
//! One check also holds after every operation, at rest or not: the two ends' balances of a
//! channel never add up to more than the channel. Each end's balance has its own pending
//! changes applied and HTLCs excluded: an HTLC leaves its sender's balance when it is
//! offered and reaches its recipient's when the recipient fulfills it (the sender's stays
//! without it), a failed one goes back to its sender; so in flight the sum is the channel
//! minus the HTLCs not yet fulfilled, never more.
//!
//! A panic inside the library, a livelock (the network never going quiet) or a failed
//! restart are found by the run itself.
//!
//! Crashes at any persistence point ([`Op::ArmCrash`]) keep the event checks exact: the
//! testkit writes a node's manager before it hands out the events the write holds, and again
//! once they are handed out, so a restarted node replays exactly the events not yet seen.

mod checks;
mod ops;

use core::time::Duration;
use std::sync::OnceLock;

use lightning::manager::{Event, ManagerConfig};
use lightning::testkit::network::{
    Completion, CompletionOrder, MonitorPolicy, Network, NodeConfig, PendingPayment, SavedNetwork,
};
use lightning::wire::{ChannelId, PaymentHash};

pub use checks::Disagreement;
pub use ops::{amount_msat, arg_count, decode, Op, OP_CODES};

/// The most operations read from one input (each run stays fast).
pub const MAX_OPS: usize = 200;
/// The most blocks a script may mine in all (see the [module documentation](self)).
pub const MAX_BLOCKS: u32 = 10;
/// Each channel's value.
pub const FUNDING_SAT: u64 = 1_000_000;
/// What each channel's opener pushes to the acceptor at the opening.
pub const PUSH_MSAT: u64 = 400_000_000;
/// How many nodes (a line).
pub const NODES: usize = 3;

/// The four directions of the line, as `(from, to)`; an argument byte picks one.
const DIRECTIONS: [(usize, usize); 4] = [(0, 1), (1, 0), (1, 2), (2, 1)];
/// The two connected pairs of the line.
const PAIRS: [(usize, usize); 2] = [(0, 1), (1, 2)];

/// A payment the script started: who pays whom over which nodes.
#[derive(Clone, Debug)]
pub(crate) struct Started {
    pub(crate) pending: PendingPayment,
    pub(crate) route: Vec<usize>,
}

/// What a script run did, for tests to check that their scripts reach what they aim at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The operations run.
    pub ops: usize,
    /// Payments started (the payer accepted them).
    pub started: usize,
    /// Payments that ended in `PaymentSent`.
    pub sent: usize,
    /// Payments that ended in `PaymentFailed`.
    pub failed: usize,
    /// Node restarts in all (`CrashAndRestart`, and armed crashes that fired).
    pub restarts: u64,
    /// Crashes armed by `ArmCrash` (each fires if the node writes often enough afterwards).
    pub armed_crashes: usize,
    /// Blocks mined by the script.
    pub blocks: u32,
    /// `update_fee` operations run (each node sends it on the usable channels it funds).
    pub fee_updates: usize,
    /// Monitor updates completed by `Complete` operations.
    pub completed_updates: usize,
    /// Times a node's signer went away (`Signer`).
    pub signer_pauses: usize,
}

/// Runs one fuzz input (see the [module documentation](self)) from the [`Start::shared`]
/// line. Panics on a disagreement.
pub fn run(data: &[u8]) {
    if let Err(disagreement) = run_script(data) {
        panic!("disagreement: {disagreement}");
    }
}

/// Runs the script of `data` from the [`Start::shared`] line, brings the network to rest and
/// checks it.
pub fn run_script(data: &[u8]) -> Result<Report, Disagreement> {
    run_script_from(Start::shared(), data)
}

/// What one run gave: the checks' verdict and the state the network ended in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// The report, or the first disagreement found.
    pub result: Result<Report, Disagreement>,
    /// The network's final state, for comparing runs: every node's manager encoding, events,
    /// channels, broadcasts, monitor events and persistence points, and the chain's tip.
    pub final_state: Vec<u8>,
}

/// Runs the script of `data` from `start`, brings the network to rest and checks it.
pub fn run_script_from(start: &Start, data: &[u8]) -> Result<Report, Disagreement> {
    run_on(&mut start.network(), start.channels, data)
}

/// [`run_script_from`], also returning the state the network ended in (to compare runs).
pub fn run_script_traced(start: &Start, data: &[u8]) -> Run {
    let mut net = start.network();
    let result = run_on(&mut net, start.channels, data);
    Run {
        result,
        final_state: final_state(&net),
    }
}

fn run_on(
    net: &mut Network,
    channels: [ChannelId; 2],
    data: &[u8],
) -> Result<Report, Disagreement> {
    let ops = decode(data);
    let opening = [balance(net, 0, channels[0]), balance(net, 1, channels[1])];
    let mut started = Vec::new();
    let mut report = Report::default();
    for op in ops {
        apply(net, op, &mut started, &mut report)?;
        checks::check_not_overdrawn(net, &channels, report.ops)?;
        report.ops += 1;
    }
    settle(net);
    checks::check(net, &channels, opening, &started, &mut report)?;
    Ok(report)
}

/// The line every input starts from: `0 — 1 — 2` with its two channels open, confirmed and
/// usable, built once and saved ([`SavedNetwork`]); each input gets a network started from
/// the saved line ([`Network::from_saved`]).
pub struct Start {
    saved: SavedNetwork,
    channels: [ChannelId; 2],
}

impl Start {
    /// Builds the line from scratch (keys, wallets, both channels opened and confirmed, run
    /// until quiet) and saves it.
    ///
    /// # Panics
    /// If the line cannot be built or saved (a bug in the library or the testkit).
    pub fn build() -> Start {
        let (mut net, channels) = build_network();
        let saved = net
            .save()
            .unwrap_or_else(|error| panic!("the opened line is not at rest: {error}"));
        Start { saved, channels }
    }

    /// The line built once per process (on first use) and shared by every input.
    pub fn shared() -> &'static Start {
        static SHARED: OnceLock<Start> = OnceLock::new();
        SHARED.get_or_init(Start::build)
    }

    /// A fresh network started from the saved line: same saved line, same network.
    ///
    /// # Panics
    /// If a node cannot restart from its saved store (a bug in the library or the testkit).
    pub fn network(&self) -> Network {
        Network::from_saved(&self.saved)
            .unwrap_or_else(|error| panic!("the saved line does not start again: {error}"))
    }

    /// The two channels: `0 — 1` and `1 — 2`.
    pub fn channels(&self) -> [ChannelId; 2] {
        self.channels
    }
}

/// The line `0 — 1 — 2` with its two channels open and usable.
fn build_network() -> (Network, [ChannelId; 2]) {
    let configs = (0..NODES)
        .map(|index| {
            let mut config = NodeConfig::for_index(index);
            config.gossip = false;
            config.manager = ManagerConfig::default();
            config
        })
        .collect();
    let mut net = Network::with_nodes(configs);
    let first = net.open_channel(0, 1, FUNDING_SAT, PUSH_MSAT);
    let second = net.open_channel(1, 2, FUNDING_SAT, PUSH_MSAT);
    net.run_until_quiet();
    (net, [first, second])
}

/// The state `net` ended in, as bytes (see [`Run::final_state`]).
fn final_state(net: &Network) -> Vec<u8> {
    let mut state = Vec::new();
    for index in 0..NODES {
        let node = net.node(index);
        state.extend(node.manager().encode());
        let records = format!(
            "{:?} {:?} {:?} {:?} {}",
            node.events(),
            node.channels(),
            node.broadcasts(),
            node.monitor_events(),
            net.persistence_points(index),
        );
        state.extend(records.into_bytes());
    }
    state.extend(format!("{:?}", net.chain().tip()).into_bytes());
    state
}

fn balance(net: &Network, node: usize, channel: ChannelId) -> u64 {
    net.balance_msat(node, channel).unwrap_or(0)
}

fn apply(
    net: &mut Network,
    op: Op,
    started: &mut Vec<Started>,
    report: &mut Report,
) -> Result<(), Disagreement> {
    match op {
        Op::SendDirect {
            direction,
            amount_msat,
        } => {
            let (from, to) = DIRECTIONS[direction];
            if let Ok(pending) = net.send_payment(from, to, amount_msat) {
                started.push(Started {
                    pending,
                    route: vec![from, to],
                });
            }
            net.collect_all();
        }
        Op::SendLine {
            backwards,
            amount_msat,
        } => {
            let route = if backwards {
                vec![2, 1, 0]
            } else {
                vec![0, 1, 2]
            };
            if let Ok(pending) = net.send_payment_along(&route, amount_msat) {
                started.push(Started { pending, route });
            }
            net.collect_all();
        }
        Op::DeliverNext(direction) => {
            let (from, to) = DIRECTIONS[direction];
            net.deliver_next(from, to);
        }
        Op::DeliverAll(direction) => {
            let (from, to) = DIRECTIONS[direction];
            net.deliver_all(from, to);
        }
        Op::Disconnect {
            pair,
            by_second,
            abrupt,
        } => {
            let (a, b) = ordered(PAIRS[pair], by_second);
            if abrupt {
                net.drop_connection(a, b);
            } else {
                net.disconnect(a, b);
            }
        }
        Op::Connect { pair, by_second } => {
            let (a, b) = ordered(PAIRS[pair], by_second);
            if !net.is_connected(a, b) {
                net.connect(a, b);
                net.collect_all();
            }
        }
        Op::Hold(direction) => {
            let (from, to) = DIRECTIONS[direction];
            net.hold(from, to);
        }
        Op::Release(direction) => {
            let (from, to) = DIRECTIONS[direction];
            net.release(from, to);
        }
        Op::Claim(index) | Op::Fail(index) => {
            if !started.is_empty() {
                let payment = &started[index % started.len()].pending;
                if matches!(op, Op::Claim(_)) {
                    net.claim_payment(payment.to, payment.payment_hash);
                } else {
                    net.fail_payment(payment.to, payment.payment_hash);
                }
            }
        }
        other => apply_node_op(net, other, report)?,
    }
    Ok(())
}

/// The operations on one node (or on all): monitor policy and completions, the clock, the
/// chain, crashes, fees, running.
fn apply_node_op(net: &mut Network, op: Op, report: &mut Report) -> Result<(), Disagreement> {
    match op {
        Op::Policy { node, hold } => {
            let policy = match hold {
                true => MonitorPolicy::Hold,
                false => MonitorPolicy::CompleteImmediately,
            };
            net.set_monitor_policy(node, policy);
        }
        Op::Complete {
            node,
            count,
            newest_first,
        } => {
            let which = match count {
                0 => Completion::All,
                count => Completion::Count(count),
            };
            let order = match newest_first {
                true => CompletionOrder::NewestFirst,
                false => CompletionOrder::OldestFirst,
            };
            report.completed_updates += net.complete_monitor_updates(node, which, order).len();
        }
        Op::Time(arg) if arg & 1 == 1 => net.timer_tick(),
        Op::Time(arg) => net.advance_time(Duration::from_secs(u64::from(arg / 2) * 10)),
        Op::Mine(count) => {
            let count = count.min(MAX_BLOCKS - report.blocks);
            if count > 0 {
                report.blocks += count;
                net.mine_blocks(count);
            }
        }
        Op::CrashAndRestart(node) => {
            net.crash_and_restart(node)
                .map_err(|error| Disagreement::Restart {
                    node,
                    error: error.to_string(),
                })?;
        }
        Op::UpdateFee {
            node,
            feerate_per_kw,
        } => {
            net.node_mut(node).manager_mut().update_fee(feerate_per_kw);
            net.collect_all();
            report.fee_updates += 1;
        }
        Op::RunUntilQuiet => {
            net.run_until_quiet();
        }
        Op::ArmCrash { node, after } => {
            net.crash_after_persistence_points(node, after);
            report.armed_crashes += 1;
        }
        Op::Signer { node, away } => {
            net.set_signer_pending(node, away);
            report.signer_pauses += usize::from(away);
        }
        // Handled by `apply`.
        _ => {}
    }
    Ok(())
}

fn ordered((a, b): (usize, usize), swap: bool) -> (usize, usize) {
    if swap {
        (b, a)
    } else {
        (a, b)
    }
}

/// Brings the network to rest: every direction released, every pair connected, monitor
/// updates completed at once (the held ones too), every claimable payment claimed.
fn settle(net: &mut Network) {
    for (from, to) in DIRECTIONS {
        net.release(from, to);
    }
    for (a, b) in PAIRS {
        if !net.is_connected(a, b) {
            net.connect(a, b);
        }
    }
    for node in 0..NODES {
        net.set_signer_pending(node, false);
        net.set_monitor_policy(node, MonitorPolicy::CompleteImmediately);
        net.complete_monitor_updates(node, Completion::All, CompletionOrder::OldestFirst);
    }
    net.run_until_quiet();
    // A claim can make a forwarded payment claimable further on (never more than the line's
    // two hops deep); a few rounds bring every payment home.
    for _ in 0..4 {
        let mut claimed = false;
        for node in 0..NODES {
            for hash in claimable_hashes(net, node) {
                claimed |= net.claim_payment(node, hash);
            }
        }
        net.run_until_quiet();
        if !claimed {
            break;
        }
    }
}

fn claimable_hashes(net: &Network, node: usize) -> Vec<PaymentHash> {
    let mut hashes: Vec<PaymentHash> = net
        .node(node)
        .events()
        .iter()
        .filter_map(|event| match event {
            Event::PaymentClaimable { payment_hash, .. } => Some(*payment_hash),
            _ => None,
        })
        .collect();
    hashes.dedup();
    hashes
}
