//! What the `ChannelManager` is built with: its plugs and its policy.

use alloc::boxed::Box;

use lightning_signer_api::traits::{EntropySource, NodeSigner, SignerProvider};

use crate::chain::BestBlock;
use crate::channel::ChannelConfig;
use crate::util::logger::SharedLogger;
use crate::wire::features::{Feature, InitFeatures};
use crate::wire::ChainHash;

/// The manager's policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagerConfig {
    /// The parameters we announce and the limits we put on peers, for every channel (an
    /// `open_channel` call may override it for one channel).
    pub channel_config: ChannelConfig,
    /// When set, inbound channels wait for `accept_inbound_channel` after an
    /// `OpenChannelRequest` event; otherwise they are accepted at once (after the checks).
    pub manually_accept_inbound_channels: bool,
    /// The smallest `cltv_expiry - current height` we accept on a payment to us (the
    /// `min_final_cltv_expiry_delta` to put in our invoices).
    pub min_final_cltv_expiry_delta: u32,
    /// The commitment feerate of new channels we open, until `update_fee` sets another.
    pub initial_feerate_per_kw: u32,
}

impl Default for ManagerConfig {
    fn default() -> Self {
        ManagerConfig {
            channel_config: ChannelConfig::default(),
            manually_accept_inbound_channels: false,
            min_final_cltv_expiry_delta: 18,
            initial_feerate_per_kw: 1_000,
        }
    }
}

/// Everything `ChannelManager::new` needs.
pub struct ManagerParams {
    /// The chain our channels live on.
    pub chain_hash: ChainHash,
    /// The policy.
    pub config: ManagerConfig,
    /// The node key: node id, ECDH for onions.
    pub node_signer: Box<dyn NodeSigner>,
    /// The channel signers and our scripts.
    pub signer_provider: Box<dyn SignerProvider>,
    /// The only randomness the manager uses (temporary ids, key ids, onion session keys,
    /// payment nonces).
    pub entropy: Box<dyn EntropySource>,
    /// Where to log.
    pub logger: SharedLogger,
    /// The chain tip the manager starts from.
    pub best_block: BestBlock,
    /// The key material of the stateless inbound payment scheme. `None` draws it from
    /// `entropy`; a node that restarts must pass the same bytes again (they will be persisted
    /// with the manager once persistence lands) or payments created before cannot be claimed.
    pub inbound_payment_key_material: Option<[u8; 32]>,
}

/// The `init` features the manager needs from a connection: `var_onion_optin`,
/// `option_static_remotekey`, `payment_secret` and `option_channel_type` required,
/// `option_anchors` optional. The `PeerManager` sends them in `init`.
pub fn our_init_features() -> InitFeatures {
    let mut features = InitFeatures::empty();
    features.set_required(Feature::VarOnionOptin);
    features.set_required(Feature::StaticRemoteKey);
    features.set_required(Feature::PaymentSecret);
    features.set_required(Feature::ChannelType);
    features.set_optional(Feature::AnchorsZeroFeeHtlcTx);
    features
}
