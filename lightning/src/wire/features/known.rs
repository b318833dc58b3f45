//! The BOLT 9 feature table: each known feature's name, bits, contexts and dependencies, and
//! typed accessors for them on [`Features`].

use super::{ContextKind, Features};

/// A feature of the BOLT 9 table, named after its spec name.
///
/// The discriminant is the feature's index in [`KNOWN_FEATURES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feature {
    /// `option_data_loss_protect` (bits 0/1), ASSUMED.
    DataLossProtect,
    /// `option_upfront_shutdown_script` (bits 4/5).
    UpfrontShutdownScript,
    /// `gossip_queries` (bits 6/7).
    GossipQueries,
    /// `var_onion_optin` (bits 8/9), ASSUMED.
    VarOnionOptin,
    /// `gossip_queries_ex` (bits 10/11).
    GossipQueriesEx,
    /// `option_static_remotekey` (bits 12/13), ASSUMED.
    StaticRemoteKey,
    /// `payment_secret` (bits 14/15), ASSUMED.
    PaymentSecret,
    /// `basic_mpp` (bits 16/17), needs `payment_secret`.
    BasicMpp,
    /// `option_support_large_channel` (bits 18/19), "wumbo".
    LargeChannel,
    /// `option_anchors` (bits 22/23): anchor outputs with zero-fee HTLC transactions.
    AnchorsZeroFeeHtlcTx,
    /// `option_route_blinding` (bits 24/25).
    RouteBlinding,
    /// `option_shutdown_anysegwit` (bits 26/27).
    ShutdownAnySegwit,
    /// `option_dual_fund` (bits 28/29).
    DualFund,
    /// `option_quiesce` (bits 34/35).
    Quiesce,
    /// `option_attribution_data` (bits 36/37).
    AttributionData,
    /// `option_onion_messages` (bits 38/39).
    OnionMessages,
    /// `option_provide_storage` (bits 42/43).
    ProvideStorage,
    /// `option_channel_type` (bits 44/45), ASSUMED.
    ChannelType,
    /// `option_scid_alias` (bits 46/47).
    ScidAlias,
    /// `option_payment_metadata` (bits 48/49).
    PaymentMetadata,
    /// `option_zeroconf` (bits 50/51), needs `option_scid_alias`.
    ZeroConf,
    /// `option_simple_close` (bits 60/61), needs `option_shutdown_anysegwit`.
    SimpleClose,
    /// `option_splice` (bits 62/63).
    Splice,
}

/// One row of the BOLT 9 table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeatureInfo {
    /// The feature this row describes.
    pub feature: Feature,
    /// The spec name, e.g. `option_static_remotekey`.
    pub name: &'static str,
    /// The even ("required") bit; the odd ("optional") bit is one above.
    pub even_bit: usize,
    /// The contexts the feature may be set in. For the ASSUMED features (and `gossip_queries`)
    /// the current table lists none; this lists where earlier revisions placed them, since
    /// peers still set them there and BOLT 2 still uses bit 12 in channel types.
    pub contexts: &'static [ContextKind],
    /// The features that must be set (even or odd) whenever this one is.
    pub dependencies: &'static [Feature],
    /// Whether the spec marks the feature ASSUMED: every node supports it.
    pub assumed: bool,
}

impl FeatureInfo {
    /// Whether the feature may be set in a vector of context `kind`.
    pub fn allowed_in(&self, kind: ContextKind) -> bool {
        self.contexts.contains(&kind)
    }
}

use ContextKind::{Bolt11Invoice as B11, ChannelType as T, Init as I, Node as N};

const fn row(
    feature: Feature,
    name: &'static str,
    even_bit: usize,
    contexts: &'static [ContextKind],
    dependencies: &'static [Feature],
    assumed: bool,
) -> FeatureInfo {
    FeatureInfo {
        feature,
        name,
        even_bit,
        contexts,
        dependencies,
        assumed,
    }
}

/// The BOLT 9 table, in the order of [`Feature`] (and of the bits).
pub const KNOWN_FEATURES: [FeatureInfo; 23] = [
    row(
        Feature::DataLossProtect,
        "option_data_loss_protect",
        0,
        &[I, N],
        &[],
        true,
    ),
    row(
        Feature::UpfrontShutdownScript,
        "option_upfront_shutdown_script",
        4,
        &[I, N],
        &[],
        false,
    ),
    row(
        Feature::GossipQueries,
        "gossip_queries",
        6,
        &[I, N],
        &[],
        false,
    ),
    row(
        Feature::VarOnionOptin,
        "var_onion_optin",
        8,
        &[I, N, B11],
        &[],
        true,
    ),
    row(
        Feature::GossipQueriesEx,
        "gossip_queries_ex",
        10,
        &[I, N],
        &[],
        false,
    ),
    row(
        Feature::StaticRemoteKey,
        "option_static_remotekey",
        12,
        &[I, N, T],
        &[],
        true,
    ),
    row(
        Feature::PaymentSecret,
        "payment_secret",
        14,
        &[I, N, B11],
        &[],
        true,
    ),
    row(
        Feature::BasicMpp,
        "basic_mpp",
        16,
        &[I, N, B11],
        &[Feature::PaymentSecret],
        false,
    ),
    row(
        Feature::LargeChannel,
        "option_support_large_channel",
        18,
        &[I, N],
        &[],
        false,
    ),
    row(
        Feature::AnchorsZeroFeeHtlcTx,
        "option_anchors",
        22,
        &[I, N, T],
        &[],
        false,
    ),
    row(
        Feature::RouteBlinding,
        "option_route_blinding",
        24,
        &[I, N, B11],
        &[],
        false,
    ),
    row(
        Feature::ShutdownAnySegwit,
        "option_shutdown_anysegwit",
        26,
        &[I, N],
        &[],
        false,
    ),
    row(
        Feature::DualFund,
        "option_dual_fund",
        28,
        &[I, N],
        &[],
        false,
    ),
    row(Feature::Quiesce, "option_quiesce", 34, &[I, N], &[], false),
    row(
        Feature::AttributionData,
        "option_attribution_data",
        36,
        &[I, N, B11],
        &[],
        false,
    ),
    row(
        Feature::OnionMessages,
        "option_onion_messages",
        38,
        &[I, N],
        &[],
        false,
    ),
    row(
        Feature::ProvideStorage,
        "option_provide_storage",
        42,
        &[I, N],
        &[],
        false,
    ),
    row(
        Feature::ChannelType,
        "option_channel_type",
        44,
        &[I, N],
        &[],
        true,
    ),
    row(
        Feature::ScidAlias,
        "option_scid_alias",
        46,
        &[I, N, T],
        &[],
        false,
    ),
    row(
        Feature::PaymentMetadata,
        "option_payment_metadata",
        48,
        &[B11],
        &[],
        false,
    ),
    row(
        Feature::ZeroConf,
        "option_zeroconf",
        50,
        &[I, N, T],
        &[Feature::ScidAlias],
        false,
    ),
    row(
        Feature::SimpleClose,
        "option_simple_close",
        60,
        &[I, N],
        &[Feature::ShutdownAnySegwit],
        false,
    ),
    row(Feature::Splice, "option_splice", 62, &[I, N], &[], false),
];

impl Feature {
    /// Every known feature, in bit order.
    pub const ALL: [Feature; 23] = {
        let mut all = [Feature::DataLossProtect; 23];
        let mut index = 0;
        while index < KNOWN_FEATURES.len() {
            all[index] = KNOWN_FEATURES[index].feature;
            index += 1;
        }
        all
    };

    /// This feature's row of [`KNOWN_FEATURES`].
    pub fn info(self) -> &'static FeatureInfo {
        // The discriminant indexes the table: both list the features in the same order, which
        // the unit test `table_is_in_enum_order` checks, so the index is in bounds.
        &KNOWN_FEATURES[self as usize]
    }

    /// The spec name, e.g. `option_static_remotekey`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The even ("required") bit.
    pub fn even_bit(self) -> usize {
        self.info().even_bit
    }

    /// The odd ("optional") bit.
    pub fn odd_bit(self) -> usize {
        self.info().even_bit + 1
    }

    /// The known feature that owns `bit` (even or odd), if any.
    pub fn from_bit(bit: usize) -> Option<Feature> {
        let even_bit = bit & !1;
        KNOWN_FEATURES
            .iter()
            .find(|info| info.even_bit == even_bit)
            .map(|info| info.feature)
    }
}

impl core::fmt::Display for Feature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! feature_accessors {
    ($($feature:ident: $supports:ident, $requires:ident, $set_optional:ident, $set_required:ident;)*) => {
        impl<C> Features<C> {
            $(
                #[doc = concat!("Whether [`Feature::", stringify!($feature),
                    "`] is offered (its even or odd bit is set).")]
                pub fn $supports(&self) -> bool {
                    self.supports(Feature::$feature)
                }

                #[doc = concat!("Whether [`Feature::", stringify!($feature),
                    "`] is required (its even bit is set).")]
                pub fn $requires(&self) -> bool {
                    self.requires(Feature::$feature)
                }

                #[doc = concat!("Offers [`Feature::", stringify!($feature),
                    "`] as optional (odd bit set, even bit cleared).")]
                pub fn $set_optional(&mut self) {
                    self.set_optional(Feature::$feature)
                }

                #[doc = concat!("Offers [`Feature::", stringify!($feature),
                    "`] as required (even bit set, odd bit cleared).")]
                pub fn $set_required(&mut self) {
                    self.set_required(Feature::$feature)
                }
            )*
        }
    };
}

feature_accessors! {
    DataLossProtect: supports_data_loss_protect, requires_data_loss_protect,
        set_data_loss_protect_optional, set_data_loss_protect_required;
    UpfrontShutdownScript: supports_upfront_shutdown_script, requires_upfront_shutdown_script,
        set_upfront_shutdown_script_optional, set_upfront_shutdown_script_required;
    GossipQueries: supports_gossip_queries, requires_gossip_queries,
        set_gossip_queries_optional, set_gossip_queries_required;
    VarOnionOptin: supports_var_onion_optin, requires_var_onion_optin,
        set_var_onion_optin_optional, set_var_onion_optin_required;
    GossipQueriesEx: supports_gossip_queries_ex, requires_gossip_queries_ex,
        set_gossip_queries_ex_optional, set_gossip_queries_ex_required;
    StaticRemoteKey: supports_static_remote_key, requires_static_remote_key,
        set_static_remote_key_optional, set_static_remote_key_required;
    PaymentSecret: supports_payment_secret, requires_payment_secret,
        set_payment_secret_optional, set_payment_secret_required;
    BasicMpp: supports_basic_mpp, requires_basic_mpp,
        set_basic_mpp_optional, set_basic_mpp_required;
    LargeChannel: supports_large_channel, requires_large_channel,
        set_large_channel_optional, set_large_channel_required;
    AnchorsZeroFeeHtlcTx: supports_anchors_zero_fee_htlc_tx, requires_anchors_zero_fee_htlc_tx,
        set_anchors_zero_fee_htlc_tx_optional, set_anchors_zero_fee_htlc_tx_required;
    RouteBlinding: supports_route_blinding, requires_route_blinding,
        set_route_blinding_optional, set_route_blinding_required;
    ShutdownAnySegwit: supports_shutdown_anysegwit, requires_shutdown_anysegwit,
        set_shutdown_anysegwit_optional, set_shutdown_anysegwit_required;
    DualFund: supports_dual_fund, requires_dual_fund,
        set_dual_fund_optional, set_dual_fund_required;
    Quiesce: supports_quiesce, requires_quiesce,
        set_quiesce_optional, set_quiesce_required;
    AttributionData: supports_attribution_data, requires_attribution_data,
        set_attribution_data_optional, set_attribution_data_required;
    OnionMessages: supports_onion_messages, requires_onion_messages,
        set_onion_messages_optional, set_onion_messages_required;
    ProvideStorage: supports_provide_storage, requires_provide_storage,
        set_provide_storage_optional, set_provide_storage_required;
    ChannelType: supports_channel_type, requires_channel_type,
        set_channel_type_optional, set_channel_type_required;
    ScidAlias: supports_scid_alias, requires_scid_alias,
        set_scid_alias_optional, set_scid_alias_required;
    PaymentMetadata: supports_payment_metadata, requires_payment_metadata,
        set_payment_metadata_optional, set_payment_metadata_required;
    ZeroConf: supports_zero_conf, requires_zero_conf,
        set_zero_conf_optional, set_zero_conf_required;
    SimpleClose: supports_simple_close, requires_simple_close,
        set_simple_close_optional, set_simple_close_required;
    Splice: supports_splice, requires_splice,
        set_splice_optional, set_splice_required;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_enum_order() {
        for (index, info) in KNOWN_FEATURES.iter().enumerate() {
            assert_eq!(info.feature as usize, index, "{}", info.name);
            assert_eq!(info.even_bit % 2, 0, "{}", info.name);
        }
        for pair in KNOWN_FEATURES.windows(2) {
            assert!(pair[0].even_bit < pair[1].even_bit);
        }
    }
}
