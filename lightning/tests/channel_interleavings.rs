//! Concurrent updates in every delivery order, monitor updates held and completed later (out
//! of order), and a property test of random operations: both sides always end agreeing.

mod channel_support;

use channel_support::*;
use std::sync::Arc;

use lightning::channel::{Channel, ChannelError, ChannelEvent};
use lightning::monitor::update::MonitorUpdateStep;
use lightning::util::logger::NoopLogger;
use proptest::prelude::*;

/// Completes everything, signs everything and delivers everything until nothing moves.
fn settle(pair: &mut Pair) {
    for _ in 0..50 {
        pair.a.complete_held();
        pair.b.complete_held();
        pair.a.chan.maybe_send_commitment().unwrap();
        pair.b.chan.maybe_send_commitment().unwrap();
        pair.run();
        pair.collect();
        let quiet = pair.a_to_b.is_empty()
            && pair.b_to_a.is_empty()
            && pair.a.held.is_empty()
            && pair.b.held.is_empty();
        if quiet
            && pair.a.chan.balances() == mirror(pair.b.chan.balances())
            && pair.a.chan.commitment_numbers() == swap(pair.b.chan.commitment_numbers())
        {
            return;
        }
    }
    panic!("did not settle");
}

fn swap((x, y): (u64, u64)) -> (u64, u64) {
    (y, x)
}

fn mirror(b: lightning::channel::ChannelBalances) -> lightning::channel::ChannelBalances {
    lightning::channel::ChannelBalances {
        to_holder_msat: b.to_counterparty_msat,
        to_counterparty_msat: b.to_holder_msat,
        outbound_capacity_msat: b.inbound_capacity_msat,
        inbound_capacity_msat: b.outbound_capacity_msat,
        pending_htlcs: b.pending_htlcs,
    }
}

fn assert_settled(pair: &Pair) {
    pair.assert_agree();
    assert_eq!(
        pair.a.chan.commitment_numbers(),
        swap(pair.b.chan.commitment_numbers())
    );
    assert!(pair.a.chan.monitor_updates_complete());
    assert!(pair.b.chan.monitor_updates_complete());
}

fn locked_ids(node: &mut Node) -> Vec<u64> {
    node.take_events()
        .into_iter()
        .filter_map(|e| match e {
            ChannelEvent::HtlcLockedIn { htlc_id, .. } => Some(htlc_id),
            _ => None,
        })
        .collect()
}

/// Delivers according to `order` bits (1: a → b), falling back to the other direction.
fn deliver_in_order(pair: &mut Pair, order: u32, steps: u32) {
    for bit in 0..steps {
        let a_to_b = order >> bit & 1 == 1;
        if !pair.step(a_to_b) {
            pair.step(!a_to_b);
        }
    }
}

#[test]
fn simultaneous_adds_in_every_interleaving() {
    for order in 0..256u32 {
        let mut pair = Pair::open(&Options::default());
        let held = order % 3 == 0;
        pair.a.hold_updates = held;
        pair.b.hold_updates = held && order % 2 == 0;
        pair.send(true, 1_000_000, [1; 32]);
        pair.send(true, 2_000_000, [2; 32]);
        pair.send(false, 3_000_000, [3; 32]);
        pair.a.chan.maybe_send_commitment().unwrap();
        pair.b.chan.maybe_send_commitment().unwrap();
        deliver_in_order(&mut pair, order, 8);
        if order % 5 == 0 {
            // A second round while the first is in flight.
            let _ = pair.a.chan.send_htlc(
                4_000_000,
                payment_hash([4; 32]),
                600_000,
                Box::new([0; 1366]),
            );
            pair.a.chan.maybe_send_commitment().unwrap();
            deliver_in_order(&mut pair, order.rotate_left(3), 8);
        }
        settle(&mut pair);
        assert_settled(&pair);
        let mut at_b = locked_ids(&mut pair.b);
        at_b.sort();
        assert!(at_b.starts_with(&[0, 1]), "order {order}: {at_b:?}");
        assert_eq!(locked_ids(&mut pair.a), vec![0], "order {order}");
        // Settle everything: b claims, a fails.
        for id in at_b {
            pair.b
                .chan
                .fulfill_htlc(id, preimage([1, 2, 4][id as usize]))
                .unwrap();
        }
        pair.a.chan.fail_htlc(0, vec![1]).unwrap();
        settle(&mut pair);
        assert_settled(&pair);
        assert_eq!(pair.a.chan.balances().pending_htlcs, 0, "order {order}");
    }
}

#[test]
fn held_updates_release_messages_in_order() {
    let mut pair = Pair::open(&Options::default());
    pair.a.hold_updates = true;
    pair.b.hold_updates = true;
    pair.send(true, 5_000_000, [1; 32]);
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.collect();
    // The add left, the commitment_signed waits for a's update.
    assert_eq!(pair.a_to_b.len(), 1);
    assert_eq!(pair.a.held.len(), 1);
    pair.step(true);
    pair.a.complete_held();
    pair.collect();
    assert_eq!(pair.a_to_b.len(), 1);
    pair.step(true);
    // b holds its revoke_and_ack and commitment_signed behind one update recording both its
    // new commitment and a's (emitted by one call, so they share one durable write).
    assert_eq!(pair.b.held.len(), 1);
    let steps = &pair.b.updates.last().unwrap().steps;
    assert!(matches!(
        steps.as_slice(),
        [
            MonitorUpdateStep::LatestHolderCommitment { .. },
            MonitorUpdateStep::LatestCounterpartyCommitment { .. }
        ]
    ));
    assert!(pair.b_to_a.is_empty());
    pair.b.complete_held();
    pair.collect();
    let types: Vec<u16> = pair.b_to_a.iter().map(|m| m.msg_type()).collect();
    assert_eq!(types, vec![133, 132]);
    // a takes them one at a time: two updates (the revealed secret, then its new commitment).
    pair.step(false);
    pair.step(false);
    assert_eq!(pair.a.held.len(), 2);
    // Completing the later one first releases nothing; then a's revoke_and_ack goes.
    let later = pair.a.held.pop().unwrap();
    pair.a.chan.monitor_update_completed(later);
    pair.collect();
    assert!(pair.a_to_b.is_empty());
    pair.a.complete_held();
    pair.collect();
    let types: Vec<u16> = pair.a_to_b.iter().map(|m| m.msg_type()).collect();
    assert_eq!(types, vec![133]);
    settle(&mut pair);
    assert_settled(&pair);
    // The HtlcLockedIn event waited for b's update too.
    assert_eq!(locked_ids(&mut pair.b), vec![0]);
}

#[derive(Clone, Debug)]
enum Op {
    Send {
        from_a: bool,
        amount_msat: u64,
    },
    Commit {
        a: bool,
    },
    Deliver {
        a_to_b: bool,
    },
    Settle {
        at_a: bool,
        fulfill: bool,
        pick: usize,
    },
    Complete {
        a: bool,
        pick: usize,
    },
    Hold {
        a: bool,
        hold: bool,
    },
    Fee {
        feerate: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<bool>(), 1_000u64..20_000_000).prop_map(|(from_a, amount_msat)| Op::Send {
            from_a,
            amount_msat
        }),
        any::<bool>().prop_map(|a| Op::Commit { a }),
        any::<bool>().prop_map(|a_to_b| Op::Deliver { a_to_b }),
        any::<bool>().prop_map(|a_to_b| Op::Deliver { a_to_b }),
        (any::<bool>(), any::<bool>(), any::<usize>()).prop_map(|(at_a, fulfill, pick)| {
            Op::Settle {
                at_a,
                fulfill,
                pick,
            }
        }),
        (any::<bool>(), any::<usize>()).prop_map(|(a, pick)| Op::Complete { a, pick }),
        (any::<bool>(), any::<bool>()).prop_map(|(a, hold)| Op::Hold { a, hold }),
        (300u32..5_000).prop_map(|feerate| Op::Fee { feerate }),
    ]
}

/// The HTLCs each side may settle (locked in, not yet settled), with their preimage byte.
struct Tracker {
    claimable_at_a: Vec<u64>,
    claimable_at_b: Vec<u64>,
}

fn run_ops(ops: &[Op]) {
    let mut pair = Pair::open(&Options::default());
    let mut tracker = Tracker {
        claimable_at_a: Vec::new(),
        claimable_at_b: Vec::new(),
    };
    // The preimage of an HTLC is its id's low byte from the sender's counter.
    let refresh = |pair: &mut Pair, tracker: &mut Tracker| {
        tracker.claimable_at_a.extend(locked_ids(&mut pair.a));
        tracker.claimable_at_b.extend(locked_ids(&mut pair.b));
    };
    let mut next_id = [0u64; 2];
    for op in ops {
        match op.clone() {
            Op::Send {
                from_a,
                amount_msat,
            } => {
                let id = next_id[from_a as usize];
                let node = if from_a { &mut pair.a } else { &mut pair.b };
                match node.chan.send_htlc(
                    amount_msat,
                    payment_hash([id as u8; 32]),
                    600_000,
                    Box::new([0; 1366]),
                ) {
                    Ok(sent) => {
                        assert_eq!(sent, id);
                        next_id[from_a as usize] += 1;
                    }
                    Err(ChannelError::Api(_)) => {}
                    Err(e) => panic!("send failed: {e:?}"),
                }
            }
            Op::Commit { a } => {
                let node = if a { &mut pair.a } else { &mut pair.b };
                node.chan.maybe_send_commitment().unwrap();
            }
            Op::Deliver { a_to_b } => {
                pair.step(a_to_b);
            }
            Op::Settle {
                at_a,
                fulfill,
                pick,
            } => {
                let list = if at_a {
                    &mut tracker.claimable_at_a
                } else {
                    &mut tracker.claimable_at_b
                };
                if list.is_empty() {
                    continue;
                }
                let id = list.remove(pick % list.len());
                let node = if at_a { &mut pair.a } else { &mut pair.b };
                if fulfill {
                    node.chan.fulfill_htlc(id, preimage(id as u8)).unwrap();
                } else {
                    node.chan.fail_htlc(id, vec![0; 4]).unwrap();
                }
            }
            Op::Complete { a, pick } => {
                let node = if a { &mut pair.a } else { &mut pair.b };
                if !node.held.is_empty() {
                    let id = node.held.remove(pick % node.held.len());
                    node.chan.monitor_update_completed(id);
                }
            }
            Op::Hold { a, hold } => {
                let node = if a { &mut pair.a } else { &mut pair.b };
                node.hold_updates = hold;
            }
            Op::Fee { feerate } => match pair.a.chan.update_fee(feerate) {
                Ok(()) | Err(ChannelError::Api(_)) => {}
                Err(e) => panic!("update_fee failed: {e:?}"),
            },
        }
        pair.collect();
        refresh(&mut pair, &mut tracker);
    }
    settle(&mut pair);
    refresh(&mut pair, &mut tracker);
    assert_settled(&pair);
    // Settle every remaining HTLC, then both sides hold no HTLC and agree.
    for id in std::mem::take(&mut tracker.claimable_at_a) {
        pair.a.chan.fulfill_htlc(id, preimage(id as u8)).unwrap();
    }
    for id in std::mem::take(&mut tracker.claimable_at_b) {
        pair.b.chan.fail_htlc(id, vec![1]).unwrap();
    }
    settle(&mut pair);
    assert_settled(&pair);
    assert_eq!(pair.a.chan.balances().pending_htlcs, 0);
    let total = pair.a.chan.balances().to_holder_msat + pair.a.chan.balances().to_counterparty_msat;
    assert_eq!(total, FUNDING_SATOSHIS * 1000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_operations_keep_both_sides_in_agreement(ops in proptest::collection::vec(op(), 1..60)) {
        run_ops(&ops);
    }
}

#[test]
fn only_updates_emitted_since_a_restart_take_more_steps() {
    let mut pair = Pair::open(&Options::default());
    for n in 1..=3 {
        pair.send(true, 5_000_000, [n; 32]);
    }
    settle(&mut pair);
    assert_eq!(pair.b.chan.balances().pending_htlcs, 3);
    let before = pair.b.updates.len();
    // Two claims in a row, before anything is polled: one update with both preimages.
    pair.b.chan.fulfill_htlc(0, preimage(1)).unwrap();
    pair.b.chan.fulfill_htlc(1, preimage(2)).unwrap();
    // Restored from a save holding that update unpolled (it may have reached the persister
    // before the crash), the channel emits its next claim as a new update.
    let saved = pair.b.chan.encode();
    pair.b.chan = Channel::decode(&saved, signer(12), Arc::new(NoopLogger)).unwrap();
    pair.b.chan.fulfill_htlc(2, preimage(3)).unwrap();
    pair.b.pump();
    let emitted = &pair.b.updates[before..];
    let shapes: Vec<(u64, usize)> = emitted
        .iter()
        .map(|u| (u.update_id, u.steps.len()))
        .collect();
    let first = emitted[0].update_id;
    assert_eq!(shapes, vec![(first, 2), (first + 1, 1)]);
    assert!(emitted
        .iter()
        .flat_map(|u| &u.steps)
        .all(|step| matches!(step, MonitorUpdateStep::PaymentPreimage { .. })));
}
