//! BOLT 3 witness scripts and output scripts.
//!
//! Every `*_witness_script` function returns the script that a P2WSH output commits to; wrap it
//! with [`ScriptBuf::to_p2wsh`](bitcoin::Script::to_p2wsh) (or [`p2wsh`]) to get the output's
//! `scriptPubKey`.

use bitcoin::blockdata::opcodes::all as op;
use bitcoin::hashes::{hash160, ripemd160, Hash};
use bitcoin::script::Builder;
use bitcoin::secp256k1::PublicKey;
use bitcoin::{CompressedPublicKey, ScriptBuf};

use super::types::{ChannelType, CommitmentKeys, Htlc, HtlcDirection};

/// The P2WSH `scriptPubKey` paying to `witness_script`.
pub fn p2wsh(witness_script: &ScriptBuf) -> ScriptBuf {
    witness_script.to_p2wsh()
}

/// The P2WPKH `scriptPubKey` paying to `pubkey`.
pub fn p2wpkh(pubkey: &PublicKey) -> ScriptBuf {
    ScriptBuf::new_p2wpkh(&CompressedPublicKey(*pubkey).wpubkey_hash())
}

/// The funding output's witness script: `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG`, where
/// `pubkey1` is the lexicographically lesser compressed key. The argument order does not matter.
pub fn funding_witness_script(a: &PublicKey, b: &PublicKey) -> ScriptBuf {
    let (first, second) = sorted_keys(a, b);
    Builder::new()
        .push_int(2)
        .push_slice(first.serialize())
        .push_slice(second.serialize())
        .push_int(2)
        .push_opcode(op::OP_CHECKMULTISIG)
        .into_script()
}

/// The funding output's `scriptPubKey` (P2WSH of [`funding_witness_script`]).
pub fn funding_script_pubkey(a: &PublicKey, b: &PublicKey) -> ScriptBuf {
    p2wsh(&funding_witness_script(a, b))
}

/// The two keys in the order the funding script (and its witness) uses them.
pub fn sorted_keys<'a>(a: &'a PublicKey, b: &'a PublicKey) -> (&'a PublicKey, &'a PublicKey) {
    if a.serialize() <= b.serialize() {
        (a, b)
    } else {
        (b, a)
    }
}

/// The witness script of a `to_local` output, which is also the output script of HTLC-timeout
/// and HTLC-success transactions: the revocation key now, or the delayed key after
/// `to_self_delay` blocks.
pub fn revokeable_witness_script(
    revocation_pubkey: &PublicKey,
    to_self_delay: u16,
    delayed_pubkey: &PublicKey,
) -> ScriptBuf {
    Builder::new()
        .push_opcode(op::OP_IF)
        .push_slice(revocation_pubkey.serialize())
        .push_opcode(op::OP_ELSE)
        .push_int(i64::from(to_self_delay))
        .push_opcode(op::OP_CSV)
        .push_opcode(op::OP_DROP)
        .push_slice(delayed_pubkey.serialize())
        .push_opcode(op::OP_ENDIF)
        .push_opcode(op::OP_CHECKSIG)
        .into_script()
}

/// The anchors `to_remote` witness script: `<remotepubkey> OP_CHECKSIGVERIFY 1 OP_CSV`.
pub fn to_remote_anchors_witness_script(remote_pubkey: &PublicKey) -> ScriptBuf {
    Builder::new()
        .push_slice(remote_pubkey.serialize())
        .push_opcode(op::OP_CHECKSIGVERIFY)
        .push_int(1)
        .push_opcode(op::OP_CSV)
        .into_script()
}

/// The `scriptPubKey` of the `to_remote` output: P2WPKH without anchors, P2WSH of
/// [`to_remote_anchors_witness_script`] with anchors.
pub fn to_remote_script_pubkey(channel_type: ChannelType, remote_pubkey: &PublicKey) -> ScriptBuf {
    if channel_type.has_anchors() {
        p2wsh(&to_remote_anchors_witness_script(remote_pubkey))
    } else {
        p2wpkh(remote_pubkey)
    }
}

/// The anchor witness script: `<funding_pubkey> OP_CHECKSIG OP_IFDUP OP_NOTIF OP_16 OP_CSV
/// OP_ENDIF` (spendable by the funding key owner, or by anyone after 16 blocks).
pub fn anchor_witness_script(funding_pubkey: &PublicKey) -> ScriptBuf {
    Builder::new()
        .push_slice(funding_pubkey.serialize())
        .push_opcode(op::OP_CHECKSIG)
        .push_opcode(op::OP_IFDUP)
        .push_opcode(op::OP_NOTIF)
        .push_int(16)
        .push_opcode(op::OP_CSV)
        .push_opcode(op::OP_ENDIF)
        .into_script()
}

/// The witness script of an HTLC offered by the broadcaster.
pub fn offered_htlc_witness_script(
    channel_type: ChannelType,
    revocation_pubkey: &PublicKey,
    broadcaster_htlc_key: &PublicKey,
    countersignatory_htlc_key: &PublicKey,
    payment_hash: &[u8; 32],
) -> ScriptBuf {
    let builder = revocation_branch(revocation_pubkey)
        .push_opcode(op::OP_ELSE)
        .push_slice(countersignatory_htlc_key.serialize())
        .push_opcode(op::OP_SWAP)
        .push_opcode(op::OP_SIZE)
        .push_int(32)
        .push_opcode(op::OP_EQUAL)
        .push_opcode(op::OP_NOTIF)
        .push_opcode(op::OP_DROP)
        .push_int(2)
        .push_opcode(op::OP_SWAP)
        .push_slice(broadcaster_htlc_key.serialize())
        .push_int(2)
        .push_opcode(op::OP_CHECKMULTISIG)
        .push_opcode(op::OP_ELSE)
        .push_opcode(op::OP_HASH160)
        .push_slice(ripemd160::Hash::hash(payment_hash).to_byte_array())
        .push_opcode(op::OP_EQUALVERIFY)
        .push_opcode(op::OP_CHECKSIG)
        .push_opcode(op::OP_ENDIF);
    close_htlc_script(builder, channel_type)
}

/// The witness script of an HTLC received by the broadcaster.
pub fn received_htlc_witness_script(
    channel_type: ChannelType,
    revocation_pubkey: &PublicKey,
    broadcaster_htlc_key: &PublicKey,
    countersignatory_htlc_key: &PublicKey,
    payment_hash: &[u8; 32],
    cltv_expiry: u32,
) -> ScriptBuf {
    let builder = revocation_branch(revocation_pubkey)
        .push_opcode(op::OP_ELSE)
        .push_slice(countersignatory_htlc_key.serialize())
        .push_opcode(op::OP_SWAP)
        .push_opcode(op::OP_SIZE)
        .push_int(32)
        .push_opcode(op::OP_EQUAL)
        .push_opcode(op::OP_IF)
        .push_opcode(op::OP_HASH160)
        .push_slice(ripemd160::Hash::hash(payment_hash).to_byte_array())
        .push_opcode(op::OP_EQUALVERIFY)
        .push_int(2)
        .push_opcode(op::OP_SWAP)
        .push_slice(broadcaster_htlc_key.serialize())
        .push_int(2)
        .push_opcode(op::OP_CHECKMULTISIG)
        .push_opcode(op::OP_ELSE)
        .push_opcode(op::OP_DROP)
        .push_int(i64::from(cltv_expiry))
        .push_opcode(op::OP_CLTV)
        .push_opcode(op::OP_DROP)
        .push_opcode(op::OP_CHECKSIG)
        .push_opcode(op::OP_ENDIF);
    close_htlc_script(builder, channel_type)
}

/// The witness script of `htlc`'s output in a commitment built with `keys`.
pub fn htlc_witness_script(
    channel_type: ChannelType,
    htlc: &Htlc,
    keys: &CommitmentKeys,
) -> ScriptBuf {
    match htlc.direction {
        HtlcDirection::Offered => offered_htlc_witness_script(
            channel_type,
            &keys.revocation_pubkey,
            &keys.broadcaster_htlc_key,
            &keys.countersignatory_htlc_key,
            &htlc.payment_hash,
        ),
        HtlcDirection::Received => received_htlc_witness_script(
            channel_type,
            &keys.revocation_pubkey,
            &keys.broadcaster_htlc_key,
            &keys.countersignatory_htlc_key,
            &htlc.payment_hash,
            htlc.cltv_expiry,
        ),
    }
}

/// `OP_DUP OP_HASH160 <RIPEMD160(SHA256(revocationpubkey))> OP_EQUAL OP_IF OP_CHECKSIG`.
fn revocation_branch(revocation_pubkey: &PublicKey) -> Builder {
    Builder::new()
        .push_opcode(op::OP_DUP)
        .push_opcode(op::OP_HASH160)
        .push_slice(hash160::Hash::hash(&revocation_pubkey.serialize()).to_byte_array())
        .push_opcode(op::OP_EQUAL)
        .push_opcode(op::OP_IF)
        .push_opcode(op::OP_CHECKSIG)
}

/// Adds the anchors-only `1 OP_CSV OP_DROP` and the final `OP_ENDIF`.
fn close_htlc_script(builder: Builder, channel_type: ChannelType) -> ScriptBuf {
    let builder = if channel_type.has_anchors() {
        builder
            .push_int(1)
            .push_opcode(op::OP_CSV)
            .push_opcode(op::OP_DROP)
    } else {
        builder
    };
    builder.push_opcode(op::OP_ENDIF).into_script()
}
