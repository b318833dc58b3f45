//! The funder keeps the BOLT 2 "fee spike buffer" when it offers HTLCs: its outbound capacity
//! leaves room for the commitment fee at twice the feerate with one more HTLC, so an HTLC the
//! peer offers at the same time never makes the funder's own offers unaffordable at the peer.

mod channel_support;

use channel_support::*;
use lightning::channel::{ApiError, ChannelError};

const BIG_MSAT: u64 = 100_000_000;

#[test]
fn the_funder_offers_up_to_its_capacity_and_the_peer_accepts_it_beside_its_own_add() {
    let mut pair = Pair::open(&Options::default());
    // Spend the funder (a) down with a few large HTLCs, then fill to the exact capacity.
    for n in 0..3 {
        pair.send(true, BIG_MSAT, [10 + n; 32]);
    }
    let capacity = pair.a.chan.balances().outbound_capacity_msat;
    assert!(capacity > 0);
    let refused = pair.a.chan.send_htlc(
        capacity + 1,
        payment_hash([1; 32]),
        600_000,
        Box::new([0; 1366]),
    );
    assert!(
        matches!(
            refused,
            Err(ChannelError::Api(ApiError::InsufficientBalance))
        ),
        "one msat over the capacity: {refused:?}"
    );
    pair.send(true, capacity, [2; 32]);
    assert_eq!(pair.a.chan.balances().outbound_capacity_msat, 0);
    // The peer offers an HTLC before it sees any of a's: the commitment a pays for grows by
    // one HTLC on both sides, and a's offers must still pass b's checks.
    pair.send(false, 5_000_000, [3; 32]);
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.b.chan.maybe_send_commitment().unwrap();
    pair.run();
    pair.assert_agree();
    assert_eq!(pair.a.chan.balances().pending_htlcs, 5);
}
