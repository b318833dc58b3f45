//! What a channel hands to its on-chain guardian.

pub mod update;
