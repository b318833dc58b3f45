//! The Noise_XK handshake of BOLT 8, act by act, as pure functions over the handshake state.
//!
//! Buffering and the session life cycle live in `session.rs`; this file only turns a complete
//! act (exactly 50 or 66 bytes) into the next state and the act to send back.

use bitcoin::hashes::{sha256, Hash, HashEngine};
use secp256k1::ecdh::SharedSecret;
use secp256k1::{PublicKey, Secp256k1, SecretKey};

use super::cipher::{decrypt_in_place, encrypt_in_place, DirectionalCipher, MAC_LEN};
use super::ecdh::StaticKeyEcdh;
use super::error::{HandshakeAct, MacCheck, TransportError};
use super::hkdf::hkdf_two_keys;

/// Length of act one (50 bytes): version, compressed ephemeral key, tag.
pub const ACT_ONE_LEN: usize = 1 + 33 + MAC_LEN;
/// Length of act two (50 bytes, same layout as act one).
pub const ACT_TWO_LEN: usize = ACT_ONE_LEN;
/// Length of act three (66 bytes): version, encrypted static key with its tag, final tag.
pub const ACT_THREE_LEN: usize = 1 + 33 + MAC_LEN + MAC_LEN;

/// The only handshake version this implementation speaks.
const HANDSHAKE_VERSION: u8 = 0;
const PROTOCOL_NAME: &[u8] = b"Noise_XK_secp256k1_ChaChaPoly_SHA256";
const PROLOGUE: &[u8] = b"lightning";

/// The running handshake state: chaining key `ck` and handshake hash `h`.
struct SymmetricState {
    chaining_key: [u8; 32],
    hash: [u8; 32],
}

impl SymmetricState {
    /// Handshake state initialization, ending with the responder's static key mixed in
    /// (`rs` for the initiator, `ls` for the responder: the same key).
    fn new(responder_static_key: &PublicKey) -> Self {
        let initial = sha256::Hash::hash(PROTOCOL_NAME).to_byte_array();
        let mut state = SymmetricState {
            chaining_key: initial,
            hash: initial,
        };
        state.mix_hash(PROLOGUE);
        state.mix_hash(&responder_static_key.serialize());
        state
    }

    /// `h = SHA-256(h || data)`.
    fn mix_hash(&mut self, data: &[u8]) {
        let mut engine = sha256::Hash::engine();
        engine.input(&self.hash);
        engine.input(data);
        self.hash = sha256::Hash::from_engine(engine).to_byte_array();
    }

    /// `ck, temp_k = HKDF(ck, shared_secret)`; returns `temp_k`.
    fn mix_key(&mut self, shared_secret: &[u8; 32]) -> [u8; 32] {
        let (chaining_key, temp_key) = hkdf_two_keys(&self.chaining_key, shared_secret);
        self.chaining_key = chaining_key;
        temp_key
    }

    /// `c = encryptWithAD(temp_k, counter, h, payload); h = SHA-256(h || c)`, writing `c`
    /// (payload then tag) into `out`, which is `payload.len() + 16` bytes long.
    fn encrypt_and_hash(&mut self, temp_key: &[u8; 32], counter: u64, out: &mut [u8]) {
        let (payload, tag_out) = out.split_at_mut(out.len() - MAC_LEN);
        let tag = encrypt_in_place(temp_key, counter, &self.hash, payload);
        tag_out.copy_from_slice(&tag);
        self.mix_hash(out);
    }

    /// `p = decryptWithAD(temp_k, counter, h, c); h = SHA-256(h || c)`, returning `p`.
    fn decrypt_and_hash<const N: usize>(
        &mut self,
        temp_key: &[u8; 32],
        counter: u64,
        ciphertext: &[u8],
        failure: MacCheck,
    ) -> Result<[u8; N], TransportError> {
        let (encrypted, tag) = split_tag(ciphertext);
        let mut plaintext = [0u8; N];
        plaintext.copy_from_slice(encrypted);
        decrypt_in_place(temp_key, counter, &self.hash, &mut plaintext, &tag)
            .map_err(|_| TransportError::BadMac(failure))?;
        self.mix_hash(ciphertext);
        Ok(plaintext)
    }

    /// The final split: the first output is the initiator's sending key.
    fn split(&self) -> ([u8; 32], [u8; 32]) {
        hkdf_two_keys(&self.chaining_key, &[])
    }
}

/// Splits `bytes` into everything but the last 16 bytes, and those 16 bytes as a tag.
fn split_tag(bytes: &[u8]) -> (&[u8], [u8; MAC_LEN]) {
    let (body, tag) = bytes.split_at(bytes.len() - MAC_LEN);
    let mut tag_bytes = [0u8; MAC_LEN];
    tag_bytes.copy_from_slice(tag);
    (body, tag_bytes)
}

/// `ECDH(k, rk)` with a local secret: SHA-256 of the compressed shared point.
fn ephemeral_ecdh(secret: &SecretKey, point: &PublicKey) -> [u8; 32] {
    SharedSecret::new(point, secret).secret_bytes()
}

/// Parses the version byte and the ephemeral key of act one or act two, checking the version
/// first. Returns the key and the closing 16-byte ciphertext.
fn parse_ephemeral_act(
    act: &[u8; ACT_ONE_LEN],
    which: HandshakeAct,
) -> Result<(PublicKey, &[u8]), TransportError> {
    if act[0] != HANDSHAKE_VERSION {
        return Err(TransportError::UnknownVersion {
            act: which,
            version: act[0],
        });
    }
    let remote_ephemeral = PublicKey::from_slice(&act[1..34])
        .map_err(|_| TransportError::InvalidPublicKey { act: which })?;
    Ok((remote_ephemeral, &act[34..]))
}

/// Builds act one or act two: the version, our ephemeral key, then the empty payload encrypted
/// under `temp_key` with nonce 0. `state` must already hold the mixed-in ephemeral key.
fn write_ephemeral_act(
    state: &mut SymmetricState,
    ephemeral_public: &PublicKey,
    temp_key: &[u8; 32],
) -> [u8; ACT_ONE_LEN] {
    let mut act = [0u8; ACT_ONE_LEN];
    act[0] = HANDSHAKE_VERSION;
    act[1..34].copy_from_slice(&ephemeral_public.serialize());
    state.encrypt_and_hash(temp_key, 0, &mut act[34..]);
    act
}

/// Both directions of an established session.
pub(crate) struct SessionCiphers {
    /// Encrypts what we send (`sk`, `sn`, `sck`).
    pub(crate) sending: DirectionalCipher,
    /// Decrypts what we receive (`rk`, `rn`, `rck`).
    pub(crate) receiving: DirectionalCipher,
}

/// An ephemeral key pair given by the caller.
pub(crate) struct EphemeralKey {
    secret: SecretKey,
    public: PublicKey,
}

impl EphemeralKey {
    /// Parses the caller's 32 random bytes; `None` if they are not a valid secret key.
    pub(crate) fn from_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let secret = SecretKey::from_slice(bytes).ok()?;
        let public = secret.public_key(&Secp256k1::signing_only());
        Some(EphemeralKey { secret, public })
    }
}

/// The initiator after sending act one, waiting for act two.
pub(crate) struct InitiatorAwaitingActTwo {
    state: SymmetricState,
    ephemeral: EphemeralKey,
    our_static_key: PublicKey,
}

impl InitiatorAwaitingActTwo {
    /// Initializes the handshake towards `their_static_key` and builds act one (`-> e, es`).
    pub(crate) fn start(
        their_static_key: &PublicKey,
        our_static_key: PublicKey,
        ephemeral: EphemeralKey,
    ) -> (Self, [u8; ACT_ONE_LEN]) {
        let mut state = SymmetricState::new(their_static_key);
        state.mix_hash(&ephemeral.public.serialize());
        let es = ephemeral_ecdh(&ephemeral.secret, their_static_key);
        let temp_k1 = state.mix_key(&es);
        let act_one = write_ephemeral_act(&mut state, &ephemeral.public, &temp_k1);
        (
            InitiatorAwaitingActTwo {
                state,
                ephemeral,
                our_static_key,
            },
            act_one,
        )
    }

    /// Processes act two (`<- e, ee`) and builds act three (`-> s, se`), deriving the session
    /// keys. `ecdh` computes `se` with our static secret.
    pub(crate) fn receive_act_two(
        mut self,
        act_two: &[u8; ACT_TWO_LEN],
        ecdh: &mut dyn StaticKeyEcdh,
    ) -> Result<(SessionCiphers, [u8; ACT_THREE_LEN]), TransportError> {
        let (their_ephemeral, ciphertext) = parse_ephemeral_act(act_two, HandshakeAct::Two)?;
        let state = &mut self.state;
        state.mix_hash(&their_ephemeral.serialize());
        let ee = ephemeral_ecdh(&self.ephemeral.secret, &their_ephemeral);
        let temp_k2 = state.mix_key(&ee);
        state.decrypt_and_hash::<0>(&temp_k2, 0, ciphertext, MacCheck::ActTwo)?;

        let se = ecdh
            .ecdh(&their_ephemeral)
            .map_err(TransportError::Ecdh)?
            .secret_bytes();
        let mut act_three = [0u8; ACT_THREE_LEN];
        act_three[0] = HANDSHAKE_VERSION;
        act_three[1..34].copy_from_slice(&self.our_static_key.serialize());
        state.encrypt_and_hash(&temp_k2, 1, &mut act_three[1..50]);
        let temp_k3 = state.mix_key(&se);
        let (_, final_tag) = act_three.split_at_mut(50);
        final_tag.copy_from_slice(&encrypt_in_place(&temp_k3, 0, &state.hash, &mut []));

        let (sending_key, receiving_key) = state.split();
        let ciphers = SessionCiphers {
            sending: DirectionalCipher::new(sending_key, state.chaining_key),
            receiving: DirectionalCipher::new(receiving_key, state.chaining_key),
        };
        Ok((ciphers, act_three))
    }
}

/// The responder before act one arrives.
pub(crate) struct ResponderAwaitingActOne {
    state: SymmetricState,
    ephemeral: EphemeralKey,
}

impl ResponderAwaitingActOne {
    /// Initializes the handshake state with our own static key.
    pub(crate) fn new(our_static_key: &PublicKey, ephemeral: EphemeralKey) -> Self {
        ResponderAwaitingActOne {
            state: SymmetricState::new(our_static_key),
            ephemeral,
        }
    }

    /// Processes act one (`-> e, es`, `ecdh` computes `es` with our static secret) and builds
    /// act two (`<- e, ee`).
    pub(crate) fn receive_act_one(
        mut self,
        act_one: &[u8; ACT_ONE_LEN],
        ecdh: &mut dyn StaticKeyEcdh,
    ) -> Result<(ResponderAwaitingActThree, [u8; ACT_TWO_LEN]), TransportError> {
        let (their_ephemeral, ciphertext) = parse_ephemeral_act(act_one, HandshakeAct::One)?;
        let state = &mut self.state;
        state.mix_hash(&their_ephemeral.serialize());
        let es = ecdh
            .ecdh(&their_ephemeral)
            .map_err(TransportError::Ecdh)?
            .secret_bytes();
        let temp_k1 = state.mix_key(&es);
        state.decrypt_and_hash::<0>(&temp_k1, 0, ciphertext, MacCheck::ActOne)?;

        state.mix_hash(&self.ephemeral.public.serialize());
        let ee = ephemeral_ecdh(&self.ephemeral.secret, &their_ephemeral);
        let temp_k2 = state.mix_key(&ee);
        let act_two = write_ephemeral_act(state, &self.ephemeral.public, &temp_k2);
        let next = ResponderAwaitingActThree {
            state: self.state,
            ephemeral_secret: self.ephemeral.secret,
            temp_k2,
        };
        Ok((next, act_two))
    }
}

/// The responder after sending act two, waiting for act three.
pub(crate) struct ResponderAwaitingActThree {
    state: SymmetricState,
    ephemeral_secret: SecretKey,
    temp_k2: [u8; 32],
}

impl ResponderAwaitingActThree {
    /// Processes act three (`-> s, se`): recovers and checks the initiator's static key and
    /// derives the session keys. Returns them with the initiator's static key (its node id).
    pub(crate) fn receive_act_three(
        mut self,
        act_three: &[u8; ACT_THREE_LEN],
    ) -> Result<(SessionCiphers, PublicKey), TransportError> {
        if act_three[0] != HANDSHAKE_VERSION {
            let version = act_three[0];
            return Err(TransportError::UnknownVersion {
                act: HandshakeAct::Three,
                version,
            });
        }
        let state = &mut self.state;
        let static_key_bytes = state.decrypt_and_hash::<33>(
            &self.temp_k2,
            1,
            &act_three[1..50],
            MacCheck::ActThreeStaticKey,
        )?;
        let their_static_key = PublicKey::from_slice(&static_key_bytes).map_err(|_| {
            TransportError::InvalidPublicKey {
                act: HandshakeAct::Three,
            }
        })?;
        let se = ephemeral_ecdh(&self.ephemeral_secret, &their_static_key);
        let temp_k3 = state.mix_key(&se);
        state.decrypt_and_hash::<0>(&temp_k3, 0, &act_three[50..], MacCheck::ActThreeFinal)?;

        let (receiving_key, sending_key) = state.split();
        let ciphers = SessionCiphers {
            sending: DirectionalCipher::new(sending_key, state.chaining_key),
            receiving: DirectionalCipher::new(receiving_key, state.chaining_key),
        };
        Ok((ciphers, their_static_key))
    }
}
