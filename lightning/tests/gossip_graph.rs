//! The network graph's BOLT 7 checks: bad signatures, wrong chains, funding outputs,
//! out-of-order and early updates, node announcements, pruning, and storage round trips.

mod routing_support;

use std::time::Duration;

use lightning::bitcoin::secp256k1::Secp256k1;
use lightning::bitcoin::{Amount, Network, ScriptBuf, TxOut};
use lightning::routing::{GossipError, GraphReadError, NetworkGraph};
use lightning::wire::gossip::GossipSignatureError;
use lightning::wire::{ChainHash, ShortChannelId};
use routing_support::*;

const NOW: u64 = 1_700_000_000;

fn graph_with_channel(scid: u64) -> NetworkGraph {
    let mut graph = NetworkGraph::new(regtest());
    let ann = announcement(&keys(1), &keys(2), scid);
    graph
        .handle_channel_announcement(&Secp256k1::new(), &ann, None, NOW)
        .unwrap();
    graph
}

#[test]
fn each_bad_announcement_signature_is_rejected() {
    let secp = Secp256k1::new();
    let good = announcement(&keys(1), &keys(2), 7);
    let other = announcement(&keys(3), &keys(4), 7);
    let cases = [
        (GossipSignatureError::NodeSignature1, {
            let mut m = good.clone();
            m.node_signature_1 = other.node_signature_1;
            m
        }),
        (GossipSignatureError::NodeSignature2, {
            let mut m = good.clone();
            m.node_signature_2 = other.node_signature_2;
            m
        }),
        (GossipSignatureError::BitcoinSignature1, {
            let mut m = good.clone();
            m.bitcoin_signature_1 = other.bitcoin_signature_1;
            m
        }),
        (GossipSignatureError::BitcoinSignature2, {
            let mut m = good.clone();
            m.bitcoin_signature_2 = other.bitcoin_signature_2;
            m
        }),
    ];
    let mut graph = NetworkGraph::new(regtest());
    for (which, msg) in cases {
        assert_eq!(
            graph.handle_channel_announcement(&secp, &msg, None, NOW),
            Err(GossipError::BadSignature(which))
        );
        assert_eq!(graph.channel_count(), 0);
        assert_eq!(graph.node_count(), 0);
    }
    // A changed field breaks every signature.
    let mut tampered = good.clone();
    tampered.short_channel_id = ShortChannelId(8);
    assert!(matches!(
        graph.handle_channel_announcement(&secp, &tampered, None, NOW),
        Err(GossipError::BadSignature(_))
    ));
    graph
        .handle_channel_announcement(&secp, &good, None, NOW)
        .unwrap();
    assert_eq!(
        graph.handle_channel_announcement(&secp, &good, None, NOW),
        Err(GossipError::DuplicateChannel)
    );
    assert_eq!((graph.channel_count(), graph.node_count()), (1, 2));
}

#[test]
fn wrong_chain_and_node_order_are_rejected() {
    let secp = Secp256k1::new();
    let mut graph = NetworkGraph::new(ChainHash::using_genesis_block(Network::Bitcoin));
    let ann = announcement(&keys(1), &keys(2), 7);
    assert_eq!(
        graph.handle_channel_announcement(&secp, &ann, None, NOW),
        Err(GossipError::WrongChain)
    );
    let mut graph = NetworkGraph::new(regtest());
    let mut swapped = ann.clone();
    std::mem::swap(&mut swapped.node_id_1, &mut swapped.node_id_2);
    assert_eq!(
        graph.handle_channel_announcement(&secp, &swapped, None, NOW),
        Err(GossipError::InvalidNodeOrder)
    );
    let mut required = ann.clone();
    required.features.set_bit(100);
    assert_eq!(
        graph.handle_channel_announcement(&secp, &required, None, NOW),
        Err(GossipError::UnknownRequiredFeatures)
    );
    assert_eq!(graph.channel_count(), 0);
}

#[test]
fn the_funding_output_is_checked_through_the_utxo_lookup() {
    let secp = Secp256k1::new();
    let (a, b) = (keys(1), keys(2));
    let ann = announcement(&a, &b, 7);
    let mut graph = NetworkGraph::new(regtest());
    let mut utxos = Utxos::default();
    assert_eq!(
        graph.handle_channel_announcement(&secp, &ann, Some(&mut utxos), NOW),
        Err(GossipError::FundingOutputMissing)
    );
    utxos.0.insert(
        7,
        TxOut {
            value: Amount::from_sat(5_000),
            script_pubkey: ScriptBuf::new(),
        },
    );
    assert_eq!(
        graph.handle_channel_announcement(&secp, &ann, Some(&mut utxos), NOW),
        Err(GossipError::FundingScriptMismatch)
    );
    utxos.add(&a, &b, 7, 250_000);
    graph
        .handle_channel_announcement(&secp, &ann, Some(&mut utxos), NOW)
        .unwrap();
    assert_eq!(
        graph.channel(ShortChannelId(7)).unwrap().capacity_sat,
        Some(250_000)
    );
    // htlc_maximum_msat above the capacity is refused.
    let mut policy = Policy::fee(1, 1);
    policy.htlc_max = 250_000_001;
    let upd = update(&a, &b, 7, NOW as u32, policy);
    assert_eq!(
        graph.handle_channel_update(&secp, &upd, NOW),
        Err(GossipError::HtlcMaximumAboveCapacity)
    );
    policy.htlc_max = 250_000_000;
    let upd = update(&a, &b, 7, NOW as u32, policy);
    graph.handle_channel_update(&secp, &upd, NOW).unwrap();
}

#[test]
fn updates_before_the_announcement_are_ignored() {
    let secp = Secp256k1::new();
    let mut graph = NetworkGraph::new(regtest());
    let upd = update(&keys(1), &keys(2), 7, NOW as u32, Policy::fee(1, 1));
    assert_eq!(
        graph.handle_channel_update(&secp, &upd, NOW),
        Err(GossipError::UnknownChannel)
    );
    let ann = announcement(&keys(1), &keys(2), 7);
    graph
        .handle_channel_announcement(&secp, &ann, None, NOW)
        .unwrap();
    graph.handle_channel_update(&secp, &upd, NOW).unwrap();
}

#[test]
fn out_of_order_updates_keep_the_newest() {
    let secp = Secp256k1::new();
    let mut graph = graph_with_channel(7);
    let (a, b) = (keys(1), keys(2));
    let newer = update(&a, &b, 7, NOW as u32, Policy::fee(5, 5));
    let older = update(&a, &b, 7, NOW as u32 - 10, Policy::fee(9, 9));
    graph.handle_channel_update(&secp, &newer, NOW).unwrap();
    assert_eq!(
        graph.handle_channel_update(&secp, &older, NOW),
        Err(GossipError::Outdated)
    );
    assert_eq!(
        graph.handle_channel_update(&secp, &newer, NOW),
        Err(GossipError::Outdated)
    );
    let channel = graph.channel(ShortChannelId(7)).unwrap();
    let forward = if a.id == channel.node_one {
        channel.one_to_two
    } else {
        channel.two_to_one
    };
    assert_eq!(forward.unwrap().fees.base_msat, 5);
    // The other direction is independent.
    let back = update(&b, &a, 7, NOW as u32 - 10, Policy::fee(3, 3));
    graph.handle_channel_update(&secp, &back, NOW).unwrap();
    // The disable flag is honoured.
    let mut off = Policy::fee(5, 5);
    off.disabled = true;
    let disabled = update(&a, &b, 7, NOW as u32 + 1, off);
    graph.handle_channel_update(&secp, &disabled, NOW).unwrap();
    let channel = graph.channel(ShortChannelId(7)).unwrap();
    let forward = if a.id == channel.node_one {
        channel.one_to_two
    } else {
        channel.two_to_one
    };
    assert!(!forward.unwrap().enabled);
}

#[test]
fn bad_update_signatures_and_ranges_are_rejected() {
    let secp = Secp256k1::new();
    let mut graph = graph_with_channel(7);
    let (a, b, c) = (keys(1), keys(2), keys(3));
    // Signed by a stranger for a's direction.
    let mut forged = update(&c, &b, 7, NOW as u32, Policy::fee(1, 1));
    forged.channel_flags = update(&a, &b, 7, NOW as u32, Policy::fee(1, 1)).channel_flags;
    assert!(matches!(
        graph.handle_channel_update(&secp, &forged, NOW),
        Err(GossipError::BadSignature(_))
    ));
    let mut inverted = Policy::fee(1, 1);
    inverted.htlc_min = 10;
    inverted.htlc_max = 5;
    assert_eq!(
        graph.handle_channel_update(&secp, &update(&a, &b, 7, NOW as u32, inverted), NOW),
        Err(GossipError::InvalidHtlcRange)
    );
    let future = update(&a, &b, 7, NOW as u32 + 2 * 86_400, Policy::fee(1, 1));
    assert_eq!(
        graph.handle_channel_update(&secp, &future, NOW),
        Err(GossipError::TimestampInFuture)
    );
    let ancient = update(&a, &b, 7, NOW as u32 - 15 * 86_400, Policy::fee(1, 1));
    assert_eq!(
        graph.handle_channel_update(&secp, &ancient, NOW),
        Err(GossipError::TimestampTooOld)
    );
    let mut no_max = update(&a, &b, 7, NOW as u32, Policy::fee(1, 1));
    no_max.message_flags = 0;
    assert_eq!(
        graph.handle_channel_update(&secp, &no_max, NOW),
        Err(GossipError::MissingHtlcMaximum)
    );
    let channel = graph.channel(ShortChannelId(7)).unwrap();
    assert!(channel.one_to_two.is_none() && channel.two_to_one.is_none());
}

#[test]
fn node_announcements_need_a_channel_and_a_newer_timestamp() {
    let secp = Secp256k1::new();
    let mut graph = NetworkGraph::new(regtest());
    let first = node_announcement(&keys(1), 100, "alice");
    assert_eq!(
        graph.handle_node_announcement(&secp, &first),
        Err(GossipError::UnknownNode)
    );
    graph
        .handle_channel_announcement(&secp, &announcement(&keys(1), &keys(2), 7), None, NOW)
        .unwrap();
    graph.handle_node_announcement(&secp, &first).unwrap();
    let older = node_announcement(&keys(1), 99, "mallory");
    assert_eq!(
        graph.handle_node_announcement(&secp, &older),
        Err(GossipError::Outdated)
    );
    let mut forged = node_announcement(&keys(1), 101, "alice2");
    forged.alias[0] ^= 1;
    assert!(matches!(
        graph.handle_node_announcement(&secp, &forged),
        Err(GossipError::BadSignature(_))
    ));
    assert_eq!(
        graph.node_announcement(&keys(1).id).unwrap().alias_text(),
        Some("alice")
    );
    graph
        .handle_node_announcement(&secp, &node_announcement(&keys(1), 101, "alice2"))
        .unwrap();
    assert_eq!(graph.node_announcement(&keys(1).id).unwrap().timestamp, 101);
}

#[test]
fn stale_channels_are_pruned_by_their_older_side() {
    let secp = Secp256k1::new();
    let mut graph = NetworkGraph::new(regtest());
    let (a, b, c) = (keys(1), keys(2), keys(3));
    for (x, y, scid) in [(&a, &b, 1), (&b, &c, 2)] {
        graph
            .handle_channel_announcement(&secp, &announcement(x, y, scid), None, NOW)
            .unwrap();
    }
    let day = 86_400u64;
    // Channel 1: both sides update on day 10. Channel 2: one side on day 10, the other never.
    let t10 = NOW + 10 * day;
    for upd in [
        update(&a, &b, 1, t10 as u32, Policy::fee(1, 1)),
        update(&b, &a, 1, t10 as u32, Policy::fee(1, 1)),
        update(&b, &c, 2, t10 as u32, Policy::fee(1, 1)),
    ] {
        graph.handle_channel_update(&secp, &upd, t10).unwrap();
    }
    assert_eq!(graph.prune_stale_channels(NOW + 13 * day), 0);
    // Day 15: channel 2's silent side dates from day 0.
    assert_eq!(graph.prune_stale_channels(NOW + 15 * day), 1);
    assert!(graph.channel(ShortChannelId(2)).is_none());
    assert!(
        graph.node_channels(&c.id).is_none(),
        "node without channels is gone"
    );
    assert_eq!(graph.node_count(), 2);
    assert_eq!(graph.prune_stale_channels(NOW + 25 * day), 1);
    assert_eq!((graph.channel_count(), graph.node_count()), (0, 0));
    // Slots are reused.
    graph
        .handle_channel_announcement(&secp, &announcement(&a, &c, 3), None, NOW)
        .unwrap();
    assert_eq!(graph.node_channels(&a.id), Some(vec![ShortChannelId(3)]));
}

fn sample_graph() -> (GraphBuilder, Vec<u64>) {
    let mut b = GraphBuilder::new();
    let mut ids = Vec::new();
    for i in 0..30u32 {
        let scid = ShortChannelId::new(100 + i / 3, i, 0).unwrap().0;
        b.channel(
            i % 7,
            7 + i % 5,
            scid,
            1_000_000 + u64::from(i),
            Some(Policy::fee(i, 2 * i)),
            None,
        );
        ids.push(scid);
    }
    let secp = Secp256k1::new();
    for n in [0u32, 3, 8] {
        let ann = node_announcement(&keys(n), 1_000 + n, "node");
        b.graph.handle_node_announcement(&secp, &ann).unwrap();
    }
    b.graph.remove_channel(ShortChannelId(ids[4]));
    ids.remove(4);
    (b, ids)
}

#[test]
fn the_graph_round_trips_through_storage() {
    let (b, ids) = sample_graph();
    let bytes = b.graph.write();
    let read = NetworkGraph::read(&bytes).unwrap();
    assert_eq!(read.channel_count(), b.graph.channel_count());
    assert_eq!(read.node_count(), b.graph.node_count());
    assert_eq!(
        read.channel_ids().collect::<Vec<_>>(),
        b.graph.channel_ids().collect::<Vec<_>>()
    );
    for id in &ids {
        let id = ShortChannelId(*id);
        assert_eq!(read.channel(id), b.graph.channel(id));
        let ann = read.channel_announcement(id).unwrap();
        assert_eq!(Some(&ann), b.graph.channel_announcement(id).as_ref());
        ann.verify_signatures(&Secp256k1::new()).unwrap();
        assert_eq!(read.channel_update(id, 0), b.graph.channel_update(id, 0));
        assert_eq!(read.channel_update(id, 1), b.graph.channel_update(id, 1));
    }
    for n in 0..12 {
        assert_eq!(
            read.node_announcement(&keys(n).id),
            b.graph.node_announcement(&keys(n).id)
        );
    }
    // Same size; and once read back, the form is stable (node order follows channel order).
    let again = read.write();
    assert_eq!(again.len(), bytes.len());
    assert!(NetworkGraph::read(&again).unwrap().write() == again);
}

#[test]
fn rebuilt_updates_verify() {
    let (b, ids) = sample_graph();
    let secp = Secp256k1::new();
    for id in ids {
        let channel = b.graph.channel(ShortChannelId(id)).unwrap();
        for (direction, origin) in [(0, channel.node_one), (1, channel.node_two)] {
            if let Some(upd) = b.graph.channel_update(ShortChannelId(id), direction) {
                upd.verify_signature(&secp, &origin).unwrap();
            }
        }
    }
}

#[test]
fn a_graph_without_proofs_is_smaller_and_still_round_trips() {
    let secp = Secp256k1::new();
    let (full, _) = sample_graph();
    let mut lean = NetworkGraph::new_without_proofs(regtest());
    for id in full.graph.channel_ids() {
        let ann = full.graph.channel_announcement(id).unwrap();
        lean.handle_channel_announcement(&secp, &ann, None, NOW)
            .unwrap();
    }
    assert_eq!(lean.channel_count(), full.graph.channel_count());
    assert!(lean.memory_usage().total_bytes() < full.graph.memory_usage().total_bytes());
    assert_eq!(lean.memory_usage().proof_bytes, 0);
    assert!(lean
        .channel_announcement(full.graph.channel_ids().next().unwrap())
        .is_none());
    let read = NetworkGraph::read(&lean.write()).unwrap();
    assert!(!read.keeps_proofs());
    assert_eq!(read.channel_count(), lean.channel_count());
}

#[test]
fn bad_stored_bytes_are_refused() {
    let (b, _) = sample_graph();
    let bytes = b.graph.write();
    assert_eq!(
        NetworkGraph::read(b"hello").unwrap_err(),
        GraphReadError::NotAGraph
    );
    let mut newer = bytes.clone();
    newer[7] = 2;
    assert_eq!(
        NetworkGraph::read(&newer).unwrap_err(),
        GraphReadError::UnknownVersion(2)
    );
    for cut in [8, 20, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(NetworkGraph::read(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let _ = Duration::ZERO;
}

#[test]
fn features_and_excess_data_survive_storage_and_rebuilding() {
    let secp = Secp256k1::new();
    let (a, b) = (keys(1), keys(2));
    let ann = announcement_with(&a, &b, 7, &[9, 101], &[0xde, 0xad]);
    let upd = update_with(&a, &b, 7, NOW as u32, Policy::fee(1, 1), &[1, 2, 3]);
    let back = update(&b, &a, 7, NOW as u32, Policy::fee(2, 2));
    let mut graph = NetworkGraph::new(regtest());
    graph
        .handle_channel_announcement(&secp, &ann, None, NOW)
        .unwrap();
    graph.handle_channel_update(&secp, &upd, NOW).unwrap();
    graph.handle_channel_update(&secp, &back, NOW).unwrap();
    let read = NetworkGraph::read(&graph.write()).unwrap();
    for g in [&graph, &read] {
        assert_eq!(g.channel_announcement(ShortChannelId(7)), Some(ann.clone()));
        let rebuilt: Vec<_> = (0..2)
            .filter_map(|d| g.channel_update(ShortChannelId(7), d))
            .collect();
        assert!(rebuilt.contains(&upd) && rebuilt.contains(&back));
    }
    // A newer update without excess data replaces the stored excess.
    let plain = update(&a, &b, 7, NOW as u32 + 1, Policy::fee(1, 1));
    graph.handle_channel_update(&secp, &plain, NOW).unwrap();
    let direction = plain.direction();
    assert_eq!(
        graph.channel_update(ShortChannelId(7), direction),
        Some(plain)
    );
}
