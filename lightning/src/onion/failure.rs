//! BOLT 4 failure codes and failure messages (the `failuremsg` inside a failure packet).

use alloc::vec::Vec;
use core::fmt;

use crate::wire::{BigSize, Decode, Encode, Reader};

/// A 2-byte BOLT 4 `failure_code`: flags in the top byte, a number in the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FailureCode(pub u16);

impl FailureCode {
    /// Flag: the onion the sending peer encrypted was unparsable.
    pub const BADONION: u16 = 0x8000;
    /// Flag: the failure is permanent (otherwise transient).
    pub const PERM: u16 = 0x4000;
    /// Flag: a node failure (otherwise a channel failure).
    pub const NODE: u16 = 0x2000;
    /// Flag: a channel forwarding parameter was violated.
    pub const UPDATE: u16 = 0x1000;

    /// `invalid_realm` (PERM|1): the legacy realm byte was not understood (historical).
    pub const INVALID_REALM: Self = Self(Self::PERM | 1);
    /// `temporary_node_failure` (NODE|2).
    pub const TEMPORARY_NODE_FAILURE: Self = Self(Self::NODE | 2);
    /// `permanent_node_failure` (PERM|NODE|2).
    pub const PERMANENT_NODE_FAILURE: Self = Self(Self::PERM | Self::NODE | 2);
    /// `required_node_feature_missing` (PERM|NODE|3).
    pub const REQUIRED_NODE_FEATURE_MISSING: Self = Self(Self::PERM | Self::NODE | 3);
    /// `invalid_onion_version` (BADONION|PERM|4).
    pub const INVALID_ONION_VERSION: Self = Self(Self::BADONION | Self::PERM | 4);
    /// `invalid_onion_hmac` (BADONION|PERM|5).
    pub const INVALID_ONION_HMAC: Self = Self(Self::BADONION | Self::PERM | 5);
    /// `invalid_onion_key` (BADONION|PERM|6).
    pub const INVALID_ONION_KEY: Self = Self(Self::BADONION | Self::PERM | 6);
    /// `temporary_channel_failure` (UPDATE|7).
    pub const TEMPORARY_CHANNEL_FAILURE: Self = Self(Self::UPDATE | 7);
    /// `permanent_channel_failure` (PERM|8).
    pub const PERMANENT_CHANNEL_FAILURE: Self = Self(Self::PERM | 8);
    /// `required_channel_feature_missing` (PERM|9).
    pub const REQUIRED_CHANNEL_FEATURE_MISSING: Self = Self(Self::PERM | 9);
    /// `unknown_next_peer` (PERM|10).
    pub const UNKNOWN_NEXT_PEER: Self = Self(Self::PERM | 10);
    /// `amount_below_minimum` (UPDATE|11).
    pub const AMOUNT_BELOW_MINIMUM: Self = Self(Self::UPDATE | 11);
    /// `fee_insufficient` (UPDATE|12).
    pub const FEE_INSUFFICIENT: Self = Self(Self::UPDATE | 12);
    /// `incorrect_cltv_expiry` (UPDATE|13).
    pub const INCORRECT_CLTV_EXPIRY: Self = Self(Self::UPDATE | 13);
    /// `expiry_too_soon` (UPDATE|14).
    pub const EXPIRY_TOO_SOON: Self = Self(Self::UPDATE | 14);
    /// `incorrect_or_unknown_payment_details` (PERM|15).
    pub const INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS: Self = Self(Self::PERM | 15);
    /// `incorrect_payment_amount` (PERM|16), retired in favour of PERM|15.
    pub const INCORRECT_PAYMENT_AMOUNT: Self = Self(Self::PERM | 16);
    /// `final_expiry_too_soon` (17), retired in favour of PERM|15.
    pub const FINAL_EXPIRY_TOO_SOON: Self = Self(17);
    /// `final_incorrect_cltv_expiry` (18).
    pub const FINAL_INCORRECT_CLTV_EXPIRY: Self = Self(18);
    /// `final_incorrect_htlc_amount` (19).
    pub const FINAL_INCORRECT_HTLC_AMOUNT: Self = Self(19);
    /// `channel_disabled` (UPDATE|20).
    pub const CHANNEL_DISABLED: Self = Self(Self::UPDATE | 20);
    /// `expiry_too_far` (21).
    pub const EXPIRY_TOO_FAR: Self = Self(21);
    /// `invalid_onion_payload` (PERM|22).
    pub const INVALID_ONION_PAYLOAD: Self = Self(Self::PERM | 22);
    /// `mpp_timeout` (23).
    pub const MPP_TIMEOUT: Self = Self(23);
    /// `invalid_onion_blinding` (BADONION|PERM|24).
    pub const INVALID_ONION_BLINDING: Self = Self(Self::BADONION | Self::PERM | 24);

    /// Whether the BADONION flag is set (answer with `update_fail_malformed_htlc`).
    pub fn is_bad_onion(self) -> bool {
        self.0 & Self::BADONION != 0
    }
    /// Whether the PERM flag is set.
    pub fn is_permanent(self) -> bool {
        self.0 & Self::PERM != 0
    }
    /// Whether the NODE flag is set.
    pub fn is_node(self) -> bool {
        self.0 & Self::NODE != 0
    }
    /// Whether the UPDATE flag is set.
    pub fn is_update(self) -> bool {
        self.0 & Self::UPDATE != 0
    }
}

impl fmt::Display for FailureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "failure code {:#06x}", self.0)
    }
}

/// A failure reason with the data its code carries.
///
/// `channel_update` fields hold the raw bytes of a BOLT 7 `channel_update` message as sent
/// (possibly empty: senders are moving away from including it); parse them with the gossip
/// codec if wanted, and never apply them to the network graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// `invalid_realm`.
    InvalidRealm,
    /// `temporary_node_failure`.
    TemporaryNodeFailure,
    /// `permanent_node_failure`.
    PermanentNodeFailure,
    /// `required_node_feature_missing`.
    RequiredNodeFeatureMissing,
    /// `invalid_onion_version`.
    InvalidOnionVersion {
        /// SHA256 of the onion received.
        sha256_of_onion: [u8; 32],
    },
    /// `invalid_onion_hmac`.
    InvalidOnionHmac {
        /// SHA256 of the onion received.
        sha256_of_onion: [u8; 32],
    },
    /// `invalid_onion_key`.
    InvalidOnionKey {
        /// SHA256 of the onion received.
        sha256_of_onion: [u8; 32],
    },
    /// `temporary_channel_failure`.
    TemporaryChannelFailure {
        /// Raw `channel_update` message bytes, possibly empty.
        channel_update: Vec<u8>,
    },
    /// `permanent_channel_failure`.
    PermanentChannelFailure,
    /// `required_channel_feature_missing`.
    RequiredChannelFeatureMissing,
    /// `unknown_next_peer`.
    UnknownNextPeer,
    /// `amount_below_minimum`.
    AmountBelowMinimum {
        /// Amount of the HTLC, in millisatoshis.
        htlc_msat: u64,
        /// Raw `channel_update` message bytes, possibly empty.
        channel_update: Vec<u8>,
    },
    /// `fee_insufficient`.
    FeeInsufficient {
        /// Amount of the incoming HTLC, in millisatoshis.
        htlc_msat: u64,
        /// Raw `channel_update` message bytes, possibly empty.
        channel_update: Vec<u8>,
    },
    /// `incorrect_cltv_expiry`.
    IncorrectCltvExpiry {
        /// The `cltv_expiry` of the HTLC.
        cltv_expiry: u32,
        /// Raw `channel_update` message bytes, possibly empty.
        channel_update: Vec<u8>,
    },
    /// `expiry_too_soon`.
    ExpiryTooSoon {
        /// Raw `channel_update` message bytes, possibly empty.
        channel_update: Vec<u8>,
    },
    /// `incorrect_or_unknown_payment_details`.
    IncorrectOrUnknownPaymentDetails {
        /// Amount of the HTLC, in millisatoshis.
        htlc_msat: u64,
        /// The final node's best block height.
        height: u32,
    },
    /// `final_incorrect_cltv_expiry`.
    FinalIncorrectCltvExpiry {
        /// The `cltv_expiry` of the HTLC.
        cltv_expiry: u32,
    },
    /// `final_incorrect_htlc_amount`.
    FinalIncorrectHtlcAmount {
        /// Amount of the incoming HTLC, in millisatoshis.
        incoming_htlc_amt: u64,
    },
    /// `channel_disabled`.
    ChannelDisabled {
        /// Flags (none defined: zero).
        disabled_flags: u16,
        /// Raw `channel_update` message bytes, possibly empty.
        channel_update: Vec<u8>,
    },
    /// `expiry_too_far`.
    ExpiryTooFar,
    /// `invalid_onion_payload`, naming the offending TLV type and its byte offset in the
    /// decrypted payload (both zero when not narrowed down; a message from a sender that left
    /// the data out decodes as zeroes too).
    InvalidOnionPayload {
        /// The TLV type at fault.
        tlv_type: u64,
        /// Its byte offset in the decrypted payload.
        offset: u16,
    },
    /// `mpp_timeout`.
    MppTimeout,
    /// `invalid_onion_blinding`.
    InvalidOnionBlinding {
        /// SHA256 of the onion received (may be all zero).
        sha256_of_onion: [u8; 32],
    },
    /// A code this implementation does not know, with all the bytes after it.
    Unknown {
        /// The failure code.
        code: FailureCode,
        /// The bytes following the code.
        data: Vec<u8>,
    },
}

impl Failure {
    /// The failure code of this reason.
    pub fn code(&self) -> FailureCode {
        match self {
            Failure::InvalidRealm => FailureCode::INVALID_REALM,
            Failure::TemporaryNodeFailure => FailureCode::TEMPORARY_NODE_FAILURE,
            Failure::PermanentNodeFailure => FailureCode::PERMANENT_NODE_FAILURE,
            Failure::RequiredNodeFeatureMissing => FailureCode::REQUIRED_NODE_FEATURE_MISSING,
            Failure::InvalidOnionVersion { .. } => FailureCode::INVALID_ONION_VERSION,
            Failure::InvalidOnionHmac { .. } => FailureCode::INVALID_ONION_HMAC,
            Failure::InvalidOnionKey { .. } => FailureCode::INVALID_ONION_KEY,
            Failure::TemporaryChannelFailure { .. } => FailureCode::TEMPORARY_CHANNEL_FAILURE,
            Failure::PermanentChannelFailure => FailureCode::PERMANENT_CHANNEL_FAILURE,
            Failure::RequiredChannelFeatureMissing => FailureCode::REQUIRED_CHANNEL_FEATURE_MISSING,
            Failure::UnknownNextPeer => FailureCode::UNKNOWN_NEXT_PEER,
            Failure::AmountBelowMinimum { .. } => FailureCode::AMOUNT_BELOW_MINIMUM,
            Failure::FeeInsufficient { .. } => FailureCode::FEE_INSUFFICIENT,
            Failure::IncorrectCltvExpiry { .. } => FailureCode::INCORRECT_CLTV_EXPIRY,
            Failure::ExpiryTooSoon { .. } => FailureCode::EXPIRY_TOO_SOON,
            Failure::IncorrectOrUnknownPaymentDetails { .. } => {
                FailureCode::INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS
            }
            Failure::FinalIncorrectCltvExpiry { .. } => FailureCode::FINAL_INCORRECT_CLTV_EXPIRY,
            Failure::FinalIncorrectHtlcAmount { .. } => FailureCode::FINAL_INCORRECT_HTLC_AMOUNT,
            Failure::ChannelDisabled { .. } => FailureCode::CHANNEL_DISABLED,
            Failure::ExpiryTooFar => FailureCode::EXPIRY_TOO_FAR,
            Failure::InvalidOnionPayload { .. } => FailureCode::INVALID_ONION_PAYLOAD,
            Failure::MppTimeout => FailureCode::MPP_TIMEOUT,
            Failure::InvalidOnionBlinding { .. } => FailureCode::INVALID_ONION_BLINDING,
            Failure::Unknown { code, .. } => *code,
        }
    }
}

/// A complete `failuremsg`: the failure with its data, then an optional TLV stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailureMessage {
    /// The failure code and its data.
    pub failure: Failure,
    /// The raw TLV stream after the data (empty if none). Senders may add records; receivers
    /// ignore what they do not understand.
    pub tlv_stream: Vec<u8>,
}

/// A `failuremsg` too short for the data its code requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailureDecodeError {
    /// The code read, if at least two bytes were present.
    pub code: Option<FailureCode>,
}

impl fmt::Display for FailureDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "failure message with {code} is truncated"),
            None => f.write_str("failure message is shorter than its 2-byte code"),
        }
    }
}

impl core::error::Error for FailureDecodeError {}

impl From<Failure> for FailureMessage {
    fn from(failure: Failure) -> Self {
        FailureMessage {
            failure,
            tlv_stream: Vec::new(),
        }
    }
}

impl FailureMessage {
    /// Serializes the message: code, data, TLV stream.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.failure.code().0.to_be_bytes());
        encode_data(&self.failure, &mut out);
        out.extend_from_slice(&self.tlv_stream);
        out
    }

    /// Parses a `failuremsg`. Bytes after the known data are kept as the TLV stream; for an
    /// unknown code every byte after it is kept as its data.
    pub fn decode(bytes: &[u8]) -> Result<Self, FailureDecodeError> {
        let mut reader = Reader::new(bytes);
        let code = u16::decode(&mut reader)
            .map(FailureCode)
            .map_err(|_| FailureDecodeError { code: None })?;
        let failure =
            decode_data(code, &mut reader).ok_or(FailureDecodeError { code: Some(code) })?;
        Ok(FailureMessage {
            failure,
            tlv_stream: reader.read_remaining().to_vec(),
        })
    }
}

fn push_update(update: &[u8], out: &mut Vec<u8>) {
    // A channel_update is a few hundred bytes; saturate rather than wrap if misused.
    let len = u16::try_from(update.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&update[..usize::from(len)]);
}

fn encode_data(failure: &Failure, out: &mut Vec<u8>) {
    match failure {
        Failure::InvalidOnionVersion { sha256_of_onion }
        | Failure::InvalidOnionHmac { sha256_of_onion }
        | Failure::InvalidOnionKey { sha256_of_onion }
        | Failure::InvalidOnionBlinding { sha256_of_onion } => {
            out.extend_from_slice(sha256_of_onion)
        }
        Failure::TemporaryChannelFailure { channel_update }
        | Failure::ExpiryTooSoon { channel_update } => push_update(channel_update, out),
        Failure::AmountBelowMinimum {
            htlc_msat,
            channel_update,
        }
        | Failure::FeeInsufficient {
            htlc_msat,
            channel_update,
        } => {
            out.extend_from_slice(&htlc_msat.to_be_bytes());
            push_update(channel_update, out);
        }
        Failure::IncorrectCltvExpiry {
            cltv_expiry,
            channel_update,
        } => {
            out.extend_from_slice(&cltv_expiry.to_be_bytes());
            push_update(channel_update, out);
        }
        Failure::IncorrectOrUnknownPaymentDetails { htlc_msat, height } => {
            out.extend_from_slice(&htlc_msat.to_be_bytes());
            out.extend_from_slice(&height.to_be_bytes());
        }
        Failure::FinalIncorrectCltvExpiry { cltv_expiry } => {
            out.extend_from_slice(&cltv_expiry.to_be_bytes())
        }
        Failure::FinalIncorrectHtlcAmount { incoming_htlc_amt } => {
            out.extend_from_slice(&incoming_htlc_amt.to_be_bytes())
        }
        Failure::ChannelDisabled {
            disabled_flags,
            channel_update,
        } => {
            out.extend_from_slice(&disabled_flags.to_be_bytes());
            push_update(channel_update, out);
        }
        Failure::InvalidOnionPayload { tlv_type, offset } => {
            BigSize(*tlv_type).encode(out);
            out.extend_from_slice(&offset.to_be_bytes());
        }
        Failure::Unknown { data, .. } => out.extend_from_slice(data),
        Failure::InvalidRealm
        | Failure::TemporaryNodeFailure
        | Failure::PermanentNodeFailure
        | Failure::RequiredNodeFeatureMissing
        | Failure::PermanentChannelFailure
        | Failure::RequiredChannelFeatureMissing
        | Failure::UnknownNextPeer
        | Failure::ExpiryTooFar
        | Failure::MppTimeout => {}
    }
}

/// Reads the failure-specific data after the code; `None` if it is cut short.
fn decode_data(code: FailureCode, c: &mut Reader<'_>) -> Option<Failure> {
    Some(match code {
        FailureCode::INVALID_REALM => Failure::InvalidRealm,
        FailureCode::TEMPORARY_NODE_FAILURE => Failure::TemporaryNodeFailure,
        FailureCode::PERMANENT_NODE_FAILURE => Failure::PermanentNodeFailure,
        FailureCode::REQUIRED_NODE_FEATURE_MISSING => Failure::RequiredNodeFeatureMissing,
        FailureCode::INVALID_ONION_VERSION => Failure::InvalidOnionVersion {
            sha256_of_onion: c.read_array().ok()?,
        },
        FailureCode::INVALID_ONION_HMAC => Failure::InvalidOnionHmac {
            sha256_of_onion: c.read_array().ok()?,
        },
        FailureCode::INVALID_ONION_KEY => Failure::InvalidOnionKey {
            sha256_of_onion: c.read_array().ok()?,
        },
        FailureCode::TEMPORARY_CHANNEL_FAILURE => Failure::TemporaryChannelFailure {
            channel_update: c.read_u16_prefixed().ok()?.to_vec(),
        },
        FailureCode::PERMANENT_CHANNEL_FAILURE => Failure::PermanentChannelFailure,
        FailureCode::REQUIRED_CHANNEL_FEATURE_MISSING => Failure::RequiredChannelFeatureMissing,
        FailureCode::UNKNOWN_NEXT_PEER => Failure::UnknownNextPeer,
        FailureCode::AMOUNT_BELOW_MINIMUM => Failure::AmountBelowMinimum {
            htlc_msat: c.decode::<u64>().ok()?,
            channel_update: c.read_u16_prefixed().ok()?.to_vec(),
        },
        FailureCode::FEE_INSUFFICIENT => Failure::FeeInsufficient {
            htlc_msat: c.decode::<u64>().ok()?,
            channel_update: c.read_u16_prefixed().ok()?.to_vec(),
        },
        FailureCode::INCORRECT_CLTV_EXPIRY => Failure::IncorrectCltvExpiry {
            cltv_expiry: c.decode::<u32>().ok()?,
            channel_update: c.read_u16_prefixed().ok()?.to_vec(),
        },
        FailureCode::EXPIRY_TOO_SOON => Failure::ExpiryTooSoon {
            channel_update: c.read_u16_prefixed().ok()?.to_vec(),
        },
        FailureCode::INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS => {
            Failure::IncorrectOrUnknownPaymentDetails {
                htlc_msat: c.decode::<u64>().ok()?,
                height: c.decode::<u32>().ok()?,
            }
        }
        FailureCode::FINAL_INCORRECT_CLTV_EXPIRY => Failure::FinalIncorrectCltvExpiry {
            cltv_expiry: c.decode::<u32>().ok()?,
        },
        FailureCode::FINAL_INCORRECT_HTLC_AMOUNT => Failure::FinalIncorrectHtlcAmount {
            incoming_htlc_amt: c.decode::<u64>().ok()?,
        },
        FailureCode::CHANNEL_DISABLED => Failure::ChannelDisabled {
            disabled_flags: c.decode::<u16>().ok()?,
            channel_update: c.read_u16_prefixed().ok()?.to_vec(),
        },
        FailureCode::EXPIRY_TOO_FAR => Failure::ExpiryTooFar,
        FailureCode::INVALID_ONION_PAYLOAD => {
            if c.is_empty() {
                Failure::InvalidOnionPayload {
                    tlv_type: 0,
                    offset: 0,
                }
            } else {
                Failure::InvalidOnionPayload {
                    tlv_type: BigSize::decode(c).ok()?.0,
                    offset: c.decode::<u16>().ok()?,
                }
            }
        }
        FailureCode::MPP_TIMEOUT => Failure::MppTimeout,
        FailureCode::INVALID_ONION_BLINDING => Failure::InvalidOnionBlinding {
            sha256_of_onion: c.read_array().ok()?,
        },
        code => Failure::Unknown {
            code,
            data: c.read_remaining().to_vec(),
        },
    })
}
