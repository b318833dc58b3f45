//! Channel types (BOLT 2 "Defined Channel Types"): constructors and the support check.

use super::{ChannelTypeFeatures, Feature, InitFeatures};

/// The commitment format a channel type selects: one of the basic types of BOLT 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BasicChannelType {
    /// `option_static_remotekey` alone (bit 12).
    StaticRemoteKey,
    /// `option_anchors` with `option_static_remotekey` (bits 22 and 12).
    AnchorsZeroFeeHtlcTx,
}

/// Why a proposed `channel_type` cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelTypeError {
    /// A bit is set that no defined channel type uses (including any odd bit).
    UndefinedBit {
        /// The offending bit.
        bit: usize,
    },
    /// The bits are all allowed but do not form a basic type (e.g. bit 22 without bit 12, or
    /// neither).
    NoBasicType,
    /// The type uses a feature that was not negotiated on this connection.
    NotNegotiated {
        /// The feature that was not negotiated.
        feature: Feature,
    },
}

impl core::fmt::Display for ChannelTypeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ChannelTypeError::UndefinedBit { bit } => {
                write!(f, "channel type sets bit {bit}, which no defined type uses")
            }
            ChannelTypeError::NoBasicType => {
                f.write_str("channel type is not a defined basic type")
            }
            ChannelTypeError::NotNegotiated { feature } => {
                write!(f, "channel type uses {feature}, which was not negotiated")
            }
        }
    }
}

impl core::error::Error for ChannelTypeError {}

/// The even bits a channel type may set: the two basic types and their two variations.
const DEFINED_BITS: [Feature; 4] = [
    Feature::StaticRemoteKey,
    Feature::AnchorsZeroFeeHtlcTx,
    Feature::ScidAlias,
    Feature::ZeroConf,
];

impl ChannelTypeFeatures {
    /// The `option_static_remotekey` channel type (bit 12).
    pub fn static_remote_key() -> ChannelTypeFeatures {
        let mut channel_type = ChannelTypeFeatures::empty();
        channel_type.set_bit(Feature::StaticRemoteKey.even_bit());
        channel_type
    }

    /// The `option_anchors` channel type (bits 22 and 12).
    pub fn anchors_zero_fee_htlc_tx() -> ChannelTypeFeatures {
        let mut channel_type = ChannelTypeFeatures::static_remote_key();
        channel_type.set_bit(Feature::AnchorsZeroFeeHtlcTx.even_bit());
        channel_type
    }

    /// This type with the `option_scid_alias` variation (bit 46): the channel is known only
    /// by aliases. BOLT 2 forbids it for channels that will be announced.
    pub fn with_scid_alias(mut self) -> ChannelTypeFeatures {
        self.set_bit(Feature::ScidAlias.even_bit());
        self
    }

    /// This type with the `option_zeroconf` variation (bit 50): the channel is usable before
    /// the funding transaction confirms.
    pub fn with_zero_conf(mut self) -> ChannelTypeFeatures {
        self.set_bit(Feature::ZeroConf.even_bit());
        self
    }

    /// The basic type this `channel_type` is, if it is a defined type: bit 12, optionally bit
    /// 22, optionally bits 46 and 50, and nothing else (channel types use even bits only).
    pub fn basic_channel_type(&self) -> Result<BasicChannelType, ChannelTypeError> {
        let defined = |bit: usize| DEFINED_BITS.iter().any(|f| f.even_bit() == bit);
        if let Some(bit) = self.set_bits().find(|bit| !defined(*bit)) {
            return Err(ChannelTypeError::UndefinedBit { bit });
        }
        let static_remote_key = self.is_bit_set(Feature::StaticRemoteKey.even_bit());
        let anchors = self.is_bit_set(Feature::AnchorsZeroFeeHtlcTx.even_bit());
        match (static_remote_key, anchors) {
            (true, false) => Ok(BasicChannelType::StaticRemoteKey),
            (true, true) => Ok(BasicChannelType::AnchorsZeroFeeHtlcTx),
            (false, _) => Err(ChannelTypeError::NoBasicType),
        }
    }

    /// Checks that this `channel_type`, proposed on a connection where we sent `ours` and the
    /// peer sent `theirs` in `init`, is one we can run: a defined type whose every feature is
    /// negotiated (see [`InitFeatures::negotiated_with`]). The caller still applies its own
    /// policy (e.g. whether it trusts a zero-conf opener, no `scid_alias` on public channels).
    pub fn check_supported(
        &self,
        ours: &InitFeatures,
        theirs: &InitFeatures,
    ) -> Result<BasicChannelType, ChannelTypeError> {
        let basic = self.basic_channel_type()?;
        for feature in DEFINED_BITS {
            if self.is_bit_set(feature.even_bit()) && !ours.negotiated_with(theirs, feature) {
                return Err(ChannelTypeError::NotNegotiated { feature });
            }
        }
        Ok(basic)
    }

    /// The type to propose when opening a channel with no preference: anchors if negotiated,
    /// otherwise static_remotekey, without variations.
    pub fn default_for(ours: &InitFeatures, theirs: &InitFeatures) -> ChannelTypeFeatures {
        if ours.negotiated_with(theirs, Feature::AnchorsZeroFeeHtlcTx) {
            ChannelTypeFeatures::anchors_zero_fee_htlc_tx()
        } else {
            ChannelTypeFeatures::static_remote_key()
        }
    }
}
