//! BOLT 3 Appendix D (per-commitment secret generation and storage) and Appendix E (key
//! derivation) test vectors, byte for byte.

use lightning_signer_api::bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning_signer_api::keys::{
    commitment_keys, commitment_number_from_index, derive_private_key, derive_public_key,
    derive_revocation_private_key, derive_revocation_public_key, per_commitment_point,
    per_commitment_secret_at_index, ChannelPublicKeys, CounterpartyCommitmentSecrets,
    SecretStoreError,
};

fn bytes32(hex_str: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_str, &mut out).expect("test vector is 32 bytes of hex");
    out
}

fn pubkey(hex_str: &str) -> PublicKey {
    PublicKey::from_slice(&hex::decode(hex_str).unwrap()).unwrap()
}

// ---------------------------------------------------------------- Appendix D: generation

fn check_generation(seed: &str, index: u64, output: &str) {
    let secret = per_commitment_secret_at_index(&bytes32(seed), index).unwrap();
    assert_eq!(hex::encode(secret), output);
}

#[test]
fn generate_from_seed_0_final_node() {
    check_generation(
        "0000000000000000000000000000000000000000000000000000000000000000",
        281474976710655,
        "02a40c85b6f28da08dfdbe0926c53fab2de6d28c10301f8f7c4073d5e42e3148",
    );
}

#[test]
fn generate_from_seed_ff_final_node() {
    check_generation(
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        281474976710655,
        "7cc854b54e3e0dcdb010d7a3fee464a9687be6e8db3be6854c475621e007a5dc",
    );
}

#[test]
fn generate_from_seed_ff_alternate_bits_1() {
    check_generation(
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        0xaaaaaaaaaaa,
        "56f4008fb007ca9acf0e15b054d5c9fd12ee06cea347914ddbaed70d1c13a528",
    );
}

#[test]
fn generate_from_seed_ff_alternate_bits_2() {
    check_generation(
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        0x555555555555,
        "9015daaeb06dba4ccc05b91b2f73bd54405f2be9f217fbacd3c5ac2e62327d31",
    );
}

#[test]
fn generate_from_seed_01_last_nontrivial_node() {
    check_generation(
        "0101010101010101010101010101010101010101010101010101010101010101",
        1,
        "915c75942a26bb3a433a8ce2cb0427c29ec6c1775cfc78328b57f6ba7bfeaa9c",
    );
}

#[test]
fn generate_rejects_index_beyond_48_bits() {
    assert!(per_commitment_secret_at_index(&[0; 32], 1 << 48).is_err());
}

// ---------------------------------------------------------------- Appendix D: storage

/// The eight correct secrets of the storage tests (seed 0xFF..FF), indices 2^48-1 down.
const CORRECT: [&str; 8] = [
    "7cc854b54e3e0dcdb010d7a3fee464a9687be6e8db3be6854c475621e007a5dc",
    "c7518c8ae4660ed02894df8976fa1a3659c1a8b4b5bec0c4b872abeba4cb8964",
    "2273e227a5b7449b6e70f1fb4652864038b1cbf9cd7c043a7d6456b7fc275ad8",
    "27cddaa5624534cb6cb9d7da077cf2b22ab21e9b506fd4998a51d54502e99116",
    "c65716add7aa98ba7acb236352d665cab17345fe45b55fb879ff80e6bd0c41dd",
    "969660042a28f32d9be17344e09374b379962d03db1574df5a8a5a47e19ce3f2",
    "a5a64476122ca0925fb344bdc1854c1c0a59fc614298e50a33e331980a220f32",
    "05cde6323d949933f7f7b78776bcc1ea6d9b31447732e3802e1f7ac44b650e17",
];

/// Inserts `secrets` at indices 281474976710655, 281474976710654, ... and checks that every
/// insert succeeds except the last, which must fail exactly when `last_fails`.
fn run_storage_test(secrets: &[&str], last_fails: bool) -> CounterpartyCommitmentSecrets {
    let mut store = CounterpartyCommitmentSecrets::new();
    for (offset, secret) in secrets.iter().enumerate() {
        let index = 281474976710655 - offset as u64;
        let number = commitment_number_from_index(index).unwrap();
        let result = store.insert(number, bytes32(secret));
        if offset + 1 == secrets.len() && last_fails {
            assert_eq!(
                result,
                Err(SecretStoreError::Inconsistent {
                    commitment_number: number
                }),
                "insert at index {index} must fail"
            );
            assert_eq!(
                store.next_commitment_number(),
                number,
                "failed insert is not stored"
            );
        } else {
            assert_eq!(result, Ok(()), "insert at index {index} must succeed");
        }
    }
    store
}

#[test]
fn insert_secret_correct_sequence() {
    let store = run_storage_test(&CORRECT, false);
    assert_eq!(store.next_commitment_number(), 8);
    for (number, secret) in CORRECT.iter().enumerate() {
        assert_eq!(
            store.get(number as u64).map(hex::encode).as_deref(),
            Some(*secret)
        );
    }
    assert_eq!(store.get(8), None, "secret 8 not received yet");
}

#[test]
fn insert_secret_1_incorrect() {
    run_storage_test(
        &[
            "02a40c85b6f28da08dfdbe0926c53fab2de6d28c10301f8f7c4073d5e42e3148",
            CORRECT[1],
        ],
        true,
    );
}

#[test]
fn insert_secret_2_incorrect_1_derived_from_incorrect() {
    run_storage_test(
        &[
            "02a40c85b6f28da08dfdbe0926c53fab2de6d28c10301f8f7c4073d5e42e3148",
            "dddc3a8d14fddf2b68fa8c7fbad2748274937479dd0f8930d5ebb4ab6bd866a3",
            CORRECT[2],
            CORRECT[3],
        ],
        true,
    );
}

#[test]
fn insert_secret_3_incorrect() {
    run_storage_test(
        &[
            CORRECT[0],
            CORRECT[1],
            "c51a18b13e8527e579ec56365482c62f180b7d5760b46e9477dae59e87ed423a",
            CORRECT[3],
        ],
        true,
    );
}

#[test]
fn insert_secret_4_incorrect_1_2_3_derived_from_incorrect() {
    run_storage_test(
        &[
            "02a40c85b6f28da08dfdbe0926c53fab2de6d28c10301f8f7c4073d5e42e3148",
            "dddc3a8d14fddf2b68fa8c7fbad2748274937479dd0f8930d5ebb4ab6bd866a3",
            "c51a18b13e8527e579ec56365482c62f180b7d5760b46e9477dae59e87ed423a",
            "ba65d7b0ef55a3ba300d4e87af29868f394f8f138d78a7011669c79b37b936f4",
            CORRECT[4],
            CORRECT[5],
            CORRECT[6],
            CORRECT[7],
        ],
        true,
    );
}

#[test]
fn insert_secret_5_incorrect() {
    run_storage_test(
        &[
            CORRECT[0],
            CORRECT[1],
            CORRECT[2],
            CORRECT[3],
            "631373ad5f9ef654bb3dade742d09504c567edd24320d2fcd68e3cc47e2ff6a6",
            CORRECT[5],
        ],
        true,
    );
}

#[test]
fn insert_secret_6_incorrect_5_derived_from_incorrect() {
    run_storage_test(
        &[
            CORRECT[0],
            CORRECT[1],
            CORRECT[2],
            CORRECT[3],
            "631373ad5f9ef654bb3dade742d09504c567edd24320d2fcd68e3cc47e2ff6a6",
            "b7e76a83668bde38b373970155c868a653304308f9896692f904a23731224bb1",
            CORRECT[6],
            CORRECT[7],
        ],
        true,
    );
}

#[test]
fn insert_secret_7_incorrect() {
    run_storage_test(
        &[
            CORRECT[0],
            CORRECT[1],
            CORRECT[2],
            CORRECT[3],
            CORRECT[4],
            CORRECT[5],
            "e7971de736e01da8ed58b94c2fc216cb1dca9e326f3a96e7194fe8ea8af6c0a3",
            CORRECT[7],
        ],
        true,
    );
}

#[test]
fn insert_secret_8_incorrect() {
    run_storage_test(
        &[
            CORRECT[0],
            CORRECT[1],
            CORRECT[2],
            CORRECT[3],
            CORRECT[4],
            CORRECT[5],
            CORRECT[6],
            "a7efbc61aac46d34f77778bac22c8a20c6a46ca460addc49009bda875ec88fa4",
        ],
        true,
    );
}

#[test]
fn storage_secrets_match_generation_from_ff_seed() {
    let seed = [0xff; 32];
    for (offset, secret) in CORRECT.iter().enumerate() {
        let generated = per_commitment_secret_at_index(&seed, 281474976710655 - offset as u64);
        assert_eq!(hex::encode(generated.unwrap()), *secret);
    }
}

// ---------------------------------------------------------------- Appendix E

const BASE_SECRET: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const PER_COMMITMENT_SECRET: &str =
    "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";
const BASE_POINT: &str = "036d6caac248af96f6afa7f904f550253a0f3ef3f5aa2fe6838a95b216691468e2";
const PER_COMMITMENT_POINT: &str =
    "025f7117a78150fe2ef97db7cfc83bd57b2e2c0d0dd25eaf467a4a1c2a45ce1486";

#[test]
fn appendix_e_points_from_secrets() {
    let secp = Secp256k1::new();
    let base = SecretKey::from_slice(&bytes32(BASE_SECRET)).unwrap();
    assert_eq!(
        hex::encode(PublicKey::from_secret_key(&secp, &base).serialize()),
        BASE_POINT
    );
    let point = per_commitment_point(&secp, &bytes32(PER_COMMITMENT_SECRET)).unwrap();
    assert_eq!(hex::encode(point.serialize()), PER_COMMITMENT_POINT);
}

#[test]
fn appendix_e_derivation_of_pubkey() {
    let secp = Secp256k1::verification_only();
    let key = derive_public_key(&secp, &pubkey(BASE_POINT), &pubkey(PER_COMMITMENT_POINT)).unwrap();
    assert_eq!(
        hex::encode(key.serialize()),
        "0235f2dbfaa89b57ec7b055afe29849ef7ddfeb1cefdb9ebdc43f5494984db29e5"
    );
}

#[test]
fn appendix_e_derivation_of_private_key() {
    let secp = Secp256k1::new();
    let base = SecretKey::from_slice(&bytes32(BASE_SECRET)).unwrap();
    let key = derive_private_key(&secp, &base, &pubkey(PER_COMMITMENT_POINT)).unwrap();
    assert_eq!(
        hex::encode(key.secret_bytes()),
        "cbced912d3b21bf196a766651e436aff192362621ce317704ea2f75d87e7be0f"
    );
    let public = derive_public_key(&secp, &pubkey(BASE_POINT), &pubkey(PER_COMMITMENT_POINT));
    assert_eq!(PublicKey::from_secret_key(&secp, &key), public.unwrap());
}

#[test]
fn appendix_e_derivation_of_revocation_pubkey() {
    let secp = Secp256k1::verification_only();
    let key =
        derive_revocation_public_key(&secp, &pubkey(BASE_POINT), &pubkey(PER_COMMITMENT_POINT))
            .unwrap();
    assert_eq!(
        hex::encode(key.serialize()),
        "02916e326636d19c33f13e8c0c3a03dd157f332f3e99c317c141dd865eb01f8ff0"
    );
}

#[test]
fn appendix_e_derivation_of_revocation_secret() {
    let secp = Secp256k1::new();
    let base = SecretKey::from_slice(&bytes32(BASE_SECRET)).unwrap();
    let per_commitment = SecretKey::from_slice(&bytes32(PER_COMMITMENT_SECRET)).unwrap();
    let key = derive_revocation_private_key(&secp, &base, &per_commitment).unwrap();
    assert_eq!(
        hex::encode(key.secret_bytes()),
        "d09ffff62ddb2297ab000cc85bcb4283fdeb6aa052affbc9dddcf33b61078110"
    );
    assert_eq!(
        hex::encode(PublicKey::from_secret_key(&secp, &key).serialize()),
        "02916e326636d19c33f13e8c0c3a03dd157f332f3e99c317c141dd865eb01f8ff0"
    );
}

// ---------------------------------------------------------------- Appendix C keys

#[test]
fn appendix_c_commitment_keys() {
    let secp = Secp256k1::verification_only();
    let unused = pubkey(BASE_POINT); // Not part of these keys.
    let local = ChannelPublicKeys {
        funding_pubkey: pubkey(
            "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb",
        ),
        revocation_basepoint: unused,
        payment_point: pubkey("034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa"),
        delayed_payment_basepoint: pubkey(
            "023c72addb4fdf09af94f0c94d7fe92a386a7e70cf8a1d85916386bb2535c7b1b1",
        ),
        htlc_basepoint: pubkey(
            "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa",
        ),
    };
    let remote = ChannelPublicKeys {
        funding_pubkey: pubkey(
            "030e9f7b623d2ccc7c9bd44d66d5ce21ce504c0acf6385a132cec6d3c39fa711c1",
        ),
        revocation_basepoint: pubkey(
            "02466d7fcae563e5cb09a0d1870bb580344804617879a14949cf22285f1bae3f27",
        ),
        payment_point: pubkey("032c0b7cf95324a07d05398b240174dc0c2be444d96b159aa6c7f7b1e668680991"),
        delayed_payment_basepoint: unused,
        htlc_basepoint: pubkey(
            "032c0b7cf95324a07d05398b240174dc0c2be444d96b159aa6c7f7b1e668680991",
        ),
    };
    let keys = commitment_keys(&secp, &pubkey(PER_COMMITMENT_POINT), &local, &remote).unwrap();
    let hex_of = |key: PublicKey| hex::encode(key.serialize());
    assert_eq!(
        hex_of(keys.revocation_pubkey),
        "0212a140cd0c6539d07cd08dfe09984dec3251ea808b892efeac3ede9402bf2b19"
    );
    assert_eq!(
        hex_of(keys.broadcaster_delayed_payment_key),
        "03fd5960528dc152014952efdb702a88f71e3c1653b2314431701ec77e57fde83c"
    );
    assert_eq!(
        hex_of(keys.broadcaster_htlc_key),
        "030d417a46946384f88d5f3337267c5e579765875dc4daca813e21734b140639e7"
    );
    assert_eq!(
        hex_of(keys.countersignatory_htlc_key),
        "0394854aa6eab5b2a8122cc726e9dded053a2184d88256816826d6231c068d4a5b"
    );
    assert_eq!(keys.countersignatory_payment_key, remote.payment_point);
}

#[test]
fn appendix_c_delayed_private_key() {
    let secp = Secp256k1::new();
    let base = SecretKey::from_slice(&[0x33; 32]).unwrap();
    let key = derive_private_key(&secp, &base, &pubkey(PER_COMMITMENT_POINT)).unwrap();
    assert_eq!(
        hex::encode(key.secret_bytes()),
        "adf3464ce9c2f230fd2582fda4c6965e4993ca5524e8c9580e3df0cf226981ad"
    );
}
