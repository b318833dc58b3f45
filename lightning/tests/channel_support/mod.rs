//! A tiny harness driving two `Channel`s against each other: it moves `poll_message()` output
//! from one to the other's `handle_*`, collects events, and completes monitor updates at once
//! or later (held).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bitcoin::absolute::LockTime;
use bitcoin::hashes::{sha256, Hash};
use bitcoin::transaction::Version;
use bitcoin::{Amount, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Witness};
use lightning::channel::{
    Channel, ChannelConfig, ChannelError, ChannelEvent, ChannelPhase, InboundParams, OutboundParams,
};
use lightning::monitor::update::ChannelMonitorUpdate;
use lightning::util::logger::NoopLogger;
use lightning::wire::features::{ChannelTypeFeatures, Feature, InitFeatures};
use lightning::wire::{
    ChainHash, ChannelId, Message, PaymentHash, PaymentPreimage, ShortChannelId,
};
use lightning_signer_api::keys_manager::KeysManager;
use lightning_signer_api::traits::{ChannelKeysId, SignerProvider};

pub const FUNDING_SATOSHIS: u64 = 1_000_000;
pub const FEERATE: u32 = 1_000;

/// One side: its channel, the updates it holds back, what it emitted.
pub struct Node {
    pub chan: Channel,
    /// When set, monitor updates are kept in `held` instead of being completed at once.
    pub hold_updates: bool,
    pub held: Vec<u64>,
    pub updates: Vec<ChannelMonitorUpdate>,
    pub events: Vec<ChannelEvent>,
    pub shutdown_script: ScriptBuf,
}

impl Node {
    /// Drains updates (completing them unless held) and events.
    pub fn pump(&mut self) {
        while let Some(update) = self.chan.poll_monitor_update() {
            let encoded = update.encode();
            assert_eq!(ChannelMonitorUpdate::decode(&encoded).as_ref(), Ok(&update));
            if self.hold_updates {
                self.held.push(update.update_id);
            } else {
                self.chan.monitor_update_completed(update.update_id);
            }
            self.updates.push(update);
        }
        while let Some(event) = self.chan.poll_event() {
            self.events.push(event);
        }
    }

    /// Completes every held update, in the given order of indices into `held` (all if `None`).
    pub fn complete_held(&mut self) {
        for id in std::mem::take(&mut self.held) {
            self.chan.monitor_update_completed(id);
        }
        self.pump();
    }

    pub fn take_events(&mut self) -> Vec<ChannelEvent> {
        self.pump();
        std::mem::take(&mut self.events)
    }
}

/// Two channels and the messages in flight each way.
pub struct Pair {
    pub a: Node,
    pub b: Node,
    pub a_to_b: VecDeque<Message>,
    pub b_to_a: VecDeque<Message>,
}

/// Delivers one message to a channel.
pub fn deliver(chan: &mut Channel, message: &Message) -> Result<(), ChannelError> {
    match message {
        Message::AcceptChannel(m) => chan.handle_accept_channel(m),
        Message::FundingCreated(m) => chan.handle_funding_created(m),
        Message::FundingSigned(m) => chan.handle_funding_signed(m),
        Message::ChannelReady(m) => chan.handle_channel_ready(m),
        Message::UpdateAddHtlc(m) => chan.handle_update_add_htlc(m),
        Message::UpdateFulfillHtlc(m) => chan.handle_update_fulfill_htlc(m),
        Message::UpdateFailHtlc(m) => chan.handle_update_fail_htlc(m),
        Message::UpdateFailMalformedHtlc(m) => chan.handle_update_fail_malformed_htlc(m),
        Message::UpdateFee(m) => chan.handle_update_fee(m),
        Message::CommitmentSigned(m) => chan.handle_commitment_signed(m),
        Message::RevokeAndAck(m) => chan.handle_revoke_and_ack(m),
        Message::Shutdown(m) => chan.handle_shutdown(m),
        Message::ClosingSigned(m) => chan.handle_closing_signed(m),
        other => panic!("unexpected message {}", other.msg_type()),
    }
}

pub fn init_features(anchors: bool) -> InitFeatures {
    let mut features = InitFeatures::empty();
    features.set_optional(Feature::StaticRemoteKey);
    if anchors {
        features.set_optional(Feature::AnchorsZeroFeeHtlcTx);
    }
    features
}

pub fn signer(seed: u8) -> Box<dyn lightning_signer_api::traits::ChannelSigner> {
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

/// Options for a test channel.
#[derive(Clone)]
pub struct Options {
    pub anchors: bool,
    pub push_msat: u64,
    pub config_a: ChannelConfig,
    pub config_b: ChannelConfig,
    pub funding_satoshis: u64,
    /// When set, `a`'s signer answers `Pending` for commitment signatures and secrets while
    /// the flag is true.
    pub a_signer_pending: Option<Arc<AtomicBool>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            anchors: false,
            push_msat: 300_000_000,
            config_a: ChannelConfig::default(),
            config_b: ChannelConfig::default(),
            funding_satoshis: FUNDING_SATOSHIS,
            a_signer_pending: None,
        }
    }
}

impl Pair {
    /// `a` opens to `b`; runs until `open_channel` is accepted (no funding yet).
    pub fn negotiate(options: &Options) -> Pair {
        let channel_type = if options.anchors {
            ChannelTypeFeatures::anchors_zero_fee_htlc_tx()
        } else {
            ChannelTypeFeatures::static_remote_key()
        };
        let mut a = Channel::new_outbound(OutboundParams {
            counterparty_node_id: node_id(2),
            funding_satoshis: options.funding_satoshis,
            push_msat: options.push_msat,
            user_channel_id: 7,
            temporary_channel_id: ChannelId([9; 32]),
            feerate_per_kw: FEERATE,
            channel_type,
            config: options.config_a.clone(),
            signer: match &options.a_signer_pending {
                Some(flag) => Box::new(PausingSigner {
                    inner: signer(11),
                    pending: flag.clone(),
                }),
                None => signer(11),
            },
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
                config: options.config_b.clone(),
                signer: signer(12),
                shutdown_script: Some(p2wpkh_script(22)),
                our_init_features: init_features(options.anchors),
                their_init_features: init_features(options.anchors),
                chain_hash: ChainHash::BITCOIN,
                current_height: 100,
                logger: Arc::new(NoopLogger),
            },
            &open,
        )
        .expect("inbound channel");
        let node = |chan, script| Node {
            chan,
            hold_updates: false,
            held: Vec::new(),
            updates: Vec::new(),
            events: Vec::new(),
            shutdown_script: script,
        };
        Pair {
            a: node(a, p2wpkh_script(21)),
            b: node(b, p2wpkh_script(22)),
            a_to_b: VecDeque::new(),
            b_to_a: VecDeque::new(),
        }
    }

    /// A fully open channel (both `channel_ready`s exchanged).
    pub fn open(options: &Options) -> Pair {
        let mut pair = Pair::negotiate(options);
        pair.run();
        let events = pair.a.take_events();
        let Some(ChannelEvent::FundingGenerationReady {
            output_script,
            funding_satoshis,
            ..
        }) = events.first()
        else {
            panic!("funding generation expected, got {events:?}");
        };
        let tx = funding_transaction(output_script.clone(), *funding_satoshis);
        pair.a
            .chan
            .funding_transaction_generated(tx.clone(), 1)
            .expect("funding accepted");
        pair.run();
        assert!(pair
            .a
            .take_events()
            .contains(&ChannelEvent::BroadcastFunding(tx)));
        let scid = ShortChannelId::new(500, 1, 1).expect("valid");
        pair.a.chan.funding_depth(6, scid).expect("depth");
        pair.b.chan.funding_depth(6, scid).expect("depth");
        pair.run();
        assert_eq!(pair.a.chan.phase(), ChannelPhase::Normal);
        assert_eq!(pair.b.chan.phase(), ChannelPhase::Normal);
        assert!(pair.a.take_events().contains(&ChannelEvent::Ready));
        assert!(pair.b.take_events().contains(&ChannelEvent::Ready));
        pair
    }

    /// Moves everything that may leave each side into the in-flight queues.
    pub fn collect(&mut self) {
        self.a.pump();
        self.b.pump();
        while let Some(m) = self.a.chan.poll_message() {
            self.a_to_b.push_back(m);
        }
        while let Some(m) = self.b.chan.poll_message() {
            self.b_to_a.push_back(m);
        }
    }

    /// Delivers one message a → b (`true`) or b → a; panics on a channel error.
    pub fn step(&mut self, a_to_b: bool) -> bool {
        self.collect();
        let (queue, to) = if a_to_b {
            (&mut self.a_to_b, &mut self.b)
        } else {
            (&mut self.b_to_a, &mut self.a)
        };
        let Some(message) = queue.pop_front() else {
            return false;
        };
        if let Err(e) = deliver(&mut to.chan, &message) {
            panic!("delivering {} failed: {e:?}", message.msg_type());
        }
        self.collect();
        true
    }

    /// Delivers everything, alternating, until nothing is in flight.
    pub fn run(&mut self) {
        loop {
            self.collect();
            let progressed = self.step(true) | self.step(false);
            if !progressed {
                break;
            }
        }
    }

    /// Sends an HTLC from `a` (`from_a`) or `b` for `preimage`'s hash.
    pub fn send(&mut self, from_a: bool, amount_msat: u64, preimage: [u8; 32]) -> u64 {
        let node = if from_a { &mut self.a } else { &mut self.b };
        node.chan
            .send_htlc(
                amount_msat,
                payment_hash(preimage),
                600_000,
                Box::new([0; 1366]),
            )
            .expect("send_htlc")
    }

    /// Both sides' balances, HTLC counts and commitment numbers agree (mirrored).
    pub fn assert_agree(&self) {
        let a = self.a.chan.balances();
        let b = self.b.chan.balances();
        assert_eq!(a.to_holder_msat, b.to_counterparty_msat);
        assert_eq!(a.to_counterparty_msat, b.to_holder_msat);
        assert_eq!(a.pending_htlcs, b.pending_htlcs);
    }
}

pub fn payment_hash(preimage: [u8; 32]) -> PaymentHash {
    PaymentHash(sha256::Hash::hash(&preimage).to_byte_array())
}

pub fn preimage(n: u8) -> PaymentPreimage {
    PaymentPreimage([n; 32])
}

/// A transaction paying `value` to `script` at output 1 (output 0 is change).
pub fn funding_transaction(script: ScriptBuf, value: u64) -> Transaction {
    Transaction {
        version: Version::TWO,
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint {
                txid: bitcoin::Txid::from_byte_array([5; 32]),
                vout: 0,
            },
            script_sig: ScriptBuf::new(),
            sequence: Sequence::MAX,
            witness: Witness::new(),
        }],
        output: vec![
            TxOut {
                value: Amount::from_sat(12_345),
                script_pubkey: p2wpkh_script(30),
            },
            TxOut {
                value: Amount::from_sat(value),
                script_pubkey: script,
            },
        ],
    }
}

/// A signer that answers `Pending` for commitment signatures (the peer's and ours), secrets and
/// points while its flag is set, and delegates everything else.
pub struct PausingSigner {
    pub inner: Box<dyn lightning_signer_api::traits::ChannelSigner>,
    pub pending: Arc<AtomicBool>,
}

use bitcoin::secp256k1::{ecdsa::Signature, PublicKey};
use lightning_signer_api::keys::{ChannelPublicKeys, PerCommitmentSecret};
use lightning_signer_api::traits::{
    ChannelSetup, ChannelSigner, ClosingProposal, CommitmentSignatures, JusticeRequest,
    SignerReply, SweepRequest,
};
use lightning_signer_api::tx::CommitmentInputs;

impl PausingSigner {
    fn paused(&self) -> bool {
        self.pending.load(Ordering::SeqCst)
    }
}

impl ChannelSigner for PausingSigner {
    fn channel_keys_id(&self) -> ChannelKeysId {
        self.inner.channel_keys_id()
    }
    fn public_keys(&mut self) -> SignerReply<ChannelPublicKeys> {
        self.inner.public_keys()
    }
    fn per_commitment_point(&mut self, n: u64) -> SignerReply<PublicKey> {
        if self.paused() && n > 0 {
            return SignerReply::Pending;
        }
        self.inner.per_commitment_point(n)
    }
    fn release_commitment_secret(&mut self, n: u64) -> SignerReply<PerCommitmentSecret> {
        if self.paused() {
            return SignerReply::Pending;
        }
        self.inner.release_commitment_secret(n)
    }
    fn validate_holder_commitment(
        &mut self,
        s: &ChannelSetup,
        c: &CommitmentInputs,
        sigs: &CommitmentSignatures,
    ) -> SignerReply<()> {
        self.inner.validate_holder_commitment(s, c, sigs)
    }
    fn validate_counterparty_revocation(
        &mut self,
        s: &ChannelSetup,
        n: u64,
        secret: &PerCommitmentSecret,
    ) -> SignerReply<()> {
        self.inner.validate_counterparty_revocation(s, n, secret)
    }
    fn sign_counterparty_commitment(
        &mut self,
        s: &ChannelSetup,
        c: &CommitmentInputs,
        point: &PublicKey,
    ) -> SignerReply<CommitmentSignatures> {
        if self.paused() {
            return SignerReply::Pending;
        }
        self.inner.sign_counterparty_commitment(s, c, point)
    }
    fn sign_holder_commitment(
        &mut self,
        s: &ChannelSetup,
        c: &CommitmentInputs,
    ) -> SignerReply<Signature> {
        if self.paused() {
            return SignerReply::Pending;
        }
        self.inner.sign_holder_commitment(s, c)
    }
    fn sign_holder_htlc_transaction(
        &mut self,
        s: &ChannelSetup,
        c: &CommitmentInputs,
        htlc: usize,
        tx: &Transaction,
        input: usize,
    ) -> SignerReply<Signature> {
        self.inner
            .sign_holder_htlc_transaction(s, c, htlc, tx, input)
    }
    fn sign_closing_transaction(
        &mut self,
        s: &ChannelSetup,
        p: &ClosingProposal,
    ) -> SignerReply<Signature> {
        if self.paused() {
            return SignerReply::Pending;
        }
        self.inner.sign_closing_transaction(s, p)
    }
    fn sign_justice_input(
        &mut self,
        s: &ChannelSetup,
        r: &JusticeRequest<'_>,
    ) -> SignerReply<Signature> {
        self.inner.sign_justice_input(s, r)
    }
    fn sign_sweep_input(
        &mut self,
        s: &ChannelSetup,
        r: &SweepRequest<'_>,
    ) -> SignerReply<Signature> {
        self.inner.sign_sweep_input(s, r)
    }
    fn sign_anchor_input(
        &mut self,
        s: &ChannelSetup,
        tx: &Transaction,
        input: usize,
    ) -> SignerReply<Signature> {
        self.inner.sign_anchor_input(s, tx, input)
    }
    fn sign_channel_announcement(
        &mut self,
        s: &ChannelSetup,
        bytes: &[u8],
    ) -> SignerReply<Signature> {
        self.inner.sign_channel_announcement(s, bytes)
    }
}
