//! Fixed-layout encodings of the user [`Event`]s the manager persists (so that events not
//! yet handled before a restart are replayed after it).

use alloc::string::String;
use alloc::vec::Vec;

use bitcoin::hashes::Hash;
use bitcoin::{OutPoint, Txid};

use crate::channel::serialize::codec::{
    get_blob, get_bool, get_list, get_opt, put_blob, put_bool, put_list, put_opt,
};
use crate::channel::CloseReason;
use crate::onion::{FailureCode, FailureMessage};
use crate::wire::{Decode, DecodeError, Encode, Reader};

use super::events::{ClosureReason, Event, PaymentFailureReason};
use super::inbound_secret::PaymentSecret;
use super::payments_out::PaymentId;
use super::serialize_payments::{read_path, write_path};

/// The `CloseReason`s without data, by their persisted code.
const SIMPLE_CLOSE_REASONS: [CloseReason; 22] = [
    CloseReason::MissingChannelType,
    CloseReason::BadCommitmentSignature,
    CloseReason::WrongHtlcSignatureCount,
    CloseReason::BadRevocationSecret,
    CloseReason::ProtocolOrder,
    CloseReason::WrongHtlcId,
    CloseReason::UnknownHtlc,
    CloseReason::BadPreimage,
    CloseReason::HtlcBelowMinimum,
    CloseReason::TooManyHtlcs,
    CloseReason::HtlcValueInFlightExceeded,
    CloseReason::InsufficientBalance,
    CloseReason::BadCltvExpiry,
    CloseReason::UpdateFeeFromNonFunder,
    CloseReason::UnreasonableFeerate,
    CloseReason::MalformedWithoutBadOnion,
    CloseReason::AddAfterShutdown,
    CloseReason::BadShutdownScript,
    CloseReason::BadFundingTransaction,
    CloseReason::CounterpartyError,
    CloseReason::HolderForceClosed,
    CloseReason::CooperativeClose,
];

/// Code of a close reason whose details are not persisted (bad parameters, channel types,
/// signer refusals, transaction build errors): read back as a generic protocol failure.
const OTHER_CLOSE_REASON: u8 = 0xfe;
const STALE_STATE: u8 = 0xfd;
const REESTABLISH_MISMATCH: u8 = 0xfc;

fn write_close_reason(reason: &CloseReason, out: &mut Vec<u8>) {
    if let Some(code) = SIMPLE_CLOSE_REASONS.iter().position(|r| r == reason) {
        // Fewer than 256 entries.
        out.push(code as u8);
        return;
    }
    match reason {
        CloseReason::StaleLocalState {
            their_current_per_commitment_point,
        } => {
            out.push(STALE_STATE);
            their_current_per_commitment_point.encode(out);
        }
        CloseReason::ReestablishMismatch => out.push(REESTABLISH_MISMATCH),
        _ => out.push(OTHER_CLOSE_REASON),
    }
}

/// Reads a close reason. Reasons with details that are not persisted read back as
/// [`CloseReason::ProtocolOrder`] (the event's text is then less precise; nothing else
/// depends on it).
fn read_close_reason(r: &mut Reader<'_>) -> Result<CloseReason, DecodeError> {
    let code = u8::decode(r)?;
    Ok(match code {
        STALE_STATE => CloseReason::StaleLocalState {
            their_current_per_commitment_point: r.decode()?,
        },
        REESTABLISH_MISMATCH => CloseReason::ReestablishMismatch,
        OTHER_CLOSE_REASON => CloseReason::ProtocolOrder,
        code => SIMPLE_CLOSE_REASONS
            .get(usize::from(code))
            .cloned()
            .ok_or(DecodeError::InvalidValue)?,
    })
}

fn write_closure(reason: &ClosureReason, out: &mut Vec<u8>) {
    match reason {
        ClosureReason::CooperativeClosure => out.push(0),
        ClosureReason::HolderForceClosed => out.push(1),
        ClosureReason::CounterpartyForceClosed { peer_message } => {
            out.push(2);
            put_blob(peer_message.as_bytes(), out);
        }
        ClosureReason::ProtocolError(reason) => {
            out.push(3);
            write_close_reason(reason, out);
        }
        ClosureReason::DisconnectedBeforeFunding => out.push(4),
        ClosureReason::HtlcsTimedOut => out.push(5),
        ClosureReason::CommitmentTxConfirmed => out.push(6),
    }
}

fn read_closure(r: &mut Reader<'_>) -> Result<ClosureReason, DecodeError> {
    Ok(match u8::decode(r)? {
        0 => ClosureReason::CooperativeClosure,
        1 => ClosureReason::HolderForceClosed,
        2 => {
            let text = core::str::from_utf8(get_blob(r)?).map_err(|_| DecodeError::InvalidValue)?;
            ClosureReason::CounterpartyForceClosed {
                peer_message: String::from(text),
            }
        }
        3 => ClosureReason::ProtocolError(read_close_reason(r)?),
        4 => ClosureReason::DisconnectedBeforeFunding,
        5 => ClosureReason::HtlcsTimedOut,
        6 => ClosureReason::CommitmentTxConfirmed,
        _ => return Err(DecodeError::InvalidValue),
    })
}

pub(super) fn write_failure_reason(reason: &PaymentFailureReason, out: &mut Vec<u8>) {
    match reason {
        PaymentFailureReason::HopFailed {
            hop_index,
            node_id,
            is_recipient,
            failure,
        } => {
            out.push(0);
            // Paths have at most 27 hops.
            (*hop_index as u32).encode(out);
            put_opt(node_id, out);
            put_bool(*is_recipient, out);
            put_bool(failure.is_some(), out);
            if let Some(failure) = failure {
                put_blob(&failure.encode(), out);
            }
        }
        PaymentFailureReason::MalformedOnion { failure_code } => {
            out.push(1);
            failure_code.0.encode(out);
        }
        PaymentFailureReason::Unattributable => out.push(2),
        PaymentFailureReason::ChannelUnavailable => out.push(3),
        PaymentFailureReason::RouteNotFound => out.push(4),
        PaymentFailureReason::RetriesExhausted => out.push(5),
        PaymentFailureReason::InvoiceExpired => out.push(6),
    }
}

pub(super) fn read_failure_reason(r: &mut Reader<'_>) -> Result<PaymentFailureReason, DecodeError> {
    Ok(match u8::decode(r)? {
        0 => PaymentFailureReason::HopFailed {
            hop_index: usize::try_from(u32::decode(r)?).map_err(|_| DecodeError::InvalidValue)?,
            node_id: get_opt(r)?,
            is_recipient: get_bool(r)?,
            failure: if get_bool(r)? {
                Some(FailureMessage::decode(get_blob(r)?).map_err(|_| DecodeError::InvalidValue)?)
            } else {
                None
            },
        },
        1 => PaymentFailureReason::MalformedOnion {
            failure_code: FailureCode(r.decode()?),
        },
        2 => PaymentFailureReason::Unattributable,
        3 => PaymentFailureReason::ChannelUnavailable,
        4 => PaymentFailureReason::RouteNotFound,
        5 => PaymentFailureReason::RetriesExhausted,
        6 => PaymentFailureReason::InvoiceExpired,
        _ => return Err(DecodeError::InvalidValue),
    })
}

fn write_outpoint(o: &OutPoint, out: &mut Vec<u8>) {
    o.txid.encode(out);
    o.vout.encode(out);
}

fn read_outpoint(r: &mut Reader<'_>) -> Result<OutPoint, DecodeError> {
    Ok(OutPoint {
        txid: Txid::from_byte_array(r.read_array()?),
        vout: r.decode()?,
    })
}

/// Writes `event`; returns false (writing nothing) for a kind this version cannot persist.
pub(super) fn write_event(event: &Event, out: &mut Vec<u8>) -> bool {
    match event {
        Event::FundingGenerationReady {
            temporary_channel_id,
            counterparty_node_id,
            channel_value_satoshis,
            output_script,
            user_channel_id,
        } => {
            out.push(0);
            temporary_channel_id.encode(out);
            counterparty_node_id.encode(out);
            channel_value_satoshis.encode(out);
            output_script.encode(out);
            user_channel_id.to_be_bytes().encode(out);
        }
        Event::OpenChannelRequest { .. } => return false,
        Event::ChannelPending {
            channel_id,
            user_channel_id,
            former_temporary_channel_id,
            counterparty_node_id,
            funding_txo,
        } => {
            out.push(2);
            channel_id.encode(out);
            user_channel_id.to_be_bytes().encode(out);
            former_temporary_channel_id.encode(out);
            counterparty_node_id.encode(out);
            write_outpoint(funding_txo, out);
        }
        Event::ChannelReady {
            channel_id,
            user_channel_id,
            counterparty_node_id,
        } => {
            out.push(3);
            channel_id.encode(out);
            user_channel_id.to_be_bytes().encode(out);
            counterparty_node_id.encode(out);
        }
        Event::PaymentClaimable {
            payment_hash,
            amount_msat,
            payment_preimage,
            payment_secret,
            payment_metadata,
            custom_tlvs,
            via_channel_id,
            claim_deadline,
        } => {
            out.push(4);
            payment_hash.encode(out);
            amount_msat.encode(out);
            put_opt(payment_preimage, out);
            payment_secret.0.encode(out);
            put_bool(payment_metadata.is_some(), out);
            if let Some(metadata) = payment_metadata {
                put_blob(metadata, out);
            }
            put_list(custom_tlvs, out, |(t, v), out| {
                t.encode(out);
                put_blob(v, out);
            });
            via_channel_id.encode(out);
            claim_deadline.encode(out);
        }
        Event::PaymentClaimed {
            payment_hash,
            amount_msat,
        } => {
            out.push(5);
            payment_hash.encode(out);
            amount_msat.encode(out);
        }
        Event::PaymentSent {
            payment_id,
            payment_hash,
            payment_preimage,
            fee_paid_msat,
        } => {
            out.push(6);
            payment_id.0.encode(out);
            payment_hash.encode(out);
            payment_preimage.encode(out);
            put_opt(fee_paid_msat, out);
        }
        Event::PaymentFailed {
            payment_id,
            payment_hash,
            reason,
        } => {
            out.push(7);
            payment_id.0.encode(out);
            payment_hash.encode(out);
            write_failure_reason(reason, out);
        }
        Event::ChannelClosed {
            channel_id,
            user_channel_id,
            counterparty_node_id,
            reason,
        } => {
            out.push(8);
            channel_id.encode(out);
            user_channel_id.to_be_bytes().encode(out);
            counterparty_node_id.encode(out);
            write_closure(reason, out);
        }
        Event::PaymentReceiveFailed {
            payment_hash,
            received_msat,
        } => {
            out.push(9);
            payment_hash.encode(out);
            received_msat.encode(out);
        }
        Event::PaymentPathFailed {
            payment_id,
            payment_hash,
            path,
            reason,
            will_retry,
        } => {
            out.push(10);
            payment_id.0.encode(out);
            payment_hash.encode(out);
            write_path(path, out);
            write_failure_reason(reason, out);
            put_bool(*will_retry, out);
        }
        Event::PaymentForwarded {
            prev_channel_id,
            next_channel_id,
            fee_earned_msat,
            outbound_amount_msat,
        } => {
            out.push(11);
            prev_channel_id.encode(out);
            next_channel_id.encode(out);
            fee_earned_msat.encode(out);
            outbound_amount_msat.encode(out);
        }
    }
    true
}

fn read_u128(r: &mut Reader<'_>) -> Result<u128, DecodeError> {
    Ok(u128::from_be_bytes(r.read_array()?))
}

pub(super) fn read_event(r: &mut Reader<'_>) -> Result<Event, DecodeError> {
    Ok(match u8::decode(r)? {
        0 => Event::FundingGenerationReady {
            temporary_channel_id: r.decode()?,
            counterparty_node_id: r.decode()?,
            channel_value_satoshis: r.decode()?,
            output_script: r.decode()?,
            user_channel_id: read_u128(r)?,
        },
        2 => Event::ChannelPending {
            channel_id: r.decode()?,
            user_channel_id: read_u128(r)?,
            former_temporary_channel_id: r.decode()?,
            counterparty_node_id: r.decode()?,
            funding_txo: read_outpoint(r)?,
        },
        3 => Event::ChannelReady {
            channel_id: r.decode()?,
            user_channel_id: read_u128(r)?,
            counterparty_node_id: r.decode()?,
        },
        4 => Event::PaymentClaimable {
            payment_hash: r.decode()?,
            amount_msat: r.decode()?,
            payment_preimage: get_opt(r)?,
            payment_secret: PaymentSecret(r.read_array()?),
            payment_metadata: if get_bool(r)? {
                Some(get_blob(r)?.to_vec())
            } else {
                None
            },
            custom_tlvs: get_list(r, |r| {
                Ok::<_, DecodeError>((r.decode()?, get_blob(r)?.to_vec()))
            })?,
            via_channel_id: r.decode()?,
            claim_deadline: r.decode()?,
        },
        5 => Event::PaymentClaimed {
            payment_hash: r.decode()?,
            amount_msat: r.decode()?,
        },
        6 => Event::PaymentSent {
            payment_id: PaymentId(r.read_array()?),
            payment_hash: r.decode()?,
            payment_preimage: r.decode()?,
            fee_paid_msat: get_opt(r)?,
        },
        7 => Event::PaymentFailed {
            payment_id: PaymentId(r.read_array()?),
            payment_hash: r.decode()?,
            reason: read_failure_reason(r)?,
        },
        8 => Event::ChannelClosed {
            channel_id: r.decode()?,
            user_channel_id: read_u128(r)?,
            counterparty_node_id: r.decode()?,
            reason: read_closure(r)?,
        },
        9 => Event::PaymentReceiveFailed {
            payment_hash: r.decode()?,
            received_msat: r.decode()?,
        },
        10 => Event::PaymentPathFailed {
            payment_id: PaymentId(r.read_array()?),
            payment_hash: r.decode()?,
            path: read_path(r)?,
            reason: read_failure_reason(r)?,
            will_retry: get_bool(r)?,
        },
        11 => Event::PaymentForwarded {
            prev_channel_id: r.decode()?,
            next_channel_id: r.decode()?,
            fee_earned_msat: r.decode()?,
            outbound_amount_msat: r.decode()?,
        },
        _ => return Err(DecodeError::InvalidValue),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::{Path, RouteHop};
    use crate::wire::{ChannelId, PaymentHash, ShortChannelId};

    fn node() -> secp256k1::PublicKey {
        let secp = secp256k1::Secp256k1::new();
        let key = secp256k1::SecretKey::from_slice(&[3; 32]).expect("valid key");
        secp256k1::PublicKey::from_secret_key(&secp, &key)
    }

    fn round_trip(event: Event) {
        let mut bytes = Vec::new();
        assert!(write_event(&event, &mut bytes));
        let mut r = Reader::new(&bytes);
        assert_eq!(read_event(&mut r).expect("decodes"), event);
        assert!(r.is_empty());
        for len in 0..bytes.len() {
            assert!(read_event(&mut Reader::new(&bytes[..len])).is_err());
        }
    }

    #[test]
    fn payment_events_of_the_multi_part_book_round_trip() {
        let path = Path {
            hops: alloc::vec![RouteHop {
                node_id: node(),
                short_channel_id: ShortChannelId(42),
                fee_msat: 1_000,
                cltv_expiry_delta: 40,
            }],
        };
        let reasons = [
            PaymentFailureReason::HopFailed {
                hop_index: 0,
                node_id: Some(node()),
                is_recipient: true,
                failure: Some(FailureMessage {
                    failure: crate::onion::Failure::MppTimeout,
                    tlv_stream: Vec::new(),
                }),
            },
            PaymentFailureReason::RouteNotFound,
            PaymentFailureReason::RetriesExhausted,
            PaymentFailureReason::InvoiceExpired,
        ];
        for (index, reason) in reasons.into_iter().enumerate() {
            round_trip(Event::PaymentPathFailed {
                payment_id: PaymentId([index as u8; 32]),
                payment_hash: PaymentHash([9; 32]),
                path: path.clone(),
                reason: reason.clone(),
                will_retry: index % 2 == 0,
            });
            round_trip(Event::PaymentFailed {
                payment_id: PaymentId([index as u8; 32]),
                payment_hash: PaymentHash([9; 32]),
                reason,
            });
        }
        round_trip(Event::PaymentForwarded {
            prev_channel_id: ChannelId([1; 32]),
            next_channel_id: ChannelId([2; 32]),
            fee_earned_msat: 1_003,
            outbound_amount_msat: 2_000_000,
        });
        round_trip(Event::PaymentReceiveFailed {
            payment_hash: PaymentHash([5; 32]),
            received_msat: 100_000,
        });
        round_trip(Event::ChannelClosed {
            channel_id: ChannelId([1; 32]),
            user_channel_id: 7,
            counterparty_node_id: node(),
            reason: ClosureReason::HtlcsTimedOut,
        });
    }
}
