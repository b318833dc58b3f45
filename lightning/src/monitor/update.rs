//! Monitor updates: the versioned blobs a channel emits whenever its state changes in a way
//! that must survive a crash.
//!
//! A [`Channel`](crate::channel::Channel) emits a [`ChannelMonitorUpdate`] for every state
//! change its on-chain guardian must know about (a new commitment, a revealed secret, a
//! preimage, a close). Changes of one commitment round made before the owner polled the
//! previous update join it as further steps (our and the peer's new commitment on a
//! `commitment_signed`, a preimage and the commitment that removes its HTLC): the monitor
//! applies an update's steps in order, exactly as it would separate updates. `update_id`s are strictly increasing per channel: the first update, emitted once
//! the funding is signed, has id 0 and carries the [`ChannelMonitorInit`] as its only step
//! ([`MonitorUpdateStep::Init`]); every later update counts up from 1.
//!
//! Everything here is persisted, so it is encoded with a format version byte followed by a
//! BOLT 1 TLV stream ([`ChannelMonitorUpdate::encode`] / [`ChannelMonitorUpdate::decode`]).
//! Decoding never panics and never allocates more than its input can hold.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use bitcoin::ScriptBuf;
use lightning_signer_api::traits::{ChannelKeysId, ChannelSetup, CommitmentSignatures};
use lightning_signer_api::tx::CommitmentInputs;
use secp256k1::PublicKey;

use super::codec::{
    read_inputs, read_setup, read_signatures, to_bytes, write_inputs, write_setup, write_signatures,
};
use crate::wire::{
    read_tlv_stream, ChannelId, Decode, DecodeError, Encode, PaymentPreimage, Reader, TlvWriter,
};

/// The format version written as the first byte of every encoded update.
pub const MONITOR_UPDATE_FORMAT_VERSION: u8 = 1;

/// Everything a monitor needs to start watching a channel: emitted once, when the funding
/// transaction's first commitments are signed (as the single step of update 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelMonitorInit {
    /// The channel id (derived from the funding outpoint).
    pub channel_id: ChannelId,
    /// The peer's node id.
    pub counterparty_node_id: PublicKey,
    /// The id the channel's signer was derived from (to derive it again on chain).
    pub channel_keys_id: ChannelKeysId,
    /// Funding outpoint, both key sets and every fixed parameter of the channel.
    pub setup: ChannelSetup,
    /// Our initial commitment (number 0), which the peer signed.
    pub holder_commitment: CommitmentInputs,
    /// The peer's signatures on `holder_commitment`.
    pub counterparty_signatures: CommitmentSignatures,
    /// The peer's initial commitment (number 0, seen from the peer: it is the broadcaster).
    pub counterparty_commitment: CommitmentInputs,
    /// The peer's per-commitment point of its commitment 0.
    pub counterparty_per_commitment_point: PublicKey,
    /// Where our cooperative-close funds go, if already known.
    pub shutdown_script: Option<ScriptBuf>,
}

/// One change the monitor must record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MonitorUpdateStep {
    /// The initial monitor data (only in update 0).
    Init(Box<ChannelMonitorInit>),
    /// Our new commitment, signed by the peer: the monitor can broadcast it.
    LatestHolderCommitment {
        /// The commitment's state (we are the broadcaster).
        commitment: CommitmentInputs,
        /// The peer's signatures on it and on its HTLC transactions.
        counterparty_signatures: CommitmentSignatures,
    },
    /// The peer's new commitment, which we signed: the monitor watches for it on chain.
    LatestCounterpartyCommitment {
        /// The commitment's state (the peer is the broadcaster).
        commitment: CommitmentInputs,
        /// The peer's per-commitment point of that commitment.
        per_commitment_point: PublicKey,
    },
    /// The peer revoked its commitment `commitment_number` by revealing its secret.
    CommitmentSecret {
        /// The revoked commitment.
        commitment_number: u64,
        /// Its per-commitment secret.
        secret: [u8; 32],
    },
    /// We learnt a preimage: HTLCs paying to its hash can be claimed on chain.
    PaymentPreimage {
        /// The preimage.
        preimage: PaymentPreimage,
    },
    /// Our cooperative-close script (from our `shutdown`).
    ShutdownScript {
        /// The script.
        script: ScriptBuf,
    },
    /// The channel was force closed: the monitor broadcasts our latest commitment.
    ChannelForceClosed,
}

/// A batch of steps with a per-channel, strictly increasing id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelMonitorUpdate {
    /// The channel the update belongs to.
    pub channel_id: ChannelId,
    /// 0 for the initial update, then 1, 2, ...
    pub update_id: u64,
    /// What changed, in order.
    pub steps: Vec<MonitorUpdateStep>,
}

/// Why bytes could not be read as a [`ChannelMonitorUpdate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonitorUpdateDecodeError {
    /// The input is empty.
    Empty,
    /// The format version byte is not one this library reads.
    UnknownVersion(u8),
    /// The TLV framing or a field's encoding is bad.
    Wire(DecodeError),
    /// A required field is missing.
    MissingField(&'static str),
    /// A step of an unknown kind.
    UnknownStep(u16),
}

impl fmt::Display for MonitorUpdateDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty monitor update"),
            Self::UnknownVersion(v) => write!(f, "unknown monitor update format version {v}"),
            Self::Wire(e) => write!(f, "bad monitor update encoding: {e}"),
            Self::MissingField(name) => write!(f, "monitor update lacks its {name}"),
            Self::UnknownStep(kind) => write!(f, "unknown monitor update step kind {kind}"),
        }
    }
}

impl core::error::Error for MonitorUpdateDecodeError {}

impl From<DecodeError> for MonitorUpdateDecodeError {
    fn from(e: DecodeError) -> Self {
        Self::Wire(e)
    }
}

const STEP_INIT: u16 = 0;
const STEP_HOLDER_COMMITMENT: u16 = 2;
const STEP_COUNTERPARTY_COMMITMENT: u16 = 4;
const STEP_COMMITMENT_SECRET: u16 = 6;
const STEP_PAYMENT_PREIMAGE: u16 = 8;
const STEP_SHUTDOWN_SCRIPT: u16 = 10;
const STEP_FORCE_CLOSED: u16 = 12;

impl ChannelMonitorUpdate {
    /// The initial data if this is update 0.
    pub fn init(&self) -> Option<&ChannelMonitorInit> {
        self.steps.iter().find_map(|step| match step {
            MonitorUpdateStep::Init(init) => Some(&**init),
            _ => None,
        })
    }

    /// The versioned encoding: [`MONITOR_UPDATE_FORMAT_VERSION`], then a TLV stream with
    /// `channel_id` (0), `update_id` (2) and the steps (4), each step a `u16` kind, a `u32`
    /// length and the step's own TLV stream.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = alloc::vec![MONITOR_UPDATE_FORMAT_VERSION];
        let mut steps = Vec::new();
        for step in &self.steps {
            let (kind, body) = encode_step(step);
            kind.encode(&mut steps);
            // A step is far below 4 GiB.
            (body.len() as u32).encode(&mut steps);
            steps.extend_from_slice(&body);
        }
        let mut tlvs = TlvWriter::new(&mut out, &[]);
        tlvs.write(0, &self.channel_id);
        tlvs.write(2, &self.update_id);
        tlvs.write_bytes(4, &steps);
        tlvs.finish();
        out
    }

    /// Reads an [`encode`](Self::encode)d update.
    pub fn decode(bytes: &[u8]) -> Result<Self, MonitorUpdateDecodeError> {
        let (&version, rest) = bytes.split_first().ok_or(MonitorUpdateDecodeError::Empty)?;
        if version != MONITOR_UPDATE_FORMAT_VERSION {
            return Err(MonitorUpdateDecodeError::UnknownVersion(version));
        }
        let mut channel_id = None;
        let mut update_id = None;
        let mut steps_bytes: Option<&[u8]> = None;
        read_tlv_stream(&mut Reader::new(rest), |t, value| {
            match t {
                0 => channel_id = Some(ChannelId::decode(value)?),
                2 => update_id = Some(u64::decode(value)?),
                4 => steps_bytes = Some(value.read_remaining()),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let steps_bytes = steps_bytes.ok_or(MonitorUpdateDecodeError::MissingField("steps"))?;
        let mut r = Reader::new(steps_bytes);
        let mut steps = Vec::new();
        while !r.is_empty() {
            let kind = u16::decode(&mut r)?;
            let len = u32::decode(&mut r)?;
            let len = usize::try_from(len).map_err(|_| DecodeError::ShortRead)?;
            let body = r.read_bytes(len)?;
            steps.push(decode_step(kind, body)?);
        }
        Ok(ChannelMonitorUpdate {
            channel_id: channel_id.ok_or(MonitorUpdateDecodeError::MissingField("channel_id"))?,
            update_id: update_id.ok_or(MonitorUpdateDecodeError::MissingField("update_id"))?,
            steps,
        })
    }
}

fn encode_step(step: &MonitorUpdateStep) -> (u16, Vec<u8>) {
    let mut body = Vec::new();
    let mut w = TlvWriter::new(&mut body, &[]);
    let kind = match step {
        MonitorUpdateStep::Init(init) => {
            w.write(0, &init.channel_id);
            w.write(2, &init.counterparty_node_id);
            w.write(4, &init.channel_keys_id.0);
            w.write_bytes(6, &to_bytes(&init.setup, write_setup));
            w.write_bytes(8, &to_bytes(&init.holder_commitment, write_inputs));
            w.write_bytes(
                10,
                &to_bytes(&init.counterparty_signatures, write_signatures),
            );
            w.write_bytes(12, &to_bytes(&init.counterparty_commitment, write_inputs));
            w.write(14, &init.counterparty_per_commitment_point);
            if let Some(script) = &init.shutdown_script {
                w.write_bytes(16, script.as_bytes());
            }
            STEP_INIT
        }
        MonitorUpdateStep::LatestHolderCommitment {
            commitment,
            counterparty_signatures,
        } => {
            w.write_bytes(0, &to_bytes(commitment, write_inputs));
            w.write_bytes(2, &to_bytes(counterparty_signatures, write_signatures));
            STEP_HOLDER_COMMITMENT
        }
        MonitorUpdateStep::LatestCounterpartyCommitment {
            commitment,
            per_commitment_point,
        } => {
            w.write_bytes(0, &to_bytes(commitment, write_inputs));
            w.write(2, per_commitment_point);
            STEP_COUNTERPARTY_COMMITMENT
        }
        MonitorUpdateStep::CommitmentSecret {
            commitment_number,
            secret,
        } => {
            w.write(0, commitment_number);
            w.write(2, secret);
            STEP_COMMITMENT_SECRET
        }
        MonitorUpdateStep::PaymentPreimage { preimage } => {
            w.write(0, preimage);
            STEP_PAYMENT_PREIMAGE
        }
        MonitorUpdateStep::ShutdownScript { script } => {
            w.write_bytes(0, script.as_bytes());
            STEP_SHUTDOWN_SCRIPT
        }
        MonitorUpdateStep::ChannelForceClosed => STEP_FORCE_CLOSED,
    };
    w.finish();
    (kind, body)
}

/// The raw values of a step's TLV records, by (even) type / 2; at most 9 fields.
struct Fields<'a>([Option<&'a [u8]>; 9]);

impl<'a> Fields<'a> {
    fn read(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut fields = [None; 9];
        read_tlv_stream(&mut Reader::new(body), |t, value| {
            let slot = usize::try_from(t / 2).ok().filter(|s| *s < fields.len());
            match slot {
                Some(slot) if t % 2 == 0 => {
                    fields[slot] = Some(value.read_remaining());
                    Ok(true)
                }
                _ => Ok(false),
            }
        })?;
        Ok(Fields(fields))
    }

    fn raw(&self, t: usize, name: &'static str) -> Result<&'a [u8], MonitorUpdateDecodeError> {
        self.0[t / 2].ok_or(MonitorUpdateDecodeError::MissingField(name))
    }

    fn get<T: Decode>(&self, t: usize, name: &'static str) -> Result<T, MonitorUpdateDecodeError> {
        Ok(T::decode_exact(self.raw(t, name)?)?)
    }

    fn with<T>(
        &self,
        t: usize,
        name: &'static str,
        read: fn(&mut Reader<'_>) -> Result<T, DecodeError>,
    ) -> Result<T, MonitorUpdateDecodeError> {
        let mut r = Reader::new(self.raw(t, name)?);
        let value = read(&mut r)?;
        if !r.is_empty() {
            return Err(DecodeError::TlvValueLengthMismatch.into());
        }
        Ok(value)
    }
}

fn decode_step(kind: u16, body: &[u8]) -> Result<MonitorUpdateStep, MonitorUpdateDecodeError> {
    let f = Fields::read(body)?;
    Ok(match kind {
        STEP_INIT => MonitorUpdateStep::Init(Box::new(ChannelMonitorInit {
            channel_id: f.get(0, "channel_id")?,
            counterparty_node_id: f.get(2, "counterparty_node_id")?,
            channel_keys_id: ChannelKeysId(f.get(4, "channel_keys_id")?),
            setup: f.with(6, "setup", read_setup)?,
            holder_commitment: f.with(8, "holder_commitment", read_inputs)?,
            counterparty_signatures: f.with(10, "counterparty_signatures", read_signatures)?,
            counterparty_commitment: f.with(12, "counterparty_commitment", read_inputs)?,
            counterparty_per_commitment_point: f.get(14, "counterparty_point")?,
            shutdown_script: f.0[8].map(|s| ScriptBuf::from_bytes(s.to_vec())),
        })),
        STEP_HOLDER_COMMITMENT => MonitorUpdateStep::LatestHolderCommitment {
            commitment: f.with(0, "commitment", read_inputs)?,
            counterparty_signatures: f.with(2, "counterparty_signatures", read_signatures)?,
        },
        STEP_COUNTERPARTY_COMMITMENT => MonitorUpdateStep::LatestCounterpartyCommitment {
            commitment: f.with(0, "commitment", read_inputs)?,
            per_commitment_point: f.get(2, "per_commitment_point")?,
        },
        STEP_COMMITMENT_SECRET => MonitorUpdateStep::CommitmentSecret {
            commitment_number: f.get(0, "commitment_number")?,
            secret: f.get(2, "secret")?,
        },
        STEP_PAYMENT_PREIMAGE => MonitorUpdateStep::PaymentPreimage {
            preimage: f.get(0, "preimage")?,
        },
        STEP_SHUTDOWN_SCRIPT => MonitorUpdateStep::ShutdownScript {
            script: ScriptBuf::from_bytes(f.raw(0, "script")?.to_vec()),
        },
        STEP_FORCE_CLOSED => MonitorUpdateStep::ChannelForceClosed,
        other => return Err(MonitorUpdateDecodeError::UnknownStep(other)),
    })
}
