//! A node with only an unannounced channel gets paid through it: the peer sends its
//! `channel_update` directly (BOLT 7), the node keeps it, its invoices carry the route hint
//! built from it, and a payer that knows only the public graph routes to it with the hint.
//!
//! Topology: node 0 — node 1 public (announced after 6 blocks), node 2 — node 1 private
//! (opened by node 2, which pushes half to node 1 so node 1 can forward to it).

use lightning::invoice::lightning_invoice::Bolt11Invoice;
use lightning::invoice::InvoiceParams;
use lightning::manager::{Event, PaymentId, Retry};
use lightning::routing::{DefaultRouter, LiquidityScorer, RouteHint, ScorerConfig};
use lightning::testkit::network::{Network, NodeConfig};
use lightning::wire::gossip::ChannelUpdate;
use lightning::wire::{ChannelId, Message};

const FUNDING_SAT: u64 = 1_000_000;
const AMOUNT_MSAT: u64 = 20_000_000;

/// The three nodes, both channels open, the public one announced.
fn network() -> (Network, ChannelId) {
    let mut configs: Vec<NodeConfig> = (0..3).map(NodeConfig::for_index).collect();
    for config in &mut configs[..2] {
        config.manager.channel_config.announce_channel = true;
    }
    let mut net = Network::with_nodes(configs);
    net.open_channel(0, 1, FUNDING_SAT, 0);
    let private = net.open_channel(2, 1, FUNDING_SAT, FUNDING_SAT * 500);
    net.mine_blocks(6);
    (net, private)
}

/// Node `node`'s invoice for [`AMOUNT_MSAT`] with `description`.
fn invoice_of(net: &mut Network, node: usize, description: &str) -> Bolt11Invoice {
    let now = net.now();
    let params = InvoiceParams::new(net.chain().network(), Some(AMOUNT_MSAT), description);
    net.node_mut(node)
        .manager_mut()
        .create_invoice(&params, now)
        .expect("invoice")
}

fn hints(net: &Network, node: usize) -> Vec<RouteHint> {
    net.node(node).manager().private_route_hints()
}

#[test]
fn the_peers_direct_update_becomes_a_route_hint_with_its_policy() {
    let (net, private) = network();
    let hints = hints(&net, 2);
    assert_eq!(hints.len(), 1, "{hints:?}");
    let hop = &hints[0].0[0];
    let scid = net.node(2).channel(private).unwrap().short_channel_id;
    assert_eq!(Some(hop.short_channel_id), scid);
    assert_eq!(hop.src_node_id, net.node(1).node_id());
    let policy = net.node(1).manager().config().forwarding_policy;
    assert_eq!(hop.fees.base_msat, policy.fee_base_msat);
    assert_eq!(
        hop.fees.proportional_millionths,
        policy.fee_proportional_millionths
    );
    assert_eq!(hop.cltv_expiry_delta, policy.cltv_expiry_delta);
    // Node 1's channels: one announced, one not; it has nothing to hint about node 1 itself
    // except the private channel's update node 2 sent it.
    assert!(net.node(0).manager().private_route_hints().is_empty());
    assert!(
        net.node(0).graph().channel(scid.unwrap()).is_none(),
        "the private channel stays out of the graph"
    );
}

#[test]
fn a_payer_knowing_only_the_public_graph_pays_the_invoice_through_the_hint() {
    let (mut net, _) = network();
    let invoice = invoice_of(&mut net, 2, "private");
    let now = net.now();
    assert_eq!(invoice.route_hints().len(), 1, "the hint is in the invoice");
    let graph = net.node(0).graph().clone();
    let mut scorer = LiquidityScorer::new(ScorerConfig::default());
    let mut router = DefaultRouter::new(&graph, &mut scorer);
    let id = PaymentId([7; 32]);
    net.node_mut(0)
        .manager_mut()
        .pay_invoice(&invoice, None, id, Retry::Attempts(2), &mut router, now)
        .expect("a route through the hint");
    net.run_until_quiet();
    let hash = lightning::wire::PaymentHash(*AsRef::<[u8; 32]>::as_ref(invoice.payment_hash()));
    assert!(net.claim_payment(2, hash), "node 2 can claim");
    net.run_until_quiet();
    let policy = net.node(1).manager().config().forwarding_policy;
    let expected_fee = policy.fee_msat(AMOUNT_MSAT).unwrap();
    let fees: Vec<Option<u64>> = net
        .node(0)
        .events()
        .iter()
        .filter_map(|event| match event {
            Event::PaymentSent {
                payment_id,
                fee_paid_msat,
                ..
            } if *payment_id == id => Some(*fee_paid_msat),
            _ => None,
        })
        .collect();
    assert_eq!(fees, vec![Some(expected_fee)]);
}

#[test]
fn a_forged_or_stale_update_is_ignored_and_the_kept_one_survives_a_restart() {
    let (mut net, private) = network();
    let before = hints(&net, 2);
    assert_eq!(before.len(), 1);
    let scid = net
        .node(2)
        .channel(private)
        .unwrap()
        .short_channel_id
        .unwrap();
    // Signed by nobody's key: ignored.
    let mut forged = ChannelUpdate {
        signature: lightning::bitcoin::secp256k1::ecdsa::Signature::from_compact(&[1; 64]).unwrap(),
        chain_hash: lightning::wire::ChainHash::using_genesis_block(net.chain().network()),
        short_channel_id: scid,
        timestamp: u32::MAX - 1,
        message_flags: ChannelUpdate::MESSAGE_FLAG_MUST_BE_ONE
            | ChannelUpdate::MESSAGE_FLAG_DONT_FORWARD,
        channel_flags: before[0].0[0].src_node_id.serialize()[..]
            .gt(&net.node(2).node_id().serialize()[..]) as u8,
        cltv_expiry_delta: 1,
        htlc_minimum_msat: 1,
        fee_base_msat: 1_000_000,
        fee_proportional_millionths: 1,
        htlc_maximum_msat: 1_000,
        excess_data: Vec::new(),
    };
    net.inject_message(1, 2, Message::ChannelUpdate(forged.clone()));
    net.run_until_quiet();
    assert_eq!(hints(&net, 2), before);
    // Also for another channel id: ignored.
    forged.short_channel_id = lightning::wire::ShortChannelId(scid.0 + 1);
    net.inject_message(1, 2, Message::ChannelUpdate(forged));
    net.run_until_quiet();
    assert_eq!(hints(&net, 2), before);
    // The kept update is persisted with the manager: after a restart, with every update
    // node 1 sends again dropped on the way, node 2 still has it.
    net.hold(1, 2);
    net.crash_and_restart(2).expect("restart");
    let mut dropped_updates = 0;
    for _ in 0..100 {
        net.run_until_quiet();
        match net.next_message(1, 2) {
            None => break,
            Some(Message::ChannelUpdate(_)) => {
                net.take_next_message(1, 2);
                dropped_updates += 1;
            }
            Some(_) => {
                net.deliver_next(1, 2);
            }
        }
    }
    net.release(1, 2);
    net.run_until_quiet();
    assert!(dropped_updates > 0, "node 1 sent its update again");
    assert_eq!(hints(&net, 2), before);
}

#[test]
fn a_node_with_an_announced_channel_puts_no_hint_in_its_invoices() {
    let (mut net, _) = network();
    let invoice = invoice_of(&mut net, 0, "public");
    assert!(invoice.route_hints().is_empty());
}
