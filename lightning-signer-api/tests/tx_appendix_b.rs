//! BOLT 3 Appendix B: the funding transaction test vector. The funding output comes from
//! `funding_script_pubkey`; the rest of the transaction (a P2PKH coinbase input and a change
//! output) is assembled here as a wallet would, and the whole signed transaction and its txid
//! must match the spec byte for byte.

use std::str::FromStr;

use bitcoin::absolute::LockTime;
use bitcoin::consensus::encode::serialize_hex;
use bitcoin::script::Builder;
use bitcoin::secp256k1::{Message, PublicKey, Secp256k1, SecretKey};
use bitcoin::sighash::{EcdsaSighashType, SighashCache};
use bitcoin::transaction::Version;
use bitcoin::{Amount, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Txid, Witness};
use lightning_signer_api::tx::scripts::{
    funding_script_pubkey, funding_witness_script, sorted_keys,
};

const LOCAL_FUNDING_PUBKEY: &str =
    "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb";
const REMOTE_FUNDING_PUBKEY: &str =
    "030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c1";
const FUNDING_WITNESS_SCRIPT: &str = concat!(
    "5221023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb21030e9f7b623d2ccc7c",
    "9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c152ae",
);
const FUNDING_TX: &str = concat!(
    "0200000001adbb20ea41a8423ea937e76e8151636bf6093b70eaff942930d20576600521fd000000006b48304502",
    "210090587b6201e166ad6af0227d3036a9454223d49a1f11839c1a362184340ef0240220577f7cd5cca78719405c",
    "bf1de7414ac027f0239ef6e214c90fcaab0454d84b3b012103535b32d5eb0a6ed0982a0479bbadc9868d9836f6ba",
    "94dd5a63be16d875069184ffffffff028096980000000000220020c015c4a6be010e21657068fc2e6a9d02b27ebe",
    "4d490a25846f7237f104d1a3cd20256d29010000001600143ca33c2e4446f4a305f23c80df8ad1afdcf652f90000",
    "0000",
);
const FUNDING_TXID: &str = "8984484a580b825b9972d7adb15050b3ab624ccd731946b3eeddb92f4e7ef6be";

fn pubkey(hex_str: &str) -> PublicKey {
    PublicKey::from_slice(&hex::decode(hex_str).unwrap()).unwrap()
}

#[test]
fn funding_witness_script_sorts_keys() {
    let local = pubkey(LOCAL_FUNDING_PUBKEY);
    let remote = pubkey(REMOTE_FUNDING_PUBKEY);
    assert_eq!(
        hex::encode(funding_witness_script(&local, &remote).as_bytes()),
        FUNDING_WITNESS_SCRIPT
    );
    assert_eq!(
        hex::encode(funding_witness_script(&remote, &local).as_bytes()),
        FUNDING_WITNESS_SCRIPT
    );
    assert_eq!(sorted_keys(&remote, &local), (&local, &remote));
}

#[test]
fn appendix_b_funding_transaction() {
    let secp = Secp256k1::new();
    let coinbase_key = SecretKey::from_slice(
        &hex::decode("6bd078650fcee8444e4e09825227b801a1ca928debb750eb36e6d56124bb20e8").unwrap(),
    )
    .unwrap();
    let coinbase_pubkey = coinbase_key.public_key(&secp);
    let coinbase_script =
        ScriptBuf::new_p2pkh(&bitcoin::PublicKey::new(coinbase_pubkey).pubkey_hash());
    assert_eq!(
        hex::encode(coinbase_script.as_bytes()),
        "76a9143ca33c2e4446f4a305f23c80df8ad1afdcf652f988ac"
    );

    let funding_output = TxOut {
        value: Amount::from_sat(10_000_000),
        script_pubkey: funding_script_pubkey(
            &pubkey(LOCAL_FUNDING_PUBKEY),
            &pubkey(REMOTE_FUNDING_PUBKEY),
        ),
    };
    let change_output = TxOut {
        value: Amount::from_sat(4_989_986_080),
        script_pubkey: ScriptBuf::new_p2wpkh(
            &bitcoin::CompressedPublicKey(coinbase_pubkey).wpubkey_hash(),
        ),
    };
    let mut tx = Transaction {
        version: Version::TWO,
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint {
                txid: Txid::from_str(
                    "fd2105607605d2302994ffea703b09f66b6351816ee737a93e42a841ea20bbad",
                )
                .unwrap(),
                vout: 0,
            },
            script_sig: ScriptBuf::new(),
            sequence: Sequence::MAX,
            witness: Witness::new(),
        }],
        output: vec![funding_output, change_output],
    };
    let sighash = SighashCache::new(&tx)
        .legacy_signature_hash(0, &coinbase_script, EcdsaSighashType::All.to_u32())
        .unwrap();
    let signature = secp.sign_ecdsa(&Message::from(sighash), &coinbase_key);
    let mut sig_bytes = signature.serialize_der().to_vec();
    sig_bytes.push(EcdsaSighashType::All as u8);
    tx.input[0].script_sig = Builder::new()
        .push_slice(<&bitcoin::script::PushBytes>::try_from(sig_bytes.as_slice()).unwrap())
        .push_slice(coinbase_pubkey.serialize())
        .into_script();
    assert_eq!(serialize_hex(&tx), FUNDING_TX);
    assert_eq!(tx.compute_txid().to_string(), FUNDING_TXID);
}
