//! BOLT 7 gossip messages.
