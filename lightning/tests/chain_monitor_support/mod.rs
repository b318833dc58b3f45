//! A two-channel network (from `monitor_support`) where side `a`'s monitor lives in a
//! `ChainMonitor` whose persister answers as the test scripts it, over a shared in-memory store.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;

use lightning::channel::ChannelEvent;
use lightning::monitor::chain_monitor::{ChainMonitor, ChainMonitorEvent};
use lightning::monitor::update::ChannelMonitorUpdate;
use lightning::persist::{
    KVStore, KVStoreError, MemoryStore, MonitorUpdatingPersister, PersistStatus,
    PersistableMonitor, Persister,
};
use lightning::wire::{ChannelId, Message};

#[path = "../monitor_support/mod.rs"]
pub mod monitor_support;

pub use monitor_support::*;

/// A store shared between the persister (inside the chain monitor) and the test.
#[derive(Clone, Default)]
pub struct SharedStore(pub Arc<Mutex<MemoryStore>>);

impl KVStore for SharedStore {
    fn read(&self, namespace: &str, key: &str) -> Result<Vec<u8>, KVStoreError> {
        self.0.lock().unwrap().read(namespace, key)
    }
    fn write(&mut self, namespace: &str, key: &str, value: &[u8]) -> Result<(), KVStoreError> {
        self.0.lock().unwrap().write(namespace, key, value)
    }
    fn remove(&mut self, namespace: &str, key: &str) -> Result<(), KVStoreError> {
        self.0.lock().unwrap().remove(namespace, key)
    }
    fn list(&self, namespace: &str) -> Result<Vec<String>, KVStoreError> {
        self.0.lock().unwrap().list(namespace)
    }
}

/// How the scripted persister answers.
pub enum Answer {
    /// Always the same.
    Always(PersistStatus),
    /// `InProgress` with probability `percent`/100, else `Completed` (xorshift, seeded).
    Random { state: u64, percent: u64 },
}

/// One request the persister saw: (channel, update id, whether it was a full monitor).
pub type Call = (ChannelId, u64, bool);

#[derive(Clone)]
pub struct Script(pub Arc<Mutex<(Answer, Vec<Call>)>>);

impl Script {
    pub fn new(answer: Answer) -> Self {
        Script(Arc::new(Mutex::new((answer, Vec::new()))))
    }

    pub fn set(&self, answer: Answer) {
        self.0.lock().unwrap().0 = answer;
    }

    pub fn calls(&self) -> Vec<Call> {
        self.0.lock().unwrap().1.clone()
    }

    fn next(&self, call: Call) -> PersistStatus {
        let mut inner = self.0.lock().unwrap();
        inner.1.push(call);
        match &mut inner.0 {
            Answer::Always(status) => *status,
            Answer::Random { state, percent } => {
                *state ^= *state << 13;
                *state ^= *state >> 7;
                *state ^= *state << 17;
                if *state % 100 < *percent {
                    PersistStatus::InProgress
                } else {
                    PersistStatus::Completed
                }
            }
        }
    }
}

/// Writes through a `MonitorUpdatingPersister` (a write that will "fail" is not made), then
/// answers what the script says: an `InProgress` write is on disk already, only its
/// acknowledgement is late.
pub struct ScriptedPersister {
    pub inner: MonitorUpdatingPersister,
    pub script: Script,
}

impl Persister for ScriptedPersister {
    fn persist_new_channel(
        &mut self,
        channel_id: ChannelId,
        monitor: &dyn PersistableMonitor,
    ) -> PersistStatus {
        let answer = self
            .script
            .next((channel_id, monitor.latest_update_id(), true));
        if answer == PersistStatus::Failed {
            return answer;
        }
        assert_eq!(
            self.inner.persist_new_channel(channel_id, monitor),
            PersistStatus::Completed
        );
        answer
    }

    fn update_persisted_channel(
        &mut self,
        channel_id: ChannelId,
        update: &ChannelMonitorUpdate,
        monitor: &dyn PersistableMonitor,
    ) -> PersistStatus {
        let answer = self.script.next((channel_id, update.update_id, false));
        if answer == PersistStatus::Failed {
            return answer;
        }
        assert_eq!(
            self.inner
                .update_persisted_channel(channel_id, update, monitor),
            PersistStatus::Completed
        );
        answer
    }

    fn persist_manager(&mut self, manager: &[u8]) -> PersistStatus {
        self.inner.persist_manager(manager)
    }
}

/// `Net` with side `a`'s monitor moved into a `ChainMonitor`.
pub struct Harness {
    pub net: Net,
    pub cm: ChainMonitor,
    pub store: SharedStore,
    pub script: Script,
    pub channel_id: ChannelId,
    /// Updates of `a` whose persistence is in progress (not yet given to `update_completed`).
    pub pending: Vec<u64>,
    /// Every update id the chain monitor reported complete, in order.
    pub reported: Vec<u64>,
    /// `a`'s channel events.
    pub a_events: Vec<ChannelEvent>,
    pub cm_events: Vec<ChainMonitorEvent>,
}

impl Harness {
    /// An open channel; `a`'s monitor is watched (and stored) by a chain monitor compacting
    /// every `interval` updates.
    pub fn new(interval: u64, answer: Answer) -> Harness {
        let store = SharedStore::default();
        Self::with_store(interval, answer, Box::new(store.clone()), store)
    }

    /// Like [`new`](Self::new), persisting into `kv` (`store` is kept for the test's use).
    pub fn with_store(
        interval: u64,
        answer: Answer,
        kv: Box<dyn KVStore>,
        store: SharedStore,
    ) -> Harness {
        let mut net = Net::open(false);
        let monitor = net.a.monitor.take().expect("a has a monitor once funded");
        let channel_id = monitor.channel_id();
        let script = Script::new(Answer::Always(PersistStatus::Completed));
        let persister = ScriptedPersister {
            inner: MonitorUpdatingPersister::new(kv, interval),
            script: script.clone(),
        };
        let mut cm = ChainMonitor::new(Box::new(persister));
        assert_eq!(cm.watch_channel(monitor), Ok(PersistStatus::Completed));
        script.set(answer);
        let mut harness = Harness {
            net,
            cm,
            store,
            script,
            channel_id,
            pending: Vec::new(),
            reported: Vec::new(),
            a_events: Vec::new(),
            cm_events: Vec::new(),
        };
        harness.pump_a();
        harness.a_events.clear();
        harness
    }

    /// Routes `a`'s updates into the chain monitor and its completions back to `a`.
    pub fn pump_a(&mut self) {
        while let Some(update) = self.net.a.chan.poll_monitor_update() {
            let status = self.cm.update_channel(&update).expect("update applies");
            if status == PersistStatus::InProgress {
                self.pending.push(update.update_id);
            }
        }
        while let Some((channel_id, update_id)) = self.cm.poll_completed_updates() {
            assert_eq!(channel_id, self.channel_id);
            // Reported only once it and every earlier update are durable, in order, once.
            assert!(
                self.pending.iter().all(|p| *p > update_id),
                "{update_id} reported while {:?} pending",
                self.pending
            );
            if let Some(last) = self.reported.last() {
                assert_eq!(update_id, last + 1, "completions out of order");
            }
            self.reported.push(update_id);
            self.net.a.chan.monitor_update_completed(update_id);
        }
        while let Some(event) = self.net.a.chan.poll_event() {
            self.a_events.push(event);
        }
        while let Some(event) = self.cm.poll_event() {
            self.cm_events.push(event);
        }
    }

    /// Completes the in-progress write at `index` of `pending`.
    pub fn complete(&mut self, index: usize) {
        let update_id = self.pending.remove(index);
        self.cm
            .update_completed(self.channel_id, update_id)
            .expect("was in progress");
        self.pump_a();
    }

    pub fn collect(&mut self) {
        self.pump_a();
        self.net.b.pump(&mut self.net.chain);
        while let Some(m) = self.net.a.chan.poll_message() {
            self.net.a_to_b.push_back(m);
        }
        while let Some(m) = self.net.b.chan.poll_message() {
            self.net.b_to_a.push_back(m);
        }
    }

    /// Delivers one message in the given direction; `false` if none was waiting.
    pub fn step(&mut self, a_to_b: bool) -> bool {
        self.collect();
        let (queue, to): (&mut VecDeque<Message>, _) = if a_to_b {
            (&mut self.net.a_to_b, &mut self.net.b.chan)
        } else {
            (&mut self.net.b_to_a, &mut self.net.a.chan)
        };
        let Some(message) = queue.pop_front() else {
            return false;
        };
        deliver(to, &message)
            .unwrap_or_else(|e| panic!("delivering {} failed: {e:?}", message.msg_type()));
        self.collect();
        true
    }

    /// Delivers every message until quiet (in-progress writes stay in progress).
    pub fn run(&mut self) {
        loop {
            self.collect();
            if !(self.step(true) | self.step(false)) {
                break;
            }
        }
    }
}

impl Harness {
    /// `a` (or `b`) sends an HTLC paying `preimage`'s hash and commits; messages are collected
    /// but not delivered.
    pub fn send(&mut self, from_a: bool, preimage: [u8; 32]) {
        let cltv = self.net.chain.height() + 144;
        let chan = if from_a {
            &mut self.net.a.chan
        } else {
            &mut self.net.b.chan
        };
        chan.send_htlc(2_000_000, payment_hash(preimage), cltv, Box::new([0; 1366]))
            .expect("send_htlc");
        chan.maybe_send_commitment().expect("commit");
        self.collect();
    }

    /// Fulfills every HTLC locked in at `b` whose preimage is among `preimages`, and commits.
    pub fn settle_at_b(&mut self, preimages: &[[u8; 32]]) {
        let locked: Vec<(u64, lightning::wire::PaymentHash)> = self
            .net
            .b
            .events
            .drain(..)
            .filter_map(|e| match e {
                ChannelEvent::HtlcLockedIn {
                    htlc_id,
                    payment_hash,
                    ..
                } => Some((htlc_id, payment_hash)),
                _ => None,
            })
            .collect();
        for (htlc_id, hash) in locked {
            let preimage = preimages
                .iter()
                .find(|p| payment_hash(**p) == hash)
                .expect("known preimage");
            self.net
                .b
                .chan
                .fulfill_htlc(htlc_id, lightning::wire::PaymentPreimage(*preimage))
                .expect("fulfill");
        }
        self.net.b.chan.maybe_send_commitment().expect("commit");
        self.collect();
    }
}
