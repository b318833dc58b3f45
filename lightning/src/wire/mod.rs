//! The BOLT 1 wire codec: primitives, TLV streams and every BOLT 1, 2 and 7 message, plus the
//! BOLT 9 feature bits.

pub mod features;
pub mod gossip;
