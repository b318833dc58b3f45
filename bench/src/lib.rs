//! Benchmarks of the lightning crate side by side with LDK: not started yet.
