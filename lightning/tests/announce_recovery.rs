//! Announcements survive what goes wrong on the way: a forged `announcement_signatures`
//! (warned about, never a panic), a disconnection before the peer's signatures arrive
//! (BOLT 2/7 retransmission on reconnect) and a restart of the managers in the middle.

mod announce_support;

use announce_support::*;
use lightning::bitcoin::secp256k1::{Message as SecpMessage, Secp256k1, SecretKey};
use lightning::manager::ANNOUNCEMENT_DEPTH;
use lightning::testkit::network::Network;
use lightning::wire::gossip::AnnouncementSignatures;
use lightning::wire::{ChannelId, Message};

/// A network of three public nodes (node 2 watching node 1) with a channel 0-1 at five
/// confirmations.
fn almost_announced() -> (Network, ChannelId) {
    let mut net = public_network(3);
    net.connect(2, 1);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH - 1);
    (net, channel)
}

fn forged(channel: ChannelId, net: &Network) -> AnnouncementSignatures {
    let secp = Secp256k1::signing_only();
    let key = SecretKey::from_slice(&[0x42; 32]).unwrap();
    let signature = secp.sign_ecdsa(&SecpMessage::from_digest([7; 32]), &key);
    AnnouncementSignatures {
        channel_id: channel,
        short_channel_id: scid(net, channel),
        node_signature: signature,
        bitcoin_signature: signature,
    }
}

/// After a reconnection every node has everything: the channel, both updates and both
/// node announcements (node 1's `node_announcement` lost with the dropped connection comes
/// back in the gossip handler's timestamp-filter dump at the reconnection).
fn assert_graphs_after_reconnect(net: &Network, id: lightning::wire::ShortChannelId) {
    for node in 0..3 {
        assert!(graph_has_full_channel(net, node, id, 0, 1), "node {node}");
        let channel = net.node(node).graph().channel(id).expect("checked above");
        assert!(channel.one_to_two.is_some_and(|p| p.enabled), "node {node}");
        assert!(channel.two_to_one.is_some_and(|p| p.enabled), "node {node}");
    }
}

fn warnings_queued(net: &Network, from: usize, to: usize) -> usize {
    net.queued_messages(from, to)
        .into_iter()
        .filter(|m| matches!(m, Message::Warning(_)))
        .count()
}

#[test]
fn a_forged_announcement_signatures_is_warned_about_and_the_honest_one_still_works() {
    let (mut net, channel) = almost_announced();
    let id = scid(&net, channel);
    // Node 1's honest signatures wait; the forged ones arrive first.
    net.hold(1, 0);
    net.hold(0, 1);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH);
    net.inject_message(1, 0, Message::AnnouncementSignatures(forged(channel, &net)));
    assert_eq!(
        warnings_queued(&net, 0, 1),
        1,
        "{:?}",
        net.queued_messages(0, 1)
    );
    assert!(!details(&net, 0, channel).is_announced);
    assert_eq!(net.node(0).graph().channel_count(), 0);
    // A wrong short_channel_id is refused the same way.
    let mut wrong = forged(channel, &net);
    wrong.short_channel_id = lightning::wire::ShortChannelId(wrong.short_channel_id.0 + 1);
    net.inject_message(1, 0, Message::AnnouncementSignatures(wrong));
    assert_eq!(warnings_queued(&net, 0, 1), 2);

    net.release(1, 0);
    net.release(0, 1);
    net.run_until_quiet();
    for node in 0..3 {
        assert!(graph_has_full_channel(&net, node, id, 0, 1), "node {node}");
    }
    assert!(
        details(&net, 0, channel).is_usable,
        "the channel stayed open"
    );
    assert!(net.disconnections().is_empty());
}

#[test]
fn a_forged_announcement_signatures_before_our_depth_is_checked_when_we_get_there() {
    let (mut net, channel) = almost_announced();
    let id = scid(&net, channel);
    // Early (at five confirmations) forged signatures are kept, as BOLT 7 says to defer.
    net.inject_message(1, 0, Message::AnnouncementSignatures(forged(channel, &net)));
    assert_eq!(warnings_queued(&net, 0, 1), 0);
    net.hold(1, 0);
    net.hold(0, 1);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH);
    assert_eq!(
        warnings_queued(&net, 0, 1),
        1,
        "checked at six confirmations"
    );
    assert!(!details(&net, 0, channel).is_announced);
    net.release(1, 0);
    net.release(0, 1);
    net.run_until_quiet();
    assert!(details(&net, 0, channel).is_announced);
    assert!(graph_has_full_channel(&net, 2, id, 0, 1));
}

#[test]
fn announcement_signatures_for_unknown_or_private_channels_get_a_warning() {
    let configs = vec![node_config(0, false), node_config(1, false)];
    let mut net = Network::with_nodes(configs);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH);
    net.hold(0, 1);
    net.inject_message(1, 0, Message::AnnouncementSignatures(forged(channel, &net)));
    let mut unknown = forged(channel, &net);
    unknown.channel_id = ChannelId([9; 32]);
    net.inject_message(1, 0, Message::AnnouncementSignatures(unknown));
    assert_eq!(warnings_queued(&net, 0, 1), 2);
    net.release(0, 1);
    net.run_until_quiet();
    assert!(details(&net, 0, channel).is_usable);
}

#[test]
fn a_disconnection_before_the_peers_signatures_is_repaired_on_reconnect() {
    let (mut net, channel) = almost_announced();
    let id = scid(&net, channel);
    net.hold(1, 0);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH);
    assert!(
        details(&net, 1, channel).is_announced,
        "node 1 has both signatures"
    );
    assert!(!details(&net, 0, channel).is_announced, "node 1's are held");
    net.drop_connection(0, 1);
    net.release(1, 0);
    net.connect(0, 1);
    net.run_until_quiet();
    assert!(details(&net, 0, channel).is_announced);
    assert_graphs_after_reconnect(&net, id);
}

#[test]
fn a_restart_in_the_middle_of_the_announcement_keeps_working() {
    let (mut net, channel) = almost_announced();
    let id = scid(&net, channel);
    net.hold(1, 0);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH);
    assert!(details(&net, 1, channel).is_announced);
    assert!(!details(&net, 0, channel).is_announced);
    net.drop_connection(0, 1);
    net.drop_connection(2, 1);
    net.release(1, 0);
    let saved = [
        net.node(0).manager().encode(),
        net.node(1).manager().encode(),
    ];
    // The new record reads back as it was written.
    for (node, bytes) in saved.iter().enumerate() {
        restore_manager(&mut net, node, bytes);
        assert_eq!(&net.node(node).manager().encode(), bytes, "node {node}");
    }
    assert!(details(&net, 1, channel).is_announced);
    assert!(!details(&net, 0, channel).is_announced);
    net.sync_chain();
    net.connect(0, 1);
    net.connect(2, 1);
    net.run_until_quiet();
    assert!(details(&net, 0, channel).is_announced);
    assert!(details(&net, 0, channel).is_usable);
    assert_graphs_after_reconnect(&net, id);
}

/// The manager's TLV stream without record `drop_type` (as a version without it wrote).
fn without_record(bytes: &[u8], drop_type: u64) -> Vec<u8> {
    fn bigsize(bytes: &[u8], at: &mut usize) -> u64 {
        let first = bytes[*at];
        *at += 1;
        let width = match first {
            0xfd => 2,
            0xfe => 4,
            0xff => 8,
            small => return u64::from(small),
        };
        let mut value = 0u64;
        for byte in &bytes[*at..*at + width] {
            value = (value << 8) | u64::from(*byte);
        }
        *at += width;
        value
    }
    let mut out = vec![bytes[0]];
    let mut at = 1;
    while at < bytes.len() {
        let start = at;
        let record_type = bigsize(bytes, &mut at);
        let length = bigsize(bytes, &mut at) as usize;
        at += length;
        if record_type != drop_type {
            out.extend_from_slice(&bytes[start..at]);
        }
    }
    out
}

#[test]
fn a_manager_saved_without_the_announcement_record_still_reads_and_announces_again() {
    let mut net = public_network(2);
    let channel = net.open_channel(0, 1, FUNDING_SAT, 0);
    mine_to_depth(&mut net, channel, ANNOUNCEMENT_DEPTH);
    let id = scid(&net, channel);
    assert!(details(&net, 0, channel).is_announced);
    let saved = net.node(0).manager().encode();
    let old = without_record(&saved, 15);
    assert!(old.len() < saved.len(), "the record was there");
    net.drop_connection(0, 1);
    restore_manager(&mut net, 0, &old);
    assert!(!details(&net, 0, channel).is_announced);
    net.sync_chain();
    net.connect(0, 1);
    net.run_until_quiet();
    // Node 1 answers node 0's signatures with its own: node 0 completes again.
    assert!(details(&net, 0, channel).is_announced);
    assert!(graph_has_full_channel(&net, 0, id, 0, 1));
}
