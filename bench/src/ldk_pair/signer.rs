//! LDK's `InMemorySigner` wrapped to count the signatures it makes, and a `SignerProvider`
//! over LDK's `KeysManager` that hands out the wrapped signers. (LDK checks the peer's
//! signatures in its channel code, not through the signer, so verifications are not counted.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bitcoin::secp256k1::ecdsa::Signature;
use bitcoin::secp256k1::{All, PublicKey, Secp256k1, SecretKey};
use bitcoin::{ScriptBuf, Transaction, Txid};
use ldk::ln::chan_utils::{
    ChannelPublicKeys, ChannelTransactionParameters, ClosingTransaction, CommitmentTransaction,
    HTLCOutputInCommitment, HolderCommitmentTransaction,
};
use ldk::ln::msgs::UnsignedChannelAnnouncement;
use ldk::ln::script::ShutdownScript;
use ldk::sign::ecdsa::EcdsaChannelSigner;
use ldk::sign::{ChannelSigner, HTLCDescriptor, InMemorySigner, KeysManager, SignerProvider};
use ldk::types::payment::PaymentPreimage;

/// Signatures made by one LDK node's channel signers.
#[derive(Debug, Default)]
pub struct LdkSignCounters {
    /// ECDSA signatures produced.
    pub signatures_made: AtomicU64,
    /// Per-commitment points derived.
    pub points: AtomicU64,
}

/// LDK's channel signer, counting its signatures.
pub struct CountingLdkSigner {
    inner: InMemorySigner,
    counters: Arc<LdkSignCounters>,
}

impl CountingLdkSigner {
    fn count<T>(&self, result: Result<T, ()>, n: u64) -> Result<T, ()> {
        if result.is_ok() {
            self.counters
                .signatures_made
                .fetch_add(n, Ordering::Relaxed);
        }
        result
    }
}

impl ChannelSigner for CountingLdkSigner {
    fn get_per_commitment_point(&self, idx: u64, secp: &Secp256k1<All>) -> Result<PublicKey, ()> {
        let result = self.inner.get_per_commitment_point(idx, secp);
        if result.is_ok() {
            self.counters.points.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    fn release_commitment_secret(&self, idx: u64) -> Result<[u8; 32], ()> {
        self.inner.release_commitment_secret(idx)
    }

    fn validate_holder_commitment(
        &self,
        holder_tx: &HolderCommitmentTransaction,
        outbound_htlc_preimages: Vec<PaymentPreimage>,
    ) -> Result<(), ()> {
        self.inner
            .validate_holder_commitment(holder_tx, outbound_htlc_preimages)
    }

    fn validate_counterparty_revocation(&self, idx: u64, secret: &SecretKey) -> Result<(), ()> {
        self.inner.validate_counterparty_revocation(idx, secret)
    }

    fn pubkeys(&self, secp: &Secp256k1<All>) -> ChannelPublicKeys {
        self.inner.pubkeys(secp)
    }

    fn new_funding_pubkey(&self, parent: Txid, secp: &Secp256k1<All>) -> PublicKey {
        self.inner.new_funding_pubkey(parent, secp)
    }

    fn channel_keys_id(&self) -> [u8; 32] {
        self.inner.channel_keys_id()
    }
}

impl EcdsaChannelSigner for CountingLdkSigner {
    fn sign_counterparty_commitment(
        &self,
        params: &ChannelTransactionParameters,
        commitment_tx: &CommitmentTransaction,
        inbound_htlc_preimages: Vec<PaymentPreimage>,
        outbound_htlc_preimages: Vec<PaymentPreimage>,
        secp: &Secp256k1<All>,
    ) -> Result<(Signature, Vec<Signature>), ()> {
        let result = self.inner.sign_counterparty_commitment(
            params,
            commitment_tx,
            inbound_htlc_preimages,
            outbound_htlc_preimages,
            secp,
        );
        let n = result
            .as_ref()
            .map_or(0, |(_, htlcs)| 1 + htlcs.len() as u64);
        self.count(result, n)
    }

    fn sign_holder_commitment(
        &self,
        params: &ChannelTransactionParameters,
        commitment_tx: &HolderCommitmentTransaction,
        secp: &Secp256k1<All>,
    ) -> Result<Signature, ()> {
        let result = self
            .inner
            .sign_holder_commitment(params, commitment_tx, secp);
        self.count(result, 1)
    }

    fn sign_justice_revoked_output(
        &self,
        params: &ChannelTransactionParameters,
        justice_tx: &Transaction,
        input: usize,
        amount: u64,
        per_commitment_key: &SecretKey,
        secp: &Secp256k1<All>,
    ) -> Result<Signature, ()> {
        let result = self.inner.sign_justice_revoked_output(
            params,
            justice_tx,
            input,
            amount,
            per_commitment_key,
            secp,
        );
        self.count(result, 1)
    }

    fn sign_justice_revoked_htlc(
        &self,
        params: &ChannelTransactionParameters,
        justice_tx: &Transaction,
        input: usize,
        amount: u64,
        per_commitment_key: &SecretKey,
        htlc: &HTLCOutputInCommitment,
        secp: &Secp256k1<All>,
    ) -> Result<Signature, ()> {
        let result = self.inner.sign_justice_revoked_htlc(
            params,
            justice_tx,
            input,
            amount,
            per_commitment_key,
            htlc,
            secp,
        );
        self.count(result, 1)
    }

    fn sign_holder_htlc_transaction(
        &self,
        htlc_tx: &Transaction,
        input: usize,
        htlc_descriptor: &HTLCDescriptor,
        secp: &Secp256k1<All>,
    ) -> Result<Signature, ()> {
        let result = self
            .inner
            .sign_holder_htlc_transaction(htlc_tx, input, htlc_descriptor, secp);
        self.count(result, 1)
    }

    fn sign_counterparty_htlc_transaction(
        &self,
        params: &ChannelTransactionParameters,
        htlc_tx: &Transaction,
        input: usize,
        amount: u64,
        per_commitment_point: &PublicKey,
        htlc: &HTLCOutputInCommitment,
        secp: &Secp256k1<All>,
    ) -> Result<Signature, ()> {
        let result = self.inner.sign_counterparty_htlc_transaction(
            params,
            htlc_tx,
            input,
            amount,
            per_commitment_point,
            htlc,
            secp,
        );
        self.count(result, 1)
    }

    fn sign_closing_transaction(
        &self,
        params: &ChannelTransactionParameters,
        closing_tx: &ClosingTransaction,
        secp: &Secp256k1<All>,
    ) -> Result<Signature, ()> {
        let result = self
            .inner
            .sign_closing_transaction(params, closing_tx, secp);
        self.count(result, 1)
    }

    fn sign_holder_keyed_anchor_input(
        &self,
        params: &ChannelTransactionParameters,
        anchor_tx: &Transaction,
        input: usize,
        secp: &Secp256k1<All>,
    ) -> Result<Signature, ()> {
        let result = self
            .inner
            .sign_holder_keyed_anchor_input(params, anchor_tx, input, secp);
        self.count(result, 1)
    }

    fn sign_channel_announcement_with_funding_key(
        &self,
        params: &ChannelTransactionParameters,
        msg: &UnsignedChannelAnnouncement,
        secp: &Secp256k1<All>,
    ) -> Result<Signature, ()> {
        let result = self
            .inner
            .sign_channel_announcement_with_funding_key(params, msg, secp);
        self.count(result, 1)
    }

    fn sign_splice_shared_input(
        &self,
        params: &ChannelTransactionParameters,
        tx: &Transaction,
        input_index: usize,
        secp: &Secp256k1<All>,
    ) -> Signature {
        self.counters
            .signatures_made
            .fetch_add(1, Ordering::Relaxed);
        self.inner
            .sign_splice_shared_input(params, tx, input_index, secp)
    }
}

/// LDK's `KeysManager` as a `SignerProvider` of counting signers.
pub struct CountingLdkKeys {
    inner: Arc<KeysManager>,
    /// What the signers handed out have signed.
    pub counters: Arc<LdkSignCounters>,
}

impl CountingLdkKeys {
    /// Wraps `inner`.
    pub fn new(inner: Arc<KeysManager>) -> Self {
        CountingLdkKeys {
            inner,
            counters: Arc::default(),
        }
    }
}

impl SignerProvider for CountingLdkKeys {
    type EcdsaSigner = CountingLdkSigner;

    fn generate_channel_keys_id(&self, inbound: bool, user_channel_id: u128) -> [u8; 32] {
        self.inner
            .generate_channel_keys_id(inbound, user_channel_id)
    }

    fn derive_channel_signer(&self, channel_keys_id: [u8; 32]) -> CountingLdkSigner {
        CountingLdkSigner {
            inner: self.inner.derive_channel_signer(channel_keys_id),
            counters: Arc::clone(&self.counters),
        }
    }

    fn get_destination_script(&self, channel_keys_id: [u8; 32]) -> Result<ScriptBuf, ()> {
        self.inner.get_destination_script(channel_keys_id)
    }

    fn get_shutdown_scriptpubkey(&self) -> Result<ShutdownScript, ()> {
        self.inner.get_shutdown_scriptpubkey()
    }
}
