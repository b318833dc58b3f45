//! The persisted part of our announcements: record 15 (odd, optional) of the manager's
//! encoding. Managers saved before it existed read back with nothing announced (the
//! announcement then runs again on the next connection: harmless, as the graph ignores a
//! channel it already has).
//!
//! Layout: our latest `node_announcement` timestamp (optional u32), then a list of
//! `(channel_id, announced, last_update_timestamp, their signatures (optional
//! short_channel_id, node_signature, bitcoin_signature))` for channels with any of it.

use alloc::vec::Vec;

use crate::channel::serialize::codec::{get_bool, get_list, put_bool, put_list};
use crate::wire::{ChannelId, Decode, DecodeError, Encode, Reader};

use super::announce::PeerSignatures;
use super::ChannelManager;

/// The record type of the announcement state in the manager's TLV stream.
pub(super) const ANNOUNCEMENT_RECORD: u64 = 15;

impl ChannelManager {
    /// The announcement record's bytes.
    pub(super) fn write_announcements(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_bool(self.last_node_announcement.is_some(), &mut out);
        if let Some(timestamp) = self.last_node_announcement {
            timestamp.encode(&mut out);
        }
        let mut saved: Vec<(&ChannelId, &super::ChannelEntry)> = self
            .channels
            .iter()
            .filter(|(_, e)| {
                e.announce.announced
                    || e.announce.their_signatures.is_some()
                    || e.announce.last_update_timestamp != 0
            })
            .collect();
        saved.sort_by_key(|(id, _)| **id);
        put_list(&saved, &mut out, |(id, entry), out| {
            id.encode(out);
            put_bool(entry.announce.announced, out);
            entry.announce.last_update_timestamp.encode(out);
            put_bool(entry.announce.their_signatures.is_some(), out);
            if let Some(theirs) = &entry.announce.their_signatures {
                theirs.short_channel_id.encode(out);
                theirs.node_signature.encode(out);
                theirs.bitcoin_signature.encode(out);
            }
        });
        out
    }

    /// Restores the announcement record (after the channels). Entries for channels not
    /// restored are skipped.
    pub(super) fn read_announcements(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        self.last_node_announcement = if get_bool(r)? {
            Some(u32::decode(r)?)
        } else {
            None
        };
        let entries = get_list(r, |r| {
            let channel_id = ChannelId::decode(r)?;
            let announced = get_bool(r)?;
            let last_update_timestamp = u32::decode(r)?;
            let theirs = if get_bool(r)? {
                Some(PeerSignatures {
                    short_channel_id: r.decode()?,
                    node_signature: r.decode()?,
                    bitcoin_signature: r.decode()?,
                })
            } else {
                None
            };
            Ok::<_, DecodeError>((channel_id, announced, last_update_timestamp, theirs))
        })?;
        for (channel_id, announced, last_update_timestamp, theirs) in entries {
            if let Some(entry) = self.channels.get_mut(&channel_id) {
                entry.announce.announced = announced;
                entry.announce.last_update_timestamp = last_update_timestamp;
                entry.announce.their_signatures = theirs;
            }
        }
        Ok(())
    }
}
