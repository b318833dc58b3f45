//! The channel's persisted form: a format version byte, then a TLV stream of field groups
//! (each a fixed layout), so that later versions can add odd records old readers skip.
//!
//! What is saved: everything the channel knows except its signer and logger (given back at
//! [`Channel::decode`]), the messages not yet handed out (a restored channel starts
//! disconnected; what the peer must get is regenerated at the reestablish) and a closing
//! fee negotiation in progress (it restarts after the reconnection). Events waiting for a
//! monitor update and updates not yet polled are saved.

pub(crate) mod codec;
pub(crate) mod parts;

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::fmt;

use bitcoin::secp256k1::Secp256k1;
use lightning_signer_api::keys::{ChannelPublicKeys, CounterpartyCommitmentSecrets};
use lightning_signer_api::traits::ChannelSigner;
use lightning_signer_api::tx::ChannelType;

use self::codec::{
    get_blob, get_bool, get_list, get_opt, get_tx, put_blob, put_bool, put_list, put_opt, put_tx,
    Records,
};
use self::parts::*;
use super::commitment::Commitments;
use super::queues::Queues;
use super::reestablish::LinkState;
use super::Channel;
use crate::monitor::codec::{read_setup, read_signatures, write_setup, write_signatures};
use crate::monitor::update::ChannelMonitorUpdate;
use crate::util::logger::SharedLogger;
use crate::wire::{CommitmentSigned, Decode, DecodeError, Encode, Reader, RevokeAndAck, TlvWriter};

/// The format version written as the first byte of an encoded channel.
pub const CHANNEL_FORMAT_VERSION: u8 = 1;

/// The record of the peer's previous commitment while it is not revoked (odd: optional,
/// absent when there is none).
const PREV_REMOTE_RECORD: u64 = 15;

/// The highest even record type this version understands.
const MAX_KNOWN_EVEN: u64 = 14;

/// Why bytes could not be read as a [`Channel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelDecodeError {
    /// The input is empty.
    Empty,
    /// The format version byte is not one this library reads.
    UnknownVersion(u8),
    /// The TLV framing or a field's encoding is bad.
    Wire(DecodeError),
    /// A required record is missing.
    MissingField(&'static str),
}

impl fmt::Display for ChannelDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty channel encoding"),
            Self::UnknownVersion(v) => write!(f, "unknown channel format version {v}"),
            Self::Wire(e) => write!(f, "bad channel encoding: {e}"),
            Self::MissingField(name) => write!(f, "channel encoding lacks its {name}"),
        }
    }
}

impl core::error::Error for ChannelDecodeError {}

impl From<DecodeError> for ChannelDecodeError {
    fn from(e: DecodeError) -> Self {
        Self::Wire(e)
    }
}

fn write_keys(keys: &ChannelPublicKeys, out: &mut Vec<u8>) {
    keys.funding_pubkey.encode(out);
    keys.revocation_basepoint.encode(out);
    keys.payment_point.encode(out);
    keys.delayed_payment_basepoint.encode(out);
    keys.htlc_basepoint.encode(out);
}

fn read_keys(r: &mut Reader<'_>) -> Result<ChannelPublicKeys, DecodeError> {
    Ok(ChannelPublicKeys {
        funding_pubkey: r.decode()?,
        revocation_basepoint: r.decode()?,
        payment_point: r.decode()?,
        delayed_payment_basepoint: r.decode()?,
        htlc_basepoint: r.decode()?,
    })
}

fn put_message<T: Encode>(message: &Option<T>, out: &mut Vec<u8>) {
    put_bool(message.is_some(), out);
    if let Some(m) = message {
        put_blob(&m.encode_to_vec(), out);
    }
}

fn get_message<T: Decode>(r: &mut Reader<'_>) -> Result<Option<T>, DecodeError> {
    if !get_bool(r)? {
        return Ok(None);
    }
    Ok(Some(T::decode_exact(get_blob(r)?)?))
}

fn write_commitments(c: &Commitments, out: &mut Vec<u8>) {
    write_spec(&c.local, out);
    c.local_number.encode(out);
    put_bool(c.local_signatures.is_some(), out);
    if let Some(sigs) = &c.local_signatures {
        write_signatures(sigs, out);
    }
    write_spec(&c.remote, out);
    c.remote_number.encode(out);
    put_bool(c.awaiting_raa, out);
    write_log(&c.ours, out);
    write_log(&c.theirs, out);
    c.next_holder_htlc_id.encode(out);
    c.next_counterparty_htlc_id.encode(out);
    put_opt(&c.holder_current_point, out);
    put_opt(&c.holder_next_point, out);
    put_opt(&c.counterparty_prev_point, out);
    put_opt(&c.counterparty_current_point, out);
    put_opt(&c.counterparty_next_point, out);
    put_blob(&c.counterparty_secrets.encode(), out);
    put_message(&c.last_sent_commitment_signed, out);
    put_message(&c.last_sent_revoke_and_ack, out);
    put_bool(c.commitment_sent_last, out);
}

fn read_commitments(r: &mut Reader<'_>) -> Result<Commitments, DecodeError> {
    let local = read_spec(r)?;
    let local_number = r.decode()?;
    let local_signatures = if get_bool(r)? {
        Some(read_signatures(r)?)
    } else {
        None
    };
    Ok(Commitments {
        local,
        local_number,
        local_signatures,
        remote: read_spec(r)?,
        remote_number: r.decode()?,
        awaiting_raa: get_bool(r)?,
        prev_remote: None,
        ours: read_log(r)?,
        theirs: read_log(r)?,
        next_holder_htlc_id: r.decode()?,
        next_counterparty_htlc_id: r.decode()?,
        holder_current_point: get_opt(r)?,
        holder_next_point: get_opt(r)?,
        counterparty_prev_point: get_opt(r)?,
        counterparty_current_point: get_opt(r)?,
        counterparty_next_point: get_opt(r)?,
        counterparty_secrets: CounterpartyCommitmentSecrets::decode(get_blob(r)?)
            .map_err(|_| DecodeError::InvalidValue)?,
        last_sent_commitment_signed: get_message::<CommitmentSigned>(r)?,
        last_sent_revoke_and_ack: get_message::<RevokeAndAck>(r)?,
        commitment_sent_last: get_bool(r)?,
    })
}

/// Reads one record with `read`, which must use all of it.
fn record<'a, T>(
    records: &Records<'a>,
    t: u64,
    name: &'static str,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, DecodeError>,
) -> Result<T, ChannelDecodeError> {
    let bytes = records
        .get(t)
        .ok_or(ChannelDecodeError::MissingField(name))?;
    let mut r = Reader::new(bytes);
    let value = read(&mut r)?;
    if !r.is_empty() {
        return Err(DecodeError::TlvValueLengthMismatch.into());
    }
    Ok(value)
}

impl Channel {
    /// The channel's versioned encoding ([`CHANNEL_FORMAT_VERSION`], then TLV records).
    /// Save it whenever the channel changed, before handing its messages to the peer.
    pub fn encode(&self) -> Vec<u8> {
        let mut identity = Vec::new();
        self.counterparty_node_id.encode(&mut identity);
        self.user_channel_id.to_be_bytes().encode(&mut identity);
        self.temporary_channel_id.encode(&mut identity);
        self.channel_id.encode(&mut identity);
        put_bool(self.is_funder, &mut identity);
        self.chain_hash.encode(&mut identity);
        self.channel_type.encode(&mut identity);
        put_bool(self.commitment_format.has_anchors(), &mut identity);
        self.funding_satoshis.encode(&mut identity);
        self.push_msat.encode(&mut identity);
        self.minimum_depth.encode(&mut identity);
        self.current_height.encode(&mut identity);
        put_opt(&self.short_channel_id, &mut identity);

        let mut sides = Vec::new();
        write_side_config(&self.holder, &mut sides);
        write_side_config(&self.counterparty, &mut sides);
        write_keys(&self.holder_keys, &mut sides);
        put_bool(self.counterparty_keys.is_some(), &mut sides);
        if let Some(keys) = &self.counterparty_keys {
            write_keys(keys, &mut sides);
        }
        put_opt(&self.holder_shutdown_script, &mut sides);
        put_opt(&self.counterparty_upfront_shutdown, &mut sides);

        let mut funding = Vec::new();
        put_bool(self.setup.is_some(), &mut funding);
        if let Some(setup) = &self.setup {
            write_setup(setup, &mut funding);
        }
        put_bool(self.funding_tx.is_some(), &mut funding);
        if let Some(tx) = &self.funding_tx {
            put_tx(tx, &mut funding);
        }

        let mut queues = Vec::new();
        let (latest, completed) = self.queues.update_ids();
        put_opt(&latest, &mut queues);
        put_opt(&completed, &mut queues);
        let mut held = Vec::new();
        for (depends_on, event) in self.queues.held_events() {
            let mut one = Vec::new();
            put_opt(depends_on, &mut one);
            if write_event(event, &mut one) {
                held.push(one);
            }
        }
        put_list(&held, &mut queues, |one, out| out.extend_from_slice(one));
        let updates: Vec<Vec<u8>> = self.queues.unpolled_updates().map(|u| u.encode()).collect();
        put_list(&updates, &mut queues, |u, out| put_blob(u, out));

        let mut out = alloc::vec![CHANNEL_FORMAT_VERSION];
        let mut w = TlvWriter::new(&mut out, &[]);
        w.write_bytes(0, &identity);
        w.write_bytes(2, &to_vec(&self.config, write_config));
        w.write_bytes(4, &sides);
        w.write_bytes(6, &funding);
        w.write_bytes(8, &to_vec(&self.state, write_state));
        w.write_bytes(10, &to_vec(&self.commitments, write_commitments));
        w.write_bytes(12, &queues);
        w.write_bytes(14, &to_vec(&self.waits, write_waits));
        if let Some(prev_remote) = &self.commitments.prev_remote {
            w.write_bytes(PREV_REMOTE_RECORD, &to_vec(prev_remote, write_spec));
        }
        w.finish();
        out
    }

    /// Restores an [`encode`](Self::encode)d channel with its signer (derive it again from
    /// the channel's keys id with `SignerProvider::derive_channel_signer`) and a logger.
    /// The channel starts disconnected: call [`peer_connected`](Self::peer_connected) when
    /// the peer is back, then hand it the peer's `channel_reestablish`.
    pub fn decode(
        bytes: &[u8],
        signer: alloc::boxed::Box<dyn ChannelSigner>,
        logger: SharedLogger,
    ) -> Result<Channel, ChannelDecodeError> {
        let (&version, rest) = bytes.split_first().ok_or(ChannelDecodeError::Empty)?;
        if version != CHANNEL_FORMAT_VERSION {
            return Err(ChannelDecodeError::UnknownVersion(version));
        }
        let records = Records::read(rest, MAX_KNOWN_EVEN)?;
        let identity = record(&records, 0, "identity", |r| {
            Ok((
                r.decode()?,
                u128::from_be_bytes(r.read_array()?),
                r.decode()?,
                r.decode()?,
                get_bool(r)?,
                r.decode()?,
                r.decode()?,
                get_bool(r)?,
                (r.decode()?, r.decode()?, r.decode()?, r.decode()?),
                get_opt(r)?,
            ))
        })?;
        let (counterparty_node_id, user_channel_id, temporary_channel_id, channel_id, is_funder) =
            (identity.0, identity.1, identity.2, identity.3, identity.4);
        let (chain_hash, channel_type, anchors, numbers, short_channel_id) =
            (identity.5, identity.6, identity.7, identity.8, identity.9);
        let (funding_satoshis, push_msat, minimum_depth, current_height) = numbers;
        let config = record(&records, 2, "config", read_config)?;
        let sides = record(&records, 4, "sides", |r| {
            let holder = read_side_config(r)?;
            let counterparty = read_side_config(r)?;
            let holder_keys = read_keys(r)?;
            let counterparty_keys = if get_bool(r)? {
                Some(read_keys(r)?)
            } else {
                None
            };
            Ok((
                holder,
                counterparty,
                holder_keys,
                counterparty_keys,
                get_opt(r)?,
                get_opt(r)?,
            ))
        })?;
        let (setup, funding_tx) = record(&records, 6, "funding", |r| {
            let setup = if get_bool(r)? {
                Some(read_setup(r)?)
            } else {
                None
            };
            let tx = if get_bool(r)? { Some(get_tx(r)?) } else { None };
            Ok((setup, tx))
        })?;
        let state = record(&records, 8, "state", read_state)?;
        let mut commitments = record(&records, 10, "commitments", read_commitments)?;
        if records.get(PREV_REMOTE_RECORD).is_some() {
            commitments.prev_remote = Some(record(
                &records,
                PREV_REMOTE_RECORD,
                "previous remote commitment",
                read_spec,
            )?);
        }
        let queues = record(&records, 12, "queues", |r| {
            let latest: Option<u64> = get_opt(r)?;
            let completed: Option<u64> = get_opt(r)?;
            let events = get_list(r, |r| Ok::<_, DecodeError>((get_opt(r)?, read_event(r)?)))?;
            let updates = get_list(r, |r| {
                ChannelMonitorUpdate::decode(get_blob(r)?).map_err(|_| DecodeError::InvalidValue)
            })?;
            Ok(Queues::restored(
                latest,
                completed,
                VecDeque::from(events),
                VecDeque::from(updates),
            ))
        })?;
        let waits = record(&records, 14, "waits", read_waits)?;
        let mut channel = Channel {
            counterparty_node_id,
            user_channel_id,
            temporary_channel_id,
            channel_id,
            is_funder,
            chain_hash,
            config,
            logger,
            signer,
            secp: Secp256k1::new(),
            channel_type,
            commitment_format: if anchors {
                ChannelType::AnchorsZeroFeeHtlcTx
            } else {
                ChannelType::StaticRemoteKey
            },
            funding_satoshis,
            push_msat,
            holder: sides.0,
            counterparty: sides.1,
            holder_keys: sides.2,
            counterparty_keys: sides.3,
            holder_shutdown_script: sides.4,
            counterparty_upfront_shutdown: sides.5,
            minimum_depth,
            setup,
            funding_tx,
            short_channel_id,
            current_height,
            state,
            commitments,
            queues,
            waits,
            link: LinkState::Disconnected,
        };
        // A restart is a disconnect: the peer's uncommitted updates are forgotten.
        channel.peer_disconnected();
        Ok(channel)
    }
}

fn to_vec<T>(value: &T, write: fn(&T, &mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    write(value, &mut out);
    out
}
