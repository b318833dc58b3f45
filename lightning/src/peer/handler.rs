//! [`PeerMessageHandler`]: what the [`super::PeerManager`] hands messages to and pulls them
//! from, plus a pair combinator and a handler that ignores everything.

use core::fmt;

use secp256k1::PublicKey;

use crate::wire::features::InitFeatures;
use crate::wire::{Init, Message};

/// The handler refused a newly connected peer ([`PeerMessageHandler::peer_connected`]); the
/// [`super::PeerManager`] closes the connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PeerRejected;

impl fmt::Display for PeerRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the handler refused the peer")
    }
}

impl core::error::Error for PeerRejected {}

/// The owner of a connected peer's messages: the channel manager, a gossip handler, or a pair
/// of them ([`HandlerPair`]).
///
/// The [`super::PeerManager`] never stores a handler: it is passed as
/// `&mut dyn PeerMessageHandler` to each call that may need it. Pass the same handler (or the
/// same set of handlers) every time.
///
/// The peer manager handles `init`, `ping`, `pong` and `warning` itself and ignores unknown odd
/// messages. Everything else arrives through [`PeerMessageHandler::handle_message`], including
/// `error` (the handler fails the channel it names; an all-zero `channel_id` also makes the
/// peer manager disconnect right after).
///
/// For each peer the calls come in this order: `peer_connected` once both `init`s are
/// exchanged, then any number of `handle_message`, then `peer_disconnected` (only if
/// `peer_connected` returned `Ok`). A peer that reconnects starts over; a new connection that
/// replaces an old one yields `peer_disconnected` then `peer_connected`.
pub trait PeerMessageHandler {
    /// The features we put in our `init`. Asked once per connection, when the handshake
    /// completes.
    fn provided_init_features(&self) -> InitFeatures;

    /// A peer finished the `init` exchange: `init` is what it sent, `inbound` says whether it
    /// dialled us. Return [`PeerRejected`] to have the connection closed (no
    /// `peer_disconnected` follows).
    fn peer_connected(
        &mut self,
        their_node_id: PublicKey,
        init: &Init,
        inbound: bool,
    ) -> Result<(), PeerRejected>;

    /// A peer for which `peer_connected` returned `Ok` is gone (socket closed, timeout,
    /// protocol violation or replacement). Messages for it are dropped from now on.
    fn peer_disconnected(&mut self, their_node_id: PublicKey);

    /// A message from a connected peer, in the order received.
    fn handle_message(&mut self, their_node_id: PublicKey, message: Message);

    /// The next message the handler wants sent, and to whom; `None` when there is none.
    /// Called repeatedly by [`super::PeerManager::process`] until it returns `None`. These are
    /// essential messages: they are queued even for a congested peer. A message for a peer
    /// that is not connected is dropped (and logged).
    fn poll_message(&mut self) -> Option<(PublicKey, Message)>;

    /// The next bulk (non-essential, e.g. gossip sync) message for this peer, asked only while
    /// the peer's outbound buffer is below the high-water mark. The default has none.
    fn poll_bulk_message(&mut self, their_node_id: PublicKey) -> Option<Message> {
        let _ = their_node_id;
        None
    }
}

/// Whether a message belongs to gossip (BOLT 7 announcements and queries, except
/// `announcement_signatures`, which is between channel peers): the usual routing rule for a
/// [`HandlerPair`] whose second handler does gossip.
pub fn is_gossip_message(message: &Message) -> bool {
    matches!(
        message,
        Message::ChannelAnnouncement(_)
            | Message::NodeAnnouncement(_)
            | Message::ChannelUpdate(_)
            | Message::QueryShortChannelIds(_)
            | Message::ReplyShortChannelIdsEnd(_)
            | Message::QueryChannelRange(_)
            | Message::ReplyChannelRange(_)
            | Message::GossipTimestampFilter(_)
    )
}

/// Two handlers seen as one, built at the call site (e.g. the channel manager and a gossip
/// handler): `HandlerPair::new(&mut channels, &mut gossip, is_gossip_message)`.
///
/// - Features: the union of both.
/// - `peer_connected`: both are told; if either refuses, the peer is refused (and the first is
///   told `peer_disconnected` if it had accepted). `peer_disconnected`: both.
/// - Incoming messages: `error` and `channel_update` go to both (a channel manager keeps a
///   peer's update for an unannounced channel it shares, for invoice route hints; the gossip
///   handler takes updates for the graph); any other message to the second handler if
///   `to_second` returns true for it, else to the first.
/// - Outgoing: the first handler's messages are polled before the second's.
pub struct HandlerPair<'a> {
    first: &'a mut dyn PeerMessageHandler,
    second: &'a mut dyn PeerMessageHandler,
    to_second: fn(&Message) -> bool,
}

impl<'a> HandlerPair<'a> {
    /// Combines `first` and `second`; `to_second` picks the incoming messages for `second`.
    pub fn new(
        first: &'a mut dyn PeerMessageHandler,
        second: &'a mut dyn PeerMessageHandler,
        to_second: fn(&Message) -> bool,
    ) -> Self {
        HandlerPair {
            first,
            second,
            to_second,
        }
    }
}

impl PeerMessageHandler for HandlerPair<'_> {
    fn provided_init_features(&self) -> InitFeatures {
        self.first
            .provided_init_features()
            .union(&self.second.provided_init_features())
    }

    fn peer_connected(
        &mut self,
        their_node_id: PublicKey,
        init: &Init,
        inbound: bool,
    ) -> Result<(), PeerRejected> {
        self.first.peer_connected(their_node_id, init, inbound)?;
        if let Err(rejected) = self.second.peer_connected(their_node_id, init, inbound) {
            self.first.peer_disconnected(their_node_id);
            return Err(rejected);
        }
        Ok(())
    }

    fn peer_disconnected(&mut self, their_node_id: PublicKey) {
        self.first.peer_disconnected(their_node_id);
        self.second.peer_disconnected(their_node_id);
    }

    fn handle_message(&mut self, their_node_id: PublicKey, message: Message) {
        if let Message::Error(_) | Message::ChannelUpdate(_) = message {
            self.first.handle_message(their_node_id, message.clone());
            self.second.handle_message(their_node_id, message);
        } else if (self.to_second)(&message) {
            self.second.handle_message(their_node_id, message);
        } else {
            self.first.handle_message(their_node_id, message);
        }
    }

    fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        self.first
            .poll_message()
            .or_else(|| self.second.poll_message())
    }

    fn poll_bulk_message(&mut self, their_node_id: PublicKey) -> Option<Message> {
        self.first
            .poll_bulk_message(their_node_id)
            .or_else(|| self.second.poll_bulk_message(their_node_id))
    }
}

/// A handler that accepts every peer, offers no features, drops every message and sends
/// nothing: for a node that only keeps connections alive, or as the second half of a
/// [`HandlerPair`] until a real handler exists.
#[derive(Clone, Copy, Debug, Default)]
pub struct IgnoringMessageHandler;

impl PeerMessageHandler for IgnoringMessageHandler {
    fn provided_init_features(&self) -> InitFeatures {
        InitFeatures::empty()
    }

    fn peer_connected(
        &mut self,
        _their_node_id: PublicKey,
        _init: &Init,
        _inbound: bool,
    ) -> Result<(), PeerRejected> {
        Ok(())
    }

    fn peer_disconnected(&mut self, _their_node_id: PublicKey) {}

    fn handle_message(&mut self, _their_node_id: PublicKey, _message: Message) {}

    fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        None
    }
}
