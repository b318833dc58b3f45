//! A simulated Lightning network in one process, on the library's `testkit`: 15 nodes in a
//! realistic shape (four hubs, regional nodes, leaves, a few cycles), public channels opened,
//! confirmed and announced, every graph filled by gossip (one node joins late and syncs through
//! gossip queries), a batch of payments routed by each payer's default router across several
//! hops (a drained channel and a node gone offline make some first routes fail, and the
//! payments retry), a cheater caught broadcasting a revoked commitment, and every channel
//! closed. Prints a short summary and exits 0; exits 1 if something it claims did not happen.
//!
//! ```text
//! cargo run -p examples --bin simnet
//! ```

mod breach;
mod payments;
mod summary;
mod topology;

use std::process::ExitCode;
use std::time::Instant;

use lightning::testkit::network::Network;

use payments::{drain_ahead, pay_one, run_batch, Rng, PAYMENT_COUNT};
use summary::{Closes, GossipSync, Summary};
use topology::{
    node_config, open_all, OpenChannel, HUBS, LATE_JOINER, LATE_JOINER_PEER, NODE_COUNT,
};

/// The seed of the payment batch (pairs and amounts).
const BATCH_SEED: u64 = 0x5eed;
/// The leaf that cheats, and its channel's peer.
const CHEATER: usize = 10;
const VICTIM: usize = 4;
/// Payments `(from, to, amount_msat)` over several hops; before each, the second channel of
/// the route the payer's router would pick is drained behind its back.
const ACROSS_DRAINED: [(usize, usize, u64); 6] = [
    (8, 9, 50_000_000),
    (3, 13, 40_000_000),
    (12, 9, 30_000_000),
    (11, 10, 60_000_000),
    (13, 12, 20_000_000),
    (10, 11, 80_000_000),
];
/// The regional node that goes offline from a hub during part of the batch.
const FLAKY: (usize, usize) = (6, 2);

fn main() -> ExitCode {
    let started = Instant::now();
    match run() {
        Ok(mut summary) => {
            summary.seconds = started.elapsed().as_secs_f64();
            print!("{summary}");
            match summary.problems() {
                problems if problems.is_empty() => ExitCode::SUCCESS,
                problems => {
                    for problem in problems {
                        eprintln!("simnet: {problem}");
                    }
                    ExitCode::FAILURE
                }
            }
        }
        Err(err) => {
            eprintln!("simnet: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<Summary, String> {
    let mut clock = Phases::start();
    let mut net = Network::with_nodes((0..NODE_COUNT).map(node_config).collect());
    let channels = open_all(&mut net)?;
    clock.lap("open");
    let gossip = gossip_sync(&mut net, &channels)?;
    clock.lap("gossip");

    // The cheater keeps a copy of its monitor, then the channel moves on.
    let breach_channel = channel_between(&channels, CHEATER, VICTIM)?;
    let stale = net
        .snapshot_monitor(CHEATER, breach_channel)
        .ok_or("the cheater has no monitor to copy")?;
    net.pay(VICTIM, CHEATER, 20_000_000)
        .map_err(|err| format!("payment on the breach channel: {err}"))?;

    let payers: Vec<usize> = (0..NODE_COUNT).filter(|i| *i != LATE_JOINER).collect();
    let mut rng = Rng::new(BATCH_SEED);
    let mut drained = 0;
    let mut batch = run_batch(&mut net, &payers, PAYMENT_COUNT, &mut rng, |net, i| {
        if i == PAYMENT_COUNT / 3 {
            net.disconnect(FLAKY.0, FLAKY.1);
        } else if i == 2 * PAYMENT_COUNT / 3 {
            net.reconnect(FLAKY.0, FLAKY.1);
        }
        // Every tenth payment finds the second channel of its route drained.
        if i % 10 != 5 {
            return None;
        }
        let (from, to, amount_msat) = ACROSS_DRAINED[(i / 10) % ACROSS_DRAINED.len()];
        if drain_ahead(net, from, to, amount_msat).is_some() {
            drained += 1;
        }
        Some((from, to, amount_msat))
    });
    // The late joiner pays too, over the graph it synced.
    for (to, amount_sat) in [(12, 20_000u64), (HUBS[3], 5_000), (11, 50_000)] {
        pay_one(&mut net, &mut batch, LATE_JOINER, to, amount_sat * 1_000);
    }
    clock.lap("payments");

    let breach = breach::catch(&mut net, &stale, CHEATER, VICTIM)?;
    clock.lap("breach");
    let closes = close_all(&mut net, &channels, breach_channel)?;
    clock.lap("closes");
    Ok(Summary {
        drained,
        offline: (FLAKY.0, FLAKY.1, PAYMENT_COUNT / 3),
        phases: clock.laps,
        nodes: net.node_count(),
        channels: channels.len() + 1,
        capacity_sat: channels.iter().map(|c| c.plan.capacity_sat).sum(),
        gossip,
        batch,
        breach,
        closes,
        seconds: 0.0,
    })
}

/// Wall time per phase.
struct Phases {
    last: Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Phases {
    fn start() -> Self {
        Phases {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.laps.push((name, (now - self.last).as_secs_f64()));
        self.last = now;
    }
}

fn channel_between(
    channels: &[OpenChannel],
    a: usize,
    b: usize,
) -> Result<lightning::wire::ChannelId, String> {
    channels
        .iter()
        .find(|c| (c.plan.funder, c.plan.peer) == (a, b) || (c.plan.funder, c.plan.peer) == (b, a))
        .map(|c| c.channel_id)
        .ok_or_else(|| format!("no channel between {a} and {b}"))
}

/// How many public channels each node's graph knows once gossip settled; then the late
/// joiner connects, opens its channel and syncs the graph from its peer.
fn gossip_sync(net: &mut Network, channels: &[OpenChannel]) -> Result<GossipSync, String> {
    net.run_until_quiet();
    let known: Vec<usize> = (0..NODE_COUNT)
        .filter(|i| *i != LATE_JOINER)
        .map(|i| net.node(i).graph().channel_count())
        .collect();
    let before = net.node(LATE_JOINER).graph().channel_count();
    net.open_channel(LATE_JOINER, LATE_JOINER_PEER, 1_500_000, 500_000_000);
    net.run_until_quiet();
    let late = net.node(LATE_JOINER).graph().channel_count();
    Ok(GossipSync {
        public_channels: channels.len(),
        known,
        late_joiner: LATE_JOINER,
        late_before: before,
        late_after: late,
    })
}

/// Closes every channel but the breached one: cooperatively, except one forced close; mines
/// and checks that every closing transaction confirmed.
fn close_all(
    net: &mut Network,
    channels: &[OpenChannel],
    breached: lightning::wire::ChannelId,
) -> Result<Closes, String> {
    let mut closes = Closes::default();
    let mut closing_txids = Vec::new();
    let forced = channel_between(channels, 7, 8)?;
    for channel in channels.iter().filter(|c| c.channel_id != breached) {
        let (a, b) = (channel.plan.funder, channel.plan.peer);
        if !net.is_connected(a, b) {
            net.reconnect(a, b);
        }
        if channel.channel_id == forced {
            let before = net.node(a).broadcasts().len();
            let peer = net.node(b).node_id();
            net.node_mut(a)
                .manager_mut()
                .force_close_channel(forced, peer)
                .map_err(|err| format!("force close: {err}"))?;
            net.run_until_quiet();
            let commitment = net.node(a).broadcasts()[before..]
                .first()
                .cloned()
                .ok_or("the force close broadcast nothing")?;
            closing_txids.push(commitment.compute_txid());
            closes.forced += 1;
        } else {
            let tx = net.close_channel(a, b, channel.channel_id);
            closing_txids.push(tx.compute_txid());
            closes.cooperative += 1;
        }
    }
    net.mine_blocks(1);
    closes.confirmed = closing_txids
        .iter()
        .filter(|txid| net.chain().tx_confirmations(txid).is_some())
        .count();
    closes.total = closing_txids.len();
    Ok(closes)
}
