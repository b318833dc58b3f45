//! Properties of the per-commitment secret chain and its compact receiver store.

use lightning_signer_api::bitcoin::secp256k1::Secp256k1;
use lightning_signer_api::bitcoin::secp256k1::SecretKey;
use lightning_signer_api::keys::{
    per_commitment_secret, ChannelSecrets, CounterpartyCommitmentSecrets, SecretStoreDecodeError,
    SecretStoreError, MAX_COMMITMENT_NUMBER,
};
use proptest::prelude::*;

fn filled_store(seed: &[u8; 32], count: u64) -> CounterpartyCommitmentSecrets {
    let mut store = CounterpartyCommitmentSecrets::new();
    for number in 0..count {
        store
            .insert(number, per_commitment_secret(seed, number).unwrap())
            .unwrap();
    }
    store
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn store_returns_every_inserted_secret(seed in any::<[u8; 32]>(), count in 1u64..600) {
        let store = filled_store(&seed, count);
        prop_assert_eq!(store.next_commitment_number(), count);
        prop_assert!(store.len() <= 49);
        for number in 0..count {
            prop_assert_eq!(store.get(number), Some(per_commitment_secret(&seed, number).unwrap()));
        }
        prop_assert_eq!(store.get(count), None);
    }

    #[test]
    fn store_encoding_round_trips(seed in any::<[u8; 32]>(), count in 0u64..600) {
        let store = filled_store(&seed, count);
        let decoded = CounterpartyCommitmentSecrets::decode(&store.encode());
        prop_assert_eq!(decoded.as_ref(), Ok(&store));
        let mut decoded = decoded.unwrap();
        // The decoded store keeps accepting the chain where it left off.
        prop_assert_eq!(decoded.insert(count, per_commitment_secret(&seed, count).unwrap()), Ok(()));
    }

    #[test]
    fn store_refuses_a_secret_from_another_seed(
        seed in any::<[u8; 32]>(),
        other in any::<[u8; 32]>(),
        count in 1u64..200,
    ) {
        prop_assume!(seed != other);
        let mut store = filled_store(&seed, count);
        // Find the next number whose secret covers an earlier one (an even BOLT 3 index):
        // those are the inserts that can be checked.
        let mut number = count;
        while (MAX_COMMITMENT_NUMBER - number) % 2 == 1 {
            store.insert(number, per_commitment_secret(&seed, number).unwrap()).unwrap();
            number += 1;
        }
        let result = store.insert(number, per_commitment_secret(&other, number).unwrap());
        prop_assert_eq!(result, Err(SecretStoreError::Inconsistent { commitment_number: number }));
    }

    #[test]
    fn decode_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = CounterpartyCommitmentSecrets::decode(&bytes);
    }

    #[test]
    fn decode_rejects_a_corrupted_secret(seed in any::<[u8; 32]>(), count in 3u64..300, flip in any::<usize>()) {
        let store = filled_store(&seed, count);
        let mut bytes = store.encode();
        // Corrupt one bit of one stored secret.
        let entries = (bytes.len() - 2) / 41;
        let entry = flip % entries;
        let position = 2 + entry * 41 + 9 + flip % 32;
        bytes[position] ^= 1;
        // Either the corruption is caught, or the corrupted entry was not covered by any
        // other (then it is only caught by a later insert, as for a live store).
        if let Ok(mut decoded) = CounterpartyCommitmentSecrets::decode(&bytes) {
            let mut caught = false;
            for number in count..count + 2048 {
                if decoded.insert(number, per_commitment_secret(&seed, number).unwrap()).is_err() {
                    caught = true;
                    break;
                }
            }
            prop_assert!(caught);
        }
    }
}

#[test]
fn store_refuses_out_of_order_secrets() {
    let seed = [7; 32];
    let mut store = filled_store(&seed, 3);
    let secret = per_commitment_secret(&seed, 4).unwrap();
    assert_eq!(
        store.insert(4, secret),
        Err(SecretStoreError::OutOfOrder {
            expected: 3,
            got: 4
        })
    );
    let secret = per_commitment_secret(&seed, 1).unwrap();
    assert_eq!(
        store.insert(1, secret),
        Err(SecretStoreError::OutOfOrder {
            expected: 3,
            got: 1
        })
    );
    assert_eq!(store.next_commitment_number(), 3);
}

#[test]
fn empty_store_round_trips_and_decode_checks_version() {
    let store = CounterpartyCommitmentSecrets::new();
    assert!(store.is_empty());
    assert_eq!(store.encode(), vec![1, 0]);
    assert_eq!(CounterpartyCommitmentSecrets::decode(&[1, 0]), Ok(store));
    assert_eq!(
        CounterpartyCommitmentSecrets::decode(&[2, 0]),
        Err(SecretStoreDecodeError::UnknownVersion(2))
    );
    assert_eq!(
        CounterpartyCommitmentSecrets::decode(&[1, 1]),
        Err(SecretStoreDecodeError::BadLength)
    );
}

#[test]
fn channel_secrets_points_match_the_chain() {
    let secp = Secp256k1::new();
    let key = |b: u8| SecretKey::from_slice(&[b; 32]).unwrap();
    let secrets = ChannelSecrets {
        funding_key: key(1),
        revocation_base_key: key(2),
        payment_key: key(3),
        delayed_payment_base_key: key(4),
        htlc_base_key: key(5),
        commitment_seed: [9; 32],
    };
    let public = secrets.public_keys(&secp);
    assert_eq!(public.funding_pubkey, key(1).public_key(&secp));
    assert_eq!(public.htlc_basepoint, key(5).public_key(&secp));
    let secret = secrets.per_commitment_secret(5).unwrap();
    assert_eq!(secret, per_commitment_secret(&[9; 32], 5).unwrap());
    let point = secrets.per_commitment_point(&secp, 5).unwrap();
    assert_eq!(
        point,
        SecretKey::from_slice(&secret).unwrap().public_key(&secp)
    );
    assert!(
        !format!("{secrets:?}").contains("0101"),
        "Debug hides secrets"
    );
}
