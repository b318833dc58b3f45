//! Fuzz target bodies for the `lightning` crate.
//!
//! Each `pub fn` takes arbitrary bytes and drives one part of the library with them. It must
//! never panic: a panic is a bug the fuzzer found. The same functions run under libFuzzer
//! (`cargo fuzz run <target>` with the `libfuzzer` feature; see `fuzz_targets/`) and as plain
//! tests over seeded pseudo-random inputs (`tests/`), so every CI run exercises them.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod channels;
pub mod onion;
pub mod seeded;
pub mod transport;
pub mod wire;
