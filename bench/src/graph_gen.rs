//! A synthetic Lightning graph for the routing workload, generated deterministically from a
//! seed: a scale-free topology (preferential attachment), skewed fees, log-normal capacities
//! and common CLTV deltas; and the random route queries run over it.

use std::collections::HashSet;

use bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};

/// SplitMix64: a small, fast, deterministic generator (not for keys that matter).
pub struct Prng(u64);

impl Prng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Prng {
        Prng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0; the modulo bias is negligible for the sizes used here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Log-uniform in `[low, high]`.
    pub fn log_uniform(&mut self, low: f64, high: f64) -> f64 {
        (low.ln() + self.unit() * (high.ln() - low.ln())).exp()
    }

    /// A standard normal sample (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// One direction's forwarding policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Base fee.
    pub base_msat: u32,
    /// Proportional fee, parts per million.
    pub ppm: u32,
    /// CLTV delta.
    pub cltv_expiry_delta: u16,
    /// Smallest HTLC.
    pub htlc_minimum_msat: u64,
    /// Largest HTLC.
    pub htlc_maximum_msat: u64,
}

/// One public channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// Its short channel id.
    pub scid: u64,
    /// The index (into [`Graph::keys`]) of the node with the lower key.
    pub node_one: usize,
    /// The index of the node with the higher key.
    pub node_two: usize,
    /// Its capacity.
    pub capacity_sat: u64,
    /// The policies of `node_one` (direction 0) and `node_two` (direction 1).
    pub policies: [Policy; 2],
}

/// A synthetic graph: node keys sorted by their serialization, and channels between them.
pub struct Graph {
    /// Node keys, sorted by serialized key (so index order is BOLT 7's node_1/node_2 order).
    pub keys: Vec<PublicKey>,
    /// The channels.
    pub channels: Vec<Channel>,
}

/// A route query: payer and payee (indices into [`Graph::keys`]) and the amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Query {
    /// Who pays.
    pub payer: usize,
    /// Who is paid.
    pub payee: usize,
    /// What the payee receives.
    pub amount_msat: u64,
}

const CLTV_DELTAS: [u16; 8] = [18, 34, 40, 40, 72, 80, 144, 144];

fn policy(rng: &mut Prng, capacity_sat: u64) -> Policy {
    // Base fee: most nodes charge 0 or the 1-sat default; the rest up to 5 sat.
    let base_msat = match rng.below(100) {
        0..=34 => 0,
        35..=64 => 1_000,
        _ => rng.below(5_001) as u32,
    };
    Policy {
        base_msat,
        // 1-5000 ppm, log-uniform: the median is about 70 ppm.
        ppm: (rng.log_uniform(1.0, 5_000.0) as u32).clamp(1, 5_000),
        cltv_expiry_delta: CLTV_DELTAS[rng.below(CLTV_DELTAS.len() as u64) as usize],
        htlc_minimum_msat: 1_000,
        htlc_maximum_msat: capacity_sat * 1_000,
    }
}

/// Node keys for `count` nodes, sorted by serialization.
fn sorted_keys(count: usize) -> Vec<PublicKey> {
    let secp = Secp256k1::signing_only();
    let mut keys: Vec<PublicKey> = (0..count)
        .map(|i| {
            let mut secret = [0x5au8; 32];
            secret[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
            let secret = SecretKey::from_slice(&secret).expect("a small counter is a valid key");
            PublicKey::from_secret_key(&secp, &secret)
        })
        .collect();
    keys.sort_by_key(|key| key.serialize());
    keys
}

/// Preferential attachment: each new node opens `m` channels to nodes picked with
/// probability proportional to their degree, then random extra channels (degree-weighted at
/// one end) make up the count. Returns pairs of generation indices.
fn topology(rng: &mut Prng, nodes: usize, channels: usize) -> Vec<(usize, usize)> {
    let m = (channels / nodes).max(1);
    let mut pairs: HashSet<(usize, usize)> = HashSet::with_capacity(channels);
    let mut edges = Vec::with_capacity(channels);
    let mut endpoints: Vec<usize> = Vec::with_capacity(channels * 2);
    let mut add = |a: usize, b: usize, edges: &mut Vec<(usize, usize)>, ends: &mut Vec<usize>| {
        if a == b || edges.len() >= channels || !pairs.insert((a.min(b), a.max(b))) {
            return false;
        }
        edges.push((a, b));
        ends.extend([a, b]);
        true
    };
    let seed = (m + 1).min(nodes);
    for a in 0..seed {
        for b in a + 1..seed {
            add(a, b, &mut edges, &mut endpoints);
        }
    }
    for node in seed..nodes {
        let mut made = 0;
        for _ in 0..m * 8 {
            if made == m {
                break;
            }
            let target = endpoints[rng.below(endpoints.len() as u64) as usize];
            if add(node, target, &mut edges, &mut endpoints) {
                made += 1;
            }
        }
    }
    let mut attempts = 0usize;
    while edges.len() < channels && attempts < channels * 20 {
        attempts += 1;
        let hub = endpoints[rng.below(endpoints.len() as u64) as usize];
        let other = rng.below(nodes as u64) as usize;
        add(hub, other, &mut edges, &mut endpoints);
    }
    edges
}

impl Graph {
    /// The graph for `nodes` nodes and about `channels` channels from `seed`.
    pub fn generate(seed: u64, nodes: usize, channels: usize) -> Graph {
        let mut rng = Prng::new(seed);
        let keys = sorted_keys(nodes);
        // Generation order (hubs first) mapped to a random key position.
        let mut position: Vec<usize> = (0..nodes).collect();
        for i in (1..nodes).rev() {
            position.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let channels = topology(&mut rng, nodes, channels)
            .into_iter()
            .enumerate()
            .map(|(i, (a, b))| {
                let (a, b) = (position[a], position[b]);
                // Log-normal around 2M sat, clamped to 20k-50M sat.
                let capacity_sat = (2_000_000f64 * (1.6 * rng.normal()).exp())
                    .clamp(20_000.0, 50_000_000.0) as u64;
                let block = 700_000 + (i / 16) as u64;
                Channel {
                    scid: (block << 40) | (((i % 16) as u64) << 16),
                    node_one: a.min(b),
                    node_two: a.max(b),
                    capacity_sat,
                    policies: [
                        policy(&mut rng, capacity_sat),
                        policy(&mut rng, capacity_sat),
                    ],
                }
            })
            .collect();
        Graph { keys, channels }
    }

    /// `count` queries between distinct random nodes, amounts log-uniform in 1k-1M sat.
    pub fn queries(&self, seed: u64, count: usize) -> Vec<Query> {
        let mut rng = Prng::new(seed);
        let n = self.keys.len() as u64;
        (0..count)
            .map(|_| {
                let payer = rng.below(n) as usize;
                let mut payee = rng.below(n) as usize;
                while payee == payer {
                    payee = rng.below(n) as usize;
                }
                let amount_msat = rng.log_uniform(1_000.0, 1_000_000.0) as u64 * 1_000;
                Query {
                    payer,
                    payee,
                    amount_msat,
                }
            })
            .collect()
    }

    /// The largest node degree and the number of nodes with at most two channels.
    pub fn degree_spread(&self) -> (usize, usize) {
        let mut degree = vec![0usize; self.keys.len()];
        for channel in &self.channels {
            degree[channel.node_one] += 1;
            degree[channel.node_two] += 1;
        }
        let max = degree.iter().copied().max().unwrap_or(0);
        let small = degree.iter().filter(|d| **d <= 2).count();
        (max, small)
    }
}
