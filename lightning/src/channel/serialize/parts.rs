//! Fixed-layout encodings of the channel's parts: configuration, state, commitment specs,
//! change logs, held events and signer waits.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::codec::{
    get_blob, get_bool, get_list, get_opt, get_tx, put_blob, put_bool, put_list, put_opt, put_tx,
};
use crate::channel::commitment::spec::{Change, CommitmentSpec, Removal, SpecHtlc};
use crate::channel::commitment::{Logged, Stage};
use crate::channel::config::{ChannelConfig, ChannelHandshakeLimits};
use crate::channel::events::{ChannelEvent, HtlcFailReason};
use crate::channel::state::{ChannelState, OpeningStep, ShutdownState, SignerWaits};
use crate::channel::SideConfig;
use crate::monitor::codec::{read_side, write_side};
use crate::wire::{Decode, DecodeError, Encode, Reader};

pub(crate) fn write_config(c: &ChannelConfig, out: &mut Vec<u8>) {
    c.dust_limit_satoshis.encode(out);
    c.htlc_minimum_msat.encode(out);
    c.max_accepted_htlcs.encode(out);
    c.max_htlc_value_in_flight_percent.encode(out);
    c.reserve_proportional_millionths.encode(out);
    c.to_self_delay.encode(out);
    c.minimum_depth.encode(out);
    put_bool(c.announce_channel, out);
    put_bool(c.commit_upfront_shutdown_script, out);
    put_bool(c.accept_anchors, out);
    let l = &c.limits;
    l.min_funding_satoshis.encode(out);
    l.max_funding_satoshis.encode(out);
    l.max_htlc_minimum_msat.encode(out);
    l.min_max_htlc_value_in_flight_millionths.encode(out);
    l.max_reserve_millionths.encode(out);
    l.min_max_accepted_htlcs.encode(out);
    l.max_to_self_delay.encode(out);
    l.min_dust_limit_satoshis.encode(out);
    l.max_dust_limit_satoshis.encode(out);
    l.max_minimum_depth.encode(out);
    l.min_feerate_per_kw.encode(out);
    l.max_feerate_per_kw.encode(out);
}

pub(crate) fn read_config(r: &mut Reader<'_>) -> Result<ChannelConfig, DecodeError> {
    Ok(ChannelConfig {
        dust_limit_satoshis: r.decode()?,
        htlc_minimum_msat: r.decode()?,
        max_accepted_htlcs: r.decode()?,
        max_htlc_value_in_flight_percent: r.decode()?,
        reserve_proportional_millionths: r.decode()?,
        to_self_delay: r.decode()?,
        minimum_depth: r.decode()?,
        announce_channel: get_bool(r)?,
        commit_upfront_shutdown_script: get_bool(r)?,
        accept_anchors: get_bool(r)?,
        limits: ChannelHandshakeLimits {
            min_funding_satoshis: r.decode()?,
            max_funding_satoshis: r.decode()?,
            max_htlc_minimum_msat: r.decode()?,
            min_max_htlc_value_in_flight_millionths: r.decode()?,
            max_reserve_millionths: r.decode()?,
            min_max_accepted_htlcs: r.decode()?,
            max_to_self_delay: r.decode()?,
            min_dust_limit_satoshis: r.decode()?,
            max_dust_limit_satoshis: r.decode()?,
            max_minimum_depth: r.decode()?,
            min_feerate_per_kw: r.decode()?,
            max_feerate_per_kw: r.decode()?,
        },
    })
}

pub(crate) fn write_side_config(s: &SideConfig, out: &mut Vec<u8>) {
    s.dust_limit_satoshis.encode(out);
    s.max_htlc_value_in_flight_msat.encode(out);
    s.channel_reserve_satoshis.encode(out);
    s.htlc_minimum_msat.encode(out);
    s.to_self_delay.encode(out);
    s.max_accepted_htlcs.encode(out);
}

pub(crate) fn read_side_config(r: &mut Reader<'_>) -> Result<SideConfig, DecodeError> {
    Ok(SideConfig {
        dust_limit_satoshis: r.decode()?,
        max_htlc_value_in_flight_msat: r.decode()?,
        channel_reserve_satoshis: r.decode()?,
        htlc_minimum_msat: r.decode()?,
        to_self_delay: r.decode()?,
        max_accepted_htlcs: r.decode()?,
    })
}

fn write_shutdown(s: &ShutdownState, out: &mut Vec<u8>) {
    put_opt(&s.holder_script, out);
    put_bool(s.holder_sent, out);
    put_opt(&s.counterparty_script, out);
    s.target_feerate_per_kw.encode(out);
}

fn read_shutdown(r: &mut Reader<'_>) -> Result<ShutdownState, DecodeError> {
    Ok(ShutdownState {
        holder_script: get_opt(r)?,
        holder_sent: get_bool(r)?,
        counterparty_script: get_opt(r)?,
        target_feerate_per_kw: r.decode()?,
    })
}

/// The state; a closing fee negotiation is saved as the shutdown before it (it restarts
/// after the reconnection that follows a restart anyway).
pub(crate) fn write_state(state: &ChannelState, out: &mut Vec<u8>) {
    match state {
        ChannelState::Opening(step) => {
            out.push(0);
            match step {
                OpeningStep::AwaitingAccept => out.push(0),
                OpeningStep::AwaitingFundingTx => out.push(1),
                OpeningStep::AwaitingFundingSigned { funding_tx } => {
                    out.push(2);
                    put_tx(funding_tx, out);
                }
                OpeningStep::AwaitingFundingCreated => out.push(3),
            }
        }
        ChannelState::AwaitingReady {
            holder_ready,
            counterparty_ready,
        } => {
            out.push(1);
            put_bool(*holder_ready, out);
            put_bool(*counterparty_ready, out);
        }
        ChannelState::Normal => out.push(2),
        ChannelState::ShuttingDown(s) | ChannelState::Negotiating(s, _) => {
            out.push(3);
            write_shutdown(s, out);
        }
        ChannelState::Closed => out.push(4),
    }
}

pub(crate) fn read_state(r: &mut Reader<'_>) -> Result<ChannelState, DecodeError> {
    Ok(match u8::decode(r)? {
        0 => ChannelState::Opening(match u8::decode(r)? {
            0 => OpeningStep::AwaitingAccept,
            1 => OpeningStep::AwaitingFundingTx,
            2 => OpeningStep::AwaitingFundingSigned {
                funding_tx: get_tx(r)?,
            },
            3 => OpeningStep::AwaitingFundingCreated,
            _ => return Err(DecodeError::InvalidValue),
        }),
        1 => ChannelState::AwaitingReady {
            holder_ready: get_bool(r)?,
            counterparty_ready: get_bool(r)?,
        },
        2 => ChannelState::Normal,
        3 => ChannelState::ShuttingDown(read_shutdown(r)?),
        4 => ChannelState::Closed,
        _ => return Err(DecodeError::InvalidValue),
    })
}

fn write_htlc(h: &SpecHtlc, out: &mut Vec<u8>) {
    write_side(h.offerer, out);
    h.id.encode(out);
    h.amount_msat.encode(out);
    h.payment_hash.encode(out);
    h.cltv_expiry.encode(out);
}

fn read_htlc(r: &mut Reader<'_>) -> Result<SpecHtlc, DecodeError> {
    Ok(SpecHtlc {
        offerer: read_side(r)?,
        id: r.decode()?,
        amount_msat: r.decode()?,
        payment_hash: r.decode()?,
        cltv_expiry: r.decode()?,
    })
}

pub(crate) fn write_spec(spec: &CommitmentSpec, out: &mut Vec<u8>) {
    spec.feerate_per_kw.encode(out);
    spec.to_holder_msat.encode(out);
    spec.to_counterparty_msat.encode(out);
    put_list(&spec.htlcs, out, write_htlc);
}

pub(crate) fn read_spec(r: &mut Reader<'_>) -> Result<CommitmentSpec, DecodeError> {
    Ok(CommitmentSpec {
        feerate_per_kw: r.decode()?,
        to_holder_msat: r.decode()?,
        to_counterparty_msat: r.decode()?,
        htlcs: get_list(r, read_htlc)?,
    })
}

fn write_change(change: &Change, out: &mut Vec<u8>) {
    match change {
        Change::Add { htlc, onion } => {
            out.push(0);
            write_htlc(htlc, out);
            out.extend_from_slice(&onion[..]);
        }
        Change::Remove { id, removal } => {
            out.push(1);
            id.encode(out);
            match removal {
                Removal::Fulfill(preimage) => {
                    out.push(0);
                    preimage.encode(out);
                }
                Removal::Fail(reason) => {
                    out.push(1);
                    put_blob(reason, out);
                }
                Removal::FailMalformed {
                    sha256_of_onion,
                    failure_code,
                } => {
                    out.push(2);
                    sha256_of_onion.encode(out);
                    failure_code.encode(out);
                }
            }
        }
        Change::Fee(feerate) => {
            out.push(2);
            feerate.encode(out);
        }
    }
}

fn read_change(r: &mut Reader<'_>) -> Result<Change, DecodeError> {
    Ok(match u8::decode(r)? {
        0 => Change::Add {
            htlc: read_htlc(r)?,
            onion: Box::new(r.read_array()?),
        },
        1 => {
            let id = r.decode()?;
            let removal = match u8::decode(r)? {
                0 => Removal::Fulfill(r.decode()?),
                1 => Removal::Fail(get_blob(r)?.to_vec()),
                2 => Removal::FailMalformed {
                    sha256_of_onion: r.decode()?,
                    failure_code: r.decode()?,
                },
                _ => return Err(DecodeError::InvalidValue),
            };
            Change::Remove { id, removal }
        }
        2 => Change::Fee(r.decode()?),
        _ => return Err(DecodeError::InvalidValue),
    })
}

pub(crate) fn write_log(log: &[Logged], out: &mut Vec<u8>) {
    put_list(log, out, |logged, out| {
        out.push(match logged.stage {
            Stage::Proposed => 0,
            Stage::Signed => 1,
            Stage::Acked => 2,
        });
        write_change(&logged.change, out);
    });
}

pub(crate) fn read_log(r: &mut Reader<'_>) -> Result<Vec<Logged>, DecodeError> {
    get_list(r, |r| {
        let stage = match u8::decode(r)? {
            0 => Stage::Proposed,
            1 => Stage::Signed,
            2 => Stage::Acked,
            _ => return Err(DecodeError::InvalidValue),
        };
        Ok(Logged {
            stage,
            change: read_change(r)?,
        })
    })
}

/// A held event, or `None` for kinds that are never held across a save (opening and
/// closing events, which the owner gets before the channel is worth saving or after it is
/// gone).
pub(crate) fn write_event(event: &ChannelEvent, out: &mut Vec<u8>) -> bool {
    match event {
        ChannelEvent::Ready => out.push(0),
        ChannelEvent::HtlcLockedIn {
            htlc_id,
            amount_msat,
            payment_hash,
            cltv_expiry,
            onion,
        } => {
            out.push(1);
            htlc_id.encode(out);
            amount_msat.encode(out);
            payment_hash.encode(out);
            cltv_expiry.encode(out);
            out.extend_from_slice(&onion[..]);
        }
        ChannelEvent::HtlcFulfilled { htlc_id, preimage } => {
            out.push(2);
            htlc_id.encode(out);
            preimage.encode(out);
        }
        ChannelEvent::HtlcFailed { htlc_id, reason } => {
            out.push(3);
            htlc_id.encode(out);
            match reason {
                HtlcFailReason::Onion(packet) => {
                    out.push(0);
                    put_blob(packet, out);
                }
                HtlcFailReason::Malformed {
                    sha256_of_onion,
                    failure_code,
                } => {
                    out.push(1);
                    sha256_of_onion.encode(out);
                    failure_code.encode(out);
                }
            }
        }
        ChannelEvent::ShutdownStarted { needs_script } => {
            out.push(4);
            put_bool(*needs_script, out);
        }
        ChannelEvent::BroadcastFunding(tx) => {
            out.push(5);
            put_tx(tx, out);
        }
        _ => return false,
    }
    true
}

pub(crate) fn read_event(r: &mut Reader<'_>) -> Result<ChannelEvent, DecodeError> {
    Ok(match u8::decode(r)? {
        0 => ChannelEvent::Ready,
        1 => ChannelEvent::HtlcLockedIn {
            htlc_id: r.decode()?,
            amount_msat: r.decode()?,
            payment_hash: r.decode()?,
            cltv_expiry: r.decode()?,
            onion: Box::new(r.read_array()?),
        },
        2 => ChannelEvent::HtlcFulfilled {
            htlc_id: r.decode()?,
            preimage: r.decode()?,
        },
        3 => {
            let htlc_id = r.decode()?;
            let reason = match u8::decode(r)? {
                0 => HtlcFailReason::Onion(get_blob(r)?.to_vec()),
                1 => HtlcFailReason::Malformed {
                    sha256_of_onion: r.decode()?,
                    failure_code: r.decode()?,
                },
                _ => return Err(DecodeError::InvalidValue),
            };
            ChannelEvent::HtlcFailed { htlc_id, reason }
        }
        4 => ChannelEvent::ShutdownStarted {
            needs_script: get_bool(r)?,
        },
        5 => ChannelEvent::BroadcastFunding(get_tx(r)?),
        _ => return Err(DecodeError::InvalidValue),
    })
}

pub(crate) fn write_waits(w: &SignerWaits, out: &mut Vec<u8>) {
    put_bool(w.funding_created, out);
    put_bool(w.funding_signed, out);
    put_bool(w.channel_ready, out);
    put_bool(w.revoke_and_ack, out);
    put_opt(&w.revocation.map(|(number, _)| number), out);
    put_opt(&w.revocation.map(|(_, secret)| secret), out);
    put_bool(w.commitment_signed, out);
    put_opt(&w.closing_signed, out);
}

pub(crate) fn read_waits(r: &mut Reader<'_>) -> Result<SignerWaits, DecodeError> {
    let funding_created = get_bool(r)?;
    let funding_signed = get_bool(r)?;
    let channel_ready = get_bool(r)?;
    let revoke_and_ack = get_bool(r)?;
    let number: Option<u64> = get_opt(r)?;
    let secret: Option<[u8; 32]> = get_opt(r)?;
    let commitment_signed = get_bool(r)?;
    // A closing_signed waiting for the signer restarts with the negotiation.
    let _closing_fee: Option<u64> = get_opt(r)?;
    Ok(SignerWaits {
        funding_created,
        funding_signed,
        channel_ready,
        revoke_and_ack,
        revocation: number.zip(secret),
        commitment_signed,
        closing_signed: None,
    })
}
