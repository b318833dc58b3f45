//! [`ChainSource`] for [`SimChain`]: broadcasts go to the mempool, fee rates are set by the
//! test, watch requests are recorded.

use alloc::vec::Vec;

use bitcoin::{OutPoint, Script, ScriptBuf, Transaction, Txid};
use hashbrown::HashMap;

use super::SimChain;
use crate::chain::{ChainSource, ConfirmationTarget};

/// The fee rate every [`ConfirmationTarget`] answers with until the test sets another one.
pub const DEFAULT_FEERATE_SAT_PER_KW: u32 = 1000;

/// What [`SimChain`] records of its [`ChainSource`] role.
#[derive(Clone, Debug)]
pub(super) struct SourceState {
    default_feerate: u32,
    feerates: HashMap<ConfirmationTarget, u32>,
    broadcasts: Vec<Transaction>,
    watched_transactions: Vec<(Txid, ScriptBuf)>,
    watched_outputs: Vec<(OutPoint, ScriptBuf)>,
}

impl Default for SourceState {
    fn default() -> Self {
        SourceState {
            default_feerate: DEFAULT_FEERATE_SAT_PER_KW,
            feerates: HashMap::new(),
            broadcasts: Vec::new(),
            watched_transactions: Vec::new(),
            watched_outputs: Vec::new(),
        }
    }
}

impl SimChain {
    /// Makes [`ChainSource::feerate_sat_per_kw`] answer `sat_per_kw` for every target (targets
    /// set with [`set_feerate`](Self::set_feerate) are reset to it).
    pub fn set_all_feerates(&mut self, sat_per_kw: u32) {
        self.source.default_feerate = sat_per_kw;
        self.source.feerates.clear();
    }

    /// Makes [`ChainSource::feerate_sat_per_kw`] answer `sat_per_kw` for `target`.
    pub fn set_feerate(&mut self, target: ConfirmationTarget, sat_per_kw: u32) {
        self.source.feerates.insert(target, sat_per_kw);
    }

    /// Every transaction ever given to [`broadcast`](Self::broadcast) or
    /// [`ChainSource::broadcast_transactions`], in order, repeats included.
    pub fn broadcasts(&self) -> &[Transaction] {
        &self.source.broadcasts
    }

    /// Every [`ChainSource::watch_transaction`] request, in order (duplicates dropped).
    pub fn watched_transactions(&self) -> &[(Txid, ScriptBuf)] {
        &self.source.watched_transactions
    }

    /// Every [`ChainSource::watch_output`] request, in order (duplicates dropped).
    pub fn watched_outputs(&self) -> &[(OutPoint, ScriptBuf)] {
        &self.source.watched_outputs
    }

    /// Whether `tx` matches a watch request: its txid is watched, it spends a watched output,
    /// or one of its outputs pays a watched script. This is what an Electrum or BIP157 client
    /// would report; [`sync_confirm_watched`](Self::sync_confirm_watched) filters by it.
    pub fn is_watched(&self, tx: &Transaction) -> bool {
        let txid = tx.compute_txid();
        let source = &self.source;
        let pays_watched_script =
            |script: &ScriptBuf| tx.output.iter().any(|out| out.script_pubkey == *script);
        source
            .watched_transactions
            .iter()
            .any(|(watched, script)| *watched == txid || pays_watched_script(script))
            || source.watched_outputs.iter().any(|(outpoint, script)| {
                tx.input
                    .iter()
                    .any(|input| input.previous_output == *outpoint)
                    || pays_watched_script(script)
            })
    }

    pub(super) fn record_broadcast(&mut self, tx: &Transaction) {
        self.source.broadcasts.push(tx.clone());
    }
}

impl ChainSource for SimChain {
    fn watch_transaction(&mut self, txid: &Txid, script_pubkey: &Script) {
        let entry = (*txid, script_pubkey.to_owned());
        if !self.source.watched_transactions.contains(&entry) {
            self.source.watched_transactions.push(entry);
        }
    }

    fn watch_output(&mut self, outpoint: &OutPoint, script_pubkey: &Script) {
        let entry = (*outpoint, script_pubkey.to_owned());
        if !self.source.watched_outputs.contains(&entry) {
            self.source.watched_outputs.push(entry);
        }
    }

    fn broadcast_transactions(&mut self, txs: &[&Transaction]) {
        for tx in txs {
            self.broadcast((*tx).clone());
        }
    }

    fn feerate_sat_per_kw(&self, target: ConfirmationTarget) -> u32 {
        self.source
            .feerates
            .get(&target)
            .copied()
            .unwrap_or(self.source.default_feerate)
    }
}
