//! The data a channel signer receives: enough to rebuild, with [`crate::tx`], everything it
//! signs.

use alloc::vec::Vec;
use bitcoin::secp256k1::ecdsa::Signature;
use bitcoin::secp256k1::{PublicKey, Secp256k1, Verification};
use bitcoin::Transaction;

use super::reply::InvalidInput;
use crate::keys::{commitment_keys, ChannelPublicKeys, KeyDerivationError, PerCommitmentSecret};
use crate::tx::{
    build_commitment_transaction, build_legacy_closing_transaction,
    build_simple_closing_transaction, ChannelParameters, ClosingError, ClosingOutput,
    CommitmentInputs, CommitmentKeys, CommitmentTransaction, Htlc, Side,
};

/// Everything fixed about a channel that a signer needs to rebuild its transactions: the
/// [`ChannelParameters`] and both sides' key sets.
///
/// The node builds it once the funding outpoint is known and passes it with every channel
/// signing request. A signer checks it with [`check`](Self::check) and that `holder_keys` are
/// its own keys; a validating signer also checks that it does not change between calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSetup {
    /// Funding outpoint and amount, opener, commitment format, per-side dust limits and delays.
    pub parameters: ChannelParameters,
    /// Our key set (from the signer's [`public_keys`](super::ChannelSigner::public_keys)).
    pub holder_keys: ChannelPublicKeys,
    /// The peer's key set (from its `open_channel` / `accept_channel`).
    pub counterparty_keys: ChannelPublicKeys,
}

impl ChannelSetup {
    /// Checks that the keys inside `parameters` (funding keys, payment basepoints) are the
    /// ones in the two key sets.
    pub fn check(&self) -> Result<(), InvalidInput> {
        let params = &self.parameters;
        let consistent = params.holder.funding_pubkey == self.holder_keys.funding_pubkey
            && params.holder.payment_basepoint == self.holder_keys.payment_point
            && params.counterparty.funding_pubkey == self.counterparty_keys.funding_pubkey
            && params.counterparty.payment_basepoint == self.counterparty_keys.payment_point;
        if consistent {
            Ok(())
        } else {
            Err(InvalidInput::ChannelMismatch)
        }
    }

    /// The key set of `side`.
    pub fn keys(&self, side: Side) -> &ChannelPublicKeys {
        match side {
            Side::Holder => &self.holder_keys,
            Side::Counterparty => &self.counterparty_keys,
        }
    }

    /// The keys of `broadcaster`'s commitment with that side's `per_commitment_point`.
    pub fn commitment_keys<C: Verification>(
        &self,
        secp: &Secp256k1<C>,
        broadcaster: Side,
        per_commitment_point: &PublicKey,
    ) -> Result<CommitmentKeys, KeyDerivationError> {
        commitment_keys(
            secp,
            per_commitment_point,
            self.keys(broadcaster),
            self.keys(broadcaster.other()),
        )
    }

    /// Builds `broadcaster`'s commitment transaction for `inputs`, deriving its keys from the
    /// broadcaster's `per_commitment_point`.
    pub fn build_commitment<C: Verification>(
        &self,
        secp: &Secp256k1<C>,
        broadcaster: Side,
        per_commitment_point: &PublicKey,
        inputs: &CommitmentInputs,
    ) -> Result<CommitmentTransaction, InvalidInput> {
        let keys = self.commitment_keys(secp, broadcaster, per_commitment_point)?;
        Ok(build_commitment_transaction(
            &self.parameters,
            broadcaster,
            &keys,
            inputs,
        )?)
    }
}

/// The signatures of one commitment: on its funding input, and on each of its HTLC
/// transactions in the order of
/// [`CommitmentTransaction::htlc_outputs`](crate::tx::CommitmentTransaction::htlc_outputs)
/// (the order of `commitment_signed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentSignatures {
    /// The signature on the commitment transaction's funding input (`SIGHASH_ALL`).
    pub commitment: Signature,
    /// One signature per untrimmed HTLC, with the countersignatory's sighash type
    /// ([`htlc_countersignatory_sighash_type`](crate::tx::htlc_countersignatory_sighash_type)).
    pub htlcs: Vec<Signature>,
}

/// A cooperative close to sign: what the closing transaction pays, from which the signer
/// rebuilds it with [`crate::tx`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosingProposal {
    /// The legacy `closing_signed` negotiation: the opener pays the fee.
    Legacy {
        /// Our output (`None` if we chose to omit it).
        holder_output: Option<ClosingOutput>,
        /// The peer's output (`None` if it chose to omit it).
        counterparty_output: Option<ClosingOutput>,
        /// The fee, paid by the opener.
        fee_satoshis: u64,
        /// The dust limit of the node offering the signature: smaller outputs are dropped.
        dust_limit_satoshis: u64,
    },
    /// `option_simple_close` (`closing_complete` / `closing_sig`): the closer pays the fee.
    Simple {
        /// Whether we are the closer (we send `closing_complete`).
        holder_is_closer: bool,
        /// Our output (`None` to omit it).
        holder_output: Option<ClosingOutput>,
        /// The peer's output (`None` to omit it).
        counterparty_output: Option<ClosingOutput>,
        /// The fee, paid by the closer.
        fee_satoshis: u64,
        /// The transaction's locktime from `closing_complete`.
        locktime: u32,
    },
}

impl ClosingProposal {
    /// Builds the unsigned closing transaction of this proposal for the channel.
    pub fn build(&self, setup: &ChannelSetup) -> Result<Transaction, ClosingError> {
        let outpoint = setup.parameters.funding_outpoint;
        match self {
            ClosingProposal::Legacy {
                holder_output,
                counterparty_output,
                fee_satoshis,
                dust_limit_satoshis,
            } => {
                let (opener, accepter) = match setup.parameters.opener {
                    Side::Holder => (holder_output, counterparty_output),
                    Side::Counterparty => (counterparty_output, holder_output),
                };
                build_legacy_closing_transaction(
                    outpoint,
                    opener.as_ref(),
                    accepter.as_ref(),
                    *fee_satoshis,
                    *dust_limit_satoshis,
                )
            }
            ClosingProposal::Simple {
                holder_is_closer,
                holder_output,
                counterparty_output,
                fee_satoshis,
                locktime,
            } => {
                let (closer, closee) = if *holder_is_closer {
                    (holder_output, counterparty_output)
                } else {
                    (counterparty_output, holder_output)
                };
                build_simple_closing_transaction(
                    outpoint,
                    closer.as_ref(),
                    closee.as_ref(),
                    *fee_satoshis,
                    *locktime,
                )
            }
        }
    }
}

/// Which output of a revoked counterparty commitment (or of its second stage) a justice input
/// spends with the revocation key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JusticeKind {
    /// The revoked commitment's `to_local` output.
    ToLocal,
    /// An HTLC output of the revoked commitment.
    Htlc(Htlc),
    /// The output of an HTLC-success/-timeout transaction spending the revoked commitment.
    SecondStageHtlc,
}

/// One input of a justice (penalty) transaction to sign with the revocation key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JusticeRequest<'a> {
    /// The justice transaction (its outputs are the node's choice: a validating signer checks
    /// them against its allowlist).
    pub tx: &'a Transaction,
    /// The input to sign.
    pub input_index: usize,
    /// The value of the output it spends, in satoshis.
    pub value_satoshis: u64,
    /// The revoked counterparty commitment number.
    pub commitment_number: u64,
    /// The per-commitment secret the counterparty revealed for that commitment.
    pub per_commitment_secret: PerCommitmentSecret,
    /// Which output is spent.
    pub kind: JusticeKind,
}

/// Which of our outputs a sweep input spends (not a justice input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SweepKind {
    /// Our commitment's `to_local` output, or the output of one of our HTLC transactions,
    /// after `to_self_delay` (the input's sequence must be that delay). Signed with our
    /// delayed payment key for our commitment `commitment_number`.
    HolderDelayed {
        /// Our commitment number whose per-commitment point tweaks the keys.
        commitment_number: u64,
    },
    /// An HTLC output of the counterparty's commitment, claimed with the preimage (an HTLC it
    /// offered us) or after the timeout (one we offered). Signed with our HTLC key.
    CounterpartyHtlc {
        /// The counterparty's per-commitment point for that commitment.
        per_commitment_point: PublicKey,
        /// The HTLC, as in that commitment (direction from the counterparty's view).
        htlc: Htlc,
    },
    /// Our `to_remote` output on the counterparty's commitment (P2WPKH, or with anchors the
    /// 1-block CSV P2WSH). Signed with our payment key.
    ToRemote,
}

/// One input of a transaction sweeping our own funds from a closed channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepRequest<'a> {
    /// The sweep transaction.
    pub tx: &'a Transaction,
    /// The input to sign.
    pub input_index: usize,
    /// The value of the output it spends, in satoshis.
    pub value_satoshis: u64,
    /// Which output is spent.
    pub kind: SweepKind,
}
