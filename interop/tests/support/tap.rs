//! Our channel manager behind a tap that can cut a connection at a chosen message: once the
//! chosen message has passed (or instead of letting it pass), every later message in either
//! direction is lost, as if the TCP connection had died with them in flight. The test then
//! disconnects the peer for real and reconnects; `channel_reestablish` must repair the rest.

use std::ops::{Deref, DerefMut};

use bitcoin::secp256k1::PublicKey;
use lightning::manager::ChannelManager;
use lightning::peer::{PeerMessageHandler, PeerRejected};
use lightning::wire::features::InitFeatures;
use lightning::wire::{Init, Message};

/// Which way a message goes, seen from our node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Sent by us.
    Out,
    /// Received by us.
    In,
}

/// Where to cut: at the `nth` (from 1) message of type `msg_type` going `dir`; `deliver` says
/// whether that message itself still gets through.
#[derive(Clone, Copy, Debug)]
pub struct CutAt {
    pub dir: Dir,
    pub msg_type: u16,
    pub nth: usize,
    pub deliver: bool,
}

/// BOLT 2 message types used as cut points.
pub const UPDATE_ADD_HTLC: u16 = 128;
pub const UPDATE_FULFILL_HTLC: u16 = 130;
pub const COMMITMENT_SIGNED: u16 = 132;
pub const REVOKE_AND_ACK: u16 = 133;

#[derive(Debug, Default)]
enum TapState {
    #[default]
    Open,
    Armed {
        at: CutAt,
        seen: usize,
    },
    Cut {
        dropped: Vec<(Dir, u16)>,
    },
}

/// [`ChannelManager`] with a cut point (dereferences to the manager).
pub struct Tap {
    pub manager: ChannelManager,
    state: TapState,
    /// Every message that got through, in order, with its direction.
    pub passed: Vec<(Dir, Message)>,
}

impl Tap {
    pub fn new(manager: ChannelManager) -> Tap {
        Tap {
            manager,
            state: TapState::Open,
            passed: Vec::new(),
        }
    }

    /// From now on, cut at `at`.
    pub fn arm(&mut self, at: CutAt) {
        self.state = TapState::Armed { at, seen: 0 };
    }

    /// The messages lost since the cut, once it happened.
    pub fn cut_happened(&self) -> Option<Vec<(Dir, u16)>> {
        match &self.state {
            TapState::Cut { dropped } => Some(dropped.clone()),
            _ => None,
        }
    }

    /// Whether `message` going `dir` gets through.
    fn pass(&mut self, dir: Dir, message: &Message) -> bool {
        let msg_type = message.msg_type();
        match &mut self.state {
            TapState::Open => true,
            TapState::Cut { dropped } => {
                dropped.push((dir, msg_type));
                false
            }
            TapState::Armed { at, seen } => {
                if at.dir != dir || at.msg_type != msg_type {
                    return true;
                }
                *seen += 1;
                if *seen < at.nth {
                    return true;
                }
                let deliver = at.deliver;
                let dropped = if deliver {
                    Vec::new()
                } else {
                    vec![(dir, msg_type)]
                };
                self.state = TapState::Cut { dropped };
                deliver
            }
        }
    }
}

impl Deref for Tap {
    type Target = ChannelManager;
    fn deref(&self) -> &ChannelManager {
        &self.manager
    }
}

impl DerefMut for Tap {
    fn deref_mut(&mut self) -> &mut ChannelManager {
        &mut self.manager
    }
}

impl PeerMessageHandler for Tap {
    fn provided_init_features(&self) -> InitFeatures {
        PeerMessageHandler::provided_init_features(&self.manager)
    }

    fn peer_connected(
        &mut self,
        their_node_id: PublicKey,
        init: &Init,
        inbound: bool,
    ) -> Result<(), PeerRejected> {
        PeerMessageHandler::peer_connected(&mut self.manager, their_node_id, init, inbound)
    }

    fn peer_disconnected(&mut self, their_node_id: PublicKey) {
        // A new connection starts clean.
        self.state = TapState::Open;
        PeerMessageHandler::peer_disconnected(&mut self.manager, their_node_id)
    }

    fn handle_message(&mut self, their_node_id: PublicKey, message: Message) {
        if self.pass(Dir::In, &message) {
            self.passed.push((Dir::In, message.clone()));
            PeerMessageHandler::handle_message(&mut self.manager, their_node_id, message)
        }
    }

    fn poll_message(&mut self) -> Option<(PublicKey, Message)> {
        loop {
            let (peer, message) = PeerMessageHandler::poll_message(&mut self.manager)?;
            if self.pass(Dir::Out, &message) {
                self.passed.push((Dir::Out, message.clone()));
                return Some((peer, message));
            }
        }
    }

    fn poll_bulk_message(&mut self, their_node_id: PublicKey) -> Option<Message> {
        PeerMessageHandler::poll_bulk_message(&mut self.manager, their_node_id)
    }
}
