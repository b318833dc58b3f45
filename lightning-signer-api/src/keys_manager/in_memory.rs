//! [`InMemoryChannelSigner`]: a channel signer holding its [`ChannelSecrets`] in memory.

use alloc::vec::Vec;
use core::fmt;

use bitcoin::secp256k1::ecdsa::Signature;
use bitcoin::secp256k1::{All, PublicKey, Secp256k1, SecretKey};
use bitcoin::sighash::EcdsaSighashType;
use bitcoin::Transaction;

use super::holder_points::HolderPoints;
use crate::keys::derivation::derive_private_key_with_basepoint;
use crate::keys::{
    per_commitment_point, ChannelPublicKeys, ChannelSecrets, KeyDerivationError,
    PerCommitmentSecret,
};
use crate::traits::{
    ChannelKeysId, ChannelSetup, ChannelSigner, ClosingProposal, CommitmentSignatures,
    InvalidInput, JusticeRequest, PolicyCode, Refusal, SignerReply, SweepRequest,
};
use crate::tx::{
    htlc_countersignatory_sighash_type, p2wsh_signature_hash, sign_p2wsh_input, CommitmentInputs,
    CommitmentTransaction, Side,
};

/// A [`ChannelSigner`] that keeps one channel's secrets in memory and signs whatever it can
/// rebuild from the request, after these checks:
///
/// - the [`ChannelSetup`] is self-consistent and its holder keys are this signer's;
/// - every transaction is rebuilt with [`crate::tx`] from the request's data; a transaction
///   passed in (HTLC, sweep, justice) must spend what was rebuilt;
/// - a per-commitment secret is released only once a later holder commitment has been
///   validated ([`PolicyCode::SecretNotSuperseded`]);
/// - a holder commitment (or its HTLC transactions) is never signed once its secret was
///   released ([`PolicyCode::RevokedHolderCommitment`]);
/// - holder commitments validated must not go backwards
///   ([`PolicyCode::CommitmentNumberRegression`]).
///
/// It tracks only these two commitment numbers, in memory: after re-creating it (a restart)
/// call [`validate_holder_commitment`](ChannelSigner::validate_holder_commitment) with the
/// current holder commitment before asking for secrets. It never answers `Pending`.
pub struct InMemoryChannelSigner {
    pub(super) secp: Secp256k1<All>,
    channel_keys_id: ChannelKeysId,
    pub(super) secrets: ChannelSecrets,
    public_keys: ChannelPublicKeys,
    /// The highest holder commitment number validated so far.
    current_holder_commitment: Option<u64>,
    /// The highest holder commitment number whose secret was released.
    revoked_holder_commitment: Option<u64>,
    /// Holder per-commitment points derived lately (each is asked for more than once).
    holder_points: HolderPoints,
}

impl fmt::Debug for InMemoryChannelSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryChannelSigner")
            .field("channel_keys_id", &self.channel_keys_id)
            .field("public_keys", &self.public_keys)
            .finish_non_exhaustive()
    }
}

impl InMemoryChannelSigner {
    /// A signer for `secrets`, labelled `channel_keys_id`, with no commitment validated yet.
    pub fn new(channel_keys_id: ChannelKeysId, secrets: ChannelSecrets) -> Self {
        let secp = Secp256k1::new();
        let public_keys = secrets.public_keys(&secp);
        InMemoryChannelSigner {
            secp,
            channel_keys_id,
            secrets,
            public_keys,
            current_holder_commitment: None,
            revoked_holder_commitment: None,
            holder_points: HolderPoints::default(),
        }
    }

    /// Our key set for this channel (the same as [`ChannelSigner::public_keys`], without the
    /// reply wrapper).
    pub fn channel_public_keys(&self) -> &ChannelPublicKeys {
        &self.public_keys
    }

    /// Checks that `setup` is consistent and describes this signer's keys.
    pub(super) fn check_setup(&self, setup: &ChannelSetup) -> Result<(), Refusal> {
        setup.check()?;
        if setup.holder_keys != self.public_keys {
            return Err(InvalidInput::ChannelMismatch.into());
        }
        Ok(())
    }

    /// Our per-commitment point of `commitment_number`.
    pub(super) fn holder_point(&self, commitment_number: u64) -> Result<PublicKey, Refusal> {
        if let Some(point) = self.holder_points.get(commitment_number) {
            return Ok(point);
        }
        let secret = self
            .secrets
            .per_commitment_secret(commitment_number)
            .map_err(InvalidInput::from)?;
        Ok(per_commitment_point(&self.secp, &secret).map_err(InvalidInput::from)?)
    }

    /// Our `htlcpubkey`'s private key for `per_commitment_point`.
    fn htlc_key(&self, per_commitment_point: &PublicKey) -> Result<SecretKey, Refusal> {
        Ok(derive_private_key_with_basepoint(
            &self.secrets.htlc_base_key,
            &self.public_keys.htlc_basepoint,
            per_commitment_point,
        )
        .map_err(InvalidInput::from)?)
    }

    /// Refuses to sign anything of a holder commitment whose secret was released.
    fn check_not_revoked(&self, commitment_number: u64) -> Result<(), Refusal> {
        match self.revoked_holder_commitment {
            Some(revoked) if commitment_number <= revoked => {
                Err(PolicyCode::RevokedHolderCommitment.into())
            }
            _ => Ok(()),
        }
    }

    /// Rebuilds our commitment `commitment.commitment_number`.
    fn holder_commitment(
        &self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
    ) -> Result<(CommitmentTransaction, PublicKey), Refusal> {
        self.check_setup(setup)?;
        let point = self.holder_point(commitment.commitment_number)?;
        let built = setup.build_commitment(&self.secp, Side::Holder, &point, commitment)?;
        Ok((built, point))
    }

    /// Signs input 0 (the funding input) of a commitment or closing transaction.
    fn sign_funding_input(
        &self,
        setup: &ChannelSetup,
        tx: &Transaction,
    ) -> Result<Signature, Refusal> {
        let params = &setup.parameters;
        Ok(sign_p2wsh_input(
            &self.secp,
            tx,
            0,
            &params.funding_witness_script(),
            params.funding_satoshis,
            EcdsaSighashType::All,
            &self.secrets.funding_key,
        )
        .map_err(InvalidInput::from)?)
    }

    fn validate_holder(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        signatures: &CommitmentSignatures,
    ) -> Result<(), Refusal> {
        let number = commitment.commitment_number;
        if self
            .current_holder_commitment
            .is_some_and(|current| number < current)
        {
            return Err(PolicyCode::CommitmentNumberRegression.into());
        }
        let (built, _) = self.holder_commitment(setup, commitment)?;
        let params = &setup.parameters;
        let funding_message = p2wsh_signature_hash(
            &built.tx,
            0,
            &params.funding_witness_script(),
            params.funding_satoshis,
            EcdsaSighashType::All,
        )
        .map_err(InvalidInput::from)?;
        let counterparty_funding = &params.counterparty.funding_pubkey;
        if self
            .secp
            .verify_ecdsa(
                &funding_message,
                &signatures.commitment,
                counterparty_funding,
            )
            .is_err()
        {
            return Err(InvalidInput::BadSignature.into());
        }
        if signatures.htlcs.len() != built.htlc_outputs.len() {
            return Err(InvalidInput::TransactionMismatch.into());
        }
        let sighash_type = htlc_countersignatory_sighash_type(params.channel_type);
        for (position, (output, signature)) in
            built.htlc_outputs.iter().zip(&signatures.htlcs).enumerate()
        {
            let tx = built
                .htlc_transaction(position)
                .ok_or(InvalidInput::HtlcOutOfRange)?;
            let message = p2wsh_signature_hash(
                &tx,
                0,
                &output.witness_script,
                output.htlc.amount_sat(),
                sighash_type,
            )
            .map_err(InvalidInput::from)?;
            let key = &built.keys.countersignatory_htlc_key;
            if self.secp.verify_ecdsa(&message, signature, key).is_err() {
                return Err(InvalidInput::BadSignature.into());
            }
        }
        self.current_holder_commitment = Some(number);
        Ok(())
    }

    fn release_secret(&mut self, commitment_number: u64) -> Result<PerCommitmentSecret, Refusal> {
        let superseded = self
            .current_holder_commitment
            .is_some_and(|current| commitment_number < current);
        if !superseded {
            return Err(PolicyCode::SecretNotSuperseded.into());
        }
        let secret = self
            .secrets
            .per_commitment_secret(commitment_number)
            .map_err(InvalidInput::from)?;
        let revoked = self
            .revoked_holder_commitment
            .map_or(commitment_number, |r| r.max(commitment_number));
        self.revoked_holder_commitment = Some(revoked);
        Ok(secret)
    }

    fn counterparty_commitment_signatures(
        &self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        per_commitment_point: &PublicKey,
    ) -> Result<CommitmentSignatures, Refusal> {
        self.check_setup(setup)?;
        let built = setup.build_commitment(
            &self.secp,
            Side::Counterparty,
            per_commitment_point,
            commitment,
        )?;
        let commitment_signature = self.sign_funding_input(setup, &built.tx)?;
        let sighash_type = htlc_countersignatory_sighash_type(setup.parameters.channel_type);
        let mut htlcs = Vec::with_capacity(built.htlc_outputs.len());
        // Derived only when there is an HTLC transaction to sign.
        let mut htlc_key = None;
        for (position, output) in built.htlc_outputs.iter().enumerate() {
            let htlc_key = match htlc_key {
                Some(key) => key,
                None => *htlc_key.insert(self.htlc_key(per_commitment_point)?),
            };
            let tx = built
                .htlc_transaction(position)
                .ok_or(InvalidInput::HtlcOutOfRange)?;
            let signature = sign_p2wsh_input(
                &self.secp,
                &tx,
                0,
                &output.witness_script,
                output.htlc.amount_sat(),
                sighash_type,
                &htlc_key,
            )
            .map_err(InvalidInput::from)?;
            htlcs.push(signature);
        }
        Ok(CommitmentSignatures {
            commitment: commitment_signature,
            htlcs,
        })
    }

    fn holder_htlc_signature(
        &self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        htlc_position: usize,
        tx: &Transaction,
        input_index: usize,
    ) -> Result<Signature, Refusal> {
        self.check_not_revoked(commitment.commitment_number)?;
        let (built, point) = self.holder_commitment(setup, commitment)?;
        let expected = built
            .htlc_transaction(htlc_position)
            .ok_or(InvalidInput::HtlcOutOfRange)?;
        let output = &built.htlc_outputs[htlc_position];
        check_htlc_transaction(
            tx,
            input_index,
            &expected,
            setup.parameters.channel_type.has_anchors(),
        )?;
        let key: SecretKey = self.htlc_key(&point)?;
        Ok(sign_p2wsh_input(
            &self.secp,
            tx,
            input_index,
            &output.witness_script,
            output.htlc.amount_sat(),
            EcdsaSighashType::All,
            &key,
        )
        .map_err(InvalidInput::from)?)
    }
}

/// Checks that input `input_index` of `tx` and its paired output are those of the rebuilt
/// HTLC transaction `expected`. Without anchors `tx` must be exactly `expected`; with anchors
/// it may carry other inputs and outputs (fee bumping) around them.
fn check_htlc_transaction(
    tx: &Transaction,
    input_index: usize,
    expected: &Transaction,
    anchors: bool,
) -> Result<(), Refusal> {
    let mismatch = || Refusal::InvalidInput(InvalidInput::TransactionMismatch);
    let (Some(input), Some(output)) = (tx.input.get(input_index), tx.output.get(input_index))
    else {
        return Err(mismatch());
    };
    let wanted_input = &expected.input[0];
    let same_spend = input.previous_output == wanted_input.previous_output
        && input.sequence == wanted_input.sequence
        && *output == expected.output[0]
        && tx.version == expected.version
        && tx.lock_time == expected.lock_time;
    let exact_shape = anchors || (tx.input.len() == 1 && tx.output.len() == 1);
    if same_spend && exact_shape {
        Ok(())
    } else {
        Err(mismatch())
    }
}

impl ChannelSigner for InMemoryChannelSigner {
    fn channel_keys_id(&self) -> ChannelKeysId {
        self.channel_keys_id
    }

    fn public_keys(&mut self) -> SignerReply<ChannelPublicKeys> {
        SignerReply::Ready(self.public_keys)
    }

    fn per_commitment_point(&mut self, commitment_number: u64) -> SignerReply<PublicKey> {
        let point = self.holder_point(commitment_number);
        if let Ok(point) = point {
            self.holder_points.insert(commitment_number, point);
        }
        point.into()
    }

    fn release_commitment_secret(
        &mut self,
        commitment_number: u64,
    ) -> SignerReply<PerCommitmentSecret> {
        self.release_secret(commitment_number).into()
    }

    fn validate_holder_commitment(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        counterparty_signatures: &CommitmentSignatures,
    ) -> SignerReply<()> {
        self.validate_holder(setup, commitment, counterparty_signatures)
            .into()
    }

    fn validate_counterparty_revocation(
        &mut self,
        setup: &ChannelSetup,
        _commitment_number: u64,
        per_commitment_secret: &PerCommitmentSecret,
    ) -> SignerReply<()> {
        // The secret must be a valid private key (what `per_commitment_point` checks, without
        // the point multiplication: the channel compares the point itself).
        let checked = self.check_setup(setup).and_then(|()| {
            SecretKey::from_slice(per_commitment_secret)
                .map(|_| ())
                .map_err(|_| InvalidInput::from(KeyDerivationError::InvalidSecret).into())
        });
        checked.into()
    }

    fn sign_counterparty_commitment(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        per_commitment_point: &PublicKey,
    ) -> SignerReply<CommitmentSignatures> {
        self.counterparty_commitment_signatures(setup, commitment, per_commitment_point)
            .into()
    }

    fn sign_holder_commitment(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
    ) -> SignerReply<Signature> {
        let signed = self
            .check_not_revoked(commitment.commitment_number)
            .and_then(|()| self.holder_commitment(setup, commitment))
            .and_then(|(built, _)| self.sign_funding_input(setup, &built.tx));
        signed.into()
    }

    fn sign_holder_htlc_transaction(
        &mut self,
        setup: &ChannelSetup,
        commitment: &CommitmentInputs,
        htlc_position: usize,
        tx: &Transaction,
        input_index: usize,
    ) -> SignerReply<Signature> {
        self.holder_htlc_signature(setup, commitment, htlc_position, tx, input_index)
            .into()
    }

    fn sign_closing_transaction(
        &mut self,
        setup: &ChannelSetup,
        proposal: &ClosingProposal,
    ) -> SignerReply<Signature> {
        let signed = self.check_setup(setup).and_then(|()| {
            let tx = proposal.build(setup).map_err(InvalidInput::from)?;
            self.sign_funding_input(setup, &tx)
        });
        signed.into()
    }

    fn sign_justice_input(
        &mut self,
        setup: &ChannelSetup,
        input: &JusticeRequest<'_>,
    ) -> SignerReply<Signature> {
        self.justice_signature(setup, input).into()
    }

    fn sign_sweep_input(
        &mut self,
        setup: &ChannelSetup,
        input: &SweepRequest<'_>,
    ) -> SignerReply<Signature> {
        self.sweep_signature(setup, input).into()
    }

    fn sign_anchor_input(
        &mut self,
        setup: &ChannelSetup,
        tx: &Transaction,
        input_index: usize,
    ) -> SignerReply<Signature> {
        self.anchor_signature(setup, tx, input_index).into()
    }

    fn sign_channel_announcement(
        &mut self,
        setup: &ChannelSetup,
        signed_bytes: &[u8],
    ) -> SignerReply<Signature> {
        self.announcement_signature(setup, signed_bytes).into()
    }
}
