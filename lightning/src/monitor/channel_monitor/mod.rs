//! [`ChannelMonitor`]: one channel's on-chain guardian (BOLT 5).
//!
//! Split by concern:
//! - `data`: the channel data from the init and the updates, and how an update applies;
//! - `classify`: what spent the funding output (`future_commitment`: a counterparty
//!   commitment newer than we know, after data loss);
//! - `outputs`: the outputs each kind of commitment leaves us (revoked, counterparty, holder);
//! - `claims`: building and signing the claiming transactions;
//! - `resolve`: the resolution walk (spends, second stages, preimages, events, broadcasts);
//! - `gone`: our HTLCs that the confirmed commitment does not carry as outputs;
//! - `chain`: the [`Confirm`](crate::chain::Confirm) input and what to watch;
//! - `persist`: the versioned TLV encoding;
//! - `events`: [`MonitorEvent`] and the error types.

mod chain;
mod claims;
mod classify;
mod data;
mod events;
mod future_commitment;
mod gone;
mod outputs;
mod persist;
mod resolve;

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;

use bitcoin::secp256k1::{All, PublicKey, Secp256k1};
use bitcoin::{BlockHash, OutPoint, ScriptBuf, Transaction, Txid, Witness};
use lightning_signer_api::traits::{ChannelSetup, ChannelSigner, SignerReply};
use lightning_signer_api::tx::anchor_witness;

pub use claims::MIN_CLAIM_OUTPUT_SATOSHIS;
pub use events::{
    BumpTransaction, ClaimSource, FundingSpendKind, MonitorDecodeError, MonitorEvent,
    MonitorUpdateError, SpendableOutput,
};
pub use persist::MONITOR_FORMAT_VERSION;
pub use resolve::HTLC_DEADLINE_BUFFER;

use self::data::MonitorData;
use self::resolve::Resolution;
use crate::chain::{BestBlock, ChainSource, ConfirmationTarget, FEERATE_FLOOR_SATS_PER_KW};
use crate::monitor::update::{ChannelMonitorUpdate, MonitorUpdateStep};
use crate::wire::ChannelId;

/// Confirmations after which nothing on chain is considered reversible: events that report a
/// final outcome (spendable outputs, failed HTLCs, full resolution) wait for this depth.
pub const ANTI_REORG_DELAY: u32 = 6;

/// A confirmed transaction the monitor relies on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SeenTx {
    pub tx: Transaction,
    pub txid: Txid,
    pub height: u32,
    pub block_hash: BlockHash,
}

/// Identifies an event so it is delivered once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum EventKey {
    FundingSpent(Txid),
    Preimage([u8; 32]),
    HtlcFailed(OutPoint),
    /// One of our offered HTLCs that is no output of the confirmed commitment (trimmed, or
    /// not in it): its payment hash, amount, expiry, and its rank among identical ones.
    HtlcGone {
        payment_hash: [u8; 32],
        amount_msat: u64,
        cltv_expiry: u32,
        ordinal: u32,
    },
    Spendable(OutPoint),
    Bump(Txid),
    Resolved,
}

/// What the monitor learnt from the chain (persisted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChainState {
    pub best: BestBlock,
    pub seen: Vec<SeenTx>,
    pub delivered: BTreeSet<EventKey>,
    pub feerate_per_kw: u32,
}

/// One channel's on-chain guardian: it watches the funding output and, whatever spends it,
/// claims what is ours (BOLT 5).
///
/// It is built from the channel's update 0 ([`ChannelMonitorInit`](crate::monitor::update::ChannelMonitorInit))
/// and kept current only by [`update`](Self::update) with each later
/// [`ChannelMonitorUpdate`] in order. It holds its own [`ChannelSigner`] (derive it with
/// `SignerProvider::derive_channel_signer(init.channel_keys_id)`) and a destination script
/// (from `SignerProvider::destination_script`) where every claim sends our funds.
///
/// # What it does on chain
/// - The **counterparty's revoked** commitment: one justice transaction per output (`to_local`
///   and every HTLC output), and per second-stage output if the counterparty's HTLC
///   transactions got there first.
/// - The **counterparty's unrevoked** commitment: HTLCs it offered us are claimed with the
///   preimage (once known), ours after their expiry, and our `to_remote` is swept.
/// - **Our** commitment (after [`ChannelMonitorUpdate`]'s `ChannelForceClosed`,
///   [`broadcast_latest_holder_commitment`](Self::broadcast_latest_holder_commitment), or by
///   itself [`HTLC_DEADLINE_BUFFER`] blocks before an HTLC deadline): our HTLC-success
///   (preimage) and HTLC-timeout transactions, then every CSV-delayed output once mature.
/// - **Anchor** channels: a [`MonitorEvent::BumpTransaction`] for our commitment and for each
///   zero-fee HTLC transaction.
/// - A **cooperative close** is recognised and reported.
///
/// Every HTLC we offered gets exactly one verdict: [`MonitorEvent::HtlcResolved`] as soon as
/// its preimage shows on chain, or [`MonitorEvent::HtlcFailed`] once it is final: its timeout
/// (or justice) claim has [`ANTI_REORG_DELAY`] confirmations, or, for an HTLC that is no
/// output of the confirmed commitment (trimmed as dust, or not in that commitment at all),
/// the commitment itself has [`ANTI_REORG_DELAY`] confirmations. Our offered HTLCs are those
/// of our current commitment and of the counterparty's unrevoked ones.
///
/// Every claim pays the destination script; once a claim has [`ANTI_REORG_DELAY`]
/// confirmations its output is reported in [`MonitorEvent::SpendableOutputs`]. Claims are
/// signed once (at the fee rate of the moment, see [`set_feerate`](Self::set_feerate)) and
/// re-broadcast unchanged at every new tip until something spends the claimed output: fee
/// bumping beyond the anchor events is not done.
///
/// # Call contract
/// 1. [`new`](Self::new) with update 0, or [`decode`](Self::decode) what [`encode`](Self::encode)
///    wrote, then [`update`](Self::update) for every later update, in order (persist the
///    monitor or the update before telling the channel the update is complete).
/// 2. Feed the chain through [`Confirm`](crate::chain::Confirm) (or a
///    [`ConfirmAsListen`](crate::chain::ConfirmAsListen) for whole blocks), watching what
///    [`watched_outputs`](Self::watched_outputs) lists.
/// 3. After every call, drain [`poll_broadcast`](Self::poll_broadcast) (relay each) and
///    [`poll_event`](Self::poll_event). [`sync_chain_source`](Self::sync_chain_source) does
///    the watching, the fee rate and the broadcasting through a [`ChainSource`] in one call.
pub struct ChannelMonitor {
    signer: Box<dyn ChannelSigner>,
    secp: Secp256k1<All>,
    destination_script: ScriptBuf,
    data: MonitorData,
    chain: ChainState,
    /// Derived from the above on every input (not persisted).
    resolution: Resolution,
    claim_cache: BTreeMap<OutPoint, Transaction>,
    broadcast_at: BTreeMap<OutPoint, BlockHash>,
    broadcasts: VecDeque<Transaction>,
    events: VecDeque<(EventKey, MonitorEvent)>,
}

impl ChannelMonitor {
    /// A monitor from the channel's update 0 (which carries the init), with the channel's
    /// `signer`, the `destination_script` claims pay to, and the chain tip it starts from.
    pub fn new(
        initial_update: &ChannelMonitorUpdate,
        signer: Box<dyn ChannelSigner>,
        destination_script: ScriptBuf,
        best_block: BestBlock,
    ) -> Result<Self, MonitorUpdateError> {
        let init = match initial_update.steps.as_slice() {
            [MonitorUpdateStep::Init(init)] if initial_update.update_id == 0 => init,
            _ => return Err(MonitorUpdateError::MisplacedInit),
        };
        if signer.channel_keys_id() != init.channel_keys_id {
            return Err(MonitorUpdateError::SignerMismatch);
        }
        let data = MonitorData::from_init(init);
        let chain = ChainState {
            best: best_block,
            seen: Vec::new(),
            delivered: BTreeSet::new(),
            feerate_per_kw: FEERATE_FLOOR_SATS_PER_KW,
        };
        Ok(Self::assemble(signer, destination_script, data, chain))
    }

    fn assemble(
        signer: Box<dyn ChannelSigner>,
        destination_script: ScriptBuf,
        data: MonitorData,
        chain: ChainState,
    ) -> Self {
        let mut monitor = ChannelMonitor {
            signer,
            secp: Secp256k1::new(),
            destination_script,
            data,
            chain,
            resolution: Resolution::default(),
            claim_cache: BTreeMap::new(),
            broadcast_at: BTreeMap::new(),
            broadcasts: VecDeque::new(),
            events: VecDeque::new(),
        };
        monitor.resolve();
        monitor
    }

    /// Applies the next update (`latest_update_id() + 1`). On error nothing changed.
    pub fn update(&mut self, update: &ChannelMonitorUpdate) -> Result<(), MonitorUpdateError> {
        self.data.apply(&self.secp, update)?;
        self.resolve();
        Ok(())
    }

    /// Broadcasts our latest commitment (and then claims from it) even though the channel did
    /// not force close: for a user who knows the channel is dead.
    pub fn broadcast_latest_holder_commitment(&mut self) {
        self.data.holder_broadcast_requested = true;
        self.resolve();
    }

    /// The signer, which answered `Pending` earlier, is ready: retries at once what waited
    /// for a signature (our commitment after a force close, claims); otherwise that happens
    /// at the next block or [`sync_chain_source`](Self::sync_chain_source).
    pub fn signer_ready(&mut self) {
        self.resolve();
    }

    /// Sets the fee rate (sat per 1000 weight) of claims built from now on (floored at
    /// [`FEERATE_FLOOR_SATS_PER_KW`]). Claims already built keep their fee.
    pub fn set_feerate(&mut self, feerate_per_kw: u32) {
        self.chain.feerate_per_kw = feerate_per_kw.max(FEERATE_FLOOR_SATS_PER_KW);
    }

    /// Does the chain-source side in one call: takes the urgent fee rate, asks `source` to
    /// watch every [`watched_outputs`](Self::watched_outputs) entry, and relays every pending
    /// broadcast.
    pub fn sync_chain_source(&mut self, source: &mut dyn ChainSource) {
        self.set_feerate(source.feerate_sat_per_kw(ConfirmationTarget::UrgentOnChainSweep));
        self.resolve();
        for (outpoint, script) in self.watched_outputs() {
            source.watch_output(&outpoint, &script);
        }
        let txs: Vec<Transaction> = core::iter::from_fn(|| self.poll_broadcast()).collect();
        if !txs.is_empty() {
            let refs: Vec<&Transaction> = txs.iter().collect();
            source.broadcast_transactions(&refs);
        }
    }

    /// The next transaction to relay (a claim, our commitment), if any.
    pub fn poll_broadcast(&mut self) -> Option<Transaction> {
        self.broadcasts.pop_front()
    }

    /// The next event, if any. Each event is delivered once (also across a restart: the
    /// delivered ones are persisted; persist after draining).
    pub fn poll_event(&mut self) -> Option<MonitorEvent> {
        let (key, event) = self.events.pop_front()?;
        self.chain.delivered.insert(key);
        Some(event)
    }

    /// Outputs to watch for spends (the funding output, then the outputs of whatever spent
    /// it), with their scripts; empty once everything is resolved.
    pub fn watched_outputs(&self) -> Vec<(OutPoint, ScriptBuf)> {
        self.resolution.tracked.clone()
    }

    /// Signs input `input_index` of `tx`, which spends our anchor output (a CPFP child built
    /// from a [`BumpTransaction::ChannelClose`]), and returns the input's witness.
    pub fn sign_anchor_input(
        &mut self,
        tx: &Transaction,
        input_index: usize,
    ) -> SignerReply<Witness> {
        let script = lightning_signer_api::tx::scripts::anchor_witness_script(
            &self.data.setup.holder_keys.funding_pubkey,
        );
        self.signer
            .sign_anchor_input(&self.data.setup, tx, input_index)
            .map(|signature| anchor_witness(&signature, &script))
    }

    /// The channel id.
    pub fn channel_id(&self) -> ChannelId {
        self.data.channel_id
    }

    /// The peer's node id.
    pub fn counterparty_node_id(&self) -> PublicKey {
        self.data.counterparty_node_id
    }

    /// The channel's setup (funding outpoint, keys, parameters).
    pub fn setup(&self) -> &ChannelSetup {
        &self.data.setup
    }

    /// The funding outpoint.
    pub fn funding_outpoint(&self) -> OutPoint {
        self.data.setup.parameters.funding_outpoint
    }

    /// The id of the last update applied (0 right after [`new`](Self::new)).
    pub fn latest_update_id(&self) -> u64 {
        self.data.latest_update_id
    }

    /// The tip the monitor last saw.
    pub fn best_block(&self) -> BestBlock {
        self.chain.best
    }

    /// The funding spend confirmed on chain, if any, with its kind.
    pub fn funding_spend(&self) -> Option<(Txid, FundingSpendKind)> {
        self.resolution
            .funding_spend
            .as_ref()
            .map(|(txid, kind, _)| (*txid, kind.clone()))
    }

    /// Whether every output is resolved and final (the monitor can be archived).
    pub fn is_fully_resolved(&self) -> bool {
        self.resolution.fully_resolved
    }

    /// The outputs the monitor still has to claim (unspent), as (outpoint, value in sat).
    pub fn claimable_outputs(&self) -> Vec<(OutPoint, u64)> {
        self.resolution
            .unspent
            .iter()
            .map(|o| (o.outpoint, o.txout.value.to_sat()))
            .collect()
    }

    /// The claims built so far (signed transactions, by the outpoint they claim); our
    /// commitment is the claim of the funding outpoint.
    pub fn pending_claims(&self) -> Vec<(OutPoint, Transaction)> {
        self.claim_cache
            .iter()
            .map(|(outpoint, tx)| (*outpoint, tx.clone()))
            .collect()
    }
}
