//! Anchor channels: a force close asks the wallet to bump the commitment through our anchor,
//! and each zero-fee HTLC transaction through its own bump event.

mod monitor_support;

use bitcoin::sighash::EcdsaSighashType;
use bitcoin::transaction::Version;
use bitcoin::{absolute::LockTime, Amount, ScriptBuf, Sequence, Transaction, TxIn, TxOut};
use lightning::monitor::{BumpTransaction, MonitorEvent};
use lightning_signer_api::traits::SignerReply;
use lightning_signer_api::tx::scripts::{anchor_witness_script, p2wsh};
use lightning_signer_api::tx::verify_p2wsh_signature;
use monitor_support::*;

#[test]
fn force_close_emits_bump_events_with_the_anchor() {
    let mut net = Net::open(true);
    net.a.online = false;
    let cltv = net.chain.height() + 40;
    let id = net.send(true, 50_000_000, [1; 32], cltv);
    net.send(false, 30_000_000, [2; 32], cltv);
    net.b.chan.fulfill_htlc(id, preimage(1)).unwrap();
    net.drop_messages();

    let commitment = net.b.chan.force_close().unwrap().expect("signed");
    net.collect();
    net.b.sync(&mut net.chain);
    let events = net.b.take_monitor_events();
    let bump = events
        .iter()
        .find_map(|e| match e {
            MonitorEvent::BumpTransaction(BumpTransaction::ChannelClose {
                commitment_tx,
                anchor_outpoint,
                anchor_value_satoshis,
                anchor_witness_script: script,
                commitment_fee_satoshis,
                ..
            }) => Some((
                commitment_tx.clone(),
                *anchor_outpoint,
                *anchor_value_satoshis,
                script.clone(),
                *commitment_fee_satoshis,
            )),
            _ => None,
        })
        .expect("bump event for the commitment");
    let (tx, anchor, value, script, fee) = bump;
    assert_eq!(tx, commitment);
    assert_eq!(anchor.txid, commitment.compute_txid());
    assert_eq!(value, 330);
    let funding_key = net.b.chan.setup().unwrap().holder_keys.funding_pubkey;
    assert_eq!(script, anchor_witness_script(&funding_key));
    let output = &commitment.output[anchor.vout as usize];
    assert_eq!(output.value.to_sat(), 330);
    assert_eq!(output.script_pubkey, p2wsh(&script));
    let outputs: u64 = commitment.output.iter().map(|o| o.value.to_sat()).sum();
    assert_eq!(fee, FUNDING_SATOSHIS - outputs);

    // The wallet's CPFP child: the monitor signs the anchor input, and the signature checks.
    let mut child = Transaction {
        version: Version::TWO,
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: anchor,
            script_sig: ScriptBuf::new(),
            sequence: Sequence::ENABLE_RBF_NO_LOCKTIME,
            witness: Default::default(),
        }],
        output: vec![TxOut {
            value: Amount::from_sat(0),
            script_pubkey: ScriptBuf::new_op_return([]),
        }],
    };
    let SignerReply::Ready(witness) = net.b.monitor().sign_anchor_input(&child, 0) else {
        panic!("in-memory signer is always ready");
    };
    let signature = bitcoin::ecdsa::Signature::from_slice(witness.nth(0).unwrap()).unwrap();
    assert!(verify_p2wsh_signature(
        &bitcoin::secp256k1::Secp256k1::new(),
        &child,
        0,
        &script,
        330,
        EcdsaSighashType::All,
        &signature.signature,
        &funding_key,
    ));
    child.input[0].witness = witness;

    // Once the commitment confirms, the HTLC-success (zero fee) gets its own bump event.
    net.chain.mine_blocks(1);
    net.b.sync(&mut net.chain);
    let events = net.b.take_monitor_events();
    let htlc_bumps: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            MonitorEvent::BumpTransaction(BumpTransaction::HtlcResolution {
                htlc_tx,
                htlc,
                ..
            }) => Some((htlc_tx.clone(), htlc.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(htlc_bumps.len(), 1, "only the success is ready: {events:?}");
    let (htlc_tx, htlc) = &htlc_bumps[0];
    assert_eq!(htlc.payment_hash, payment_hash([1; 32]).0);
    assert_eq!(
        htlc_tx.input[0].previous_output.txid,
        commitment.compute_txid()
    );
    assert_eq!(htlc_tx.input[0].sequence, Sequence(1));
    let spent = commitment.output[htlc_tx.input[0].previous_output.vout as usize].value;
    assert_eq!(htlc_tx.output[0].value, spent, "zero-fee HTLC transaction");
    assert!(net.chain.mempool_contains(&htlc_tx.compute_txid()));
}
