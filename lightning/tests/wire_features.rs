//! BOLT 9 feature vectors through the public API: wire forms, the feature table, validation,
//! the peer `init` check and channel types.

use lightning::wire::features::{
    check_peer_init_features, BasicChannelType, Bolt11InvoiceFeatures, ChannelFeatures,
    ChannelTypeError, ChannelTypeFeatures, ContextKind, Feature, FeatureError, Features,
    InitContext, InitFeatures, NodeFeatures, PeerFeatureError, KNOWN_FEATURES,
};
use proptest::prelude::*;

fn init_with(bits: &[usize]) -> InitFeatures {
    let mut features = InitFeatures::empty();
    for bit in bits {
        features.set_bit(*bit);
    }
    features
}

#[test]
fn wire_bytes_are_big_endian_minimal_when_built_and_kept_when_read() {
    let mut features = InitFeatures::empty();
    features.set_bit(0);
    features.set_bit(9);
    features.set_bit(17);
    assert_eq!(features.to_wire_bytes(), vec![0x02, 0x02, 0x01]);
    assert_eq!(InitFeatures::from_wire_bytes(&[0x02, 0x02, 0x01]), features);
    // Read from the wire, padding is kept (signed gossip must re-encode to the signed bytes).
    let padded = InitFeatures::from_wire_bytes(&[0, 0, 0x02, 0x02, 0x01]);
    assert_eq!(padded.to_wire_bytes(), vec![0, 0, 0x02, 0x02, 0x01]);
    assert_eq!(padded, features);
    features.clear_bit(17);
    assert_eq!(features.to_wire_bytes(), vec![0x02, 0x01]);
    assert!(InitFeatures::from_wire_bytes(&[0, 0]).is_empty());
    assert_eq!(InitFeatures::empty().to_wire_bytes(), Vec::<u8>::new());
}

#[test]
fn table_matches_bolt9_bits() {
    let expected = [
        (Feature::DataLossProtect, 0, "option_data_loss_protect"),
        (
            Feature::UpfrontShutdownScript,
            4,
            "option_upfront_shutdown_script",
        ),
        (Feature::GossipQueries, 6, "gossip_queries"),
        (Feature::VarOnionOptin, 8, "var_onion_optin"),
        (Feature::GossipQueriesEx, 10, "gossip_queries_ex"),
        (Feature::StaticRemoteKey, 12, "option_static_remotekey"),
        (Feature::PaymentSecret, 14, "payment_secret"),
        (Feature::BasicMpp, 16, "basic_mpp"),
        (Feature::LargeChannel, 18, "option_support_large_channel"),
        (Feature::AnchorsZeroFeeHtlcTx, 22, "option_anchors"),
        (Feature::RouteBlinding, 24, "option_route_blinding"),
        (Feature::ShutdownAnySegwit, 26, "option_shutdown_anysegwit"),
        (Feature::DualFund, 28, "option_dual_fund"),
        (Feature::Quiesce, 34, "option_quiesce"),
        (Feature::AttributionData, 36, "option_attribution_data"),
        (Feature::OnionMessages, 38, "option_onion_messages"),
        (Feature::ProvideStorage, 42, "option_provide_storage"),
        (Feature::ChannelType, 44, "option_channel_type"),
        (Feature::ScidAlias, 46, "option_scid_alias"),
        (Feature::PaymentMetadata, 48, "option_payment_metadata"),
        (Feature::ZeroConf, 50, "option_zeroconf"),
        (Feature::SimpleClose, 60, "option_simple_close"),
        (Feature::Splice, 62, "option_splice"),
    ];
    assert_eq!(KNOWN_FEATURES.len(), expected.len());
    for (feature, even_bit, name) in expected {
        assert_eq!(feature.even_bit(), even_bit, "{name}");
        assert_eq!(feature.odd_bit(), even_bit + 1, "{name}");
        assert_eq!(feature.name(), name);
        assert_eq!(Feature::from_bit(even_bit), Some(feature));
        assert_eq!(Feature::from_bit(even_bit + 1), Some(feature));
    }
    for unknown in [2, 3, 20, 21, 30, 31, 40, 41, 52, 64, 255] {
        assert_eq!(Feature::from_bit(unknown), None, "bit {unknown}");
    }
    assert_eq!(
        Feature::BasicMpp.info().dependencies,
        &[Feature::PaymentSecret]
    );
    assert_eq!(Feature::ZeroConf.info().dependencies, &[Feature::ScidAlias]);
    assert_eq!(
        Feature::SimpleClose.info().dependencies,
        &[Feature::ShutdownAnySegwit]
    );
    assert!(Feature::VarOnionOptin.info().assumed);
    assert!(!Feature::BasicMpp.info().assumed);
    assert!(Feature::PaymentMetadata
        .info()
        .allowed_in(ContextKind::Bolt11Invoice));
    assert!(!Feature::PaymentMetadata
        .info()
        .allowed_in(ContextKind::Init));
}

#[test]
fn typed_accessors_set_the_right_bits() {
    let mut features = InitFeatures::empty();
    features.set_static_remote_key_required();
    assert!(features.is_bit_set(12) && !features.is_bit_set(13));
    assert!(features.supports_static_remote_key() && features.requires_static_remote_key());
    features.set_static_remote_key_optional();
    assert!(!features.is_bit_set(12) && features.is_bit_set(13));
    assert!(features.supports_static_remote_key() && !features.requires_static_remote_key());

    features.set_anchors_zero_fee_htlc_tx_optional();
    features.set_large_channel_optional();
    features.set_gossip_queries_ex_required();
    features.set_zero_conf_optional();
    assert!(features.is_bit_set(23) && features.is_bit_set(19) && features.is_bit_set(10));
    assert!(features.supports_zero_conf() && !features.supports_scid_alias());
    assert!(!features.supports_basic_mpp() && !features.requires_basic_mpp());
    features.clear(Feature::ZeroConf);
    assert!(!features.supports_zero_conf());
    assert_eq!(
        features.set_bits().collect::<Vec<_>>(),
        vec![10, 13, 19, 23]
    );
}

#[test]
fn union_sets_the_bits_of_either_side() {
    let first = init_with(&[13, 17]);
    let second = init_with(&[7, 13, 203]);
    let union = first.clone().union(&second);
    assert_eq!(union.set_bits().collect::<Vec<_>>(), vec![7, 13, 17, 203]);
    assert_eq!(union, second.union(&first), "the order does not matter");
    assert_eq!(
        init_with(&[9]).union(&InitFeatures::empty()),
        init_with(&[9])
    );
}

#[test]
fn both_bits_set_counts_as_required() {
    let features = init_with(&[16, 17, 15]);
    assert!(features.requires_basic_mpp() && features.supports_basic_mpp());
}

#[test]
fn validate_catches_missing_dependencies() {
    let mut features = InitFeatures::empty();
    features.set_zero_conf_optional();
    assert_eq!(
        features.validate(),
        Err(FeatureError::MissingDependency {
            feature: Feature::ZeroConf,
            dependency: Feature::ScidAlias
        })
    );
    features.set_scid_alias_optional();
    assert_eq!(features.validate(), Ok(()));

    let mut node = NodeFeatures::empty();
    node.set_simple_close_required();
    assert!(matches!(
        node.validate(),
        Err(FeatureError::MissingDependency {
            dependency: Feature::ShutdownAnySegwit,
            ..
        })
    ));
    node.set_shutdown_anysegwit_optional();
    assert_eq!(node.validate(), Ok(()));

    // basic_mpp depends on payment_secret, which the spec marks ASSUMED.
    let mut invoice = Bolt11InvoiceFeatures::empty();
    invoice.set_basic_mpp_optional();
    assert_eq!(invoice.validate(), Ok(()));
}

#[test]
fn validate_catches_features_in_the_wrong_context() {
    let mut init = InitFeatures::empty();
    init.set_payment_metadata_optional();
    assert_eq!(
        init.validate(),
        Err(FeatureError::NotAllowedInContext {
            feature: Feature::PaymentMetadata,
            bit: 49,
            context: ContextKind::Init
        })
    );
    let mut invoice = Bolt11InvoiceFeatures::empty();
    invoice.set_large_channel_optional();
    assert!(matches!(
        invoice.validate(),
        Err(FeatureError::NotAllowedInContext { bit: 19, .. })
    ));
    let mut channel = ChannelFeatures::empty();
    channel.set_basic_mpp_optional();
    assert!(channel.validate().is_err());
    // Unknown bits are not validate's business.
    let mut unknown = InitFeatures::empty();
    unknown.set_bit(101);
    unknown.set_bit(100);
    assert_eq!(unknown.validate(), Ok(()));
    assert_eq!(unknown.unknown_bits().collect::<Vec<_>>(), vec![100, 101]);
    let error = init.validate().unwrap_err();
    assert!(error.to_string().contains("option_payment_metadata"));
}

#[test]
fn init_converts_to_node_and_invoice_features() {
    let mut init = InitFeatures::empty();
    init.set_var_onion_optin_required();
    init.set_payment_secret_required();
    init.set_basic_mpp_optional();
    init.set_large_channel_optional();
    init.set_bit(201); // unknown: dropped
    let node = init.to_node_features();
    assert_eq!(node.set_bits().collect::<Vec<_>>(), vec![8, 14, 17, 19]);
    assert_eq!(node.validate(), Ok(()));
    let invoice = init.to_bolt11_invoice_features();
    assert_eq!(invoice.set_bits().collect::<Vec<_>>(), vec![8, 14, 17]);
    let channel: ChannelFeatures = init.to_context();
    assert!(channel.is_empty());
}

#[test]
fn global_and_local_features_are_ored() {
    let combined = InitFeatures::from_global_and_local(&[0x22], &[0x01, 0x00, 0x82]);
    assert_eq!(combined.to_wire_bytes(), vec![0x01, 0x00, 0xa2]);
    let swapped = InitFeatures::from_global_and_local(&[0x01, 0x00, 0x82], &[0x22]);
    assert_eq!(swapped, combined);
    assert!(InitFeatures::from_global_and_local(&[], &[0, 0]).is_empty());
    assert_eq!(
        InitFeatures::from_global_and_local(&[0x02], &[])
            .set_bits()
            .collect::<Vec<_>>(),
        vec![1]
    );
}

fn our_init_features() -> InitFeatures {
    let mut ours = InitFeatures::empty();
    ours.set_data_loss_protect_required();
    ours.set_var_onion_optin_required();
    ours.set_static_remote_key_required();
    ours.set_payment_secret_required();
    ours.set_basic_mpp_optional();
    ours.set_gossip_queries_optional();
    ours.set_anchors_zero_fee_htlc_tx_optional();
    ours.set_scid_alias_optional();
    ours.set_zero_conf_optional();
    ours
}

#[test]
fn peer_check_ignores_unknown_odd_bits_and_rejects_unknown_even_bits() {
    let ours = our_init_features();
    assert_eq!(
        check_peer_init_features(&ours, &init_with(&[1, 9, 13, 75, 201])),
        Ok(())
    );
    assert_eq!(
        check_peer_init_features(&ours, &init_with(&[9, 200])),
        Err(PeerFeatureError::UnknownRequiredBit { bit: 200 })
    );
    assert_eq!(
        check_peer_init_features(&ours, &init_with(&[2])),
        Err(PeerFeatureError::UnknownRequiredBit { bit: 2 })
    );
    let error = check_peer_init_features(&ours, &init_with(&[74])).unwrap_err();
    assert_eq!(error.bit(), 74);
    assert!(error.to_string().contains("74"));
}

#[test]
fn peer_check_rejects_required_features_we_do_not_offer() {
    let ours = our_init_features();
    // We offer anchors (odd), so the peer may require it.
    assert_eq!(check_peer_init_features(&ours, &init_with(&[22])), Ok(()));
    // We do not offer large channels: the peer may offer but not require them.
    assert_eq!(check_peer_init_features(&ours, &init_with(&[19])), Ok(()));
    assert_eq!(
        check_peer_init_features(&ours, &init_with(&[18])),
        Err(PeerFeatureError::UnsupportedRequiredFeature {
            feature: Feature::LargeChannel,
            bit: 18
        })
    );
    // ASSUMED features count as supported even when we do not set them.
    assert_eq!(
        check_peer_init_features(&InitFeatures::empty(), &init_with(&[44])),
        Ok(())
    );
}

#[test]
fn peer_check_rejects_missing_dependencies() {
    let ours = our_init_features();
    assert_eq!(
        check_peer_init_features(&ours, &init_with(&[51])),
        Err(PeerFeatureError::MissingDependency {
            feature: Feature::ZeroConf,
            dependency: Feature::ScidAlias
        })
    );
    assert_eq!(
        check_peer_init_features(&ours, &init_with(&[47, 51])),
        Ok(())
    );
    assert_eq!(
        check_peer_init_features(&ours, &init_with(&[51]))
            .unwrap_err()
            .bit(),
        46
    );
}

#[test]
fn negotiation_follows_bolt1() {
    let ours = our_init_features();
    let theirs = init_with(&[23, 47]);
    assert!(ours.negotiated_with(&theirs, Feature::AnchorsZeroFeeHtlcTx));
    assert!(ours.negotiated_with(&theirs, Feature::ScidAlias));
    assert!(!ours.negotiated_with(&theirs, Feature::ZeroConf));
    assert!(!ours.negotiated_with(&theirs, Feature::GossipQueries));
    // Required on our side counts as negotiated: the peer would have disconnected otherwise.
    assert!(ours.negotiated_with(&InitFeatures::empty(), Feature::DataLossProtect));
    assert!(ours.negotiated_with(&InitFeatures::empty(), Feature::StaticRemoteKey));
}

#[test]
fn channel_type_constructors() {
    let static_remote_key = ChannelTypeFeatures::static_remote_key();
    assert_eq!(static_remote_key.to_wire_bytes(), vec![0x10, 0x00]);
    assert_eq!(
        static_remote_key.basic_channel_type(),
        Ok(BasicChannelType::StaticRemoteKey)
    );

    let anchors = ChannelTypeFeatures::anchors_zero_fee_htlc_tx();
    assert_eq!(anchors.to_wire_bytes(), vec![0x40, 0x10, 0x00]);
    assert_eq!(
        anchors.basic_channel_type(),
        Ok(BasicChannelType::AnchorsZeroFeeHtlcTx)
    );

    let variant = ChannelTypeFeatures::anchors_zero_fee_htlc_tx()
        .with_scid_alias()
        .with_zero_conf();
    assert_eq!(variant.set_bits().collect::<Vec<_>>(), vec![12, 22, 46, 50]);
    assert_eq!(
        variant.basic_channel_type(),
        Ok(BasicChannelType::AnchorsZeroFeeHtlcTx)
    );
    assert_eq!(variant.validate(), Ok(()));
    // zero_conf without scid_alias is a defined type: dependencies do not apply to types.
    let zero_conf = ChannelTypeFeatures::static_remote_key().with_zero_conf();
    assert_eq!(zero_conf.validate(), Ok(()));
    assert_eq!(
        zero_conf.basic_channel_type(),
        Ok(BasicChannelType::StaticRemoteKey)
    );
}

#[test]
fn undefined_channel_types_are_rejected() {
    assert_eq!(
        ChannelTypeFeatures::empty().basic_channel_type(),
        Err(ChannelTypeError::NoBasicType)
    );
    let anchors_alone = ChannelTypeFeatures::from_wire_bytes(&[0x40, 0x00, 0x00]);
    assert_eq!(
        anchors_alone.basic_channel_type(),
        Err(ChannelTypeError::NoBasicType)
    );
    let odd = ChannelTypeFeatures::from_wire_bytes(&[0x20, 0x00]);
    assert_eq!(
        odd.basic_channel_type(),
        Err(ChannelTypeError::UndefinedBit { bit: 13 })
    );
    let mut mpp = ChannelTypeFeatures::static_remote_key();
    mpp.set_bit(16);
    assert_eq!(
        mpp.basic_channel_type(),
        Err(ChannelTypeError::UndefinedBit { bit: 16 })
    );
    assert!(mpp.validate().is_err());
}

#[test]
fn channel_type_support_needs_negotiated_features() {
    let ours = our_init_features();
    let with_anchors = init_with(&[13, 23]);
    let without_anchors = init_with(&[13]);
    let anchors = ChannelTypeFeatures::anchors_zero_fee_htlc_tx();
    assert_eq!(
        anchors.check_supported(&ours, &with_anchors),
        Ok(BasicChannelType::AnchorsZeroFeeHtlcTx)
    );
    assert_eq!(
        anchors.check_supported(&ours, &without_anchors),
        Err(ChannelTypeError::NotNegotiated {
            feature: Feature::AnchorsZeroFeeHtlcTx
        })
    );
    let zero_conf = ChannelTypeFeatures::static_remote_key().with_zero_conf();
    assert!(zero_conf.check_supported(&ours, &with_anchors).is_err());
    assert_eq!(
        zero_conf.check_supported(&ours, &init_with(&[47, 51])),
        Ok(BasicChannelType::StaticRemoteKey)
    );
    assert_eq!(
        ChannelTypeFeatures::default_for(&ours, &with_anchors),
        anchors
    );
    assert_eq!(
        ChannelTypeFeatures::default_for(&ours, &without_anchors),
        ChannelTypeFeatures::static_remote_key()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn wire_round_trip(bits in proptest::collection::vec(0usize..512, 0..24)) {
        let mut features = Features::<InitContext>::empty();
        for bit in &bits {
            features.set_bit(*bit);
        }
        let wire = features.to_wire_bytes();
        prop_assert_eq!(InitFeatures::from_wire_bytes(&wire), features.clone());
        prop_assert!(wire.first() != Some(&0));
        for bit in &bits {
            prop_assert!(features.is_bit_set(*bit));
        }
    }

    #[test]
    fn leading_zero_bytes_compare_equal_and_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..40), zeros in 0usize..8) {
        let mut padded = vec![0u8; zeros];
        padded.extend_from_slice(&bytes);
        let from_padded = InitFeatures::from_wire_bytes(&padded);
        prop_assert_eq!(&from_padded, &InitFeatures::from_wire_bytes(&bytes));
        prop_assert_eq!(from_padded.to_wire_bytes(), padded);
        // Rebuilt bit by bit, the vector is minimal again.
        let mut rebuilt = InitFeatures::empty();
        for bit in from_padded.set_bits() {
            rebuilt.set_bit(bit);
        }
        let first_nonzero = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        prop_assert_eq!(rebuilt.to_wire_bytes(), bytes[first_nonzero..].to_vec());
        prop_assert_eq!(rebuilt, from_padded);
    }

    #[test]
    fn peer_check_never_panics(ours in proptest::collection::vec(any::<u8>(), 0..16), theirs in proptest::collection::vec(any::<u8>(), 0..16)) {
        let ours = InitFeatures::from_wire_bytes(&ours);
        let theirs = InitFeatures::from_wire_bytes(&theirs);
        if let Err(error) = check_peer_init_features(&ours, &theirs) {
            prop_assert!(!error.to_string().is_empty());
        }
        let _ = theirs.validate();
        let _ = ChannelTypeFeatures::from_wire_bytes(&theirs.to_wire_bytes()).basic_channel_type();
    }
}
