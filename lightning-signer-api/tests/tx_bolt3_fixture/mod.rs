//! The BOLT 3 Appendix C/F fixture shared by `tx_appendix_c.rs` and `tx_appendix_f.rs`: the
//! spec's keys and channel parameters, and its table of test HTLCs.
#![allow(dead_code)] // Each test crate uses its own subset.

use std::str::FromStr;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::{ecdsa, PublicKey, Secp256k1, SecretKey};
use bitcoin::sighash::EcdsaSighashType;
use bitcoin::{OutPoint, Txid};
use lightning_signer_api::tx::{
    ChannelParameters, ChannelType, CommitmentKeys, Htlc, HtlcDirection, Side, SideParameters,
};

pub fn secret(hex_str: &str) -> SecretKey {
    SecretKey::from_slice(&hex::decode(hex_str).unwrap()).unwrap()
}

pub fn pubkey(hex_str: &str) -> PublicKey {
    PublicKey::from_slice(&hex::decode(hex_str).unwrap()).unwrap()
}

/// The spec's HTLC table: (direction from local's view, amount_msat, expiry, preimage byte).
pub const TEST_HTLCS: [(HtlcDirection, u64, u32, u8); 7] = [
    (HtlcDirection::Received, 1_000_000, 500, 0),
    (HtlcDirection::Received, 2_000_000, 501, 1),
    (HtlcDirection::Offered, 2_000_000, 502, 2),
    (HtlcDirection::Offered, 3_000_000, 503, 3),
    (HtlcDirection::Received, 4_000_000, 504, 4),
    (HtlcDirection::Offered, 5_000_000, 506, 5),
    (HtlcDirection::Offered, 5_000_001, 505, 5),
];

pub fn test_htlc(number: usize) -> Htlc {
    let (direction, amount_msat, cltv_expiry, byte) = TEST_HTLCS[number];
    Htlc {
        direction,
        amount_msat,
        payment_hash: sha256::Hash::hash(&[byte; 32]).to_byte_array(),
        cltv_expiry,
    }
}

pub struct Fixture {
    pub params: ChannelParameters,
    pub keys: CommitmentKeys,
    pub local_funding_key: SecretKey,
    pub remote_funding_key: SecretKey,
    pub local_htlc_key: SecretKey,
    pub remote_htlc_key: SecretKey,
}

pub fn fixture(channel_type: ChannelType, dust_limit_satoshis: u64) -> Fixture {
    let secp = Secp256k1::new();
    let local_funding_key =
        secret("30ff4956bbdd3222d44cc5e8a1261dab1e07957bdac5ae88fe3261ef321f3749");
    let remote_funding_key =
        secret("1552dfba4f6cf29a62a0af13c8d6981d36d0ef8d61ba10fb0fe90da7634d7e13");
    let local_htlc_key = secret("bb13b121cdc357cd2e608b0aea294afca36e2b34cf958e2e6451a2f274694491");
    let remote_htlc_key =
        secret("8deba327a7cc6d638ab0eb025770400a6184afcba6713c210d8d10e199ff2fda");
    let local_funding_pubkey =
        pubkey("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb");
    let remote_funding_pubkey =
        pubkey("030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c1");
    assert_eq!(local_funding_key.public_key(&secp), local_funding_pubkey);
    assert_eq!(remote_funding_key.public_key(&secp), remote_funding_pubkey);
    let local_htlc_pubkey =
        pubkey("030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e7");
    let remote_htlc_pubkey =
        pubkey("0394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b");
    assert_eq!(local_htlc_key.public_key(&secp), local_htlc_pubkey);
    assert_eq!(remote_htlc_key.public_key(&secp), remote_htlc_pubkey);
    let local_payment_basepoint =
        pubkey("034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa");
    let remote_payment_basepoint =
        pubkey("032c0b7cf95324a07d05398b240174dc0c2be444d96b159aa6c7f7b1e668680991");
    let funding_txid =
        Txid::from_str("8984484a580b825b9972d7adb15050b3ab624ccd731946b3eeddb92f4e7ef6be").unwrap();
    let params = ChannelParameters {
        funding_outpoint: OutPoint {
            txid: funding_txid,
            vout: 0,
        },
        funding_satoshis: 10_000_000,
        opener: Side::Holder,
        channel_type,
        holder: SideParameters {
            funding_pubkey: local_funding_pubkey,
            payment_basepoint: local_payment_basepoint,
            dust_limit_satoshis,
            to_self_delay: 144,
        },
        counterparty: SideParameters {
            funding_pubkey: remote_funding_pubkey,
            payment_basepoint: remote_payment_basepoint,
            dust_limit_satoshis: 546,
            to_self_delay: 144,
        },
    };
    let keys = CommitmentKeys {
        revocation_pubkey: pubkey(
            "0212a140cd0c6539d07cd08dfe09984dec3251ea808b892efeac3ede9402bf2b19",
        ),
        broadcaster_delayed_payment_key: pubkey(
            "03fd5960528dc152014952efdb702a88f71e3c1653b2314431701ec77e57fde83c",
        ),
        broadcaster_htlc_key: local_htlc_pubkey,
        countersignatory_htlc_key: remote_htlc_pubkey,
        countersignatory_payment_key: remote_payment_basepoint,
    };
    Fixture {
        params,
        keys,
        local_funding_key,
        remote_funding_key,
        local_htlc_key,
        remote_htlc_key,
    }
}

/// A vector's commitment (number 42, the holder's) and both funding-input signatures over it,
/// as Appendices C and F build and sign it.
pub struct SignedCommitment {
    pub built: lightning_signer_api::tx::CommitmentTransaction,
    pub remote_sig: ecdsa::Signature,
    pub local_sig: ecdsa::Signature,
}

/// Builds the holder's commitment with the spec's test HTLCs `htlc_numbers` and signs its
/// funding input with both funding keys.
pub fn signed_commitment(
    f: &Fixture,
    htlc_numbers: &[usize],
    feerate_per_kw: u32,
    to_local_msat: u64,
    to_remote_msat: u64,
) -> SignedCommitment {
    let secp = Secp256k1::new();
    let inputs = lightning_signer_api::tx::CommitmentInputs {
        commitment_number: 42,
        feerate_per_kw,
        to_broadcaster_msat: to_local_msat,
        to_countersignatory_msat: to_remote_msat,
        htlcs: htlc_numbers.iter().map(|&n| test_htlc(n)).collect(),
    };
    let built = lightning_signer_api::tx::build_commitment_transaction(
        &f.params,
        lightning_signer_api::tx::Side::Holder,
        &f.keys,
        &inputs,
    )
    .unwrap();
    let script = f.params.funding_witness_script();
    let sign = |key: &SecretKey| {
        lightning_signer_api::tx::sign_p2wsh_input(
            &secp,
            &built.tx,
            0,
            &script,
            f.params.funding_satoshis,
            EcdsaSighashType::All,
            key,
        )
        .unwrap()
    };
    let remote_sig = sign(&f.remote_funding_key);
    let local_sig = sign(&f.local_funding_key);
    SignedCommitment {
        built,
        remote_sig,
        local_sig,
    }
}
