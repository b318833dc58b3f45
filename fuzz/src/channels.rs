//! The channel state machines of three nodes driven by a script read from the input, then
//! checked for disagreements.
//!
//! The network is a line `0 — 1 — 2` built with [`Network`] (real peer managers, channel
//! managers and chain monitors over in-memory connections): node 0 opens a channel to node 1
//! and node 1 one to node 2, each of [`FUNDING_SAT`] with [`PUSH_MSAT`] pushed to the
//! acceptor, so payments can go both ways from the start. Gossip is off (routes come from
//! the nodes' channel lists). Same input, same run.
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
//! pair reconnected, every monitor policy back to completing at once and every held update
//! completed, run until quiet, then every claimable payment claimed and run until quiet
//! again. Then [`check`] states what must hold for any script (see [`Disagreement`]):
//!
//! - no channel closed, and both ends of each channel see it usable;
//! - both ends agree: no HTLC left pending on either side, and the two balances add up to
//!   the channel's value (a side's `balance_msat` excludes HTLCs and does not deduct the
//!   commitment fee, so with no HTLC in flight the two balances are the whole channel);
//! - the balances are the opening balances moved by exactly the payments that settled (a
//!   direct payment moves its amount over its channel; a payment over the line moves its
//!   amount plus the fee node 1 took over the first channel and its amount over the second);
//! - every payment the script started ended exactly once at its payer (one `PaymentSent` or
//!   one `PaymentFailed`, never both, never twice), and the payer's `PaymentSent` comes with
//!   the payee's `PaymentClaimed` and no `PaymentFailed` with it;
//! - node 1 reported one `PaymentForwarded` per line payment sent, earning the fees the
//!   payers paid;
//! - every monitor accepted every update (`monitor_errors` empty on every node).
//!
//! A panic inside the library, a livelock (the network never going quiet) or a failed
//! restart are found by the run itself.
//!
//! Crashes at any persistence point ([`Op::ArmCrash`]) keep the event checks exact: the
//! testkit writes a node's manager before it hands out the events the write holds, and again
//! once they are handed out, so a restarted node replays exactly the events not yet seen.

use core::fmt;
use core::time::Duration;

use lightning::manager::{Event, ManagerConfig};
use lightning::testkit::network::{
    Completion, CompletionOrder, MonitorPolicy, Network, NodeConfig, PendingPayment,
};
use lightning::wire::{ChannelId, PaymentHash};

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

/// One operation of a script, decoded from an op byte (`byte % 20`; 18 and 19 name nothing
/// and are skipped) and its argument bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// 0, `[dir, hi, lo]`: start a payment over the direct channel of `DIRECTIONS[dir % 4]`.
    SendDirect {
        /// Index into the four directions.
        direction: usize,
        /// The amount, from two bytes (see [`amount_msat`]).
        amount_msat: u64,
    },
    /// 1, `[dir, hi, lo]`: start a payment over the line, `0 → 1 → 2` or (odd `dir`)
    /// `2 → 1 → 0`.
    SendLine {
        /// Whether it goes from node 2 to node 0.
        backwards: bool,
        /// The amount.
        amount_msat: u64,
    },
    /// 2, `[dir]`: deliver exactly one queued message on a direction (held or not).
    DeliverNext(usize),
    /// 3, `[dir]`: deliver everything queued on a direction in one write.
    DeliverAll(usize),
    /// 4, `[arg]`: end a pair's connection, cleanly (`disconnect`, from either end) or
    /// abruptly (`drop_connection`); what was in flight is lost.
    Disconnect {
        /// Index into the two pairs.
        pair: usize,
        /// Whether the higher node ends it.
        by_second: bool,
        /// Whether the sockets just die.
        abrupt: bool,
    },
    /// 5, `[arg]`: connect a pair again if it is not connected (either end dials).
    Connect {
        /// Index into the two pairs.
        pair: usize,
        /// Whether the higher node dials.
        by_second: bool,
    },
    /// 6, `[dir]`: stop `run_until_quiet` delivering on a direction.
    Hold(usize),
    /// 7, `[dir]`: deliver on a direction again.
    Release(usize),
    /// 8, `[index]`: the payee claims the `index % n`th payment the script started, if it
    /// is claimable.
    Claim(usize),
    /// 9, `[index]`: the payee refuses it (`fail_htlc_backwards`), if claimable.
    Fail(usize),
    /// 10, `[arg]`: a node starts holding its monitor updates, or completes them at once.
    Policy {
        /// The node.
        node: usize,
        /// Whether it holds.
        hold: bool,
    },
    /// 11, `[arg]`: a node completes some (0: all) of its held monitor updates, oldest or
    /// newest first.
    Complete {
        /// The node.
        node: usize,
        /// How many (0: all).
        count: usize,
        /// Whether newest first.
        newest_first: bool,
    },
    /// 12, `[arg]`: a timer tick on every node (odd `arg`), or the clock moves `arg / 2 * 10`
    /// seconds.
    Time(u8),
    /// 13, `[arg]`: mine 1 to 3 blocks, within [`MAX_BLOCKS`] for the whole script.
    Mine(u32),
    /// 14, `[node]`: crash a node and restart it from what it persisted.
    CrashAndRestart(usize),
    /// 15, `[node, rate]`: a node sets its feerate to `253 + rate * 40` per kw and sends
    /// `update_fee` on the channels it funds.
    UpdateFee {
        /// The node.
        node: usize,
        /// The feerate per kw.
        feerate_per_kw: u32,
    },
    /// 16: run until quiet.
    RunUntilQuiet,
    /// 17, `[arg]`: arm a crash of node `arg % 3` right after its `1 + arg / 3 % 8`th next
    /// persistence point (a write of its manager or of a monitor update), in the middle of
    /// whatever later operation makes it; it restarts from what it persisted at once.
    ArmCrash {
        /// The node.
        node: usize,
        /// After how many more persistence points.
        after: u64,
    },
}

/// The amount of a payment from two bytes: 1 msat to about 65,500 sat, dust included.
pub fn amount_msat(hi: u8, lo: u8) -> u64 {
    (u64::from(hi) << 8 | u64::from(lo)) * 999_983 / 1_000 + 1
}

/// Reads bytes for the decoder; the end of the input reads as `None`.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }
}

/// Decodes the script of `data`: at most [`MAX_OPS`] operations; unknown op bytes skipped.
pub fn decode(data: &[u8]) -> Vec<Op> {
    let mut reader = Reader(data);
    let mut ops = Vec::new();
    while ops.len() < MAX_OPS {
        let Some(code) = reader.byte() else { break };
        let Some(op) = decode_one(code % 20, &mut reader) else {
            if reader.0.is_empty() {
                break;
            }
            continue;
        };
        ops.push(op);
    }
    ops
}

fn decode_one(code: u8, reader: &mut Reader<'_>) -> Option<Op> {
    let op = match code {
        0 | 1 => {
            let (arg, hi, lo) = (reader.byte()?, reader.byte()?, reader.byte()?);
            let amount_msat = amount_msat(hi, lo);
            if code == 0 {
                Op::SendDirect {
                    direction: usize::from(arg % 4),
                    amount_msat,
                }
            } else {
                Op::SendLine {
                    backwards: arg & 1 == 1,
                    amount_msat,
                }
            }
        }
        2 => Op::DeliverNext(usize::from(reader.byte()? % 4)),
        3 => Op::DeliverAll(usize::from(reader.byte()? % 4)),
        4 => {
            let arg = reader.byte()?;
            Op::Disconnect {
                pair: usize::from(arg & 1),
                by_second: arg & 2 != 0,
                abrupt: arg & 4 != 0,
            }
        }
        5 => {
            let arg = reader.byte()?;
            Op::Connect {
                pair: usize::from(arg & 1),
                by_second: arg & 2 != 0,
            }
        }
        6 => Op::Hold(usize::from(reader.byte()? % 4)),
        7 => Op::Release(usize::from(reader.byte()? % 4)),
        8 => Op::Claim(usize::from(reader.byte()?)),
        9 => Op::Fail(usize::from(reader.byte()?)),
        10 => {
            let arg = reader.byte()?;
            Op::Policy {
                node: usize::from(arg % 3),
                hold: arg & 4 != 0,
            }
        }
        11 => {
            let arg = reader.byte()?;
            Op::Complete {
                node: usize::from(arg % 3),
                count: usize::from((arg >> 2) % 4),
                newest_first: arg & 0x10 != 0,
            }
        }
        12 => Op::Time(reader.byte()?),
        13 => Op::Mine(1 + u32::from(reader.byte()? % 3)),
        14 => Op::CrashAndRestart(usize::from(reader.byte()? % 3)),
        15 => {
            let node = usize::from(reader.byte()? % 3);
            let rate = u32::from(reader.byte()?);
            Op::UpdateFee {
                node,
                feerate_per_kw: 253 + rate * 40,
            }
        }
        16 => Op::RunUntilQuiet,
        17 => {
            let arg = reader.byte()?;
            Op::ArmCrash {
                node: usize::from(arg % 3),
                after: 1 + u64::from(arg / 3 % 8),
            }
        }
        _ => return None,
    };
    Some(op)
}

/// A state where the nodes disagree, or a step that must not fail failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disagreement {
    /// A node could not restart from what it persisted.
    Restart {
        /// The node.
        node: usize,
        /// Why (the `RestartError`, displayed).
        error: String,
    },
    /// A channel closed, or one end lost it or cannot use it.
    ChannelNotOpen {
        /// The channel's opener.
        a: usize,
        /// The acceptor.
        b: usize,
        /// What each end reports (debug text).
        detail: String,
    },
    /// The two ends' balances do not add up to the channel, or HTLCs are left pending.
    Balances {
        /// The channel's opener.
        a: usize,
        /// The acceptor.
        b: usize,
        /// `(balance, pending HTLCs)` at `a` and at `b`.
        seen: [(u64, usize); 2],
    },
    /// The balances are not the opening balances moved by the settled payments.
    Ledger {
        /// The channel's opener.
        a: usize,
        /// The acceptor.
        b: usize,
        /// What `a` should have.
        expected_a_msat: u64,
        /// What `a` has.
        actual_a_msat: u64,
    },
    /// A payment ended zero times, or more than once, at its payer.
    PaymentOutcomes {
        /// The payment (its index in the script's payments).
        index: usize,
        /// How many `PaymentSent`.
        sent: usize,
        /// How many `PaymentFailed`.
        failed: usize,
    },
    /// The payer and the payee disagree on whether a payment was paid.
    PaymentSides {
        /// The payment (its index in the script's payments).
        index: usize,
        /// Whether the payer saw `PaymentSent`.
        sent: bool,
        /// How many `PaymentClaimed` the payee reported.
        claimed: usize,
    },
    /// Node 1's `PaymentForwarded` events do not match the line payments that were sent.
    Forwards {
        /// Line payments that ended in `PaymentSent`, and the fees their payers paid.
        sent_over_line: (usize, u64),
        /// `PaymentForwarded` events at node 1, and the fees they earned.
        forwarded: (usize, u64),
    },
    /// A node's chain monitor refused a monitor update.
    MonitorErrors {
        /// The node.
        node: usize,
        /// The errors (displayed).
        errors: Vec<String>,
    },
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Restart { node, error } => write!(f, "node {node} failed to restart: {error}"),
            Self::ChannelNotOpen { a, b, detail } => {
                write!(f, "channel {a}-{b} is not open on both ends: {detail}")
            }
            Self::Balances { a, b, seen } => write!(
                f,
                "channel {a}-{b}: (balance, pending HTLCs) {:?} at {a}, {:?} at {b}",
                seen[0], seen[1]
            ),
            Self::Ledger {
                a,
                b,
                expected_a_msat,
                actual_a_msat,
            } => write!(
                f,
                "channel {a}-{b}: node {a} has {actual_a_msat} msat, the settled payments \
                 say {expected_a_msat}"
            ),
            Self::PaymentOutcomes {
                index,
                sent,
                failed,
            } => write!(
                f,
                "payment {index}: {sent} PaymentSent and {failed} PaymentFailed at the payer"
            ),
            Self::PaymentSides {
                index,
                sent,
                claimed,
            } => write!(
                f,
                "payment {index}: payer sent={sent}, payee reported {claimed} PaymentClaimed"
            ),
            Self::Forwards {
                sent_over_line,
                forwarded,
            } => write!(
                f,
                "(line payments sent, fees paid) {sent_over_line:?} but node 1 reports \
                 (forwards, fees earned) {forwarded:?}"
            ),
            Self::MonitorErrors { node, errors } => {
                write!(f, "node {node}'s monitors refused updates: {errors:?}")
            }
        }
    }
}

impl std::error::Error for Disagreement {}

/// A payment the script started: who pays whom over which nodes.
#[derive(Clone, Debug)]
struct Started {
    pending: PendingPayment,
    route: Vec<usize>,
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
}

/// Runs one fuzz input (see the [module documentation](self)). Panics on a disagreement.
pub fn run(data: &[u8]) {
    if let Err(disagreement) = run_script(data) {
        panic!("disagreement: {disagreement}");
    }
}

/// Runs the script of `data`, brings the network to rest and checks it.
pub fn run_script(data: &[u8]) -> Result<Report, Disagreement> {
    let ops = decode(data);
    let (mut net, channels) = build_network();
    let opening = [balance(&net, 0, channels[0]), balance(&net, 1, channels[1])];
    let mut started = Vec::new();
    let mut report = Report::default();
    for op in ops {
        apply(&mut net, op, &mut started, &mut report)?;
        report.ops += 1;
    }
    settle(&mut net);
    check(&net, &channels, opening, &started, &mut report)?;
    Ok(report)
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

/// Checks the rested network against the invariants of the [module documentation](self).
fn check(
    net: &Network,
    channels: &[ChannelId; 2],
    opening: [u64; 2],
    started: &[Started],
    report: &mut Report,
) -> Result<(), Disagreement> {
    for node in 0..NODES {
        let errors = net.node(node).monitor_errors();
        if !errors.is_empty() {
            return Err(Disagreement::MonitorErrors {
                node,
                errors: errors.iter().map(ToString::to_string).collect(),
            });
        }
    }
    let mut expected = opening;
    let mut sent_over_line = (0, 0u64);
    for (index, payment) in started.iter().enumerate() {
        let fee = check_payment(net, index, payment)?;
        match fee {
            Some(fee) => {
                report.sent += 1;
                apply_to_ledger(&mut expected, payment, fee);
                if payment.route.len() == 3 {
                    sent_over_line = (sent_over_line.0 + 1, sent_over_line.1.saturating_add(fee));
                }
            }
            None => report.failed += 1,
        }
    }
    let forwarded = net
        .node(1)
        .events()
        .iter()
        .filter_map(|event| match event {
            Event::PaymentForwarded {
                fee_earned_msat, ..
            } => Some(*fee_earned_msat),
            _ => None,
        })
        .fold((0, 0u64), |(count, fees), fee| {
            (count + 1, fees.saturating_add(fee))
        });
    if forwarded != sent_over_line {
        return Err(Disagreement::Forwards {
            sent_over_line,
            forwarded,
        });
    }
    for (position, (a, b)) in PAIRS.into_iter().enumerate() {
        check_channel(net, a, b, channels[position], expected[position])?;
    }
    report.started = started.len();
    report.restarts = (0..NODES).map(|node| net.node(node).restarts()).sum();
    Ok(())
}

/// Checks one payment's outcome at both ends; returns the fee it paid if it was sent,
/// `None` if it failed.
fn check_payment(
    net: &Network,
    index: usize,
    payment: &Started,
) -> Result<Option<u64>, Disagreement> {
    let pending = &payment.pending;
    let mut sent = Vec::new();
    let mut failed = 0;
    for event in net.node(pending.from).events() {
        match event {
            Event::PaymentSent {
                payment_id,
                fee_paid_msat,
                ..
            } if *payment_id == pending.payment_id => sent.push(fee_paid_msat.unwrap_or(0)),
            Event::PaymentFailed { payment_id, .. } if *payment_id == pending.payment_id => {
                failed += 1
            }
            _ => {}
        }
    }
    if sent.len() + failed != 1 {
        return Err(Disagreement::PaymentOutcomes {
            index,
            sent: sent.len(),
            failed,
        });
    }
    let claimed = net
        .node(pending.to)
        .events()
        .iter()
        .filter(|event| {
            matches!(event, Event::PaymentClaimed { payment_hash, .. }
                if *payment_hash == pending.payment_hash)
        })
        .count();
    if claimed != sent.len() {
        return Err(Disagreement::PaymentSides {
            index,
            sent: !sent.is_empty(),
            claimed,
        });
    }
    Ok(sent.first().copied())
}

/// Moves a settled payment's amounts in the expected balances of the channels' openers
/// (node 0 in the first channel, node 1 in the second).
fn apply_to_ledger(expected: &mut [u64; 2], payment: &Started, fee_msat: u64) {
    let amount = payment.pending.amount_msat;
    for hop in payment.route.windows(2) {
        let (from, to) = (hop[0], hop[1]);
        // The first hop of a line payment also carries the fee of node 1.
        let carried = if hop[0] == payment.route[0] {
            amount.saturating_add(fee_msat)
        } else {
            amount
        };
        let channel = from.min(to);
        let opener_pays = from == channel;
        expected[channel] = if opener_pays {
            expected[channel].wrapping_sub(carried)
        } else {
            expected[channel].wrapping_add(carried)
        };
    }
}

fn check_channel(
    net: &Network,
    a: usize,
    b: usize,
    channel: ChannelId,
    expected_a_msat: u64,
) -> Result<(), Disagreement> {
    let ends = (net.node(a).channel(channel), net.node(b).channel(channel));
    let closed = [a, b].iter().any(|&node| {
        net.node(node)
            .events()
            .iter()
            .any(|event| matches!(event, Event::ChannelClosed { .. }))
    });
    let (Some(at_a), Some(at_b)) = ends.clone() else {
        return Err(Disagreement::ChannelNotOpen {
            a,
            b,
            detail: format!("{ends:?}"),
        });
    };
    if closed || !at_a.is_usable || !at_b.is_usable {
        return Err(Disagreement::ChannelNotOpen {
            a,
            b,
            detail: format!("closed events: {closed}, {at_a:?}, {at_b:?}"),
        });
    }
    let capacity_msat = at_a.channel_value_satoshis.saturating_mul(1000);
    let both_agree = at_a.pending_htlcs == 0
        && at_b.pending_htlcs == 0
        && at_a.balance_msat.checked_add(at_b.balance_msat) == Some(capacity_msat);
    if !both_agree {
        return Err(Disagreement::Balances {
            a,
            b,
            seen: [
                (at_a.balance_msat, at_a.pending_htlcs),
                (at_b.balance_msat, at_b.pending_htlcs),
            ],
        });
    }
    if at_a.balance_msat != expected_a_msat {
        return Err(Disagreement::Ledger {
            a,
            b,
            expected_a_msat,
            actual_a_msat: at_a.balance_msat,
        });
    }
    Ok(())
}
