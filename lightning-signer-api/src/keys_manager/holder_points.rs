//! [`HolderPoints`]: the last few holder per-commitment points a signer derived.

use bitcoin::secp256k1::PublicKey;

/// How many points are kept: a channel asks for the point of its next commitment, then
/// validates that commitment, signs it on chain or releases an older secret; the current and
/// the next point cover that, the rest is slack.
const CACHED_POINTS: usize = 4;

/// The holder per-commitment points derived most recently, by commitment number.
///
/// A point is a pure function of the channel's commitment seed and the commitment number
/// (one SHA-256 chain walk and one point multiplication), so a cached point is exactly what
/// deriving it again would give. Each commitment's point is asked for when it is sent to
/// the peer (`per_commitment_point`) and again when the commitment is validated or signed.
#[derive(Debug, Default, Clone)]
pub(super) struct HolderPoints {
    entries: [Option<(u64, PublicKey)>; CACHED_POINTS],
    /// The slot the next new point replaces (oldest first).
    next_slot: usize,
}

impl HolderPoints {
    /// The cached point of `commitment_number`, if any.
    pub(super) fn get(&self, commitment_number: u64) -> Option<PublicKey> {
        self.entries
            .iter()
            .flatten()
            .find(|(number, _)| *number == commitment_number)
            .map(|(_, point)| *point)
    }

    /// Remembers the point of `commitment_number`, replacing the oldest entry.
    pub(super) fn insert(&mut self, commitment_number: u64, point: PublicKey) {
        if self.get(commitment_number).is_some() {
            return;
        }
        self.entries[self.next_slot] = Some((commitment_number, point));
        self.next_slot = (self.next_slot + 1) % CACHED_POINTS;
    }
}
