//! Signer wrappers that count what they are asked: signatures made and verified, ECDH and
//! per-commitment point derivations. They forward every call to the `KeysManager`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bitcoin::secp256k1::ecdh::SharedSecret;
use bitcoin::secp256k1::ecdsa::{RecoverableSignature, Signature};
use bitcoin::secp256k1::{PublicKey, Scalar};
use bitcoin::{ScriptBuf, Transaction};
use lightning::signer_api::keys::{ChannelPublicKeys, PerCommitmentSecret};
use lightning::signer_api::keys_manager::KeysManager;
use lightning::signer_api::traits::{
    ChannelKeysId, ChannelSetup, ChannelSigner, ClosingProposal, CommitmentSignatures,
    JusticeRequest, NodeSigner, SignerProvider, SignerReply, SweepRequest, UnsignedGossip,
};
use lightning::signer_api::tx::CommitmentInputs;

/// What the signers of one node were asked to do.
#[derive(Debug, Default)]
pub struct SignCounters {
    /// ECDSA signatures produced.
    pub signatures_made: AtomicU64,
    /// ECDSA signatures checked (the peer's commitment and HTLC signatures).
    pub signatures_verified: AtomicU64,
    /// ECDH operations of the node key (onion peeling).
    pub ecdh: AtomicU64,
    /// Per-commitment points derived.
    pub points: AtomicU64,
}

/// A snapshot of [`SignCounters`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SignCounts {
    /// ECDSA signatures produced.
    pub signatures_made: u64,
    /// ECDSA signatures checked.
    pub signatures_verified: u64,
    /// ECDH operations.
    pub ecdh: u64,
    /// Per-commitment points derived.
    pub points: u64,
}

impl SignCounts {
    /// The counts since `earlier`.
    pub fn since(&self, earlier: &SignCounts) -> SignCounts {
        SignCounts {
            signatures_made: self.signatures_made - earlier.signatures_made,
            signatures_verified: self.signatures_verified - earlier.signatures_verified,
            ecdh: self.ecdh - earlier.ecdh,
            points: self.points - earlier.points,
        }
    }
}

impl SignCounters {
    /// The counts so far.
    pub fn snapshot(&self) -> SignCounts {
        SignCounts {
            signatures_made: self.signatures_made.load(Ordering::Relaxed),
            signatures_verified: self.signatures_verified.load(Ordering::Relaxed),
            ecdh: self.ecdh.load(Ordering::Relaxed),
            points: self.points.load(Ordering::Relaxed),
        }
    }
}

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

fn count_ready<T>(reply: &SignerReply<T>, counter: &AtomicU64, n: u64) {
    if matches!(reply, SignerReply::Ready(_)) {
        add(counter, n);
    }
}

/// A `KeysManager` whose node and channel signers count their calls.
pub struct CountingKeys {
    inner: KeysManager,
    counters: Arc<SignCounters>,
}

impl CountingKeys {
    /// Wraps `inner`, counting into `counters`.
    pub fn new(inner: KeysManager, counters: Arc<SignCounters>) -> Self {
        CountingKeys { inner, counters }
    }
}

impl NodeSigner for CountingKeys {
    fn node_id(&self) -> PublicKey {
        self.inner.node_id()
    }

    fn ecdh(
        &mut self,
        their_point: &PublicKey,
        tweak: Option<&Scalar>,
    ) -> SignerReply<SharedSecret> {
        let reply = self.inner.ecdh(their_point, tweak);
        count_ready(&reply, &self.counters.ecdh, 1);
        reply
    }

    fn sign_invoice(&mut self, hrp: &str, data: &[u8]) -> SignerReply<RecoverableSignature> {
        let reply = self.inner.sign_invoice(hrp, data);
        count_ready(&reply, &self.counters.signatures_made, 1);
        reply
    }

    fn sign_gossip(&mut self, message: UnsignedGossip<'_>) -> SignerReply<Signature> {
        let reply = self.inner.sign_gossip(message);
        count_ready(&reply, &self.counters.signatures_made, 1);
        reply
    }

    fn sign_message(&mut self, message: &[u8]) -> SignerReply<RecoverableSignature> {
        let reply = self.inner.sign_message(message);
        count_ready(&reply, &self.counters.signatures_made, 1);
        reply
    }
}

impl SignerProvider for CountingKeys {
    fn generate_channel_keys_id(
        &mut self,
        random_bytes: &[u8; 32],
        user_channel_id: u128,
    ) -> ChannelKeysId {
        self.inner
            .generate_channel_keys_id(random_bytes, user_channel_id)
    }

    fn derive_channel_signer(&mut self, channel_keys_id: &ChannelKeysId) -> Box<dyn ChannelSigner> {
        Box::new(CountingChannelSigner {
            inner: self.inner.derive_channel_signer(channel_keys_id),
            counters: self.counters.clone(),
        })
    }

    fn destination_script(&mut self, channel_keys_id: &ChannelKeysId) -> SignerReply<ScriptBuf> {
        self.inner.destination_script(channel_keys_id)
    }

    fn shutdown_script(&mut self, channel_keys_id: &ChannelKeysId) -> SignerReply<ScriptBuf> {
        self.inner.shutdown_script(channel_keys_id)
    }
}

/// A channel signer that counts its signatures and verifications.
struct CountingChannelSigner {
    inner: Box<dyn ChannelSigner>,
    counters: Arc<SignCounters>,
}

impl CountingChannelSigner {
    fn signed<T>(&self, reply: SignerReply<T>) -> SignerReply<T> {
        count_ready(&reply, &self.counters.signatures_made, 1);
        reply
    }
}

impl ChannelSigner for CountingChannelSigner {
    fn channel_keys_id(&self) -> ChannelKeysId {
        self.inner.channel_keys_id()
    }

    fn public_keys(&mut self) -> SignerReply<ChannelPublicKeys> {
        self.inner.public_keys()
    }

    fn per_commitment_point(&mut self, commitment_number: u64) -> SignerReply<PublicKey> {
        let reply = self.inner.per_commitment_point(commitment_number);
        count_ready(&reply, &self.counters.points, 1);
        reply
    }

    fn release_commitment_secret(
        &mut self,
        commitment_number: u64,
    ) -> SignerReply<PerCommitmentSecret> {
        self.inner.release_commitment_secret(commitment_number)
    }

    fn validate_holder_commitment(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        counterparty_signatures: &CommitmentSignatures,
    ) -> SignerReply<()> {
        let reply =
            self.inner
                .validate_holder_commitment(setup, commitment, counterparty_signatures);
        let checked = 1 + counterparty_signatures.htlcs.len() as u64;
        count_ready(&reply, &self.counters.signatures_verified, checked);
        reply
    }

    fn validate_counterparty_revocation(
        &mut self,
        setup: &ChannelSetup,
        commitment_number: u64,
        per_commitment_secret: &PerCommitmentSecret,
    ) -> SignerReply<()> {
        self.inner
            .validate_counterparty_revocation(setup, commitment_number, per_commitment_secret)
    }

    fn sign_counterparty_commitment(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        per_commitment_point: &PublicKey,
    ) -> SignerReply<CommitmentSignatures> {
        let reply =
            self.inner
                .sign_counterparty_commitment(setup, commitment, per_commitment_point);
        if let SignerReply::Ready(signatures) = &reply {
            add(
                &self.counters.signatures_made,
                1 + signatures.htlcs.len() as u64,
            );
        }
        reply
    }

    fn sign_holder_commitment(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
    ) -> SignerReply<Signature> {
        let reply = self.inner.sign_holder_commitment(setup, commitment);
        self.signed(reply)
    }

    fn sign_holder_htlc_transaction(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        htlc_position: usize,
        tx: &Transaction,
        input_index: usize,
    ) -> SignerReply<Signature> {
        let reply = self.inner.sign_holder_htlc_transaction(
            setup,
            commitment,
            htlc_position,
            tx,
            input_index,
        );
        self.signed(reply)
    }

    fn sign_closing_transaction(
        &mut self,
        setup: &ChannelSetup,
        proposal: &ClosingProposal,
    ) -> SignerReply<Signature> {
        let reply = self.inner.sign_closing_transaction(setup, proposal);
        self.signed(reply)
    }

    fn sign_justice_input(
        &mut self,
        setup: &ChannelSetup,
        input: &JusticeRequest<'_>,
    ) -> SignerReply<Signature> {
        let reply = self.inner.sign_justice_input(setup, input);
        self.signed(reply)
    }

    fn sign_sweep_input(
        &mut self,
        setup: &ChannelSetup,
        input: &SweepRequest<'_>,
    ) -> SignerReply<Signature> {
        let reply = self.inner.sign_sweep_input(setup, input);
        self.signed(reply)
    }

    fn sign_anchor_input(
        &mut self,
        setup: &ChannelSetup,
        tx: &Transaction,
        input_index: usize,
    ) -> SignerReply<Signature> {
        let reply = self.inner.sign_anchor_input(setup, tx, input_index);
        self.signed(reply)
    }

    fn sign_channel_announcement(
        &mut self,
        setup: &ChannelSetup,
        signed_bytes: &[u8],
    ) -> SignerReply<Signature> {
        let reply = self.inner.sign_channel_announcement(setup, signed_bytes);
        self.signed(reply)
    }
}
