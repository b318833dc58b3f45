//! A signer answering `Pending` pauses the channel; `signer_ready` resumes it.

mod channel_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use channel_support::*;
use lightning::channel::{ChannelEvent, ChannelPhase};

#[test]
fn pending_signer_pauses_funding_commitments_and_close() {
    let flag = Arc::new(AtomicBool::new(false));
    let options = Options {
        a_signer_pending: Some(flag.clone()),
        ..Options::default()
    };
    let mut pair = Pair::negotiate(&options);
    pair.run();
    let Some(ChannelEvent::FundingGenerationReady {
        output_script,
        funding_satoshis,
        ..
    }) = pair.a.take_events().into_iter().next()
    else {
        panic!("funding generation expected");
    };
    flag.store(true, Ordering::SeqCst);
    let tx = funding_transaction(output_script, funding_satoshis);
    pair.a.chan.funding_transaction_generated(tx, 1).unwrap();
    pair.collect();
    assert!(pair.a_to_b.is_empty());
    assert!(pair.a.chan.is_signer_pending());
    flag.store(false, Ordering::SeqCst);
    pair.a.chan.signer_ready().unwrap();
    pair.run();
    let scid = lightning::wire::ShortChannelId::new(500, 1, 1).unwrap();
    pair.a.chan.funding_depth(6, scid).unwrap();
    pair.b.chan.funding_depth(6, scid).unwrap();
    pair.run();
    assert_eq!(pair.a.chan.phase(), ChannelPhase::Normal);

    // commitment_signed waits for the signer.
    flag.store(true, Ordering::SeqCst);
    pair.send(true, 10_000_000, [1; 32]);
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.collect();
    assert_eq!(pair.a_to_b.len(), 1, "only the add leaves");
    flag.store(false, Ordering::SeqCst);
    pair.a.chan.signer_ready().unwrap();
    pair.step(true);
    pair.step(true);
    // b answers revoke_and_ack + commitment_signed; a's revoke_and_ack waits for the signer.
    flag.store(true, Ordering::SeqCst);
    pair.step(false);
    pair.step(false);
    pair.collect();
    assert!(pair.a_to_b.is_empty());
    flag.store(false, Ordering::SeqCst);
    pair.a.chan.signer_ready().unwrap();
    pair.run();
    pair.assert_agree();
    assert_eq!(pair.a.chan.commitment_numbers(), (1, 1));
    assert_eq!(pair.b.chan.commitment_numbers(), (1, 1));

    pair.b.chan.fulfill_htlc(0, preimage(1)).unwrap();
    pair.b.chan.maybe_send_commitment().unwrap();
    pair.run();
    pair.assert_agree();

    // The funder's closing_signed waits for the signer too.
    flag.store(true, Ordering::SeqCst);
    pair.a.chan.close(None, 1_000).unwrap();
    pair.run();
    assert_eq!(pair.a.chan.phase(), ChannelPhase::NegotiatingClose);
    flag.store(false, Ordering::SeqCst);
    pair.a.chan.signer_ready().unwrap();
    pair.run();
    assert_eq!(pair.a.chan.phase(), ChannelPhase::Closed);
    assert_eq!(pair.b.chan.phase(), ChannelPhase::Closed);
}

#[test]
fn force_close_with_a_pending_signer_closes_and_leaves_the_commitment_to_the_monitor() {
    let flag = Arc::new(AtomicBool::new(false));
    let options = Options {
        a_signer_pending: Some(flag.clone()),
        ..Options::default()
    };
    let mut pair = Pair::open(&options);
    pair.send(true, 10_000_000, [1; 32]);
    pair.a.chan.maybe_send_commitment().unwrap();
    pair.run();
    pair.a.pump();
    let updates_before = pair.a.updates.len();
    flag.store(true, Ordering::SeqCst);
    let signed = pair
        .a
        .chan
        .force_close()
        .expect("closes without the signer");
    assert!(signed.is_none(), "nothing signed while the signer is away");
    assert_eq!(pair.a.chan.phase(), ChannelPhase::Closed);
    pair.a.pump();
    let new_updates = &pair.a.updates[updates_before..];
    assert!(
        matches!(
            new_updates,
            [update] if update.steps == vec![lightning::monitor::update::MonitorUpdateStep::ChannelForceClosed]
        ),
        "the monitor is told to broadcast: {new_updates:?}"
    );
    assert!(pair
        .a
        .take_events()
        .iter()
        .any(|event| matches!(event, ChannelEvent::Closed { .. })));
    assert!(pair.a.chan.force_close().is_err(), "closed once");
}
