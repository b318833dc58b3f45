//! Interoperability tests against LDK live in `tests/`; this library holds shared helpers (none yet).
