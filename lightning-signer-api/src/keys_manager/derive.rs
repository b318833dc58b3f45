//! How [`KeysManager`](super::KeysManager) derives every key from its seed.
//!
//! - BIP32 master key from the 32-byte seed (`Xpriv::new_master`).
//! - `m/0'`: the node secret ([`NODE_KEY_INDEX`]).
//! - `m/1'`: the destination key; sweeps pay to its P2WPKH ([`DESTINATION_KEY_INDEX`]).
//! - `m/2'`: the shutdown key; cooperative closes pay to its P2WPKH ([`SHUTDOWN_KEY_INDEX`]).
//! - `m/3'`: the channel master key ([`CHANNEL_MASTER_INDEX`]). Each channel's secrets are
//!   `HMAC-SHA256(key = channel master secret, "lightning-signer-api/channel" ||
//!   channel_keys_id || label || counter)` with one label per key (funding, revocation,
//!   payment, delayed, htlc, commitment seed); `counter` starts at 0 and is only incremented
//!   in the (2^-128) case that the output is not a valid private key.
//!
//! The scheme is part of the persisted state: a seed must give the same keys forever.

use bitcoin::bip32::{ChildNumber, Xpriv};
use bitcoin::hashes::{hmac, sha256, Hash, HashEngine};
use bitcoin::secp256k1::{Secp256k1, SecretKey, Signing};
use bitcoin::NetworkKind;

use crate::keys::ChannelSecrets;
use crate::traits::ChannelKeysId;

/// Hardened child index of the node secret.
pub const NODE_KEY_INDEX: u32 = 0;
/// Hardened child index of the destination (sweep) key.
pub const DESTINATION_KEY_INDEX: u32 = 1;
/// Hardened child index of the shutdown (cooperative close) key.
pub const SHUTDOWN_KEY_INDEX: u32 = 2;
/// Hardened child index of the channel master key.
pub const CHANNEL_MASTER_INDEX: u32 = 3;

/// Domain separation tag of the per-channel HMAC.
const CHANNEL_TAG: &[u8] = b"lightning-signer-api/channel";

/// The four top-level secrets derived from the seed.
pub(crate) struct RootKeys {
    pub(crate) node_secret: SecretKey,
    pub(crate) destination_secret: SecretKey,
    pub(crate) shutdown_secret: SecretKey,
    pub(crate) channel_master: SecretKey,
}

/// Derives the [`RootKeys`]; `None` if the seed is one of the (2^-127 probable) seeds BIP32
/// declares invalid.
pub(crate) fn root_keys<C: Signing>(secp: &Secp256k1<C>, seed: &[u8; 32]) -> Option<RootKeys> {
    // Network only affects xpriv serialization, which is never used here.
    let master = Xpriv::new_master(NetworkKind::Main, seed).ok()?;
    let child = |index: u32| -> Option<SecretKey> {
        let number = ChildNumber::from_hardened_idx(index).ok()?;
        Some(master.derive_priv(secp, &[number]).ok()?.private_key)
    };
    Some(RootKeys {
        node_secret: child(NODE_KEY_INDEX)?,
        destination_secret: child(DESTINATION_KEY_INDEX)?,
        shutdown_secret: child(SHUTDOWN_KEY_INDEX)?,
        channel_master: child(CHANNEL_MASTER_INDEX)?,
    })
}

/// HMAC-SHA256 of the channel keys id and a label under the channel master secret.
fn channel_hmac(
    channel_master: &SecretKey,
    id: &ChannelKeysId,
    label: u8,
    counter: u32,
) -> [u8; 32] {
    let mut engine = hmac::HmacEngine::<sha256::Hash>::new(&channel_master.secret_bytes());
    engine.input(CHANNEL_TAG);
    engine.input(&id.0);
    engine.input(&[label]);
    engine.input(&counter.to_be_bytes());
    hmac::Hmac::<sha256::Hash>::from_engine(engine).to_byte_array()
}

/// The first valid private key of the label's HMAC sequence.
fn channel_key(channel_master: &SecretKey, id: &ChannelKeysId, label: u8) -> SecretKey {
    let mut counter = 0u32;
    loop {
        let candidate = channel_hmac(channel_master, id, label, counter);
        if let Ok(key) = SecretKey::from_slice(&candidate) {
            return key;
        }
        // An HMAC output is an invalid key with probability about 2^-128 per try.
        counter = counter.wrapping_add(1);
    }
}

/// The secrets of the channel with `id`.
pub(crate) fn channel_secrets(channel_master: &SecretKey, id: &ChannelKeysId) -> ChannelSecrets {
    ChannelSecrets {
        funding_key: channel_key(channel_master, id, 0),
        revocation_base_key: channel_key(channel_master, id, 1),
        payment_key: channel_key(channel_master, id, 2),
        delayed_payment_base_key: channel_key(channel_master, id, 3),
        htlc_base_key: channel_key(channel_master, id, 4),
        commitment_seed: channel_hmac(channel_master, id, 5, 0),
    }
}

/// A channel keys id from the caller's random bytes and the user's channel id.
pub(crate) fn channel_keys_id(random_bytes: &[u8; 32], user_channel_id: u128) -> ChannelKeysId {
    let mut engine = sha256::Hash::engine();
    engine.input(b"lightning-signer-api/channel-keys-id");
    engine.input(random_bytes);
    engine.input(&user_channel_id.to_be_bytes());
    ChannelKeysId(sha256::Hash::from_engine(engine).to_byte_array())
}
