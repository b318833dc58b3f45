//! Fixed-layout encodings of the manager's payment state: the multi-part outbound book (parts
//! in flight with their hop shared secrets, retry budgets, resolved ids), forwarded HTLCs in
//! flight, held parts of incomplete multi-part payments to us, and the paths they share.
//!
//! Every list is sorted before it is written so that equal managers encode to equal bytes.

use alloc::vec::Vec;
use core::time::Duration;

use hashbrown::{HashMap, HashSet};
use secp256k1::ecdh::SharedSecret;

use crate::channel::serialize::codec::{
    get_blob, get_bool, get_list, get_opt, put_blob, put_bool, put_list, put_opt,
};
use crate::routing::{Path, RouteHint, RouteHintHop, RouteHop, RouteParameters, RoutingFees};
use crate::wire::{ChannelId, Decode, DecodeError, Encode, Reader};

use super::forward::ForwardedHtlc;
use super::inbound_secret::PaymentSecret;
use super::mpp::PartialSet;
use super::outbound::{InflightPart, OutboundPayments, PendingPayment};
use super::payments::ClaimableHtlc;
use super::payments_out::{PaymentId, RecipientOnionFields};
use super::retry::{Retry, RetryPlan};
use super::serialize_events::{read_failure_reason, write_failure_reason};

pub(super) fn write_path(path: &Path, out: &mut Vec<u8>) {
    put_list(&path.hops, out, |hop, out| {
        hop.node_id.encode(out);
        hop.short_channel_id.encode(out);
        hop.fee_msat.encode(out);
        hop.cltv_expiry_delta.encode(out);
    });
}

pub(super) fn read_path(r: &mut Reader<'_>) -> Result<Path, DecodeError> {
    let hops = get_list(r, |r| {
        Ok::<_, DecodeError>(RouteHop {
            node_id: r.decode()?,
            short_channel_id: r.decode()?,
            fee_msat: r.decode()?,
            cltv_expiry_delta: r.decode()?,
        })
    })?;
    Ok(Path { hops })
}

pub(super) fn read_shared_secret(r: &mut Reader<'_>) -> Result<SharedSecret, DecodeError> {
    Ok(SharedSecret::from_bytes(r.read_array()?))
}

fn write_duration(d: Duration, out: &mut Vec<u8>) {
    d.as_secs().encode(out);
    d.subsec_nanos().encode(out);
}

fn read_duration(r: &mut Reader<'_>) -> Result<Duration, DecodeError> {
    let secs = u64::decode(r)?;
    let nanos = u32::decode(r)?;
    if nanos >= 1_000_000_000 {
        return Err(DecodeError::InvalidValue);
    }
    Ok(Duration::new(secs, nanos))
}

/// A held part of a payment to us (claimable or in an incomplete set).
pub(super) fn write_claimable(h: &ClaimableHtlc, out: &mut Vec<u8>) {
    h.channel_id.encode(out);
    h.htlc_id.encode(out);
    h.amount_msat.encode(out);
    h.cltv_expiry.encode(out);
    h.shared_secret.secret_bytes().encode(out);
}

pub(super) fn read_claimable(r: &mut Reader<'_>) -> Result<ClaimableHtlc, DecodeError> {
    Ok(ClaimableHtlc {
        channel_id: r.decode()?,
        htlc_id: r.decode()?,
        amount_msat: r.decode()?,
        cltv_expiry: r.decode()?,
        shared_secret: read_shared_secret(r)?,
    })
}

fn write_recipient(fields: &RecipientOnionFields, out: &mut Vec<u8>) {
    put_opt(&fields.payment_secret.map(|s| s.0), out);
    put_bool(fields.payment_metadata.is_some(), out);
    if let Some(metadata) = &fields.payment_metadata {
        put_blob(metadata, out);
    }
    put_list(&fields.custom_tlvs, out, |(t, v), out| {
        t.encode(out);
        put_blob(v, out);
    });
}

fn read_recipient(r: &mut Reader<'_>) -> Result<RecipientOnionFields, DecodeError> {
    Ok(RecipientOnionFields {
        payment_secret: get_opt::<[u8; 32]>(r)?.map(PaymentSecret),
        payment_metadata: if get_bool(r)? {
            Some(get_blob(r)?.to_vec())
        } else {
            None
        },
        custom_tlvs: get_list(r, |r| {
            Ok::<_, DecodeError>((r.decode()?, get_blob(r)?.to_vec()))
        })?,
    })
}

fn write_route_hint(hint: &RouteHint, out: &mut Vec<u8>) {
    put_list(&hint.0, out, |hop, out| {
        hop.src_node_id.encode(out);
        hop.short_channel_id.encode(out);
        hop.fees.base_msat.encode(out);
        hop.fees.proportional_millionths.encode(out);
        hop.cltv_expiry_delta.encode(out);
        put_opt(&hop.htlc_minimum_msat, out);
        put_opt(&hop.htlc_maximum_msat, out);
    });
}

fn read_route_hint(r: &mut Reader<'_>) -> Result<RouteHint, DecodeError> {
    let hops = get_list(r, |r| {
        Ok::<_, DecodeError>(RouteHintHop {
            src_node_id: r.decode()?,
            short_channel_id: r.decode()?,
            fees: RoutingFees {
                base_msat: r.decode()?,
                proportional_millionths: r.decode()?,
            },
            cltv_expiry_delta: r.decode()?,
            htlc_minimum_msat: get_opt(r)?,
            htlc_maximum_msat: get_opt(r)?,
        })
    })?;
    Ok(RouteHint(hops))
}

fn write_route_params(p: &RouteParameters, out: &mut Vec<u8>) {
    p.payee.encode(out);
    p.final_value_msat.encode(out);
    p.final_cltv_expiry_delta.encode(out);
    put_opt(&p.max_total_fee_msat, out);
    p.max_total_cltv_expiry_delta.encode(out);
    p.max_path_count.encode(out);
    put_list(&p.route_hints, out, write_route_hint);
    put_opt(&p.payee_features, out);
    put_list(&p.excluded_channels, out, |scid, out| scid.encode(out));
    put_list(&p.excluded_nodes, out, |node, out| node.encode(out));
}

fn read_route_params(r: &mut Reader<'_>) -> Result<RouteParameters, DecodeError> {
    Ok(RouteParameters {
        payee: r.decode()?,
        final_value_msat: r.decode()?,
        final_cltv_expiry_delta: r.decode()?,
        max_total_fee_msat: get_opt(r)?,
        max_total_cltv_expiry_delta: r.decode()?,
        max_path_count: r.decode()?,
        route_hints: get_list(r, read_route_hint)?,
        payee_features: get_opt(r)?,
        excluded_channels: get_list(r, |r| r.decode())?,
        excluded_nodes: get_list(r, |r| r.decode())?,
    })
}

fn write_retry_plan(plan: &RetryPlan, out: &mut Vec<u8>) {
    write_route_params(&plan.params, out);
    match plan.retry {
        Retry::Attempts(max) => {
            out.push(0);
            max.encode(out);
        }
        Retry::Timeout(limit) => {
            out.push(1);
            write_duration(limit, out);
        }
    }
    plan.retries_used.encode(out);
    write_duration(plan.started_at, out);
    put_list(&plan.excluded, out, |scid, out| scid.encode(out));
    put_list(&plan.unreported_failures, out, |(path, scid), out| {
        write_path(path, out);
        put_opt(scid, out);
    });
}

fn read_retry_plan(r: &mut Reader<'_>) -> Result<RetryPlan, DecodeError> {
    let params = read_route_params(r)?;
    let retry = match u8::decode(r)? {
        0 => Retry::Attempts(r.decode()?),
        1 => Retry::Timeout(read_duration(r)?),
        _ => return Err(DecodeError::InvalidValue),
    };
    Ok(RetryPlan {
        params,
        retry,
        retries_used: r.decode()?,
        started_at: read_duration(r)?,
        excluded: get_list(r, |r| r.decode())?,
        unreported_failures: get_list(r, |r| Ok::<_, DecodeError>((read_path(r)?, get_opt(r)?)))?,
    })
}

fn write_pending_payment(p: &PendingPayment, out: &mut Vec<u8>) {
    p.payment_hash.encode(out);
    write_recipient(&p.recipient, out);
    put_opt(&p.keysend_preimage, out);
    p.total_msat.encode(out);
    let mut parts: Vec<_> = p.parts.iter().collect();
    parts.sort_by_key(|(key, _)| **key);
    put_list(&parts, out, |((channel, htlc), part), out| {
        channel.encode(out);
        htlc.encode(out);
        write_path(&part.path, out);
        put_list(&part.hop_shared_secrets, out, |s, out| {
            s.secret_bytes().encode(out)
        });
    });
    put_opt(&p.preimage, out);
    put_opt(&p.fee_paid_msat, out);
    p.retry_msat.encode(out);
    put_bool(p.retry.is_some(), out);
    if let Some(plan) = &p.retry {
        write_retry_plan(plan, out);
    }
    put_bool(p.give_up.is_some(), out);
    if let Some(reason) = &p.give_up {
        write_failure_reason(reason, out);
    }
}

fn read_pending_payment(r: &mut Reader<'_>) -> Result<PendingPayment, DecodeError> {
    let payment_hash = r.decode()?;
    let recipient = read_recipient(r)?;
    let keysend_preimage = get_opt(r)?;
    let total_msat = r.decode()?;
    let parts = get_list(r, |r| {
        let key: (ChannelId, u64) = (r.decode()?, r.decode()?);
        let part = InflightPart {
            path: read_path(r)?,
            hop_shared_secrets: get_list(r, read_shared_secret)?,
        };
        Ok::<_, DecodeError>((key, part))
    })?;
    Ok(PendingPayment {
        payment_hash,
        recipient,
        keysend_preimage,
        total_msat,
        parts: parts.into_iter().collect(),
        preimage: get_opt(r)?,
        fee_paid_msat: get_opt(r)?,
        retry_msat: r.decode()?,
        retry: if get_bool(r)? {
            Some(read_retry_plan(r)?)
        } else {
            None
        },
        give_up: if get_bool(r)? {
            Some(read_failure_reason(r)?)
        } else {
            None
        },
    })
}

/// The outbound book: payments not resolved (with their parts), ids resolved, and the
/// settled paths not yet reported to a router.
pub(super) fn write_outbound(book: &OutboundPayments, successful: &[Path], out: &mut Vec<u8>) {
    let mut pending: Vec<_> = book.pending.iter().collect();
    pending.sort_by_key(|(id, _)| **id);
    put_list(&pending, out, |(id, p), out| {
        id.0.encode(out);
        write_pending_payment(p, out);
    });
    let mut resolved: Vec<_> = book.resolved_ids().collect();
    resolved.sort();
    put_list(&resolved, out, |id, out| id.0.encode(out));
    put_list(successful, out, write_path);
}

/// Reads what [`write_outbound`] wrote: the book (its HTLC index rebuilt from the parts) and
/// the settled paths.
pub(super) fn read_outbound(
    r: &mut Reader<'_>,
) -> Result<(OutboundPayments, Vec<Path>), DecodeError> {
    let pending = get_list(r, |r| {
        let id = PaymentId(r.read_array()?);
        Ok::<_, DecodeError>((id, read_pending_payment(r)?))
    })?;
    let resolved = get_list(r, |r| Ok::<_, DecodeError>(PaymentId(r.read_array()?)))?;
    let successful = get_list(r, read_path)?;
    let pending: HashMap<PaymentId, PendingPayment> = pending.into_iter().collect();
    let resolved: HashSet<PaymentId> = resolved.into_iter().collect();
    Ok((OutboundPayments::restore(pending, resolved), successful))
}

/// Forwarded HTLCs in flight, by outgoing `(channel, htlc id)`.
pub(super) fn write_forwards(forwards: &HashMap<(ChannelId, u64), ForwardedHtlc>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut sorted: Vec<_> = forwards.iter().collect();
    sorted.sort_by_key(|(key, _)| **key);
    put_list(&sorted, &mut out, |((channel, htlc), f), out| {
        channel.encode(out);
        htlc.encode(out);
        f.prev_channel_id.encode(out);
        f.prev_htlc_id.encode(out);
        f.incoming_amount_msat.encode(out);
        f.outgoing_amount_msat.encode(out);
        f.outgoing_cltv_expiry.encode(out);
        f.shared_secret.secret_bytes().encode(out);
    });
    out
}

pub(super) fn read_forwards(
    r: &mut Reader<'_>,
) -> Result<HashMap<(ChannelId, u64), ForwardedHtlc>, DecodeError> {
    let list = get_list(r, |r| {
        let key: (ChannelId, u64) = (r.decode()?, r.decode()?);
        let forward = ForwardedHtlc {
            prev_channel_id: r.decode()?,
            prev_htlc_id: r.decode()?,
            incoming_amount_msat: r.decode()?,
            outgoing_amount_msat: r.decode()?,
            outgoing_cltv_expiry: r.decode()?,
            shared_secret: read_shared_secret(r)?,
        };
        Ok::<_, DecodeError>((key, forward))
    })?;
    Ok(list.into_iter().collect())
}

/// Incomplete multi-part payments to us, by payment hash, with their held parts and ticks.
pub(super) fn write_receiving(
    receiving: &HashMap<crate::wire::PaymentHash, PartialSet>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut sorted: Vec<_> = receiving.iter().collect();
    sorted.sort_by_key(|(hash, _)| hash.0);
    put_list(&sorted, &mut out, |(hash, set), out| {
        hash.encode(out);
        set.total_msat.encode(out);
        set.received_msat.encode(out);
        set.payment_secret.0.encode(out);
        put_opt(&set.payment_preimage, out);
        put_bool(set.payment_metadata.is_some(), out);
        if let Some(metadata) = &set.payment_metadata {
            put_blob(metadata, out);
        }
        put_list(&set.custom_tlvs, out, |(t, v), out| {
            t.encode(out);
            put_blob(v, out);
        });
        put_list(&set.parts, out, write_claimable);
        set.ticks.encode(out);
    });
    out
}

pub(super) fn read_receiving(
    r: &mut Reader<'_>,
) -> Result<HashMap<crate::wire::PaymentHash, PartialSet>, DecodeError> {
    let list = get_list(r, |r| {
        let hash = r.decode()?;
        let set = PartialSet {
            total_msat: r.decode()?,
            received_msat: r.decode()?,
            payment_secret: PaymentSecret(r.read_array()?),
            payment_preimage: get_opt(r)?,
            payment_metadata: if get_bool(r)? {
                Some(get_blob(r)?.to_vec())
            } else {
                None
            },
            custom_tlvs: get_list(r, |r| {
                Ok::<_, DecodeError>((r.decode()?, get_blob(r)?.to_vec()))
            })?,
            parts: get_list(r, read_claimable)?,
            ticks: r.decode()?,
        };
        Ok::<_, DecodeError>((hash, set))
    })?;
    Ok(list.into_iter().collect())
}
