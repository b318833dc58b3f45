//! Shared harness for the `routing_*` and `gossip_*` tests: deterministic node keys, signed
//! gossip, graph builders and a route validity checker.
// Each test file uses a different part of the harness.
#![allow(dead_code)]

use std::collections::HashMap;
use std::time::Duration;

use lightning::bitcoin::secp256k1::{Message as SecpMessage, PublicKey, Secp256k1, SecretKey};
use lightning::bitcoin::{Amount, Network, TxOut};
use lightning::routing::{
    FirstHop, NetworkGraph, Path, Route, RouteParameters, UtxoLookup, UtxoResult,
};
use lightning::signer_api::tx::scripts::funding_script_pubkey;
use lightning::wire::features::{ChannelFeatures, NodeFeatures};
use lightning::wire::gossip::{ChannelAnnouncement, ChannelUpdate, NodeAnnouncement};
use lightning::wire::{ChainHash, ShortChannelId};

/// The fake clock's start.
pub const T0: Duration = Duration::from_secs(1_700_000_000);

pub fn regtest() -> ChainHash {
    ChainHash::using_genesis_block(Network::Regtest)
}

/// A node's keys: the node key and a funding key.
#[derive(Clone, Copy, Debug)]
pub struct Keys {
    pub node_secret: SecretKey,
    pub funding_secret: SecretKey,
    pub id: PublicKey,
    pub funding: PublicKey,
}

/// Deterministic keys for node number `n` (any `n`, distinct nodes for distinct `n`).
pub fn keys(n: u32) -> Keys {
    let secp = Secp256k1::signing_only();
    let mut node = [0x11u8; 32];
    node[..4].copy_from_slice(&n.to_be_bytes());
    let mut funding = [0x22u8; 32];
    funding[..4].copy_from_slice(&n.to_be_bytes());
    let node_secret = SecretKey::from_slice(&node).unwrap();
    let funding_secret = SecretKey::from_slice(&funding).unwrap();
    Keys {
        node_secret,
        funding_secret,
        id: PublicKey::from_secret_key(&secp, &node_secret),
        funding: PublicKey::from_secret_key(&secp, &funding_secret),
    }
}

fn sign(hash: [u8; 32], key: &SecretKey) -> lightning::bitcoin::secp256k1::ecdsa::Signature {
    Secp256k1::signing_only().sign_ecdsa(&SecpMessage::from_digest(hash), key)
}

fn dummy_signature() -> lightning::bitcoin::secp256k1::ecdsa::Signature {
    sign([1; 32], &SecretKey::from_slice(&[1; 32]).unwrap())
}

/// A valid, signed `channel_announcement` between `a` and `b` (ordered as BOLT 7 wants).
pub fn announcement(a: &Keys, b: &Keys, scid: u64) -> ChannelAnnouncement {
    announcement_with(a, b, scid, &[], &[])
}

/// [`announcement`] with optional feature bits set and excess data, signed over them.
pub fn announcement_with(
    a: &Keys,
    b: &Keys,
    scid: u64,
    feature_bits: &[usize],
    excess: &[u8],
) -> ChannelAnnouncement {
    let (one, two) = if a.id.serialize() < b.id.serialize() {
        (a, b)
    } else {
        (b, a)
    };
    let mut msg = ChannelAnnouncement {
        node_signature_1: dummy_signature(),
        node_signature_2: dummy_signature(),
        bitcoin_signature_1: dummy_signature(),
        bitcoin_signature_2: dummy_signature(),
        features: ChannelFeatures::empty(),
        chain_hash: regtest(),
        short_channel_id: ShortChannelId(scid),
        node_id_1: one.id,
        node_id_2: two.id,
        bitcoin_key_1: one.funding,
        bitcoin_key_2: two.funding,
        excess_data: excess.to_vec(),
    };
    for bit in feature_bits {
        msg.features.set_bit(*bit);
    }
    let hash = msg.message_hash();
    msg.node_signature_1 = sign(hash, &one.node_secret);
    msg.node_signature_2 = sign(hash, &two.node_secret);
    msg.bitcoin_signature_1 = sign(hash, &one.funding_secret);
    msg.bitcoin_signature_2 = sign(hash, &two.funding_secret);
    msg
}

/// A forwarding policy for a test channel direction.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub base_msat: u32,
    pub ppm: u32,
    pub cltv: u16,
    pub htlc_min: u64,
    pub htlc_max: u64,
    pub disabled: bool,
}

impl Policy {
    pub fn fee(base_msat: u32, ppm: u32) -> Policy {
        Policy {
            base_msat,
            ppm,
            cltv: 40,
            htlc_min: 1,
            htlc_max: 1_000_000_000,
            disabled: false,
        }
    }
}

/// A signed `channel_update` from `from` (towards `to`) on channel `scid`.
pub fn update(from: &Keys, to: &Keys, scid: u64, timestamp: u32, policy: Policy) -> ChannelUpdate {
    update_with(from, to, scid, timestamp, policy, &[])
}

/// [`update`] with excess data, signed over it.
pub fn update_with(
    from: &Keys,
    to: &Keys,
    scid: u64,
    timestamp: u32,
    policy: Policy,
    excess: &[u8],
) -> ChannelUpdate {
    let direction = u8::from(from.id.serialize() > to.id.serialize());
    let disable = if policy.disabled {
        ChannelUpdate::CHANNEL_FLAG_DISABLE
    } else {
        0
    };
    let mut msg = ChannelUpdate {
        signature: dummy_signature(),
        chain_hash: regtest(),
        short_channel_id: ShortChannelId(scid),
        timestamp,
        message_flags: ChannelUpdate::MESSAGE_FLAG_MUST_BE_ONE,
        channel_flags: direction | disable,
        cltv_expiry_delta: policy.cltv,
        htlc_minimum_msat: policy.htlc_min,
        fee_base_msat: policy.base_msat,
        fee_proportional_millionths: policy.ppm,
        htlc_maximum_msat: policy.htlc_max,
        excess_data: excess.to_vec(),
    };
    msg.signature = sign(msg.message_hash(), &from.node_secret);
    msg
}

/// A signed `node_announcement` for `node`.
pub fn node_announcement(node: &Keys, timestamp: u32, alias: &str) -> NodeAnnouncement {
    let mut alias_bytes = [0u8; 32];
    alias_bytes[..alias.len()].copy_from_slice(alias.as_bytes());
    let mut msg = NodeAnnouncement {
        signature: dummy_signature(),
        features: NodeFeatures::empty(),
        timestamp,
        node_id: node.id,
        rgb_color: [1, 2, 3],
        alias: alias_bytes,
        addresses: Vec::new(),
        unparsed_addresses: Vec::new(),
        excess_data: Vec::new(),
    };
    msg.signature = sign(msg.message_hash(), &node.node_secret);
    msg
}

/// A UTXO set: funding outputs by short channel id.
#[derive(Clone, Debug, Default)]
pub struct Utxos(pub HashMap<u64, TxOut>);

impl Utxos {
    pub fn add(&mut self, a: &Keys, b: &Keys, scid: u64, capacity_sat: u64) {
        let output = TxOut {
            value: Amount::from_sat(capacity_sat),
            script_pubkey: funding_script_pubkey(&a.funding, &b.funding),
        };
        self.0.insert(scid, output);
    }
}

impl UtxoLookup for Utxos {
    fn lookup_utxo(&mut self, _chain: &ChainHash, scid: ShortChannelId) -> UtxoResult {
        match self.0.get(&scid.0) {
            Some(output) => UtxoResult::Unspent(output.clone()),
            None => UtxoResult::Missing,
        }
    }
}

/// Builds graphs of signed gossip for tests.
pub struct GraphBuilder {
    pub graph: NetworkGraph,
    pub utxos: Utxos,
    secp: Secp256k1<lightning::bitcoin::secp256k1::All>,
}

impl Default for GraphBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl GraphBuilder {
    pub fn new() -> Self {
        GraphBuilder {
            graph: NetworkGraph::new(regtest()),
            utxos: Utxos::default(),
            secp: Secp256k1::new(),
        }
    }

    /// Adds a channel `a`-`b` of `capacity_sat` with the two directions' policies.
    pub fn channel(
        &mut self,
        a: u32,
        b: u32,
        scid: u64,
        capacity_sat: u64,
        a_to_b: Option<Policy>,
        b_to_a: Option<Policy>,
    ) -> &mut Self {
        let (ka, kb) = (keys(a), keys(b));
        self.utxos.add(&ka, &kb, scid, capacity_sat);
        let ann = announcement(&ka, &kb, scid);
        let mut utxos = self.utxos.clone();
        self.graph
            .handle_channel_announcement(&self.secp, &ann, Some(&mut utxos), T0.as_secs())
            .unwrap();
        if let Some(policy) = a_to_b {
            let upd = update(&ka, &kb, scid, T0.as_secs() as u32, policy);
            self.graph
                .handle_channel_update(&self.secp, &upd, T0.as_secs())
                .unwrap();
        }
        if let Some(policy) = b_to_a {
            let upd = update(&kb, &ka, scid, T0.as_secs() as u32, policy);
            self.graph
                .handle_channel_update(&self.secp, &upd, T0.as_secs())
                .unwrap();
        }
        self
    }

    /// A symmetric channel with the same policy both ways.
    pub fn both(
        &mut self,
        a: u32,
        b: u32,
        scid: u64,
        capacity_sat: u64,
        policy: Policy,
    ) -> &mut Self {
        self.channel(a, b, scid, capacity_sat, Some(policy), Some(policy))
    }
}

/// A first hop from the payer over `scid` to `peer` with `balance_msat` available.
pub fn first_hop(peer: u32, scid: u64, balance_msat: u64) -> FirstHop {
    FirstHop {
        short_channel_id: ShortChannelId(scid),
        counterparty: keys(peer).id,
        outbound_capacity_msat: balance_msat,
        next_outbound_htlc_limit_msat: balance_msat,
        next_outbound_htlc_minimum_msat: 1,
    }
}

/// The nodes a path visits, by test number (looked up among `0..max`).
pub fn node_numbers(path: &Path, max: u32) -> Vec<u32> {
    path.hops
        .iter()
        .map(|hop| (0..max).find(|n| keys(*n).id == hop.node_id).unwrap())
        .collect()
}

/// Checks that `route` is valid for `graph`: every hop after the first exists, is enabled in
/// its direction, carries an amount within its limits and capacity, charges exactly the
/// advertised fee and CLTV delta; the first hops are ours and within their balances; the
/// total reaches the payee with the amount and limits of `params`. Panics with the reason.
pub fn assert_route_valid(
    graph: &NetworkGraph,
    payer: &PublicKey,
    params: &RouteParameters,
    first_hops: &[FirstHop],
    route: &Route,
) {
    let mut total = 0u64;
    let mut fees = 0u64;
    let mut used: HashMap<(u64, bool), u64> = HashMap::new();
    for path in &route.paths {
        assert!(!path.hops.is_empty());
        let amounts = path.hop_amounts_and_expiries(0).unwrap();
        let last = path.hops.last().unwrap();
        assert_eq!(last.node_id, params.payee, "path ends at the payee");
        assert_eq!(last.cltv_expiry_delta, params.final_cltv_expiry_delta);
        assert!(
            amounts[0].cltv_expiry <= params.max_total_cltv_expiry_delta,
            "total CLTV"
        );
        total += last.fee_msat;
        fees += path.fee_msat().unwrap();
        let first = first_hops
            .iter()
            .find(|hop| hop.short_channel_id == path.hops[0].short_channel_id)
            .expect("first hop is one of ours");
        assert_eq!(first.counterparty, path.hops[0].node_id);
        assert!(amounts[0].amount_msat <= first.next_outbound_htlc_limit_msat);
        assert!(amounts[0].amount_msat >= first.next_outbound_htlc_minimum_msat);
        *used.entry((first.short_channel_id.0, false)).or_default() += amounts[0].amount_msat;
        assert!(used[&(first.short_channel_id.0, false)] <= first.outbound_capacity_msat);
        let mut seen = vec![*payer];
        #[allow(clippy::needless_range_loop)] // Several arrays are indexed together.
        for index in 1..path.hops.len() {
            let (prev, hop) = (&path.hops[index - 1], &path.hops[index]);
            assert!(!seen.contains(&hop.node_id), "path loops");
            seen.push(prev.node_id);
            let channel = graph
                .channel(hop.short_channel_id)
                .unwrap_or_else(|| panic!("hop {index} channel exists"));
            let forward = prev.node_id == channel.node_one;
            assert!(
                forward || prev.node_id == channel.node_two,
                "hop {index} starts at an end"
            );
            let target = if forward {
                channel.node_two
            } else {
                channel.node_one
            };
            assert_eq!(target, hop.node_id, "hop {index} ends at the other end");
            let policy = if forward {
                channel.one_to_two
            } else {
                channel.two_to_one
            }
            .expect("direction has a policy");
            assert!(policy.enabled, "hop {index} enabled");
            assert!(!params.excluded_channels.contains(&hop.short_channel_id));
            let amount = amounts[index].amount_msat;
            assert!(
                amount >= policy.htlc_minimum_msat,
                "hop {index} above htlc_minimum"
            );
            assert!(
                amount <= policy.htlc_maximum_msat,
                "hop {index} below htlc_maximum"
            );
            let key = (hop.short_channel_id.0, !forward);
            *used.entry(key).or_default() += amount;
            if let Some(capacity) = channel.capacity_sat {
                assert!(used[&key] <= capacity * 1000, "hop {index} within capacity");
            }
            assert_eq!(
                prev.fee_msat,
                policy.fees.fee_for(amount).unwrap(),
                "fee of hop {index}"
            );
            assert_eq!(prev.cltv_expiry_delta, u32::from(policy.cltv_expiry_delta));
        }
    }
    assert_eq!(
        total, params.final_value_msat,
        "the route delivers the amount"
    );
    if let Some(max_fee) = params.max_total_fee_msat {
        assert!(fees <= max_fee, "fees within the limit");
    }
    assert!(route.paths.len() <= usize::from(params.max_path_count.max(1)));
}
