//! The provider of channel signers and of the node's own scripts.

use alloc::boxed::Box;
use bitcoin::ScriptBuf;

use super::channel::ChannelSigner;
use super::reply::SignerReply;

/// The 32-byte label from which a signer derives one channel's keys. The node stores it with
/// the channel and hands it back to re-derive the same signer (after a restart, for example).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelKeysId(pub [u8; 32]);

/// Creates channel signers and provides the scripts the node pays its own funds to.
///
/// Call contract: for a new channel, call [`generate_channel_keys_id`](Self::generate_channel_keys_id)
/// with fresh bytes from the caller's [`EntropySource`](super::EntropySource), store the id,
/// then [`derive_channel_signer`](Self::derive_channel_signer). Later (including after a
/// restart) derive again from the stored id: the same id gives the same keys.
pub trait SignerProvider: Send {
    /// A new channel keys id from 32 random bytes (the caller's entropy) and the user's
    /// channel id. The result must be unpredictable to others; it need not be kept secret.
    fn generate_channel_keys_id(
        &mut self,
        random_bytes: &[u8; 32],
        user_channel_id: u128,
    ) -> ChannelKeysId;

    /// The signer of the channel with this keys id. Deriving never needs the device: a remote
    /// signer's proxy is returned at once and answers [`SignerReply::Pending`] while the device
    /// is away.
    fn derive_channel_signer(&mut self, channel_keys_id: &ChannelKeysId) -> Box<dyn ChannelSigner>;

    /// The script our funds go to when the channel closes on chain: the destination of
    /// sweeps (`to_remote`, delayed `to_local`, HTLC claims, justice).
    fn destination_script(&mut self, channel_keys_id: &ChannelKeysId) -> SignerReply<ScriptBuf>;

    /// The script to put in our `shutdown` message (cooperative close) for this channel.
    fn shutdown_script(&mut self, channel_keys_id: &ChannelKeysId) -> SignerReply<ScriptBuf>;
}
