//! [`SimWallet`]: a one-key P2WPKH wallet over [`SimChain`], for funding channels in tests.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use bitcoin::absolute::LockTime;
use bitcoin::hashes::{sha256, Hash, HashEngine};
use bitcoin::secp256k1::{All, Message, PublicKey, Secp256k1, SecretKey};
use bitcoin::sighash::{EcdsaSighashType, SighashCache};
use bitcoin::transaction::Version;
use bitcoin::{
    ecdsa, Amount, CompressedPublicKey, OutPoint, Script, ScriptBuf, Sequence, Transaction, TxIn,
    TxOut, Witness,
};
use hashbrown::HashSet;

use super::chain::SimChain;
use crate::chain::{ChainSource, ConfirmationTarget};

/// Change below this many satoshis is left to the fee instead of creating an output (a little
/// above the P2WPKH dust limit).
pub const CHANGE_DUST_LIMIT_SATS: u64 = 330;

/// The size of the placeholder signature used to estimate weight before signing: the longest
/// DER signature (72 bytes) plus the sighash byte.
const MAX_SIGNATURE_LEN: usize = 73;

/// Why [`SimWallet`] could not build a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalletError {
    /// The wallet's confirmed, unreserved outputs do not cover the amount plus the fee.
    InsufficientFunds {
        /// What the wallet could spend.
        available: Amount,
        /// What the payment with its fee needs.
        needed: Amount,
    },
}

impl fmt::Display for WalletError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalletError::InsufficientFunds { available, needed } => {
                write!(
                    f,
                    "insufficient funds: {available} available, {needed} needed"
                )
            }
        }
    }
}

impl core::error::Error for WalletError {}

/// A test wallet with one key (derived from a seed) and its P2WPKH script.
///
/// Fund it with [`SimChain::fund_address`]`(wallet.script_pubkey(), amount)`, then build signed
/// payments with [`create_payment`](Self::create_payment) (e.g. a channel funding transaction
/// to hand to a node) or [`send_to`](Self::send_to) (build and broadcast).
///
/// Call contract: the wallet spends only outputs confirmed in the chain it is given, and
/// reserves the inputs of every payment it builds so the next payment does not double-spend
/// them, until [`release_all`](Self::release_all) (e.g. after a payment was abandoned). The
/// payment output is always output 0; change, if any, is output 1. Same seed and same chain
/// give the same transactions (signatures are deterministic, RFC 6979).
#[derive(Clone, Debug)]
pub struct SimWallet {
    secp: Secp256k1<All>,
    secret_key: SecretKey,
    public_key: CompressedPublicKey,
    script_pubkey: ScriptBuf,
    reserved: HashSet<OutPoint>,
}

impl SimWallet {
    /// A wallet whose key is derived from `seed` (different seeds, different keys).
    pub fn new(seed: [u8; 32]) -> Self {
        let secp = Secp256k1::new();
        let secret_key = derive_secret_key(&seed);
        let public_key = CompressedPublicKey(PublicKey::from_secret_key(&secp, &secret_key));
        let script_pubkey = ScriptBuf::new_p2wpkh(&public_key.wpubkey_hash());
        SimWallet {
            secp,
            secret_key,
            public_key,
            script_pubkey,
            reserved: HashSet::new(),
        }
    }

    /// The wallet's P2WPKH output script: fund it, and its change goes there.
    pub fn script_pubkey(&self) -> &Script {
        &self.script_pubkey
    }

    /// The wallet's public key.
    pub fn public_key(&self) -> PublicKey {
        self.public_key.0
    }

    /// The sum of the wallet's confirmed outputs in `chain` (reserved ones included).
    pub fn balance(&self, chain: &SimChain) -> Amount {
        chain.balance_of(&self.script_pubkey)
    }

    /// The confirmed outputs the next payment may spend: not reserved and not spent by a
    /// mempool transaction. Sorted by outpoint.
    pub fn spendable_outputs(&self, chain: &SimChain) -> Vec<(OutPoint, TxOut)> {
        let spent_in_mempool: HashSet<OutPoint> = chain
            .mempool()
            .iter()
            .flat_map(|tx| tx.input.iter().map(|input| input.previous_output))
            .collect();
        chain
            .outputs_paying(&self.script_pubkey)
            .into_iter()
            .filter(|(outpoint, _)| {
                !self.reserved.contains(outpoint) && !spent_in_mempool.contains(outpoint)
            })
            .collect()
    }

    /// Forgets every reservation, making all confirmed outputs spendable again.
    pub fn release_all(&mut self) {
        self.reserved.clear();
    }

    /// Builds and signs a transaction paying `amount` to `destination` (output 0) with change
    /// to the wallet (output 1, unless below [`CHANGE_DUST_LIMIT_SATS`]), paying about
    /// `feerate_sat_per_kw`. Inputs are chosen largest first and reserved. Not broadcast.
    pub fn create_payment(
        &mut self,
        chain: &SimChain,
        destination: &Script,
        amount: Amount,
        feerate_sat_per_kw: u32,
    ) -> Result<Transaction, WalletError> {
        let mut candidates = self.spendable_outputs(chain);
        candidates
            .sort_by(|(a_point, a), (b_point, b)| b.value.cmp(&a.value).then(a_point.cmp(b_point)));
        let available = candidates.iter().map(|(_, out)| out.value).sum();
        let payment = TxOut {
            value: amount,
            script_pubkey: destination.to_owned(),
        };
        let mut selected: Vec<(OutPoint, TxOut)> = Vec::new();
        let mut needed = amount;
        for candidate in candidates {
            selected.push(candidate);
            if let Some(tx) = self.try_build(&selected, &payment, feerate_sat_per_kw) {
                let signed = self.sign(tx, &selected);
                self.reserved
                    .extend(selected.iter().map(|(outpoint, _)| *outpoint));
                return Ok(signed);
            }
            let fee = fee_for(
                &self.unsigned(&selected, vec![payment.clone()]),
                feerate_sat_per_kw,
            );
            needed = amount.checked_add(fee).unwrap_or(Amount::MAX);
        }
        Err(WalletError::InsufficientFunds { available, needed })
    }

    /// [`create_payment`](Self::create_payment) at the chain's
    /// [`ConfirmationTarget::OutputSpendingFee`] rate, then broadcasts it to `chain`.
    pub fn send_to(
        &mut self,
        chain: &mut SimChain,
        destination: &Script,
        amount: Amount,
    ) -> Result<Transaction, WalletError> {
        let feerate = chain.feerate_sat_per_kw(ConfirmationTarget::OutputSpendingFee);
        let tx = self.create_payment(chain, destination, amount, feerate)?;
        chain.broadcast(tx.clone());
        Ok(tx)
    }

    /// The unsigned payment spending `inputs`, with change if worth it, or `None` when the
    /// inputs do not cover amount and fee.
    fn try_build(
        &self,
        inputs: &[(OutPoint, TxOut)],
        payment: &TxOut,
        feerate_sat_per_kw: u32,
    ) -> Option<Transaction> {
        let total: Amount = inputs.iter().map(|(_, out)| out.value).sum();
        let change = TxOut {
            value: Amount::ZERO,
            script_pubkey: self.script_pubkey.clone(),
        };
        let with_change = self.unsigned(inputs, vec![payment.clone(), change]);
        let fee_with_change = fee_for(&with_change, feerate_sat_per_kw);
        let change_value = total
            .checked_sub(payment.value)
            .and_then(|rest| rest.checked_sub(fee_with_change));
        if let Some(change_value) = change_value {
            if change_value.to_sat() >= CHANGE_DUST_LIMIT_SATS {
                let mut tx = with_change;
                tx.output[1].value = change_value;
                return Some(tx);
            }
        }
        let without_change = self.unsigned(inputs, vec![payment.clone()]);
        let fee = fee_for(&without_change, feerate_sat_per_kw);
        let needed = payment.value.checked_add(fee)?;
        (total >= needed).then_some(without_change)
    }

    /// A transaction spending `inputs` to `outputs`, with placeholder witnesses of the final
    /// size so its weight is the signed weight (or a byte more per input).
    fn unsigned(&self, inputs: &[(OutPoint, TxOut)], outputs: Vec<TxOut>) -> Transaction {
        let placeholder = Witness::from_slice(&[
            vec![0u8; MAX_SIGNATURE_LEN],
            self.public_key.to_bytes().to_vec(),
        ]);
        Transaction {
            version: Version::TWO,
            lock_time: LockTime::ZERO,
            input: inputs
                .iter()
                .map(|(outpoint, _)| TxIn {
                    previous_output: *outpoint,
                    script_sig: ScriptBuf::new(),
                    sequence: Sequence::ENABLE_RBF_NO_LOCKTIME,
                    witness: placeholder.clone(),
                })
                .collect(),
            output: outputs,
        }
    }

    /// Replaces the placeholder witnesses of `tx` by real P2WPKH signatures.
    fn sign(&self, mut tx: Transaction, inputs: &[(OutPoint, TxOut)]) -> Transaction {
        let mut witnesses = Vec::with_capacity(inputs.len());
        {
            let mut cache = SighashCache::new(&tx);
            for (index, (_, spent)) in inputs.iter().enumerate() {
                // Invariant: every input spends a P2WPKH output of this wallet and the index is
                // in range, the only ways computing the sighash can fail.
                let sighash = cache
                    .p2wpkh_signature_hash(
                        index,
                        &spent.script_pubkey,
                        spent.value,
                        EcdsaSighashType::All,
                    )
                    .expect("p2wpkh input in range");
                let message = Message::from_digest(sighash.to_byte_array());
                let signature = self.secp.sign_ecdsa(&message, &self.secret_key);
                let signature = ecdsa::Signature {
                    signature,
                    sighash_type: EcdsaSighashType::All,
                };
                witnesses.push(Witness::p2wpkh(&signature, &self.public_key.0));
            }
        }
        for (input, witness) in tx.input.iter_mut().zip(witnesses) {
            input.witness = witness;
        }
        tx
    }
}

/// The fee of `tx` at `feerate_sat_per_kw`, rounded up.
fn fee_for(tx: &Transaction, feerate_sat_per_kw: u32) -> Amount {
    let weight = tx.weight().to_wu();
    let fee = weight
        .saturating_mul(u64::from(feerate_sat_per_kw))
        .div_ceil(1000);
    Amount::from_sat(fee)
}

/// The wallet key for `seed`: SHA256 of a tag, the seed and a counter, the first that is a
/// valid secret key (the counter practically never goes past 0).
fn derive_secret_key(seed: &[u8; 32]) -> SecretKey {
    let mut counter: u32 = 0;
    loop {
        let mut engine = sha256::Hash::engine();
        engine.input(b"lightning testkit wallet");
        engine.input(seed);
        engine.input(&counter.to_be_bytes());
        let digest = sha256::Hash::from_engine(engine);
        if let Ok(key) = SecretKey::from_slice(digest.as_byte_array()) {
            return key;
        }
        counter = counter.wrapping_add(1);
    }
}
