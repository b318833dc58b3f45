//! [`InMemoryChannelSigner`] signatures on chain after a close: justice, sweeps, anchors, and
//! the funding key's channel announcement signature.

use bitcoin::secp256k1::ecdsa::Signature;
use bitcoin::secp256k1::{Message, SecretKey};
use bitcoin::sighash::{EcdsaSighashType, SighashCache};
use bitcoin::{Amount, Transaction};

use super::checks::channel_announcement_keys;
use super::in_memory::InMemoryChannelSigner;
use crate::keys::{derive_private_key, derive_revocation_private_key, KeyDerivationError};
use crate::traits::{
    gossip_signing_hash, ChannelSetup, InvalidInput, JusticeKind, JusticeRequest, Refusal,
    SweepKind, SweepRequest,
};
use crate::tx::scripts::{
    anchor_witness_script, htlc_witness_script, p2wpkh, revokeable_witness_script,
    to_remote_anchors_witness_script,
};
use crate::tx::{sign_p2wsh_input, Side, ANCHOR_OUTPUT_VALUE_SATOSHIS};

impl InMemoryChannelSigner {
    /// Signs a justice input with the revocation private key of the revoked counterparty
    /// commitment, rebuilding the spent script from the revealed secret.
    pub(super) fn justice_signature(
        &self,
        setup: &ChannelSetup,
        request: &JusticeRequest<'_>,
    ) -> Result<Signature, Refusal> {
        self.check_setup(setup)?;
        let secret = SecretKey::from_slice(&request.per_commitment_secret)
            .map_err(|_| InvalidInput::KeyDerivation(KeyDerivationError::InvalidSecret))?;
        let point = secret.public_key(&self.secp);
        let keys = setup
            .commitment_keys(&self.secp, Side::Counterparty, &point)
            .map_err(InvalidInput::from)?;
        let script = match &request.kind {
            JusticeKind::ToLocal | JusticeKind::SecondStageHtlc => revokeable_witness_script(
                &keys.revocation_pubkey,
                setup.parameters.counterparty.to_self_delay,
                &keys.broadcaster_delayed_payment_key,
            ),
            JusticeKind::Htlc(htlc) => {
                htlc_witness_script(setup.parameters.channel_type, htlc, &keys)
            }
        };
        let key =
            derive_revocation_private_key(&self.secp, &self.secrets.revocation_base_key, &secret)
                .map_err(InvalidInput::from)?;
        Ok(sign_p2wsh_input(
            &self.secp,
            request.tx,
            request.input_index,
            &script,
            request.value_satoshis,
            EcdsaSighashType::All,
            &key,
        )
        .map_err(InvalidInput::from)?)
    }

    /// Signs an input sweeping one of our outputs after a unilateral close.
    pub(super) fn sweep_signature(
        &self,
        setup: &ChannelSetup,
        request: &SweepRequest<'_>,
    ) -> Result<Signature, Refusal> {
        self.check_setup(setup)?;
        let params = &setup.parameters;
        let (script, key) = match &request.kind {
            SweepKind::HolderDelayed { commitment_number } => {
                let point = self.holder_point(*commitment_number)?;
                let keys = setup
                    .commitment_keys(&self.secp, Side::Holder, &point)
                    .map_err(InvalidInput::from)?;
                let script = revokeable_witness_script(
                    &keys.revocation_pubkey,
                    params.holder.to_self_delay,
                    &keys.broadcaster_delayed_payment_key,
                );
                let key =
                    derive_private_key(&self.secp, &self.secrets.delayed_payment_base_key, &point)
                        .map_err(InvalidInput::from)?;
                (script, key)
            }
            SweepKind::CounterpartyHtlc {
                per_commitment_point,
                htlc,
            } => {
                let keys = setup
                    .commitment_keys(&self.secp, Side::Counterparty, per_commitment_point)
                    .map_err(InvalidInput::from)?;
                let script = htlc_witness_script(params.channel_type, htlc, &keys);
                let key = derive_private_key(
                    &self.secp,
                    &self.secrets.htlc_base_key,
                    per_commitment_point,
                )
                .map_err(InvalidInput::from)?;
                (script, key)
            }
            SweepKind::ToRemote if params.channel_type.has_anchors() => {
                let script = to_remote_anchors_witness_script(&setup.holder_keys.payment_point);
                (script, self.secrets.payment_key)
            }
            SweepKind::ToRemote => return self.to_remote_p2wpkh_signature(setup, request),
        };
        Ok(sign_p2wsh_input(
            &self.secp,
            request.tx,
            request.input_index,
            &script,
            request.value_satoshis,
            EcdsaSighashType::All,
            &key,
        )
        .map_err(InvalidInput::from)?)
    }

    /// Signs a P2WPKH `to_remote` output (static_remotekey without anchors).
    fn to_remote_p2wpkh_signature(
        &self,
        setup: &ChannelSetup,
        request: &SweepRequest<'_>,
    ) -> Result<Signature, Refusal> {
        let script_pubkey = p2wpkh(&setup.holder_keys.payment_point);
        let hash = SighashCache::new(request.tx)
            .p2wpkh_signature_hash(
                request.input_index,
                &script_pubkey,
                Amount::from_sat(request.value_satoshis),
                EcdsaSighashType::All,
            )
            .map_err(|_| InvalidInput::TransactionMismatch)?;
        Ok(self
            .secp
            .sign_ecdsa(&Message::from(hash), &self.secrets.payment_key))
    }

    /// Signs an input spending our anchor output with the funding key.
    pub(super) fn anchor_signature(
        &self,
        setup: &ChannelSetup,
        tx: &Transaction,
        input_index: usize,
    ) -> Result<Signature, Refusal> {
        self.check_setup(setup)?;
        if !setup.parameters.channel_type.has_anchors() {
            return Err(InvalidInput::TransactionMismatch.into());
        }
        let script = anchor_witness_script(&setup.holder_keys.funding_pubkey);
        Ok(sign_p2wsh_input(
            &self.secp,
            tx,
            input_index,
            &script,
            ANCHOR_OUTPUT_VALUE_SATOSHIS,
            EcdsaSighashType::All,
            &self.secrets.funding_key,
        )
        .map_err(InvalidInput::from)?)
    }

    /// Signs a `channel_announcement` with the funding key, after checking that it names our
    /// funding key as one of its bitcoin keys.
    pub(super) fn announcement_signature(
        &self,
        setup: &ChannelSetup,
        signed_bytes: &[u8],
    ) -> Result<Signature, Refusal> {
        self.check_setup(setup)?;
        let [_, _, bitcoin_key_1, bitcoin_key_2] = channel_announcement_keys(signed_bytes)?;
        let ours = setup.holder_keys.funding_pubkey.serialize();
        if bitcoin_key_1 != ours && bitcoin_key_2 != ours {
            return Err(InvalidInput::NotOurs.into());
        }
        let digest = Message::from_digest(gossip_signing_hash(signed_bytes));
        Ok(self.secp.sign_ecdsa(&digest, &self.secrets.funding_key))
    }
}
