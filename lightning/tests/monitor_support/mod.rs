//! Two `Channel`s driven against each other on a `SimChain`, each with a `ChannelMonitor`
//! fed every monitor update its channel emits (the approach of `channel_support`, with a real
//! funding transaction so the chain can mine the commitments and claims).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::Arc;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::{Amount, ScriptBuf, Transaction};
use lightning::channel::{
    Channel, ChannelConfig, ChannelError, ChannelEvent, ChannelPhase, InboundParams, OutboundParams,
};
use lightning::monitor::update::ChannelMonitorUpdate;
use lightning::monitor::{ChannelMonitor, MonitorEvent};
use lightning::testkit::{ListenerId, SimChain, SimWallet};
use lightning::util::logger::NoopLogger;
use lightning::wire::features::{ChannelTypeFeatures, Feature, InitFeatures};
use lightning::wire::{
    ChainHash, ChannelId, Message, PaymentHash, PaymentPreimage, ShortChannelId,
};
use lightning_signer_api::keys_manager::KeysManager;
use lightning_signer_api::traits::{ChannelKeysId, ChannelSigner, SignerProvider};

pub const FUNDING_SATOSHIS: u64 = 1_000_000;
pub const FEERATE: u32 = 1_000;
pub const CLAIM_FEERATE: u32 = 2_000;
pub const TO_SELF_DELAY: u16 = 20;

pub fn signer(seed: u8) -> Box<dyn ChannelSigner> {
    let mut manager = KeysManager::new(&[seed; 32]).expect("valid seed");
    manager.derive_channel_signer(&ChannelKeysId([seed; 32]))
}

pub fn node_id(seed: u8) -> bitcoin::secp256k1::PublicKey {
    let secret = bitcoin::secp256k1::SecretKey::from_slice(&[seed; 32]).expect("valid");
    bitcoin::secp256k1::PublicKey::from_secret_key(&bitcoin::secp256k1::Secp256k1::new(), &secret)
}

pub fn p2wpkh_script(seed: u8) -> ScriptBuf {
    let key = bitcoin::CompressedPublicKey(node_id(seed));
    ScriptBuf::new_p2wpkh(&key.wpubkey_hash())
}

pub fn init_features(anchors: bool) -> InitFeatures {
    let mut features = InitFeatures::empty();
    features.set_optional(Feature::StaticRemoteKey);
    if anchors {
        features.set_optional(Feature::AnchorsZeroFeeHtlcTx);
    }
    features
}

pub fn payment_hash(preimage: [u8; 32]) -> PaymentHash {
    PaymentHash(sha256::Hash::hash(&preimage).to_byte_array())
}

/// One side: its channel, its monitor, and what both emitted.
pub struct Side {
    pub seed: u8,
    pub chan: Channel,
    pub monitor: Option<ChannelMonitor>,
    pub listener: Option<ListenerId>,
    pub destination: ScriptBuf,
    pub updates: Vec<ChannelMonitorUpdate>,
    pub events: Vec<ChannelEvent>,
    pub monitor_events: Vec<MonitorEvent>,
    /// Whether the monitor's broadcasts reach the chain.
    pub online: bool,
}

impl Side {
    pub fn monitor(&mut self) -> &mut ChannelMonitor {
        self.monitor.as_mut().expect("monitor exists once funded")
    }

    /// Feeds every new monitor update to the monitor (creating it from update 0) and
    /// completes it on the channel; collects channel events.
    pub fn pump(&mut self, chain: &mut SimChain) {
        while let Some(update) = self.chan.poll_monitor_update() {
            match &mut self.monitor {
                None => {
                    let mut monitor = ChannelMonitor::new(
                        &update,
                        signer(self.seed),
                        self.destination.clone(),
                        chain.tip(),
                    )
                    .expect("monitor from update 0");
                    monitor.set_feerate(CLAIM_FEERATE);
                    self.listener = Some(chain.register_listener(monitor.best_block()).unwrap());
                    self.monitor = Some(monitor);
                }
                Some(monitor) => monitor.update(&update).expect("update applies"),
            }
            self.chan.monitor_update_completed(update.update_id);
            self.updates.push(update);
        }
        while let Some(event) = self.chan.poll_event() {
            self.events.push(event);
        }
    }

    /// Syncs the monitor with the chain, relays its broadcasts (if online), collects events.
    pub fn sync(&mut self, chain: &mut SimChain) {
        let (Some(monitor), Some(listener)) = (self.monitor.as_mut(), self.listener) else {
            return;
        };
        chain.sync_confirm(listener, monitor).expect("sync");
        while let Some(tx) = monitor.poll_broadcast() {
            if self.online {
                chain.broadcast(tx);
            }
        }
        while let Some(event) = monitor.poll_event() {
            self.monitor_events.push(event);
        }
    }

    pub fn take_monitor_events(&mut self) -> Vec<MonitorEvent> {
        std::mem::take(&mut self.monitor_events)
    }
}

/// The two sides, the chain and the messages in flight.
pub struct Net {
    pub chain: SimChain,
    pub wallet: SimWallet,
    pub a: Side,
    pub b: Side,
    pub a_to_b: VecDeque<Message>,
    pub b_to_a: VecDeque<Message>,
    pub funding_tx: Option<Transaction>,
}

pub fn deliver(chan: &mut Channel, message: &Message) -> Result<(), ChannelError> {
    match message {
        Message::AcceptChannel(m) => chan.handle_accept_channel(m),
        Message::FundingCreated(m) => chan.handle_funding_created(m),
        Message::FundingSigned(m) => chan.handle_funding_signed(m),
        Message::ChannelReady(m) => chan.handle_channel_ready(m),
        Message::UpdateAddHtlc(m) => chan.handle_update_add_htlc(m),
        Message::UpdateFulfillHtlc(m) => chan.handle_update_fulfill_htlc(m),
        Message::UpdateFailHtlc(m) => chan.handle_update_fail_htlc(m),
        Message::UpdateFee(m) => chan.handle_update_fee(m),
        Message::CommitmentSigned(m) => chan.handle_commitment_signed(m),
        Message::RevokeAndAck(m) => chan.handle_revoke_and_ack(m),
        Message::Shutdown(m) => chan.handle_shutdown(m),
        Message::ClosingSigned(m) => chan.handle_closing_signed(m),
        other => panic!("unexpected message {}", other.msg_type()),
    }
}

fn config() -> ChannelConfig {
    ChannelConfig {
        to_self_delay: TO_SELF_DELAY,
        ..ChannelConfig::default()
    }
}

impl Net {
    /// `a` opens a funded, ready channel to `b` on a fresh chain.
    pub fn open(anchors: bool) -> Net {
        let mut chain = SimChain::new();
        chain.set_all_feerates(FEERATE);
        let wallet = SimWallet::new([40; 32]);
        chain.fund_address(
            wallet.script_pubkey(),
            Amount::from_sat(2 * FUNDING_SATOSHIS),
        );
        chain.mine_empty_blocks(100);
        let channel_type = if anchors {
            ChannelTypeFeatures::anchors_zero_fee_htlc_tx()
        } else {
            ChannelTypeFeatures::static_remote_key()
        };
        let mut a = Channel::new_outbound(OutboundParams {
            counterparty_node_id: node_id(2),
            funding_satoshis: FUNDING_SATOSHIS,
            push_msat: 300_000_000,
            user_channel_id: 7,
            temporary_channel_id: ChannelId([9; 32]),
            feerate_per_kw: FEERATE,
            channel_type,
            config: config(),
            signer: signer(11),
            shutdown_script: Some(p2wpkh_script(21)),
            chain_hash: ChainHash::BITCOIN,
            logger: Arc::new(NoopLogger),
        })
        .expect("outbound channel");
        let Some(Message::OpenChannel(open)) = a.poll_message() else {
            panic!("open_channel expected");
        };
        let b = Channel::new_inbound(
            InboundParams {
                counterparty_node_id: node_id(1),
                user_channel_id: 8,
                config: config(),
                signer: signer(12),
                shutdown_script: Some(p2wpkh_script(22)),
                our_init_features: init_features(anchors),
                their_init_features: init_features(anchors),
                chain_hash: ChainHash::BITCOIN,
                current_height: chain.height(),
                logger: Arc::new(NoopLogger),
            },
            &open,
        )
        .expect("inbound channel");
        let side = |seed, chan, destination| Side {
            seed,
            chan,
            monitor: None,
            listener: None,
            destination,
            updates: Vec::new(),
            events: Vec::new(),
            monitor_events: Vec::new(),
            online: true,
        };
        let mut net = Net {
            chain,
            wallet,
            a: side(11, a, p2wpkh_script(31)),
            b: side(12, b, p2wpkh_script(32)),
            a_to_b: VecDeque::new(),
            b_to_a: VecDeque::new(),
            funding_tx: None,
        };
        net.run();
        net.fund();
        net
    }

    fn fund(&mut self) {
        let events = std::mem::take(&mut self.a.events);
        let Some(ChannelEvent::FundingGenerationReady {
            output_script,
            funding_satoshis,
            ..
        }) = events.first()
        else {
            panic!("funding generation expected, got {events:?}");
        };
        let tx = self
            .wallet
            .create_payment(
                &self.chain,
                output_script,
                Amount::from_sat(*funding_satoshis),
                FEERATE,
            )
            .expect("wallet pays");
        let vout = tx
            .output
            .iter()
            .position(|o| o.script_pubkey == *output_script)
            .expect("funding output") as u16;
        self.a
            .chan
            .funding_transaction_generated(tx.clone(), vout)
            .expect("funding accepted");
        self.run();
        assert!(self
            .a
            .events
            .contains(&ChannelEvent::BroadcastFunding(tx.clone())));
        self.chain.broadcast(tx.clone());
        self.chain.mine_blocks(6);
        let height = self.chain.tip().height - 5;
        let scid = ShortChannelId::new(height, 1, vout).expect("valid");
        self.a.chan.funding_depth(6, scid).expect("depth");
        self.b.chan.funding_depth(6, scid).expect("depth");
        self.run();
        assert_eq!(self.a.chan.phase(), ChannelPhase::Normal);
        assert_eq!(self.b.chan.phase(), ChannelPhase::Normal);
        self.funding_tx = Some(tx);
        self.sync();
    }

    /// Moves updates into the monitors and messages into the queues.
    pub fn collect(&mut self) {
        self.a.pump(&mut self.chain);
        self.b.pump(&mut self.chain);
        while let Some(m) = self.a.chan.poll_message() {
            self.a_to_b.push_back(m);
        }
        while let Some(m) = self.b.chan.poll_message() {
            self.b_to_a.push_back(m);
        }
    }

    fn step(&mut self, a_to_b: bool) -> bool {
        self.collect();
        let (queue, to) = if a_to_b {
            (&mut self.a_to_b, &mut self.b)
        } else {
            (&mut self.b_to_a, &mut self.a)
        };
        let Some(message) = queue.pop_front() else {
            return false;
        };
        deliver(&mut to.chan, &message)
            .unwrap_or_else(|e| panic!("delivering {} failed: {e:?}", message.msg_type()));
        self.collect();
        true
    }

    /// Delivers every message until quiet.
    pub fn run(&mut self) {
        loop {
            self.collect();
            if !(self.step(true) | self.step(false)) {
                break;
            }
        }
    }

    /// Drops every message in flight (the peer went offline).
    pub fn drop_messages(&mut self) {
        self.collect();
        self.a_to_b.clear();
        self.b_to_a.clear();
    }

    /// Sends an HTLC from `a` (or `b`), commits it on both sides; returns its id at the
    /// receiver (from `HtlcLockedIn`).
    pub fn send(&mut self, from_a: bool, amount_msat: u64, preimage: [u8; 32], cltv: u32) -> u64 {
        let (sender, receiver) = if from_a {
            (&mut self.a, &mut self.b)
        } else {
            (&mut self.b, &mut self.a)
        };
        receiver.events.clear();
        sender
            .chan
            .send_htlc(
                amount_msat,
                payment_hash(preimage),
                cltv,
                Box::new([0; 1366]),
            )
            .expect("send_htlc");
        sender.chan.maybe_send_commitment().expect("commit");
        self.run();
        let receiver = if from_a { &mut self.b } else { &mut self.a };
        receiver
            .events
            .iter()
            .find_map(|e| match e {
                ChannelEvent::HtlcLockedIn {
                    htlc_id,
                    payment_hash: hash,
                    ..
                } if *hash == payment_hash(preimage) => Some(*htlc_id),
                _ => None,
            })
            .expect("HTLC locked in")
    }

    /// Syncs both monitors with the chain.
    pub fn sync(&mut self) {
        self.a.sync(&mut self.chain);
        self.b.sync(&mut self.chain);
    }

    /// Mines `n` blocks one by one, syncing the monitors after each.
    pub fn mine(&mut self, n: u32) {
        for _ in 0..n {
            self.chain.mine_blocks(1);
            self.sync();
        }
    }
}

/// The fee `tx` pays, given the values of the outputs it spends.
pub fn fee_of(chain: &SimChain, tx: &Transaction) -> u64 {
    let inputs: u64 = tx
        .input
        .iter()
        .map(|input| {
            let (_, parent) = chain
                .confirmed_transaction(&input.previous_output.txid)
                .expect("parent confirmed");
            parent.output[input.previous_output.vout as usize]
                .value
                .to_sat()
        })
        .sum();
    let outputs: u64 = tx.output.iter().map(|o| o.value.to_sat()).sum();
    inputs - outputs
}

pub fn preimage(n: u8) -> PaymentPreimage {
    PaymentPreimage([n; 32])
}

/// Whether `events` holds a spendable output event paying `amount`.
pub fn spendable_total(events: &[MonitorEvent]) -> u64 {
    events
        .iter()
        .filter_map(|e| match e {
            MonitorEvent::SpendableOutputs { outputs, .. } => {
                Some(outputs.iter().map(|o| o.output.value.to_sat()).sum::<u64>())
            }
            _ => None,
        })
        .sum()
}
