//! What the graph keeps of each channel's signed gossip, to rebuild it for peers: the
//! signatures and flags inline, and the rarely non-empty variable parts (features, excess
//! data) in a separate box allocated only when one of them is non-empty.

use alloc::boxed::Box;
use core::mem::size_of;

use secp256k1::ecdsa::Signature;

use super::NodeKey;

/// The signature and flags of one direction's latest `channel_update`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UpdateProof {
    pub(crate) signature: Signature,
    pub(crate) message_flags: u8,
    pub(crate) channel_flags: u8,
}

/// The variable-length parts, when any is non-empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ProofExtras {
    features: Box<[u8]>,
    excess_data: Box<[u8]>,
    update_excess: [Box<[u8]>; 2],
}

impl ProofExtras {
    fn is_empty(&self) -> bool {
        self.features.is_empty()
            && self.excess_data.is_empty()
            && self.update_excess.iter().all(|excess| excess.is_empty())
    }
}

/// What is needed to rebuild a channel's `channel_announcement` and `channel_update`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChannelProof {
    /// `node_signature_1`, `node_signature_2`, `bitcoin_signature_1`, `bitcoin_signature_2`.
    pub(crate) signatures: [Signature; 4],
    pub(crate) bitcoin_keys: [NodeKey; 2],
    pub(crate) updates: [Option<UpdateProof>; 2],
    extras: Option<Box<ProofExtras>>,
}

impl ChannelProof {
    /// The proof of an announcement, with no update yet.
    pub(crate) fn new(
        signatures: [Signature; 4],
        bitcoin_keys: [NodeKey; 2],
        features: &[u8],
        excess_data: &[u8],
    ) -> Self {
        let mut proof = ChannelProof {
            signatures,
            bitcoin_keys,
            updates: [None, None],
            extras: None,
        };
        if !features.is_empty() || !excess_data.is_empty() {
            let extras = proof.extras.get_or_insert_with(Box::default);
            extras.features = features.into();
            extras.excess_data = excess_data.into();
        }
        proof
    }

    /// Records the latest update of `direction` (0 or 1).
    pub(crate) fn set_update(&mut self, direction: usize, update: UpdateProof, excess_data: &[u8]) {
        self.updates[direction & 1] = Some(update);
        if excess_data.is_empty() && self.extras.is_none() {
            return;
        }
        let extras = self.extras.get_or_insert_with(Box::default);
        extras.update_excess[direction & 1] = excess_data.into();
        if extras.is_empty() {
            self.extras = None;
        }
    }

    /// The announcement's feature bytes (wire form).
    pub(crate) fn features(&self) -> &[u8] {
        self.extras.as_ref().map_or(&[], |extras| &extras.features)
    }

    /// The announcement's excess data.
    pub(crate) fn excess_data(&self) -> &[u8] {
        self.extras
            .as_ref()
            .map_or(&[], |extras| &extras.excess_data)
    }

    /// The excess data of `direction`'s update.
    pub(crate) fn update_excess(&self, direction: usize) -> &[u8] {
        self.extras
            .as_ref()
            .map_or(&[], |extras| &extras.update_excess[direction & 1])
    }

    /// Heap bytes beyond the proof itself.
    pub(crate) fn extra_bytes(&self) -> usize {
        self.extras.as_ref().map_or(0, |extras| {
            size_of::<ProofExtras>()
                + extras.features.len()
                + extras.excess_data.len()
                + extras
                    .update_excess
                    .iter()
                    .map(|excess| excess.len())
                    .sum::<usize>()
        })
    }
}
