//! The `Router` trait surface: object safety, fees, in-flight accounting, parameters.

use core::time::Duration;

use lightning::routing::{
    direction_bit, FindRouteError, FirstHop, InFlightHtlcs, Path, Route, RouteHop, RouteParameters,
    Router, RoutingFees,
};
use lightning::wire::features::Bolt11InvoiceFeatures;
use lightning::wire::ShortChannelId;
use secp256k1::{PublicKey, Secp256k1, SecretKey};

fn key(byte: u8) -> PublicKey {
    PublicKey::from_secret_key(
        &Secp256k1::new(),
        &SecretKey::from_slice(&[byte; 32]).unwrap(),
    )
}

/// A router that pays directly over the first hop to the payee, and counts feedback.
struct DirectRouter {
    failures: usize,
    successes: usize,
}

impl Router for DirectRouter {
    fn find_route(
        &mut self,
        _payer: &PublicKey,
        params: &RouteParameters,
        first_hops: &[FirstHop],
        _in_flight: &InFlightHtlcs,
        _now: Duration,
    ) -> Result<Route, FindRouteError> {
        let hop = first_hops
            .iter()
            .find(|hop| hop.counterparty == params.payee)
            .ok_or(FindRouteError::NoRoute)?;
        Ok(Route::single(Path::direct(
            hop.counterparty,
            hop.short_channel_id,
            params.final_value_msat,
            params.final_cltv_expiry_delta,
        )))
    }

    fn payment_path_failed(
        &mut self,
        _payer: &PublicKey,
        _path: &Path,
        _failing_scid: Option<ShortChannelId>,
        _now: Duration,
    ) {
        self.failures += 1;
    }

    fn payment_path_successful(&mut self, _payer: &PublicKey, _path: &Path, _now: Duration) {
        self.successes += 1;
    }
}

#[test]
fn router_is_object_safe_and_gets_feedback() {
    let mut router: Box<dyn Router> = Box::new(DirectRouter {
        failures: 0,
        successes: 0,
    });
    let params = RouteParameters::new(key(2), 5_000, 40);
    let first_hops = [FirstHop {
        short_channel_id: ShortChannelId(7),
        counterparty: key(2),
        outbound_capacity_msat: 10_000,
        next_outbound_htlc_limit_msat: 10_000,
        next_outbound_htlc_minimum_msat: 1,
    }];
    let route = router
        .find_route(
            &key(1),
            &params,
            &first_hops,
            &InFlightHtlcs::new(),
            Duration::ZERO,
        )
        .unwrap();
    assert_eq!(route.paths[0].final_value_msat(), 5_000);
    router.payment_path_successful(&key(1), &route.paths[0], Duration::ZERO);
    router.payment_path_failed(&key(1), &route.paths[0], None, Duration::ZERO);
    let other = RouteParameters::new(key(3), 5_000, 40);
    assert_eq!(
        router.find_route(
            &key(1),
            &other,
            &first_hops,
            &InFlightHtlcs::new(),
            Duration::ZERO
        ),
        Err(FindRouteError::NoRoute)
    );
}

#[test]
fn fees_are_base_plus_proportional_rounded_down() {
    let fees = RoutingFees {
        base_msat: 1_000,
        proportional_millionths: 100,
    };
    assert_eq!(fees.fee_for(1_000_000), Some(1_100));
    assert_eq!(fees.fee_for(9_999), Some(1_000));
    let huge = RoutingFees {
        base_msat: u32::MAX,
        proportional_millionths: u32::MAX,
    };
    assert_eq!(huge.fee_for(u64::MAX), None);
}

#[test]
fn in_flight_counts_the_amount_arriving_at_each_hop_per_direction() {
    let (a, b, c) = (key(1), key(2), key(3));
    let path = Path {
        hops: vec![
            RouteHop {
                node_id: b,
                short_channel_id: ShortChannelId(1),
                fee_msat: 10,
                cltv_expiry_delta: 40,
            },
            RouteHop {
                node_id: c,
                short_channel_id: ShortChannelId(2),
                fee_msat: 1_000,
                cltv_expiry_delta: 18,
            },
        ],
    };
    let mut in_flight = InFlightHtlcs::new();
    in_flight.add_path(&a, &path);
    in_flight.add_path(&a, &path);
    assert_eq!(in_flight.used_msat(ShortChannelId(1), &a, &b), 2_020);
    assert_eq!(in_flight.used_msat(ShortChannelId(2), &b, &c), 2_000);
    assert_eq!(in_flight.used_msat(ShortChannelId(2), &c, &b), 0);
    assert_ne!(direction_bit(&a, &b), direction_bit(&b, &a));
}

#[test]
fn multi_path_needs_basic_mpp_and_more_than_one_path() {
    let mut params = RouteParameters::new(key(2), 1, 18);
    assert!(!params.allows_multi_path());
    let mut features = Bolt11InvoiceFeatures::empty();
    features.set_basic_mpp_optional();
    params.payee_features = Some(features);
    assert!(params.allows_multi_path());
    params.max_path_count = 1;
    assert!(!params.allows_multi_path());
}
