//! A force close while the node's signer answers `Pending` (a hardware or remote signer that
//! is away): the channel closes all the same, nothing on it is failed early, and the monitor
//! broadcasts our commitment as soon as the signer answers. Exactly one `PaymentSent` or
//! `PaymentFailed` per payment, as for any force close.

mod force_close_support;

use force_close_support::{
    channel_with_payment_in_flight, claimable_preimage, count, failed, force_close,
    mine_then_sent_once, sent,
};
use lightning::bitcoin::{OutPoint, Transaction};
use lightning::manager::{ClosureReason, Event};
use lightning::testkit::network::{Network, PendingPayment};

const AMOUNT_MSAT: u64 = 50_000_000;

/// What node `node` broadcast that spends `funding`.
fn spends_funding(net: &Network, node: usize, funding: OutPoint) -> Vec<Transaction> {
    net.node(node)
        .broadcasts()
        .iter()
        .filter(|tx| {
            tx.input
                .iter()
                .any(|input| input.previous_output == funding)
        })
        .cloned()
        .collect()
}

/// Node 0 pays node 1; node 0's signer goes away; node 0 force closes. Returns the network,
/// the channel's funding outpoint and the payment, with the signer still away.
fn force_close_with_signer_away() -> (Network, OutPoint, PendingPayment) {
    let (mut net, channel, pending) = channel_with_payment_in_flight(AMOUNT_MSAT);
    let funding = net.node(0).manager().list_channels()[0]
        .funding_txo
        .expect("funded");
    net.drop_connection(0, 1);
    net.set_signer_pending(0, true);
    force_close(&mut net, 0, 1, channel);
    assert_eq!(
        count(&net, 0, |event| matches!(
            event,
            Event::ChannelClosed {
                channel_id,
                reason: ClosureReason::HolderForceClosed,
                ..
            } if *channel_id == channel
        )),
        1,
        "the channel is closed though our commitment is not signed yet"
    );
    assert!(
        net.node(0).manager().list_channels().is_empty(),
        "the manager let the channel go"
    );
    assert_eq!(
        failed(&net, 0, pending.payment_id),
        0,
        "the HTLC may still be claimed on chain: not failed at close"
    );
    assert!(
        spends_funding(&net, 0, funding).is_empty(),
        "nothing signed, nothing broadcast"
    );
    // Blocks come and go while the signer is away: still nothing to broadcast, no verdict.
    net.mine_blocks(3);
    assert!(spends_funding(&net, 0, funding).is_empty());
    assert_eq!(failed(&net, 0, pending.payment_id), 0);
    (net, funding, pending)
}

#[test]
fn the_commitment_goes_out_when_the_signer_answers_and_the_payee_claims_on_chain() {
    let (mut net, funding, pending) = force_close_with_signer_away();
    let preimage = claimable_preimage(&mut net, 1);
    net.set_signer_pending(0, false);
    let commitments = spends_funding(&net, 0, funding);
    assert_eq!(
        commitments.len(),
        1,
        "the monitor broadcasts our commitment as soon as it is signed"
    );
    net.mine_blocks(1);
    let commitment = commitments[0].compute_txid();
    assert_eq!(net.chain().tx_confirmations(&commitment), Some(1));
    net.node_mut(1)
        .manager_mut()
        .claim_funds(preimage)
        .expect("still claimable after the close");
    net.run_until_quiet();
    let learned = mine_then_sent_once(&mut net, 200, pending.payment_id);
    assert_eq!(
        learned, preimage,
        "the PaymentSent preimage, learned on chain"
    );
}

#[test]
fn an_unclaimed_payment_fails_once_after_the_signer_answers_and_the_timeout_is_final() {
    let (mut net, funding, pending) = force_close_with_signer_away();
    let _ = claimable_preimage(&mut net, 1);
    net.set_signer_pending(0, false);
    assert_eq!(spends_funding(&net, 0, funding).len(), 1);
    for _ in 0..400 {
        net.mine_blocks(1);
        assert!(failed(&net, 0, pending.payment_id) <= 1, "at most once");
    }
    assert_eq!(failed(&net, 0, pending.payment_id), 1, "failed once");
    assert!(sent(&net, 0, pending.payment_id).is_empty(), "never sent");
}
