//! Tests of the testkit network itself: determinism, delivery control (one message, hold,
//! release, drop, inject), connections, time and chain sync.

use std::time::Duration;

use lightning::manager::{ClosureReason, Event};
use lightning::peer::DisconnectReason;
use lightning::signer_api::traits::EntropySource;
use lightning::testkit::network::{Network, NodeConfig, SeededEntropy};
use lightning::wire::{Message, Ping};

const FUNDING_SAT: u64 = 500_000;

#[test]
fn same_seeds_same_run() {
    let run = || {
        let mut net = Network::new(2);
        let channel = net.open_channel(0, 1, FUNDING_SAT, 1_000);
        let paid = net.pay(0, 1, 20_000_000).expect("pay");
        (
            channel,
            net.node(0).broadcasts().to_vec(),
            paid.payment_hash,
            net.chain().tip(),
        )
    };
    assert_eq!(run(), run());
    let mut other = Network::with_nodes(vec![NodeConfig::new([9; 32]), NodeConfig::new([8; 32])]);
    let mut first = Network::new(2);
    assert_ne!(other.node(0).node_id(), first.node(0).node_id());
    let a = other.open_channel(0, 1, FUNDING_SAT, 0);
    let b = first.open_channel(0, 1, FUNDING_SAT, 0);
    assert_ne!(a, b, "different seeds, different funding");
}

#[test]
fn seeded_entropy_is_deterministic_and_domain_separated() {
    let mut a = SeededEntropy::new([1; 32], b"x");
    let mut b = SeededEntropy::new([1; 32], b"x");
    let mut c = SeededEntropy::new([1; 32], b"y");
    let first = a.random_bytes();
    assert_eq!(first, b.random_bytes());
    assert_ne!(first, a.random_bytes(), "a counter moves");
    assert_ne!(first, c.random_bytes());
}

#[test]
fn one_message_at_a_time_and_holding() {
    let mut net = Network::new(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    let pending = net.send_payment(0, 1, 10_000_000).expect("send");
    net.collect_all();
    let queued: Vec<u16> = net
        .queued_messages(0, 1)
        .iter()
        .map(|m| m.msg_type())
        .collect();
    assert_eq!(queued, [128, 132], "update_add_htlc then commitment_signed");
    assert_eq!(net.next_message_type(0, 1), Some(128));
    let delivered = net.deliver_next(0, 1).expect("one message");
    assert!(matches!(delivered, Message::UpdateAddHtlc(_)));
    assert_eq!(net.queued_messages(0, 1).len(), 1, "only one crossed");
    assert!(
        net.queued_messages(1, 0).is_empty(),
        "an add alone gets no reply"
    );
    net.deliver_next(0, 1);
    assert_eq!(
        net.next_message_type(1, 0),
        Some(133),
        "revoke_and_ack comes back"
    );
    // Hold node 1's replies: run_until_quiet leaves them queued.
    net.hold(1, 0);
    assert!(net.is_held(1, 0));
    net.run_until_quiet();
    assert!(!net.queued_messages(1, 0).is_empty());
    assert!(
        net.node(1).events().is_empty(),
        "not locked in while node 0 waits"
    );
    net.release(1, 0);
    net.run_until_quiet();
    assert!(net.queued_messages(1, 0).is_empty());
    assert!(net.claim_payment(1, pending.payment_hash));
    net.run_until_quiet();
    assert_eq!(net.balance_msat(1, channel), Some(10_000_000));
    assert!(net
        .node(0)
        .events()
        .iter()
        .any(|e| matches!(e, Event::PaymentSent { .. })));
}

#[test]
fn dropped_messages_are_lost_and_connections_end_cleanly() {
    let mut net = Network::new(3);
    net.connect(0, 1);
    net.connect(2, 1);
    assert!(net.is_connected(1, 0) && net.is_connected(1, 2) && !net.is_connected(0, 2));
    let b = net.node(1).node_id();
    net.node_mut(0)
        .manager_mut()
        .open_channel(b, FUNDING_SAT, 0, 1, None)
        .expect("open");
    net.collect_all();
    assert_eq!(net.next_message_type(0, 1), Some(32), "open_channel");
    let taken = net.take_next_message(0, 1).expect("taken");
    assert!(matches!(taken, Message::OpenChannel(_)));
    net.run_until_quiet();
    assert!(net.node(1).channels().is_empty(), "node 1 never saw it");
    // Re-send it by hand, then drop the connection before funding: both forget the channel.
    net.inject_message(0, 1, taken);
    net.run_until_quiet();
    assert_eq!(net.node(1).channels().len(), 1);
    net.drop_connection(0, 1);
    assert!(!net.is_connected(0, 1));
    let dropped = net.disconnections().last().unwrap().clone();
    assert_eq!((dropped.by, dropped.peer, dropped.reason), (0, 1, None));
    assert!(net.node(0).channels().is_empty() && net.node(1).channels().is_empty());
    let closed = net.node_mut(0).take_events();
    assert!(
        matches!(
            closed.as_slice(),
            [
                Event::FundingGenerationReady { .. },
                Event::ChannelClosed {
                    reason: ClosureReason::DisconnectedBeforeFunding,
                    ..
                }
            ]
        ),
        "{closed:?}"
    );
    // Reconnect and open for real; the other connection was never disturbed.
    net.reconnect(0, 1);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    net.pay(0, 1, 1_000_000).expect("pay");
    assert!(net.is_connected(1, 2));
    net.disconnect(1, 2);
    let last = net.disconnections().last().unwrap();
    assert_eq!((last.by, last.peer), (1, 2));
    assert!(last.reason.is_some());
    assert!(net.node(0).channel(channel).unwrap().is_usable);
}

#[test]
fn pings_are_answered_as_time_passes() {
    let mut net = Network::new(2);
    net.connect(0, 1);
    for _ in 0..10 {
        net.advance_time(Duration::from_secs(30));
    }
    assert!(
        net.is_connected(0, 1),
        "pongs keep the connection alive: {:?}",
        net.disconnections()
    );
    assert_eq!(net.now().as_secs(), 1_700_000_300);
    // A ping injected by hand is answered by node 0's peer manager; the pong reaches node 1's
    // peer manager, which never sent that ping and drops the peer.
    net.inject_message(
        1,
        0,
        Message::Ping(Ping {
            num_pong_bytes: 4,
            ignored: vec![0; 8],
        }),
    );
    assert!(!net.is_connected(0, 1));
    let last = net.disconnections().last().expect("dropped");
    assert_eq!((last.by, last.peer), (1, 0));
    assert!(
        matches!(last.reason, Some(DisconnectReason::UnexpectedPong { .. })),
        "{last:?}"
    );
}

#[test]
fn reorg_of_the_funding_is_seen_by_the_nodes() {
    let mut net = Network::new(2);
    net.connect(0, 1);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    let funding = net.node(0).channel(channel).unwrap().funding_txo.unwrap();
    let confirmations = net.chain().tx_confirmations(&funding.txid).unwrap();
    assert!(confirmations >= 1);
    assert_eq!(
        net.node(0).manager().best_block(),
        net.chain().tip(),
        "nodes are synced to the tip"
    );
    net.chain_mut().reorg(1, 2);
    net.sync_chain();
    assert_eq!(net.node(1).manager().best_block(), net.chain().tip());
    assert!(net.chain().tx_confirmations(&funding.txid).is_some());
}
