//! What must hold once the network is at rest, and the disagreements when it does not.

use core::fmt;

use lightning::manager::Event;
use lightning::testkit::network::Network;
use lightning::wire::ChannelId;

use super::{Report, Started, NODES, PAIRS};

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
    /// In the middle of the script, the two ends' balances of a channel add up to more than
    /// the channel.
    Overdrawn {
        /// The operation after which it was seen (0: the first).
        op: usize,
        /// The channel's opener.
        a: usize,
        /// The acceptor.
        b: usize,
        /// The balances at `a` and at `b`.
        balances_msat: [u64; 2],
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
    /// A node went on chain: it broadcast a transaction spending a channel's funding output,
    /// or its monitors reported an on-chain event (a force close that left no
    /// `ChannelClosed`, or a commitment seen on chain).
    OnChain {
        /// The node.
        node: usize,
        /// What it did (debug text).
        detail: String,
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
            Self::Overdrawn {
                op,
                a,
                b,
                balances_msat,
            } => write!(
                f,
                "after op {op}, channel {a}-{b}: balances {balances_msat:?} exceed the channel"
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
            Self::OnChain { node, detail } => write!(f, "node {node} went on chain: {detail}"),
            Self::MonitorErrors { node, errors } => {
                write!(f, "node {node}'s monitors refused updates: {errors:?}")
            }
        }
    }
}

impl std::error::Error for Disagreement {}

/// Checks the rested network against the invariants of the [module documentation](self).
pub(super) fn check(
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
    check_off_chain(net)?;
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

/// Checks that no node broadcast a spend of a channel's funding output and that no monitor
/// reported anything (every monitor event is about the chain).
fn check_off_chain(net: &Network) -> Result<(), Disagreement> {
    let fundings: Vec<_> = (0..NODES)
        .flat_map(|node| net.node(node).channels())
        .filter_map(|details| details.funding_txo)
        .collect();
    for node in 0..NODES {
        let spend = net.node(node).broadcasts().iter().find(|tx| {
            tx.input
                .iter()
                .any(|input| fundings.contains(&input.previous_output))
        });
        if let Some(tx) = spend {
            return Err(Disagreement::OnChain {
                node,
                detail: format!("broadcast {}", tx.compute_txid()),
            });
        }
        if let Some(event) = net.node(node).monitor_events().first() {
            return Err(Disagreement::OnChain {
                node,
                detail: format!("monitor event {event:?}"),
            });
        }
    }
    Ok(())
}

/// Checks that no channel's two balances add up to more than the channel (a side that
/// does not have the channel any more counts nothing; closures are checked at rest).
pub(super) fn check_not_overdrawn(
    net: &Network,
    channels: &[ChannelId; 2],
    op: usize,
) -> Result<(), Disagreement> {
    for (position, (a, b)) in PAIRS.into_iter().enumerate() {
        let (at_a, at_b) = (
            net.node(a).channel(channels[position]),
            net.node(b).channel(channels[position]),
        );
        let capacity_msat = at_a.as_ref().or(at_b.as_ref()).map_or(0, |details| {
            details.channel_value_satoshis.saturating_mul(1000)
        });
        let balances_msat = [
            at_a.map_or(0, |details| details.balance_msat),
            at_b.map_or(0, |details| details.balance_msat),
        ];
        if balances_msat[0].saturating_add(balances_msat[1]) > capacity_msat {
            return Err(Disagreement::Overdrawn {
                op,
                a,
                b,
                balances_msat,
            });
        }
    }
    Ok(())
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
