//! The in-process test kit (feature `testkit`), public so users can test their own code with
//! it.
//!
//! What is here now:
//! - [`SimChain`]: a deterministic regtest chain with a mempool, a UTXO set, mining that checks
//!   inputs and lock times, reorgs, and replay of chain events to
//!   [`Listen`](crate::chain::Listen) and [`Confirm`](crate::chain::Confirm) components
//!   ([`SimChain::sync_listener`], [`SimChain::sync_confirm`]). It implements
//!   [`ChainSource`](crate::chain::ChainSource): broadcasts go to its mempool, fee rates are set
//!   by the test, watch requests are recorded.
//! - [`SimWallet`]: a one-key P2WPKH wallet that the chain funds
//!   ([`SimChain::fund_address`]) and that builds signed payments, e.g. channel funding
//!   transactions.
//!
//! A typical test:
//! ```
//! use lightning::bitcoin::Amount;
//! use lightning::testkit::{SimChain, SimWallet};
//!
//! let mut chain = SimChain::new();
//! let mut wallet = SimWallet::new([1; 32]);
//! chain.fund_address(wallet.script_pubkey(), Amount::from_sat(100_000));
//! let destination = SimWallet::new([2; 32]);
//! let tx = wallet.send_to(&mut chain, destination.script_pubkey(), Amount::from_sat(40_000)).unwrap();
//! chain.mine_blocks(1);
//! assert_eq!(chain.tx_confirmations(&tx.compute_txid()), Some(1));
//! assert_eq!(destination.balance(&chain), Amount::from_sat(40_000));
//! ```
//!
//! - [`network`]: N nodes ([`network::TestNode`]: keys, peer manager, channel manager,
//!   wallet) in one process over in-memory connections through the real BOLT 8 transport,
//!   sharing one [`SimChain`], with controllable delivery (one message at a time, hold,
//!   drop, inject, disconnect), monitor updates completed at once or held, seeded
//!   randomness and helpers for whole flows (open a channel, pay, close). See
//!   [`network::Network`]. Nodes crash and restart from what they persisted
//!   ([`network::restart`]), and a whole network at rest can be saved and started again as
//!   often as wanted ([`network::saved`]), so a costly set-up is paid once.
//! - [`SignerGate`]: every test node signs through a [`GatedSignerProvider`], so a test can
//!   make a node's signer answer `Pending` (a hardware or remote signer that is away).

mod chain;
pub mod network;
mod signer_gate;
mod wallet;

pub use chain::{
    ListenerId, MineOutcome, RejectReason, RejectedTransaction, SimChain, SyncError, SyncReport,
    UnknownBlock, BLOCK_INTERVAL_SECS, DEFAULT_FEERATE_SAT_PER_KW,
};
pub use signer_gate::{GatedSigner, GatedSignerProvider, SignerGate};
pub use wallet::{SimWallet, WalletError, CHANGE_DUST_LIMIT_SATS};
