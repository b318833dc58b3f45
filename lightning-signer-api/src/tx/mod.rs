//! BOLT 3 scripts and transactions: funding, commitment, HTLC, closing and justice.
//!
//! Pure functions over plain data, no signing traits: a signer rebuilds exactly what it is asked
//! to sign from [`ChannelParameters`], the per-commitment [`CommitmentKeys`] and the state in
//! [`CommitmentInputs`].
//!
//! Typical use, for one commitment:
//! 1. [`build_commitment_transaction`] gives a [`CommitmentTransaction`] (unsigned, with the
//!    output index of every untrimmed HTLC).
//! 2. Sign its funding input with [`sign_p2wsh_input`] over
//!    [`ChannelParameters::funding_witness_script`]; assemble with [`funding_witness`].
//! 3. For each of [`CommitmentTransaction::htlc_outputs`], build the second-stage transaction
//!    with [`CommitmentTransaction::htlc_transaction`], sign it (the countersignatory with
//!    [`htlc_countersignatory_sighash_type`]) and assemble with [`htlc_transaction_witness`].
//!
//! Closing transactions are in [`closing`], penalty (justice) transactions in [`justice`].

pub mod closing;
pub mod commitment;
pub mod fees;
pub mod htlc;
pub mod justice;
pub mod scripts;
pub mod sighash;
pub mod types;
pub mod witness;

pub use closing::*;
pub use commitment::*;
pub use fees::*;
pub use htlc::*;
pub use justice::*;
pub use sighash::*;
pub use types::*;
pub use witness::*;
