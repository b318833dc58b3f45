//! The compact store of a counterparty's revealed per-commitment secrets (BOLT 3 "Efficient
//! Per-commitment Secret Storage").
//!
//! Secrets arrive in order (commitment number 0, 1, 2, ...; BOLT 3 index 2^48 - 1 downwards).
//! A secret whose index ends in `b` zero bits can derive every secret whose index shares its
//! higher bits, so one secret per trailing-zero count suffices: at most 49 entries. Each new
//! secret must derive every stored secret it covers; otherwise it was not generated from the
//! same seed and the store refuses it.

use alloc::vec::Vec;
use core::fmt;

use super::per_commitment::{
    commitment_index, derive_secret, CommitmentNumberError, PerCommitmentSecret,
    FIRST_COMMITMENT_INDEX,
};

/// Number of entries the store can hold: one per trailing-zero count 0..=48.
const SLOT_COUNT: usize = 49;

/// Version byte of [`CounterpartyCommitmentSecrets::encode`].
const ENCODING_VERSION: u8 = 1;

/// Size of one encoded entry: slot (1) + index (8) + secret (32).
const ENCODED_ENTRY_LEN: usize = 41;

/// Why [`CounterpartyCommitmentSecrets::insert`] refused a secret. The store is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretStoreError {
    /// Secrets must be inserted in order; this is not the next expected commitment number.
    OutOfOrder {
        /// The commitment number the store expects next.
        expected: u64,
        /// The commitment number given.
        got: u64,
    },
    /// The commitment number is outside the 48-bit range.
    OutOfRange(CommitmentNumberError),
    /// The secret does not derive the secrets already stored: it (or an earlier one) was not
    /// generated from the counterparty's seed. The counterparty is cheating or broken.
    Inconsistent {
        /// The commitment number whose secret was refused.
        commitment_number: u64,
    },
}

impl fmt::Display for SecretStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfOrder { expected, got } => write!(
                f,
                "per-commitment secret for commitment {got} given, expected {expected}"
            ),
            Self::OutOfRange(e) => write!(f, "per-commitment secret out of range: {e}"),
            Self::Inconsistent { commitment_number } => write!(
                f,
                "per-commitment secret for commitment {commitment_number} does not derive the \
                 earlier secrets"
            ),
        }
    }
}

impl core::error::Error for SecretStoreError {}

/// Why [`CounterpartyCommitmentSecrets::decode`] refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretStoreDecodeError {
    /// The version byte is not one this crate reads.
    UnknownVersion(u8),
    /// The input is shorter or longer than its entry count says.
    BadLength,
    /// An entry's slot or index is malformed, or two entries share a slot.
    BadEntry,
    /// The entries are not consistent with each other (not from one seed, or not a prefix of
    /// an in-order insertion).
    Inconsistent,
}

impl fmt::Display for SecretStoreDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownVersion(v) => write!(f, "unknown secret store encoding version {v}"),
            Self::BadLength => f.write_str("secret store encoding has the wrong length"),
            Self::BadEntry => f.write_str("secret store encoding has a malformed entry"),
            Self::Inconsistent => f.write_str("secret store entries are inconsistent"),
        }
    }
}

impl core::error::Error for SecretStoreDecodeError {}

/// One stored secret and its BOLT 3 index.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Entry {
    index: u64,
    secret: PerCommitmentSecret,
}

/// The per-commitment secrets a counterparty has revealed, stored compactly (at most 49
/// entries).
///
/// Call contract: create it empty with [`new`](Self::new) when the channel opens; each time
/// the counterparty revokes a commitment (`revoke_and_ack`), [`insert`](Self::insert) its
/// secret with the next commitment number ([`next_commitment_number`](Self::next_commitment_number)).
/// An error means the counterparty sent a bad secret: fail the channel. [`get`](Self::get)
/// returns the secret of any revoked commitment (to punish a revoked commitment seen on
/// chain). Persist it with [`encode`](Self::encode) / [`decode`](Self::decode).
#[derive(Clone, PartialEq, Eq)]
pub struct CounterpartyCommitmentSecrets {
    /// Slot `b` holds the secret whose index has exactly `b` trailing zero bits (48: index 0).
    slots: [Option<Entry>; SLOT_COUNT],
    /// How many secrets have been inserted (= the next commitment number expected).
    received: u64,
}

impl Default for CounterpartyCommitmentSecrets {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for CounterpartyCommitmentSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CounterpartyCommitmentSecrets")
            .field("received", &self.received)
            .field("entries", &self.len())
            .finish()
    }
}

/// The storage slot of an index: its number of trailing zero bits (48 for index 0).
fn slot_of(index: u64) -> usize {
    if index == 0 {
        48
    } else {
        // At most 47 for an index below 2^48.
        index.trailing_zeros().min(48) as usize
    }
}

impl CounterpartyCommitmentSecrets {
    /// An empty store: no secret received yet.
    pub fn new() -> Self {
        Self {
            slots: [None; SLOT_COUNT],
            received: 0,
        }
    }

    /// The commitment number whose secret is expected next (the number of secrets received).
    pub fn next_commitment_number(&self) -> u64 {
        self.received
    }

    /// Whether no secret has been received.
    pub fn is_empty(&self) -> bool {
        self.received == 0
    }

    /// How many entries are stored (at most 49), not how many secrets were received.
    pub fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// Stores the secret of commitment `commitment_number`, which must be
    /// [`next_commitment_number`](Self::next_commitment_number), after checking that it
    /// derives every stored secret it covers. On error the store is unchanged.
    pub fn insert(
        &mut self,
        commitment_number: u64,
        secret: PerCommitmentSecret,
    ) -> Result<(), SecretStoreError> {
        if commitment_number != self.received {
            return Err(SecretStoreError::OutOfOrder {
                expected: self.received,
                got: commitment_number,
            });
        }
        let index = commitment_index(commitment_number).map_err(SecretStoreError::OutOfRange)?;
        let slot = slot_of(index);
        for covered in self.slots[..slot].iter().flatten() {
            if derive_secret(&secret, slot as u32, covered.index) != covered.secret {
                return Err(SecretStoreError::Inconsistent { commitment_number });
            }
        }
        self.slots[slot] = Some(Entry { index, secret });
        self.received += 1;
        Ok(())
    }

    /// The secret of a revoked commitment, or `None` if that commitment's secret has not been
    /// received yet.
    pub fn get(&self, commitment_number: u64) -> Option<PerCommitmentSecret> {
        if commitment_number >= self.received {
            return None;
        }
        let index = commitment_index(commitment_number).ok()?;
        self.slots.iter().enumerate().find_map(|(slot, entry)| {
            let entry = entry.as_ref()?;
            let prefix_mask = !((1u64 << slot) - 1);
            (index & prefix_mask == entry.index)
                .then(|| derive_secret(&entry.secret, slot as u32, index))
        })
    }

    /// A versioned encoding: version byte, entry count, then for each entry its slot (1 byte),
    /// BOLT 3 index (8 bytes, big endian) and secret (32 bytes).
    pub fn encode(&self) -> Vec<u8> {
        let entries = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(s, e)| Some((s, e.as_ref()?)));
        let mut out = Vec::with_capacity(2 + self.len() * ENCODED_ENTRY_LEN);
        out.push(ENCODING_VERSION);
        out.push(self.len() as u8); // At most 49 entries.
        for (slot, entry) in entries {
            out.push(slot as u8); // Below 49.
            out.extend_from_slice(&entry.index.to_be_bytes());
            out.extend_from_slice(&entry.secret);
        }
        out
    }

    /// Reads an [`encode`](Self::encode)d store, checking that its entries are well formed
    /// and derive each other as an in-order insertion would have left them.
    pub fn decode(bytes: &[u8]) -> Result<Self, SecretStoreDecodeError> {
        let (&version, rest) = bytes
            .split_first()
            .ok_or(SecretStoreDecodeError::BadLength)?;
        if version != ENCODING_VERSION {
            return Err(SecretStoreDecodeError::UnknownVersion(version));
        }
        let (&count, body) = rest
            .split_first()
            .ok_or(SecretStoreDecodeError::BadLength)?;
        if count as usize > SLOT_COUNT || body.len() != count as usize * ENCODED_ENTRY_LEN {
            return Err(SecretStoreDecodeError::BadLength);
        }
        let mut store = Self::new();
        for chunk in body.chunks_exact(ENCODED_ENTRY_LEN) {
            let slot = chunk[0] as usize;
            let mut index_bytes = [0u8; 8];
            index_bytes.copy_from_slice(&chunk[1..9]);
            let index = u64::from_be_bytes(index_bytes);
            let mut secret = [0u8; 32];
            secret.copy_from_slice(&chunk[9..]);
            if slot >= SLOT_COUNT
                || index > FIRST_COMMITMENT_INDEX
                || slot_of(index) != slot
                || store.slots[slot].is_some()
            {
                return Err(SecretStoreDecodeError::BadEntry);
            }
            store.slots[slot] = Some(Entry { index, secret });
        }
        store.check_decoded()?;
        Ok(store)
    }

    /// Checks decoded slots against the in-order insertion invariants and sets `received`.
    fn check_decoded(&mut self) -> Result<(), SecretStoreDecodeError> {
        let Some(lowest) = self.slots.iter().flatten().map(|e| e.index).min() else {
            return Ok(());
        };
        // After inserting every index from 2^48 - 1 down to `lowest`, slot `b` holds the
        // smallest index >= `lowest` with exactly `b` trailing zero bits, if there is one.
        for (slot, entry) in self.slots.iter().enumerate() {
            if entry.map(|e| e.index) != expected_index_in_slot(slot, lowest) {
                return Err(SecretStoreDecodeError::Inconsistent);
            }
        }
        // Each entry derives the entries below it that share its prefix.
        for (slot, entry) in self.slots.iter().enumerate() {
            let Some(entry) = entry else { continue };
            let prefix_mask = !((1u64 << slot) - 1);
            for lower in self.slots[..slot].iter().flatten() {
                if lower.index & prefix_mask == entry.index
                    && derive_secret(&entry.secret, slot as u32, lower.index) != lower.secret
                {
                    return Err(SecretStoreDecodeError::Inconsistent);
                }
            }
        }
        self.received = FIRST_COMMITMENT_INDEX - lowest + 1;
        Ok(())
    }
}

/// The smallest index `>= lowest` (and at most 2^48 - 1) that belongs in `slot`, if any.
fn expected_index_in_slot(slot: usize, lowest: u64) -> Option<u64> {
    if slot >= 48 {
        return (lowest == 0).then_some(0);
    }
    let bit = 1u64 << slot;
    let period = bit << 1;
    let mut candidate = (lowest & !(period - 1)) | bit;
    if candidate < lowest {
        candidate = candidate.checked_add(period)?;
    }
    (candidate <= FIRST_COMMITMENT_INDEX).then_some(candidate)
}
