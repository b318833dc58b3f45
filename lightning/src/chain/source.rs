//! [`ChainSource`]: what a component asks of the caller's chain client.

use bitcoin::{OutPoint, Script, Transaction, Txid};

/// The lowest fee rate, in satoshis per 1000 weight units, that BOLT 3 lets a commitment or
/// HTLC transaction pay (253 sat/kw is just above 1 sat/vbyte after rounding down).
///
/// [`ChainSource::feerate_sat_per_kw`] answers below it are raised to it by the components.
pub const FEERATE_FLOOR_SATS_PER_KW: u32 = 253;

/// How urgently a transaction must confirm, which decides the fee rate a component asks for in
/// [`ChainSource::feerate_sat_per_kw`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfirmationTarget {
    /// Claiming funds that a counterparty could otherwise take (an HTLC about to time out on
    /// the other side, a justice transaction against a revoked commitment). Must confirm within
    /// a few blocks whatever the cost; answer with a high-priority estimate.
    UrgentOnChainSweep,
    /// The lowest fee rate we accept from a counterparty for a cooperative close or a
    /// non-anchor commitment it proposes; below this we fear the transaction never confirms.
    /// A conservative, slow (e.g. 1-day) estimate.
    MinAllowedNonAnchorFee,
    /// The lowest fee rate we accept for a channel's commitment when the channel uses anchor
    /// outputs (it can be bumped later by CPFP): usually the mempool minimum.
    MinAllowedAnchorFee,
    /// The fee rate of a commitment transaction for a channel without anchor outputs: it cannot
    /// be bumped later, so it should confirm reasonably fast (e.g. within ~6 blocks) even if fees
    /// rise. Used when we are the funder and propose `update_fee` or open the channel.
    NonAnchorChannelFee,
    /// The fee rate of a commitment transaction for a channel with anchor outputs: it is bumped
    /// by CPFP when it must confirm, so a low rate that just enters mempools is enough.
    AnchorChannelFee,
    /// The fee rate we propose in a cooperative close (`closing_signed` / `closing_complete`):
    /// nothing is at risk, so a slow but reliable estimate.
    ChannelCloseMinimum,
    /// Sweeping outputs that are already ours (spendable outputs after a close) to the wallet:
    /// no deadline, so an economical estimate.
    OutputSpendingFee,
}

/// What a component needs from the caller's chain client. Implemented by the caller.
///
/// Call contract (from the component's side; the caller just answers):
/// - A component calls [`watch_transaction`](Self::watch_transaction) and
///   [`watch_output`](Self::watch_output) as soon as it learns of something on chain that it
///   must see confirmed or spent (a funding transaction, a commitment output). A filtering
///   client (BIP157, Electrum) must from then on report matching transactions through
///   [`Listen`](super::Listen) or [`Confirm`](super::Confirm); a full-block client may ignore
///   these calls. Watching the same thing twice is harmless.
/// - [`broadcast_transactions`](Self::broadcast_transactions) hands over transactions to relay.
///   The caller should rebroadcast nothing by itself; components call again when needed. When
///   several transactions are given at once they form a package (parents first).
/// - [`feerate_sat_per_kw`](Self::feerate_sat_per_kw) must answer immediately (from a cached
///   estimate); it is never "pending".
pub trait ChainSource {
    /// Starts watching for the transaction `txid` to confirm. `script_pubkey` is one of its
    /// output scripts, for clients that can only filter by script (BIP157, Electrum).
    fn watch_transaction(&mut self, txid: &Txid, script_pubkey: &Script);

    /// Starts watching for a transaction that spends `outpoint`, whose output script is
    /// `script_pubkey` (so a filtering client can match the spend by the script it consumes).
    fn watch_output(&mut self, outpoint: &OutPoint, script_pubkey: &Script);

    /// Relays `txs` to the network. If they depend on each other, parents come first.
    fn broadcast_transactions(&mut self, txs: &[&Transaction]);

    /// The fee rate, in satoshis per 1000 weight units, that a transaction with `target` should
    /// pay now. Components raise answers below [`FEERATE_FLOOR_SATS_PER_KW`] to that floor.
    fn feerate_sat_per_kw(&self, target: ConfirmationTarget) -> u32;
}
