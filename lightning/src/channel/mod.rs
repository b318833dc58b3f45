//! One channel's BOLT 2 state machine, split by phase.
