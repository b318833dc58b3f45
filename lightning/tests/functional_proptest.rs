//! Property test through the testkit network: random payments both ways (some failed back)
//! under random delivery granularity, with monitor updates sometimes held and completed out
//! of order, always leave both sides agreeing on balances and on the HTLC set, with value
//! conserved.

use lightning::manager::Event;
use lightning::testkit::network::{
    Completion, CompletionOrder, MonitorPolicy, Network, PendingPayment,
};
use lightning::wire::ChannelId;
use proptest::prelude::*;

const FUNDING_SAT: u64 = 1_000_000;
const START_PAYMENT_MSAT: u64 = 400_000_000;

#[derive(Clone, Debug)]
enum Op {
    /// Start a payment from node `from` (0 or 1); the recipient fails it back if `fail`.
    Send {
        from: usize,
        amount_msat: u64,
        fail: bool,
    },
    /// Deliver exactly one message from `from`, if any.
    DeliverOne { from: usize },
    /// Deliver everything queued from `from` in one write.
    DeliverAll { from: usize },
    /// Claim or fail what is claimable, per each payment's plan.
    Resolve,
    /// Run until quiet (completing every held monitor update) and check the invariants.
    Quiet,
    /// Node `node` starts holding its monitor updates, or completes them at once again.
    Policy { node: usize, hold: bool },
    /// Node `node` completes up to `count` held updates, newest first if `newest_first`.
    Complete {
        node: usize,
        count: usize,
        newest_first: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..2usize, 1_000u64..60_000, proptest::bool::weighted(0.3)).prop_map(
            |(from, sat, fail)| Op::Send { from, amount_msat: sat * 1000 + 123, fail }
        ),
        4 => (0..2usize).prop_map(|from| Op::DeliverOne { from }),
        2 => (0..2usize).prop_map(|from| Op::DeliverAll { from }),
        2 => Just(Op::Resolve),
        1 => Just(Op::Quiet),
        1 => (0..2usize, any::<bool>()).prop_map(|(node, hold)| Op::Policy { node, hold }),
        2 => (0..2usize, 1..4usize, any::<bool>())
            .prop_map(|(node, count, newest_first)| Op::Complete { node, count, newest_first }),
    ]
}

struct Tracked {
    pay: PendingPayment,
    fail: bool,
    resolved: bool,
}

/// Both sides agree, and the balances plus the unresolved payments add up to the channel.
fn check_quiet(
    net: &Network,
    channel: ChannelId,
    tracked: &[Tracked],
) -> Result<(), TestCaseError> {
    let (Some(a), Some(b)) = (net.node(0).channel(channel), net.node(1).channel(channel)) else {
        return Err(TestCaseError::fail(format!(
            "the channel closed: node 0 {:?}, node 1 {:?}",
            net.node(0).events(),
            net.node(1).events()
        )));
    };
    prop_assert!(
        a.is_usable && b.is_usable,
        "channel closed: {:?} {:?}",
        a,
        b
    );
    prop_assert_eq!(a.pending_htlcs, b.pending_htlcs);
    let unresolved: Vec<&Tracked> = tracked.iter().filter(|t| !t.resolved).collect();
    prop_assert_eq!(a.pending_htlcs, unresolved.len());
    let in_flight: u64 = unresolved.iter().map(|t| t.pay.amount_msat).sum();
    prop_assert_eq!(
        a.balance_msat + b.balance_msat + in_flight,
        FUNDING_SAT * 1000
    );
    Ok(())
}

fn resolve(net: &mut Network, tracked: &mut [Tracked]) {
    for t in tracked.iter_mut().filter(|t| !t.resolved) {
        let done = if t.fail {
            net.fail_payment(t.pay.to, t.pay.payment_hash)
        } else {
            net.claim_payment(t.pay.to, t.pay.payment_hash)
        };
        t.resolved |= done;
    }
}

/// Runs until quiet with every held update completed (the policies stay as they are).
fn settle(net: &mut Network) {
    for _ in 0..1000 {
        net.run_until_quiet();
        let mut completed = 0;
        for node in 0..2 {
            completed += net
                .complete_monitor_updates(node, Completion::All, CompletionOrder::OldestFirst)
                .len();
        }
        if completed == 0 {
            return;
        }
    }
    panic!("monitor updates keep coming");
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, START_PAYMENT_MSAT).expect("setup payment");
    let mut tracked: Vec<Tracked> = Vec::new();
    for op in ops {
        match op {
            Op::Send {
                from,
                amount_msat,
                fail,
            } => {
                // A refusal (no capacity, too many HTLCs) is fine: nothing was sent.
                if let Ok(pay) = net.send_payment(from, 1 - from, amount_msat) {
                    tracked.push(Tracked {
                        pay,
                        fail,
                        resolved: false,
                    });
                }
            }
            Op::DeliverOne { from } => {
                net.deliver_next(from, 1 - from);
            }
            Op::DeliverAll { from } => {
                net.deliver_all(from, 1 - from);
            }
            Op::Resolve => resolve(&mut net, &mut tracked),
            Op::Quiet => {
                settle(&mut net);
                check_quiet(&net, channel, &tracked)?;
            }
            Op::Policy { node, hold } => {
                let policy = if hold {
                    MonitorPolicy::Hold
                } else {
                    MonitorPolicy::CompleteImmediately
                };
                net.set_monitor_policy(node, policy);
            }
            Op::Complete {
                node,
                count,
                newest_first,
            } => {
                let order = if newest_first {
                    CompletionOrder::NewestFirst
                } else {
                    CompletionOrder::OldestFirst
                };
                net.complete_monitor_updates(node, Completion::Count(count), order);
            }
        }
    }
    settle(&mut net);
    check_quiet(&net, channel, &tracked)?;
    resolve(&mut net, &mut tracked);
    settle(&mut net);
    prop_assert!(
        tracked.iter().all(|t| t.resolved),
        "every payment became claimable"
    );
    check_quiet(&net, channel, &tracked)?;
    let mut expected = [FUNDING_SAT * 1000 - START_PAYMENT_MSAT, START_PAYMENT_MSAT];
    for t in &tracked {
        let id = t.pay.payment_id;
        let outcome =
            net.node_mut(t.pay.from)
                .take_events_where(|event| match event {
                    Event::PaymentSent { payment_id, .. }
                    | Event::PaymentFailed { payment_id, .. } => *payment_id == id,
                    _ => false,
                });
        prop_assert_eq!(outcome.len(), 1, "one outcome per payment: {:?}", outcome);
        let sent = matches!(outcome[0], Event::PaymentSent { .. });
        prop_assert_eq!(sent, !t.fail, "the outcome matches the plan");
        if sent {
            expected[t.pay.from] -= t.pay.amount_msat;
            expected[t.pay.to] += t.pay.amount_msat;
        }
    }
    let a = net.node(0).channel(channel).expect("node 0 channel");
    let b = net.node(1).channel(channel).expect("node 1 channel");
    prop_assert_eq!([a.balance_msat, b.balance_msat], expected);
    Ok(())
}

/// A sequence proptest found: the fundee sends many HTLCs while others are pending, one
/// failed back.
#[test]
fn fundee_sends_many_htlcs_while_some_fail_back() {
    let send = |amount_msat, fail| Op::Send {
        from: 1,
        amount_msat,
        fail,
    };
    run(vec![
        send(26_936_123, false),
        send(40_610_123, false),
        send(59_139_123, true),
        Op::Quiet,
        send(45_992_123, false),
        send(41_382_123, false),
        send(54_427_123, false),
        Op::Resolve,
        send(19_560_123, true),
        send(18_515_123, false),
        send(58_077_123, false),
        Op::DeliverAll { from: 0 },
        send(35_361_123, true),
    ])
    .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn random_payments_and_delivery_keep_both_sides_agreeing(ops in proptest::collection::vec(op(), 1..60)) {
        run(ops)?;
    }
}
