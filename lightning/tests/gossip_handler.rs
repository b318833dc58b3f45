//! The `GossipHandler` facing peers: floods are rate limited, invalid gossip gets a peer
//! ignored, an update for an unknown channel triggers a query, accepted gossip is relayed to
//! peers that asked for it, and random gossip never panics nor corrupts the graph.

mod routing_support;

use std::time::Duration;

use lightning::bitcoin::secp256k1::PublicKey;
use lightning::peer::{is_gossip_message, PeerMessageHandler};
use lightning::routing::gossip::GossipHandler;
use lightning::routing::{GossipConfig, NetworkGraph};
use lightning::wire::features::{Feature, InitFeatures};
use lightning::wire::gossip::GossipTimestampFilter;
use lightning::wire::{Init, Message, ShortChannelId};
use proptest::prelude::*;
use routing_support::*;

fn init(queries: bool) -> Init {
    let mut features = InitFeatures::empty();
    if queries {
        features.set_optional(Feature::GossipQueries);
    }
    Init {
        global_features: InitFeatures::empty(),
        features,
        networks: None,
        remote_addr: None,
        unknown_tlvs: Vec::new(),
    }
}

fn handler(config: GossipConfig) -> GossipHandler {
    GossipHandler::new(NetworkGraph::new(regtest()), config, T0)
}

fn drain(handler: &mut GossipHandler) -> Vec<(PublicKey, Message)> {
    std::iter::from_fn(|| handler.poll_message()).collect()
}

#[test]
fn the_handler_offers_gossip_queries_and_takes_only_gossip() {
    let h = handler(GossipConfig::default());
    assert!(h.provided_init_features().supports(Feature::GossipQueries));
    let ann = Message::ChannelAnnouncement(announcement(&keys(1), &keys(2), 5));
    assert!(is_gossip_message(&ann));
}

#[test]
fn an_unsolicited_flood_is_rate_limited_per_window() {
    let config = GossipConfig {
        max_unsolicited_per_window: 20,
        ..GossipConfig::default()
    };
    let mut h = handler(config);
    let flooder = keys(100).id;
    h.peer_connected(flooder, &init(false), true).unwrap();
    for i in 0..50u32 {
        let ann = announcement(&keys(i), &keys(i + 1), 1_000 + u64::from(i));
        h.handle_message(flooder, Message::ChannelAnnouncement(ann));
    }
    assert_eq!(h.graph().channel_count(), 20);
    assert_eq!(h.stats().dropped, 30);
    // Within the same window, still dropped.
    h.tick(T0 + Duration::from_secs(30));
    let ann = announcement(&keys(200), &keys(201), 5_000);
    h.handle_message(flooder, Message::ChannelAnnouncement(ann.clone()));
    assert_eq!(h.graph().channel_count(), 20);
    // A new window admits more.
    h.tick(T0 + Duration::from_secs(61));
    h.handle_message(flooder, Message::ChannelAnnouncement(ann));
    assert_eq!(h.graph().channel_count(), 21);
    // Another peer has its own budget.
    let other = keys(101).id;
    h.peer_connected(other, &init(false), true).unwrap();
    let ann = announcement(&keys(300), &keys(301), 6_000);
    h.handle_message(other, Message::ChannelAnnouncement(ann));
    assert_eq!(h.graph().channel_count(), 22);
}

#[test]
fn a_peer_sending_invalid_gossip_is_warned_then_ignored() {
    let config = GossipConfig {
        max_misbehaviour: 3,
        ..GossipConfig::default()
    };
    let mut h = handler(config);
    let liar = keys(100).id;
    h.peer_connected(liar, &init(false), true).unwrap();
    for i in 0..4u32 {
        let mut ann = announcement(&keys(i), &keys(i + 1), 1_000 + u64::from(i));
        ann.node_signature_1 = announcement(&keys(50), &keys(51), 1).node_signature_1;
        h.handle_message(liar, Message::ChannelAnnouncement(ann));
    }
    let sent = drain(&mut h);
    assert_eq!(sent.len(), 1);
    assert!(matches!(&sent[0], (peer, Message::Warning(_)) if *peer == liar));
    // Valid gossip from it is now ignored...
    let good = announcement(&keys(10), &keys(11), 77);
    h.handle_message(liar, Message::ChannelAnnouncement(good.clone()));
    assert_eq!(h.graph().channel_count(), 0);
    // ...but not from an honest peer, and a reconnect starts over.
    let honest = keys(101).id;
    h.peer_connected(honest, &init(false), true).unwrap();
    h.handle_message(honest, Message::ChannelAnnouncement(good));
    assert_eq!(h.graph().channel_count(), 1);
    h.peer_disconnected(liar);
    h.peer_connected(liar, &init(false), true).unwrap();
    h.handle_message(
        liar,
        Message::ChannelAnnouncement(announcement(&keys(12), &keys(13), 78)),
    );
    assert_eq!(h.graph().channel_count(), 2);
    // Messages from peers that are not connected are ignored.
    h.handle_message(
        keys(555).id,
        Message::ChannelAnnouncement(announcement(&keys(14), &keys(15), 79)),
    );
    assert_eq!(h.graph().channel_count(), 2);
}

#[test]
fn an_update_for_an_unknown_channel_is_ignored_and_queried() {
    let config = GossipConfig {
        sync_on_connect: false,
        ..GossipConfig::default()
    };
    let mut h = handler(config);
    let peer = keys(100).id;
    h.peer_connected(peer, &init(true), true).unwrap();
    drain(&mut h);
    let upd = update(
        &keys(1),
        &keys(2),
        42,
        T0.as_secs() as u32,
        Policy::fee(1, 1),
    );
    h.handle_message(peer, Message::ChannelUpdate(upd.clone()));
    assert!(h.graph().channel(ShortChannelId(42)).is_none());
    let sent = drain(&mut h);
    let [(to, Message::QueryShortChannelIds(query))] = sent.as_slice() else {
        panic!("expected one query, got {sent:?}");
    };
    assert_eq!(*to, peer);
    assert_eq!(query.short_channel_ids, vec![ShortChannelId(42)]);
    // The answer arrives: announcement, update, end.
    h.handle_message(
        peer,
        Message::ChannelAnnouncement(announcement(&keys(1), &keys(2), 42)),
    );
    h.handle_message(peer, Message::ChannelUpdate(upd));
    h.handle_message(
        peer,
        Message::ReplyShortChannelIdsEnd(lightning::wire::gossip::ReplyShortChannelIdsEnd {
            chain_hash: regtest(),
            full_information: 1,
        }),
    );
    let channel = h.graph().channel(ShortChannelId(42)).unwrap();
    assert!(channel.one_to_two.is_some() || channel.two_to_one.is_some());
    assert!(drain(&mut h).is_empty());
}

#[test]
fn accepted_gossip_is_relayed_to_peers_whose_filter_includes_it() {
    let mut h = handler(GossipConfig::default());
    let (source, listener, quiet) = (keys(100).id, keys(101).id, keys(102).id);
    for peer in [source, listener, quiet] {
        h.peer_connected(peer, &init(false), true).unwrap();
    }
    let filter = |first: u32| {
        Message::GossipTimestampFilter(GossipTimestampFilter {
            chain_hash: regtest(),
            first_timestamp: first,
            timestamp_range: u32::MAX,
        })
    };
    h.handle_message(listener, filter(T0.as_secs() as u32 - 100));
    h.handle_message(quiet, filter(u32::MAX));
    // The dumps of an empty graph are empty.
    assert!(h.poll_bulk_message(listener).is_none());
    h.handle_message(
        source,
        Message::ChannelAnnouncement(announcement(&keys(1), &keys(2), 9)),
    );
    let upd = update(
        &keys(1),
        &keys(2),
        9,
        T0.as_secs() as u32,
        Policy::fee(1, 1),
    );
    h.handle_message(source, Message::ChannelUpdate(upd.clone()));
    let relayed: Vec<Message> = std::iter::from_fn(|| h.poll_bulk_message(listener)).collect();
    assert_eq!(relayed.len(), 2);
    assert!(matches!(relayed[0], Message::ChannelAnnouncement(_)));
    assert_eq!(relayed[1], Message::ChannelUpdate(upd));
    assert!(h.poll_bulk_message(quiet).is_none());
    assert!(h.poll_bulk_message(source).is_none(), "not echoed back");
}

#[derive(Clone, Debug)]
enum Action {
    Announce {
        a: u32,
        b: u32,
        scid: u64,
        corrupt: u8,
    },
    Update {
        from: u32,
        to: u32,
        scid: u64,
        age: i64,
        base: u32,
        corrupt: u8,
    },
    Node {
        n: u32,
        timestamp: u32,
        corrupt: u8,
    },
    Tick(u64),
    Reconnect,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0u32..8, 0u32..8, 0u64..12, 0u8..6).prop_map(|(a, b, scid, corrupt)| Action::Announce {
            a,
            b,
            scid,
            corrupt
        }),
        (
            0u32..8,
            0u32..8,
            0u64..12,
            -2_000_000i64..200_000,
            any::<u32>(),
            0u8..6
        )
            .prop_map(|(from, to, scid, age, base, corrupt)| Action::Update {
                from,
                to,
                scid,
                age,
                base,
                corrupt
            }),
        (0u32..8, any::<u32>(), 0u8..6).prop_map(|(n, timestamp, corrupt)| Action::Node {
            n,
            timestamp,
            corrupt
        }),
        (0u64..100_000).prop_map(Action::Tick),
        Just(Action::Reconnect),
    ]
}

fn apply(h: &mut GossipHandler, peer: PublicKey, now: &mut Duration, action: Action) {
    match action {
        Action::Announce {
            a,
            b,
            scid,
            corrupt,
        } => {
            let mut msg = announcement(&keys(a), &keys(b), scid);
            match corrupt {
                0 => msg.short_channel_id = ShortChannelId(scid + 100),
                1 => msg.excess_data = vec![corrupt; 3],
                2 => std::mem::swap(&mut msg.node_id_1, &mut msg.node_id_2),
                _ => {}
            }
            h.handle_message(peer, Message::ChannelAnnouncement(msg));
        }
        Action::Update {
            from,
            to,
            scid,
            age,
            base,
            corrupt,
        } => {
            let timestamp = (now.as_secs() as i64 - age).clamp(0, u32::MAX as i64) as u32;
            let mut policy = Policy::fee(base, base / 7);
            policy.htlc_max = u64::from(base) * 1000;
            policy.htlc_min = u64::from(corrupt) * 1_000_000;
            let mut msg = update(&keys(from), &keys(to), scid, timestamp, policy);
            if corrupt == 0 {
                msg.fee_base_msat ^= 1;
            }
            h.handle_message(peer, Message::ChannelUpdate(msg));
        }
        Action::Node {
            n,
            timestamp,
            corrupt,
        } => {
            let mut msg = node_announcement(&keys(n), timestamp, "random");
            if corrupt == 0 {
                msg.rgb_color[0] ^= 1;
            }
            h.handle_message(peer, Message::NodeAnnouncement(msg));
        }
        Action::Tick(seconds) => {
            *now += Duration::from_secs(seconds);
            h.tick(*now);
        }
        Action::Reconnect => {
            h.peer_disconnected(peer);
            h.peer_connected(peer, &init(true), true).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_gossip_never_panics_and_keeps_the_graph_consistent(
        actions in proptest::collection::vec(action(), 1..60)
    ) {
        let mut h = handler(GossipConfig { max_unsolicited_per_window: 40, ..GossipConfig::default() });
        let peer = keys(1_000).id;
        h.peer_connected(peer, &init(true), true).unwrap();
        let mut now = T0;
        for action in actions {
            apply(&mut h, peer, &mut now, action);
            while h.poll_message().is_some() {}
            while h.poll_bulk_message(peer).is_some() {}
        }
        let graph = h.graph();
        let mut endpoint_count = 0;
        for id in graph.channel_ids() {
            let channel = graph.channel(id).expect("listed channels exist");
            prop_assert!(channel.node_one.serialize() < channel.node_two.serialize());
            for node in [channel.node_one, channel.node_two] {
                let channels = graph.node_channels(&node).expect("endpoints are known nodes");
                prop_assert!(channels.contains(&id));
            }
            endpoint_count += 2;
            for policy in [channel.one_to_two, channel.two_to_one].into_iter().flatten() {
                prop_assert!(policy.htlc_minimum_msat <= policy.htlc_maximum_msat);
            }
            let ann = graph.channel_announcement(id).expect("proofs kept");
            prop_assert!(ann.verify_signatures(&lightning::bitcoin::secp256k1::Secp256k1::new()).is_ok());
        }
        let _ = endpoint_count;
        let read = NetworkGraph::read(&graph.write()).expect("round trip");
        prop_assert_eq!(read.channel_count(), graph.channel_count());
        prop_assert_eq!(read.node_count(), graph.node_count());
        for id in graph.channel_ids() {
            prop_assert_eq!(read.channel(id), graph.channel(id));
        }
    }

    #[test]
    fn random_stored_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), keep in 0usize..8) {
        let mut input = b"LNGRAPH\x01".to_vec();
        input.extend_from_slice(&bytes[..bytes.len().min(keep * 50)]);
        let _ = NetworkGraph::read(&input);
        let _ = NetworkGraph::read(&bytes);
    }

    #[test]
    fn mutated_stored_graphs_never_panic(position in any::<prop::sample::Index>(), xor in 1u8..=255, cut in any::<prop::sample::Index>()) {
        let mut b = GraphBuilder::new();
        b.both(0, 1, 10, 1_000_000, Policy::fee(1, 1)).both(1, 2, 11, 1_000_000, Policy::fee(2, 2));
        let mut bytes = b.graph.write();
        let at = position.index(bytes.len());
        bytes[at] ^= xor;
        for input in [&bytes[..], &bytes[..cut.index(bytes.len())]] {
            if let Ok(graph) = NetworkGraph::read(input) {
                // Whatever was read is usable without panics.
                let _ = graph.write();
                for id in graph.channel_ids() {
                    let _ = graph.channel(id);
                    let _ = graph.channel_announcement(id);
                }
                let params = lightning::routing::RouteParameters::new(keys(2).id, 1_000, 18);
                let _ = lightning::routing::find_route(
                    &graph,
                    &lightning::routing::LiquidityScorer::default(),
                    &keys(0).id,
                    &params,
                    &[first_hop(1, 10, 1_000_000)],
                    &lightning::routing::InFlightHtlcs::new(),
                    T0,
                );
            }
        }
    }
}

#[test]
fn queries_for_another_chain_get_no_information() {
    let mut h = handler(GossipConfig::default());
    let peer = keys(100).id;
    h.peer_connected(peer, &init(false), true).unwrap();
    drain(&mut h);
    let mainnet =
        lightning::wire::ChainHash::using_genesis_block(lightning::bitcoin::Network::Bitcoin);
    let query = lightning::wire::gossip::QueryShortChannelIds {
        chain_hash: mainnet,
        short_channel_ids: vec![ShortChannelId(1)],
        query_flags: None,
        unknown_tlvs: Vec::new(),
    };
    h.handle_message(peer, Message::QueryShortChannelIds(query));
    let sent = drain(&mut h);
    let [(_, Message::ReplyShortChannelIdsEnd(end))] = sent.as_slice() else {
        panic!("expected an end marker, got {sent:?}");
    };
    assert_eq!(end.chain_hash, mainnet);
    assert!(!end.has_full_information());
    assert!(h.poll_bulk_message(peer).is_none());
}
