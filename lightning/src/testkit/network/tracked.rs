//! A node's channel manager, with a note of whether it may have changed since the network
//! last wrote it: the network encodes a manager to see whether to write it (a persistence
//! point, see `restart`) only when something had mutable access to it since.
//!
//! The manager's encoding is a function of its state alone (no interior mutability), so it
//! can only change through a `&mut` access: every one goes through [`DerefMut`] and marks
//! the manager touched, except the output polls of the network's collect loop
//! ([`TrackedManager::pop`]), which change the manager only when they return something (each
//! is a pop from a queue) and mark it touched exactly then.

use core::ops::{Deref, DerefMut};

use crate::manager::ChannelManager;

/// A channel manager and whether it may have changed since [`take_touched`]
/// (`TrackedManager::take_touched`) last reported it.
pub(super) struct TrackedManager {
    manager: ChannelManager,
    touched: bool,
}

impl TrackedManager {
    /// `manager`, counted as changed (never written yet).
    pub(super) fn new(manager: ChannelManager) -> Self {
        TrackedManager {
            manager,
            touched: true,
        }
    }

    /// Runs `poll`, one of the manager's output polls (`poll_message`, `next_event`, ...,
    /// each a pop from a queue), marking the manager touched only if it returned something.
    pub(super) fn pop<T>(
        &mut self,
        poll: impl FnOnce(&mut ChannelManager) -> Option<T>,
    ) -> Option<T> {
        let item = poll(&mut self.manager);
        self.touched |= item.is_some();
        item
    }

    /// Whether the manager may have changed since the last call; clears the mark.
    pub(super) fn take_touched(&mut self) -> bool {
        core::mem::replace(&mut self.touched, false)
    }
}

impl Deref for TrackedManager {
    type Target = ChannelManager;

    fn deref(&self) -> &ChannelManager {
        &self.manager
    }
}

impl DerefMut for TrackedManager {
    fn deref_mut(&mut self) -> &mut ChannelManager {
        self.touched = true;
        &mut self.manager
    }
}
