//! A mainnet-size synthetic graph (60,000 channels, 15,000 nodes, 12,000 node announcements):
//! prints its memory use per channel (with and without gossip proofs), its stored size, the
//! time to read it back and to find routes over it, and checks the sizes stay compact.
//!
//! The graph is written directly in the stored format (documented in
//! `lightning::routing::graph`), since signing 60,000 announcements would take minutes; reading
//! it back goes through the public `NetworkGraph::read`.
//!
//! Run with `cargo test -p lightning --test routing_graph_size -- --nocapture` to see figures.

mod routing_support;

use std::time::Instant;

use lightning::bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning::routing::{
    find_route, FirstHop, InFlightHtlcs, LiquidityScorer, NetworkGraph, RouteParameters,
};
use lightning::wire::features::NodeFeatures;
use lightning::wire::gossip::NodeAnnouncement;
use lightning::wire::{BigSize, Encode, ShortChannelId};
use routing_support::*;

const CHANNELS: usize = 60_000;
const NODES: usize = 15_000;
const ANNOUNCED_NODES: usize = 12_000;

/// A small deterministic generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn tlv(out: &mut Vec<u8>, record_type: u64, value: &[u8]) {
    BigSize(record_type).encode(out);
    BigSize(value.len() as u64).encode(out);
    out.extend_from_slice(value);
}

/// A channel: the indices of its two nodes (ordered) and its short id.
type Edge = (usize, usize, u64);

fn synthetic_graph(with_proofs: bool) -> (Vec<u8>, Vec<PublicKey>, Vec<Edge>) {
    let secp = Secp256k1::new();
    let mut keys: Vec<PublicKey> = (0..NODES)
        .map(|i| {
            let mut secret = [0x42u8; 32];
            secret[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
            PublicKey::from_secret_key(&secp, &SecretKey::from_slice(&secret).unwrap())
        })
        .collect();
    keys.sort_by_key(|key| key.serialize());
    let signature = {
        let ann = node_announcement(&routing_support::keys(1), 1, "x");
        ann.signature
    };
    let now = T0.as_secs() as u32;
    // Nodes: key, then an announcement for the first ANNOUNCED_NODES.
    let mut nodes = (NODES as u32).to_be_bytes().to_vec();
    for (index, key) in keys.iter().enumerate() {
        nodes.extend_from_slice(&key.serialize());
        if index < ANNOUNCED_NODES {
            let mut alias = [0u8; 32];
            alias[..9].copy_from_slice(b"node-name");
            let ann = NodeAnnouncement {
                signature,
                features: NodeFeatures::empty(),
                timestamp: now,
                node_id: *key,
                rgb_color: [1, 2, 3],
                alias,
                addresses: Vec::new(),
                unparsed_addresses: vec![1, 127, 0, 0, 1, 0x26, 0x07],
                excess_data: Vec::new(),
            };
            let bytes = ann.encode_to_vec();
            (bytes.len() as u16).encode(&mut nodes);
            nodes.extend_from_slice(&bytes);
        } else {
            0u16.encode(&mut nodes);
        }
    }
    // Channels: a skewed random topology (low indices are hubs).
    let mut rng = Lcg(7);
    let mut pairs = std::collections::HashSet::new();
    let mut edges = Vec::new();
    while edges.len() < CHANNELS {
        let a = (rng.below(NODES as u64) * rng.below(NODES as u64) / NODES as u64) as usize;
        let b = rng.below(NODES as u64) as usize;
        if a == b || !pairs.insert((a.min(b), a.max(b))) {
            continue;
        }
        let i = edges.len() as u32;
        let scid = ShortChannelId::new(600_000 + i / 8, i % 8, 0).unwrap().0;
        edges.push((a.min(b), a.max(b), scid));
    }
    let mut channels = (CHANNELS as u32).to_be_bytes().to_vec();
    for (one, two, scid) in &edges {
        let capacity_sat = 100_000 + rng.below(10_000_000);
        scid.encode(&mut channels);
        (*one as u32).encode(&mut channels);
        (*two as u32).encode(&mut channels);
        now.encode(&mut channels);
        capacity_sat.encode(&mut channels);
        channels.push(if with_proofs { 7 } else { 3 });
        for _ in 0..2 {
            (rng.below(2_000) as u32).encode(&mut channels); // base fee
            (rng.below(3_000) as u32).encode(&mut channels); // ppm
            1_000u64.encode(&mut channels); // htlc_minimum_msat
            (capacity_sat * 1000 / 2).encode(&mut channels); // htlc_maximum_msat
            now.encode(&mut channels);
            (40 + rng.below(100) as u16).encode(&mut channels);
            channels.push(1);
        }
        if with_proofs {
            for _ in 0..4 {
                signature.encode(&mut channels);
            }
            channels.extend_from_slice(&keys[*one].serialize());
            channels.extend_from_slice(&keys[*two].serialize());
            0u16.encode(&mut channels); // features
            0u16.encode(&mut channels); // excess data
            for direction in 0..2u8 {
                channels.push(1);
                signature.encode(&mut channels);
                channels.push(1); // message_flags: must_be_one
                channels.push(direction);
                0u16.encode(&mut channels);
            }
        }
    }
    let mut out = b"LNGRAPH\x01".to_vec();
    tlv(&mut out, 0, &regtest().encode_to_vec());
    tlv(&mut out, 2, &[u8::from(with_proofs)]);
    tlv(&mut out, 4, &nodes);
    tlv(&mut out, 6, &channels);
    (out, keys, edges)
}

fn measure(with_proofs: bool) -> usize {
    let (bytes, keys, edges) = synthetic_graph(with_proofs);
    let started = Instant::now();
    let graph = NetworkGraph::read(&bytes).expect("synthetic graph reads");
    let read_time = started.elapsed();
    assert_eq!(graph.channel_count(), CHANNELS);
    let usage = graph.memory_usage();
    let label = if with_proofs {
        "with proofs"
    } else {
        "without proofs"
    };
    println!(
        "graph {label}: {} channels, {} nodes; {} bytes/channel in memory \
         (channels {} B, nodes {} B, proofs {} B); stored {} bytes ({} B/channel); read in {:?}",
        usage.channels,
        usage.nodes,
        usage.bytes_per_channel(),
        usage.channel_bytes,
        usage.node_bytes,
        usage.proof_bytes,
        bytes.len(),
        bytes.len() / CHANNELS,
        read_time,
    );
    // Round trip of the large graph.
    let started = Instant::now();
    let written = graph.write();
    println!("  written again in {:?}", started.elapsed());
    assert_eq!(
        NetworkGraph::read(&written).unwrap().channel_count(),
        CHANNELS
    );
    // Routes between random pairs, the payer's channels as first hops.
    let mut rng = Lcg(99);
    let scorer = LiquidityScorer::default();
    let started = Instant::now();
    let mut found = 0;
    const ROUTES: usize = 20;
    for _ in 0..ROUTES {
        let payer = rng.below(NODES as u64) as usize;
        let payee = rng.below(NODES as u64) as usize;
        if payer == payee {
            continue;
        }
        let first_hops: Vec<FirstHop> = edges
            .iter()
            .filter(|(one, two, _)| *one == payer || *two == payer)
            .map(|(one, two, scid)| FirstHop {
                short_channel_id: ShortChannelId(*scid),
                counterparty: keys[if *one == payer { *two } else { *one }],
                outbound_capacity_msat: 50_000_000,
                next_outbound_htlc_limit_msat: 50_000_000,
                next_outbound_htlc_minimum_msat: 1,
            })
            .collect();
        let params = RouteParameters::new(keys[payee], 10_000_000, 40);
        let result = find_route(
            &graph,
            &scorer,
            &keys[payer],
            &params,
            &first_hops,
            &InFlightHtlcs::new(),
            T0,
        );
        if let Ok(route) = result {
            found += 1;
            assert_route_valid(&graph, &keys[payer], &params, &first_hops, &route);
        }
    }
    println!(
        "  {found}/{ROUTES} routes found, {:?} per search (test profile, opt-level 1)",
        started.elapsed() / ROUTES as u32
    );
    assert!(found > ROUTES / 2);
    usage.bytes_per_channel()
}

#[test]
fn a_mainnet_size_graph_is_compact() {
    let lean = measure(false);
    let full = measure(true);
    assert!(lean < 300, "{lean} bytes per channel without proofs");
    assert!(full < 900, "{full} bytes per channel with proofs");
    assert!(lean < full);
}
