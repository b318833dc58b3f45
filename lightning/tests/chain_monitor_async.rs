//! `ChainMonitor` with a persister that answers `InProgress` at random points, completed in
//! random order: the channel pauses and resumes, completions are reported once, in order and
//! only when durable, and at the end both peers agree and the store holds the same monitor.

mod chain_monitor_support;

use std::collections::{BTreeMap, BTreeSet};

use chain_monitor_support::*;
use lightning::channel::ChannelEvent;
use lightning::persist::{MonitorUpdatingPersister, PersistStatus};
use lightning::wire::{Message, PaymentHash, PaymentPreimage};
use lightning_signer_api::keys_manager::KeysManager;
use proptest::prelude::*;

const HTLC_MSAT: u64 = 2_000_000;

#[derive(Clone, Debug)]
enum Op {
    /// `a` (true) or `b` sends an HTLC and commits.
    Send(bool),
    /// `a` (true) or `b` fulfills the oldest HTLC locked in at it, and commits.
    Settle(bool),
    /// One message a→b (true) or b→a.
    Deliver(bool),
    /// Completes a pending write, chosen by index.
    Complete(usize),
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => any::<bool>().prop_map(Op::Send),
        2 => any::<bool>().prop_map(Op::Settle),
        4 => any::<bool>().prop_map(Op::Deliver),
        3 => any::<usize>().prop_map(Op::Complete),
    ]
}

struct Run {
    h: Harness,
    preimages: BTreeMap<PaymentHash, PaymentPreimage>,
    next_preimage: u8,
    sent: [usize; 2],
    settled_at: [BTreeSet<u64>; 2],
}

impl Run {
    fn send(&mut self, from_a: bool) {
        self.next_preimage = self.next_preimage.wrapping_add(1);
        let preimage = [self.next_preimage; 32];
        let hash = payment_hash(preimage);
        let cltv = self.h.net.chain.height() + 144;
        let chan = if from_a {
            &mut self.h.net.a.chan
        } else {
            &mut self.h.net.b.chan
        };
        // Limits (HTLC count, capacity) may refuse it: that is fine, nothing was sent.
        if chan
            .send_htlc(HTLC_MSAT, hash, cltv, Box::new([0; 1366]))
            .is_ok()
        {
            self.preimages.insert(hash, PaymentPreimage(preimage));
            self.sent[usize::from(!from_a)] += 1;
            chan.maybe_send_commitment().expect("commit");
        }
        self.h.collect();
    }

    fn locked_in(&self, at_a: bool) -> Vec<(u64, PaymentHash)> {
        let events = if at_a {
            &self.h.a_events
        } else {
            &self.h.net.b.events
        };
        let settled = &self.settled_at[usize::from(!at_a)];
        events
            .iter()
            .filter_map(|e| match e {
                ChannelEvent::HtlcLockedIn {
                    htlc_id,
                    payment_hash,
                    ..
                } if !settled.contains(htlc_id) => Some((*htlc_id, *payment_hash)),
                _ => None,
            })
            .collect()
    }

    fn settle(&mut self, at_a: bool, all: bool) {
        let locked = self.locked_in(at_a);
        let take = if all {
            locked.len()
        } else {
            locked.len().min(1)
        };
        for (htlc_id, hash) in locked.into_iter().take(take) {
            let preimage = self.preimages[&hash];
            let chan = if at_a {
                &mut self.h.net.a.chan
            } else {
                &mut self.h.net.b.chan
            };
            chan.fulfill_htlc(htlc_id, preimage).expect("fulfill");
            chan.maybe_send_commitment().expect("commit");
            self.settled_at[usize::from(!at_a)].insert(htlc_id);
        }
        self.h.collect();
    }

    fn fulfilled(&self, at_a: bool) -> usize {
        let events = if at_a {
            &self.h.a_events
        } else {
            &self.h.net.b.events
        };
        events
            .iter()
            .filter(|e| matches!(e, ChannelEvent::HtlcFulfilled { .. }))
            .count()
    }
}

fn run_scenario(seed: u64, percent: u64, ops: &[Op], interval: u64) {
    let answer = Answer::Random {
        state: seed | 1,
        percent,
    };
    let h = Harness::new(interval, answer);
    let mut run = Run {
        h,
        preimages: BTreeMap::new(),
        next_preimage: 0,
        sent: [0, 0],
        settled_at: [BTreeSet::new(), BTreeSet::new()],
    };
    for op in ops {
        match op {
            Op::Send(from_a) => run.send(*from_a),
            Op::Settle(at_a) => run.settle(*at_a, false),
            Op::Deliver(a_to_b) => {
                run.h.step(*a_to_b);
            }
            Op::Complete(index) => {
                if !run.h.pending.is_empty() {
                    let len = run.h.pending.len();
                    run.h.complete(index % len);
                }
            }
        }
    }

    // Wind down: complete everything (newest first, the worst order), deliver, settle, until
    // nothing is left.
    for _ in 0..20 {
        while !run.h.pending.is_empty() {
            let last = run.h.pending.len() - 1;
            run.h.complete(last);
        }
        run.h.run();
        run.settle(true, true);
        run.settle(false, true);
        run.h.run();
        let a = run.h.net.a.chan.balances();
        let b = run.h.net.b.chan.balances();
        if run.h.pending.is_empty() && a.pending_htlcs == 0 && b.pending_htlcs == 0 {
            break;
        }
    }

    let h = &run.h;
    let a = h.net.a.chan.balances();
    let b = h.net.b.chan.balances();
    assert_eq!(a.pending_htlcs, 0, "every HTLC resolved at a");
    assert_eq!(b.pending_htlcs, 0, "every HTLC resolved at b");
    assert_eq!(a.to_holder_msat, b.to_counterparty_msat);
    assert_eq!(a.to_counterparty_msat, b.to_holder_msat);
    // Nothing lost: every HTLC sent was fulfilled back to its sender.
    assert_eq!(run.fulfilled(true), run.sent[0]);
    assert_eq!(run.fulfilled(false), run.sent[1]);
    // To the millisatoshi: a started with the funding minus the push.
    assert_eq!(
        a.to_holder_msat + run.sent[0] as u64 * HTLC_MSAT,
        FUNDING_SATOSHIS * 1000 - 300_000_000 + run.sent[1] as u64 * HTLC_MSAT
    );
    // Every update was reported complete exactly once, in order (those up to the watch by
    // `watch_channel`'s full write).
    assert!(h.pending.is_empty());
    assert!(!h.cm.is_paused(&h.channel_id));
    assert!(h.net.a.chan.monitor_updates_complete());
    let latest = h.net.a.chan.latest_monitor_update_id().unwrap();
    let expected: Vec<u64> = (0..=latest).collect();
    assert_eq!(h.reported, expected);
    let monitor = h.cm.get_monitor(&h.channel_id).unwrap();
    assert_eq!(monitor.latest_update_id(), latest);

    // The store rebuilds the same monitor.
    let persister =
        MonitorUpdatingPersister::new(Box::new(SharedStore(h.store.0.clone())), interval);
    let mut keys = KeysManager::new(&[11; 32]).unwrap();
    let restored = persister
        .read_channel_monitor(h.channel_id, &mut keys)
        .expect("stored monitor reads back");
    assert_eq!(restored.encode(), monitor.encode());
}

#[test]
fn fixed_scenario_with_interleaved_completions() {
    use Op::*;
    let ops = [
        Send(true),
        Send(false),
        Deliver(true),
        Deliver(false),
        Complete(1),
        Deliver(true),
        Settle(false),
        Send(true),
        Deliver(false),
        Complete(0),
        Deliver(true),
        Settle(true),
        Deliver(false),
        Complete(3),
        Deliver(true),
        Deliver(false),
    ];
    run_scenario(0x9e37_79b9_7f4a_7c15, 60, &ops, 4);
}

#[test]
fn everything_in_progress_until_the_end() {
    use Op::*;
    let ops = [
        Send(true),
        Send(true),
        Send(false),
        Deliver(true),
        Deliver(true),
        Deliver(false),
        Deliver(false),
        Deliver(true),
        Settle(false),
        Deliver(true),
    ];
    run_scenario(1, 100, &ops, 3);
}

/// While an update is in progress, the messages that depend on it are held; completing it
/// releases them.
#[test]
fn a_paused_channel_holds_its_messages_until_completion() {
    let mut h = Harness::new(5, Answer::Always(PersistStatus::InProgress));
    let cltv = h.net.chain.height() + 144;
    h.net
        .a
        .chan
        .send_htlc(HTLC_MSAT, payment_hash([1; 32]), cltv, Box::new([0; 1366]))
        .unwrap();
    h.net.a.chan.maybe_send_commitment().unwrap();
    h.collect();
    assert!(
        !h.pending.is_empty(),
        "the commitment's update is in progress"
    );
    assert!(h.cm.is_paused(&h.channel_id));
    assert_eq!(h.cm.in_progress_updates(&h.channel_id), h.pending);
    assert!(
        !h.net
            .a_to_b
            .iter()
            .any(|m| matches!(m, Message::CommitmentSigned(_))),
        "commitment_signed must wait for its monitor update"
    );
    let reported_before = h.reported.len();
    while !h.pending.is_empty() {
        h.complete(0);
    }
    assert!(h.reported.len() > reported_before);
    assert!(!h.cm.is_paused(&h.channel_id));
    h.collect();
    assert!(h
        .net
        .a_to_b
        .iter()
        .any(|m| matches!(m, Message::CommitmentSigned(_))));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_in_progress_and_completion_order(
        seed in any::<u64>(),
        percent in 10u64..90,
        interval in 1u64..6,
        ops in proptest::collection::vec(op_strategy(), 5..40),
    ) {
        run_scenario(seed, percent, &ops, interval);
    }
}
