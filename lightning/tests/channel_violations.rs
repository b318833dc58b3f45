//! Protocol violations by the peer each produce `ChannelError::Close` (never a panic).

mod channel_support;

use channel_support::*;
use lightning::channel::{ApiError, ChannelConfig, ChannelError, CloseReason};
use lightning::wire::{Message, PaymentPreimage, UpdateAddHtlc, UpdateFee, UpdateFulfillHtlc};

fn add(pair: &Pair, id: u64, amount_msat: u64) -> UpdateAddHtlc {
    UpdateAddHtlc {
        channel_id: pair.a.chan.channel_id(),
        id,
        amount_msat,
        payment_hash: payment_hash([1; 32]),
        cltv_expiry: 600_000,
        onion_routing_packet: Box::new([0; 1366]),
        path_key: None,
        unknown_tlvs: Vec::new(),
    }
}

fn close_reason(result: Result<(), ChannelError>) -> CloseReason {
    match result {
        Err(ChannelError::Close(reason)) => reason,
        other => panic!("expected a close, got {other:?}"),
    }
}

#[test]
fn bad_commitment_signature_closes() {
    let mut pair = Pair::open(&Options::default());
    pair.send(true, 10_000_000, [1; 32]);
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.collect();
    let add = pair.a_to_b.pop_front().expect("add");
    deliver(&mut pair.b.chan, &add).unwrap();
    let Some(Message::CommitmentSigned(mut cs)) = pair.a_to_b.pop_front() else {
        panic!("commitment_signed expected");
    };
    // A valid signature, on something else.
    cs.signature = cs.htlc_signatures[0];
    assert_eq!(
        close_reason(pair.b.chan.handle_commitment_signed(&cs)),
        CloseReason::BadCommitmentSignature
    );
    cs.htlc_signatures.clear();
    assert!(matches!(
        pair.b.chan.handle_commitment_signed(&cs),
        Err(ChannelError::Close(_))
    ));
}

#[test]
fn wrong_htlc_signature_count_closes() {
    let mut pair = Pair::open(&Options::default());
    pair.send(true, 10_000_000, [1; 32]);
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.collect();
    let add = pair.a_to_b.pop_front().expect("add");
    deliver(&mut pair.b.chan, &add).unwrap();
    let Some(Message::CommitmentSigned(mut cs)) = pair.a_to_b.pop_front() else {
        panic!("commitment_signed expected");
    };
    cs.htlc_signatures.push(cs.signature);
    assert_eq!(
        close_reason(pair.b.chan.handle_commitment_signed(&cs)),
        CloseReason::WrongHtlcSignatureCount
    );
}

#[test]
fn htlc_limits_are_enforced_on_receipt() {
    let config_b = ChannelConfig {
        max_accepted_htlcs: 5,
        htlc_minimum_msat: 1_000,
        ..ChannelConfig::default()
    };
    let mut pair = Pair::open(&Options {
        config_b,
        ..Options::default()
    });
    assert_eq!(
        close_reason(pair.b.chan.handle_update_add_htlc(&add(&pair, 0, 500))),
        CloseReason::HtlcBelowMinimum
    );
    assert_eq!(
        close_reason(pair.b.chan.handle_update_add_htlc(&add(&pair, 3, 5_000))),
        CloseReason::WrongHtlcId
    );
    let mut timestamp = add(&pair, 0, 5_000);
    timestamp.cltv_expiry = 500_000_000;
    assert_eq!(
        close_reason(pair.b.chan.handle_update_add_htlc(&timestamp)),
        CloseReason::BadCltvExpiry
    );
    for id in 0..5 {
        pair.b
            .chan
            .handle_update_add_htlc(&add(&pair, id, 5_000))
            .unwrap();
    }
    assert_eq!(
        close_reason(pair.b.chan.handle_update_add_htlc(&add(&pair, 5, 5_000))),
        CloseReason::TooManyHtlcs
    );
    // Our own sends respect the same limit.
    for i in 0..5 {
        pair.send(true, 5_000, [i; 32]);
    }
    assert_eq!(
        pair.a
            .chan
            .send_htlc(5_000, payment_hash([9; 32]), 600_000, Box::new([0; 1366])),
        Err(ChannelError::Api(ApiError::TooManyHtlcs))
    );
}

#[test]
fn htlc_over_balance_closes() {
    let mut pair = Pair::open(&Options::default());
    // b has 300_000 sat and must keep a 10_000 sat reserve.
    assert_eq!(
        close_reason(
            pair.a
                .chan
                .handle_update_add_htlc(&add(&pair, 0, 295_000_000))
        ),
        CloseReason::InsufficientBalance
    );
    assert_eq!(
        close_reason(
            pair.a
                .chan
                .handle_update_add_htlc(&add(&pair, 0, 400_000_000))
        ),
        CloseReason::InsufficientBalance
    );
    pair.a
        .chan
        .handle_update_add_htlc(&add(&pair, 0, 280_000_000))
        .unwrap();
    assert_eq!(
        pair.b.chan.send_htlc(
            295_000_000,
            payment_hash([1; 32]),
            600_000,
            Box::new([0; 1366])
        ),
        Err(ChannelError::Api(ApiError::InsufficientBalance))
    );
}

#[test]
fn over_value_in_flight_closes() {
    let config_b = ChannelConfig {
        max_htlc_value_in_flight_percent: 5,
        ..ChannelConfig::default()
    };
    let mut pair = Pair::open(&Options {
        config_b,
        ..Options::default()
    });
    pair.b
        .chan
        .handle_update_add_htlc(&add(&pair, 0, 40_000_000))
        .unwrap();
    assert_eq!(
        close_reason(
            pair.b
                .chan
                .handle_update_add_htlc(&add(&pair, 1, 20_000_000))
        ),
        CloseReason::HtlcValueInFlightExceeded
    );
}

#[test]
fn update_fee_from_non_funder_closes() {
    let mut pair = Pair::open(&Options::default());
    let msg = UpdateFee {
        channel_id: pair.a.chan.channel_id(),
        feerate_per_kw: 2_000,
    };
    assert_eq!(
        close_reason(pair.a.chan.handle_update_fee(&msg)),
        CloseReason::UpdateFeeFromNonFunder
    );
    assert_eq!(
        pair.b.chan.update_fee(2_000),
        Err(ChannelError::Api(ApiError::NotFunder))
    );
    let absurd = UpdateFee {
        feerate_per_kw: 10_000_000,
        ..msg
    };
    assert_eq!(
        close_reason(pair.b.chan.handle_update_fee(&absurd)),
        CloseReason::UnreasonableFeerate
    );
}

#[test]
fn bad_revocation_secret_closes() {
    let mut pair = Pair::open(&Options::default());
    pair.send(true, 10_000_000, [1; 32]);
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.step(true); // add
    pair.step(true); // commitment_signed; b answers revoke_and_ack (+ commitment_signed)
    let Some(Message::RevokeAndAck(raa)) = pair.b_to_a.pop_front() else {
        panic!("revoke_and_ack expected");
    };
    let mut bad = raa.clone();
    bad.per_commitment_secret[0] ^= 1;
    assert_eq!(
        close_reason(pair.a.chan.handle_revoke_and_ack(&bad)),
        CloseReason::BadRevocationSecret
    );
    let mut invalid = raa.clone();
    invalid.per_commitment_secret = [0xff; 32];
    assert_eq!(
        close_reason(pair.a.chan.handle_revoke_and_ack(&invalid)),
        CloseReason::BadRevocationSecret
    );
    // The genuine one is still accepted, and a repeat is out of order.
    pair.a.chan.handle_revoke_and_ack(&raa).unwrap();
    assert_eq!(
        close_reason(pair.a.chan.handle_revoke_and_ack(&raa)),
        CloseReason::ProtocolOrder
    );
}

#[test]
fn bad_fulfills_close() {
    let mut pair = Pair::open(&Options::default());
    let id = pair.send(true, 10_000_000, [1; 32]);
    let channel_id = pair.a.chan.channel_id();
    let fulfill = |id, preimage| UpdateFulfillHtlc {
        channel_id,
        id,
        payment_preimage: PaymentPreimage(preimage),
        attribution_data: None,
        unknown_tlvs: Vec::new(),
    };
    // Not committed yet.
    assert_eq!(
        close_reason(
            pair.a
                .chan
                .handle_update_fulfill_htlc(&fulfill(id, [1; 32]))
        ),
        CloseReason::UnknownHtlc
    );
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.run();
    assert_eq!(
        close_reason(
            pair.a
                .chan
                .handle_update_fulfill_htlc(&fulfill(id, [2; 32]))
        ),
        CloseReason::BadPreimage
    );
    assert_eq!(
        close_reason(
            pair.a
                .chan
                .handle_update_fulfill_htlc(&fulfill(id + 1, [1; 32]))
        ),
        CloseReason::UnknownHtlc
    );
    pair.a
        .chan
        .handle_update_fulfill_htlc(&fulfill(id, [1; 32]))
        .unwrap();
    // A second removal of the same HTLC.
    assert_eq!(
        close_reason(
            pair.a
                .chan
                .handle_update_fulfill_htlc(&fulfill(id, [1; 32]))
        ),
        CloseReason::UnknownHtlc
    );
}

#[test]
fn add_after_shutdown_closes() {
    let mut pair = Pair::open(&Options::default());
    pair.b.chan.close(None, 1_000).unwrap();
    pair.step(false);
    assert_eq!(
        close_reason(pair.a.chan.handle_update_add_htlc(&add(&pair, 0, 5_000))),
        CloseReason::AddAfterShutdown
    );
}
