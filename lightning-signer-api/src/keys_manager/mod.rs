//! The default in-process signer, derived from a 32-byte seed.
