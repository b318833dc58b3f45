//! BOLT 9 feature bits for each context (init, node, channel announcement, invoice, channel type).
