//! InMemoryChannelSigner through the ChannelSigner trait: two peers' signers sign each other's
//! commitments, and every signature is checked against the tx module.

use lightning_signer_api::bitcoin::hashes::Hash;
use lightning_signer_api::bitcoin::secp256k1::ecdsa::Signature;
use lightning_signer_api::bitcoin::secp256k1::{Message, PublicKey, Secp256k1};
use lightning_signer_api::bitcoin::sighash::{EcdsaSighashType, SighashCache};
use lightning_signer_api::bitcoin::{
    Amount, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Txid, Witness,
};
use lightning_signer_api::keys::{per_commitment_point, ChannelPublicKeys};
use lightning_signer_api::keys_manager::{InMemoryChannelSigner, KeysManager};
use lightning_signer_api::traits::{
    gossip_signing_hash, ChannelKeysId, ChannelSetup, ChannelSigner, ClosingProposal, InvalidInput,
    JusticeKind, JusticeRequest, PolicyCode, Refusal, SignerReply, SweepKind, SweepRequest,
};
use lightning_signer_api::tx::scripts::{
    anchor_witness_script, p2wpkh, to_remote_anchors_witness_script,
};
use lightning_signer_api::tx::{
    build_justice_transaction, htlc_countersignatory_sighash_type, revoked_outputs,
    verify_p2wsh_signature, ChannelParameters, ChannelType, ClosingOutput, CommitmentInputs,
    CommitmentTransaction, Htlc, HtlcDirection, RevokedOutputKind, Side, SideParameters,
    ANCHOR_OUTPUT_VALUE_SATOSHIS,
};

fn ready<T>(reply: SignerReply<T>) -> T {
    match reply {
        SignerReply::Ready(value) => value,
        other => panic!("expected Ready, got {:?}", other.map(|_| ())),
    }
}

fn refusal<T>(reply: SignerReply<T>) -> Refusal {
    match reply {
        SignerReply::Refused(refusal) => refusal,
        other => panic!("expected Refused, got {:?}", other.map(|_| ())),
    }
}

/// Alice (the opener) and Bob, each with a signer and a view of the channel.
struct Channel {
    alice: InMemoryChannelSigner,
    bob: InMemoryChannelSigner,
    alice_setup: ChannelSetup,
    bob_setup: ChannelSetup,
}

fn side(keys: &ChannelPublicKeys) -> SideParameters {
    SideParameters {
        funding_pubkey: keys.funding_pubkey,
        payment_basepoint: keys.payment_point,
        dust_limit_satoshis: 546,
        to_self_delay: 144,
    }
}

fn open(channel_type: ChannelType) -> Channel {
    let alice = KeysManager::new(&[1; 32])
        .unwrap()
        .derive_in_memory_signer(&ChannelKeysId([10; 32]));
    let bob = KeysManager::new(&[2; 32])
        .unwrap()
        .derive_in_memory_signer(&ChannelKeysId([20; 32]));
    let (alice_keys, bob_keys) = (*alice.channel_public_keys(), *bob.channel_public_keys());
    let funding_outpoint = OutPoint {
        txid: Txid::from_byte_array([5; 32]),
        vout: 1,
    };
    let params =
        |holder: &ChannelPublicKeys, counterparty: &ChannelPublicKeys, opener| ChannelParameters {
            funding_outpoint,
            funding_satoshis: 1_000_000,
            opener,
            channel_type,
            holder: side(holder),
            counterparty: side(counterparty),
        };
    Channel {
        alice_setup: ChannelSetup {
            parameters: params(&alice_keys, &bob_keys, Side::Holder),
            holder_keys: alice_keys,
            counterparty_keys: bob_keys,
        },
        bob_setup: ChannelSetup {
            parameters: params(&bob_keys, &alice_keys, Side::Counterparty),
            holder_keys: bob_keys,
            counterparty_keys: alice_keys,
        },
        alice,
        bob,
    }
}

/// Bob's commitment `number`: Bob has 300k sat, Alice 600k, one HTLC each way.
fn bob_commitment(number: u64) -> CommitmentInputs {
    CommitmentInputs {
        commitment_number: number,
        feerate_per_kw: 253,
        to_broadcaster_msat: 300_000_000,
        to_countersignatory_msat: 600_000_000,
        htlcs: vec![
            Htlc {
                direction: HtlcDirection::Offered,
                amount_msat: 40_000_000,
                payment_hash: [1; 32],
                cltv_expiry: 600,
            },
            Htlc {
                direction: HtlcDirection::Received,
                amount_msat: 60_000_000,
                payment_hash: [2; 32],
                cltv_expiry: 700,
            },
        ],
    }
}

/// Alice signs Bob's commitment `number`; Bob validates it. Returns Bob's rebuilt commitment.
fn commit_bob(channel: &mut Channel, number: u64) -> CommitmentTransaction {
    let secp = Secp256k1::new();
    let point = ready(channel.bob.per_commitment_point(number));
    let inputs = bob_commitment(number);
    let signatures = ready(channel.alice.sign_counterparty_commitment(
        &channel.alice_setup,
        &inputs,
        &point,
    ));
    ready(
        channel
            .bob
            .validate_holder_commitment(&channel.bob_setup, &inputs, &signatures),
    );
    channel
        .bob_setup
        .build_commitment(&secp, Side::Holder, &point, &inputs)
        .unwrap()
}

fn spend(outpoint: OutPoint, sequence: u32) -> Transaction {
    Transaction {
        version: lightning_signer_api::bitcoin::transaction::Version::TWO,
        lock_time: lightning_signer_api::bitcoin::absolute::LockTime::ZERO,
        input: vec![TxIn {
            previous_output: outpoint,
            script_sig: ScriptBuf::new(),
            sequence: Sequence(sequence),
            witness: Witness::new(),
        }],
        output: vec![TxOut {
            value: Amount::from_sat(10_000),
            script_pubkey: ScriptBuf::new_op_return([0u8; 4]),
        }],
    }
}

fn check_counterparty_signatures(channel_type: ChannelType) {
    let secp = Secp256k1::new();
    let mut channel = open(channel_type);
    let point = ready(channel.bob.per_commitment_point(0));
    let inputs = bob_commitment(0);
    let signatures = ready(channel.alice.sign_counterparty_commitment(
        &channel.alice_setup,
        &inputs,
        &point,
    ));
    // Bob rebuilds his own commitment from his view; Alice's signatures verify on it.
    let built = channel
        .bob_setup
        .build_commitment(&secp, Side::Holder, &point, &inputs)
        .unwrap();
    let params = &channel.bob_setup.parameters;
    assert!(verify_p2wsh_signature(
        &secp,
        &built.tx,
        0,
        &params.funding_witness_script(),
        params.funding_satoshis,
        EcdsaSighashType::All,
        &signatures.commitment,
        &channel.alice_setup.holder_keys.funding_pubkey,
    ));
    assert_eq!(signatures.htlcs.len(), 2);
    for (position, output) in built.htlc_outputs.iter().enumerate() {
        let tx = built.htlc_transaction(position).unwrap();
        assert!(verify_p2wsh_signature(
            &secp,
            &tx,
            0,
            &output.witness_script,
            output.htlc.amount_sat(),
            htlc_countersignatory_sighash_type(channel_type),
            &signatures.htlcs[position],
            &built.keys.countersignatory_htlc_key,
        ));
    }
    ready(
        channel
            .bob
            .validate_holder_commitment(&channel.bob_setup, &inputs, &signatures),
    );
    // Signatures for another state do not validate.
    let mut other = inputs.clone();
    other.feerate_per_kw += 1;
    assert_eq!(
        refusal(
            channel
                .bob
                .validate_holder_commitment(&channel.bob_setup, &other, &signatures)
        ),
        Refusal::InvalidInput(InvalidInput::BadSignature)
    );
}

#[test]
fn counterparty_commitment_signatures_verify_static_remotekey() {
    check_counterparty_signatures(ChannelType::StaticRemoteKey);
}

#[test]
fn counterparty_commitment_signatures_verify_anchors() {
    check_counterparty_signatures(ChannelType::AnchorsZeroFeeHtlcTx);
}

#[test]
fn secrets_are_released_only_for_superseded_commitments() {
    let secp = Secp256k1::new();
    let mut channel = open(ChannelType::StaticRemoteKey);
    assert_eq!(
        refusal(channel.bob.release_commitment_secret(0)),
        Refusal::Policy(PolicyCode::SecretNotSuperseded)
    );
    commit_bob(&mut channel, 0);
    assert_eq!(
        refusal(channel.bob.release_commitment_secret(0)),
        Refusal::Policy(PolicyCode::SecretNotSuperseded)
    );
    let current = commit_bob(&mut channel, 1);
    let secret = ready(channel.bob.release_commitment_secret(0));
    assert_eq!(
        per_commitment_point(&secp, &secret).unwrap(),
        ready(channel.bob.per_commitment_point(0))
    );
    assert_eq!(
        refusal(channel.bob.release_commitment_secret(1)),
        Refusal::Policy(PolicyCode::SecretNotSuperseded)
    );
    ready(
        channel
            .alice
            .validate_counterparty_revocation(&channel.alice_setup, 0, &secret),
    );

    // The revoked commitment is never signed for broadcast; the current one is.
    assert_eq!(
        refusal(
            channel
                .bob
                .sign_holder_commitment(&channel.bob_setup, &bob_commitment(0))
        ),
        Refusal::Policy(PolicyCode::RevokedHolderCommitment)
    );
    let signature = ready(
        channel
            .bob
            .sign_holder_commitment(&channel.bob_setup, &bob_commitment(1)),
    );
    let params = &channel.bob_setup.parameters;
    assert!(verify_p2wsh_signature(
        &secp,
        &current.tx,
        0,
        &params.funding_witness_script(),
        params.funding_satoshis,
        EcdsaSighashType::All,
        &signature,
        &channel.bob_setup.holder_keys.funding_pubkey,
    ));
    // Validated holder commitments only move forward.
    let point = ready(channel.bob.per_commitment_point(0));
    let old = ready(channel.alice.sign_counterparty_commitment(
        &channel.alice_setup,
        &bob_commitment(0),
        &point,
    ));
    assert_eq!(
        refusal(channel.bob.validate_holder_commitment(
            &channel.bob_setup,
            &bob_commitment(0),
            &old
        )),
        Refusal::Policy(PolicyCode::CommitmentNumberRegression)
    );
}

#[test]
fn per_commitment_points_match_released_secrets() {
    let secp = Secp256k1::new();
    let mut channel = open(ChannelType::StaticRemoteKey);
    for number in 0..4 {
        commit_bob(&mut channel, number);
    }
    for number in 0..3 {
        let secret = ready(channel.bob.release_commitment_secret(number));
        let point = ready(channel.bob.per_commitment_point(number));
        assert_eq!(per_commitment_point(&secp, &secret).unwrap(), point);
    }
    assert_ne!(
        ready(channel.bob.per_commitment_point(0)),
        ready(channel.bob.per_commitment_point(1))
    );
}

#[test]
fn holder_htlc_transactions_are_checked_before_signing() {
    let secp = Secp256k1::new();
    for channel_type in [
        ChannelType::StaticRemoteKey,
        ChannelType::AnchorsZeroFeeHtlcTx,
    ] {
        let mut channel = open(channel_type);
        let built = commit_bob(&mut channel, 0);
        let inputs = bob_commitment(0);
        let tx = built.htlc_transaction(1).unwrap();
        let signature =
            ready(
                channel
                    .bob
                    .sign_holder_htlc_transaction(&channel.bob_setup, &inputs, 1, &tx, 0),
            );
        let output = &built.htlc_outputs[1];
        assert!(verify_p2wsh_signature(
            &secp,
            &tx,
            0,
            &output.witness_script,
            output.htlc.amount_sat(),
            EcdsaSighashType::All,
            &signature,
            &built.keys.broadcaster_htlc_key,
        ));
        let mut stolen = tx.clone();
        stolen.output[0].script_pubkey = p2wpkh(&channel.alice_setup.holder_keys.payment_point);
        assert_eq!(
            refusal(channel.bob.sign_holder_htlc_transaction(
                &channel.bob_setup,
                &inputs,
                1,
                &stolen,
                0
            )),
            Refusal::InvalidInput(InvalidInput::TransactionMismatch)
        );
        assert_eq!(
            refusal(channel.bob.sign_holder_htlc_transaction(
                &channel.bob_setup,
                &inputs,
                2,
                &tx,
                0
            )),
            Refusal::InvalidInput(InvalidInput::HtlcOutOfRange)
        );
        // With anchors a fee input may be added; without, the transaction must be exact.
        let mut bumped = tx.clone();
        bumped.input.push(
            spend(
                OutPoint {
                    txid: Txid::from_byte_array([9; 32]),
                    vout: 0,
                },
                0,
            )
            .input[0]
                .clone(),
        );
        let reply =
            channel
                .bob
                .sign_holder_htlc_transaction(&channel.bob_setup, &inputs, 1, &bumped, 0);
        assert_eq!(
            matches!(reply, SignerReply::Ready(_)),
            channel_type.has_anchors()
        );
    }
}

#[test]
fn closing_signatures_verify_for_both_peers() {
    let secp = Secp256k1::new();
    let mut channel = open(ChannelType::StaticRemoteKey);
    let alice_output = ClosingOutput {
        script_pubkey: p2wpkh(&channel.alice_setup.holder_keys.payment_point),
        balance_msat: 600_000_000,
    };
    let bob_output = ClosingOutput {
        script_pubkey: p2wpkh(&channel.bob_setup.holder_keys.payment_point),
        balance_msat: 400_000_000,
    };
    let proposal = |holder: &ClosingOutput, counterparty: &ClosingOutput| ClosingProposal::Legacy {
        holder_output: Some(holder.clone()),
        counterparty_output: Some(counterparty.clone()),
        fee_satoshis: 700,
        dust_limit_satoshis: 546,
    };
    let alice_proposal = proposal(&alice_output, &bob_output);
    let bob_proposal = proposal(&bob_output, &alice_output);
    let tx = alice_proposal.build(&channel.alice_setup).unwrap();
    assert_eq!(
        tx,
        bob_proposal.build(&channel.bob_setup).unwrap(),
        "both views build the same close"
    );
    let params = &channel.alice_setup.parameters;
    for (signature, key) in [
        (
            ready(
                channel
                    .alice
                    .sign_closing_transaction(&channel.alice_setup, &alice_proposal),
            ),
            channel.alice_setup.holder_keys.funding_pubkey,
        ),
        (
            ready(
                channel
                    .bob
                    .sign_closing_transaction(&channel.bob_setup, &bob_proposal),
            ),
            channel.bob_setup.holder_keys.funding_pubkey,
        ),
    ] {
        assert!(verify_p2wsh_signature(
            &secp,
            &tx,
            0,
            &params.funding_witness_script(),
            params.funding_satoshis,
            EcdsaSighashType::All,
            &signature,
            &key
        ));
    }
}

#[test]
fn justice_signatures_use_the_revocation_key() {
    let secp = Secp256k1::new();
    let mut channel = open(ChannelType::StaticRemoteKey);
    commit_bob(&mut channel, 0);
    commit_bob(&mut channel, 1);
    let secret = ready(channel.bob.release_commitment_secret(0));
    // Alice rebuilds Bob's revoked commitment and sweeps all of it.
    let point = per_commitment_point(&secp, &secret).unwrap();
    let revoked = channel
        .alice_setup
        .build_commitment(&secp, Side::Counterparty, &point, &bob_commitment(0))
        .unwrap();
    let outputs = revoked_outputs(&revoked);
    assert_eq!(outputs.len(), 3);
    let destination = p2wpkh(&channel.alice_setup.holder_keys.payment_point);
    let tx = build_justice_transaction(&outputs, destination, 1000).unwrap();
    for (index, output) in outputs.iter().enumerate() {
        let kind = match output.kind {
            RevokedOutputKind::ToLocal => JusticeKind::ToLocal,
            RevokedOutputKind::SecondStageHtlc => JusticeKind::SecondStageHtlc,
            _ => {
                let htlc = revoked
                    .htlc_outputs
                    .iter()
                    .find(|h| h.output_index == output.outpoint.vout)
                    .unwrap();
                JusticeKind::Htlc(htlc.htlc.clone())
            }
        };
        let request = JusticeRequest {
            tx: &tx,
            input_index: index,
            value_satoshis: output.value_satoshis,
            commitment_number: 0,
            per_commitment_secret: secret,
            kind,
        };
        let signature = ready(
            channel
                .alice
                .sign_justice_input(&channel.alice_setup, &request),
        );
        assert!(verify_p2wsh_signature(
            &secp,
            &tx,
            index,
            &output.witness_script,
            output.value_satoshis,
            EcdsaSighashType::All,
            &signature,
            &revoked.keys.revocation_pubkey,
        ));
    }
}

fn verify_p2wpkh(
    tx: &Transaction,
    index: usize,
    value: u64,
    signature: &Signature,
    key: &PublicKey,
) -> bool {
    let secp = Secp256k1::verification_only();
    let hash = SighashCache::new(tx)
        .p2wpkh_signature_hash(
            index,
            &p2wpkh(key),
            Amount::from_sat(value),
            EcdsaSighashType::All,
        )
        .unwrap();
    secp.verify_ecdsa(&Message::from(hash), signature, key)
        .is_ok()
}

#[test]
fn sweeps_of_our_outputs_verify() {
    let secp = Secp256k1::new();
    for channel_type in [
        ChannelType::StaticRemoteKey,
        ChannelType::AnchorsZeroFeeHtlcTx,
    ] {
        let mut channel = open(channel_type);
        let bob_commit = commit_bob(&mut channel, 0);
        let txid = bob_commit.txid();

        // Bob's delayed to_local.
        let to_local = bob_commit.to_broadcaster.clone().unwrap();
        let tx = spend(
            OutPoint {
                txid,
                vout: to_local.output_index,
            },
            144,
        );
        let request = SweepRequest {
            tx: &tx,
            input_index: 0,
            value_satoshis: to_local.value_satoshis,
            kind: SweepKind::HolderDelayed {
                commitment_number: 0,
            },
        };
        let signature = ready(channel.bob.sign_sweep_input(&channel.bob_setup, &request));
        assert!(verify_p2wsh_signature(
            &secp,
            &tx,
            0,
            &to_local.witness_script,
            to_local.value_satoshis,
            EcdsaSighashType::All,
            &signature,
            &bob_commit.keys.broadcaster_delayed_payment_key
        ));

        // Alice's to_remote on Bob's commitment.
        let to_remote = bob_commit.to_countersignatory.clone().unwrap();
        let tx = spend(
            OutPoint {
                txid,
                vout: to_remote.output_index,
            },
            1,
        );
        let request = SweepRequest {
            tx: &tx,
            input_index: 0,
            value_satoshis: to_remote.value_satoshis,
            kind: SweepKind::ToRemote,
        };
        let signature = ready(
            channel
                .alice
                .sign_sweep_input(&channel.alice_setup, &request),
        );
        let alice_payment = channel.alice_setup.holder_keys.payment_point;
        let verified = match &to_remote.witness_script {
            Some(script) => {
                assert_eq!(*script, to_remote_anchors_witness_script(&alice_payment));
                verify_p2wsh_signature(
                    &secp,
                    &tx,
                    0,
                    script,
                    to_remote.value_satoshis,
                    EcdsaSighashType::All,
                    &signature,
                    &alice_payment,
                )
            }
            None => verify_p2wpkh(&tx, 0, to_remote.value_satoshis, &signature, &alice_payment),
        };
        assert!(verified, "{channel_type:?} to_remote");

        // Alice claims the HTLC Bob offered her on his commitment.
        let htlc = &bob_commit
            .htlc_outputs
            .iter()
            .find(|h| h.htlc.direction == HtlcDirection::Offered)
            .unwrap();
        let tx = spend(
            OutPoint {
                txid,
                vout: htlc.output_index,
            },
            1,
        );
        let point = ready(channel.bob.per_commitment_point(0));
        let request = SweepRequest {
            tx: &tx,
            input_index: 0,
            value_satoshis: htlc.htlc.amount_sat(),
            kind: SweepKind::CounterpartyHtlc {
                per_commitment_point: point,
                htlc: htlc.htlc.clone(),
            },
        };
        let signature = ready(
            channel
                .alice
                .sign_sweep_input(&channel.alice_setup, &request),
        );
        assert!(verify_p2wsh_signature(
            &secp,
            &tx,
            0,
            &htlc.witness_script,
            htlc.htlc.amount_sat(),
            EcdsaSighashType::All,
            &signature,
            &bob_commit.keys.countersignatory_htlc_key
        ));
    }
}

#[test]
fn anchor_inputs_are_signed_with_the_funding_key() {
    let secp = Secp256k1::new();
    let mut channel = open(ChannelType::AnchorsZeroFeeHtlcTx);
    let bob_commit = commit_bob(&mut channel, 0);
    let anchor = bob_commit.broadcaster_anchor.clone().unwrap();
    let tx = spend(
        OutPoint {
            txid: bob_commit.txid(),
            vout: anchor.output_index,
        },
        0,
    );
    let signature = ready(channel.bob.sign_anchor_input(&channel.bob_setup, &tx, 0));
    let script = anchor_witness_script(&channel.bob_setup.holder_keys.funding_pubkey);
    assert_eq!(script, anchor.witness_script);
    assert!(verify_p2wsh_signature(
        &secp,
        &tx,
        0,
        &script,
        ANCHOR_OUTPUT_VALUE_SATOSHIS,
        EcdsaSighashType::All,
        &signature,
        &channel.bob_setup.holder_keys.funding_pubkey
    ));
    let mut plain = open(ChannelType::StaticRemoteKey);
    assert_eq!(
        refusal(plain.bob.sign_anchor_input(&plain.bob_setup, &tx, 0)),
        Refusal::InvalidInput(InvalidInput::TransactionMismatch)
    );
}

#[test]
fn requests_for_another_channel_are_refused() {
    let mut channel = open(ChannelType::StaticRemoteKey);
    let point = ready(channel.bob.per_commitment_point(0));
    // Bob's view given to Alice's signer: its holder keys are not Alice's.
    assert_eq!(
        refusal(channel.alice.sign_counterparty_commitment(
            &channel.bob_setup,
            &bob_commitment(0),
            &point
        )),
        Refusal::InvalidInput(InvalidInput::ChannelMismatch)
    );
    let mut inconsistent = channel.alice_setup.clone();
    inconsistent.parameters.counterparty.funding_pubkey = inconsistent.holder_keys.funding_pubkey;
    assert_eq!(
        refusal(channel.alice.sign_counterparty_commitment(
            &inconsistent,
            &bob_commitment(0),
            &point
        )),
        Refusal::InvalidInput(InvalidInput::ChannelMismatch)
    );
    let mut overdrawn = bob_commitment(0);
    overdrawn.to_broadcaster_msat = 2_000_000_000;
    assert!(matches!(
        refusal(channel.alice.sign_counterparty_commitment(
            &channel.alice_setup,
            &overdrawn,
            &point
        )),
        Refusal::InvalidInput(InvalidInput::Commitment(_))
    ));
}

#[test]
fn channel_announcement_is_signed_only_with_our_funding_key() {
    let secp = Secp256k1::new();
    let mut channel = open(ChannelType::StaticRemoteKey);
    let node_ids = [[2u8; 33], [3u8; 33]];
    let mut bytes = vec![0, 0];
    bytes.extend([6u8; 32]); // chain hash
    bytes.extend([0u8; 8]); // short channel id
    bytes.extend(node_ids[0]);
    bytes.extend(node_ids[1]);
    bytes.extend(channel.alice_setup.holder_keys.funding_pubkey.serialize());
    bytes.extend(channel.bob_setup.holder_keys.funding_pubkey.serialize());
    let signature = ready(
        channel
            .bob
            .sign_channel_announcement(&channel.bob_setup, &bytes),
    );
    let digest = Message::from_digest(gossip_signing_hash(&bytes));
    assert!(secp
        .verify_ecdsa(
            &digest,
            &signature,
            &channel.bob_setup.holder_keys.funding_pubkey
        )
        .is_ok());
    let mut not_ours = bytes.clone();
    let end = not_ours.len();
    not_ours[end - 33..]
        .copy_from_slice(&channel.alice_setup.holder_keys.payment_point.serialize());
    assert_eq!(
        refusal(
            channel
                .bob
                .sign_channel_announcement(&channel.bob_setup, &not_ours)
        ),
        Refusal::InvalidInput(InvalidInput::NotOurs)
    );
}
