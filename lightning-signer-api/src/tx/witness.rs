//! Witness assembly for every input this module builds or claims, given the signatures.
//!
//! Signatures are passed as plain `secp256k1` ECDSA signatures (as carried in BOLT messages);
//! each helper appends the sighash byte the spend requires.

use bitcoin::secp256k1::{ecdsa, PublicKey};
use bitcoin::{Script, Witness};

use super::htlc::htlc_countersignatory_sighash_type;
use super::types::ChannelType;

/// The witness of a 2-of-2 funding input (commitment or closing transaction):
/// `0 <signature_for_pubkey1> <signature_for_pubkey2> <funding witness script>`, signatures in
/// the order of their (sorted) keys, each with `SIGHASH_ALL`. The pairs may be given in any
/// order.
pub fn funding_witness(
    funding_witness_script: &Script,
    a: (&PublicKey, &ecdsa::Signature),
    b: (&PublicKey, &ecdsa::Signature),
) -> Witness {
    let (first, second) = if a.0.serialize() <= b.0.serialize() {
        (a.1, b.1)
    } else {
        (b.1, a.1)
    };
    let mut witness = Witness::new();
    witness.push([]);
    witness.push_ecdsa_signature(&bitcoin::ecdsa::Signature::sighash_all(*first));
    witness.push_ecdsa_signature(&bitcoin::ecdsa::Signature::sighash_all(*second));
    witness.push(funding_witness_script.as_bytes());
    witness
}

/// The witness of an HTLC transaction's input:
/// `0 <countersignatory_sig> <broadcaster_sig> <preimage or empty> <htlc witness script>`.
///
/// Pass `Some(preimage)` for HTLC-success and `None` for HTLC-timeout. The countersignatory's
/// signature gets the sighash byte of [`htlc_countersignatory_sighash_type`], the broadcaster's
/// `SIGHASH_ALL`.
pub fn htlc_transaction_witness(
    channel_type: ChannelType,
    countersignatory_sig: &ecdsa::Signature,
    broadcaster_sig: &ecdsa::Signature,
    preimage: Option<&[u8; 32]>,
    htlc_witness_script: &Script,
) -> Witness {
    let mut witness = Witness::new();
    witness.push([]);
    witness.push_ecdsa_signature(&bitcoin::ecdsa::Signature {
        signature: *countersignatory_sig,
        sighash_type: htlc_countersignatory_sighash_type(channel_type),
    });
    witness.push_ecdsa_signature(&bitcoin::ecdsa::Signature::sighash_all(*broadcaster_sig));
    match preimage {
        Some(preimage) => witness.push(preimage),
        None => witness.push([]),
    }
    witness.push(htlc_witness_script.as_bytes());
    witness
}

/// The witness spending a second-stage (HTLC-transaction) output or a `to_local` output by its
/// owner after the delay: `<delayed_sig> <> <revokeable witness script>`. The spending input's
/// sequence must be the `to_self_delay`.
pub fn delayed_output_witness(
    delayed_sig: &ecdsa::Signature,
    revokeable_witness_script: &Script,
) -> Witness {
    let mut witness = Witness::new();
    witness.push_ecdsa_signature(&bitcoin::ecdsa::Signature::sighash_all(*delayed_sig));
    witness.push([]);
    witness.push(revokeable_witness_script.as_bytes());
    witness
}

/// The witness spending the anchors-style `to_remote` output by its owner:
/// `<remote_sig> <to_remote witness script>`. The spending input's sequence must be 1.
pub fn to_remote_anchors_witness(
    remote_sig: &ecdsa::Signature,
    to_remote_witness_script: &Script,
) -> Witness {
    let mut witness = Witness::new();
    witness.push_ecdsa_signature(&bitcoin::ecdsa::Signature::sighash_all(*remote_sig));
    witness.push(to_remote_witness_script.as_bytes());
    witness
}

/// The witness spending an anchor output with its funding key: `<sig> <anchor witness script>`.
pub fn anchor_witness(funding_sig: &ecdsa::Signature, anchor_witness_script: &Script) -> Witness {
    let mut witness = Witness::new();
    witness.push_ecdsa_signature(&bitcoin::ecdsa::Signature::sighash_all(*funding_sig));
    witness.push(anchor_witness_script.as_bytes());
    witness
}

/// The witness sweeping an anchor output by anyone, 16 blocks after the commitment confirmed:
/// `<> <anchor witness script>` (the input's sequence must be at least 16).
pub fn anchor_sweep_witness(anchor_witness_script: &Script) -> Witness {
    let mut witness = Witness::new();
    witness.push([]);
    witness.push(anchor_witness_script.as_bytes());
    witness
}
