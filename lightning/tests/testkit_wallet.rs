//! `SimWallet` through its public API: funding, paying a script, change, fees, signatures,
//! reservations and determinism.

use lightning::bitcoin::hashes::Hash;
use lightning::bitcoin::secp256k1::{ecdsa, Message, Secp256k1};
use lightning::bitcoin::sighash::{EcdsaSighashType, SighashCache};
use lightning::bitcoin::{Amount, OutPoint, ScriptBuf, TxOut};
use lightning::testkit::{SimChain, SimWallet, WalletError, CHANGE_DUST_LIMIT_SATS};

fn destination() -> ScriptBuf {
    SimWallet::new([200; 32]).script_pubkey().to_owned()
}

#[test]
fn the_wallet_pays_a_script_and_the_utxo_shows_up() {
    let mut chain = SimChain::new();
    let mut wallet = SimWallet::new([1; 32]);
    let funding = chain.fund_address(wallet.script_pubkey(), Amount::from_sat(100_000));
    assert_eq!(wallet.balance(&chain), Amount::from_sat(100_000));
    assert_eq!(
        chain.utxo(&funding).unwrap().script_pubkey,
        *wallet.script_pubkey()
    );
    assert!(wallet.script_pubkey().is_p2wpkh());

    let tx = wallet
        .create_payment(&chain, &destination(), Amount::from_sat(60_000), 1_000)
        .unwrap();
    assert!(
        chain.mempool().is_empty(),
        "create_payment does not broadcast"
    );
    chain.broadcast(tx.clone());
    chain.mine_blocks(1);

    let txid = tx.compute_txid();
    let paid = chain.outputs_paying(&destination());
    assert_eq!(
        paid,
        vec![(
            OutPoint { txid, vout: 0 },
            TxOut {
                value: Amount::from_sat(60_000),
                script_pubkey: destination()
            }
        )]
    );
    // Change comes back to the wallet, the rest is the fee at about 1000 sat/kw.
    let change = wallet.balance(&chain);
    let fee = Amount::from_sat(100_000) - Amount::from_sat(60_000) - change;
    let weight = tx.weight().to_wu();
    assert!(fee.to_sat() >= weight, "fee {fee} for weight {weight}");
    assert!(fee.to_sat() <= weight + 4, "fee {fee} for weight {weight}");
    assert_eq!(tx.output[1].script_pubkey, *wallet.script_pubkey());
}

#[test]
fn the_signatures_verify_against_bip143_sighashes() {
    let mut chain = SimChain::new();
    let mut wallet = SimWallet::new([2; 32]);
    chain.fund_address(wallet.script_pubkey(), Amount::from_sat(30_000));
    chain.fund_address(wallet.script_pubkey(), Amount::from_sat(40_000));
    let tx = wallet
        .create_payment(&chain, &destination(), Amount::from_sat(60_000), 253)
        .unwrap();
    assert_eq!(tx.input.len(), 2, "needs both outputs");
    let secp = Secp256k1::verification_only();
    let mut cache = SighashCache::new(&tx);
    for (index, input) in tx.input.iter().enumerate() {
        let spent = chain.utxo(&input.previous_output).unwrap().clone();
        let sighash = cache
            .p2wpkh_signature_hash(
                index,
                &spent.script_pubkey,
                spent.value,
                EcdsaSighashType::All,
            )
            .unwrap();
        let witness: Vec<&[u8]> = input.witness.iter().collect();
        assert_eq!(witness.len(), 2);
        assert_eq!(witness[1], &wallet.public_key().serialize()[..]);
        let (sighash_type, der) = witness[0].split_last().unwrap();
        assert_eq!(*sighash_type, EcdsaSighashType::All as u8);
        let signature = ecdsa::Signature::from_der(der).unwrap();
        let message = Message::from_digest(sighash.to_byte_array());
        assert!(secp
            .verify_ecdsa(&message, &signature, &wallet.public_key())
            .is_ok());
    }
}

#[test]
fn reserved_outputs_are_not_spent_twice() {
    let mut chain = SimChain::new();
    let mut wallet = SimWallet::new([3; 32]);
    chain.fund_address(wallet.script_pubkey(), Amount::from_sat(50_000));
    chain.fund_address(wallet.script_pubkey(), Amount::from_sat(50_000));
    let first = wallet
        .create_payment(&chain, &destination(), Amount::from_sat(20_000), 1_000)
        .unwrap();
    let second = wallet
        .create_payment(&chain, &destination(), Amount::from_sat(20_000), 1_000)
        .unwrap();
    assert_ne!(
        first.input[0].previous_output,
        second.input[0].previous_output
    );
    let third = wallet.create_payment(&chain, &destination(), Amount::from_sat(20_000), 1_000);
    assert!(
        matches!(third, Err(WalletError::InsufficientFunds { available, .. }) if available == Amount::ZERO)
    );

    chain.broadcast(first.clone());
    wallet.release_all();
    // Released, but the first payment's input is spent in the mempool: only one output left.
    assert_eq!(wallet.spendable_outputs(&chain).len(), 1);
    chain.broadcast(second);
    let outcome = chain.mine_blocks(1);
    assert_eq!(outcome.confirmed.len(), 2);
    assert!(outcome.rejected.is_empty());
    assert_eq!(chain.balance_of(&destination()), Amount::from_sat(40_000));
}

#[test]
fn insufficient_funds_and_dust_change() {
    let mut chain = SimChain::new();
    let mut wallet = SimWallet::new([4; 32]);
    chain.fund_address(wallet.script_pubkey(), Amount::from_sat(10_000));
    let error = wallet
        .create_payment(&chain, &destination(), Amount::from_sat(10_000), 1_000)
        .unwrap_err();
    let WalletError::InsufficientFunds { available, needed } = error;
    assert_eq!(available, Amount::from_sat(10_000));
    assert!(needed > available);
    assert!(error.to_string().contains("insufficient funds"));

    // Paying almost everything leaves change below the dust limit: no change output.
    let tx = wallet
        .create_payment(&chain, &destination(), Amount::from_sat(9_700), 253)
        .unwrap();
    assert_eq!(tx.output.len(), 1);
    let fee = 10_000 - 9_700;
    assert!(fee < CHANGE_DUST_LIMIT_SATS + tx.weight().to_wu());
}

#[test]
fn wallets_are_deterministic_and_send_to_broadcasts() {
    let run = || {
        let mut chain = SimChain::new();
        let mut wallet = SimWallet::new([6; 32]);
        chain.fund_address(wallet.script_pubkey(), Amount::from_sat(80_000));
        let tx = wallet
            .send_to(&mut chain, &destination(), Amount::from_sat(12_345))
            .unwrap();
        assert!(chain.mempool_contains(&tx.compute_txid()));
        chain.mine_blocks(1);
        (tx, chain.tip())
    };
    assert_eq!(run(), run());
    assert_ne!(
        SimWallet::new([6; 32]).public_key(),
        SimWallet::new([7; 32]).public_key()
    );
}
