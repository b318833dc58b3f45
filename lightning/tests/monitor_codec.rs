//! Monitor updates that do not apply are rejected with typed errors; the monitor's encoding
//! round-trips, and decoding an old copy then applying the later updates gives the same
//! monitor.

mod monitor_support;

use lightning::monitor::update::{ChannelMonitorUpdate, MonitorUpdateStep};
use lightning::monitor::{
    ChannelMonitor, MonitorDecodeError, MonitorUpdateError, MONITOR_FORMAT_VERSION,
};
use lightning::wire::ChannelId;
use monitor_support::*;
use proptest::prelude::*;

fn busy_net() -> Net {
    let mut net = Net::open(false);
    let cltv = net.chain.height() + 50;
    let id = net.send(true, 40_000_000, [1; 32], cltv);
    net.send(false, 20_000_000, [2; 32], cltv);
    net.b.chan.fulfill_htlc(id, preimage(1)).unwrap();
    net.b.chan.maybe_send_commitment().unwrap();
    net.run();
    net
}

#[test]
fn updates_that_do_not_apply_are_rejected_and_change_nothing() {
    let mut net = busy_net();
    let before = net.b.monitor().encode();
    let latest = net.b.monitor().latest_update_id();
    let channel_id = net.b.chan.channel_id();
    let preimage_step = || {
        vec![MonitorUpdateStep::PaymentPreimage {
            preimage: preimage(9),
        }]
    };
    let skip = ChannelMonitorUpdate {
        channel_id,
        update_id: latest + 2,
        steps: preimage_step(),
    };
    assert_eq!(
        net.b.monitor().update(&skip),
        Err(MonitorUpdateError::OutOfOrder {
            expected: latest + 1,
            got: latest + 2
        })
    );
    let replay = net.b.updates.last().unwrap().clone();
    assert!(matches!(
        net.b.monitor().update(&replay),
        Err(MonitorUpdateError::OutOfOrder { .. })
    ));
    let other = ChannelMonitorUpdate {
        channel_id: ChannelId([0xee; 32]),
        update_id: latest + 1,
        steps: preimage_step(),
    };
    assert_eq!(
        net.b.monitor().update(&other),
        Err(MonitorUpdateError::WrongChannel {
            expected: channel_id,
            got: ChannelId([0xee; 32])
        })
    );
    let init_again = ChannelMonitorUpdate {
        update_id: latest + 1,
        ..net.b.updates[0].clone()
    };
    assert_eq!(
        net.b.monitor().update(&init_again),
        Err(MonitorUpdateError::MisplacedInit)
    );
    let bad_secret = ChannelMonitorUpdate {
        channel_id,
        update_id: latest + 1,
        steps: vec![MonitorUpdateStep::CommitmentSecret {
            commitment_number: net.b.chan.commitment_numbers().1 - 1,
            secret: [3; 32],
        }],
    };
    assert!(matches!(
        net.b.monitor().update(&bad_secret),
        Err(MonitorUpdateError::BadSecret { .. })
    ));
    // Steps that apply, then one that does not: the whole update is refused, none of its
    // steps stays (a new preimage, a new counterparty commitment, a shutdown script, the
    // force-close flag).
    let mut counterparty_step = net
        .b
        .updates
        .iter()
        .flat_map(|update| update.steps.iter())
        .rfind(|step| matches!(step, MonitorUpdateStep::LatestCounterpartyCommitment { .. }))
        .cloned()
        .expect("b signed a counterparty commitment");
    if let MonitorUpdateStep::LatestCounterpartyCommitment { commitment, .. } =
        &mut counterparty_step
    {
        commitment.commitment_number += 1;
    }
    let mut steps = preimage_step();
    steps.push(counterparty_step);
    steps.push(MonitorUpdateStep::ShutdownScript {
        script: lightning::bitcoin::ScriptBuf::from_bytes(vec![0x51]),
    });
    steps.push(MonitorUpdateStep::ChannelForceClosed);
    let good_steps = ChannelMonitorUpdate {
        channel_id,
        update_id: latest + 1,
        steps: steps.clone(),
    };
    steps.extend(bad_secret.steps.clone());
    let half_good = ChannelMonitorUpdate {
        channel_id,
        update_id: latest + 1,
        steps,
    };
    assert!(matches!(
        net.b.monitor().update(&half_good),
        Err(MonitorUpdateError::BadSecret { .. })
    ));
    assert_eq!(net.b.monitor().encode(), before, "nothing changed");
    // The same steps without the bad one apply (so the check above could fail).
    let mut copy = ChannelMonitor::decode(&before, signer(12)).expect("decodes");
    copy.update(&good_steps).expect("applies");
    assert_ne!(copy.encode(), before);
    // Update 0 with the wrong signer.
    assert!(matches!(
        ChannelMonitor::new(
            &net.b.updates[0],
            signer(99),
            net.b.destination.clone(),
            net.chain.tip()
        ),
        Err(MonitorUpdateError::SignerMismatch)
    ));
    assert!(matches!(
        ChannelMonitor::new(
            &net.b.updates[1],
            signer(12),
            net.b.destination.clone(),
            net.chain.tip()
        ),
        Err(MonitorUpdateError::MisplacedInit)
    ));
}

#[test]
fn encoding_round_trips_and_old_copy_plus_deltas_equals_current() {
    let mut net = Net::open(false);
    let snapshot = net.b.monitor().encode();
    let first_delta = net.b.updates.len();
    let cltv = net.chain.height() + 50;
    let id = net.send(true, 40_000_000, [1; 32], cltv);
    net.send(false, 20_000_000, [2; 32], cltv);
    net.b.chan.fulfill_htlc(id, preimage(1)).unwrap();
    net.b.chan.maybe_send_commitment().unwrap();
    net.run();
    assert!(net.b.updates.len() - first_delta >= 6, "several updates");
    let current = net.b.monitor().encode();
    assert_eq!(current[0], MONITOR_FORMAT_VERSION);

    let decoded = ChannelMonitor::decode(&current, signer(12)).expect("decodes");
    assert_eq!(decoded.encode(), current);

    let mut restored = ChannelMonitor::decode(&snapshot, signer(12)).expect("decodes");
    for update in &net.b.updates[first_delta..] {
        let bytes = update.encode();
        restored
            .update(&ChannelMonitorUpdate::decode(&bytes).unwrap())
            .expect("delta applies");
    }
    assert_eq!(restored.encode(), current);

    assert_eq!(
        ChannelMonitor::decode(&current, signer(11)).err(),
        Some(MonitorDecodeError::SignerMismatch)
    );
    assert_eq!(
        ChannelMonitor::decode(&[], signer(12)).err(),
        Some(MonitorDecodeError::Empty)
    );
    assert_eq!(
        ChannelMonitor::decode(&[7], signer(12)).err(),
        Some(MonitorDecodeError::UnknownVersion(7))
    );
    // Every truncation fails cleanly.
    for len in 1..current.len() {
        assert!(ChannelMonitor::decode(&current[..len], signer(12)).is_err());
    }
}

#[test]
fn encoding_after_close_round_trips() {
    let mut net = busy_net();
    net.b.chan.force_close().unwrap();
    net.collect();
    net.mine(3);
    let bytes = net.b.monitor().encode();
    let decoded = ChannelMonitor::decode(&bytes, signer(12)).unwrap();
    assert_eq!(decoded.encode(), bytes);
    assert_eq!(decoded.funding_spend(), net.b.monitor().funding_spend());
    assert_eq!(
        decoded.claimable_outputs(),
        net.b.monitor().claimable_outputs()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = bytes;
        if let Some(first) = bytes.first_mut() {
            *first = MONITOR_FORMAT_VERSION;
        }
        let _ = ChannelMonitor::decode(&bytes, signer(12));
    }
}
