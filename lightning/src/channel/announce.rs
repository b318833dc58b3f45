//! What the channel contributes to its BOLT 7 announcement: whether it is public, its
//! funding keys, the funding key's signature of the `channel_announcement`, the HTLC limits
//! its `channel_update` advertises, and the `announcement_signatures` queued in order after
//! `channel_ready`.
//!
//! The owner (the channel manager) decides when: it knows the funding depth, the node key
//! and the time.

use bitcoin::secp256k1::ecdsa::Signature;
use bitcoin::secp256k1::PublicKey;

use crate::channel::state::ChannelState;
use crate::channel::{signer_result, Channel, ChannelError};
use crate::wire::Message;

impl Channel {
    /// Whether the channel is to be announced: `announce_channel` was set in the
    /// `open_channel` (by us as funder, or by the peer when it opened the channel).
    pub fn is_public(&self) -> bool {
        self.config.announce_channel
    }

    /// Whether both `channel_ready` are exchanged and no `shutdown` was sent or received:
    /// the state in which BOLT 7 lets a public channel send `announcement_signatures`.
    pub fn is_announceable_state(&self) -> bool {
        matches!(self.state, ChannelState::Normal)
    }

    /// Our funding public key (`bitcoin_key` of our side of the announcement).
    pub fn holder_funding_pubkey(&self) -> PublicKey {
        self.holder_keys.funding_pubkey
    }

    /// The peer's funding public key, once its `open_channel`/`accept_channel` is in.
    pub fn counterparty_funding_pubkey(&self) -> Option<PublicKey> {
        self.counterparty_keys
            .as_ref()
            .map(|keys| keys.funding_pubkey)
    }

    /// Signs the `channel_announcement` whose signed bytes (from `features` on) are
    /// `signed_bytes` with our funding key. `Ok(None)` when the signer answered `Pending`
    /// (ask again after `signer_ready`) or the channel is not funded yet.
    pub fn sign_channel_announcement(
        &mut self,
        signed_bytes: &[u8],
    ) -> Result<Option<Signature>, ChannelError> {
        let Some(setup) = self.setup.as_ref() else {
            return Ok(None);
        };
        signer_result(self.signer.sign_channel_announcement(setup, signed_bytes))
    }

    /// The HTLC range our `channel_update` advertises for forwarding over this channel: the
    /// smallest HTLC the peer accepts, and the most the peer lets be in flight (at most the
    /// channel's value).
    pub fn forwarding_htlc_range_msat(&self) -> (u64, u64) {
        let capacity_msat = self.funding_satoshis.saturating_mul(1_000);
        let maximum = self
            .counterparty
            .max_htlc_value_in_flight_msat
            .min(capacity_msat);
        let minimum = self.counterparty.htlc_minimum_msat.max(1).min(maximum);
        (minimum, maximum)
    }

    /// Queues a message about the channel's announcement (`announcement_signatures`, or a
    /// `channel_update` for the peer only) behind the messages already queued and the
    /// monitor updates they wait for, so it never overtakes our `channel_ready`.
    pub fn queue_announcement_message(&mut self, message: Message) {
        self.queues.push_message_after_updates(message);
    }

    /// Records what the peer's `open_channel` said about announcing (its `channel_flags`
    /// bit 0), for a channel we accepted.
    pub(crate) fn set_public(&mut self, public: bool) {
        self.config.announce_channel = public;
    }
}
