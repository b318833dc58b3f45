//! The peer force closes while we are disconnected: our manager learns it from our monitor
//! (`MonitorEvent::FundingSpent`) once the commitment confirms, closes the channel with
//! `ClosureReason::CommitmentTxConfirmed` without broadcasting a commitment of its own, and an
//! HTLC we had in flight on it is still resolved exactly once by the monitor's verdict.

mod force_close_support;

use force_close_support::{channel_with_payment_in_flight, failed, force_close, sent, FUNDING_SAT};
use lightning::manager::{ClosureReason, Event};
use lightning::monitor::ANTI_REORG_DELAY;
use lightning::testkit::network::Network;
use lightning::wire::ChannelId;

const AMOUNT_MSAT: u64 = 40_000_000;

fn closures(net: &Network, node: usize, channel: ChannelId) -> Vec<ClosureReason> {
    net.node(node)
        .events()
        .iter()
        .filter_map(|event| match event {
            Event::ChannelClosed {
                channel_id, reason, ..
            } if *channel_id == channel => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

/// Node 1 force closes while node 0 is away; returns the channel and node 0's broadcasts
/// count before the close.
fn peer_closes_while_away(net: &mut Network) -> (ChannelId, usize) {
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, 100_000_000).expect("a first payment settles");
    net.drop_connection(0, 1);
    let before = net.node(0).broadcasts().len();
    force_close(net, 1, 0, channel);
    (channel, before)
}

#[test]
fn the_channel_closes_for_us_when_the_peers_commitment_confirms() {
    let mut net = Network::new(2);
    let (channel, broadcasts_before) = peer_closes_while_away(&mut net);
    assert!(
        net.node(0).channel(channel).is_some(),
        "nothing on chain yet: still open for node 0"
    );
    net.mine_blocks(1);
    assert_eq!(
        closures(&net, 0, channel),
        vec![ClosureReason::CommitmentTxConfirmed]
    );
    assert!(net.node(0).channel(channel).is_none());
    let funding = net.node(1).broadcasts()[0].input[0].previous_output;
    assert!(
        net.node(0).broadcasts()[broadcasts_before..]
            .iter()
            .all(|tx| tx
                .input
                .iter()
                .all(|input| input.previous_output != funding)),
        "node 0 broadcasts no commitment of its own over a spent funding"
    );
    // More blocks and a reconnection do not close it twice.
    net.mine_blocks(3);
    net.reconnect(0, 1);
    net.run_until_quiet();
    assert_eq!(closures(&net, 0, channel).len(), 1);
}

#[test]
fn an_htlc_in_flight_fails_once_after_its_timeout_is_final() {
    let (mut net, channel, pending) = channel_with_payment_in_flight(AMOUNT_MSAT);
    // Node 1 never claims; it force closes while node 0 is away.
    net.drop_connection(0, 1);
    force_close(&mut net, 1, 0, channel);
    net.mine_blocks(1);
    assert_eq!(
        closures(&net, 0, channel),
        vec![ClosureReason::CommitmentTxConfirmed]
    );
    assert_eq!(
        failed(&net, 0, pending.payment_id),
        0,
        "the HTLC is an output of the peer's commitment: it waits for the chain"
    );
    // Past the HTLC's expiry node 0's monitor times it out; the failure comes once final.
    let mut mined = 0;
    while failed(&net, 0, pending.payment_id) == 0 && mined < 400 {
        net.mine_blocks(1);
        mined += 1;
    }
    assert_eq!(failed(&net, 0, pending.payment_id), 1);
    net.mine_blocks(ANTI_REORG_DELAY * 2);
    assert_eq!(failed(&net, 0, pending.payment_id), 1);
    assert!(sent(&net, 0, pending.payment_id).is_empty());
}
