//! The peer's `channel_update` for its direction of our unannounced channels, and the invoice
//! route hints built from it.
//!
//! A payer cannot find an unannounced channel in its graph: the payee's invoice carries a
//! route hint naming the channel and what the peer charges to forward over it. Only the peer
//! knows its policy; BOLT 7 lets it send its `channel_update` to us directly (with
//! `dont_forward`), and we keep the latest valid one per channel:
//! - it must name the channel by its short channel id, be signed by the peer's node key,
//!   carry the peer's direction bit and our chain, and be newer than the one kept;
//! - anything else is ignored (it may be gossip about some other channel).
//!
//! [`ChannelManager::private_route_hints`] turns the kept updates into one hint per usable
//! unannounced channel; [`create_invoice`](ChannelManager::create_invoice) adds them to an
//! invoice that names no hints of its own when we have no announced channel.
//!
//! Persisted as the manager's record 21 (odd, optional): a list of `(channel_id, update)`.

use alloc::vec;
use alloc::vec::Vec;

use secp256k1::{PublicKey, Secp256k1};

use crate::channel::serialize::codec::{get_blob, get_list, put_blob, put_list};
use crate::routing::{RouteHint, RouteHintHop, RoutingFees};
use crate::wire::gossip::ChannelUpdate;
use crate::wire::{ChannelId, Decode, DecodeError, Encode, Reader};

use super::ChannelManager;

/// The record type of the kept peer updates in the manager's TLV stream.
pub(super) const PEER_UPDATES_RECORD: u64 = 21;

impl ChannelManager {
    /// Keeps `update` from `their_node_id` if it is the peer's valid, newer `channel_update`
    /// for one of our channels with it; ignores it otherwise.
    pub(super) fn handle_peer_channel_update(
        &mut self,
        their_node_id: PublicKey,
        update: ChannelUpdate,
    ) {
        if update.chain_hash != self.chain_hash {
            return;
        }
        // BOLT 7: node_id_1 is the lesser key; its updates carry direction 0.
        let their_direction = u8::from(their_node_id.serialize() > self.our_node_id.serialize());
        if update.direction() != their_direction {
            return;
        }
        let Some(channel_id) = self.peer_channel_with_scid(&their_node_id, &update) else {
            return;
        };
        let secp = Secp256k1::verification_only();
        if update.verify_signature(&secp, &their_node_id).is_err() {
            crate::log_at!(
                self.logger,
                crate::util::logger::Level::Warn,
                Some(their_node_id),
                Some(channel_id),
                "ignoring the peer's channel_update: bad signature"
            );
            return;
        }
        if let Some(entry) = self.channels.get_mut(&channel_id) {
            let newer = entry
                .announce
                .peer_update
                .as_ref()
                .is_none_or(|kept| kept.timestamp < update.timestamp);
            if newer {
                entry.announce.peer_update = Some(update);
            }
        }
    }

    /// Our channel with `their_node_id` whose short channel id `update` names.
    fn peer_channel_with_scid(
        &self,
        their_node_id: &PublicKey,
        update: &ChannelUpdate,
    ) -> Option<ChannelId> {
        let peer = self.peers.get(their_node_id)?;
        peer.channels.iter().copied().find(|channel_id| {
            self.channels.get(channel_id).is_some_and(|entry| {
                entry
                    .funding_confirmation
                    .is_some_and(|(_, _, scid)| scid == update.short_channel_id)
            })
        })
    }

    /// One route hint per usable unannounced channel whose peer told us its forwarding
    /// policy (and has not disabled its direction): the hop from the peer to us, for the `r`
    /// field of our invoices. Empty when every channel is announced (payers find us in the
    /// graph) or no peer sent its update yet.
    pub fn private_route_hints(&self) -> Vec<RouteHint> {
        let mut hints: Vec<(ChannelId, RouteHint)> = self
            .channels
            .iter()
            .filter(|(_, entry)| !entry.announce.announced && entry.channel.is_usable())
            .filter_map(|(channel_id, entry)| {
                let update = entry.announce.peer_update.as_ref()?;
                if update.is_disabled() {
                    return None;
                }
                let hop = RouteHintHop {
                    src_node_id: entry.channel.counterparty_node_id(),
                    short_channel_id: update.short_channel_id,
                    fees: RoutingFees {
                        base_msat: update.fee_base_msat,
                        proportional_millionths: update.fee_proportional_millionths,
                    },
                    cltv_expiry_delta: update.cltv_expiry_delta,
                    htlc_minimum_msat: Some(update.htlc_minimum_msat),
                    htlc_maximum_msat: Some(update.htlc_maximum_msat),
                };
                Some((*channel_id, RouteHint(vec![hop])))
            })
            .collect();
        hints.sort_by_key(|(channel_id, _)| *channel_id);
        hints.into_iter().map(|(_, hint)| hint).collect()
    }

    /// Whether any of our channels is announced.
    pub(crate) fn has_announced_channel(&self) -> bool {
        self.channels.values().any(|entry| entry.announce.announced)
    }

    /// The record's bytes, or `None` when no update is kept.
    pub(super) fn write_peer_updates(&self) -> Option<Vec<u8>> {
        let mut kept: Vec<(&ChannelId, &ChannelUpdate)> = self
            .channels
            .iter()
            .filter_map(|(id, entry)| Some((id, entry.announce.peer_update.as_ref()?)))
            .collect();
        if kept.is_empty() {
            return None;
        }
        kept.sort_by_key(|(id, _)| **id);
        let mut out = Vec::new();
        put_list(&kept, &mut out, |(id, update), out| {
            id.encode(out);
            let mut bytes = Vec::new();
            update.encode(&mut bytes);
            put_blob(&bytes, out);
        });
        Some(out)
    }

    /// Restores the record (after the channels); entries for channels not restored are
    /// skipped.
    pub(super) fn read_peer_updates(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let entries = get_list(r, |r| {
            let channel_id = ChannelId::decode(r)?;
            let mut bytes = Reader::new(get_blob(r)?);
            let update = ChannelUpdate::decode(&mut bytes)?;
            Ok::<_, DecodeError>((channel_id, update))
        })?;
        for (channel_id, update) in entries {
            if let Some(entry) = self.channels.get_mut(&channel_id) {
                entry.announce.peer_update = Some(update);
            }
        }
        Ok(())
    }
}
