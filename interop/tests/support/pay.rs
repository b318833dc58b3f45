//! Payments by hash and secret between ours and LDK over their direct channel.

use ldk::events::Event as LdkEvent;
use ldk::ln::channelmanager::{PaymentId as LdkPaymentId, RecipientOnionFields as LdkOnion, Retry};
use ldk::routing::router::{PaymentParameters, RouteParameters};
use ldk::types::payment::{PaymentHash as LdkHash, PaymentSecret as LdkSecret};
use lightning::manager::{Event, PaymentId, PaymentSecret, RecipientOnionFields};
use lightning::wire::PaymentHash;

use super::unix_now;
use super::world::Opened;

/// The final CLTV delta both sides put in their "invoices" (above both minimums: LDK's
/// `MIN_FINAL_CLTV_EXPIRY_DELTA` is 42 blocks).
pub const FINAL_CLTV: u32 = 80;

/// Ours pays LDK `amount_msat`; LDK claims; ours sees `PaymentSent`.
pub async fn ours_pays_ldk(opened: &mut Opened, index: u8, amount_msat: u64) {
    let sent = ours_sends_to_ldk(opened, index, amount_msat);
    ours_payment_completes(opened, sent).await;
}

/// A payment ours sent to LDK.
pub struct SentToLdk {
    hash: LdkHash,
    payment_id: PaymentId,
    amount_msat: u64,
}

/// Ours sends `amount_msat` to LDK (LDK's `create_inbound_payment`); see
/// [`ours_payment_completes`].
pub fn ours_sends_to_ldk(opened: &mut Opened, index: u8, amount_msat: u64) -> SentToLdk {
    let Opened { ours, ldk, .. } = opened;
    let (hash, secret) = ldk
        .manager
        .create_inbound_payment(Some(amount_msat), 3600, None)
        .expect("LDK makes an invoice");
    let payment_id = PaymentId([index; 32]);
    ours.node
        .with(|_, manager| {
            manager.send_payment_to_peer(
                ldk.id,
                amount_msat,
                FINAL_CLTV,
                PaymentHash(hash.0),
                RecipientOnionFields::secret_only(PaymentSecret(secret.0)),
                payment_id,
            )
        })
        .expect("ours sends");
    SentToLdk {
        hash,
        payment_id,
        amount_msat,
    }
}

/// LDK receives the payment and claims it; ours sees `PaymentSent` with the preimage.
pub async fn ours_payment_completes(opened: &mut Opened, sent: SentToLdk) {
    let Opened {
        ours, ldk, seen, ..
    } = opened;
    let SentToLdk {
        hash,
        payment_id,
        amount_msat,
    } = sent;
    let preimage = ldk
        .wait_event(|e| match e {
            LdkEvent::PaymentClaimable {
                payment_hash,
                purpose,
                amount_msat: received,
                ..
            } if *payment_hash == hash => {
                assert_eq!(*received, amount_msat);
                purpose.preimage()
            }
            _ => None,
        })
        .await;
    ldk.manager.claim_funds(preimage);
    ldk.wait_event(|e| {
        matches!(e, LdkEvent::PaymentClaimed { payment_hash, .. } if *payment_hash == hash)
            .then_some(())
    })
    .await;
    let sent_preimage = ours
        .wait_event(seen, |e| match e {
            Event::PaymentSent {
                payment_id: id,
                payment_preimage,
                ..
            } if *id == payment_id => Some(*payment_preimage),
            _ => None,
        })
        .await;
    assert_eq!(sent_preimage.0, preimage.0);
}

/// LDK pays ours `amount_msat` over its direct channel; ours claims; LDK sees `PaymentSent`.
pub async fn ldk_pays_ours(opened: &mut Opened, index: u8, amount_msat: u64) {
    let sent = ldk_sends_to_ours(opened, index, amount_msat);
    ldk_payment_completes(opened, sent).await;
}

/// A payment LDK sent to ours.
pub struct SentToOurs {
    hash: PaymentHash,
    amount_msat: u64,
}

/// LDK sends `amount_msat` to ours (our `create_inbound_payment`); see
/// [`ldk_payment_completes`].
pub fn ldk_sends_to_ours(opened: &mut Opened, index: u8, amount_msat: u64) -> SentToOurs {
    let Opened { ours, ldk, .. } = opened;
    let (hash, secret) = ours
        .node
        .with(|_, manager| manager.create_inbound_payment(Some(amount_msat), 3600, unix_now()));
    let params = RouteParameters::from_payment_params_and_value(
        PaymentParameters::from_node_id(ours.id(), FINAL_CLTV),
        amount_msat,
    );
    ldk.manager
        .send_payment(
            LdkHash(hash.0),
            LdkOnion::secret_only(LdkSecret(secret.0)),
            LdkPaymentId([index; 32]),
            params,
            Retry::Attempts(0),
        )
        .expect("LDK sends");
    SentToOurs { hash, amount_msat }
}

/// Ours receives the payment and claims it; LDK sees `PaymentSent` with the preimage.
pub async fn ldk_payment_completes(opened: &mut Opened, sent: SentToOurs) {
    let Opened {
        ours, ldk, seen, ..
    } = opened;
    let SentToOurs { hash, amount_msat } = sent;
    let preimage = ours
        .wait_event(seen, |e| match e {
            Event::PaymentClaimable {
                payment_hash,
                payment_preimage,
                amount_msat: received,
                ..
            } if *payment_hash == hash => {
                assert_eq!(*received, amount_msat);
                *payment_preimage
            }
            _ => None,
        })
        .await;
    ours.node
        .with(|_, manager| manager.claim_funds(preimage))
        .expect("ours claims");
    ours.wait_event(seen, |e| {
        matches!(e, Event::PaymentClaimed { payment_hash, .. } if *payment_hash == hash)
            .then_some(())
    })
    .await;
    ldk.wait_event(|e| match e {
        LdkEvent::PaymentSent {
            payment_hash,
            payment_preimage,
            ..
        } if payment_hash.0 == hash.0 => {
            assert_eq!(payment_preimage.0, preimage.0);
            Some(())
        }
        LdkEvent::PaymentFailed {
            payment_hash,
            reason,
            ..
        } if payment_hash.map(|h| h.0) == Some(hash.0) => {
            panic!("LDK's payment failed: {reason:?}")
        }
        _ => None,
    })
    .await;
}
