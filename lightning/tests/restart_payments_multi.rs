//! Restarts in the middle of forwarded and multi-part payments: the forwarding node of
//! A-B-C after every step (the payment still settles, or fails attributed to the right
//! hop), the receiver of a multi-part payment with a set incomplete (the rest arrives, or
//! the set times out on the saved tick count), and the sender with parts in flight and a
//! retry pending (the retry budget survives the restart).

mod payments_support;
mod restart_multi_support;

use std::time::Duration;

use lightning::manager::{
    Event, ForwardingPolicy, ManagerConfig, PaymentFailureReason, PaymentId, RecipientOnionFields,
    Retry,
};
use lightning::onion::Failure;
use lightning::routing::{
    FindRouteError, FirstHop, InFlightHtlcs, Path, Route, RouteParameters, Router,
};
use lightning::wire::{PaymentHash, ShortChannelId};
use payments_support::{path_with_fees, Chan, Net, START};
use restart_multi_support::StepNet;
use secp256k1::PublicKey;

const POLICY: ForwardingPolicy = ForwardingPolicy {
    fee_base_msat: 100,
    fee_proportional_millionths: 0,
    cltv_expiry_delta: 40,
};

const FUNDING_SATS: u64 = 1_000_000;

fn config() -> ManagerConfig {
    ManagerConfig {
        forwarding_policy: POLICY,
        mpp_timeout_ticks: 2,
        ..Default::default()
    }
}

fn path(hops: &[(PublicKey, ShortChannelId)], amount_msat: u64) -> Path {
    path_with_fees(hops, amount_msat, 40, 100, 0, 40)
}

fn path_failed_count(net: &StepNet) -> usize {
    net.count(0, |e| matches!(e, Event::PaymentPathFailed { .. }))
}

// ---------------------------------------------------------------- A-B-C forwarding

struct Line {
    net: StepNet,
    chans: [Chan; 2],
    id: PaymentId,
    hash: PaymentHash,
}

/// A=0 pays C=2 through B=1 (`known`: with C's invoice; otherwise a hash C does not know).
fn line_payment(known: bool) -> Line {
    let mut net = Net::new(3, config());
    let ab = net.open(0, 1, FUNDING_SATS, 0);
    let bc = net.open(1, 2, FUNDING_SATS, 0);
    let (hash, secret) = net.nodes[2]
        .manager
        .create_inbound_payment(Some(50_000), 86_400, START);
    let hash = if known { hash } else { PaymentHash([7; 32]) };
    let hops = [(net.id(1), ab.scid), (net.id(2), bc.scid)];
    let id = PaymentId([1; 32]);
    net.nodes[0]
        .manager
        .send_payment(
            &Route::single(path(&hops, 50_000)),
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
        )
        .expect("send");
    let mut net = StepNet::new(net, config(), vec![(0, 1), (1, 2)]);
    net.pump();
    Line {
        net,
        chans: [ab, bc],
        id,
        hash,
    }
}

fn assert_line_paid(line: &Line, context: &str) {
    let net = &line.net;
    assert_eq!(
        net.outcomes(0, line.id),
        (1, 0),
        "{context}: {:?}",
        net.events
    );
    assert_eq!(net.forwarded(1), 1, "{context}: {:?}", net.events[1]);
    assert_eq!(net.claimed(2, line.hash), 1, "{context}");
    net.assert_settled();
    net.assert_mirrored(0, 1, line.chans[0], FUNDING_SATS);
    net.assert_mirrored(1, 2, line.chans[1], FUNDING_SATS);
    // B earned its fee: it received 50,100 on A-B and paid 50,000 on B-C.
    assert_eq!(
        net.net.balance_msat(1, line.chans[0].id),
        50_100,
        "{context}"
    );
    assert_eq!(
        net.net.balance_msat(1, line.chans[1].id),
        FUNDING_SATS * 1000 - 50_000,
        "{context}"
    );
}

/// A payment whose first hop found its next channel not yet reestablished (a neighbour of
/// the forwarder restarted): it failed back with `temporary_channel_failure`, cleanly.
fn assert_line_failed_at_forwarder(line: &Line, context: &str) {
    let net = &line.net;
    assert_eq!(
        net.outcomes(0, line.id),
        (0, 1),
        "{context}: {:?}",
        net.events
    );
    let failed_at_b = net.events[0].iter().any(|e| {
        matches!(e, Event::PaymentFailed {
            reason: PaymentFailureReason::HopFailed { hop_index: 0, failure: Some(message), .. },
            ..
        } if matches!(message.failure, Failure::TemporaryChannelFailure { .. }))
    });
    assert!(failed_at_b, "{context}: {:?}", net.events[0]);
    assert_eq!(net.forwarded(1), 0, "{context}");
    assert_eq!(net.claimed(2, line.hash), 0, "{context}");
    net.assert_settled();
    assert_eq!(net.net.balance_msat(1, line.chans[0].id), 0, "{context}");
}

#[test]
fn forwarding_node_restarts_after_every_step_and_the_payment_settles_once() {
    let total = line_payment(true).net.run();
    assert!(total > 10, "the scenario has steps ({total})");
    for cut in 0..=total {
        let mut line = line_payment(true);
        for _ in 0..cut {
            line.net.step();
        }
        line.net.save_and_restart(1);
        line.net.run();
        assert_line_paid(&line, &format!("forwarder restarted at step {cut}"));
    }
}

#[test]
fn payer_or_payee_of_a_forward_restarts_after_every_step_with_exactly_one_outcome() {
    let total = line_payment(true).net.run();
    let mut failed = 0;
    for restarted in [0, 2] {
        for cut in 0..=total {
            let mut line = line_payment(true);
            for _ in 0..cut {
                line.net.step();
            }
            line.net.save_and_restart(restarted);
            line.net.run();
            let context = format!("node {restarted} restarted at step {cut}");
            if line.net.outcomes(0, line.id).0 == 1 {
                assert_line_paid(&line, &context);
            } else {
                // B forwards only over a reestablished channel: when the HTLC locks in
                // while C reconnects, B fails it back instead.
                assert_eq!(restarted, 2, "{context}");
                assert_line_failed_at_forwarder(&line, &context);
                failed += 1;
            }
        }
    }
    assert!(
        failed <= 2,
        "only a restart of C during the forward races it"
    );
}

#[test]
fn forwarding_node_restarts_twice_in_one_payment() {
    let total = line_payment(true).net.run();
    for first in 0..total {
        let mut line = line_payment(true);
        for _ in 0..first {
            line.net.step();
        }
        line.net.save_and_restart(1);
        line.net.step();
        line.net.step();
        line.net.save_and_restart(1);
        line.net.run();
        assert_line_paid(&line, &format!("restarts at {first} and two steps later"));
    }
}

#[test]
fn failure_through_a_restarted_forwarder_stays_attributed_to_the_recipient() {
    let total = line_payment(false).net.run();
    for cut in 0..=total {
        let mut line = line_payment(false);
        for _ in 0..cut {
            line.net.step();
        }
        line.net.save_and_restart(1);
        line.net.run();
        let net = &line.net;
        assert_eq!(
            net.outcomes(0, line.id),
            (0, 1),
            "cut {cut}: {:?}",
            net.events
        );
        let reason = net.events[0]
            .iter()
            .find_map(|e| match e {
                Event::PaymentFailed { reason, .. } => Some(reason.clone()),
                _ => None,
            })
            .expect("PaymentFailed");
        // Decoding the failure needs B's wrapping with the shared secret it persisted.
        let PaymentFailureReason::HopFailed {
            hop_index: 1,
            is_recipient: true,
            failure: Some(message),
            ..
        } = reason
        else {
            panic!("cut {cut}: failure not attributed to C: {reason:?}");
        };
        assert!(
            matches!(
                message.failure,
                Failure::IncorrectOrUnknownPaymentDetails { .. }
            ),
            "cut {cut}: {message:?}"
        );
        assert_eq!(net.forwarded(1), 0);
        net.assert_settled();
        assert_eq!(net.net.balance_msat(1, line.chans[0].id), 0, "cut {cut}");
    }
}

// ---------------------------------------------------------------- multi-part receive

struct Diamond {
    net: StepNet,
    chans: Vec<Chan>,
    id: PaymentId,
    hash: PaymentHash,
}

/// A=0 pays D=3 200,000 in two parts of 100,000: over B=1 and over C=2.
fn diamond_payment() -> Diamond {
    let mut net = Net::new(4, config());
    let ab = net.open(0, 1, FUNDING_SATS, 0);
    let ac = net.open(0, 2, FUNDING_SATS, 0);
    let bd = net.open(1, 3, FUNDING_SATS, 0);
    let cd = net.open(2, 3, FUNDING_SATS, 0);
    let (hash, secret) = net.nodes[3]
        .manager
        .create_inbound_payment(Some(200_000), 86_400, START);
    let route = Route {
        paths: vec![
            path(&[(net.id(1), ab.scid), (net.id(3), bd.scid)], 100_000),
            path(&[(net.id(2), ac.scid), (net.id(3), cd.scid)], 100_000),
        ],
    };
    let id = PaymentId([2; 32]);
    net.nodes[0]
        .manager
        .send_payment(&route, hash, RecipientOnionFields::secret_only(secret), id)
        .expect("send");
    let links = vec![(0, 1), (0, 2), (1, 3), (2, 3)];
    let mut net = StepNet::new(net, config(), links);
    net.pump();
    Diamond {
        net,
        chans: vec![ab, ac, bd, cd],
        id,
        hash,
    }
}

fn claimable_count(net: &StepNet, i: usize) -> usize {
    net.count(i, |e| matches!(e, Event::PaymentClaimable { .. }))
}

fn receive_failed_count(net: &StepNet, i: usize) -> usize {
    net.count(i, |e| matches!(e, Event::PaymentReceiveFailed { .. }))
}

fn assert_diamond_paid(d: &Diamond, context: &str) {
    let net = &d.net;
    assert_eq!(net.outcomes(0, d.id), (1, 0), "{context}: {:?}", net.events);
    assert_eq!(claimable_count(net, 3), 1, "{context}: {:?}", net.events[3]);
    assert!(
        net.events[3].contains(&Event::PaymentClaimed {
            payment_hash: d.hash,
            amount_msat: 200_000
        }),
        "{context}: {:?}",
        net.events[3]
    );
    assert_eq!(net.forwarded(1), 1, "{context}");
    assert_eq!(net.forwarded(2), 1, "{context}");
    net.assert_settled();
    let (bd, cd) = (d.chans[2], d.chans[3]);
    assert_eq!(net.net.balance_msat(3, bd.id), 100_000, "{context}");
    assert_eq!(net.net.balance_msat(3, cd.id), 100_000, "{context}");
}

#[test]
fn receiver_restarts_after_every_step_of_a_two_part_payment() {
    let total = diamond_payment().net.run();
    let mut raced = 0;
    for cut in 0..=total {
        let mut d = diamond_payment();
        for _ in 0..cut {
            d.net.step();
        }
        d.net.save_and_restart(3);
        d.net.run();
        let context = format!("receiver restarted at step {cut}");
        if path_failed_count(&d.net) == 0 {
            assert_diamond_paid(&d, &context);
            continue;
        }
        // A part locked in at its forwarder while the forwarder's channel to D was being
        // reestablished: it failed back (temporary_channel_failure); the other part waits
        // at D (if it got there) until its set times out; the payment fails once.
        raced += 1;
        for _ in 0..2 {
            d.net.manager(3).timer_tick_occurred();
        }
        d.net.run();
        assert_eq!(
            d.net.outcomes(0, d.id),
            (0, 1),
            "{context}: {:?}",
            d.net.events
        );
        assert_eq!(claimable_count(&d.net, 3), 0, "{context}");
        d.net.assert_settled();
    }
    assert!(raced * 2 <= total, "most restarts complete the payment");
}

#[test]
fn receiver_restarts_with_one_part_held_and_the_rest_arrives() {
    let mut d = diamond_payment();
    d.net.hold(2, 3);
    d.net.run();
    assert_eq!(
        claimable_count(&d.net, 3),
        0,
        "one part only: not claimable"
    );
    d.net.manager(3).timer_tick_occurred();
    d.net.save_and_restart(3);
    // The part over C was lost with the connection; C offers it again at the reestablish.
    d.net.release(2, 3);
    d.net.run();
    assert_diamond_paid(&d, "held part then the rest");
}

#[test]
fn receiver_restarts_with_one_part_held_and_the_set_times_out_on_its_saved_ticks() {
    let mut d = diamond_payment();
    d.net.hold(2, 3);
    d.net.run();
    d.net.manager(3).timer_tick_occurred();
    d.net.pump();
    assert_eq!(receive_failed_count(&d.net, 3), 0, "one tick of two");
    d.net.save_and_restart(3);
    // The tick counted before the restart counts: one more reaches the limit of two.
    d.net.manager(3).timer_tick_occurred();
    d.net.pump();
    assert_eq!(receive_failed_count(&d.net, 3), 1, "{:?}", d.net.events[3]);
    assert!(d.net.events[3].contains(&Event::PaymentReceiveFailed {
        payment_hash: d.hash,
        received_msat: 100_000,
    }));
    d.net.run();
    // The part over B failed back with mpp_timeout; the part over C is still in flight.
    assert_eq!(d.net.outcomes(0, d.id), (0, 0), "{:?}", d.net.events[0]);
    d.net.release(2, 3);
    d.net.run();
    for _ in 0..2 {
        d.net.manager(3).timer_tick_occurred();
    }
    d.net.run();
    assert_eq!(receive_failed_count(&d.net, 3), 2);
    assert_eq!(claimable_count(&d.net, 3), 0);
    assert_eq!(d.net.outcomes(0, d.id), (0, 1), "{:?}", d.net.events[0]);
    d.net.assert_settled();
    assert_eq!(d.net.net.balance_msat(3, d.chans[2].id), 0);
    assert_eq!(d.net.net.balance_msat(3, d.chans[3].id), 0);
}

// ---------------------------------------------------------------- sender with a retry

/// First route: two halves, over B and over C, where C's next channel does not exist (C
/// fails it with `unknown_next_peer`). Later routes: the asked amount over E, or over E to a
/// channel that does not exist when `retry_fails`.
struct SplitRouter {
    first: Route,
    retry_hops: Vec<(PublicKey, ShortChannelId)>,
    calls: usize,
    failed: usize,
    succeeded: usize,
}

impl Router for SplitRouter {
    fn find_route(
        &mut self,
        _payer: &PublicKey,
        params: &RouteParameters,
        _first_hops: &[FirstHop],
        _in_flight: &InFlightHtlcs,
        _now: Duration,
    ) -> Result<Route, FindRouteError> {
        self.calls += 1;
        if self.calls == 1 {
            return Ok(self.first.clone());
        }
        let excluded = self
            .retry_hops
            .iter()
            .any(|(_, scid)| params.excluded_channels.contains(scid));
        if excluded {
            return Err(FindRouteError::NoRoute);
        }
        Ok(Route::single(path(
            &self.retry_hops,
            params.final_value_msat,
        )))
    }

    fn payment_path_failed(
        &mut self,
        _payer: &PublicKey,
        _path: &Path,
        _failing_scid: Option<ShortChannelId>,
        _now: Duration,
    ) {
        self.failed += 1;
    }

    fn payment_path_successful(&mut self, _payer: &PublicKey, _path: &Path, _now: Duration) {
        self.succeeded += 1;
    }
}

struct Star {
    net: StepNet,
    router: SplitRouter,
    id: PaymentId,
    hash: PaymentHash,
}

const NO_CHANNEL: ShortChannelId = ShortChannelId(0x00ff_ffff_0000_0000);
const NO_CHANNEL_EITHER: ShortChannelId = ShortChannelId(0x00ff_fffe_0000_0000);

/// A=0 pays D=3 200,000 with `retry`: B=1, C=2 and E=4 each link A and D.
fn star_payment(retry: Retry, retry_fails: bool) -> Star {
    let mut net = Net::new(5, config());
    let ab = net.open(0, 1, FUNDING_SATS, 0);
    let ac = net.open(0, 2, FUNDING_SATS, 0);
    let ae = net.open(0, 4, FUNDING_SATS, 0);
    let bd = net.open(1, 3, FUNDING_SATS, 0);
    let cd = net.open(2, 3, FUNDING_SATS, 0);
    let ed = net.open(4, 3, FUNDING_SATS, 0);
    let _ = cd;
    let (hash, secret) = net.nodes[3]
        .manager
        .create_inbound_payment(Some(200_000), 86_400, START);
    let first = Route {
        paths: vec![
            path(&[(net.id(1), ab.scid), (net.id(3), bd.scid)], 100_000),
            path(&[(net.id(2), ac.scid), (net.id(3), NO_CHANNEL)], 100_000),
        ],
    };
    let last = if retry_fails {
        NO_CHANNEL_EITHER
    } else {
        ed.scid
    };
    let mut router = SplitRouter {
        first,
        retry_hops: vec![(net.id(4), ae.scid), (net.id(3), last)],
        calls: 0,
        failed: 0,
        succeeded: 0,
    };
    let id = PaymentId([3; 32]);
    let mut params = RouteParameters::new(net.id(3), 200_000, 40);
    params.max_path_count = 2;
    net.nodes[0]
        .manager
        .send_payment_with_retry(
            params,
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
            retry,
            &mut router,
            START,
        )
        .expect("send");
    let links = vec![(0, 1), (0, 2), (0, 4), (1, 3), (2, 3), (4, 3)];
    let mut net = StepNet::new(net, config(), links);
    net.pump();
    Star {
        net,
        router,
        id,
        hash,
    }
}

/// One message, or (when none is in flight) one round of the payer's retries; false when
/// neither moves anything.
fn advance(star: &mut Star) -> bool {
    if star.net.step() {
        return true;
    }
    let now = START + Duration::from_secs(60);
    star.net
        .manager(0)
        .process_pending_payments(&mut star.router, now);
    star.net.pump();
    star.net.step()
}

fn drive(star: &mut Star) -> usize {
    let mut count = 0;
    while advance(star) {
        count += 1;
        assert!(count < 10_000, "does not settle");
    }
    count
}

#[test]
fn sender_restarts_after_every_step_of_a_split_payment_with_a_retry() {
    let total = drive(&mut star_payment(Retry::Attempts(2), false));
    for cut in 0..=total {
        let mut star = star_payment(Retry::Attempts(2), false);
        for _ in 0..cut {
            advance(&mut star);
        }
        star.net.save_and_restart(0);
        drive(&mut star);
        let net = &star.net;
        let context = format!("sender restarted at step {cut}");
        assert_eq!(
            net.outcomes(0, star.id),
            (1, 0),
            "{context}: {:?}",
            net.events
        );
        assert_eq!(path_failed_count(net), 1, "{context}: {:?}", net.events[0]);
        assert_eq!(star.router.calls, 2, "{context}: one retry");
        assert!(net.events[3].contains(&Event::PaymentClaimed {
            payment_hash: star.hash,
            amount_msat: 200_000
        }));
        assert_eq!(net.forwarded(1), 1, "{context}");
        assert_eq!(net.forwarded(4), 1, "{context}");
        net.assert_settled();
    }
}

#[test]
fn sender_restarts_with_a_part_in_flight_and_a_retry_pending() {
    let mut star = star_payment(Retry::Attempts(1), false);
    // The part over B waits at B; the part over C fails back.
    star.net.hold(1, 3);
    star.net.run();
    assert_eq!(path_failed_count(&star.net), 1, "{:?}", star.net.events[0]);
    assert_eq!(
        star.router.calls, 1,
        "the retry waits for process_pending_payments"
    );
    star.net.save_and_restart(0);
    // The retry budget and the failed amount survived: the retry goes over E.
    drive(&mut star);
    assert_eq!(star.router.calls, 2);
    assert_eq!(
        star.net.outcomes(0, star.id),
        (0, 0),
        "part over B still held"
    );
    star.net.release(1, 3);
    drive(&mut star);
    assert_eq!(
        star.net.outcomes(0, star.id),
        (1, 0),
        "{:?}",
        star.net.events
    );
    assert_eq!(star.router.failed, 1);
    star.net.assert_settled();
}

#[test]
fn sender_restarts_after_its_retry_and_the_spent_budget_is_kept() {
    let mut star = star_payment(Retry::Attempts(1), true);
    star.net.hold(1, 3);
    star.net.run();
    star.net.save_and_restart(0);
    drive(&mut star);
    // The retry over E failed too: the budget of one retry is spent.
    assert_eq!(star.router.calls, 2);
    assert_eq!(path_failed_count(&star.net), 2, "{:?}", star.net.events[0]);
    star.net.save_and_restart(0);
    drive(&mut star);
    assert_eq!(star.router.calls, 2, "no retry beyond the saved budget");
    assert_eq!(
        star.net.outcomes(0, star.id),
        (0, 0),
        "part over B in flight"
    );
    // D holds the part over B until its set times out.
    star.net.release(1, 3);
    drive(&mut star);
    for _ in 0..2 {
        star.net.manager(3).timer_tick_occurred();
    }
    drive(&mut star);
    assert_eq!(
        star.net.outcomes(0, star.id),
        (0, 1),
        "{:?}",
        star.net.events
    );
    assert_eq!(star.router.calls, 2);
    star.net.assert_settled();
}

#[test]
fn encodings_with_forwards_incomplete_sets_and_pending_retries_are_fixed_points() {
    let mut star = star_payment(Retry::Attempts(1), false);
    star.net.hold(1, 3);
    star.net.run();
    let mut diamond = diamond_payment();
    diamond.net.hold(2, 3);
    diamond.net.run();
    // Star: A has a part in flight and a retry pending, B a forward in flight. Diamond: D
    // holds an incomplete set, B and C have forwards in flight.
    for (net, nodes) in [(&mut star.net, [0, 1]), (&mut diamond.net, [1, 3])] {
        for i in nodes {
            let saved = net.manager(i).encode();
            let params = |life| restart_multi_support::restart_params(i, config(), life);
            let once = lightning::manager::ChannelManager::decode(&saved, params(1))
                .expect("decode")
                .encode();
            let twice = lightning::manager::ChannelManager::decode(&once, params(2))
                .expect("decode again")
                .encode();
            assert_eq!(once, twice, "node {i}: re-encoding gives the same bytes");
            for len in [1, saved.len() / 2, saved.len() - 1] {
                assert!(
                    lightning::manager::ChannelManager::decode(&saved[..len], params(3)).is_err()
                );
            }
        }
    }
}

#[test]
fn events_not_yet_handled_survive_a_restart() {
    // The plain harness leaves events in the managers until asked.
    let mut net = Net::new(3, config());
    let ab = net.open(0, 1, FUNDING_SATS, 0);
    let bc = net.open(1, 2, FUNDING_SATS, 0);
    let (hash, secret) = net.nodes[2]
        .manager
        .create_inbound_payment(Some(50_000), 86_400, START);
    let hops = [(net.id(1), ab.scid), (net.id(2), bc.scid)];
    let id = PaymentId([4; 32]);
    net.nodes[0]
        .manager
        .send_payment(
            &Route::single(path(&hops, 50_000)),
            hash,
            RecipientOnionFields::secret_only(secret),
            id,
        )
        .expect("send");
    net.deliver();
    let claimable = net.events(2);
    let [Event::PaymentClaimable {
        payment_preimage: Some(preimage),
        ..
    }] = claimable.as_slice()
    else {
        panic!("{claimable:?}");
    };
    net.nodes[2].manager.claim_funds(*preimage).expect("claim");
    net.deliver();
    for i in [0, 1] {
        let saved = net.nodes[i].manager.encode();
        let mut restored = lightning::manager::ChannelManager::decode(
            &saved,
            restart_multi_support::restart_params(i, config(), 1),
        )
        .expect("decode");
        let replayed: Vec<Event> = std::iter::from_fn(|| restored.next_event()).collect();
        let live = net.events(i);
        assert_eq!(replayed, live, "node {i}");
        let expected = if i == 0 {
            matches!(live.as_slice(), [Event::PaymentSent { payment_id, .. }] if *payment_id == id)
        } else {
            matches!(
                live.as_slice(),
                [Event::PaymentForwarded {
                    fee_earned_msat: 100,
                    outbound_amount_msat: 50_000,
                    ..
                }]
            )
        };
        assert!(expected, "node {i}: {live:?}");
    }
}
