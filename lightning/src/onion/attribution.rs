//! `attribution_data` (`option_attribution_data`): per-hop hold times and truncated HMACs that
//! let the origin attribute a failure, or time a success, hop by hop.

use alloc::vec::Vec;

use secp256k1::ecdh::SharedSecret;

use super::crypto::{self, KeyType};

// The layout constants are the wire codec's (`wire::htlc`), shared so they cannot drift.
pub use crate::wire::htlc::{ATTRIBUTION_HMAC_COUNT, ATTRIBUTION_MAX_HOPS as MAX_ATTRIBUTED_HOPS};
const HOLD_TIMES_LEN: usize = MAX_ATTRIBUTED_HOPS * 4;
const TRUNCATED_HMAC_LEN: usize = 4;
/// Serialized length: 20 `u32` hold times then 210 four-byte HMACs.
pub const ATTRIBUTION_DATA_LEN: usize =
    HOLD_TIMES_LEN + ATTRIBUTION_HMAC_COUNT * TRUNCATED_HMAC_LEN;

/// The `attribution_data` TLV of `update_fail_htlc` and `update_fulfill_htlc`, as it travels
/// (obfuscated by every hop it passed).
///
/// Call contract: the erring (or fulfilling) node starts from [`AttributionData::new`]; it and
/// every node upstream call [`AttributionData::add_hop`] once, with its shared secret, its hold
/// time and the failure packet as it had it *before* its own obfuscation (or an empty slice for
/// a success). The origin calls [`verify_attribution`].
#[derive(Clone, PartialEq, Eq)]
pub struct AttributionData {
    /// The raw 920 bytes.
    pub bytes: [u8; ATTRIBUTION_DATA_LEN],
}

impl core::fmt::Debug for AttributionData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AttributionData(..)")
    }
}

impl Default for AttributionData {
    fn default() -> Self {
        Self::new()
    }
}

/// The same 920 bytes as the `attribution_data` TLV of `update_fail_htlc` and
/// `update_fulfill_htlc` carries them: use this on a received message before
/// [`wrap_failure`](super::wrap_failure) or [`decode_failure`](super::decode_failure).
impl From<&crate::wire::AttributionData> for AttributionData {
    fn from(wire: &crate::wire::AttributionData) -> Self {
        let mut data = AttributionData::new();
        for (slot, hold_time) in data.bytes[..HOLD_TIMES_LEN]
            .chunks_exact_mut(4)
            .zip(&wire.htlc_hold_times)
        {
            slot.copy_from_slice(&hold_time.to_be_bytes());
        }
        for (slot, hmac) in data.bytes[HOLD_TIMES_LEN..]
            .chunks_exact_mut(TRUNCATED_HMAC_LEN)
            .zip(&wire.truncated_hmacs)
        {
            slot.copy_from_slice(hmac);
        }
        data
    }
}

/// The message field form of these bytes: use this to put the result of
/// [`wrap_failure`](super::wrap_failure) or [`create_failure`](super::create_failure) into an
/// `update_fail_htlc`.
impl From<&AttributionData> for crate::wire::AttributionData {
    fn from(data: &AttributionData) -> Self {
        let mut wire = crate::wire::AttributionData::default();
        for (hold_time, bytes) in wire
            .htlc_hold_times
            .iter_mut()
            .zip(data.bytes[..HOLD_TIMES_LEN].chunks_exact(4))
        {
            *hold_time = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        for (hmac, bytes) in wire
            .truncated_hmacs
            .iter_mut()
            .zip(data.bytes[HOLD_TIMES_LEN..].chunks_exact(TRUNCATED_HMAC_LEN))
        {
            hmac.copy_from_slice(bytes);
        }
        wire
    }
}

/// Start index, in HMAC units, of the block of node `x` (counted from the current holder).
fn block_start(x: usize) -> usize {
    x * MAX_ATTRIBUTED_HOPS - x * x.saturating_sub(1) / 2
}

/// Index, in HMAC units, of `hmac_x_y` (node `x` assuming it is `y` hops from the erring node).
fn hmac_index(x: usize, y: usize) -> usize {
    block_start(x) + (MAX_ATTRIBUTED_HOPS - x - 1 - y)
}

impl AttributionData {
    /// All-zero attribution data, the starting point of the erring node (or of a node whose
    /// downstream sent none).
    pub fn new() -> Self {
        AttributionData {
            bytes: [0u8; ATTRIBUTION_DATA_LEN],
        }
    }

    /// Parses the 920-byte TLV value; `None` if the length is wrong.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        Some(AttributionData {
            bytes: bytes.try_into().ok()?,
        })
    }

    fn hmacs(&self) -> &[u8] {
        &self.bytes[HOLD_TIMES_LEN..]
    }

    fn hmac(&self, x: usize, y: usize) -> &[u8] {
        let start = hmac_index(x, y) * TRUNCATED_HMAC_LEN;
        &self.hmacs()[start..start + TRUNCATED_HMAC_LEN]
    }

    fn hold_time(&self, index: usize) -> u32 {
        let start = index * 4;
        let mut word = [0u8; 4];
        word.copy_from_slice(&self.bytes[start..start + 4]);
        u32::from_be_bytes(word)
    }

    /// Adds this node's layer: shifts downstream hold times and HMACs one position (dropping
    /// what falls off), records `hold_time` (units of 100 ms), writes this node's 20 truncated
    /// HMACs (key `um`) over `message` and the data, and obfuscates with the `ammagext` stream.
    ///
    /// `message` is the failure packet before this node's `ammag` obfuscation, or empty for a
    /// fulfilled HTLC.
    pub fn add_hop(&mut self, shared_secret: &SharedSecret, hold_time: u32, message: &[u8]) {
        self.shift_downstream();
        self.bytes[..4].copy_from_slice(&hold_time.to_be_bytes());
        let um = crypto::derive_key(KeyType::Um, &shared_secret.secret_bytes());
        for y in 0..MAX_ATTRIBUTED_HOPS {
            let mac = self.compute_hmac(&um, y, message);
            let start = HOLD_TIMES_LEN + hmac_index(0, y) * TRUNCATED_HMAC_LEN;
            self.bytes[start..start + TRUNCATED_HMAC_LEN].copy_from_slice(&mac);
        }
        let ammagext = crypto::derive_key(KeyType::AmmagExt, &shared_secret.secret_bytes());
        crypto::apply_stream(&ammagext, &mut self.bytes);
    }

    /// `hmac_0_y`: over the message, the first `y + 1` hold times, and the `y` downstream
    /// HMACs `hmac_j_(y-j)` for `j` in `1..=y`.
    fn compute_hmac(&self, um: &[u8; 32], y: usize, message: &[u8]) -> [u8; TRUNCATED_HMAC_LEN] {
        let mut downstream = Vec::with_capacity(y * TRUNCATED_HMAC_LEN);
        for j in 1..=y {
            downstream.extend_from_slice(self.hmac(j, y - j));
        }
        let hold_times = &self.bytes[..(y + 1) * 4];
        let full = crypto::hmac_sha256(um, &[message, hold_times, &downstream]);
        let mut mac = [0u8; TRUNCATED_HMAC_LEN];
        mac.copy_from_slice(&full[..TRUNCATED_HMAC_LEN]);
        mac
    }

    /// The forward shift of an intermediate node: hold times move right by one; block `x`
    /// becomes block `x + 1` without its leftmost (largest `y`) HMAC. Block 0 is zeroed.
    fn shift_downstream(&mut self) {
        self.bytes.copy_within(..HOLD_TIMES_LEN - 4, 4);
        self.bytes[..4].fill(0);
        let mut shifted = [0u8; ATTRIBUTION_HMAC_COUNT * TRUNCATED_HMAC_LEN];
        for x in 0..MAX_ATTRIBUTED_HOPS - 1 {
            let old = (block_start(x) + 1) * TRUNCATED_HMAC_LEN;
            let len = (MAX_ATTRIBUTED_HOPS - x - 1) * TRUNCATED_HMAC_LEN;
            let new = block_start(x + 1) * TRUNCATED_HMAC_LEN;
            shifted[new..new + len].copy_from_slice(&self.hmacs()[old..old + len]);
        }
        self.bytes[HOLD_TIMES_LEN..].copy_from_slice(&shifted);
    }

    /// The origin's inverse of [`Self::shift_downstream`]: block `x + 1` becomes block `x`
    /// (the HMAC that was dropped is unknown and left zero); hold times move left.
    fn shift_upstream(&mut self) {
        self.bytes.copy_within(4..HOLD_TIMES_LEN, 0);
        self.bytes[HOLD_TIMES_LEN - 4..HOLD_TIMES_LEN].fill(0);
        let mut shifted = [0u8; ATTRIBUTION_HMAC_COUNT * TRUNCATED_HMAC_LEN];
        for x in 0..MAX_ATTRIBUTED_HOPS - 1 {
            let old = block_start(x + 1) * TRUNCATED_HMAC_LEN;
            let len = (MAX_ATTRIBUTED_HOPS - x - 1) * TRUNCATED_HMAC_LEN;
            let new = (block_start(x) + 1) * TRUNCATED_HMAC_LEN;
            shifted[new..new + len].copy_from_slice(&self.hmacs()[old..old + len]);
        }
        self.bytes[HOLD_TIMES_LEN..].copy_from_slice(&shifted);
    }
}

/// What the origin learned from attribution data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributionReport {
    /// Hold times (units of 100 ms) reported by the hops whose HMAC verified, in route order.
    pub hold_times: Vec<u32>,
    /// The first hop whose HMAC did not verify, if any: the blame lies with it or the hop
    /// before it. `None` when every checked hop verified.
    pub first_invalid_hop: Option<usize>,
}

/// The origin's check of attribution data for a route whose per-hop shared secrets are
/// `hop_secrets` (route order).
///
/// `packets` yields, for each hop, the failure packet as that hop had it before its `ammag`
/// obfuscation (see `decode_failure`, which calls this), or pass empty messages for a success.
/// Checks stop after `last_hop` (the erring node, when known) or at the end of the route.
/// Routes longer than [`MAX_ATTRIBUTED_HOPS`] cannot be verified: every hop's HMAC position is
/// out of range, and the report is empty with `first_invalid_hop` `None`.
pub fn verify_attribution(
    hop_secrets: &[SharedSecret],
    data: &AttributionData,
    messages: &[&[u8]],
    last_hop: Option<usize>,
) -> AttributionReport {
    let mut report = AttributionReport {
        hold_times: Vec::new(),
        first_invalid_hop: None,
    };
    let hops = hop_secrets.len();
    if hops == 0 || hops > MAX_ATTRIBUTED_HOPS {
        return report;
    }
    let end = last_hop.map_or(hops, |last| last.saturating_add(1).min(hops));
    let mut current = data.clone();
    for (index, secret) in hop_secrets.iter().enumerate().take(end) {
        let bytes = secret.secret_bytes();
        crypto::apply_stream(
            &crypto::derive_key(KeyType::AmmagExt, &bytes),
            &mut current.bytes,
        );
        let position = hops - 1 - index;
        let um = crypto::derive_key(KeyType::Um, &bytes);
        let message = messages.get(index).copied().unwrap_or(&[]);
        let expected = current.compute_hmac(&um, position, message);
        if !crypto::constant_time_eq(&expected, current.hmac(0, position)) {
            report.first_invalid_hop = Some(index);
            return report;
        }
        report.hold_times.push(current.hold_time(0));
        current.shift_upstream();
    }
    report
}
