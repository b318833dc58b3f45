//! Two `ChannelManager`s wired by an in-test loop: open, fund, confirm, pay both ways, a
//! refused payment decoded at the sender, and a cooperative close.

mod manager_support;

use lightning::manager::{
    ClosureReason, Event, PaymentFailureReason, PaymentId, PaymentSecret, RecipientOnionFields,
    SendError,
};
use lightning::onion::Failure;
use manager_support::*;

#[test]
fn open_pay_both_ways_and_close() {
    let (mut nodes, _chain, channel_id) = setup();
    // B must first hold more than its reserve (1% of the channel) before it can pay.
    for round in 0..3u8 {
        pay(
            &mut nodes,
            0,
            50_000_000 + u64::from(round),
            PaymentId([round; 32]),
        );
    }
    for round in 0..3u8 {
        pay(&mut nodes, 1, 7_000_000, PaymentId([100 + round; 32]));
    }
    let sent = 150_000_003 - 21_000_000;
    let a = &nodes[0].manager.list_channels()[0];
    assert_eq!(a.balance_msat, FUNDING_SATS * 1000 - sent);
    assert_eq!(a.pending_htlcs, 0);
    let b = &nodes[1].manager.list_channels()[0];
    assert_eq!(b.balance_msat, sent);

    let b_id = nodes[1].id;
    nodes[0]
        .manager
        .close_channel(channel_id, b_id)
        .expect("close");
    deliver(&mut nodes);
    for node in nodes.iter_mut() {
        let closed = events(node);
        assert!(
            matches!(closed.as_slice(), [Event::ChannelClosed { channel_id: id, reason: ClosureReason::CooperativeClosure, .. }] if *id == channel_id),
            "{closed:?}"
        );
    }
    let closing = nodes[0].manager.poll_broadcast().expect("closing tx");
    assert_eq!(closing.input.len(), 1);
    assert_eq!(closing.input[0].previous_output.vout, 1);
    assert!(nodes[0].manager.list_channels().is_empty());
    assert!(nodes[1].manager.list_channels().is_empty());
}

#[test]
fn duplicate_payment_id_is_refused() {
    let (mut nodes, _chain, _) = setup();
    let id = PaymentId([7; 32]);
    pay(&mut nodes, 0, 5_000, id);
    let (hash, secret) = nodes[1].manager.create_inbound_payment(None, 3600, START);
    let b = nodes[1].id;
    let err = nodes[0]
        .manager
        .send_payment_to_peer(
            b,
            5_000,
            40,
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
        )
        .unwrap_err();
    assert_eq!(err, SendError::DuplicatePayment);
    deliver(&mut nodes);
    assert!(events(&mut nodes[0]).is_empty());
}

#[test]
fn wrong_secret_fails_back_with_decoded_reason() {
    let (mut nodes, _chain, _) = setup();
    let (hash, _) = nodes[1]
        .manager
        .create_inbound_payment(Some(9_000), 3600, START);
    let b = nodes[1].id;
    let payment_id = PaymentId([3; 32]);
    nodes[0]
        .manager
        .send_payment_to_peer(
            b,
            9_000,
            40,
            hash,
            RecipientOnionFields::secret_only(PaymentSecret([0x55; 32])),
            payment_id,
        )
        .expect("send");
    deliver(&mut nodes);
    assert!(
        events(&mut nodes[1]).is_empty(),
        "nothing claimable at the recipient"
    );
    let failed = events(&mut nodes[0]);
    let [Event::PaymentFailed {
        payment_id: id,
        payment_hash,
        reason,
    }] = failed.as_slice()
    else {
        panic!("expected PaymentFailed, got {failed:?}");
    };
    assert_eq!(*id, payment_id);
    assert_eq!(*payment_hash, hash);
    let PaymentFailureReason::HopFailed {
        hop_index,
        is_recipient,
        node_id,
        ..
    } = reason
    else {
        panic!("expected HopFailed, got {reason:?}");
    };
    assert_eq!((*hop_index, *is_recipient, *node_id), (0, true, Some(b)));
    let height = nodes[1].manager.best_block().height;
    assert_eq!(
        reason.failure_message().map(|m| &m.failure),
        Some(&Failure::IncorrectOrUnknownPaymentDetails {
            htlc_msat: 9_000,
            height
        })
    );
    // The balance is back where it was.
    let a = &nodes[0].manager.list_channels()[0];
    assert_eq!(a.balance_msat, FUNDING_SATS * 1000);
    assert_eq!(a.pending_htlcs, 0);
    // The HTLC is resolved; a later payment still works.
    pay(&mut nodes, 0, 1_000, PaymentId([4; 32]));
}

#[test]
fn recipient_can_refuse_a_claimable_payment() {
    let (mut nodes, _chain, _) = setup();
    let (hash, secret) = nodes[1].manager.create_inbound_payment(None, 3600, START);
    let b = nodes[1].id;
    nodes[0]
        .manager
        .send_payment_to_peer(
            b,
            2_000,
            40,
            hash,
            RecipientOnionFields::secret_only(secret),
            PaymentId([5; 32]),
        )
        .expect("send");
    deliver(&mut nodes);
    assert!(matches!(
        events(&mut nodes[1]).as_slice(),
        [Event::PaymentClaimable { .. }]
    ));
    assert!(nodes[1].manager.fail_htlc_backwards(hash));
    deliver(&mut nodes);
    let failed = events(&mut nodes[0]);
    assert!(
        matches!(
            failed.as_slice(),
            [Event::PaymentFailed {
                reason: PaymentFailureReason::HopFailed {
                    is_recipient: true,
                    ..
                },
                ..
            }]
        ),
        "{failed:?}"
    );
}

#[test]
fn force_close_broadcasts_and_peer_error_closes() {
    let (mut nodes, _chain, channel_id) = setup();
    let b = nodes[1].id;
    nodes[0]
        .manager
        .force_close_channel(channel_id, b)
        .expect("force close");
    let commitment = nodes[0].manager.poll_broadcast().expect("commitment tx");
    assert_eq!(commitment.input[0].previous_output.vout, 1);
    assert!(matches!(
        events(&mut nodes[0]).as_slice(),
        [Event::ChannelClosed {
            reason: ClosureReason::HolderForceClosed,
            ..
        }]
    ));
    deliver(&mut nodes);
    let closed = events(&mut nodes[1]);
    assert!(
        matches!(
            closed.as_slice(),
            [Event::ChannelClosed {
                reason: ClosureReason::CounterpartyForceClosed { .. },
                ..
            }]
        ),
        "{closed:?}"
    );
    assert!(
        nodes[1].manager.poll_broadcast().is_some(),
        "the peer broadcasts its commitment"
    );
}
