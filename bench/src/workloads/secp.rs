//! The secp256k1 micro-benchmark: sign, verify, point multiplication, tweak-add, ECDH and
//! public key derivation, in operations per second, so the payment figures can be compared
//! with the number of such operations a payment needs. Both libraries use the same
//! libsecp256k1 (the `secp256k1` 0.29 crate), so there is one figure per operation.

use std::hint::black_box;

use bitcoin::hashes::{sha256, Hash};
use secp256k1::ecdh::SharedSecret;
use secp256k1::{All, Message, PublicKey, Scalar, Secp256k1, SecretKey};

use crate::config::Config;
use crate::stats::{per_second, time, Direction, Figure, Report};

/// The workload's name.
pub const NAME: &str = "secp256k1";

const SAME_LIBRARY: &str = "LDK uses the same libsecp256k1";

struct Inputs {
    secp: Secp256k1<All>,
    keys: Vec<SecretKey>,
    points: Vec<PublicKey>,
    messages: Vec<Message>,
    tweaks: Vec<Scalar>,
}

fn inputs(count: usize) -> Inputs {
    let secp = Secp256k1::new();
    let hash = |i: usize, tag: u8| {
        let mut data = (i as u64).to_be_bytes().to_vec();
        data.push(tag);
        sha256::Hash::hash(&data).to_byte_array()
    };
    let keys: Vec<SecretKey> = (0..count)
        .map(|i| SecretKey::from_slice(&hash(i, 1)).expect("a hash is a valid key"))
        .collect();
    let points = keys
        .iter()
        .map(|k| PublicKey::from_secret_key(&secp, k))
        .collect();
    let messages = (0..count)
        .map(|i| Message::from_digest(hash(i, 2)))
        .collect();
    let tweaks = (0..count)
        .map(|i| Scalar::from_be_bytes(hash(i, 3)).expect("a hash is below the order"))
        .collect();
    Inputs {
        secp,
        keys,
        points,
        messages,
        tweaks,
    }
}

/// Times `op` over every input index, `reps` times after `warmup`, in ops/s.
fn measure(config: &Config, count: usize, mut op: impl FnMut(usize)) -> Vec<f64> {
    for _ in 0..config.warmup {
        (0..count).for_each(&mut op);
    }
    (0..config.reps)
        .map(|_| {
            let (elapsed, ()) = time(config.clock, || (0..count).for_each(&mut op));
            per_second(count as u64, elapsed)
        })
        .collect()
}

/// Runs the workload.
pub fn run(config: &Config) -> Report {
    let n = config.secp_ops;
    let inputs = inputs(n);
    let Inputs {
        secp,
        keys,
        points,
        messages,
        tweaks,
    } = &inputs;
    let signatures: Vec<_> = (0..n)
        .map(|i| secp.sign_ecdsa(&messages[i], &keys[i]))
        .collect();
    let higher = Direction::HigherIsBetter;
    let figure = |unit: &str, samples| Figure::ours_only(unit, higher, samples, SAME_LIBRARY);
    let sign = measure(config, n, |i| {
        black_box(secp.sign_ecdsa(&messages[i], &keys[i]));
    });
    let verify = measure(config, n, |i| {
        black_box(
            secp.verify_ecdsa(&messages[i], &signatures[i], &points[i])
                .is_ok(),
        );
    });
    let mul = measure(config, n, |i| {
        black_box(points[i].mul_tweak(secp, &tweaks[i]).ok());
    });
    let tweak_add = measure(config, n, |i| {
        black_box(points[i].add_exp_tweak(secp, &tweaks[i]).ok());
    });
    let ecdh = measure(config, n, |i| {
        black_box(SharedSecret::new(&points[i], &keys[(i + 1) % n]));
    });
    let keygen = measure(config, n, |i| {
        black_box(PublicKey::from_secret_key(secp, &keys[i]));
    });
    Report {
        workload: NAME.to_string(),
        description: format!("{n} operations per repetition, each on different inputs"),
        figures: vec![
            figure("ECDSA sign ops/s", sign),
            figure("ECDSA verify ops/s", verify),
            figure("point multiplication (mul_tweak) ops/s", mul),
            figure("tweak-add (add_exp_tweak) ops/s", tweak_add),
            figure("ECDH ops/s", ecdh),
            figure("public key from secret ops/s", keygen),
        ],
        pending: None,
    }
}
