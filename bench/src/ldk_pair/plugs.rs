//! The plugs an LDK node needs, kept as cheap as possible: a silent logger, a fixed fee
//! estimate, a broadcaster that keeps what it is given, no chain filter, a router that pays
//! a direct peer over the first channel, and a persister that completes at once and counts.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use bitcoin::secp256k1::{PublicKey, Secp256k1};
use bitcoin::{Script, Transaction, Txid};
use ldk::blinded_path::payment::{BlindedPaymentPath, ReceiveTlvs};
use ldk::chain::chaininterface::{BroadcasterInterface, ConfirmationTarget, FeeEstimator};
use ldk::chain::chainmonitor::Persist;
use ldk::chain::channelmonitor::{ChannelMonitor, ChannelMonitorUpdate};
use ldk::chain::{ChannelMonitorUpdateStatus, Filter, WatchedOutput};
use ldk::ln::channel_state::ChannelDetails;
use ldk::routing::router::{InFlightHtlcs, Path, Payee, Route, RouteHop, RouteParameters, Router};
use ldk::types::features::{ChannelFeatures, NodeFeatures};
use ldk::util::logger::{Logger, Record};
use ldk::util::persist::MonitorName;
use ldk::util::ser::Writeable;

use super::signer::CountingLdkSigner;

/// Drops every log record.
pub struct SilentLogger;

impl Logger for SilentLogger {
    fn log(&self, _record: Record) {}
}

/// The same feerate for every target: 1,000 sat/kw, the feerate our nodes open channels at.
pub struct FixedFees;

impl FeeEstimator for FixedFees {
    fn get_est_sat_per_1000_weight(&self, _target: ConfirmationTarget) -> u32 {
        1_000
    }
}

/// Keeps the transactions it is asked to broadcast.
#[derive(Default)]
pub struct KeepBroadcasts {
    /// Every transaction given so far.
    pub transactions: Mutex<Vec<Transaction>>,
}

impl BroadcasterInterface for KeepBroadcasts {
    fn broadcast_transactions(&self, txs: &[&Transaction]) {
        let mut kept = self
            .transactions
            .lock()
            .expect("not poisoned: single thread");
        kept.extend(txs.iter().map(|tx| (*tx).clone()));
    }
}

/// Watches nothing (the benchmark feeds the chain directly).
pub struct NoFilter;

impl Filter for NoFilter {
    fn register_tx(&self, _txid: &Txid, _script_pubkey: &Script) {}
    fn register_output(&self, _output: WatchedOutput) {}
}

/// Pays the counterparty of the first usable channel in one hop, like our
/// `send_payment_to_peer`: no graph, no pathfinding.
pub struct DirectRouter;

impl Router for DirectRouter {
    fn find_route(
        &self,
        _payer: &PublicKey,
        route_params: &RouteParameters,
        first_hops: Option<&[&ChannelDetails]>,
        _inflight_htlcs: InFlightHtlcs,
    ) -> Result<Route, &'static str> {
        let first = first_hops
            .and_then(|hops| hops.iter().find(|hop| hop.is_usable))
            .ok_or("no usable channel")?;
        let short_channel_id = first
            .get_outbound_payment_scid()
            .ok_or("channel has no short channel id")?;
        let cltv_expiry_delta = match &route_params.payment_params.payee {
            Payee::Clear {
                final_cltv_expiry_delta,
                ..
            } => *final_cltv_expiry_delta,
            Payee::Blinded { .. } => return Err("blinded payees are not supported here"),
        };
        let hop = RouteHop {
            pubkey: first.counterparty.node_id,
            node_features: NodeFeatures::from_le_bytes(
                first.counterparty.features.le_flags().to_vec(),
            ),
            short_channel_id,
            channel_features: ChannelFeatures::empty(),
            fee_msat: route_params.final_value_msat,
            cltv_expiry_delta,
            maybe_announced_channel: false,
        };
        Ok(Route {
            paths: vec![Path {
                hops: vec![hop],
                blinded_tail: None,
            }],
            route_params: Some(route_params.clone()),
        })
    }

    fn create_blinded_payment_paths<
        T: bitcoin::secp256k1::Signing + bitcoin::secp256k1::Verification,
    >(
        &self,
        _recipient: PublicKey,
        _first_hops: Vec<ChannelDetails>,
        _tlvs: ReceiveTlvs,
        _amount_msats: Option<u64>,
        _secp_ctx: &Secp256k1<T>,
    ) -> Result<Vec<BlindedPaymentPath>, ()> {
        Err(())
    }
}

/// Completes every monitor write at once (or hands it to `inner`, a real persister, and
/// answers what it answers), counting updates; when `measure` is set it also encodes each
/// update (and each full monitor LDK hands over) to count their bytes.
#[derive(Default)]
pub struct CountingPersister {
    /// The persister that stores for real (workload 2), if any.
    pub inner: Option<Box<dyn Persist<CountingLdkSigner> + Send + Sync>>,
    /// Whether to encode what is persisted to count bytes (costs time).
    pub measure: AtomicBool,
    /// Monitor updates given to `update_persisted_channel`.
    pub updates: AtomicU64,
    /// The sum of the encoded sizes of those updates.
    pub update_bytes: AtomicU64,
    /// The sum of the encoded sizes of the full monitors handed over with them (what a
    /// persister writing whole monitors, like LDK's plain `KVStore` one, would write).
    pub full_monitor_bytes: AtomicU64,
}

impl Persist<CountingLdkSigner> for CountingPersister {
    fn persist_new_channel(
        &self,
        monitor_name: MonitorName,
        monitor: &ChannelMonitor<CountingLdkSigner>,
    ) -> ChannelMonitorUpdateStatus {
        match &self.inner {
            Some(inner) => inner.persist_new_channel(monitor_name, monitor),
            None => ChannelMonitorUpdateStatus::Completed,
        }
    }

    fn update_persisted_channel(
        &self,
        monitor_name: MonitorName,
        monitor_update: Option<&ChannelMonitorUpdate>,
        monitor: &ChannelMonitor<CountingLdkSigner>,
    ) -> ChannelMonitorUpdateStatus {
        if let Some(update) = monitor_update {
            self.updates.fetch_add(1, Ordering::Relaxed);
            if self.measure.load(Ordering::Relaxed) {
                let bytes = update.encode().len() as u64;
                self.update_bytes.fetch_add(bytes, Ordering::Relaxed);
                let full = monitor.encode().len() as u64;
                self.full_monitor_bytes.fetch_add(full, Ordering::Relaxed);
            }
        }
        match &self.inner {
            Some(inner) => inner.update_persisted_channel(monitor_name, monitor_update, monitor),
            None => ChannelMonitorUpdateStatus::Completed,
        }
    }

    fn archive_persisted_channel(&self, monitor_name: MonitorName) {
        if let Some(inner) = &self.inner {
            inner.archive_persisted_channel(monitor_name);
        }
    }
}
