//! What `InMemoryChannelSigner` keeps or skips between calls gives the same answers as a
//! derivation from scratch: its holder per-commitment points (cached by commitment number)
//! equal those of a fresh signer of the same keys, a counterparty revocation secret is
//! checked exactly as before, and counterparty commitments sign with or without HTLC
//! transactions (whose key is derived only when there is one).

use lightning_signer_api::bitcoin::hashes::Hash;
use lightning_signer_api::bitcoin::secp256k1::{Secp256k1, SecretKey};
use lightning_signer_api::bitcoin::sighash::EcdsaSighashType;
use lightning_signer_api::bitcoin::{OutPoint, Txid};
use lightning_signer_api::keys::{
    ChannelPublicKeys, ChannelSecrets, KeyDerivationError, MAX_COMMITMENT_NUMBER,
};
use lightning_signer_api::keys_manager::{InMemoryChannelSigner, KeysManager};
use lightning_signer_api::traits::{
    ChannelKeysId, ChannelSetup, ChannelSigner, InvalidInput, Refusal, SignerReply,
};
use lightning_signer_api::tx::{
    htlc_countersignatory_sighash_type, verify_p2wsh_signature, ChannelParameters, ChannelType,
    CommitmentInputs, Htlc, HtlcDirection, Side, SideParameters,
};
use proptest::prelude::*;

const KEYS_ID: ChannelKeysId = ChannelKeysId([7; 32]);

fn signer(seed: u8) -> InMemoryChannelSigner {
    KeysManager::new(&[seed; 32])
        .expect("a 32-byte seed is valid")
        .derive_in_memory_signer(&KEYS_ID)
}

/// Channel secrets made of repeated bytes picked by `seed`.
fn secrets(seed: u8) -> ChannelSecrets {
    // Bytes 1..=105 repeated are valid private keys (below the curve order).
    let key = |offset: u8| SecretKey::from_slice(&[seed % 100 + offset + 1; 32]).unwrap();
    ChannelSecrets {
        funding_key: key(0),
        revocation_base_key: key(1),
        payment_key: key(2),
        delayed_payment_base_key: key(3),
        htlc_base_key: key(4),
        commitment_seed: [seed; 32],
    }
}

fn ready<T>(reply: SignerReply<T>) -> T {
    match reply {
        SignerReply::Ready(value) => value,
        other => panic!("expected Ready, got {:?}", other.map(|_| ())),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Asking for points in any order, with repeats (cache hits) and more distinct numbers
    /// than the cache holds (evictions), gives the points of a signer that derives each one
    /// for the first time, and the points of the per-commitment secrets.
    #[test]
    fn cached_points_equal_fresh_derivations(
        numbers in proptest::collection::vec(
            prop_oneof![
                8 => 0u64..10,
                1 => (MAX_COMMITMENT_NUMBER - 2)..=(MAX_COMMITMENT_NUMBER + 2),
            ],
            1..40,
        ),
        seed in any::<u8>(),
    ) {
        let secp = Secp256k1::new();
        let mut cached = InMemoryChannelSigner::new(KEYS_ID, secrets(seed));
        for number in numbers {
            let got = cached.per_commitment_point(number);
            let fresh = InMemoryChannelSigner::new(KEYS_ID, secrets(seed)).per_commitment_point(number);
            prop_assert_eq!(&got, &fresh);
            match secrets(seed).per_commitment_point(&secp, number) {
                Ok(point) => prop_assert_eq!(got, SignerReply::Ready(point)),
                Err(_) => prop_assert!(matches!(got, SignerReply::Refused(_))),
            }
        }
    }
}

#[test]
fn a_revocation_secret_must_be_a_private_key() {
    let (mut alice, bob) = (signer(1), signer(2));
    let setup = setup_of(&alice, &bob, Side::Holder);
    // Zero and the curve order are not private keys; a counterparty could send either.
    let order = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36,
        0x41, 0x41,
    ];
    for bad in [[0u8; 32], order, [0xff; 32]] {
        assert_eq!(
            alice.validate_counterparty_revocation(&setup, 0, &bad),
            SignerReply::Refused(Refusal::InvalidInput(InvalidInput::KeyDerivation(
                KeyDerivationError::InvalidSecret
            )))
        );
    }
    let mut below_order = order;
    below_order[31] = 0x40;
    for good in [[1u8; 32], below_order] {
        ready(alice.validate_counterparty_revocation(&setup, 0, &good));
    }
}

fn side(keys: &ChannelPublicKeys) -> SideParameters {
    SideParameters {
        funding_pubkey: keys.funding_pubkey,
        payment_basepoint: keys.payment_point,
        dust_limit_satoshis: 546,
        to_self_delay: 144,
    }
}

/// The setup of `holder`'s view of a channel with `counterparty`; `opener` is who opened.
fn setup_of(
    holder: &InMemoryChannelSigner,
    counterparty: &InMemoryChannelSigner,
    opener: Side,
) -> ChannelSetup {
    let (holder_keys, counterparty_keys) = (
        *holder.channel_public_keys(),
        *counterparty.channel_public_keys(),
    );
    ChannelSetup {
        parameters: ChannelParameters {
            funding_outpoint: OutPoint {
                txid: Txid::from_byte_array([5; 32]),
                vout: 1,
            },
            funding_satoshis: 1_000_000,
            opener,
            channel_type: ChannelType::StaticRemoteKey,
            holder: side(&holder_keys),
            counterparty: side(&counterparty_keys),
        },
        holder_keys,
        counterparty_keys,
    }
}

/// Bob's commitment `number` with one HTLC of `htlc_msat` (trimmed when below the dust limit).
fn bob_commitment(number: u64, htlc_msat: u64) -> CommitmentInputs {
    CommitmentInputs {
        commitment_number: number,
        feerate_per_kw: 253,
        to_broadcaster_msat: 300_000_000,
        to_countersignatory_msat: 600_000_000,
        htlcs: vec![Htlc {
            direction: HtlcDirection::Offered,
            amount_msat: htlc_msat,
            payment_hash: [1; 32],
            cltv_expiry: 600,
        }],
    }
}

#[test]
fn counterparty_commitments_sign_with_and_without_htlc_transactions() {
    let secp = Secp256k1::new();
    let (mut alice, mut bob) = (signer(1), signer(2));
    let alice_setup = setup_of(&alice, &bob, Side::Holder);
    let bob_setup = setup_of(&bob, &alice, Side::Counterparty);
    // A trimmed HTLC, then an untrimmed one, then a trimmed one again.
    for (number, htlc_msat) in [(0, 10_000), (1, 5_000_000), (2, 20_000)] {
        let point = ready(bob.per_commitment_point(number));
        let inputs = bob_commitment(number, htlc_msat);
        let signatures = ready(alice.sign_counterparty_commitment(&alice_setup, &inputs, &point));
        let built = bob_setup
            .build_commitment(&secp, Side::Holder, &point, &inputs)
            .unwrap();
        assert_eq!(signatures.htlcs.len(), built.htlc_outputs.len());
        assert_eq!(built.htlc_outputs.len(), usize::from(htlc_msat > 1_000_000));
        let params = &bob_setup.parameters;
        assert!(verify_p2wsh_signature(
            &secp,
            &built.tx,
            0,
            &params.funding_witness_script(),
            params.funding_satoshis,
            EcdsaSighashType::All,
            &signatures.commitment,
            &params.counterparty.funding_pubkey,
        ));
        for (position, output) in built.htlc_outputs.iter().enumerate() {
            let tx = built.htlc_transaction(position).unwrap();
            assert!(verify_p2wsh_signature(
                &secp,
                &tx,
                0,
                &output.witness_script,
                output.htlc.amount_sat(),
                htlc_countersignatory_sighash_type(params.channel_type),
                &signatures.htlcs[position],
                &built.keys.countersignatory_htlc_key,
            ));
        }
        ready(bob.validate_holder_commitment(&bob_setup, &inputs, &signatures));
    }
}
