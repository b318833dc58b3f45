//! Two channels driven against each other: open, HTLCs both ways, update_fee, cooperative
//! close and force close.

mod channel_support;

use bitcoin::sighash::EcdsaSighashType;
use channel_support::*;
use lightning::channel::{ChannelEvent, ChannelPhase, CloseReason, HtlcFailReason};
use lightning_signer_api::tx::verify_p2wsh_signature;

fn fulfill(pair: &mut Pair, at_b: bool, htlc_id: u64, n: u8) {
    let node = if at_b { &mut pair.b } else { &mut pair.a };
    node.chan
        .fulfill_htlc(htlc_id, preimage(n))
        .expect("fulfill");
    node.chan.maybe_send_commitment().expect("commit");
    pair.run();
}

#[test]
fn open_pay_both_ways_and_close_cooperatively() {
    let mut pair = Pair::open(&Options::default());
    let a0 = pair.a.chan.balances();
    assert_eq!(a0.to_holder_msat, 700_000_000);
    assert_eq!(a0.to_counterparty_msat, 300_000_000);
    assert!(pair.a.updates[0].init().is_some());
    assert!(pair.b.updates[0].init().is_some());

    // a pays b 10_000 sat, b pays a 5_000 sat, in one commitment each way.
    let id_a = pair.send(true, 10_000_000, [1; 32]);
    let id_b = pair.send(false, 5_000_000, [2; 32]);
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.b.chan.maybe_send_commitment().unwrap();
    pair.run();
    pair.assert_agree();
    assert_eq!(pair.a.chan.balances().pending_htlcs, 2);
    let locked_b: Vec<_> = pair.b.take_events();
    assert!(locked_b.iter().any(|e| matches!(e, ChannelEvent::HtlcLockedIn { htlc_id, amount_msat: 10_000_000, .. } if *htlc_id == id_a)));
    let locked_a = pair.a.take_events();
    assert!(locked_a
        .iter()
        .any(|e| matches!(e, ChannelEvent::HtlcLockedIn { htlc_id, .. } if *htlc_id == id_b)));

    fulfill(&mut pair, true, id_a, 1);
    assert!(pair.a.take_events().contains(&ChannelEvent::HtlcFulfilled {
        htlc_id: id_a,
        preimage: preimage(1)
    }));
    pair.a.chan.fail_htlc(id_b, vec![7; 10]).unwrap();
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.run();
    assert!(pair.b.take_events().contains(&ChannelEvent::HtlcFailed {
        htlc_id: id_b,
        reason: HtlcFailReason::Onion(vec![7; 10])
    }));
    pair.assert_agree();
    let balances = pair.a.chan.balances();
    assert_eq!(balances.pending_htlcs, 0);
    assert_eq!(balances.to_holder_msat, 690_000_000);
    assert_eq!(balances.to_counterparty_msat, 310_000_000);

    // update_fee from the funder.
    pair.a.chan.update_fee(2_000).unwrap();
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.run();
    assert_eq!(
        pair.a.chan.commitment_numbers(),
        pair.b.chan.commitment_numbers()
    );

    // Cooperative close: outputs match the balances, the funder pays the fee.
    pair.a.chan.close(None, 1_000).unwrap();
    pair.run();
    let tx_a = closing_tx(&mut pair.a);
    let tx_b = closing_tx(&mut pair.b);
    assert_eq!(tx_a, tx_b);
    let fee: u64 = FUNDING_SATOSHIS - tx_a.output.iter().map(|o| o.value.to_sat()).sum::<u64>();
    let pays = |script: &bitcoin::ScriptBuf| {
        tx_a.output
            .iter()
            .find(|o| &o.script_pubkey == script)
            .map(|o| o.value.to_sat())
    };
    assert_eq!(pays(&pair.b.shutdown_script), Some(310_000));
    assert_eq!(pays(&pair.a.shutdown_script), Some(690_000 - fee));
    assert!(fee > 0);
    check_funding_witness(&pair, &tx_a);
    assert_eq!(pair.a.chan.phase(), ChannelPhase::Closed);
    assert_eq!(pair.b.chan.phase(), ChannelPhase::Closed);
}

fn closing_tx(node: &mut Node) -> bitcoin::Transaction {
    node.take_events()
        .into_iter()
        .find_map(|e| match e {
            ChannelEvent::Closed {
                reason: CloseReason::CooperativeClose,
                closing_tx,
            } => closing_tx,
            _ => None,
        })
        .expect("closed with a transaction")
}

/// Checks both signatures of a funding-spending transaction's witness.
fn check_funding_witness(pair: &Pair, tx: &bitcoin::Transaction) {
    let setup = pair.a.chan.setup().expect("funded");
    let params = &setup.parameters;
    let script = params.funding_witness_script();
    let witness: Vec<&[u8]> = tx.input[0].witness.iter().collect();
    assert_eq!(witness.len(), 4);
    assert_eq!(witness[3], script.as_bytes());
    let secp = bitcoin::secp256k1::Secp256k1::new();
    let mut keys = [
        params.holder.funding_pubkey,
        params.counterparty.funding_pubkey,
    ];
    keys.sort_by_key(|k| k.serialize());
    for (sig, key) in witness[1..3].iter().zip(keys.iter()) {
        let (last, der) = sig.split_last().expect("non-empty");
        assert_eq!(*last, EcdsaSighashType::All as u8);
        let sig = bitcoin::secp256k1::ecdsa::Signature::from_der(der).expect("DER");
        assert!(verify_p2wsh_signature(
            &secp,
            tx,
            0,
            &script,
            params.funding_satoshis,
            EcdsaSighashType::All,
            &sig,
            key
        ));
    }
}

#[test]
fn force_close_gives_a_fully_signed_commitment() {
    let mut pair = Pair::open(&Options::default());
    pair.send(true, 20_000_000, [3; 32]);
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.run();
    let tx = pair
        .a
        .chan
        .force_close()
        .expect("force close")
        .expect("signed");
    check_funding_witness(&pair, &tx);
    // Two balances and the HTLC.
    assert_eq!(tx.output.len(), 3);
    assert_eq!(pair.a.chan.phase(), ChannelPhase::Closed);
    assert!(pair.a.take_events().iter().any(|e| matches!(
        e,
        ChannelEvent::Closed {
            reason: CloseReason::HolderForceClosed,
            closing_tx: None
        }
    )));
    // The fundee can force close too, with its own commitment.
    let tx_b = pair
        .b
        .chan
        .force_close()
        .expect("force close")
        .expect("signed");
    assert_ne!(tx.compute_txid(), tx_b.compute_txid());
}

#[test]
fn anchors_channel_works_end_to_end() {
    let mut pair = Pair::open(&Options {
        anchors: true,
        ..Options::default()
    });
    let id = pair.send(false, 50_000_000, [4; 32]);
    pair.b.chan.maybe_send_commitment().unwrap();
    pair.run();
    fulfill(&mut pair, false, id, 4);
    pair.assert_agree();
    assert_eq!(pair.a.chan.balances().to_holder_msat, 750_000_000);
    let tx = pair.a.chan.force_close().unwrap().expect("signed");
    // Two balances and two anchors.
    assert_eq!(tx.output.len(), 4);
}
