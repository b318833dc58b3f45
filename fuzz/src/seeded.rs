//! Deterministic pseudo-random inputs for running the target bodies without libFuzzer (the
//! tests in `tests/` and the `channels_speed` example): the same seed gives the same inputs.

use crate::channels::{arg_count, OP_CODES};

/// A small deterministic generator (xorshift64*), enough to spread inputs over the targets'
/// modes and lengths.
pub struct SeededInputs(u64);

impl SeededInputs {
    /// The generator started from `seed` (not zero: xorshift stays at zero).
    pub fn new(seed: u64) -> Self {
        SeededInputs(seed)
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Arbitrary bytes, up to `max_len` of them.
    pub fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = self.next_u64() as usize % (max_len + 1);
        (0..len).map(|_| self.next_u64() as u8).collect()
    }

    /// A `channels` script of fewer than `max_ops` operations, each a known op code with all
    /// its argument bytes (so every operation runs, unlike in [`bytes`](Self::bytes)).
    pub fn op_script(&mut self, max_ops: u64) -> Vec<u8> {
        let mut script = Vec::new();
        for _ in 0..self.next_u64() % max_ops {
            let code = (self.next_u64() % OP_CODES) as u8;
            script.push(code);
            script.extend((0..arg_count(code)).map(|_| self.next_u64() as u8));
        }
        script
    }
}
