//! Shared harness of the `force_close_*` tests: what a node reported of a payment (its events
//! stay, so that a test can count them again later), the preimage of a claimable payment, and
//! force closing a channel.
// Each test file uses a different part of the harness.
#![allow(dead_code)]

use lightning::bitcoin::{OutPoint, Transaction};
use lightning::manager::{Event, PaymentId};
use lightning::testkit::network::{Network, PendingPayment};
use lightning::wire::{ChannelId, PaymentPreimage};

/// The size of every channel these tests open.
pub const FUNDING_SAT: u64 = 1_000_000;

/// Two nodes, a channel opened by node 0, and a payment of `amount_msat` from node 0 to node 1
/// sent and delivered (the network ran until quiet; node 1 has not claimed it).
pub fn channel_with_payment_in_flight(amount_msat: u64) -> (Network, ChannelId, PendingPayment) {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    let pending = net.send_payment(0, 1, amount_msat).expect("send");
    net.run_until_quiet();
    (net, channel, pending)
}

/// How many of node `node`'s events `pick` selects (the events stay).
pub fn count(net: &Network, node: usize, pick: impl Fn(&Event) -> bool) -> usize {
    net.node(node)
        .events()
        .iter()
        .filter(|event| pick(event))
        .count()
}

/// The preimages of node `node`'s `PaymentSent` events of payment `id` (the events stay).
pub fn sent(net: &Network, node: usize, id: PaymentId) -> Vec<PaymentPreimage> {
    net.node(node)
        .events()
        .iter()
        .filter_map(|event| match event {
            Event::PaymentSent {
                payment_id,
                payment_preimage,
                ..
            } if *payment_id == id => Some(*payment_preimage),
            _ => None,
        })
        .collect()
}

/// How many `PaymentFailed` events of payment `id` node `node` has (the events stay).
pub fn failed(net: &Network, node: usize, id: PaymentId) -> usize {
    count(
        net,
        node,
        |event| matches!(event, Event::PaymentFailed { payment_id, .. } if *payment_id == id),
    )
}

/// Takes the `PaymentClaimable` events of node `node` and returns the preimage of the first
/// (the payment stays claimable).
pub fn claimable_preimage(net: &mut Network, node: usize) -> PaymentPreimage {
    net.node_mut(node)
        .take_events_where(|event| matches!(event, Event::PaymentClaimable { .. }))
        .iter()
        .find_map(|event| match event {
            Event::PaymentClaimable {
                payment_preimage, ..
            } => *payment_preimage,
            _ => None,
        })
        .unwrap_or_else(|| panic!("a payment is claimable at node {node}"))
}

/// Node `closer` force closes `channel` (its peer is `other`), then the network runs until
/// quiet.
pub fn force_close(net: &mut Network, closer: usize, other: usize, channel: ChannelId) {
    let peer = net.node(other).node_id();
    net.node_mut(closer)
        .manager_mut()
        .force_close_channel(channel, peer)
        .expect("force close");
    net.run_until_quiet();
}

/// [`force_close`], then the last transaction `closer` broadcast: its commitment.
pub fn force_close_commitment(
    net: &mut Network,
    closer: usize,
    other: usize,
    channel: ChannelId,
) -> Transaction {
    force_close(net, closer, other, channel);
    net.node(closer)
        .broadcasts()
        .last()
        .cloned()
        .expect("commitment broadcast")
}

/// The output of `commitment` worth `sat` (an HTLC).
pub fn output_worth(commitment: &Transaction, sat: u64) -> OutPoint {
    let vout = commitment
        .output
        .iter()
        .position(|output| output.value.to_sat() == sat)
        .expect("the HTLC is an output of the commitment");
    OutPoint::new(commitment.compute_txid(), vout as u32)
}

/// Mines `blocks` blocks, then checks that payment `id` of node 0 ended in exactly one
/// `PaymentSent` and no `PaymentFailed`, and that neither node's monitors refused an update.
/// Returns the preimage the payer learned.
pub fn mine_then_sent_once(net: &mut Network, blocks: u32, id: PaymentId) -> PaymentPreimage {
    for _ in 0..blocks {
        net.mine_blocks(1);
    }
    let preimages = sent(net, 0, id);
    assert_eq!(preimages.len(), 1, "PaymentSent once");
    assert_eq!(failed(net, 0, id), 0, "never PaymentFailed");
    for node in 0..2 {
        assert!(net.node(node).monitor_errors().is_empty(), "node {node}");
    }
    preimages[0]
}
