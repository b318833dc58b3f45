//! The manager's persisted form: a format version byte, then a TLV stream of field groups.
//!
//! Saved: the chain tip, time and feerate, the inbound payment key material, every funded
//! channel that is not closed (with its keys id, funding confirmation and funding script),
//! the outbound payments (every part in flight with its path and hop shared secrets, the
//! retry budget and the amount waiting for a new route, and the resolved ids, so each id
//! still gets exactly one `PaymentSent`/`PaymentFailed`), the forwarded HTLCs in flight (to
//! settle or fail the incoming HTLC when the outgoing one resolves), the parts of incomplete
//! multi-part payments to us (with their timer ticks), claimable and unpeeled inbound HTLCs,
//! the events not yet handed out, the monitor updates not yet polled and the transactions
//! not yet broadcast.
//!
//! Records: 0 node, 2 channels, 4 outbound payments, 6 inbound HTLCs, 8 events, 10 monitor
//! updates and broadcasts, 12 forwards, 14 incomplete multi-part payments (all required);
//! 15 our channel announcements (optional, see `serialize_announce`), 17 forwards held while
//! their next channel reestablishes (optional, only when some are), 19 closed channels whose
//! HTLCs still wait for their monitor (optional: channel id, latest monitor update id, and
//! each awaiting HTLC: id, payment hash, amount, expiry), 21 the peers' `channel_update`s for
//! our unannounced channels (optional, see `peer_updates`).
//! Not saved: connections (every peer starts disconnected), messages not yet polled (the
//! reestablish regenerates what the peer needs), unfunded channels and `open_channel`
//! requests (BOLT 2 forgets them on disconnect), closed channels (their monitors hold what
//! is left; only the HTLCs waiting for a monitor and its update id are kept, record 19) and
//! the plugs (given again to [`ChannelManager::decode`]).
//!
//! # What the caller does around a restart
//!
//! 1. Save [`ChannelManager::encode`] after handling a batch of calls and before handing
//!    the messages it produced to the network (a manager restored from an older save may be
//!    behind its peers: the channel then detects it at the reestablish and closes without
//!    broadcasting, as BOLT 2 requires for data loss).
//! 2. On start, [`ChannelManager::decode`] with the same plugs (signer provider, node
//!    signer) as before; channel signers are derived again from each channel's keys id.
//! 3. For each `(channel_id, update_id)` of
//!    [`in_progress_monitor_updates`](ChannelManager::in_progress_monitor_updates) that
//!    the persister holds durably, call `monitor_update_completed`; re-persist the others
//!    (they also come out of `poll_monitor_update` when they were not yet polled). Checking
//!    that the monitors agree with the manager is the monitor's job.
//! 4. Connect peers as usual: `peer_connected` sends `channel_reestablish` and the channels
//!    resume where they were.

use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use bitcoin::hashes::Hash;
use bitcoin::BlockHash;
use lightning_signer_api::traits::ChannelKeysId;

use crate::chain::BestBlock;
use crate::channel::serialize::codec::{
    get_blob, get_bool, get_list, get_opt, get_tx, put_blob, put_bool, put_list, put_opt, put_tx,
    Records,
};
use crate::channel::{Channel, ChannelDecodeError, ChannelPhase};
use crate::monitor::update::ChannelMonitorUpdate;
use crate::wire::{ChannelId, Decode, DecodeError, Encode, Reader, TlvWriter};

use super::closed::{AwaitingHtlc, ClosedChannel};
use super::config::ManagerParams;
use super::held::{read_held_forwards, write_held_forwards, HELD_FORWARDS_RECORD};
use super::payments::UnpeeledHtlc;
use super::serialize_events::{read_event, write_event};
use super::serialize_payments::{
    read_claimable, read_forwards, read_outbound, read_receiving, write_claimable, write_forwards,
    write_outbound, write_receiving,
};
use super::{ChannelEntry, ChannelManager, InboundPaymentKey};

/// The format version written as the first byte of an encoded manager. Version 1 holds the
/// multi-part outbound book, forwards and incomplete multi-part sets (an earlier layout of
/// version 1, with single-path payments, never shipped and is not read).
pub const MANAGER_FORMAT_VERSION: u8 = 1;

const MAX_KNOWN_EVEN: u64 = 14;

/// The record of closed channels whose HTLCs wait for their monitor (odd: optional).
const CLOSED_CHANNELS_RECORD: u64 = 19;

/// Why bytes could not be read as a [`ChannelManager`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManagerDecodeError {
    /// The input is empty.
    Empty,
    /// The format version byte is not one this library reads.
    UnknownVersion(u8),
    /// The TLV framing or a field's encoding is bad.
    Wire(DecodeError),
    /// A required record is missing.
    MissingField(&'static str),
    /// A channel's encoding is bad.
    Channel(ChannelDecodeError),
    /// The saved manager belongs to another chain or another node key.
    WrongNode,
}

impl fmt::Display for ManagerDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty manager encoding"),
            Self::UnknownVersion(v) => write!(f, "unknown manager format version {v}"),
            Self::Wire(e) => write!(f, "bad manager encoding: {e}"),
            Self::MissingField(name) => write!(f, "manager encoding lacks its {name}"),
            Self::Channel(e) => write!(f, "bad channel in manager encoding: {e}"),
            Self::WrongNode => f.write_str("saved manager belongs to another chain or node"),
        }
    }
}

impl core::error::Error for ManagerDecodeError {}

impl From<DecodeError> for ManagerDecodeError {
    fn from(e: DecodeError) -> Self {
        Self::Wire(e)
    }
}

fn record<'a, T>(
    records: &Records<'a>,
    t: u64,
    name: &'static str,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, ManagerDecodeError>,
) -> Result<T, ManagerDecodeError> {
    let bytes = records
        .get(t)
        .ok_or(ManagerDecodeError::MissingField(name))?;
    let mut r = Reader::new(bytes);
    let value = read(&mut r)?;
    if !r.is_empty() {
        return Err(DecodeError::TlvValueLengthMismatch.into());
    }
    Ok(value)
}

/// [`record`] `t` if the encoding has it (`None` otherwise): for records added after the
/// first encodings, which lack them.
fn optional_record<'a, T>(
    records: &Records<'a>,
    t: u64,
    name: &'static str,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, ManagerDecodeError>,
) -> Result<Option<T>, ManagerDecodeError> {
    match records.get(t) {
        Some(_) => record(records, t, name, read).map(Some),
        None => Ok(None),
    }
}

impl ChannelManager {
    /// The manager's versioned encoding ([`MANAGER_FORMAT_VERSION`], then TLV records).
    ///
    /// It holds every funded channel that is not closed, payments in flight (each part with
    /// its path and hop secrets, the retry budget, the resolved ids), forwards in flight,
    /// incomplete multi-part payments, claimable HTLCs, events not yet handed out, monitor
    /// updates not yet polled and transactions not yet broadcast. Connections, unfunded
    /// channels and the plugs are not saved.
    ///
    /// Around a restart the caller:
    /// 1. saves this encoding after handling a batch of calls and before handing the messages
    ///    it produced to the network (a manager restored from an older save may be behind its
    ///    peers: the channel then detects it at the reestablish and closes without
    ///    broadcasting, as BOLT 2 requires for data loss);
    /// 2. on start, calls [`ChannelManager::decode`] with the same signer provider and node
    ///    signer as before;
    /// 3. for each `(channel_id, update_id)` of
    ///    [`in_progress_monitor_updates`](Self::in_progress_monitor_updates) that its
    ///    persister holds durably, calls `monitor_update_completed`, and persists the others;
    /// 4. connects peers as usual: `peer_connected` sends `channel_reestablish` and the
    ///    channels resume where they were.
    pub fn encode(&self) -> Vec<u8> {
        let mut node = Vec::new();
        self.chain_hash.encode(&mut node);
        self.our_node_id.encode(&mut node);
        self.best_block.block_hash.to_byte_array().encode(&mut node);
        self.best_block.height.encode(&mut node);
        self.highest_seen_time.as_secs().encode(&mut node);
        self.feerate_per_kw.encode(&mut node);
        self.inbound_key_material.encode(&mut node);

        let mut channels: Vec<(&ChannelId, &ChannelEntry)> = self
            .channels
            .iter()
            .filter(|(_, e)| {
                e.channel.funding_outpoint().is_some() && e.channel.phase() != ChannelPhase::Closed
            })
            .collect();
        channels.sort_by_key(|(id, _)| **id);
        let mut channel_bytes = Vec::new();
        put_list(&channels, &mut channel_bytes, |(_, entry), out| {
            put_blob(&entry.channel.encode(), out);
            entry.keys_id.0.encode(out);
            put_bool(entry.funding_confirmation.is_some(), out);
            if let Some((height, hash, scid)) = entry.funding_confirmation {
                height.encode(out);
                hash.to_byte_array().encode(out);
                scid.encode(out);
            }
            put_opt(&entry.funding_script, out);
        });

        let mut payments = Vec::new();
        write_outbound(&self.outbound, &self.successful_paths, &mut payments);

        let mut inbound = Vec::new();
        let mut claimable: Vec<_> = self.claimable.iter().collect();
        claimable.sort_by_key(|(hash, _)| hash.0);
        put_list(&claimable, &mut inbound, |(hash, htlcs), out| {
            hash.encode(out);
            put_list(htlcs, out, write_claimable);
        });
        put_list(&self.unpeeled, &mut inbound, |h, out| {
            h.channel_id.encode(out);
            h.htlc_id.encode(out);
            h.amount_msat.encode(out);
            h.payment_hash.encode(out);
            h.cltv_expiry.encode(out);
            out.extend_from_slice(&h.onion[..]);
        });

        let mut events = Vec::new();
        let encoded: Vec<Vec<u8>> = self
            .events
            .iter()
            .filter_map(|e| {
                let mut one = Vec::new();
                write_event(e, &mut one).then_some(one)
            })
            .collect();
        put_list(&encoded, &mut events, |one, out| out.extend_from_slice(one));

        let mut outputs = Vec::new();
        let updates: Vec<Vec<u8>> = self.monitor_updates.iter().map(|u| u.encode()).collect();
        put_list(&updates, &mut outputs, |u, out| put_blob(u, out));
        let txs: Vec<_> = self.broadcasts.iter().collect();
        put_list(&txs, &mut outputs, |tx, out| put_tx(tx, out));

        let mut out = alloc::vec![MANAGER_FORMAT_VERSION];
        let mut w = TlvWriter::new(&mut out, &[]);
        w.write_bytes(0, &node);
        w.write_bytes(2, &channel_bytes);
        w.write_bytes(4, &payments);
        w.write_bytes(6, &inbound);
        w.write_bytes(8, &events);
        w.write_bytes(10, &outputs);
        w.write_bytes(12, &write_forwards(&self.forwards));
        w.write_bytes(14, &write_receiving(&self.receiving));
        w.write_bytes(
            super::serialize_announce::ANNOUNCEMENT_RECORD,
            &self.write_announcements(),
        );
        if !self.held_forwards.is_empty() {
            w.write_bytes(
                HELD_FORWARDS_RECORD,
                &write_held_forwards(&self.held_forwards),
            );
        }
        if !self.closed_channels.is_empty() {
            w.write_bytes(CLOSED_CHANNELS_RECORD, &self.write_closed_channels());
        }
        if let Some(bytes) = self.write_peer_updates() {
            w.write_bytes(super::peer_updates::PEER_UPDATES_RECORD, &bytes);
        }
        w.finish();
        out
    }

    /// Restores an [`encode`](Self::encode)d manager with its plugs (the same signer
    /// provider and node signer as before; `params.inbound_payment_key_material` and
    /// `params.best_block` are ignored: the saved ones are used). Every peer starts
    /// disconnected. What to do next is listed on [`encode`](Self::encode) (steps 3 and 4).
    pub fn decode(bytes: &[u8], params: ManagerParams) -> Result<Self, ManagerDecodeError> {
        let (&version, rest) = bytes.split_first().ok_or(ManagerDecodeError::Empty)?;
        if version != MANAGER_FORMAT_VERSION {
            return Err(ManagerDecodeError::UnknownVersion(version));
        }
        let records = Records::read(rest, MAX_KNOWN_EVEN)?;
        let mut manager = ChannelManager::new(params);
        record(&records, 0, "node", |r| {
            let chain_hash: crate::wire::ChainHash = r.decode()?;
            let node_id: secp256k1::PublicKey = r.decode()?;
            if chain_hash != manager.chain_hash || node_id != manager.our_node_id {
                return Err(ManagerDecodeError::WrongNode);
            }
            let hash = BlockHash::from_byte_array(r.read_array()?);
            manager.best_block = BestBlock::new(hash, r.decode()?);
            manager.highest_seen_time = Duration::from_secs(r.decode()?);
            manager.feerate_per_kw = r.decode()?;
            let material: [u8; 32] = r.read_array()?;
            manager.inbound_key = InboundPaymentKey::new(&material);
            manager.inbound_key_material = material;
            Ok(())
        })?;
        record(&records, 2, "channels", |r| manager.read_channels(r))?;
        record(&records, 4, "payments", |r| manager.read_payments(r))?;
        record(&records, 6, "inbound", |r| manager.read_inbound(r))?;
        record(&records, 8, "events", |r| {
            manager.events = get_list(r, read_event)?.into();
            Ok(())
        })?;
        record(&records, 10, "outputs", |r| {
            manager.monitor_updates = get_list(r, |r| {
                ChannelMonitorUpdate::decode(get_blob(r)?).map_err(|_| DecodeError::InvalidValue)
            })?
            .into();
            manager.broadcasts = get_list(r, get_tx)?.into();
            Ok(())
        })?;
        record(&records, 12, "forwards", |r| {
            manager.forwards = read_forwards(r)?;
            Ok(())
        })?;
        record(&records, 14, "receiving", |r| {
            manager.receiving = read_receiving(r)?;
            Ok(())
        })?;
        optional_record(&records, HELD_FORWARDS_RECORD, "held forwards", |r| {
            manager.held_forwards = read_held_forwards(r)?;
            Ok(())
        })?;
        optional_record(
            &records,
            super::serialize_announce::ANNOUNCEMENT_RECORD,
            "announcements",
            |r| Ok(manager.read_announcements(r)?),
        )?;
        optional_record(&records, CLOSED_CHANNELS_RECORD, "closed channels", |r| {
            manager.read_closed_channels(r)
        })?;
        optional_record(
            &records,
            super::peer_updates::PEER_UPDATES_RECORD,
            "peer updates",
            |r| Ok(manager.read_peer_updates(r)?),
        )?;
        Ok(manager)
    }

    fn read_channels(&mut self, r: &mut Reader<'_>) -> Result<(), ManagerDecodeError> {
        let count = u32::decode(r)?;
        for _ in 0..count {
            let bytes = get_blob(r)?;
            let keys_id = ChannelKeysId(r.read_array()?);
            let funding_confirmation = if get_bool(r)? {
                let height = r.decode()?;
                let hash = BlockHash::from_byte_array(r.read_array()?);
                Some((height, hash, r.decode()?))
            } else {
                None
            };
            let funding_script = get_opt(r)?;
            let signer = self.signer_provider.derive_channel_signer(&keys_id);
            let channel = Channel::decode(bytes, signer, self.logger.clone())
                .map_err(ManagerDecodeError::Channel)?;
            let channel_id = channel.channel_id();
            self.peers
                .entry(channel.counterparty_node_id())
                .or_default()
                .channels
                .insert(channel_id);
            self.channels.insert(
                channel_id,
                ChannelEntry {
                    channel,
                    keys_id,
                    funding_confirmation,
                    funding_script,
                    closing_reason: None,
                    announce: Default::default(),
                },
            );
        }
        Ok(())
    }

    fn write_closed_channels(&self) -> Vec<u8> {
        let mut closed: Vec<_> = self.closed_channels.iter().collect();
        closed.sort_by_key(|(id, _)| **id);
        let mut out = Vec::new();
        put_list(&closed, &mut out, |(channel_id, record), out| {
            channel_id.encode(out);
            record.latest_update_id.encode(out);
            put_list(&record.awaiting, out, |htlc, out| {
                htlc.htlc_id.encode(out);
                htlc.payment_hash.encode(out);
                htlc.amount_msat.encode(out);
                htlc.cltv_expiry.encode(out);
            });
        });
        out
    }

    fn read_closed_channels(&mut self, r: &mut Reader<'_>) -> Result<(), ManagerDecodeError> {
        let closed = get_list(r, |r| {
            let channel_id: ChannelId = r.decode()?;
            let latest_update_id = r.decode()?;
            let awaiting = get_list(r, |r| {
                Ok::<_, DecodeError>(AwaitingHtlc {
                    htlc_id: r.decode()?,
                    payment_hash: r.decode()?,
                    amount_msat: r.decode()?,
                    cltv_expiry: r.decode()?,
                })
            })?;
            Ok::<_, DecodeError>((
                channel_id,
                ClosedChannel {
                    latest_update_id,
                    awaiting,
                },
            ))
        })?;
        self.closed_channels = closed.into_iter().collect();
        Ok(())
    }

    fn read_payments(&mut self, r: &mut Reader<'_>) -> Result<(), ManagerDecodeError> {
        let (book, successful) = read_outbound(r)?;
        self.outbound = book;
        self.successful_paths = successful;
        Ok(())
    }

    fn read_inbound(&mut self, r: &mut Reader<'_>) -> Result<(), ManagerDecodeError> {
        let claimable = get_list(r, |r| {
            let hash = r.decode()?;
            let htlcs = get_list(r, read_claimable)?;
            Ok::<_, DecodeError>((hash, htlcs))
        })?;
        self.claimable = claimable.into_iter().collect();
        self.unpeeled = get_list(r, |r| {
            Ok::<_, DecodeError>(UnpeeledHtlc {
                channel_id: r.decode()?,
                htlc_id: r.decode()?,
                amount_msat: r.decode()?,
                payment_hash: r.decode()?,
                cltv_expiry: r.decode()?,
                onion: alloc::boxed::Box::new(r.read_array()?),
            })
        })?;
        Ok(())
    }

    /// Monitor updates handed out (or waiting in `poll_monitor_update`) and not yet
    /// reported complete, as `(channel, update id)`. After a restart, report those the
    /// persister holds with `monitor_update_completed`.
    pub fn in_progress_monitor_updates(&self) -> Vec<(ChannelId, u64)> {
        let mut out = Vec::new();
        for (channel_id, entry) in &self.channels {
            let (latest, completed) = entry.channel.monitor_update_ids();
            let Some(latest) = latest else { continue };
            let first = completed.map_or(0, |c| c.saturating_add(1));
            for id in first..=latest {
                out.push((*channel_id, id));
            }
        }
        out.sort();
        out
    }
}
