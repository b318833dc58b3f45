//! BOLT 11: every spec vector parses (the invalid ones do not), the valid ones re-sign to the
//! same string through our signing path (`NodeSigner::sign_invoice`), and invoices created by
//! the manager pay across two hops; expired and wrong-network invoices are refused.

mod payments_support;

use bitcoin::Network;
use lightning::invoice::lightning_invoice::{Bolt11Invoice, SignedRawBolt11Invoice};
use lightning::invoice::{sign_raw_invoice, InvoiceParams, PayInvoiceError};
use lightning::manager::{Event, ForwardingPolicy, ManagerConfig, PaymentId, Retry, SendError};
use lightning::signer_api::traits::node::invoice_signing_hash;
use lightning::signer_api::traits::reply::{Refusal, SignerReply};
use lightning::signer_api::traits::{NodeSigner, UnsignedGossip};
use payments_support::{Net, ScriptedRouter, START};
use secp256k1::ecdh::SharedSecret;
use secp256k1::ecdsa::{RecoverableSignature, Signature};
use secp256k1::{Message, PublicKey, Scalar, Secp256k1, SecretKey};
use std::time::Duration;

/// The "Examples" and "Examples of Invalid Invoices" sections of BOLT 11, verbatim.
const SPEC: &str = include_str!("invoice_data/bolt11-examples.md");
const PRIV_KEY: &str = "e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734";

/// (valid, invoice string) for every example of the spec.
fn vectors() -> Vec<(bool, String)> {
    let mut valid = true;
    let mut out = Vec::new();
    for line in SPEC.lines() {
        if line.starts_with("# Examples of Invalid Invoices") {
            valid = false;
        }
        let text = line.strip_prefix("> ").unwrap_or(line).trim();
        let lower = text.to_lowercase();
        if lower.starts_with("ln") && text.len() > 60 && !text.contains(' ') {
            out.push((valid, text.to_string()));
        }
    }
    out
}

/// A node signer on a given key.
struct KeySigner(SecretKey);

impl NodeSigner for KeySigner {
    fn node_id(&self) -> PublicKey {
        PublicKey::from_secret_key(&Secp256k1::new(), &self.0)
    }
    fn ecdh(&mut self, _: &PublicKey, _: Option<&Scalar>) -> SignerReply<SharedSecret> {
        SignerReply::Refused(Refusal::Unsupported)
    }
    fn sign_invoice(&mut self, hrp: &str, data: &[u8]) -> SignerReply<RecoverableSignature> {
        let hash = invoice_signing_hash(hrp, data).expect("5-bit data");
        let message = Message::from_digest(hash);
        SignerReply::Ready(Secp256k1::new().sign_ecdsa_recoverable(&message, &self.0))
    }
    fn sign_gossip(&mut self, _: UnsignedGossip<'_>) -> SignerReply<Signature> {
        SignerReply::Refused(Refusal::Unsupported)
    }
    fn sign_message(&mut self, _: &[u8]) -> SignerReply<RecoverableSignature> {
        SignerReply::Refused(Refusal::Unsupported)
    }
}

#[test]
fn spec_vectors_parse_and_valid_ones_resign_identically() {
    let vectors = vectors();
    assert!(vectors.len() >= 25, "found {} vectors", vectors.len());
    let key = SecretKey::from_slice(&hex::decode(PRIV_KEY).unwrap()).unwrap();
    let mut signer = KeySigner(key);
    let mut resigned = 0;
    let mut other_key = 0;
    for (valid, text) in &vectors {
        let parsed = text
            .parse::<SignedRawBolt11Invoice>()
            .ok()
            .and_then(|signed| Bolt11Invoice::from_signed(signed).ok());
        if !valid {
            assert!(parsed.is_none(), "invalid vector accepted: {text}");
            continue;
        }
        let invoice = parsed.unwrap_or_else(|| panic!("valid vector refused: {text}"));
        if invoice.recover_payee_pub_key() != signer.node_id() {
            // One example (the pico-BTC amount) is signed by another key: parsing is all.
            other_key += 1;
            continue;
        }
        // Re-sign the same fields through our signing path.
        let raw = invoice.clone().into_signed_raw().into_parts().0;
        let ours = sign_raw_invoice(raw, &mut signer).expect("signed");
        assert_eq!(ours.signable_hash(), invoice.signable_hash());
        if invoice
            .into_signed_raw()
            .signature()
            .0
            .serialize_compact()
            .1[32]
            >= 0x80
        {
            // The high-S vector: our signer produces the low-S form of the same signature.
            continue;
        }
        assert_eq!(
            ours.to_string(),
            text.to_lowercase(),
            "re-signed differently"
        );
        resigned += 1;
    }
    eprintln!("re-signed {resigned}, other key {other_key}");
    assert!(other_key <= 1, "{other_key} vectors signed by another key");
    assert!(resigned >= 15, "re-signed {resigned}");
}

const POLICY: ForwardingPolicy = ForwardingPolicy {
    fee_base_msat: 1_000,
    fee_proportional_millionths: 0,
    cltv_expiry_delta: 40,
};

fn line() -> (Net, ScriptedRouter) {
    let config = ManagerConfig {
        forwarding_policy: POLICY,
        ..Default::default()
    };
    let mut net = Net::new(3, config);
    let ab = net.open(0, 1, 1_000_000, 0);
    let bc = net.open(1, 2, 1_000_000, 0);
    let router = ScriptedRouter::new(
        vec![vec![(net.id(1), ab.scid), (net.id(2), bc.scid)]],
        &POLICY,
    );
    (net, router)
}

fn now(net: &Net) -> Duration {
    START + Duration::from_secs(u64::from(net.height) * 600)
}

#[test]
fn invoice_created_by_c_is_paid_by_a_across_two_hops() {
    let (mut net, mut router) = line();
    let t = now(&net);
    let mut params = InvoiceParams::new(Network::Regtest, Some(25_000), "coffee");
    params.payment_metadata = Some(vec![1, 2, 3]);
    let invoice = net.nodes[2]
        .manager
        .create_invoice(&params, t)
        .expect("invoice");
    // What the payer sees.
    let text = invoice.to_string();
    assert!(text.starts_with("lnbcrt250n1"), "{text}");
    let parsed: Bolt11Invoice = text.parse().expect("parses");
    assert_eq!(parsed.recover_payee_pub_key(), net.id(2));
    assert_eq!(parsed.amount_milli_satoshis(), Some(25_000));
    assert_eq!(parsed.min_final_cltv_expiry_delta(), 18);
    assert!(parsed.features().unwrap().supports_basic_mpp());
    let id = PaymentId([1; 32]);
    net.nodes[0]
        .manager
        .pay_invoice(&parsed, None, id, Retry::Attempts(1), &mut router, t)
        .expect("pay");
    net.deliver();
    let claimable = net.events(2);
    let [Event::PaymentClaimable {
        amount_msat: 25_000,
        payment_preimage: Some(preimage),
        payment_metadata: Some(metadata),
        ..
    }] = claimable.as_slice()
    else {
        panic!("{claimable:?}");
    };
    assert_eq!(metadata, &vec![1, 2, 3]);
    let preimage = *preimage;
    net.nodes[2].manager.claim_funds(preimage).unwrap();
    net.deliver();
    assert!(matches!(
        net.events(0).as_slice(),
        [Event::PaymentSent { payment_id, fee_paid_msat: Some(1_000), .. }] if *payment_id == id
    ));
    // The same invoice cannot be paid twice under the same id.
    assert_eq!(
        net.nodes[0]
            .manager
            .pay_invoice(&parsed, None, id, Retry::Attempts(1), &mut router, t),
        Err(SendError::DuplicatePayment)
    );
}

#[test]
fn expired_invoice_is_refused() {
    let (mut net, mut router) = line();
    let t = now(&net);
    let mut params = InvoiceParams::new(Network::Regtest, Some(10_000), "late");
    params.expiry_secs = 60;
    let invoice = net.nodes[2].manager.create_invoice(&params, t).unwrap();
    let result = net.nodes[0].manager.pay_invoice(
        &invoice,
        None,
        PaymentId([2; 32]),
        Retry::Attempts(0),
        &mut router,
        t + Duration::from_secs(61),
    );
    assert_eq!(result, Err(SendError::Invoice(PayInvoiceError::Expired)));
    assert!(net.events(0).is_empty());
    assert_eq!(router.calls, 0);
}

#[test]
fn wrong_network_and_amount_rules_are_refused() {
    let (mut net, mut router) = line();
    let t = now(&net);
    let mainnet = InvoiceParams::new(Network::Bitcoin, Some(10_000), "wrong chain");
    let invoice = net.nodes[2].manager.create_invoice(&mainnet, t).unwrap();
    assert!(invoice.to_string().starts_with("lnbc"));
    let result = net.nodes[0].manager.pay_invoice(
        &invoice,
        None,
        PaymentId([3; 32]),
        Retry::Attempts(0),
        &mut router,
        t,
    );
    assert_eq!(
        result,
        Err(SendError::Invoice(PayInvoiceError::WrongNetwork))
    );
    let any = InvoiceParams::new(Network::Regtest, None, "any amount");
    let invoice = net.nodes[2].manager.create_invoice(&any, t).unwrap();
    let result = net.nodes[0].manager.pay_invoice(
        &invoice,
        None,
        PaymentId([4; 32]),
        Retry::Attempts(0),
        &mut router,
        t,
    );
    assert_eq!(
        result,
        Err(SendError::Invoice(PayInvoiceError::AmountMissing))
    );
    // With the amount given, it pays.
    net.nodes[0]
        .manager
        .pay_invoice(
            &invoice,
            Some(7_000),
            PaymentId([5; 32]),
            Retry::Attempts(0),
            &mut router,
            t,
        )
        .expect("pay");
    net.deliver();
    assert!(matches!(
        net.events(2).as_slice(),
        [Event::PaymentClaimable {
            amount_msat: 7_000,
            ..
        }]
    ));
}
