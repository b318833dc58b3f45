//! BOLT 3 scripts and transactions: funding, commitment, HTLC, closing and justice.
