//! Stateless inbound payments: a payment secret that carries, authenticated, everything needed
//! to accept the payment later, so the manager stores nothing per invoice.
//!
//! # The scheme
//!
//! The manager holds a 32-byte [`InboundPaymentKey`] (drawn from the caller's entropy when the
//! manager is built; it must be persisted with the manager for payments to survive a restart).
//! Three sub-keys are derived from it with HMAC-SHA256 over fixed labels:
//! `k_preimage`, `k_auth` and `k_encrypt`.
//!
//! A payment secret is 32 bytes: `tag (16) || encrypted metadata (16)`.
//! - The metadata is `min_amount_msat (u64 BE) || expires_at (u64 BE, seconds since the Unix
//!   epoch)`. "Any amount" is a minimum of 0.
//! - It is encrypted by XOR with the first 16 bytes of `HMAC(k_encrypt, tag)`, so only the
//!   recipient can read it.
//! - The tag's top bit says who holds the preimage:
//!   - **0, derived preimage** ([`InboundPaymentKey::create_payment`]): the tag is a random
//!     nonce and `preimage = HMAC(k_preimage, tag || metadata)`, `payment_hash =
//!     SHA256(preimage)`. On receipt the recipient recomputes the preimage from the secret and
//!     checks that it hashes to the HTLC's payment hash: any change to the tag or metadata
//!     changes the preimage, so the hash authenticates them.
//!   - **1, caller's hash** ([`InboundPaymentKey::create_payment_for_hash`]): the caller
//!     keeps the preimage; the tag is `HMAC(k_auth, payment_hash || metadata)` truncated to 16
//!     bytes with the top bit set, checked in constant time on receipt.
//!
//! [`InboundPaymentKey::verify`] then checks the amount received against the minimum and the
//! current time against the expiry, and returns the preimage when it is derived.

use bitcoin::hashes::{hmac, sha256, Hash, HashEngine};
use core::fmt;
use core::time::Duration;

use crate::wire::{PaymentHash, PaymentPreimage};

/// The 32-byte payment secret of an invoice (`payment_secret`, BOLT 11), echoed by the payer
/// in the final hop's `payment_data`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PaymentSecret(pub [u8; 32]);

/// The key of the stateless inbound payment scheme (see the module docs).
#[derive(Clone)]
pub struct InboundPaymentKey {
    k_preimage: [u8; 32],
    k_auth: [u8; 32],
    k_encrypt: [u8; 32],
}

impl fmt::Debug for InboundPaymentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InboundPaymentKey(..)")
    }
}

/// Why an inbound payment was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboundPaymentError {
    /// The secret does not belong to this payment hash (or was not made with our key).
    UnknownPayment,
    /// Less than the invoice's amount was received.
    AmountTooLow {
        /// The invoice's amount.
        expected_msat: u64,
        /// What the HTLC(s) carry.
        received_msat: u64,
    },
    /// The invoice expired.
    Expired {
        /// When it expired, in seconds since the Unix epoch.
        expired_at_secs: u64,
    },
}

impl fmt::Display for InboundPaymentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InboundPaymentError::UnknownPayment => {
                f.write_str("payment secret does not match the payment hash")
            }
            InboundPaymentError::AmountTooLow {
                expected_msat,
                received_msat,
            } => write!(
                f,
                "received {received_msat} msat, the invoice asks for {expected_msat} msat"
            ),
            InboundPaymentError::Expired { expired_at_secs } => {
                write!(f, "invoice expired at {expired_at_secs}s")
            }
        }
    }
}

impl core::error::Error for InboundPaymentError {}

/// What a verified payment secret said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedPayment {
    /// The preimage, when it is derived from the secret (`None` for
    /// [`InboundPaymentKey::create_payment_for_hash`] payments: the caller holds it).
    pub preimage: Option<PaymentPreimage>,
    /// The invoice's minimum amount (0 for "any amount").
    pub min_amount_msat: u64,
    /// When the invoice expires, in seconds since the Unix epoch.
    pub expires_at_secs: u64,
}

const TAG_LEN: usize = 16;
const USER_HASH_FLAG: u8 = 0x80;

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut engine = hmac::HmacEngine::<sha256::Hash>::new(key);
    for part in parts {
        engine.input(part);
    }
    hmac::Hmac::<sha256::Hash>::from_engine(engine).to_byte_array()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl InboundPaymentKey {
    /// The key from 32 secret bytes (from the caller's entropy, or restored from storage).
    pub fn new(key_material: &[u8; 32]) -> Self {
        InboundPaymentKey {
            k_preimage: hmac_sha256(key_material, &[b"inbound payment preimage"]),
            k_auth: hmac_sha256(key_material, &[b"inbound payment auth"]),
            k_encrypt: hmac_sha256(key_material, &[b"inbound payment metadata"]),
        }
    }

    fn metadata(min_amount_msat: u64, expires_at_secs: u64) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&min_amount_msat.to_be_bytes());
        out[8..].copy_from_slice(&expires_at_secs.to_be_bytes());
        out
    }

    fn crypt_metadata(&self, tag: &[u8; TAG_LEN], metadata: &mut [u8; 16]) {
        let stream = hmac_sha256(&self.k_encrypt, &[tag]);
        for (byte, key) in metadata.iter_mut().zip(stream.iter()) {
            *byte ^= key;
        }
    }

    fn secret(&self, tag: [u8; TAG_LEN], mut metadata: [u8; 16]) -> PaymentSecret {
        self.crypt_metadata(&tag, &mut metadata);
        let mut secret = [0u8; 32];
        secret[..TAG_LEN].copy_from_slice(&tag);
        secret[TAG_LEN..].copy_from_slice(&metadata);
        PaymentSecret(secret)
    }

    fn expiry(expiry_secs: u32, now: Duration) -> u64 {
        now.as_secs().saturating_add(u64::from(expiry_secs))
    }

    /// A new payment whose preimage we derive: returns its hash and secret. `nonce` must be
    /// fresh random bytes (from the caller's entropy); `amount_msat` is the invoice amount
    /// (`None` for any amount); the invoice expires `expiry_secs` after `now`.
    pub fn create_payment(
        &self,
        nonce: [u8; TAG_LEN],
        amount_msat: Option<u64>,
        expiry_secs: u32,
        now: Duration,
    ) -> (PaymentHash, PaymentSecret) {
        let mut tag = nonce;
        tag[0] &= !USER_HASH_FLAG;
        let metadata = Self::metadata(amount_msat.unwrap_or(0), Self::expiry(expiry_secs, now));
        let preimage = self.derive_preimage(&tag, &metadata);
        let hash = sha256::Hash::hash(&preimage.0).to_byte_array();
        (PaymentHash(hash), self.secret(tag, metadata))
    }

    /// A new payment for a hash whose preimage the caller holds: returns the secret.
    pub fn create_payment_for_hash(
        &self,
        payment_hash: PaymentHash,
        amount_msat: Option<u64>,
        expiry_secs: u32,
        now: Duration,
    ) -> PaymentSecret {
        let metadata = Self::metadata(amount_msat.unwrap_or(0), Self::expiry(expiry_secs, now));
        let tag = self.auth_tag(&payment_hash, &metadata);
        self.secret(tag, metadata)
    }

    fn derive_preimage(&self, tag: &[u8; TAG_LEN], metadata: &[u8; 16]) -> PaymentPreimage {
        PaymentPreimage(hmac_sha256(&self.k_preimage, &[tag, metadata]))
    }

    fn auth_tag(&self, payment_hash: &PaymentHash, metadata: &[u8; 16]) -> [u8; TAG_LEN] {
        let mac = hmac_sha256(&self.k_auth, &[&payment_hash.0, metadata]);
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&mac[..TAG_LEN]);
        tag[0] |= USER_HASH_FLAG;
        tag
    }

    /// Checks a received payment: that `secret` was made by this key for `payment_hash`, that
    /// `received_msat` reaches the invoice amount and that `now` (seconds since the Unix
    /// epoch) is before the expiry.
    pub fn verify(
        &self,
        payment_hash: &PaymentHash,
        secret: &PaymentSecret,
        received_msat: u64,
        now: Duration,
    ) -> Result<VerifiedPayment, InboundPaymentError> {
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&secret.0[..TAG_LEN]);
        let mut metadata = [0u8; 16];
        metadata.copy_from_slice(&secret.0[TAG_LEN..]);
        self.crypt_metadata(&tag, &mut metadata);

        let preimage = if tag[0] & USER_HASH_FLAG == 0 {
            let preimage = self.derive_preimage(&tag, &metadata);
            let hash = sha256::Hash::hash(&preimage.0).to_byte_array();
            if !constant_time_eq(&hash, &payment_hash.0) {
                return Err(InboundPaymentError::UnknownPayment);
            }
            Some(preimage)
        } else {
            let expected = self.auth_tag(payment_hash, &metadata);
            if !constant_time_eq(&expected, &tag) {
                return Err(InboundPaymentError::UnknownPayment);
            }
            None
        };

        let mut amount = [0u8; 8];
        amount.copy_from_slice(&metadata[..8]);
        let min_amount_msat = u64::from_be_bytes(amount);
        let mut expiry = [0u8; 8];
        expiry.copy_from_slice(&metadata[8..]);
        let expires_at_secs = u64::from_be_bytes(expiry);

        if received_msat < min_amount_msat {
            return Err(InboundPaymentError::AmountTooLow {
                expected_msat: min_amount_msat,
                received_msat,
            });
        }
        if now.as_secs() >= expires_at_secs {
            return Err(InboundPaymentError::Expired {
                expired_at_secs: expires_at_secs,
            });
        }
        Ok(VerifiedPayment {
            preimage,
            min_amount_msat,
            expires_at_secs,
        })
    }
}
