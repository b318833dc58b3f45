//! Runs every fuzz target body over deterministic pseudo-random inputs, so each CI run
//! exercises the targets even without libFuzzer.

use lightning_fuzz::seeded::SeededInputs;

fn run_many(target: fn(&[u8]), seed: u64, count: usize, max_len: usize) {
    let mut inputs = SeededInputs::new(seed);
    for _ in 0..count {
        target(&inputs.bytes(max_len));
    }
}

#[test]
fn transport_target_survives_random_inputs() {
    run_many(lightning_fuzz::transport::run, 0x5eed_0001, 3_000, 600);
}

#[test]
fn transport_target_session_scripts_deliver_intact_messages() {
    // Mode byte 1 selects the session script; op 0 sends intact messages only.
    let mut script = vec![1u8];
    for len in [0u8, 1, 5, 200, 255] {
        script.push(0);
        script.push(len);
        script.extend(std::iter::repeat_n(0xab, len as usize));
    }
    lightning_fuzz::transport::run(&script);
}

#[test]
fn transport_target_empty_injection_then_send() {
    // Send [7], inject nothing, send [1, 2]: both sends must arrive.
    lightning_fuzz::transport::run(&[1, 216, 1, 7, 179, 0, 81, 2, 1, 2]);
}

#[test]
fn wire_target_survives_random_inputs() {
    run_many(lightning_fuzz::wire::run, 0x5eed_0002, 20_000, 300);
}

#[test]
fn wire_target_round_trips_known_messages() {
    // ping (type 18): num_pong_bytes = 4, 2 ignored bytes.
    lightning_fuzz::wire::run(&[0, 18, 0, 4, 0, 2, 0, 0]);
    // an unknown odd type passes through unchanged.
    lightning_fuzz::wire::run(&[0x80, 0x01, 1, 2, 3]);
}

#[test]
fn onion_target_survives_random_inputs() {
    run_many(lightning_fuzz::onion::run, 0x5eed_0003, 400, 1_200);
}

#[test]
fn onion_target_untouched_onions_peel_to_their_payloads() {
    // Shape 4 → 5 hops; no flip bytes beyond the payload area, so the onion is untouched.
    let mut input = vec![4u8];
    input.extend((0..200u32).map(|i| (i * 7) as u8));
    lightning_fuzz::onion::run(&input);
}
