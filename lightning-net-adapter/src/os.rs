//! The clock and the randomness the adapter supplies to the sans-IO core.
//!
//! The `lightning` crate never reads a clock or an RNG: every call takes `now` and fresh
//! random bytes as arguments. This module is where they come from in a std program.
//!
//! Randomness is read from `/dev/urandom` with `std::fs` (the workspace has no `rand`
//! crate). On Linux and the BSDs/macOS that device is the kernel CSPRNG and never blocks
//! once the system has booted; on a platform without it the calls fail with an
//! [`std::io::Error`] instead of falling back to weaker randomness.

use std::fs::File;
use std::io::{self, Read};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lightning::bitcoin::hashes::{sha256, Hash, HashEngine};
use lightning::signer_api::traits::EntropySource;

/// The current time as the core wants it: the duration since the Unix epoch (zero if the
/// system clock is set before 1970).
pub fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
}

/// 32 bytes from the operating system's CSPRNG (`/dev/urandom`).
pub fn os_random_bytes() -> io::Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// An [`EntropySource`] for the core (e.g. the `ChannelManager`), seeded once from
/// `/dev/urandom`.
///
/// `EntropySource::random_bytes` cannot fail, so the OS is asked only once, in
/// [`OsEntropy::new`] (which can); each output is then SHA256(seed || counter), a counter
/// that never repeats.
pub struct OsEntropy {
    seed: [u8; 32],
    counter: u64,
}

impl OsEntropy {
    /// Seeds a new source from the OS.
    pub fn new() -> io::Result<Self> {
        Ok(OsEntropy {
            seed: os_random_bytes()?,
            counter: 0,
        })
    }
}

impl core::fmt::Debug for OsEntropy {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OsEntropy").finish_non_exhaustive()
    }
}

impl EntropySource for OsEntropy {
    fn random_bytes(&mut self) -> [u8; 32] {
        self.counter = self.counter.wrapping_add(1);
        let mut engine = sha256::Hash::engine();
        engine.input(&self.seed);
        engine.input(&self.counter.to_be_bytes());
        sha256::Hash::from_engine(engine).to_byte_array()
    }
}
