//! The pluggable [`Score`] the pathfinder uses as a cost term, and [`LiquidityScorer`], the
//! default: it learns bounds on each channel direction's liquidity from payment outcomes and
//! lets them relax back towards "unknown" with a half-life.
//!
//! # Call contract
//!
//! The pathfinder calls [`Score::channel_penalty_msat`] for every channel direction it
//! considers; the router calls [`Score::payment_path_failed`] and
//! [`Score::payment_path_successful`] with what the payment taught. Time is an argument
//! everywhere; the scorer never reads a clock.

use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use hashbrown::HashMap;

use crate::wire::{
    read_tlv_stream, Decode, DecodeError, Encode, Reader, ShortChannelId, TlvWriter,
};

/// A penalty meaning "this amount cannot pass here" (about 1,100 BTC of fees): large enough that
/// any other route wins, small enough that sums of a few do not overflow.
pub const IMPOSSIBLE_PENALTY_MSAT: u64 = 1 << 46;

/// One channel direction of a sent path, as the scorer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScoredHop {
    /// The channel.
    pub short_channel_id: ShortChannelId,
    /// The BOLT 7 direction used (`false`: from `node_id_1`).
    pub direction: bool,
    /// The amount that crossed (or tried to cross) the channel.
    pub amount_msat: u64,
    /// The channel's capacity as the router knows it.
    pub capacity_msat: u64,
}

/// A cost model for channels, learning from payment outcomes.
pub trait Score {
    /// The penalty (in millisatoshis, added to fees when comparing routes) for sending
    /// `amount_msat` over `short_channel_id` in `direction`, whose capacity is about
    /// `capacity_msat`. [`IMPOSSIBLE_PENALTY_MSAT`] or more means the scorer believes it fails.
    fn channel_penalty_msat(
        &self,
        short_channel_id: ShortChannelId,
        direction: bool,
        amount_msat: u64,
        capacity_msat: u64,
        now: Duration,
    ) -> u64;

    /// A path failed at `hops[failing_index]` (the hops before it carried their amount), or
    /// somewhere unknown / at the payee when `failing_index` is `None`.
    fn payment_path_failed(
        &mut self,
        hops: &[ScoredHop],
        failing_index: Option<usize>,
        now: Duration,
    );

    /// Every hop of a path carried its amount.
    fn payment_path_successful(&mut self, hops: &[ScoredHop], now: Duration);
}

/// What [`LiquidityScorer`] charges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScorerConfig {
    /// A fixed penalty per hop (favours shorter routes).
    pub base_penalty_msat: u64,
    /// The penalty per halving of the success probability (`-log2(p)`).
    pub liquidity_penalty_multiplier_msat: u64,
    /// How long until learned bounds are half forgotten.
    pub half_life: Duration,
}

impl Default for ScorerConfig {
    fn default() -> Self {
        ScorerConfig {
            base_penalty_msat: 500,
            liquidity_penalty_multiplier_msat: 30_000,
            half_life: Duration::from_secs(6 * 3600),
        }
    }
}

/// Learned bounds on one direction's liquidity, as of `updated_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LiquidityBounds {
    /// The liquidity is at least this.
    min_msat: u64,
    /// The liquidity is at most this.
    max_msat: u64,
    updated_at: Duration,
}

/// The default scorer: per channel direction, a lower and an upper bound on the liquidity,
/// learned from outcomes (a hop that carried `a` had at least `a`; a hop that failed for `a`
/// had less), decaying towards `[0, capacity]` with [`ScorerConfig::half_life`]. The penalty
/// is `base + multiplier * -log2(p)` where `p` is the success probability under a uniform
/// liquidity distribution between the bounds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiquidityScorer {
    config: ScorerConfig,
    bounds: HashMap<(u64, bool), LiquidityBounds>,
}

impl LiquidityScorer {
    /// A scorer that knows nothing yet.
    pub fn new(config: ScorerConfig) -> Self {
        LiquidityScorer {
            config,
            bounds: HashMap::new(),
        }
    }

    /// The bounds believed at `now` for a direction of capacity `capacity_msat`: `(min, max)`.
    pub fn estimated_liquidity_msat(
        &self,
        short_channel_id: ShortChannelId,
        direction: bool,
        capacity_msat: u64,
        now: Duration,
    ) -> (u64, u64) {
        match self.bounds.get(&(short_channel_id.0, direction)) {
            None => (0, capacity_msat),
            Some(bounds) => self.decayed(bounds, capacity_msat, now),
        }
    }

    fn decayed(&self, bounds: &LiquidityBounds, capacity_msat: u64, now: Duration) -> (u64, u64) {
        let elapsed = now.saturating_sub(bounds.updated_at);
        let keep = |value: u64| decay(value, elapsed, self.config.half_life);
        let min = keep(bounds.min_msat.min(capacity_msat));
        let max_offset = keep(capacity_msat.saturating_sub(bounds.max_msat));
        (min, capacity_msat - max_offset)
    }

    fn update(&mut self, hop: &ScoredHop, now: Duration, carried: bool) {
        let capacity = hop.capacity_msat;
        let (min, max) =
            self.estimated_liquidity_msat(hop.short_channel_id, hop.direction, capacity, now);
        let (min, max) = if carried {
            let min = min.max(hop.amount_msat);
            (min, max.max(min))
        } else {
            let max = max.min(hop.amount_msat.saturating_sub(1));
            (min.min(max), max)
        };
        let bounds = LiquidityBounds {
            min_msat: min,
            max_msat: max,
            updated_at: now,
        };
        self.bounds
            .insert((hop.short_channel_id.0, hop.direction), bounds);
    }
}

/// `value * 2^(-elapsed / half_life)`, with the fraction of a half-life interpolated linearly.
fn decay(value: u64, elapsed: Duration, half_life: Duration) -> u64 {
    let half_life = half_life.as_secs().max(1);
    let elapsed = elapsed.as_secs();
    let halvings = elapsed / half_life;
    if halvings >= 64 {
        return 0;
    }
    let value = value >> halvings;
    let fraction = elapsed % half_life;
    // Between 1 (fraction 0) and 1/2 (fraction -> half_life).
    let scaled =
        u128::from(value) * u128::from(2 * half_life - fraction) / u128::from(2 * half_life);
    scaled as u64
}

/// `-log2(numerator / denominator)` in 1/1024ths, for `0 < numerator <= denominator`.
fn neg_log2_fixed(numerator: u64, denominator: u64) -> u64 {
    let ratio = (u128::from(denominator) << 10) / u128::from(numerator.max(1));
    // ratio = 2^k * (1 + f), log2 ~ k + f (linear between powers of two).
    let ratio = ratio.max(1024);
    let bits = 127 - ratio.leading_zeros() as u64;
    let power = 1u128 << bits;
    let fraction = ((ratio - power) << 10) / power;
    (bits << 10) + fraction as u64 - 10 * 1024
}

impl Score for LiquidityScorer {
    fn channel_penalty_msat(
        &self,
        short_channel_id: ShortChannelId,
        direction: bool,
        amount_msat: u64,
        capacity_msat: u64,
        now: Duration,
    ) -> u64 {
        let (min, max) =
            self.estimated_liquidity_msat(short_channel_id, direction, capacity_msat, now);
        let base = self.config.base_penalty_msat;
        if amount_msat <= min {
            return base;
        }
        if amount_msat > max {
            return IMPOSSIBLE_PENALTY_MSAT;
        }
        // Uniform between min and max: p = (max - amount) / (max - min), with +1 so that the
        // exact maximum is merely unlikely rather than impossible.
        let log = neg_log2_fixed(
            (max - amount_msat).saturating_add(1),
            (max - min).saturating_add(1),
        );
        let liquidity =
            u128::from(self.config.liquidity_penalty_multiplier_msat) * u128::from(log) / 1024;
        base.saturating_add(u64::try_from(liquidity).unwrap_or(u64::MAX))
            .min(IMPOSSIBLE_PENALTY_MSAT - 1)
    }

    fn payment_path_failed(
        &mut self,
        hops: &[ScoredHop],
        failing_index: Option<usize>,
        now: Duration,
    ) {
        let Some(failing) = failing_index else {
            return;
        };
        for (index, hop) in hops.iter().enumerate() {
            if index < failing {
                self.update(hop, now, true);
            } else if index == failing {
                self.update(hop, now, false);
            }
        }
    }

    fn payment_path_successful(&mut self, hops: &[ScoredHop], now: Duration) {
        for hop in hops {
            self.update(hop, now, true);
        }
    }
}

const SCORER_MAGIC: &[u8; 7] = b"LNSCORE";
const SCORER_VERSION: u8 = 1;
/// Bytes of one stored entry: id, direction, min, max, update time.
const SCORER_ENTRY_LEN: usize = 8 + 1 + 8 + 8 + 8;

/// Why stored scorer data could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScorerReadError {
    /// The bytes do not start with the scorer magic.
    NotAScorer,
    /// The version byte is newer than this code understands.
    UnknownVersion(u8),
    /// The bytes are malformed.
    Decode(DecodeError),
}

impl fmt::Display for ScorerReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScorerReadError::NotAScorer => f.write_str("not stored scorer data"),
            ScorerReadError::UnknownVersion(v) => write!(f, "unknown scorer version {v}"),
            ScorerReadError::Decode(error) => write!(f, "malformed scorer data: {error}"),
        }
    }
}

impl core::error::Error for ScorerReadError {}

impl LiquidityScorer {
    /// The learned bounds in stored form: `"LNSCORE"`, a version byte, then a TLV stream whose
    /// record 0 holds the entries (id u64, direction u8, min u64, max u64, update time in
    /// seconds u64). The configuration is not stored: it is given again to
    /// [`LiquidityScorer::read`].
    pub fn write(&self) -> Vec<u8> {
        let mut entries: Vec<_> = self.bounds.iter().collect();
        entries.sort_by_key(|(key, _)| **key);
        let mut record = Vec::with_capacity(entries.len() * SCORER_ENTRY_LEN);
        for ((id, direction), bounds) in entries {
            id.encode(&mut record);
            u8::from(*direction).encode(&mut record);
            bounds.min_msat.encode(&mut record);
            bounds.max_msat.encode(&mut record);
            bounds.updated_at.as_secs().encode(&mut record);
        }
        let mut out = SCORER_MAGIC.to_vec();
        out.push(SCORER_VERSION);
        let mut tlvs = TlvWriter::new(&mut out, &[]);
        tlvs.write_bytes(0, &record);
        tlvs.finish();
        out
    }

    /// Reads back what [`LiquidityScorer::write`] produced, with `config`.
    pub fn read(bytes: &[u8], config: ScorerConfig) -> Result<Self, ScorerReadError> {
        let body = bytes
            .strip_prefix(SCORER_MAGIC)
            .ok_or(ScorerReadError::NotAScorer)?;
        let (&version, body) = body.split_first().ok_or(ScorerReadError::NotAScorer)?;
        if version != SCORER_VERSION {
            return Err(ScorerReadError::UnknownVersion(version));
        }
        let mut scorer = LiquidityScorer::new(config);
        let mut reader = Reader::new(body);
        read_tlv_stream(&mut reader, |record_type, value| {
            if record_type != 0 {
                return Ok(false);
            }
            if value.remaining() % SCORER_ENTRY_LEN != 0 {
                return Err(DecodeError::InvalidValue);
            }
            while !value.is_empty() {
                let id = u64::decode(value)?;
                let direction = u8::decode(value)? != 0;
                let min_msat = u64::decode(value)?;
                let max_msat = u64::decode(value)?;
                let updated_at = Duration::from_secs(u64::decode(value)?);
                if min_msat > max_msat {
                    return Err(DecodeError::InvalidValue);
                }
                let bounds = LiquidityBounds {
                    min_msat,
                    max_msat,
                    updated_at,
                };
                scorer.bounds.insert((id, direction), bounds);
            }
            Ok(true)
        })
        .map_err(ScorerReadError::Decode)?;
        Ok(scorer)
    }

    /// How many channel directions the scorer has learned about.
    pub fn learned_directions(&self) -> usize {
        self.bounds.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_is_close() {
        assert_eq!(neg_log2_fixed(1, 1), 0);
        assert_eq!(neg_log2_fixed(1, 2), 1024);
        assert_eq!(neg_log2_fixed(1, 1024), 10 * 1024);
        let three_quarters = neg_log2_fixed(3, 4);
        assert!((300..500).contains(&three_quarters), "{three_quarters}");
    }

    #[test]
    fn decay_halves_per_half_life() {
        let hour = Duration::from_secs(3600);
        assert_eq!(decay(1000, Duration::ZERO, hour), 1000);
        assert_eq!(decay(1000, hour, hour), 500);
        assert_eq!(decay(1000, hour * 2, hour), 250);
        assert_eq!(decay(1000, hour / 2, hour), 750);
        assert_eq!(decay(1000, hour * 100, hour), 0);
    }
}
