//! Segwit v0 signature hashes and signatures for the P2WSH inputs this module builds.

use core::fmt;

use bitcoin::secp256k1::{ecdsa, Message, PublicKey, Secp256k1, SecretKey, Signing, Verification};
use bitcoin::sighash::{EcdsaSighashType, SighashCache};
use bitcoin::{Amount, Script, Transaction};

/// Why a signature hash could not be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SighashError {
    /// The transaction has no input at the requested index.
    InputIndexOutOfRange,
}

impl fmt::Display for SighashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SighashError::InputIndexOutOfRange => f.write_str("input index out of range"),
        }
    }
}

impl core::error::Error for SighashError {}

/// The BIP 143 signature hash of input `input_index` of `tx`, which spends a P2WSH output of
/// `value_satoshis` with `witness_script`, as the message to sign.
pub fn p2wsh_signature_hash(
    tx: &Transaction,
    input_index: usize,
    witness_script: &Script,
    value_satoshis: u64,
    sighash_type: EcdsaSighashType,
) -> Result<Message, SighashError> {
    let hash = SighashCache::new(tx)
        .p2wsh_signature_hash(
            input_index,
            witness_script,
            Amount::from_sat(value_satoshis),
            sighash_type,
        )
        .map_err(|_| SighashError::InputIndexOutOfRange)?;
    Ok(Message::from(hash))
}

/// Signs input `input_index` of `tx` (a P2WSH spend, see [`p2wsh_signature_hash`]) with `key`,
/// using RFC 6979 deterministic nonces (no low-R grinding), as the BOLT 3 vectors do.
pub fn sign_p2wsh_input<C: Signing>(
    secp: &Secp256k1<C>,
    tx: &Transaction,
    input_index: usize,
    witness_script: &Script,
    value_satoshis: u64,
    sighash_type: EcdsaSighashType,
    key: &SecretKey,
) -> Result<ecdsa::Signature, SighashError> {
    let message = p2wsh_signature_hash(
        tx,
        input_index,
        witness_script,
        value_satoshis,
        sighash_type,
    )?;
    Ok(secp.sign_ecdsa(&message, key))
}

/// Checks `signature` by `pubkey` on input `input_index` of `tx` (a P2WSH spend, see
/// [`p2wsh_signature_hash`]). Returns `false` for a bad signature or a missing input.
#[allow(clippy::too_many_arguments)]
pub fn verify_p2wsh_signature<C: Verification>(
    secp: &Secp256k1<C>,
    tx: &Transaction,
    input_index: usize,
    witness_script: &Script,
    value_satoshis: u64,
    sighash_type: EcdsaSighashType,
    signature: &ecdsa::Signature,
    pubkey: &PublicKey,
) -> bool {
    match p2wsh_signature_hash(
        tx,
        input_index,
        witness_script,
        value_satoshis,
        sighash_type,
    ) {
        Ok(message) => secp.verify_ecdsa(&message, signature, pubkey).is_ok(),
        Err(_) => false,
    }
}
