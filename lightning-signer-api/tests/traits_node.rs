//! The node-signer helpers against the BOLT 11 vectors, and the reply type's behaviour.

use lightning_signer_api::bitcoin::secp256k1::{Message, Secp256k1, SecretKey};
use lightning_signer_api::traits::{
    gossip_signing_hash, invoice_signing_hash, signed_message_hash, InvalidInput, PolicyCode,
    Refusal, SignerReply, UnsignedGossip,
};

const CHARSET: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Splits a BOLT 11 invoice into its hrp, the 5-bit data before the signature, and the 104
/// signature characters as 5-bit values.
fn split_invoice(invoice: &str) -> (&str, Vec<u8>, Vec<u8>) {
    let separator = invoice.rfind('1').unwrap();
    let hrp = &invoice[..separator];
    let values: Vec<u8> = invoice[separator + 1..invoice.len() - 6]
        .chars()
        .map(|c| CHARSET.find(c).unwrap() as u8)
        .collect();
    let (data, signature) = values.split_at(values.len() - 104);
    (hrp, data.to_vec(), signature.to_vec())
}

const DONATION: &str = "lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap9us6v52vjjsrvywa6rt52cm9r9zqt8r2t7mlcwspyetp5h2tztugp9lfyql";

#[test]
fn bolt11_signing_hash_and_signature_vector() {
    let (hrp, data, _) = split_invoice(DONATION);
    let hash = invoice_signing_hash(hrp, &data).unwrap();
    assert_eq!(
        hex::encode(hash),
        "6daf4d488be41ce7cbb487cab1ef2975e5efcea879b20d421f0ef86b07cbb987"
    );
    // The BOLT 11 examples' private key signs that hash into the example's signature.
    let secp = Secp256k1::new();
    let mut key = [0u8; 32];
    hex::decode_to_slice(
        "e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734",
        &mut key,
    )
    .unwrap();
    let key = SecretKey::from_slice(&key).unwrap();
    let signature = secp.sign_ecdsa_recoverable(&Message::from_digest(hash), &key);
    let (recovery_id, compact) = signature.serialize_compact();
    assert_eq!(
        hex::encode(compact),
        "8d3ce9e28357337f62da0162d9454df827f83cfe499aeb1c1db349d4d81127425e434ca29929406c23bba1ae8ac6ca32880b38d4bf6ff874024cac34ba9625f1"
    );
    assert_eq!(recovery_id.to_i32(), 1);
}

#[test]
fn bolt11_signing_hash_refuses_values_above_five_bits() {
    assert_eq!(
        invoice_signing_hash("lnbc", &[1, 2, 32]),
        Err(InvalidInput::MalformedMessage)
    );
}

#[test]
fn gossip_and_message_hashes_are_double_sha256() {
    use lightning_signer_api::bitcoin::hashes::{sha256, Hash};
    let once = sha256::Hash::hash(b"abc").to_byte_array();
    let twice = sha256::Hash::hash(&once).to_byte_array();
    assert_eq!(gossip_signing_hash(b"abc"), twice);
    let once = sha256::Hash::hash(b"Lightning Signed Message:abc").to_byte_array();
    assert_eq!(
        signed_message_hash(b"abc"),
        sha256::Hash::hash(&once).to_byte_array()
    );
    assert_eq!(UnsignedGossip::ChannelUpdate(b"xyz").bytes(), b"xyz");
}

#[test]
fn signer_reply_keeps_pending_and_refusals_apart() {
    let ready: SignerReply<u8> = SignerReply::Ready(2);
    assert_eq!(ready.clone().map(|v| v * 2), SignerReply::Ready(4));
    assert_eq!(ready.into_result(), Ok(Some(2)));
    let pending: SignerReply<u8> = SignerReply::Pending;
    assert!(pending.is_pending());
    assert_eq!(pending.clone().map(|v| v * 2), SignerReply::Pending);
    assert_eq!(pending.into_result(), Ok(None));
    let refused: SignerReply<u8> = Refusal::Policy(PolicyCode::SecretNotSuperseded).into();
    let refused = refused.and_then(|v| SignerReply::Ready(v + 1));
    assert_eq!(
        refused.into_result(),
        Err(Refusal::Policy(PolicyCode::SecretNotSuperseded))
    );
    let text = Refusal::InvalidInput(InvalidInput::HtlcOutOfRange).to_string();
    assert!(text.contains("HTLC"), "{text}");
}

#[test]
fn refusal_converts_into_a_reply() {
    let reply: SignerReply<()> = Err(Refusal::Unsupported).into();
    assert_eq!(reply, SignerReply::Refused(Refusal::Unsupported));
    let reply: SignerReply<()> = InvalidInput::NotOurs.into();
    assert_eq!(
        reply,
        SignerReply::Refused(Refusal::InvalidInput(InvalidInput::NotOurs))
    );
}
