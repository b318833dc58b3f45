//! BOLT 3 key derivation and the per-commitment secret chain.
