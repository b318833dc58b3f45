//! The node signer: the node key's ECDH and signatures.

use bitcoin::hashes::{sha256, sha256d, Hash, HashEngine};
use bitcoin::secp256k1::ecdh::SharedSecret;
use bitcoin::secp256k1::ecdsa::{RecoverableSignature, Signature};
use bitcoin::secp256k1::{PublicKey, Scalar};

use super::reply::{InvalidInput, SignerReply};

/// The prefix of BOLT-style signed messages (`signmessage` / `verifymessage`).
pub const SIGNED_MESSAGE_PREFIX: &[u8] = b"Lightning Signed Message:";

/// A gossip message to sign with the node key: the bytes its signature covers, which are the
/// message after its signature field(s), without the 2-byte type (BOLT 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsignedGossip<'a> {
    /// `channel_announcement` from `features` on (the node signs as `node_signature_1` or
    /// `_2`; the funding key's signature comes from
    /// [`ChannelSigner::sign_channel_announcement`](super::ChannelSigner::sign_channel_announcement)).
    ChannelAnnouncement(&'a [u8]),
    /// `node_announcement` from `features` on.
    NodeAnnouncement(&'a [u8]),
    /// `channel_update` from `chain_hash` on.
    ChannelUpdate(&'a [u8]),
}

impl UnsignedGossip<'_> {
    /// The signed bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Self::ChannelAnnouncement(b) | Self::NodeAnnouncement(b) | Self::ChannelUpdate(b) => b,
        }
    }
}

/// The signer of the node key: the node's identity in gossip, invoices and the transport.
///
/// Every method receives what it signs (never a bare hash), so a signer can parse and check
/// it: that an invoice pays to this node, that an announcement names this node. A signer on a
/// device may answer [`SignerReply::Pending`] to any of them; the caller retries after
/// `signer_ready`.
///
/// Call contract: [`node_id`](Self::node_id) is known as soon as the signer exists (a remote
/// signer reports it when it connects) and never changes.
pub trait NodeSigner: Send {
    /// The node's public key (its BOLT 7 `node_id`).
    fn node_id(&self) -> PublicKey;

    /// ECDH with the node key: SHA256 of the compressed point `node_secret * their_point`,
    /// first multiplied by `tweak` if given. BOLT 8 (transport handshake) and BOLT 4 (onion
    /// peeling; `tweak` for blinded paths) call it.
    fn ecdh(
        &mut self,
        their_point: &PublicKey,
        tweak: Option<&Scalar>,
    ) -> SignerReply<SharedSecret>;

    /// Signs a BOLT 11 invoice: `hrp` is the human-readable part (e.g. `lnbc2500u`), `data`
    /// the data part before the signature as 5-bit values (one per byte, each below 32). The
    /// signature is over [`invoice_signing_hash`] and recoverable.
    fn sign_invoice(&mut self, hrp: &str, data: &[u8]) -> SignerReply<RecoverableSignature>;

    /// Signs a gossip message with the node key: ECDSA over the double-SHA256 of its signed
    /// bytes ([`gossip_signing_hash`]).
    fn sign_gossip(&mut self, message: UnsignedGossip<'_>) -> SignerReply<Signature>;

    /// Signs an arbitrary message in the `signmessage` scheme: a recoverable signature over
    /// [`signed_message_hash`] (double-SHA256 of [`SIGNED_MESSAGE_PREFIX`] and the message).
    fn sign_message(&mut self, message: &[u8]) -> SignerReply<RecoverableSignature>;
}

/// The hash a BOLT 11 signature covers: SHA256 of the human-readable part's bytes followed by
/// the data part's 5-bit values packed big-endian into bytes, zero-padded to a byte boundary.
///
/// Fails with [`InvalidInput::MalformedMessage`] if a data value is not below 32.
pub fn invoice_signing_hash(hrp: &str, data: &[u8]) -> Result<[u8; 32], InvalidInput> {
    let mut engine = sha256::Hash::engine();
    engine.input(hrp.as_bytes());
    let mut accumulator: u32 = 0;
    let mut bits: u32 = 0;
    for &value in data {
        if value >= 32 {
            return Err(InvalidInput::MalformedMessage);
        }
        accumulator = (accumulator << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            engine.input(&[(accumulator >> bits) as u8]);
            accumulator &= (1 << bits) - 1;
        }
    }
    if bits > 0 {
        engine.input(&[(accumulator << (8 - bits)) as u8]);
    }
    Ok(sha256::Hash::from_engine(engine).to_byte_array())
}

/// The hash a gossip signature covers: double-SHA256 of the signed bytes.
pub fn gossip_signing_hash(signed_bytes: &[u8]) -> [u8; 32] {
    sha256d::Hash::hash(signed_bytes).to_byte_array()
}

/// The hash a `signmessage` signature covers: double-SHA256 of [`SIGNED_MESSAGE_PREFIX`]
/// followed by the message.
pub fn signed_message_hash(message: &[u8]) -> [u8; 32] {
    let mut engine = sha256d::Hash::engine();
    engine.input(SIGNED_MESSAGE_PREFIX);
    engine.input(message);
    sha256d::Hash::from_engine(engine).to_byte_array()
}
