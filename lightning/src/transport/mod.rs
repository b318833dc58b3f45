//! The BOLT 8 transport: Noise_XK_secp256k1_ChaChaPoly_SHA256 handshake and message framing,
//! as a sans-IO state machine.
//!
//! [`PeerTransport`] is the whole connection: the three-act handshake (either role), then
//! framed, encrypted messages with key rotation. It takes bytes in chunks of any size and hands
//! back bytes to send and decrypted messages; the caller owns the socket, the randomness (the
//! ephemeral key) and the node's static secret, which is only ever used through the
//! [`StaticKeyEcdh`] plug.
//!
//! ```
//! use lightning::transport::PeerTransport;
//! use lightning::bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
//!
//! let secp = Secp256k1::new();
//! let alice_secret = SecretKey::from_slice(&[0x11; 32]).unwrap();
//! let bob_secret = SecretKey::from_slice(&[0x21; 32]).unwrap();
//! let alice_id = PublicKey::from_secret_key(&secp, &alice_secret);
//! let bob_id = PublicKey::from_secret_key(&secp, &bob_secret);
//! // The node's static ECDH: here the secret key itself; usually a closure calling the signer.
//! let mut alice_ecdh = alice_secret;
//! let mut bob_ecdh = bob_secret;
//!
//! // Ephemeral keys must be fresh randomness from the caller's entropy source.
//! let (mut alice, act_one) = PeerTransport::new_outbound(bob_id, alice_id, &[0x12; 32]).unwrap();
//! let mut bob = PeerTransport::new_inbound(bob_id, &[0x22; 32]).unwrap();
//!
//! bob.read(&act_one, &mut bob_ecdh).unwrap();
//! let act_two = bob.poll_transmit().unwrap();
//! alice.read(&act_two, &mut alice_ecdh).unwrap();
//! let act_three = alice.poll_transmit().unwrap();
//! bob.read(&act_three, &mut bob_ecdh).unwrap();
//! assert!(alice.is_ready() && bob.is_ready());
//! assert_eq!(bob.their_node_id(), Some(alice_id));
//!
//! let frame = alice.encrypt_message(b"hello").unwrap();
//! bob.read(&frame, &mut bob_ecdh).unwrap();
//! assert_eq!(bob.next_message(), Some(Ok(b"hello".to_vec())));
//! assert_eq!(bob.next_message(), None);
//! ```

mod cipher;
mod ecdh;
mod error;
mod framing;
mod handshake;
mod hkdf;
mod session;

pub use ecdh::{EcdhFailed, NodeSignerEcdh, StaticKeyEcdh};
pub use error::{HandshakeAct, InvalidEphemeralKey, MacCheck, SendError, TransportError};
pub use framing::{FRAME_OVERHEAD, MAX_MESSAGE_LEN};
pub use handshake::{ACT_ONE_LEN, ACT_THREE_LEN, ACT_TWO_LEN};
pub use session::PeerTransport;
