//! Functional tests through the testkit network: a counterparty that breaks the protocol
//! (hand-made messages injected through its transport) gets an `error`, the victim closes
//! the channel safely (its commitment goes to the mempool and confirms), and nothing panics.

use lightning::bitcoin::secp256k1::{Message as SecpMessage, Secp256k1, SecretKey};
use lightning::bitcoin::Transaction;
use lightning::channel::CloseReason;
use lightning::manager::{ClosureReason, Event};
use lightning::monitor::ANTI_REORG_DELAY;
use lightning::testkit::network::{Network, PendingPayment};
use lightning::wire::{ChannelId, Message, UpdateFee, UpdateFulfillHtlc};

const FUNDING_SAT: u64 = 1_000_000;

fn two_funded_nodes() -> (Network, ChannelId) {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, 300_000_000).expect("setup payment");
    (net, channel)
}

/// A well-formed signature over the wrong message.
fn wrong_signature() -> lightning::bitcoin::secp256k1::ecdsa::Signature {
    let secp = Secp256k1::new();
    let key = SecretKey::from_slice(&[0x42; 32]).expect("valid key");
    secp.sign_ecdsa(&SecpMessage::from_digest([7; 32]), &key)
}

/// Takes messages from `from` to `to`, delivering them, until the next one matches `pick`;
/// returns it, removed from the queue.
fn intercept(net: &mut Network, from: usize, to: usize, pick: fn(&Message) -> bool) -> Message {
    for _ in 0..50 {
        net.collect_all();
        if net.next_message(from, to).is_some_and(pick) {
            return net.take_next_message(from, to).expect("peeked");
        }
        if net.deliver_next(from, to).is_none() && net.deliver_next(to, from).is_none() {
            break;
        }
    }
    panic!("no such message from node {from} to node {to}");
}

/// The checks after a violation by `offender` against `victim`: the victim reports a
/// protocol error with `reason`, broadcast its commitment (spending the funding output),
/// which confirms; the offender was told (`error`) and closed too; no channel is left.
fn assert_closed_safely(
    net: &mut Network,
    channel: ChannelId,
    victim: usize,
    offender: usize,
    reason: CloseReason,
) -> Transaction {
    let funding = net
        .node(victim)
        .channel(channel)
        .and_then(|c| c.funding_txo);
    net.run_until_quiet();
    assert_eq!(
        net.take_closures(victim, channel),
        vec![ClosureReason::ProtocolError(reason)],
        "victim node {victim}"
    );
    let offender_closures = net.take_closures(offender, channel);
    assert!(
        matches!(
            offender_closures.as_slice(),
            [ClosureReason::CounterpartyForceClosed { .. }]
        ),
        "the offender was told: {offender_closures:?}"
    );
    let commitment = net
        .node(victim)
        .broadcasts()
        .last()
        .cloned()
        .expect("the victim broadcast its commitment");
    let funding = funding.unwrap_or_else(|| commitment.input[0].previous_output);
    assert_eq!(commitment.input.len(), 1);
    assert_eq!(commitment.input[0].previous_output, funding);
    assert!(net.chain().mempool_contains(&commitment.compute_txid()));
    let mined = net.mine_blocks(1);
    assert!(
        mined.confirmed.contains(&commitment.compute_txid()),
        "the victim's commitment confirms: {mined:?}"
    );
    assert_eq!(
        net.chain().spending_txid(&funding),
        Some(commitment.compute_txid())
    );
    for node in 0..2 {
        assert!(
            net.node(node).channel(channel).is_none_or(|c| !c.is_usable),
            "node {node} still uses the channel"
        );
    }
    commitment
}

/// The payer's payment fails (its HTLC was on the closed channel, but in no commitment that
/// reached the chain) exactly once, and only once `commitment` is final: until then the
/// HTLC may still be claimed on chain.
fn assert_payment_failed(net: &mut Network, pay: &PendingPayment, commitment: &Transaction) {
    let is_failed = |event: &Event| matches!(event, Event::PaymentFailed { payment_id, .. } if *payment_id == pay.payment_id);
    let txid = commitment.compute_txid();
    while net.chain().tx_confirmations(&txid) < Some(ANTI_REORG_DELAY) {
        assert!(
            !net.node(pay.from).events().iter().any(is_failed),
            "failed before the commitment is final"
        );
        net.mine_blocks(1);
    }
    let failed = net.node_mut(pay.from).take_events_where(is_failed);
    assert_eq!(failed.len(), 1, "{:?}", net.node(pay.from).events());
}

#[test]
fn commitment_signed_with_a_bad_signature() {
    let (mut net, channel) = two_funded_nodes();
    let pay = net.send_payment(0, 1, 10_000_000).expect("send");
    let Message::CommitmentSigned(mut bad) = intercept(&mut net, 0, 1, |m| {
        matches!(m, Message::CommitmentSigned(_))
    }) else {
        unreachable!("picked a commitment_signed");
    };
    bad.signature = wrong_signature();
    net.inject_message(0, 1, Message::CommitmentSigned(bad));
    let commitment =
        assert_closed_safely(&mut net, channel, 1, 0, CloseReason::BadCommitmentSignature);
    assert_payment_failed(&mut net, &pay, &commitment);
}

#[test]
fn commitment_signed_with_a_bad_htlc_signature() {
    let (mut net, channel) = two_funded_nodes();
    net.send_payment(0, 1, 10_000_000).expect("send");
    let Message::CommitmentSigned(mut bad) = intercept(&mut net, 0, 1, |m| {
        matches!(m, Message::CommitmentSigned(_))
    }) else {
        unreachable!("picked a commitment_signed");
    };
    assert_eq!(bad.htlc_signatures.len(), 1);
    bad.htlc_signatures[0] = wrong_signature();
    net.inject_message(0, 1, Message::CommitmentSigned(bad));
    assert_closed_safely(&mut net, channel, 1, 0, CloseReason::BadCommitmentSignature);
}

#[test]
fn update_add_htlc_over_the_balance() {
    let (mut net, channel) = two_funded_nodes();
    net.send_payment(1, 0, 1_000_000).expect("send");
    let Message::UpdateAddHtlc(mut add) =
        intercept(&mut net, 1, 0, |m| matches!(m, Message::UpdateAddHtlc(_)))
    else {
        unreachable!("picked an update_add_htlc");
    };
    // Node 1 holds 300_000 sat; it offers 900_000.
    add.amount_msat = 900_000_000;
    net.inject_message(1, 0, Message::UpdateAddHtlc(add));
    let victim_reason = {
        net.run_until_quiet();
        net.node(0)
            .events()
            .iter()
            .find_map(|e| match e {
                Event::ChannelClosed {
                    reason: ClosureReason::ProtocolError(reason),
                    ..
                } => Some(reason.clone()),
                _ => None,
            })
            .expect("node 0 closed the channel")
    };
    assert!(
        matches!(
            victim_reason,
            CloseReason::InsufficientBalance | CloseReason::HtlcValueInFlightExceeded
        ),
        "{victim_reason:?}"
    );
    assert_closed_safely(&mut net, channel, 0, 1, victim_reason);
}

#[test]
fn update_add_htlc_with_a_skipped_id() {
    let (mut net, channel) = two_funded_nodes();
    net.send_payment(0, 1, 1_000_000).expect("send");
    let Message::UpdateAddHtlc(mut add) =
        intercept(&mut net, 0, 1, |m| matches!(m, Message::UpdateAddHtlc(_)))
    else {
        unreachable!("picked an update_add_htlc");
    };
    add.id += 5;
    net.inject_message(0, 1, Message::UpdateAddHtlc(add));
    assert_closed_safely(&mut net, channel, 1, 0, CloseReason::WrongHtlcId);
}

#[test]
fn update_fee_from_the_non_funder() {
    let (mut net, channel) = two_funded_nodes();
    net.inject_message(
        1,
        0,
        Message::UpdateFee(UpdateFee {
            channel_id: channel,
            feerate_per_kw: 5_000,
        }),
    );
    assert_closed_safely(&mut net, channel, 0, 1, CloseReason::UpdateFeeFromNonFunder);
}

#[test]
fn revoke_and_ack_with_a_bad_secret() {
    let (mut net, channel) = two_funded_nodes();
    let pay = net.send_payment(0, 1, 10_000_000).expect("send");
    let Message::RevokeAndAck(mut raa) =
        intercept(&mut net, 1, 0, |m| matches!(m, Message::RevokeAndAck(_)))
    else {
        unreachable!("picked a revoke_and_ack");
    };
    raa.per_commitment_secret[0] ^= 1;
    net.inject_message(1, 0, Message::RevokeAndAck(raa));
    let commitment =
        assert_closed_safely(&mut net, channel, 0, 1, CloseReason::BadRevocationSecret);
    assert_payment_failed(&mut net, &pay, &commitment);
}

#[test]
fn fulfill_with_a_wrong_preimage_or_unknown_htlc() {
    for (tamper, reason) in [
        (0u8, CloseReason::BadPreimage),
        (1u8, CloseReason::UnknownHtlc),
    ] {
        let (mut net, channel) = two_funded_nodes();
        let pay = net.send_payment(0, 1, 10_000_000).expect("send");
        net.run_until_quiet();
        assert!(net.claim_payment(1, pay.payment_hash));
        let Message::UpdateFulfillHtlc(fulfill) = intercept(&mut net, 1, 0, |m| {
            matches!(m, Message::UpdateFulfillHtlc(_))
        }) else {
            unreachable!("picked an update_fulfill_htlc");
        };
        let bad = match tamper {
            0 => UpdateFulfillHtlc {
                payment_preimage: lightning::wire::PaymentPreimage([9; 32]),
                ..fulfill
            },
            _ => UpdateFulfillHtlc {
                id: fulfill.id + 10,
                ..fulfill
            },
        };
        net.inject_message(1, 0, Message::UpdateFulfillHtlc(bad));
        assert_closed_safely(&mut net, channel, 0, 1, reason);
    }
}

#[test]
fn unknown_even_message_drops_the_connection_not_the_channel() {
    let (mut net, channel) = two_funded_nodes();
    net.inject_message(
        1,
        0,
        Message::Unknown {
            msg_type: 32_768,
            payload: vec![1, 2, 3],
        },
    );
    net.run_until_quiet();
    assert!(!net.is_connected(0, 1));
    let dropped = net.disconnections().last().expect("a disconnection");
    assert_eq!((dropped.by, dropped.peer), (0, 1));
    assert!(dropped.reason.is_some());
    // The channel is not closed, only the peer is gone; an odd unknown message would have
    // been ignored.
    for node in 0..2 {
        let details = net.node(node).channel(channel).expect("channel kept");
        assert!(!details.is_usable && !details.is_peer_connected);
        assert!(net.take_closures(node, channel).is_empty());
    }
    net.connect(0, 1);
    net.inject_message(
        1,
        0,
        Message::Unknown {
            msg_type: 32_769,
            payload: vec![1, 2, 3],
        },
    );
    net.run_until_quiet();
    assert!(net.is_connected(0, 1), "unknown odd messages are ignored");
}
