//! What a [`ChannelMonitor`](super::ChannelMonitor) tells its owner: [`MonitorEvent`]s, and
//! the typed errors of its operations.

use alloc::vec::Vec;
use core::fmt;

use bitcoin::{OutPoint, ScriptBuf, Transaction, TxOut, Txid};
use lightning_signer_api::keys::SecretStoreError;
use lightning_signer_api::tx::Htlc;

use crate::monitor::update::MonitorUpdateDecodeError;
use crate::wire::{ChannelId, DecodeError, PaymentHash, PaymentPreimage};

/// How the funding output was spent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FundingSpendKind {
    /// A cooperative closing transaction (anything that is not a commitment we know).
    Cooperative,
    /// Our own commitment `commitment_number` (we force closed).
    HolderCommitment {
        /// Its commitment number.
        commitment_number: u64,
    },
    /// The counterparty's current (or previous, not yet revoked) commitment.
    CounterpartyCommitment {
        /// Its commitment number.
        commitment_number: u64,
    },
    /// A counterparty commitment it had revoked: a breach, punished with justice transactions.
    RevokedCounterpartyCommitment {
        /// Its commitment number.
        commitment_number: u64,
    },
    /// Looks like a commitment transaction but matches none we know (e.g. after data loss):
    /// nothing can be claimed by the monitor.
    Unrecognized,
}

/// Where a [`SpendableOutput`] came from: which claim of the monitor created it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClaimSource {
    /// A justice transaction against a revoked counterparty commitment (or its second stage).
    Justice,
    /// Our `to_remote` output on the counterparty's commitment.
    ToRemote,
    /// An HTLC output of the counterparty's commitment, claimed with the preimage.
    CounterpartyHtlcPreimage,
    /// An HTLC output of the counterparty's commitment, claimed back after its expiry.
    CounterpartyHtlcTimeout,
    /// The CSV-delayed output of our commitment (`to_local`) or of one of our HTLC
    /// transactions, swept once mature.
    HolderDelayed,
}

/// One output that is now ours and final (at least [`ANTI_REORG_DELAY`](super::ANTI_REORG_DELAY)
/// confirmations). The monitor sweeps every claimable output to the destination script it was
/// given, so what it reports are outputs paying that script: the wallet owning the script
/// spends them like any other of its coins, no channel key is needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpendableOutput {
    /// The output's outpoint.
    pub outpoint: OutPoint,
    /// The output (value and the destination script).
    pub output: TxOut,
    /// Which claim created it.
    pub source: ClaimSource,
}

/// A request to the wallet to raise the fee of a transaction of an anchor channel (CPFP of
/// the commitment through our anchor, or fee inputs added to a zero-fee HTLC transaction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BumpTransaction {
    /// Our commitment was broadcast with its (low) pre-agreed fee: spend our anchor output in a
    /// child paying for both. Sign the anchor input with
    /// [`ChannelMonitor::sign_anchor_input`](super::ChannelMonitor::sign_anchor_input).
    ChannelClose {
        /// The channel.
        channel_id: ChannelId,
        /// The fully signed commitment transaction.
        commitment_tx: Transaction,
        /// Its fee, in satoshis.
        commitment_fee_satoshis: u64,
        /// Its weight, in weight units.
        commitment_weight: u64,
        /// Our anchor output.
        anchor_outpoint: OutPoint,
        /// The anchor's value (330 sat).
        anchor_value_satoshis: u64,
        /// The anchor's witness script (the signature goes before it in the witness).
        anchor_witness_script: ScriptBuf,
    },
    /// One of our zero-fee HTLC transactions, fully signed and already broadcast as is. The
    /// counterparty signed it with `SIGHASH_SINGLE|SIGHASH_ANYONECANPAY`: a wallet may add
    /// inputs and outputs after ours and re-sign our half with
    /// [`ChannelSigner::sign_holder_htlc_transaction`](lightning_signer_api::traits::ChannelSigner::sign_holder_htlc_transaction).
    HtlcResolution {
        /// The channel.
        channel_id: ChannelId,
        /// The signed HTLC-success or HTLC-timeout transaction (input 0 / output 0 are ours).
        htlc_tx: Transaction,
        /// Our commitment it spends.
        commitment_number: u64,
        /// The HTLC's position among that commitment's HTLC outputs.
        htlc_position: usize,
        /// The HTLC.
        htlc: Htlc,
        /// The HTLC output's witness script.
        witness_script: ScriptBuf,
    },
}

/// Something the owner of a [`ChannelMonitor`](super::ChannelMonitor) must know or do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MonitorEvent {
    /// The funding output was spent by a transaction now confirmed.
    FundingSpent {
        /// The channel.
        channel_id: ChannelId,
        /// The spending transaction.
        txid: Txid,
        /// What it is.
        kind: FundingSpendKind,
    },
    /// A preimage was learnt on chain (the counterparty claimed one of our HTLCs): settle the
    /// upstream HTLC with it. Reported at once (a preimage cannot be un-learnt).
    HtlcResolved {
        /// The channel.
        channel_id: ChannelId,
        /// The HTLC's payment hash.
        payment_hash: PaymentHash,
        /// Its preimage.
        preimage: PaymentPreimage,
    },
    /// One of the HTLCs we offered is resolved on chain without its preimage, final after
    /// [`ANTI_REORG_DELAY`](super::ANTI_REORG_DELAY) confirmations: timed out or swept by
    /// justice (counted from that claim), or no output of the commitment that confirmed
    /// (trimmed as dust, or not in it: counted from the commitment). Fail it upstream.
    /// Reported once per HTLC, never for one already reported [`HtlcResolved`](Self::HtlcResolved)
    /// (HTLCs with the same hash, amount and expiry are told apart by count only).
    HtlcFailed {
        /// The channel.
        channel_id: ChannelId,
        /// The HTLC's payment hash.
        payment_hash: PaymentHash,
        /// Its amount.
        amount_msat: u64,
        /// Its expiry height.
        cltv_expiry: u32,
    },
    /// Outputs that are now ours and final.
    SpendableOutputs {
        /// The channel.
        channel_id: ChannelId,
        /// The outputs.
        outputs: Vec<SpendableOutput>,
    },
    /// An anchor channel's transaction needs a fee bump from the wallet.
    BumpTransaction(BumpTransaction),
    /// Every output of the channel is resolved and final: the monitor needs no more chain
    /// data and may be archived.
    FullyResolved {
        /// The channel.
        channel_id: ChannelId,
    },
}

/// Why a [`ChannelMonitorUpdate`](crate::monitor::update::ChannelMonitorUpdate) was not
/// applied. The monitor is unchanged after any of these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MonitorUpdateError {
    /// The update names another channel.
    WrongChannel {
        /// This monitor's channel.
        expected: ChannelId,
        /// The update's channel.
        got: ChannelId,
    },
    /// The update is not the next one (`latest_update_id + 1`).
    OutOfOrder {
        /// The id expected.
        expected: u64,
        /// The update's id.
        got: u64,
    },
    /// Update 0 must carry exactly the [`ChannelMonitorInit`](crate::monitor::update::ChannelMonitorInit)
    /// (and later updates must not).
    MisplacedInit,
    /// The signer passed in was not derived from the channel's keys id.
    SignerMismatch,
    /// A commitment number does not follow the ones already recorded.
    CommitmentOutOfOrder {
        /// The number given.
        got: u64,
    },
    /// A revealed secret is refused by the secret store, or does not match the recorded
    /// per-commitment point.
    BadSecret {
        /// The revoked commitment number.
        commitment_number: u64,
        /// What the store said, if it refused it.
        store_error: Option<SecretStoreError>,
    },
}

impl fmt::Display for MonitorUpdateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongChannel { expected, got } => {
                write!(f, "update for channel {got}, monitor watches {expected}")
            }
            Self::OutOfOrder { expected, got } => {
                write!(f, "monitor update {got} given, expected {expected}")
            }
            Self::MisplacedInit => f.write_str("initial data in the wrong monitor update"),
            Self::SignerMismatch => f.write_str("signer not derived from the channel keys id"),
            Self::CommitmentOutOfOrder { got } => {
                write!(f, "commitment {got} does not follow the recorded ones")
            }
            Self::BadSecret {
                commitment_number, ..
            } => write!(
                f,
                "bad per-commitment secret for commitment {commitment_number}"
            ),
        }
    }
}

impl core::error::Error for MonitorUpdateError {}

/// Why bytes could not be read as a [`ChannelMonitor`](super::ChannelMonitor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MonitorDecodeError {
    /// The input is empty.
    Empty,
    /// The format version byte is not one this library reads.
    UnknownVersion(u8),
    /// The TLV framing or a field's encoding is bad.
    Wire(DecodeError),
    /// A required field is missing.
    MissingField(&'static str),
    /// A stored transaction does not parse.
    BadTransaction,
    /// The stored counterparty secrets do not parse.
    BadSecrets,
    /// The signer passed in was not derived from the stored channel keys id.
    SignerMismatch,
}

impl fmt::Display for MonitorDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty monitor encoding"),
            Self::UnknownVersion(v) => write!(f, "unknown monitor format version {v}"),
            Self::Wire(e) => write!(f, "bad monitor encoding: {e}"),
            Self::MissingField(name) => write!(f, "monitor encoding lacks its {name}"),
            Self::BadTransaction => f.write_str("bad transaction in monitor encoding"),
            Self::BadSecrets => f.write_str("bad counterparty secrets in monitor encoding"),
            Self::SignerMismatch => f.write_str("signer not derived from the channel keys id"),
        }
    }
}

impl core::error::Error for MonitorDecodeError {}

impl From<DecodeError> for MonitorDecodeError {
    fn from(e: DecodeError) -> Self {
        Self::Wire(e)
    }
}

impl From<MonitorUpdateDecodeError> for MonitorDecodeError {
    fn from(e: MonitorUpdateDecodeError) -> Self {
        match e {
            MonitorUpdateDecodeError::Wire(w) => Self::Wire(w),
            MonitorUpdateDecodeError::MissingField(name) => Self::MissingField(name),
            MonitorUpdateDecodeError::Empty => Self::Empty,
            MonitorUpdateDecodeError::UnknownVersion(v) => Self::UnknownVersion(v),
            MonitorUpdateDecodeError::UnknownStep(_) => Self::Wire(DecodeError::InvalidValue),
        }
    }
}
