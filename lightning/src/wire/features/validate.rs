//! Checking feature vectors against the BOLT 9 table, and the BOLT 1 rules for a peer's `init`.

use super::{ContextKind, Feature, FeatureContext, Features, InitFeatures};

/// Why a feature vector breaks the BOLT 9 rules ([`Features::validate`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureError {
    /// `feature` is set but `dependency`, which it needs, is not.
    MissingDependency {
        /// The feature that is set.
        feature: Feature,
        /// The feature it depends on, which is missing.
        dependency: Feature,
    },
    /// `feature` is set (through `bit`) in a context the table does not list for it.
    NotAllowedInContext {
        /// The misplaced feature.
        feature: Feature,
        /// The bit that is set (even or odd).
        bit: usize,
        /// The context of the vector.
        context: ContextKind,
    },
}

impl core::fmt::Display for FeatureError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FeatureError::MissingDependency {
                feature,
                dependency,
            } => write!(
                f,
                "feature {feature} is set without its dependency {dependency}"
            ),
            FeatureError::NotAllowedInContext {
                feature,
                bit,
                context,
            } => write!(
                f,
                "feature {feature} (bit {bit}) is not allowed in the {context:?} context"
            ),
        }
    }
}

impl core::error::Error for FeatureError {}

/// Why we must close a connection after the peer's `init` ([`check_peer_init_features`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerFeatureError {
    /// The peer set an even (required) bit that belongs to no feature we know.
    UnknownRequiredBit {
        /// The even bit.
        bit: usize,
    },
    /// The peer requires a known feature that we do not offer.
    UnsupportedRequiredFeature {
        /// The feature the peer requires.
        feature: Feature,
        /// Its even bit.
        bit: usize,
    },
    /// The peer set a feature without one of its dependencies.
    MissingDependency {
        /// The feature the peer set.
        feature: Feature,
        /// The dependency it left out.
        dependency: Feature,
    },
}

impl PeerFeatureError {
    /// The bit the error names: the even bit the peer required, or the even bit of the
    /// dependency it left out.
    pub fn bit(&self) -> usize {
        match self {
            PeerFeatureError::UnknownRequiredBit { bit } => *bit,
            PeerFeatureError::UnsupportedRequiredFeature { bit, .. } => *bit,
            PeerFeatureError::MissingDependency { dependency, .. } => dependency.even_bit(),
        }
    }
}

impl core::fmt::Display for PeerFeatureError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PeerFeatureError::UnknownRequiredBit { bit } => {
                write!(f, "peer requires unknown feature bit {bit}")
            }
            PeerFeatureError::UnsupportedRequiredFeature { feature, bit } => {
                write!(
                    f,
                    "peer requires feature {feature} (bit {bit}) which we do not support"
                )
            }
            PeerFeatureError::MissingDependency {
                feature,
                dependency,
            } => write!(
                f,
                "peer set feature {feature} without its dependency {dependency}"
            ),
        }
    }
}

impl core::error::Error for PeerFeatureError {}

/// Whether `dependency` counts as set in `features`: it is, or the spec assumes it.
fn dependency_met<C>(features: &Features<C>, dependency: Feature) -> bool {
    dependency.info().assumed || features.supports(dependency)
}

/// The first known feature set in `features` that lacks a dependency, if any.
fn first_missing_dependency<C>(features: &Features<C>) -> Option<(Feature, Feature)> {
    Feature::ALL
        .iter()
        .filter(|feature| features.supports(**feature))
        .find_map(|feature| {
            feature
                .info()
                .dependencies
                .iter()
                .find(|dependency| !dependency_met(features, **dependency))
                .map(|dependency| (*feature, *dependency))
        })
}

impl<C: FeatureContext> Features<C> {
    /// Checks the vector against the BOLT 9 table:
    /// - every known feature set must be allowed in this context;
    /// - every known feature set must have its dependencies set (an ASSUMED dependency counts
    ///   as set). Channel types are an enumeration, not free combinations, so this rule is not
    ///   applied to them: use
    ///   [`ChannelTypeFeatures::basic_channel_type`](super::ChannelTypeFeatures::basic_channel_type)
    ///   there instead.
    ///
    /// Unknown bits are not errors here; what to do with them depends on the message (see
    /// [`check_peer_init_features`]).
    pub fn validate(&self) -> Result<(), FeatureError> {
        for bit in self.set_bits() {
            if let Some(feature) = Feature::from_bit(bit) {
                if !feature.info().allowed_in(C::KIND) {
                    return Err(FeatureError::NotAllowedInContext {
                        feature,
                        bit,
                        context: C::KIND,
                    });
                }
            }
        }
        if C::KIND != ContextKind::ChannelType {
            if let Some((feature, dependency)) = first_missing_dependency(self) {
                return Err(FeatureError::MissingDependency {
                    feature,
                    dependency,
                });
            }
        }
        Ok(())
    }
}

/// Decides whether to keep a connection after receiving the peer's `init` (BOLT 1 and 9).
///
/// `ours` is what we sent; `theirs` is the peer's logical vector (combine `globalfeatures` and
/// `features` first with [`InitFeatures::from_global_and_local`]). Unknown odd bits are
/// ignored. It fails, naming the bit, if the peer requires a bit we do not know, requires a
/// known feature we do not offer (ASSUMED features count as offered), or leaves out a
/// dependency of a feature it sets. On an error the caller closes the connection.
pub fn check_peer_init_features(
    ours: &InitFeatures,
    theirs: &InitFeatures,
) -> Result<(), PeerFeatureError> {
    for bit in theirs.set_bits().filter(|bit| bit % 2 == 0) {
        match Feature::from_bit(bit) {
            None => return Err(PeerFeatureError::UnknownRequiredBit { bit }),
            Some(feature) => {
                if !feature.info().assumed && !ours.supports(feature) {
                    return Err(PeerFeatureError::UnsupportedRequiredFeature { feature, bit });
                }
            }
        }
    }
    if let Some((feature, dependency)) = first_missing_dependency(theirs) {
        return Err(PeerFeatureError::MissingDependency {
            feature,
            dependency,
        });
    }
    Ok(())
}
