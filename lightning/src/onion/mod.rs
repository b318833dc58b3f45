//! BOLT 4 onion routing: build, peel and forward sphinx onions; create, wrap and attribute
//! failure messages.
//!
//! Call contract, per role:
//! - **Origin**: pick a random session key, encode each hop's payload ([`HopPayload`]) and call
//!   [`build_onion`]. Keep the returned [`BuiltOnion::hop_keys`] (or the session key and the
//!   route, from which [`derive_hop_keys`] recomputes them). When the HTLC fails back, call
//!   [`decode_failure`] with the per-hop shared secrets to learn which hop failed and why.
//! - **Hop**: call [`peel_onion`] (or [`peel_onion_bytes`]) with the payment hash and an ECDH
//!   closure backed by `NodeSigner::ecdh`. On error, [`PeelError::failure_code`] names the
//!   failure: BADONION codes go back as `update_fail_malformed_htlc` ([`MalformedHtlc`]), the
//!   others as a failure packet built with the shared secret. On success, validate the payload
//!   with [`ForwardPayload::decode`] or [`FinalPayload::decode`] (or
//!   [`PeeledOnion::payment_hop`]), keep the shared secret with the HTLC, and forward
//!   `next_packet`.
//!   Inside a blinded route (a `path_key` came with the HTLC) use [`peel_blinded_onion`].
//! - **Erring hop**: [`create_failure`] with the stored shared secret. **Every hop back**:
//!   [`wrap_failure`].

mod attribution;
// Crate-visible: the transport's HKDF shares its HMAC-SHA256.
pub(crate) mod crypto;
mod failure;
mod failure_packet;
mod packet;
mod payload;
mod peel;
mod validate;

pub use attribution::{
    verify_attribution, AttributionData, AttributionReport, ATTRIBUTION_DATA_LEN,
    ATTRIBUTION_HMAC_COUNT, MAX_ATTRIBUTED_HOPS,
};
pub use crypto::{
    apply_stream, derive_hop_keys, derive_key, generate_stream, HopKeys, KeyDerivationError,
    KeyType,
};
pub use failure::{Failure, FailureCode, FailureDecodeError, FailureMessage};
pub use failure_packet::{
    create_failure, create_failure_padded, decode_failure, default_padded_len,
    encode_failure_packet, obfuscate_failure_packet, wrap_failure, DecodedFailure,
    FailurePaddingError, FailureSource, ReturnedFailure, LARGE_FAILURE_PADDED_LEN,
    MIN_FAILURE_PADDED_LEN,
};
pub use packet::{
    build_onion, BuildError, BuiltOnion, OnionHop, OnionPacket, WrongPacketLength, HMAC_LEN,
    HOP_PAYLOADS_LEN, MAX_HOPS, ONION_PACKET_LEN, ONION_VERSION,
};
pub use payload::{
    HopPayload, PayloadError, PayloadErrorKind, PaymentData, AMT_TO_FORWARD_TYPE,
    CURRENT_PATH_KEY_TYPE, ENCRYPTED_RECIPIENT_DATA_TYPE, KEYSEND_PREIMAGE_TYPE,
    MIN_CUSTOM_RECORD_TYPE, OUTGOING_CLTV_VALUE_TYPE, PAYMENT_DATA_TYPE, PAYMENT_METADATA_TYPE,
    SHORT_CHANNEL_ID_TYPE, TOTAL_AMOUNT_MSAT_TYPE,
};
pub use peel::{
    peel_blinded_onion, peel_onion, peel_onion_bytes, BlindedPeelError, MalformedHtlc,
    PayloadFramingError, PeelError, PeeledOnion,
};
pub use secp256k1::ecdh::SharedSecret;
pub use validate::{FinalPayload, ForwardPayload, PaymentHop};
