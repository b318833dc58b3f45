//! The interfaces with the caller's chain data: blocks or confirmed transactions in, what to watch and what to broadcast out.
