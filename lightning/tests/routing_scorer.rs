//! The default scorer: liquidity bounds learned from outcomes, per direction, decaying with
//! the half-life, and the penalty they imply.

use std::time::Duration;

use lightning::routing::scorer::IMPOSSIBLE_PENALTY_MSAT;
use lightning::routing::{LiquidityScorer, Score, ScoredHop, ScorerConfig};
use lightning::wire::ShortChannelId;

const T0: Duration = Duration::from_secs(1_700_000_000);
const CAPACITY: u64 = 1_000_000;

fn hop(scid: u64, direction: bool, amount_msat: u64) -> ScoredHop {
    ScoredHop {
        short_channel_id: ShortChannelId(scid),
        direction,
        amount_msat,
        capacity_msat: CAPACITY,
    }
}

fn scorer() -> LiquidityScorer {
    LiquidityScorer::new(ScorerConfig {
        base_penalty_msat: 100,
        liquidity_penalty_multiplier_msat: 10_000,
        half_life: Duration::from_secs(3600),
    })
}

fn bounds(s: &LiquidityScorer, scid: u64, direction: bool, now: Duration) -> (u64, u64) {
    s.estimated_liquidity_msat(ShortChannelId(scid), direction, CAPACITY, now)
}

#[test]
fn the_penalty_grows_with_the_share_of_capacity() {
    let s = scorer();
    let penalty = |amount| s.channel_penalty_msat(ShortChannelId(1), false, amount, CAPACITY, T0);
    assert_eq!(penalty(0), 100);
    assert!(penalty(100_000) < penalty(500_000));
    assert!(penalty(500_000) < penalty(900_000));
    // Half the capacity: p = 1/2, one bit.
    assert!(
        (9_900..10_100).contains(&(penalty(500_000) - 100)),
        "{}",
        penalty(500_000)
    );
    assert_eq!(penalty(CAPACITY + 1), IMPOSSIBLE_PENALTY_MSAT);
}

#[test]
fn failures_and_successes_set_bounds_on_the_right_hops_and_direction() {
    let mut s = scorer();
    let path = [
        hop(1, false, 600_000),
        hop(2, true, 590_000),
        hop(3, false, 580_000),
    ];
    s.payment_path_failed(&path, Some(1), T0);
    assert_eq!(bounds(&s, 1, false, T0), (600_000, CAPACITY), "carried it");
    assert_eq!(bounds(&s, 2, true, T0), (0, 589_999), "could not carry it");
    assert_eq!(
        bounds(&s, 2, false, T0),
        (0, CAPACITY),
        "other direction untouched"
    );
    assert_eq!(bounds(&s, 3, false, T0), (0, CAPACITY), "never reached");
    // A smaller amount now over the failed hop costs less than the failed amount.
    let small = s.channel_penalty_msat(ShortChannelId(2), true, 100_000, CAPACITY, T0);
    let big = s.channel_penalty_msat(ShortChannelId(2), true, 590_000, CAPACITY, T0);
    assert!(small < big && big == IMPOSSIBLE_PENALTY_MSAT);
    // Below the learned minimum, only the base penalty is left.
    assert_eq!(
        s.channel_penalty_msat(ShortChannelId(1), false, 600_000, CAPACITY, T0),
        100
    );
    s.payment_path_successful(&[hop(3, false, 700_000)], T0);
    assert_eq!(bounds(&s, 3, false, T0), (700_000, CAPACITY));
    // A failure without a culprit teaches nothing.
    s.payment_path_failed(&[hop(9, false, 5)], None, T0);
    assert_eq!(bounds(&s, 9, false, T0), (0, CAPACITY));
}

#[test]
fn contradicting_outcomes_keep_the_bounds_ordered() {
    let mut s = scorer();
    s.payment_path_successful(&[hop(1, false, 800_000)], T0);
    s.payment_path_failed(&[hop(1, false, 300_000)], Some(0), T0);
    let (min, max) = bounds(&s, 1, false, T0);
    assert!(min <= max);
    assert_eq!(max, 299_999);
}

#[test]
fn bounds_decay_with_the_half_life() {
    let mut s = scorer();
    s.payment_path_failed(&[hop(1, false, 200_001), hop(2, false, 100)], Some(0), T0);
    s.payment_path_successful(&[hop(3, false, 800_000)], T0);
    let hour = Duration::from_secs(3600);
    // The upper bound's distance to the capacity halves each hour: 800,000, 400,000, ...
    assert_eq!(bounds(&s, 1, false, T0 + hour), (0, 600_000));
    assert_eq!(bounds(&s, 1, false, T0 + hour * 2), (0, 800_000));
    assert_eq!(bounds(&s, 3, false, T0 + hour), (400_000, CAPACITY));
    assert_eq!(bounds(&s, 3, false, T0 + hour * 100), (0, CAPACITY));
    // Time going backwards changes nothing.
    assert_eq!(bounds(&s, 3, false, T0 - hour), (800_000, CAPACITY));
}

#[test]
fn learned_bounds_round_trip_through_storage() {
    let mut s = scorer();
    s.payment_path_failed(
        &[hop(1, false, 600_000), hop(2, true, 590_000)],
        Some(1),
        T0,
    );
    s.payment_path_successful(&[hop(3, false, 700_000)], T0 + Duration::from_secs(5));
    let bytes = s.write();
    let read = LiquidityScorer::read(
        &bytes,
        ScorerConfig {
            base_penalty_msat: 100,
            liquidity_penalty_multiplier_msat: 10_000,
            half_life: Duration::from_secs(3600),
        },
    )
    .unwrap();
    assert_eq!(read, s);
    assert_eq!(read.learned_directions(), 3);
    let later = T0 + Duration::from_secs(1800);
    assert_eq!(bounds(&read, 2, true, later), bounds(&s, 2, true, later));
    assert_eq!(
        LiquidityScorer::read(b"nope", ScorerConfig::default()),
        Err(lightning::routing::ScorerReadError::NotAScorer)
    );
    let mut newer = bytes.clone();
    newer[7] = 9;
    assert_eq!(
        LiquidityScorer::read(&newer, ScorerConfig::default()),
        Err(lightning::routing::ScorerReadError::UnknownVersion(9))
    );
    for cut in 8..bytes.len() {
        let _ = LiquidityScorer::read(&bytes[..cut], ScorerConfig::default());
    }
    assert!(LiquidityScorer::read(&bytes[..bytes.len() - 1], ScorerConfig::default()).is_err());
}

#[test]
fn a_channel_of_the_largest_capacity_gets_a_finite_penalty() {
    // A graph read from storage may claim any capacity, u64::MAX included.
    let s = scorer();
    let penalty = |amount| s.channel_penalty_msat(ShortChannelId(1), false, amount, u64::MAX, T0);
    assert_eq!(penalty(0), 100);
    assert!(penalty(1) >= 100 && penalty(1) < IMPOSSIBLE_PENALTY_MSAT);
    assert!(penalty(u64::MAX / 2) > penalty(1));
    assert!(penalty(u64::MAX) < IMPOSSIBLE_PENALTY_MSAT);
}

proptest::proptest! {
    #[test]
    fn any_capacities_and_outcomes_give_ordered_bounds_and_bounded_penalties(
        capacity in proptest::prop_oneof![proptest::prelude::Just(u64::MAX), u64::MAX - 1_000..=u64::MAX, proptest::prelude::any::<u64>()],
        outcomes in proptest::collection::vec((proptest::prelude::any::<u64>(), proptest::prelude::any::<bool>(), 0u64..1_000_000), 0..8),
        amount in proptest::prelude::any::<u64>(),
    ) {
        let mut s = scorer();
        for (hop_amount, carried, later) in outcomes {
            let hop = ScoredHop {
                short_channel_id: ShortChannelId(1),
                direction: false,
                amount_msat: hop_amount,
                capacity_msat: capacity,
            };
            let now = T0 + Duration::from_secs(later);
            if carried {
                s.payment_path_successful(&[hop], now);
            } else {
                s.payment_path_failed(&[hop], Some(0), now);
            }
        }
        for now in [T0, T0 + Duration::from_secs(1_000_000)] {
            let (min, max) = s.estimated_liquidity_msat(ShortChannelId(1), false, capacity, now);
            proptest::prop_assert!(min <= max && max <= capacity);
            let penalty = s.channel_penalty_msat(ShortChannelId(1), false, amount, capacity, now);
            proptest::prop_assert!(penalty <= IMPOSSIBLE_PENALTY_MSAT);
            proptest::prop_assert_eq!(penalty == IMPOSSIBLE_PENALTY_MSAT, amount > max);
        }
    }
}
