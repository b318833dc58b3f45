//! What the `ChannelManager` is built with: its plugs and its policy.

use alloc::boxed::Box;
use alloc::vec::Vec;

use lightning_signer_api::traits::{EntropySource, NodeSigner, SignerProvider};

use crate::chain::BestBlock;
use crate::channel::ChannelConfig;
use crate::util::logger::SharedLogger;
use crate::wire::features::{Feature, InitFeatures};
use crate::wire::gossip::AddressDescriptor;
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
    /// What we charge and require to forward an HTLC over any of our channels.
    pub forwarding_policy: ForwardingPolicy,
    /// Whether we accept spontaneous (keysend) payments: a final payload carrying the
    /// preimage (record 5482373484) and no invoice.
    pub accept_keysend: bool,
    /// How many [`timer_tick_occurred`](super::ChannelManager::timer_tick_occurred) calls an
    /// incomplete multi-part payment may wait for its remaining parts before every part is
    /// failed back with `mpp_timeout`.
    pub mpp_timeout_ticks: u32,
    /// How many [`timer_tick_occurred`](super::ChannelManager::timer_tick_occurred) calls a
    /// forward may wait for its next channel to be usable again (its peer disconnected or
    /// reestablishing) before it is failed back with `temporary_channel_failure`.
    pub held_forward_timeout_ticks: u32,
    /// The alias in our `node_announcement`: UTF-8, zero-padded (all zeros: none).
    pub node_alias: [u8; 32],
    /// The color in our `node_announcement` (red, green, blue).
    pub node_rgb_color: [u8; 3],
    /// Where we accept connections, for our `node_announcement` (sorted there in ascending
    /// type order, as BOLT 7 requires; empty: we do not advertise an address).
    pub node_addresses: Vec<AddressDescriptor>,
    /// The `init` features of the other message handlers that share this node's connections
    /// (e.g. a `GossipHandler`'s `gossip_queries`, from its `provided_init_features()`).
    /// Our `node_announcement` lists them beside the manager's own, so that the network
    /// learns everything the node offers (BOLT 7). Empty by default.
    pub other_handler_features: InitFeatures,
}

/// The forwarding policy of our channels (what a `channel_update` announces): the fee and the
/// CLTV delta a payer must leave us to forward an HTLC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForwardingPolicy {
    /// The fixed part of the fee, in millisatoshis.
    pub fee_base_msat: u32,
    /// The proportional part of the fee, in millionths of the forwarded amount.
    pub fee_proportional_millionths: u32,
    /// The least `incoming cltv_expiry - outgoing cltv_expiry` we accept, in blocks.
    pub cltv_expiry_delta: u16,
}

impl ForwardingPolicy {
    /// The fee for forwarding `amount_msat` (`None` on overflow).
    pub fn fee_msat(&self, amount_msat: u64) -> Option<u64> {
        let proportional = u128::from(amount_msat)
            .checked_mul(u128::from(self.fee_proportional_millionths))?
            / 1_000_000;
        u64::try_from(proportional)
            .ok()?
            .checked_add(u64::from(self.fee_base_msat))
    }
}

impl Default for ForwardingPolicy {
    fn default() -> Self {
        ForwardingPolicy {
            fee_base_msat: 1_000,
            fee_proportional_millionths: 100,
            cltv_expiry_delta: 72,
        }
    }
}

impl Default for ManagerConfig {
    fn default() -> Self {
        ManagerConfig {
            channel_config: ChannelConfig::default(),
            manually_accept_inbound_channels: false,
            min_final_cltv_expiry_delta: 18,
            initial_feerate_per_kw: 1_000,
            forwarding_policy: ForwardingPolicy::default(),
            accept_keysend: false,
            mpp_timeout_ticks: 3,
            held_forward_timeout_ticks: 2,
            node_alias: [0; 32],
            node_rgb_color: [0; 3],
            node_addresses: Vec::new(),
            other_handler_features: InitFeatures::empty(),
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
    // BOLT 9 now assumes option_data_loss_protect, but peers (LDK 0.2 among them) still
    // require bit 0 and disconnect when it is absent; our channel_reestablish carries its
    // fields and acts on them, so we advertise it.
    features.set_optional(Feature::DataLossProtect);
    features.set_required(Feature::VarOnionOptin);
    features.set_required(Feature::StaticRemoteKey);
    features.set_required(Feature::PaymentSecret);
    features.set_required(Feature::ChannelType);
    features.set_optional(Feature::AnchorsZeroFeeHtlcTx);
    // Multi-part payments are received and sent (manager::mpp).
    features.set_optional(Feature::BasicMpp);
    features
}
