//! A signer that can be made to answer `Pending`, like a hardware or remote signer that is
//! away: [`SignerGate`], [`GatedSignerProvider`] and [`GatedSigner`].
//!
//! Every [`TestNode`](super::network::TestNode) signs its channels through a
//! [`GatedSignerProvider`] (its channel manager's signers and its monitors' signers share one
//! gate), so a test can close the gate with
//! [`Network::set_signer_pending`](super::network::Network::set_signer_pending) and see what
//! the node does while its signer is away, then open it again.
//!
//! While the gate is closed, every call that signs or releases a secret answers
//! [`SignerReply::Pending`]: `release_commitment_secret` and every `sign_*` call. Reading
//! keys (`public_keys`, `per_commitment_point`) and recording what the peer sent
//! (`validate_*`) still answer, as a signer proxy that caches the device's public data would.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};

use bitcoin::secp256k1::ecdsa::Signature;
use bitcoin::secp256k1::PublicKey;
use bitcoin::{ScriptBuf, Transaction};
use lightning_signer_api::keys::{ChannelPublicKeys, PerCommitmentSecret};
use lightning_signer_api::traits::{
    ChannelKeysId, ChannelSetup, ChannelSigner, ClosingProposal, CommitmentSignatures,
    JusticeRequest, SignerProvider, SignerReply, SweepRequest,
};
use lightning_signer_api::tx::CommitmentInputs;

/// A switch shared by every signer of one node: closed, they answer `Pending`.
///
/// Clones share the switch. It starts open.
#[derive(Clone, Debug, Default)]
pub struct SignerGate {
    closed: Arc<AtomicBool>,
}

impl SignerGate {
    /// An open gate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Closes (`true`: the signers answer `Pending`) or opens (`false`) the gate. After
    /// opening it, tell the node's channel manager (`signer_ready`) so it repeats what waited.
    pub fn set_pending(&self, pending: bool) {
        self.closed.store(pending, Ordering::SeqCst);
    }

    /// Whether the signers answer `Pending` now.
    pub fn is_pending(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    fn gate<T>(&self, call: impl FnOnce() -> SignerReply<T>) -> SignerReply<T> {
        if self.is_pending() {
            SignerReply::Pending
        } else {
            call()
        }
    }
}

/// A [`SignerProvider`] whose channel signers are [`GatedSigner`]s behind one [`SignerGate`].
/// Scripts are answered whatever the gate (they come from the provider's own keys).
pub struct GatedSignerProvider<P> {
    inner: P,
    gate: SignerGate,
}

impl<P: SignerProvider> GatedSignerProvider<P> {
    /// Wraps `inner`; its signers answer `Pending` while `gate` is closed.
    pub fn new(inner: P, gate: SignerGate) -> Self {
        GatedSignerProvider { inner, gate }
    }

    /// The gate of the signers this provider derives.
    pub fn gate(&self) -> &SignerGate {
        &self.gate
    }
}

impl<P: SignerProvider> SignerProvider for GatedSignerProvider<P> {
    fn generate_channel_keys_id(
        &mut self,
        random_bytes: &[u8; 32],
        user_channel_id: u128,
    ) -> ChannelKeysId {
        self.inner
            .generate_channel_keys_id(random_bytes, user_channel_id)
    }

    fn derive_channel_signer(&mut self, channel_keys_id: &ChannelKeysId) -> Box<dyn ChannelSigner> {
        Box::new(GatedSigner {
            inner: self.inner.derive_channel_signer(channel_keys_id),
            gate: self.gate.clone(),
        })
    }

    fn destination_script(&mut self, channel_keys_id: &ChannelKeysId) -> SignerReply<ScriptBuf> {
        self.inner.destination_script(channel_keys_id)
    }

    fn shutdown_script(&mut self, channel_keys_id: &ChannelKeysId) -> SignerReply<ScriptBuf> {
        self.inner.shutdown_script(channel_keys_id)
    }
}

/// A channel signer that answers `Pending` for signatures and secrets while its
/// [`SignerGate`] is closed, and otherwise asks the signer it wraps.
pub struct GatedSigner {
    inner: Box<dyn ChannelSigner>,
    gate: SignerGate,
}

impl GatedSigner {
    /// `call` on the wrapped signer, unless the gate is closed (then `Pending`).
    fn gated<T>(
        &mut self,
        call: impl FnOnce(&mut dyn ChannelSigner) -> SignerReply<T>,
    ) -> SignerReply<T> {
        let inner = &mut self.inner;
        self.gate.gate(|| call(inner.as_mut()))
    }
}

impl ChannelSigner for GatedSigner {
    fn channel_keys_id(&self) -> ChannelKeysId {
        self.inner.channel_keys_id()
    }

    fn public_keys(&mut self) -> SignerReply<ChannelPublicKeys> {
        self.inner.public_keys()
    }

    fn per_commitment_point(&mut self, commitment_number: u64) -> SignerReply<PublicKey> {
        self.inner.per_commitment_point(commitment_number)
    }

    fn release_commitment_secret(
        &mut self,
        commitment_number: u64,
    ) -> SignerReply<PerCommitmentSecret> {
        self.gated(|inner| inner.release_commitment_secret(commitment_number))
    }

    fn validate_holder_commitment(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        counterparty_signatures: &CommitmentSignatures,
    ) -> SignerReply<()> {
        self.inner
            .validate_holder_commitment(setup, commitment, counterparty_signatures)
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
        self.gated(|inner| {
            inner.sign_counterparty_commitment(setup, commitment, per_commitment_point)
        })
    }

    fn sign_holder_commitment(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
    ) -> SignerReply<Signature> {
        self.gated(|inner| inner.sign_holder_commitment(setup, commitment))
    }

    fn sign_holder_htlc_transaction(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        htlc_position: usize,
        tx: &Transaction,
        input_index: usize,
    ) -> SignerReply<Signature> {
        self.gated(|inner| {
            inner.sign_holder_htlc_transaction(setup, commitment, htlc_position, tx, input_index)
        })
    }

    fn sign_closing_transaction(
        &mut self,
        setup: &ChannelSetup,
        proposal: &ClosingProposal,
    ) -> SignerReply<Signature> {
        self.gated(|inner| inner.sign_closing_transaction(setup, proposal))
    }

    fn sign_justice_input(
        &mut self,
        setup: &ChannelSetup,
        input: &JusticeRequest<'_>,
    ) -> SignerReply<Signature> {
        self.gated(|inner| inner.sign_justice_input(setup, input))
    }

    fn sign_sweep_input(
        &mut self,
        setup: &ChannelSetup,
        input: &SweepRequest<'_>,
    ) -> SignerReply<Signature> {
        self.gated(|inner| inner.sign_sweep_input(setup, input))
    }

    fn sign_anchor_input(
        &mut self,
        setup: &ChannelSetup,
        tx: &Transaction,
        input_index: usize,
    ) -> SignerReply<Signature> {
        self.gated(|inner| inner.sign_anchor_input(setup, tx, input_index))
    }

    fn sign_channel_announcement(
        &mut self,
        setup: &ChannelSetup,
        signed_bytes: &[u8],
    ) -> SignerReply<Signature> {
        self.gated(|inner| inner.sign_channel_announcement(setup, signed_bytes))
    }
}
