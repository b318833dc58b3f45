//! The two-output HKDF of BOLT 8: RFC 5869 extract-and-expand over HMAC-SHA256 with a 32-byte
//! salt and an empty `info`, returning the first 64 bytes of output as two 32-byte keys.

use crate::onion::crypto::hmac_sha256;

/// `HKDF(salt, ikm)` as BOLT 8 uses it: extract a pseudo-random key from `ikm` under `salt`,
/// then expand it (empty `info`) into two 32-byte outputs, returned in order.
///
/// In the handshake the outputs are `(ck, temp_k)`; after act three `(sk, rk)` for the
/// initiator and `(rk, sk)` for the responder; in key rotation `(ck', k')`.
pub(crate) fn hkdf_two_keys(salt: &[u8; 32], ikm: &[u8]) -> ([u8; 32], [u8; 32]) {
    let prk = hmac_sha256(salt, &[ikm]);
    let first = hmac_sha256(&prk, &[&[1u8]]);
    let second = hmac_sha256(&prk, &[&first, &[2u8]]);
    (first, second)
}

#[cfg(test)]
mod tests {
    use super::hkdf_two_keys;

    fn from_hex32(s: &str) -> [u8; 32] {
        let v = hex::decode(s).unwrap();
        v.try_into().unwrap()
    }

    #[test]
    fn matches_bolt8_act_one_derivation() {
        // From BOLT 8 Appendix A, initiator act one:
        // HKDF(0x2640f5..., 0x1e2fb3...) = (ck, temp_k1).
        let salt = from_hex32("2640f52eebcd9e882958951c794250eedb28002c05d7dc2ea0f195406042caf1");
        let ikm = from_hex32("1e2fb3c8fe8fb9f262f649f64d26ecf0f2c0a805a767cf02dc2d77a6ef1fdcc3");
        let (ck, temp_k1) = hkdf_two_keys(&salt, &ikm);
        assert_eq!(
            ck,
            from_hex32("b61ec1191326fa240decc9564369dbb3ae2b34341d1e11ad64ed89f89180582f")
        );
        assert_eq!(
            temp_k1,
            from_hex32("e68f69b7f096d7917245f5e5cf8ae1595febe4d4644333c99f9c4a1282031c9f")
        );
    }

    #[test]
    fn matches_bolt8_final_split_with_empty_ikm() {
        // HKDF(0x919219..., zero) = (sk, rk) of the initiator.
        let salt = from_hex32("919219dbb2920afa8db80f9a51787a840bcf111ed8d588caf9ab4be716e42b01");
        let (sk, rk) = hkdf_two_keys(&salt, &[]);
        assert_eq!(
            sk,
            from_hex32("969ab31b4d288cedf6218839b27a3e2140827047f2c0f01bf5c04435d43511a9")
        );
        assert_eq!(
            rk,
            from_hex32("bb9020b8965f4df047e07f955f3c4b88418984aadc5cdb35096b9ea8fa5c3442")
        );
    }
}
