//! The channel signer: one channel's keys.

use bitcoin::secp256k1::ecdsa::Signature;
use bitcoin::secp256k1::PublicKey;
use bitcoin::Transaction;

use super::provider::ChannelKeysId;
use super::reply::SignerReply;
use super::requests::{
    ChannelSetup, ClosingProposal, CommitmentSignatures, JusticeRequest, SweepRequest,
};
use crate::keys::{ChannelPublicKeys, PerCommitmentSecret};
use crate::tx::CommitmentInputs;

/// The signer of one channel's keys (funding key, basepoints, per-commitment secrets).
///
/// Every signing call receives the [`ChannelSetup`] and the state it commits to (commitment
/// number, feerate, balances, HTLCs, per-commitment point), never a bare sighash: the signer
/// rebuilds the transaction with [`crate::tx`] and signs what it built, so a validating signer
/// can check it before signing. Any call may answer [`SignerReply::Pending`]; the caller
/// pauses and repeats the call after `signer_ready`.
///
/// Call contract, with "holder" = us and commitment numbers counting up from 0:
/// 1. [`public_keys`](Self::public_keys) for `open_channel`/`accept_channel`, and
///    [`per_commitment_point`](Self::per_commitment_point) of commitments 0 and 1.
/// 2. For each new counterparty commitment: [`sign_counterparty_commitment`](Self::sign_counterparty_commitment)
///    (the `commitment_signed` we send). When the peer revokes its previous commitment:
///    [`validate_counterparty_revocation`](Self::validate_counterparty_revocation).
/// 3. For each new holder commitment `n` the peer signs:
///    [`validate_holder_commitment`](Self::validate_holder_commitment) with its signatures;
///    only then may [`release_commitment_secret`](Self::release_commitment_secret)`(n - 1)`
///    succeed (the `revoke_and_ack` we send). After re-deriving a signer (a restart), validate
///    the current holder commitment again before asking for secrets.
/// 4. Closing: [`sign_closing_transaction`](Self::sign_closing_transaction) cooperatively, or
///    [`sign_holder_commitment`](Self::sign_holder_commitment) and
///    [`sign_holder_htlc_transaction`](Self::sign_holder_htlc_transaction) to force close
///    (never for a revoked holder commitment), then [`sign_sweep_input`](Self::sign_sweep_input),
///    [`sign_justice_input`](Self::sign_justice_input) and [`sign_anchor_input`](Self::sign_anchor_input)
///    on chain.
pub trait ChannelSigner: Send {
    /// The id this signer was derived from.
    fn channel_keys_id(&self) -> ChannelKeysId;

    /// Our key set for this channel (funding key and basepoints).
    fn public_keys(&mut self) -> SignerReply<ChannelPublicKeys>;

    /// Our per-commitment point of commitment `commitment_number`.
    fn per_commitment_point(&mut self, commitment_number: u64) -> SignerReply<PublicKey>;

    /// Our per-commitment secret of commitment `commitment_number`, which revokes it. Refused
    /// ([`PolicyCode::SecretNotSuperseded`](super::PolicyCode::SecretNotSuperseded)) unless a
    /// later holder commitment has been validated.
    fn release_commitment_secret(
        &mut self,
        commitment_number: u64,
    ) -> SignerReply<PerCommitmentSecret>;

    /// Checks the peer's signatures on our new commitment `commitment.commitment_number` (its
    /// `commitment_signed`) and records that commitment as our current one.
    fn validate_holder_commitment(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        counterparty_signatures: &CommitmentSignatures,
    ) -> SignerReply<()>;

    /// Records the per-commitment secret the peer revealed for its commitment
    /// `commitment_number` (its `revoke_and_ack`); refuses a secret that is not a valid key.
    fn validate_counterparty_revocation(
        &mut self,
        setup: &ChannelSetup,
        commitment_number: u64,
        per_commitment_secret: &PerCommitmentSecret,
    ) -> SignerReply<()>;

    /// Signs the peer's commitment `commitment` built with the peer's `per_commitment_point`,
    /// and its HTLC transactions: the content of our `commitment_signed`.
    fn sign_counterparty_commitment(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        per_commitment_point: &PublicKey,
    ) -> SignerReply<CommitmentSignatures>;

    /// Signs our own commitment `commitment` to broadcast it (force close). Refused for a
    /// revoked commitment.
    fn sign_holder_commitment(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
    ) -> SignerReply<Signature>;

    /// Signs (`SIGHASH_ALL`) input `input_index` of `tx`, the HTLC-success/-timeout
    /// transaction of the HTLC at `htlc_position` in our commitment's
    /// [`htlc_outputs`](crate::tx::CommitmentTransaction::htlc_outputs). With anchors `tx` may
    /// carry extra fee inputs and outputs; the signer checks that the input and its paired
    /// output are the ones it rebuilt.
    fn sign_holder_htlc_transaction(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        htlc_position: usize,
        tx: &Transaction,
        input_index: usize,
    ) -> SignerReply<Signature>;

    /// Signs the cooperative closing transaction of `proposal` with the funding key.
    fn sign_closing_transaction(
        &mut self,
        setup: &ChannelSetup,
        proposal: &ClosingProposal,
    ) -> SignerReply<Signature>;

    /// Signs a justice input spending an output of a revoked counterparty commitment (or of
    /// its second stage) with the revocation key.
    fn sign_justice_input(
        &mut self,
        setup: &ChannelSetup,
        input: &JusticeRequest<'_>,
    ) -> SignerReply<Signature>;

    /// Signs an input sweeping one of our outputs after a unilateral close.
    fn sign_sweep_input(
        &mut self,
        setup: &ChannelSetup,
        input: &SweepRequest<'_>,
    ) -> SignerReply<Signature>;

    /// Signs input `input_index` of `tx` spending our 330-sat anchor output (CPFP) with the
    /// funding key.
    fn sign_anchor_input(
        &mut self,
        setup: &ChannelSetup,
        tx: &Transaction,
        input_index: usize,
    ) -> SignerReply<Signature>;

    /// Signs a `channel_announcement` with the funding key (`bitcoin_signature_1` or `_2`):
    /// `signed_bytes` are the message from `features` on; the signature is over their
    /// double-SHA256.
    fn sign_channel_announcement(
        &mut self,
        setup: &ChannelSetup,
        signed_bytes: &[u8],
    ) -> SignerReply<Signature>;
}
