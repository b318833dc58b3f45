//! The channel state-machine target over hand-written scripts (one per operation, each
//! checked to reach what it aims at) and over seeded pseudo-random scripts.

use lightning_fuzz::channels::{decode, run_script, Op, Report};

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
    assert_eq!(decode(&[18, 19, 16, 39]), vec![Op::RunUntilQuiet]);
    assert_eq!(decode(&[16; 1000]).len(), lightning_fuzz::channels::MAX_OPS);
    // A script cut in the middle of an op's arguments ends there.
    assert_eq!(decode(&[16, 0, 1, 2]), vec![Op::RunUntilQuiet]);
}

/// A small deterministic generator (xorshift64*).
struct Inputs(u64);

impl Inputs {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn script(&mut self, max_len: usize) -> Vec<u8> {
        let len = self.next_u64() as usize % (max_len + 1);
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

#[test]
fn seeded_random_scripts_never_disagree() {
    let mut inputs = Inputs(0x5eed_0004);
    for _ in 0..200 {
        let script = inputs.script(160);
        if let Err(disagreement) = run_script(&script) {
            panic!("script {script:?} ({:?}): {disagreement}", decode(&script));
        }
    }
}

/// Random scripts made of known ops only, with their arguments: every op runs.
#[test]
fn seeded_random_op_scripts_never_disagree() {
    let mut inputs = Inputs(0x5eed_0005);
    for _ in 0..40 {
        let mut script = Vec::new();
        let ops = inputs.next_u64() % 120;
        for _ in 0..ops {
            let code = (inputs.next_u64() % 18) as u8;
            let args = match code {
                0 | 1 => 3,
                15 => 2,
                16 => 0,
                _ => 1,
            };
            script.push(code);
            script.extend((0..args).map(|_| inputs.next_u64() as u8));
        }
        if let Err(disagreement) = run_script(&script) {
            panic!("script {script:?} ({:?}): {disagreement}", decode(&script));
        }
    }
}
