//! [`KeysManager`]: the node key and the provider of in-memory channel signers.

use alloc::boxed::Box;
use core::fmt;

use bitcoin::secp256k1::ecdh::SharedSecret;
use bitcoin::secp256k1::ecdsa::{RecoverableSignature, Signature};
use bitcoin::secp256k1::{All, Message, PublicKey, Scalar, Secp256k1, SecretKey};
use bitcoin::ScriptBuf;

use super::checks::{channel_announcement_keys, invoice_payees, node_announcement_node_id};
use super::derive::{channel_keys_id, channel_secrets, root_keys};
use super::in_memory::InMemoryChannelSigner;
use crate::keys::KeyDerivationError;
use crate::traits::{
    gossip_signing_hash, invoice_signing_hash, signed_message_hash, ChannelKeysId, ChannelSigner,
    InvalidInput, NodeSigner, SignerProvider, SignerReply, UnsignedGossip,
};
use crate::tx::scripts::p2wpkh;

/// Why a [`KeysManager`] could not be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeysManagerError {
    /// BIP32 rejects this seed (its master key is invalid; probability about 2^-127).
    InvalidSeed,
}

impl fmt::Display for KeysManagerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidSeed => f.write_str("seed gives an invalid BIP32 master key"),
        }
    }
}

impl core::error::Error for KeysManagerError {}

/// The default in-process signer: every key derived from one 32-byte seed (see
/// [`derive`](super::derive) for the exact scheme).
///
/// It implements [`NodeSigner`] and [`SignerProvider`] (handing out
/// [`InMemoryChannelSigner`]s) and always answers `Ready` or `Refused`, never `Pending`. It
/// needs no randomness of its own: signatures use RFC 6979 nonces and new channel key ids mix
/// the caller's random bytes ([`SignerProvider::generate_channel_keys_id`]), so it does not
/// implement [`EntropySource`](crate::traits::EntropySource); the caller keeps that.
///
/// Call contract: create it once with [`new`](Self::new) from the stored seed; the same seed
/// gives the same node id, scripts and channel keys across restarts.
pub struct KeysManager {
    secp: Secp256k1<All>,
    node_secret: SecretKey,
    node_id: PublicKey,
    destination_script: ScriptBuf,
    shutdown_script: ScriptBuf,
    channel_master: SecretKey,
}

impl fmt::Debug for KeysManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeysManager")
            .field("node_id", &self.node_id)
            .finish_non_exhaustive()
    }
}

impl KeysManager {
    /// Derives the node key, the destination and shutdown keys and the channel master key from
    /// `seed`, which the caller generated from good randomness and stores safely.
    pub fn new(seed: &[u8; 32]) -> Result<Self, KeysManagerError> {
        let secp = Secp256k1::new();
        let root = root_keys(&secp, seed).ok_or(KeysManagerError::InvalidSeed)?;
        Ok(KeysManager {
            node_id: PublicKey::from_secret_key(&secp, &root.node_secret),
            destination_script: p2wpkh(&root.destination_secret.public_key(&secp)),
            shutdown_script: p2wpkh(&root.shutdown_secret.public_key(&secp)),
            node_secret: root.node_secret,
            channel_master: root.channel_master,
            secp,
        })
    }

    /// The in-memory signer of the channel with this id (the concrete type behind
    /// [`SignerProvider::derive_channel_signer`]).
    pub fn derive_in_memory_signer(
        &self,
        channel_keys_id: &ChannelKeysId,
    ) -> InMemoryChannelSigner {
        InMemoryChannelSigner::new(
            *channel_keys_id,
            channel_secrets(&self.channel_master, channel_keys_id),
        )
    }

    /// Refuses a node announcement or channel announcement that does not name this node.
    fn check_gossip(&self, message: &UnsignedGossip<'_>) -> Result<(), InvalidInput> {
        let ours = self.node_id.serialize();
        match message {
            UnsignedGossip::NodeAnnouncement(bytes) => (node_announcement_node_id(bytes)? == ours)
                .then_some(())
                .ok_or(InvalidInput::NotOurs),
            UnsignedGossip::ChannelAnnouncement(bytes) => {
                let [node_1, node_2, _, _] = channel_announcement_keys(bytes)?;
                (node_1 == ours || node_2 == ours)
                    .then_some(())
                    .ok_or(InvalidInput::NotOurs)
            }
            UnsignedGossip::ChannelUpdate(_) => Ok(()),
        }
    }
}

impl NodeSigner for KeysManager {
    fn node_id(&self) -> PublicKey {
        self.node_id
    }

    fn ecdh(
        &mut self,
        their_point: &PublicKey,
        tweak: Option<&Scalar>,
    ) -> SignerReply<SharedSecret> {
        let point = match tweak {
            Some(tweak) => match their_point.mul_tweak(&self.secp, tweak) {
                Ok(point) => point,
                Err(_) => {
                    return InvalidInput::KeyDerivation(KeyDerivationError::DegenerateTweak).into()
                }
            },
            None => *their_point,
        };
        SignerReply::Ready(SharedSecret::new(&point, &self.node_secret))
    }

    fn sign_invoice(&mut self, hrp: &str, data: &[u8]) -> SignerReply<RecoverableSignature> {
        let hash = match invoice_signing_hash(hrp, data) {
            Ok(hash) => hash,
            Err(reason) => return reason.into(),
        };
        match invoice_payees(data) {
            Ok(payees) if payees.iter().all(|p| *p == self.node_id.serialize()) => {}
            Ok(_) => return InvalidInput::NotOurs.into(),
            Err(reason) => return reason.into(),
        }
        let message = Message::from_digest(hash);
        SignerReply::Ready(
            self.secp
                .sign_ecdsa_recoverable(&message, &self.node_secret),
        )
    }

    fn sign_gossip(&mut self, message: UnsignedGossip<'_>) -> SignerReply<Signature> {
        if let Err(reason) = self.check_gossip(&message) {
            return reason.into();
        }
        let digest = Message::from_digest(gossip_signing_hash(message.bytes()));
        SignerReply::Ready(self.secp.sign_ecdsa(&digest, &self.node_secret))
    }

    fn sign_message(&mut self, message: &[u8]) -> SignerReply<RecoverableSignature> {
        let digest = Message::from_digest(signed_message_hash(message));
        SignerReply::Ready(self.secp.sign_ecdsa_recoverable(&digest, &self.node_secret))
    }
}

impl SignerProvider for KeysManager {
    fn generate_channel_keys_id(
        &mut self,
        random_bytes: &[u8; 32],
        user_channel_id: u128,
    ) -> ChannelKeysId {
        channel_keys_id(random_bytes, user_channel_id)
    }

    fn derive_channel_signer(&mut self, channel_keys_id: &ChannelKeysId) -> Box<dyn ChannelSigner> {
        Box::new(self.derive_in_memory_signer(channel_keys_id))
    }

    fn destination_script(&mut self, _channel_keys_id: &ChannelKeysId) -> SignerReply<ScriptBuf> {
        SignerReply::Ready(self.destination_script.clone())
    }

    fn shutdown_script(&mut self, _channel_keys_id: &ChannelKeysId) -> SignerReply<ScriptBuf> {
        SignerReply::Ready(self.shutdown_script.clone())
    }
}
