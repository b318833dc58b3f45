//! The channel state-machine target over hand-written scripts (one per operation, each
//! checked to reach what it aims at) and over seeded pseudo-random scripts.

use lightning_fuzz::channels::{decode, run_script, run_script_traced, Op, Report, Start};
use lightning_fuzz::seeded::SeededInputs;

/// Runs a script that must end without a disagreement, and returns what it did.
fn ok(script: &[u8]) -> Report {
    match run_script(script) {
        Ok(report) => report,
        Err(disagreement) => panic!("script {script:?}: {disagreement}"),
    }
}

#[test]
fn empty_script_leaves_channels_as_opened() {
    let report = ok(&[]);
    assert_eq!(report, Report::default());
}

#[test]
fn direct_payment_both_ways_settles() {
    // 0→1 and 2→1 payments, run, claim both.
    let report = ok(&[0, 0, 1, 0, 0, 3, 0, 200, 16, 8, 0, 8, 1, 16]);
    assert_eq!((report.started, report.sent, report.failed), (2, 2, 0));
}

#[test]
fn line_payments_both_ways_pay_node_1_its_fee() {
    // 0→1→2 and 2→1→0 (the ledger check covers the fee on the first hop).
    let report = ok(&[1, 0, 0xc3, 0x50, 16, 8, 0, 16, 1, 1, 0x10, 0, 16, 8, 1, 16]);
    assert_eq!((report.started, report.sent, report.failed), (2, 2, 0));
}

#[test]
fn refused_payment_fails_at_the_payer() {
    let report = ok(&[0, 1, 0x20, 0, 16, 9, 0, 16]);
    assert_eq!((report.started, report.sent, report.failed), (1, 0, 1));
}

#[test]
fn message_by_message_delivery_settles() {
    // 0→1: deliver one message at a time each way, then everything queued from node 1.
    let mut script = vec![0, 0, 0x10, 0];
    for _ in 0..6 {
        script.extend([2, 0, 2, 1]);
    }
    script.extend([3, 1, 8, 0]);
    let report = ok(&script);
    assert_eq!((report.started, report.sent), (1, 1));
}

#[test]
fn connections_lost_mid_commitment_recover() {
    // Clean and abrupt disconnections from either end, each after one message crossed.
    for arg in [0u8, 2, 4, 6] {
        let report = ok(&[0, 0, 0x10, 0, 2, 0, 4, arg, 5, arg, 16, 8, 0, 16]);
        assert_eq!(report.started, 1, "disconnect arg {arg}");
        assert_eq!(report.sent + report.failed, 1, "disconnect arg {arg}");
    }
    // Over the line, the second pair dropped while the HTLC is forwarded.
    let report = ok(&[1, 0, 0x10, 0, 3, 0, 3, 1, 3, 0, 4, 5, 16, 5, 1, 16]);
    assert_eq!(report.sent + report.failed, 1);
}

#[test]
fn held_direction_delivers_after_release() {
    // Hold 0→1, send, run (nothing crosses 0→1), release, run, claim.
    let report = ok(&[6, 0, 0, 0, 0x10, 0, 16, 7, 0, 16, 8, 0, 16]);
    assert_eq!((report.started, report.sent), (1, 1));
}

#[test]
fn held_monitor_updates_completed_out_of_order() {
    // Nodes 0 and 1 hold their updates; a payment runs; node 1 completes newest first,
    // node 0 one at a time, oldest first.
    let mut script = vec![10, 12, 10, 4, 0, 0, 0x10, 0, 16];
    for _ in 0..4 {
        script.extend([11, 16, 11, 36, 16]);
    }
    script.extend([8, 0, 16, 11, 16, 11, 0, 16]);
    let report = ok(&script);
    assert!(report.completed_updates > 0, "{report:?}");
    assert_eq!((report.started, report.sent), (1, 1));
}

#[test]
fn timer_ticks_and_clock_moves_keep_channels_open() {
    // An unclaimed payment through three timer ticks and an hour of clock.
    let mut script = vec![0, 0, 0x10, 0, 16, 12, 1, 12, 1, 12, 1];
    for _ in 0..15 {
        script.extend([12, 254]);
    }
    let report = ok(&script);
    assert_eq!(report.sent + report.failed, 1);
}

#[test]
fn mining_stops_at_the_budget() {
    let report = ok(&[0, 0, 0x10, 0, 13, 2, 13, 2, 13, 2, 13, 2, 16, 13, 2]);
    assert_eq!(report.blocks, lightning_fuzz::channels::MAX_BLOCKS);
    assert_eq!(report.sent + report.failed, 1);
}

#[test]
fn crashes_mid_payment_recover() {
    for node in 0..3u8 {
        // A line payment, one message across, crash, run, claim.
        let report = ok(&[
            1, 0, 0x10, 0, 2, 0, 14, node, 16, 2, 2, 14, node, 16, 8, 0, 16,
        ]);
        assert_eq!(report.restarts, 2);
        assert_eq!(report.sent + report.failed, 1);
    }
}

#[test]
fn armed_crashes_mid_payment_recover() {
    for node in 0..3u8 {
        for after in 0..8u8 {
            // A line payment with a crash armed at node `node` after `after + 1` writes.
            let report = ok(&[17, node + 3 * after, 1, 0, 0x10, 0, 16, 8, 0, 16]);
            assert_eq!(report.armed_crashes, 1);
            assert_eq!(report.restarts, 1, "node {node} after {after}: {report:?}");
            assert_eq!(report.sent + report.failed, 1);
        }
    }
}

#[test]
fn fee_updates_then_payments() {
    // Node 0 and node 1 raise their feerate (each funds one channel), with a payment racing.
    let report = ok(&[
        0, 1, 0x10, 0, 15, 0, 100, 15, 1, 50, 16, 8, 0, 16, 0, 0, 1, 0, 16,
    ]);
    assert_eq!(report.fee_updates, 2);
    assert_eq!((report.started, report.sent), (2, 2));
}

#[test]
fn large_payments_drain_the_funder_then_fees_rise() {
    // Node 0 pays node 1 about 123,000 sat five times over (it has 600,000 sat, less its
    // reserve and the commitment fee), a fee rise from node 0 racing each, then claims.
    let mut script = Vec::new();
    for _ in 0..5 {
        script.extend([0, 0x80, 0x30, 0, 15, 0, 200, 16, 8, 0xff]);
    }
    script.extend([15, 0, 255, 16]);
    let report = ok(&script);
    assert!(report.started >= 4, "{report:?}");
    assert_eq!(report.started, report.sent + report.failed);
}

#[test]
fn decoder_skips_unknown_ops_and_bounds_the_script() {
    assert_eq!(decode(&[19, 39, 16, 59]), vec![Op::RunUntilQuiet]);
    assert_eq!(
        decode(&[18, 6, 38, 1]),
        vec![
            Op::Signer {
                node: 0,
                away: true
            },
            Op::Signer {
                node: 1,
                away: false
            }
        ]
    );
    assert_eq!(decode(&[16; 1000]).len(), lightning_fuzz::channels::MAX_OPS);
    // A script cut in the middle of an op's arguments ends there.
    assert_eq!(decode(&[16, 0, 1, 2]), vec![Op::RunUntilQuiet]);
}

#[test]
fn seeded_random_scripts_never_disagree() {
    let mut inputs = SeededInputs::new(0x5eed_0004);
    for _ in 0..200 {
        let script = inputs.bytes(160);
        if let Err(disagreement) = run_script(&script) {
            panic!("script {script:?} ({:?}): {disagreement}", decode(&script));
        }
    }
}

/// Random scripts made of known ops only, with their arguments: every op runs.
#[test]
fn seeded_random_op_scripts_never_disagree() {
    let mut inputs = SeededInputs::new(0x5eed_0005);
    for _ in 0..40 {
        let script = inputs.op_script(120);
        if let Err(disagreement) = run_script(&script) {
            panic!("script {script:?} ({:?}): {disagreement}", decode(&script));
        }
    }
}

/// Scripts for the start-state tests: one per kind of op, with crashes, holds and blocks,
/// and seeded random ones (some of them end in a disagreement-free rest, all in some state).
fn comparison_scripts() -> Vec<Vec<u8>> {
    let mut scripts = vec![
        vec![],
        vec![1, 0, 0xc3, 0x50, 16, 8, 0, 16, 1, 1, 0x10, 0, 16, 8, 1, 16],
        vec![
            10, 12, 10, 4, 0, 0, 0x10, 0, 16, 11, 16, 11, 36, 16, 8, 0, 16,
        ],
        vec![
            17, 4, 1, 0, 0x10, 0, 16, 8, 0, 16, 14, 2, 13, 2, 15, 0, 100, 16,
        ],
        vec![
            0, 0, 0x10, 0, 2, 0, 4, 6, 5, 6, 6, 2, 16, 7, 2, 12, 1, 12, 200, 16,
        ],
    ];
    let mut inputs = SeededInputs::new(0x5eed_0006);
    scripts.extend((0..12).map(|_| inputs.bytes(160)));
    scripts
}

#[test]
fn same_input_from_the_saved_line_runs_the_same_twice() {
    let start = Start::shared();
    let mut states = Vec::new();
    for script in comparison_scripts() {
        let first = run_script_traced(start, &script);
        let second = run_script_traced(start, &script);
        assert_eq!(first.result, second.result, "script {script:?}");
        assert!(
            first.final_state == second.final_state,
            "script {script:?}: states differ"
        );
        states.push(first.final_state);
    }
    // The comparison sees what the scripts did: the empty script and a paying one differ.
    assert!(states[0] != states[1]);
}

#[test]
fn saved_line_runs_as_a_freshly_built_one() {
    // The shared line has already served other inputs (in this test and others running
    // alongside); a line built from scratch for each script must give the same run.
    let shared = Start::shared();
    for script in comparison_scripts() {
        let from_shared = run_script_traced(shared, &script);
        let fresh = Start::build();
        assert_eq!(fresh.channels(), shared.channels());
        let from_fresh = run_script_traced(&fresh, &script);
        assert_eq!(from_shared.result, from_fresh.result, "script {script:?}");
        assert!(
            from_shared.final_state == from_fresh.final_state,
            "script {script:?}: states differ"
        );
    }
}

#[test]
fn runs_from_the_saved_line_start_alike_and_leave_it_unchanged() {
    // Networks started from the saved line start in the same state, whatever ran on
    // others before, and the start state is the opened line at rest.
    let start = Start::build();
    let before = run_script_traced(&start, &[]);
    let mut busy = start.network();
    busy.send_payment(0, 1, 10_000_000)
        .expect("node 0 can pay node 1");
    busy.run_until_quiet();
    busy.crash_and_restart(1).expect("node 1 restarts");
    let after = run_script_traced(&start, &[]);
    assert_eq!(before, after);
    assert_eq!(before.result, Ok(Report::default()));
    let net = start.network();
    for (position, (a, b)) in [(0, 1), (1, 2)].into_iter().enumerate() {
        let channel = start.channels()[position];
        assert_eq!(
            net.balance_msat(b, channel),
            Some(lightning_fuzz::channels::PUSH_MSAT)
        );
        assert!(net.node(a).channel(channel).is_some_and(|c| c.is_usable));
        assert!(net.is_connected(a, b));
        assert_eq!(net.node(a).restarts(), 0);
    }
}

#[test]
fn signers_going_away_in_the_middle_of_payments_leave_nothing_behind() {
    // Node 1 (the forwarder) loses its signer while payments cross it both ways, node 0's
    // comes and goes, and node 2 restarts while node 1's is away.
    let script = [
        18, 4, // node 1 away (4 % 3 == 1, bit 4)
        1, 0, 0x10, 0x00, // a payment over the line 0 -> 1 -> 2
        1, 1, 0x08, 0x00, // and one back 2 -> 1 -> 0
        0, 0, 0x02, 0x00, // a direct one 0 -> 1
        16, 14, 2, // run until quiet, crash and restart node 2
        18, 6, // node 0 away (6 % 3 == 0, bit 4)
        16, 18, 1, // node 1 back
        16, 18, 0, // node 0 back
        16, 8, 0, 8, 1, 8, 2, 16,
    ];
    let report = ok(&script);
    assert_eq!(report.signer_pauses, 2, "{report:?}");
    assert_eq!(report.started, 3, "{report:?}");
    assert_eq!(report.started, report.sent + report.failed, "{report:?}");
    assert!(report.sent >= 1, "{report:?}");
}

/// Found by libFuzzer: node 0 (the funder) offered HTLCs up to the last satoshi it could pay
/// fees for, while node 1 offered one concurrently; after node 0 crashed, restarted and
/// reconnected, its uncommitted adds were replayed after node 1's add, and node 1 failed the
/// channel ("peer cannot afford it"). The funder now keeps the BOLT 2 fee spike buffer (the
/// fee at twice the feerate with one more HTLC), so it stops offering before that edge.
#[test]
fn a_funders_adds_replayed_after_a_concurrent_peer_add_stay_affordable() {
    let script = [
        0x00, 0x01, 0x00, 0x43, 0x00, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
        0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
        0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
        0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
        0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x00, 0x00, 0x00, 0x08,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x38, 0xf9, 0x00, 0x00, 0x00, 0x00, 0x23,
        0x7c, 0x32, 0xb1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6d, 0xef, 0x6e,
        0x72, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x38, 0x38, 0x38, 0x38, 0xf9,
    ];
    let report = ok(&script);
    assert_eq!(report.started, report.sent + report.failed, "{report:?}");
    assert!(report.restarts >= 1, "the crash fired: {report:?}");
}
