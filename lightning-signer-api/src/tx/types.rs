//! Plain data describing a channel and one commitment: the inputs of every builder in [`crate::tx`].

use alloc::vec::Vec;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::PublicKey;
use bitcoin::{OutPoint, ScriptBuf};

use super::scripts;

/// The commitment format negotiated for a channel (BOLT 2 `channel_type`).
///
/// Both formats use `option_static_remotekey` (the countersignatory's `to_remote` output pays
/// straight to its `payment_basepoint`); they differ in the anchor outputs and the HTLC scripts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelType {
    /// `option_static_remotekey` without anchors: P2WPKH `to_remote`, HTLC transactions pay fees.
    StaticRemoteKey,
    /// `option_anchors_zero_fee_htlc_tx`: two 330-sat anchor outputs, a 1-block CSV on `to_remote`
    /// and on HTLC outputs, zero-fee HTLC transactions signed by the countersignatory with
    /// `SIGHASH_SINGLE|SIGHASH_ANYONECANPAY`.
    AnchorsZeroFeeHtlcTx,
}

impl ChannelType {
    /// Whether this format carries anchor outputs (and everything that comes with them).
    pub fn has_anchors(self) -> bool {
        matches!(self, ChannelType::AnchorsZeroFeeHtlcTx)
    }
}

/// One of the two peers of a channel, seen from the node that holds these parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// This node (the signer's own side).
    Holder,
    /// The channel peer.
    Counterparty,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Holder => Side::Counterparty,
            Side::Counterparty => Side::Holder,
        }
    }
}

/// What one peer contributes to the channel's transactions, fixed at channel open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideParameters {
    /// This peer's `funding_pubkey` (one half of the 2-of-2, and the key of its anchor output).
    pub funding_pubkey: PublicKey,
    /// This peer's `payment_basepoint`: it feeds the commitment-number obscuring factor and, with
    /// `option_static_remotekey`, is the key of this peer's `to_remote` output on the other's
    /// commitment.
    pub payment_basepoint: PublicKey,
    /// The `dust_limit_satoshis` this peer announced: outputs below it are trimmed from *this
    /// peer's* commitment transactions.
    pub dust_limit_satoshis: u64,
    /// The CSV delay on this peer's own outputs in this peer's commitment (its `to_local` and the
    /// outputs of its HTLC transactions). Careful: this is the `to_self_delay` value the *other*
    /// peer sent in `open_channel`/`accept_channel`.
    pub to_self_delay: u16,
}

/// Everything about a channel that does not change from one commitment to the next.
///
/// Build it once the funding outpoint is known (after `funding_created`), then pass it with a
/// [`CommitmentKeys`] and a [`CommitmentInputs`] to
/// [`build_commitment_transaction`](super::build_commitment_transaction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelParameters {
    /// The funding transaction output this channel spends.
    pub funding_outpoint: OutPoint,
    /// The value of the funding output, in satoshis.
    pub funding_satoshis: u64,
    /// Which peer opened the channel: it pays the commitment fee and the anchors, and its
    /// `payment_basepoint` comes first in the obscuring factor.
    pub opener: Side,
    /// The commitment format.
    pub channel_type: ChannelType,
    /// This node's parameters.
    pub holder: SideParameters,
    /// The peer's parameters.
    pub counterparty: SideParameters,
}

impl ChannelParameters {
    /// The parameters of `side`.
    pub fn side(&self, side: Side) -> &SideParameters {
        match side {
            Side::Holder => &self.holder,
            Side::Counterparty => &self.counterparty,
        }
    }

    /// The 2-of-2 witness script of the funding output (keys sorted).
    pub fn funding_witness_script(&self) -> ScriptBuf {
        scripts::funding_witness_script(
            &self.holder.funding_pubkey,
            &self.counterparty.funding_pubkey,
        )
    }

    /// The 48-bit factor XORed into commitment numbers: the low 48 bits of
    /// `SHA256(opener payment_basepoint || accepter payment_basepoint)`.
    pub fn commitment_number_obscure_factor(&self) -> u64 {
        let opener = self.side(self.opener);
        let accepter = self.side(self.opener.other());
        commitment_number_obscure_factor(&opener.payment_basepoint, &accepter.payment_basepoint)
    }
}

/// The low 48 bits of `SHA256(opener_payment_basepoint || accepter_payment_basepoint)` (BOLT 3
/// "Commitment Transaction").
pub fn commitment_number_obscure_factor(
    opener_payment_basepoint: &PublicKey,
    accepter_payment_basepoint: &PublicKey,
) -> u64 {
    let mut engine = sha256::Hash::engine();
    bitcoin::hashes::HashEngine::input(&mut engine, &opener_payment_basepoint.serialize());
    bitcoin::hashes::HashEngine::input(&mut engine, &accepter_payment_basepoint.serialize());
    let hash = sha256::Hash::from_engine(engine).to_byte_array();
    let mut factor = 0u64;
    for byte in &hash[26..32] {
        factor = (factor << 8) | u64::from(*byte);
    }
    factor
}

/// The keys of one commitment transaction, already derived from the basepoints and that
/// commitment's `per_commitment_point` (the derivation lives in [`crate::keys`]).
///
/// "Broadcaster" is the peer whose commitment this is (BOLT 3's *local*); "countersignatory" is
/// the other peer (BOLT 3's *remote*).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentKeys {
    /// `revocationpubkey`: lets the countersignatory take every output once this commitment is
    /// revoked.
    pub revocation_pubkey: PublicKey,
    /// `local_delayedpubkey`: the broadcaster's key on `to_local` and on HTLC-transaction outputs.
    pub broadcaster_delayed_payment_key: PublicKey,
    /// `local_htlcpubkey`: the broadcaster's key in HTLC scripts.
    pub broadcaster_htlc_key: PublicKey,
    /// `remote_htlcpubkey`: the countersignatory's key in HTLC scripts.
    pub countersignatory_htlc_key: PublicKey,
    /// `remotepubkey`: the key of the countersignatory's `to_remote` output. With
    /// `option_static_remotekey` this is the countersignatory's `payment_basepoint`.
    pub countersignatory_payment_key: PublicKey,
}

/// Which way an HTLC goes, seen from the broadcaster of the commitment it sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HtlcDirection {
    /// Offered by the broadcaster (an outgoing payment for it); timed out by HTLC-timeout.
    Offered,
    /// Received by the broadcaster (an incoming payment for it); claimed by HTLC-success.
    Received,
}

/// One HTLC committed to in a commitment transaction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Htlc {
    /// Offered or received, from the broadcaster's point of view.
    pub direction: HtlcDirection,
    /// The HTLC amount in millisatoshis (the output carries the whole-satoshi part).
    pub amount_msat: u64,
    /// The payment hash (SHA256 of the preimage).
    pub payment_hash: [u8; 32],
    /// The absolute block height at which the HTLC times out.
    pub cltv_expiry: u32,
}

impl Htlc {
    /// The amount in whole satoshis (rounded down).
    pub fn amount_sat(&self) -> u64 {
        self.amount_msat / 1000
    }
}

/// The state one commitment transaction commits to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentInputs {
    /// The commitment number as BOLT 3 counts it: 0 for the first commitment, counting up
    /// (at most 2^48 - 1). The per-commitment secret index is `2^48 - 1 - commitment_number`.
    pub commitment_number: u64,
    /// The feerate in satoshis per 1000 weight units.
    pub feerate_per_kw: u32,
    /// The broadcaster's balance (BOLT 3 `to_local_msat`), HTLCs already taken out, before the
    /// commitment fee and the anchors are subtracted.
    pub to_broadcaster_msat: u64,
    /// The countersignatory's balance (BOLT 3 `to_remote_msat`), HTLCs already taken out, before
    /// the commitment fee and the anchors are subtracted.
    pub to_countersignatory_msat: u64,
    /// Every HTLC committed to, trimmed or not, in any order.
    pub htlcs: Vec<Htlc>,
}
