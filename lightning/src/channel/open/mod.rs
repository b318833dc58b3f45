//! Channel establishment (BOLT 2 v1): `open_channel`/`accept_channel` with every parameter
//! check, funding (`funding_created`/`funding_signed`) and `channel_ready`.

mod funding;
mod inbound;
mod outbound;
mod ready;

use lightning_signer_api::keys::ChannelPublicKeys;
use lightning_signer_api::tx::{commitment_fee_sat, ChannelType, ANCHOR_OUTPUT_VALUE_SATOSHIS};

use super::config::{
    ChannelConfig, ChannelHandshakeLimits, MAX_ACCEPTED_HTLCS_LIMIT, MIN_DUST_LIMIT_SATOSHIS,
};
use super::{CloseReason, ParameterError, SideConfig};
use crate::wire::features::{BasicChannelType, ChannelTypeFeatures};

/// `value * millionths / 1_000_000` without overflow.
fn share(value: u64, millionths: u32) -> u64 {
    let product = u128::from(value) * u128::from(millionths) / 1_000_000;
    u64::try_from(product).unwrap_or(u64::MAX)
}

/// The parameters we announce for a channel of `funding_satoshis`, given the peer's dust
/// limit if already known (our reserve must cover it).
pub(crate) fn holder_side_config(
    config: &ChannelConfig,
    funding_satoshis: u64,
    counterparty_dust_limit: Option<u64>,
) -> SideConfig {
    let dust = config.dust_limit_satoshis.max(MIN_DUST_LIMIT_SATOSHIS);
    let reserve = share(funding_satoshis, config.reserve_proportional_millionths)
        .max(dust)
        .max(counterparty_dust_limit.unwrap_or(0));
    let percent = u64::from(config.max_htlc_value_in_flight_percent.clamp(1, 100));
    SideConfig {
        dust_limit_satoshis: dust,
        max_htlc_value_in_flight_msat: funding_satoshis.saturating_mul(10 * percent),
        channel_reserve_satoshis: reserve,
        htlc_minimum_msat: config.htlc_minimum_msat.max(1),
        to_self_delay: config.to_self_delay,
        max_accepted_htlcs: config.max_accepted_htlcs.clamp(1, MAX_ACCEPTED_HTLCS_LIMIT),
    }
}

/// The BOLT 2 checks (and our limits) on the parameters the peer announced.
pub(crate) fn check_counterparty_config(
    limits: &ChannelHandshakeLimits,
    funding_satoshis: u64,
    theirs: &SideConfig,
    ours: &SideConfig,
) -> Result<(), ParameterError> {
    if theirs.to_self_delay > limits.max_to_self_delay {
        return Err(ParameterError::ToSelfDelay);
    }
    let max_accepted = theirs.max_accepted_htlcs;
    if max_accepted == 0
        || max_accepted > MAX_ACCEPTED_HTLCS_LIMIT
        || max_accepted < limits.min_max_accepted_htlcs
    {
        return Err(ParameterError::MaxAcceptedHtlcs);
    }
    let dust = theirs.dust_limit_satoshis;
    if dust < MIN_DUST_LIMIT_SATOSHIS.max(limits.min_dust_limit_satoshis)
        || dust > limits.max_dust_limit_satoshis
    {
        return Err(ParameterError::DustLimit);
    }
    let funding_msat = funding_satoshis.saturating_mul(1000);
    if theirs.htlc_minimum_msat > limits.max_htlc_minimum_msat
        || theirs.htlc_minimum_msat >= funding_msat
    {
        return Err(ParameterError::HtlcMinimum);
    }
    let min_in_flight = share(funding_msat, limits.min_max_htlc_value_in_flight_millionths);
    if theirs.max_htlc_value_in_flight_msat < min_in_flight {
        return Err(ParameterError::MaxHtlcValueInFlight);
    }
    let reserve = theirs.channel_reserve_satoshis;
    if reserve > share(funding_satoshis, limits.max_reserve_millionths)
        || reserve < dust
        || reserve < ours.dust_limit_satoshis
        || ours.channel_reserve_satoshis < dust
    {
        return Err(ParameterError::ChannelReserve);
    }
    Ok(())
}

/// Checks the funder can pay the first commitment's fee and that one side is above its
/// reserve.
pub(crate) fn check_initial_balances(
    format: ChannelType,
    funding_satoshis: u64,
    push_msat: u64,
    feerate_per_kw: u32,
    funder_reserve_sat: u64,
    fundee_reserve_sat: u64,
) -> Result<(), ParameterError> {
    let funding_msat = funding_satoshis.saturating_mul(1000);
    let funder_msat = funding_msat
        .checked_sub(push_msat)
        .ok_or(ParameterError::PushExceedsFunding)?;
    let mut cost = commitment_fee_sat(format, feerate_per_kw, 0);
    if format.has_anchors() {
        cost = cost.saturating_add(2 * ANCHOR_OUTPUT_VALUE_SATOSHIS);
    }
    let funder_sat = funder_msat / 1000;
    if funder_sat < cost {
        return Err(ParameterError::FunderCannotPayFee);
    }
    let funder_after_fee = funder_sat - cost;
    if funder_after_fee <= funder_reserve_sat && push_msat / 1000 <= fundee_reserve_sat {
        return Err(ParameterError::BothBelowReserve);
    }
    Ok(())
}

/// Checks the funding amount and feerate against our limits.
pub(crate) fn check_amounts(
    limits: &ChannelHandshakeLimits,
    funding_satoshis: u64,
    push_msat: u64,
    feerate_per_kw: u32,
) -> Result<(), ParameterError> {
    if funding_satoshis < limits.min_funding_satoshis
        || funding_satoshis > limits.max_funding_satoshis
    {
        return Err(ParameterError::FundingAmount);
    }
    if push_msat > funding_satoshis.saturating_mul(1000) {
        return Err(ParameterError::PushExceedsFunding);
    }
    if feerate_per_kw < limits.min_feerate_per_kw || feerate_per_kw > limits.max_feerate_per_kw {
        return Err(ParameterError::Feerate);
    }
    Ok(())
}

/// The commitment format of a channel type.
pub(crate) fn commitment_format(
    channel_type: &ChannelTypeFeatures,
) -> Result<ChannelType, CloseReason> {
    match channel_type
        .basic_channel_type()
        .map_err(CloseReason::ChannelType)?
    {
        BasicChannelType::StaticRemoteKey => Ok(ChannelType::StaticRemoteKey),
        BasicChannelType::AnchorsZeroFeeHtlcTx => Ok(ChannelType::AnchorsZeroFeeHtlcTx),
    }
}

/// Checks that no key is repeated across the two key sets.
pub(crate) fn check_keys(
    ours: &ChannelPublicKeys,
    theirs: &ChannelPublicKeys,
) -> Result<(), ParameterError> {
    if ours.funding_pubkey == theirs.funding_pubkey || theirs.payment_point == ours.payment_point {
        return Err(ParameterError::Keys);
    }
    Ok(())
}
