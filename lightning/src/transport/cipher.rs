//! ChaCha20-Poly1305 (RFC 8439, IETF variant) with the Noise nonce layout, and the per-direction
//! cipher state of an established session with its key rotation.

use chacha20poly1305::{AeadInPlace, ChaCha20Poly1305, Key, KeyInit, Nonce, Tag};

use super::hkdf::hkdf_two_keys;

/// Length of a Poly1305 tag (the MAC appended to every ciphertext).
pub(crate) const MAC_LEN: usize = 16;

/// A key is rotated once the nonce dedicated to it reaches this value (BOLT 8: after 1000
/// encryptions or decryptions, i.e. every 500 messages).
const ROTATE_AT_NONCE: u64 = 1000;

/// The 96-bit nonce of BOLT 8: 32 zero bits followed by the 64-bit counter in little-endian.
fn noise_nonce(counter: u64) -> Nonce {
    let mut nonce = [0u8; 12];
    nonce[4..].copy_from_slice(&counter.to_le_bytes());
    Nonce::from(nonce)
}

/// `encryptWithAD(key, counter, ad, buffer)`: encrypts `buffer` in place and returns its tag.
pub(crate) fn encrypt_in_place(
    key: &[u8; 32],
    counter: u64,
    ad: &[u8],
    buffer: &mut [u8],
) -> [u8; MAC_LEN] {
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
    // Invariant: ChaCha20-Poly1305 only refuses plaintexts longer than 2^38 bytes; every buffer
    // encrypted here is a handshake payload or a frame part of at most 65535 bytes.
    let tag = cipher
        .encrypt_in_place_detached(&noise_nonce(counter), ad, buffer)
        .expect("plaintext is far below the ChaCha20-Poly1305 length limit");
    tag.into()
}

/// `decryptWithAD(key, counter, ad, buffer || tag)`: decrypts `buffer` in place after checking
/// `tag`. On a bad tag returns `Err(())` and leaves `buffer` unspecified.
pub(crate) fn decrypt_in_place(
    key: &[u8; 32],
    counter: u64,
    ad: &[u8],
    buffer: &mut [u8],
    tag: &[u8; MAC_LEN],
) -> Result<(), BadTag> {
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
    cipher
        .decrypt_in_place_detached(&noise_nonce(counter), ad, buffer, Tag::from_slice(tag))
        .map_err(|_| BadTag)
}

/// The MAC check of a decryption failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadTag;

/// One direction of an established session: its key `k`, nonce `n` and chaining key `ck`
/// (`sk`/`sn`/`sck` for sending, `rk`/`rn`/`rck` for receiving).
///
/// Every encryption or decryption uses the current nonce and then advances it; when the nonce
/// reaches 1000 the key rotates: `ck', k' = HKDF(ck, k)` and the nonce restarts at 0.
pub(crate) struct DirectionalCipher {
    key: [u8; 32],
    chaining_key: [u8; 32],
    nonce: u64,
}

impl DirectionalCipher {
    /// A fresh direction right after act three: nonce 0 and the final handshake chaining key.
    pub(crate) fn new(key: [u8; 32], chaining_key: [u8; 32]) -> Self {
        DirectionalCipher {
            key,
            chaining_key,
            nonce: 0,
        }
    }

    /// Encrypts `buffer` in place with the empty AD, returns the tag and advances the nonce.
    pub(crate) fn encrypt(&mut self, buffer: &mut [u8]) -> [u8; MAC_LEN] {
        let tag = encrypt_in_place(&self.key, self.nonce, &[], buffer);
        self.advance();
        tag
    }

    /// Checks `tag` and decrypts `buffer` in place with the empty AD, then advances the nonce.
    ///
    /// The nonce advances only on success: a failed check ends the session anyway.
    pub(crate) fn decrypt(&mut self, buffer: &mut [u8], tag: &[u8; MAC_LEN]) -> Result<(), BadTag> {
        decrypt_in_place(&self.key, self.nonce, &[], buffer, tag)?;
        self.advance();
        Ok(())
    }

    fn advance(&mut self) {
        // The nonce never exceeds ROTATE_AT_NONCE: it is reset to 0 when it reaches it.
        self.nonce += 1;
        if self.nonce == ROTATE_AT_NONCE {
            let (chaining_key, key) = hkdf_two_keys(&self.chaining_key, &self.key);
            self.chaining_key = chaining_key;
            self.key = key;
            self.nonce = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_layout_is_four_zero_bytes_then_little_endian_counter() {
        let nonce = noise_nonce(1);
        assert_eq!(nonce.as_slice(), &[0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        let nonce = noise_nonce(0x0102_0304_0506_0708);
        assert_eq!(nonce.as_slice(), &[0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1]);
    }

    #[test]
    fn round_trip_and_tamper_detection() {
        let key = [7u8; 32];
        let mut data = *b"lightning";
        let tag = encrypt_in_place(&key, 3, b"ad", &mut data);
        assert_ne!(&data, b"lightning");
        let mut tampered = data;
        tampered[0] ^= 1;
        assert_eq!(
            decrypt_in_place(&key, 3, b"ad", &mut tampered, &tag),
            Err(BadTag)
        );
        let mut wrong_nonce = data;
        assert_eq!(
            decrypt_in_place(&key, 4, b"ad", &mut wrong_nonce, &tag),
            Err(BadTag)
        );
        decrypt_in_place(&key, 3, b"ad", &mut data, &tag).unwrap();
        assert_eq!(&data, b"lightning");
    }

    #[test]
    fn rotation_happens_when_the_nonce_reaches_1000() {
        let mut cipher = DirectionalCipher::new([1u8; 32], [2u8; 32]);
        for _ in 0..999 {
            cipher.encrypt(&mut []);
        }
        assert_eq!(cipher.nonce, 999);
        assert_eq!(cipher.key, [1u8; 32]);
        cipher.encrypt(&mut []);
        let (ck, k) = hkdf_two_keys(&[2u8; 32], &[1u8; 32]);
        assert_eq!((cipher.nonce, cipher.key, cipher.chaining_key), (0, k, ck));
    }
}
