//! The caller's randomness.

/// A source of 32 unpredictable bytes on demand: the only randomness this crate uses.
///
/// The caller implements it (from the OS, a hardware RNG, or a seeded RNG in tests). It is
/// called whenever a fresh secret or identifier is needed (session keys, nonces, channel key
/// ids); implementations must return independent, uniformly random bytes each call.
pub trait EntropySource: Send {
    /// 32 fresh random bytes.
    fn random_bytes(&mut self) -> [u8; 32];
}
