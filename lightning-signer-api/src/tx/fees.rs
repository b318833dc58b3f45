//! BOLT 3 expected weights, fees and trimming.

use super::types::{ChannelType, Htlc, HtlcDirection};

/// The value of each anchor output, in satoshis.
pub const ANCHOR_OUTPUT_VALUE_SATOSHIS: u64 = 330;
/// Expected weight of a commitment transaction without HTLC outputs, without anchors.
pub const COMMITMENT_BASE_WEIGHT: u64 = 724;
/// Expected weight of a commitment transaction without HTLC outputs, with anchors.
pub const COMMITMENT_BASE_WEIGHT_ANCHORS: u64 = 1124;
/// Weight added to a commitment transaction by each untrimmed HTLC output.
pub const COMMITMENT_WEIGHT_PER_HTLC: u64 = 172;
/// Expected weight of an HTLC-timeout transaction without anchors.
pub const HTLC_TIMEOUT_WEIGHT: u64 = 663;
/// Expected weight of an HTLC-timeout transaction with anchors (its fee is still zero).
pub const HTLC_TIMEOUT_WEIGHT_ANCHORS: u64 = 666;
/// Expected weight of an HTLC-success transaction without anchors.
pub const HTLC_SUCCESS_WEIGHT: u64 = 703;
/// Expected weight of an HTLC-success transaction with anchors (its fee is still zero).
pub const HTLC_SUCCESS_WEIGHT_ANCHORS: u64 = 706;

/// `feerate_per_kw * weight / 1000`, rounded down. Cannot overflow: a `u32` feerate times a
/// weight below 2^32 fits in a `u64`; larger weights saturate.
pub fn fee_for_weight(feerate_per_kw: u32, weight: u64) -> u64 {
    u64::from(feerate_per_kw).saturating_mul(weight) / 1000
}

/// The expected weight of a commitment transaction with `untrimmed_htlcs` HTLC outputs.
pub fn commitment_weight(channel_type: ChannelType, untrimmed_htlcs: usize) -> u64 {
    let base = if channel_type.has_anchors() {
        COMMITMENT_BASE_WEIGHT_ANCHORS
    } else {
        COMMITMENT_BASE_WEIGHT
    };
    let htlcs = u64::try_from(untrimmed_htlcs).unwrap_or(u64::MAX);
    base.saturating_add(COMMITMENT_WEIGHT_PER_HTLC.saturating_mul(htlcs))
}

/// The base commitment fee (what the opener pays, before trimmed amounts are added).
pub fn commitment_fee_sat(
    channel_type: ChannelType,
    feerate_per_kw: u32,
    untrimmed_htlcs: usize,
) -> u64 {
    fee_for_weight(
        feerate_per_kw,
        commitment_weight(channel_type, untrimmed_htlcs),
    )
}

/// The fee of an HTLC-timeout transaction: zero with anchors, else `feerate * 663 / 1000`.
pub fn htlc_timeout_fee_sat(channel_type: ChannelType, feerate_per_kw: u32) -> u64 {
    if channel_type.has_anchors() {
        0
    } else {
        fee_for_weight(feerate_per_kw, HTLC_TIMEOUT_WEIGHT)
    }
}

/// The fee of an HTLC-success transaction: zero with anchors, else `feerate * 703 / 1000`.
pub fn htlc_success_fee_sat(channel_type: ChannelType, feerate_per_kw: u32) -> u64 {
    if channel_type.has_anchors() {
        0
    } else {
        fee_for_weight(feerate_per_kw, HTLC_SUCCESS_WEIGHT)
    }
}

/// The fee of the second-stage transaction spending an HTLC output in `direction` (from the
/// broadcaster's view): HTLC-timeout for offered, HTLC-success for received.
pub fn second_stage_fee_sat(
    channel_type: ChannelType,
    feerate_per_kw: u32,
    direction: HtlcDirection,
) -> u64 {
    match direction {
        HtlcDirection::Offered => htlc_timeout_fee_sat(channel_type, feerate_per_kw),
        HtlcDirection::Received => htlc_success_fee_sat(channel_type, feerate_per_kw),
    }
}

/// Whether `htlc` is trimmed from a commitment whose broadcaster has `dust_limit_satoshis`:
/// its whole-satoshi amount minus its second-stage fee is below the dust limit.
pub fn is_htlc_trimmed(
    channel_type: ChannelType,
    feerate_per_kw: u32,
    dust_limit_satoshis: u64,
    htlc: &Htlc,
) -> bool {
    let fee = second_stage_fee_sat(channel_type, feerate_per_kw, htlc.direction);
    htlc.amount_sat() < dust_limit_satoshis.saturating_add(fee)
}
