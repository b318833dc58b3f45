//! The static-key ECDH the handshake needs from the node, without handing it the node secret.

use core::fmt;

use lightning_signer_api::traits::{NodeSigner, SignerReply};
use secp256k1::ecdh::SharedSecret;
use secp256k1::{PublicKey, SecretKey};

/// The node's static-key Diffie-Hellman, supplied by the caller.
///
/// The handshake needs one ECDH with the node's static secret key: the responder in act one
/// (`es = ECDH(s.priv, re)`) and the initiator in act three (`se = ECDH(s.priv, re)`). The
/// transport never sees the secret itself; it asks this plug. The result must be BOLT 8's ECDH:
/// the SHA-256 of the compressed shared point, which is exactly what
/// [`SharedSecret::new`] computes. A `NodeSigner::ecdh` from `lightning-signer-api` (node
/// static key, no tweak) fits this trait through a closure.
///
/// Implemented for:
/// - closures `FnMut(&PublicKey) -> Result<SharedSecret, EcdhFailed>`, e.g.
///   `|point: &PublicKey| signer.ecdh(point).map_err(|_| EcdhFailed)` (annotate the argument
///   type so the closure is general over the reference's lifetime);
/// - [`SecretKey`], for tests and for callers that hold the node secret in process;
/// - [`NodeSignerEcdh`], which asks a [`NodeSigner`] (the usual case).
pub trait StaticKeyEcdh {
    /// Returns `SHA256(compressed(their_point * node_secret))`, or [`EcdhFailed`] if the signer
    /// cannot answer. A failure ends the handshake with [`super::TransportError::Ecdh`].
    fn ecdh(&mut self, their_point: &PublicKey) -> Result<SharedSecret, EcdhFailed>;
}

impl<F> StaticKeyEcdh for F
where
    F: FnMut(&PublicKey) -> Result<SharedSecret, EcdhFailed>,
{
    fn ecdh(&mut self, their_point: &PublicKey) -> Result<SharedSecret, EcdhFailed> {
        self(their_point)
    }
}

impl StaticKeyEcdh for SecretKey {
    fn ecdh(&mut self, their_point: &PublicKey) -> Result<SharedSecret, EcdhFailed> {
        Ok(SharedSecret::new(their_point, self))
    }
}

/// Puts a [`NodeSigner`] behind [`StaticKeyEcdh`]: the handshake's ECDH goes to
/// `NodeSigner::ecdh` with no tweak, so the node secret can stay on a device.
///
/// The handshake needs its answer at once: a signer that answers
/// [`SignerReply::Pending`] or refuses fails the handshake with [`EcdhFailed`]. A remote
/// signer should answer ECDH for the node key without asking a human.
pub struct NodeSignerEcdh<'a>(pub &'a mut dyn NodeSigner);

impl StaticKeyEcdh for NodeSignerEcdh<'_> {
    fn ecdh(&mut self, their_point: &PublicKey) -> Result<SharedSecret, EcdhFailed> {
        match self.0.ecdh(their_point, None) {
            SignerReply::Ready(secret) => Ok(secret),
            SignerReply::Pending | SignerReply::Refused(_) => Err(EcdhFailed),
        }
    }
}

/// The caller's [`StaticKeyEcdh`] could not compute the shared secret (for example a remote
/// signer refused or is unreachable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EcdhFailed;

impl fmt::Display for EcdhFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the node's static-key ECDH failed")
    }
}

impl core::error::Error for EcdhFailed {}
