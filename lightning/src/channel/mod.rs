//! One channel's BOLT 2 state machine, split by phase.
//!
//! - [`config`]: what we announce ([`ChannelConfig`]) and accept ([`ChannelHandshakeLimits`]).
//! - `open`: `open_channel`/`accept_channel` with every BOLT 2 parameter check, funding
//!   (`funding_created`/`funding_signed`) and `channel_ready`.
//! - `commitment`: the update log (HTLC add/fulfill/fail, `update_fee`) and the
//!   `commitment_signed`/`revoke_and_ack` dance.
//! - `close`: `shutdown`, `closing_signed` fee negotiation and force close.
//! - `reestablish`: disconnects and `channel_reestablish` (BOLT 2 "Message Retransmission").
//! - `announce`: what the channel gives its BOLT 7 announcement (public flag, funding keys
//!   and signature, advertised HTLC range); the manager drives `announcement_signatures`.
//! - `serialize`: the channel's versioned TLV encoding, to survive a restart.
//!
//! # Call contract of [`Channel`]
//!
//! Input is method calls, output is data in three queues the owner drains after every call:
//! [`poll_message`](Channel::poll_message) (messages for the peer, in order),
//! [`poll_monitor_update`](Channel::poll_monitor_update) (persist each, then call
//! [`monitor_update_completed`](Channel::monitor_update_completed)) and
//! [`poll_event`](Channel::poll_event). A monitor update is emitted before any message or event
//! that depends on it; those wait in the queue until every update up to it is complete, so
//! the owner may persist asynchronously and complete updates in any order.
//!
//! 1. Funder: [`Channel::new_outbound`] (queues `open_channel`), then
//!    [`handle_accept_channel`](Channel::handle_accept_channel) (event
//!    [`ChannelEvent::FundingGenerationReady`]), then
//!    [`funding_transaction_generated`](Channel::funding_transaction_generated) (queues
//!    `funding_created`), then [`handle_funding_signed`](Channel::handle_funding_signed)
//!    (monitor update 0, events `BroadcastFunding` and `Pending`).
//!    Fundee: [`Channel::new_inbound`] (queues `accept_channel`), then
//!    [`handle_funding_created`](Channel::handle_funding_created) (monitor update 0, queues
//!    `funding_signed`, event `Pending`).
//! 2. Both: [`funding_depth`](Channel::funding_depth) as the funding confirms (queues
//!    `channel_ready` at the minimum depth) and
//!    [`handle_channel_ready`](Channel::handle_channel_ready): event `Ready` once both are in.
//! 3. Normal operation: commands [`send_htlc`](Channel::send_htlc),
//!    [`fulfill_htlc`](Channel::fulfill_htlc), [`fail_htlc`](Channel::fail_htlc),
//!    [`fail_malformed_htlc`](Channel::fail_malformed_htlc), [`update_fee`](Channel::update_fee),
//!    then [`maybe_send_commitment`](Channel::maybe_send_commitment) to sign them; the peer's
//!    messages go to the `handle_*` methods. Receiving `commitment_signed` queues our
//!    `revoke_and_ack` and, if needed, our own `commitment_signed`; receiving
//!    `revoke_and_ack` signs what waited for it.
//! 4. Close: [`close`](Channel::close) / [`handle_shutdown`](Channel::handle_shutdown), then
//!    [`handle_closing_signed`](Channel::handle_closing_signed) until event `Closed` carries the
//!    closing transaction; or [`force_close`](Channel::force_close) at any time after funding.
//!
//! 5. Connection: [`peer_disconnected`](Channel::peer_disconnected) when the connection
//!    drops (the peer's uncommitted updates are forgotten, nothing is sent until the
//!    reestablish), [`peer_connected`](Channel::peer_connected) when it is back (queues
//!    `channel_reestablish`), then
//!    [`handle_channel_reestablish`](Channel::handle_channel_reestablish) with the peer's:
//!    it queues exactly what the peer missed. A channel restored by
//!    [`Channel::decode`] starts disconnected.
//!
//! A signer answering `Pending` pauses the step that asked; call
//! [`signer_ready`](Channel::signer_ready) when it is ready and the step resumes.
//! Every error is a [`ChannelError`] saying what the owner must do.

mod announce;
mod close;
mod commitment;
pub mod config;
pub mod error;
pub mod events;
mod open;
mod queues;
mod reestablish;
pub(crate) mod serialize;
mod state;

use alloc::boxed::Box;

use bitcoin::secp256k1::{All, PublicKey, Secp256k1};
use bitcoin::{OutPoint, ScriptBuf, Transaction};
use lightning_signer_api::keys::ChannelPublicKeys;
use lightning_signer_api::traits::{ChannelSetup, ChannelSigner, Refusal, SignerReply};
use lightning_signer_api::tx::ChannelType;

pub use config::{ChannelConfig, ChannelHandshakeLimits};
pub use error::{ApiError, ChannelError, CloseReason, ParameterError, WarnReason};
pub use events::{ChannelBalances, ChannelEvent, ChannelPhase, HtlcFailReason};
pub use serialize::{ChannelDecodeError, CHANNEL_FORMAT_VERSION};

use self::commitment::Commitments;
use self::queues::Queues;
use self::reestablish::LinkState;
use self::state::{ChannelState, SignerWaits};
use crate::monitor::update::ChannelMonitorUpdate;
use crate::util::logger::SharedLogger;
use crate::wire::features::{ChannelTypeFeatures, InitFeatures};
use crate::wire::{ChainHash, ChannelId, Message, ShortChannelId};

/// One HTLC we offered: `(id, payment hash, amount in msat, expiry height)`.
pub(crate) type OfferedHtlc = (u64, crate::wire::PaymentHash, u64, u32);

/// What the funder passes to [`Channel::new_outbound`].
pub struct OutboundParams {
    /// The peer's node id.
    pub counterparty_node_id: PublicKey,
    /// The channel amount.
    pub funding_satoshis: u64,
    /// What we give the peer on the first commitment.
    pub push_msat: u64,
    /// The user's id of the channel.
    pub user_channel_id: u128,
    /// A random id for the negotiation (from the caller's entropy).
    pub temporary_channel_id: ChannelId,
    /// The initial commitment feerate.
    pub feerate_per_kw: u32,
    /// The channel type (`ChannelTypeFeatures::default_for(ours, theirs)` usually).
    pub channel_type: ChannelTypeFeatures,
    /// Our parameters and limits.
    pub config: ChannelConfig,
    /// The channel's signer.
    pub signer: Box<dyn ChannelSigner>,
    /// Our cooperative-close script (committed upfront if the config says so).
    pub shutdown_script: Option<ScriptBuf>,
    /// The chain the channel lives on.
    pub chain_hash: ChainHash,
    /// Where to log.
    pub logger: SharedLogger,
}

/// What the fundee passes to [`Channel::new_inbound`] with the peer's `open_channel`.
pub struct InboundParams {
    /// The peer's node id.
    pub counterparty_node_id: PublicKey,
    /// The user's id of the channel.
    pub user_channel_id: u128,
    /// Our parameters and limits.
    pub config: ChannelConfig,
    /// The channel's signer.
    pub signer: Box<dyn ChannelSigner>,
    /// Our cooperative-close script (committed upfront if the config says so).
    pub shutdown_script: Option<ScriptBuf>,
    /// Our `init` features.
    pub our_init_features: InitFeatures,
    /// The peer's `init` features.
    pub their_init_features: InitFeatures,
    /// The chain we accept channels on.
    pub chain_hash: ChainHash,
    /// The current block height.
    pub current_height: u32,
    /// Where to log.
    pub logger: SharedLogger,
}

/// The parameters one side announced in `open_channel` / `accept_channel`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SideConfig {
    pub dust_limit_satoshis: u64,
    pub max_htlc_value_in_flight_msat: u64,
    /// The reserve this side requires of the other.
    pub channel_reserve_satoshis: u64,
    pub htlc_minimum_msat: u64,
    /// The delay this side imposes on the other's outputs.
    pub to_self_delay: u16,
    pub max_accepted_htlcs: u16,
}

/// One channel's BOLT 2 state machine. See the [module documentation](self) for the call
/// contract.
pub struct Channel {
    counterparty_node_id: PublicKey,
    user_channel_id: u128,
    temporary_channel_id: ChannelId,
    channel_id: ChannelId,
    is_funder: bool,
    chain_hash: ChainHash,
    config: ChannelConfig,
    logger: SharedLogger,
    signer: Box<dyn ChannelSigner>,
    secp: Secp256k1<All>,
    channel_type: ChannelTypeFeatures,
    commitment_format: ChannelType,
    funding_satoshis: u64,
    push_msat: u64,
    /// What we announced.
    holder: SideConfig,
    /// What the peer announced (set once its open/accept is in).
    counterparty: SideConfig,
    holder_keys: ChannelPublicKeys,
    counterparty_keys: Option<ChannelPublicKeys>,
    /// Our cooperative-close script, if given.
    holder_shutdown_script: Option<ScriptBuf>,
    /// The peer's upfront shutdown script, if it committed to one.
    counterparty_upfront_shutdown: Option<ScriptBuf>,
    minimum_depth: u32,
    setup: Option<ChannelSetup>,
    funding_tx: Option<Transaction>,
    short_channel_id: Option<ShortChannelId>,
    current_height: u32,
    state: ChannelState,
    commitments: Commitments,
    queues: Queues,
    waits: SignerWaits,
    /// The connection as the channel sees it (reestablish progress).
    link: LinkState,
}

impl Channel {
    /// The channel id: the temporary one until the funding is known, then the real one.
    pub fn channel_id(&self) -> ChannelId {
        self.channel_id
    }

    /// The id used during negotiation.
    pub fn temporary_channel_id(&self) -> ChannelId {
        self.temporary_channel_id
    }

    /// The peer's node id.
    pub fn counterparty_node_id(&self) -> PublicKey {
        self.counterparty_node_id
    }

    /// The user's id of the channel.
    pub fn user_channel_id(&self) -> u128 {
        self.user_channel_id
    }

    /// Whether we opened (and fund) the channel.
    pub fn is_funder(&self) -> bool {
        self.is_funder
    }

    /// Where the channel is in its life.
    pub fn phase(&self) -> ChannelPhase {
        self.state.phase()
    }

    /// Whether HTLCs can be sent now (open, no shutdown, signer not blocking).
    pub fn is_usable(&self) -> bool {
        matches!(self.state, ChannelState::Normal) && self.link == LinkState::Connected
    }

    /// The short channel id, once the funding confirmed.
    pub fn short_channel_id(&self) -> Option<ShortChannelId> {
        self.short_channel_id
    }

    /// The funding outpoint, once known.
    pub fn funding_outpoint(&self) -> Option<OutPoint> {
        self.setup.as_ref().map(|s| s.parameters.funding_outpoint)
    }

    /// The channel setup (both key sets and parameters), once funded.
    pub fn setup(&self) -> Option<&ChannelSetup> {
        self.setup.as_ref()
    }

    /// The negotiated channel type.
    pub fn channel_type(&self) -> &ChannelTypeFeatures {
        &self.channel_type
    }

    /// The channel amount.
    pub fn funding_satoshis(&self) -> u64 {
        self.funding_satoshis
    }

    /// The chain the channel lives on.
    pub fn chain_hash(&self) -> ChainHash {
        self.chain_hash
    }

    /// Balances and capacities with every pending change of both sides applied.
    pub fn balances(&self) -> ChannelBalances {
        let spec = self.commitments.projected();
        ChannelBalances {
            to_holder_msat: spec.to_holder_msat,
            to_counterparty_msat: spec.to_counterparty_msat,
            outbound_capacity_msat: self.outbound_capacity_msat(),
            inbound_capacity_msat: self.inbound_capacity_msat(),
            pending_htlcs: spec.htlcs.len(),
        }
    }

    /// Our current commitment number and the peer's latest one we signed.
    pub fn commitment_numbers(&self) -> (u64, u64) {
        (
            self.commitments.local_number,
            self.commitments.remote_number,
        )
    }

    /// The monitor update ids: (the last emitted, every update through this one complete).
    pub fn monitor_update_ids(&self) -> (Option<u64>, Option<u64>) {
        self.queues.update_ids()
    }

    /// Our HTLCs that our current commitment, the peer's latest one we signed, or the peer's
    /// previous one not yet revoked holds, as `(id, payment hash, amount, expiry)`. Any other
    /// HTLC of ours in flight was never covered by a `commitment_signed` and can never be on
    /// chain (or its removal is irrevocably committed).
    pub(crate) fn offered_htlcs_maybe_on_chain(&self) -> alloc::vec::Vec<OfferedHtlc> {
        let c = &self.commitments;
        let mut out: alloc::vec::Vec<OfferedHtlc> = alloc::vec::Vec::new();
        let prev_remote = c.prev_remote.iter().flat_map(|spec| spec.htlcs.iter());
        for htlc in c
            .local
            .htlcs
            .iter()
            .chain(c.remote.htlcs.iter())
            .chain(prev_remote)
        {
            let ours = htlc.offerer == lightning_signer_api::tx::Side::Holder;
            if ours && !out.iter().any(|known| known.0 == htlc.id) {
                out.push((
                    htlc.id,
                    htlc.payment_hash,
                    htlc.amount_msat,
                    htlc.cltv_expiry,
                ));
            }
        }
        out
    }

    /// The id of the last monitor update emitted, if any.
    pub fn latest_monitor_update_id(&self) -> Option<u64> {
        self.queues.latest_update_id()
    }

    /// The next message for the peer, if one may leave now.
    pub fn poll_message(&mut self) -> Option<Message> {
        self.queues.poll_message()
    }

    /// The next monitor update to persist.
    pub fn poll_monitor_update(&mut self) -> Option<ChannelMonitorUpdate> {
        self.queues.poll_update()
    }

    /// The next event for the owner, if one may leave now.
    pub fn poll_event(&mut self) -> Option<ChannelEvent> {
        self.queues.poll_event()
    }

    /// Reports that monitor update `update_id` is persisted (in any order): releases what
    /// waited for it.
    pub fn monitor_update_completed(&mut self, update_id: u64) {
        self.queues.complete(update_id);
    }

    /// Whether every monitor update emitted so far is complete.
    pub fn monitor_updates_complete(&self) -> bool {
        self.queues.all_updates_complete()
    }

    /// Whether a signer call is pending (the channel waits for [`signer_ready`](Self::signer_ready)).
    pub fn is_signer_pending(&self) -> bool {
        self.waits.any()
    }

    /// Sets the current block height.
    pub fn best_block_updated(&mut self, height: u32) {
        self.current_height = height;
    }

    /// Repeats every signer call that answered `Pending`, continuing where the channel
    /// paused. Call it when the signer reports it is ready; harmless otherwise.
    pub fn signer_ready(&mut self) -> Result<(), ChannelError> {
        if self.waits.funding_created {
            self.waits.funding_created = false;
            self.send_funding_created()?;
        }
        if self.waits.funding_signed {
            self.waits.funding_signed = false;
            self.send_funding_signed()?;
        }
        if self.waits.channel_ready {
            self.waits.channel_ready = false;
            self.send_channel_ready()?;
        }
        if self.waits.revoke_and_ack {
            self.waits.revoke_and_ack = false;
            self.send_revoke_and_ack()?;
        }
        if let Some((number, secret)) = self.waits.revocation.take() {
            self.record_counterparty_revocation(number, secret)?;
        }
        // Also when no signature of ours waited: a `commitment_signed` we owe may have been
        // held back only by the `revoke_and_ack` or the revocation repeated above.
        self.waits.commitment_signed = false;
        self.maybe_send_commitment()?;
        if let Some(fee) = self.waits.closing_signed.take() {
            self.send_closing_signed(fee)?;
        }
        Ok(())
    }

    /// The setup, which exists once funded.
    fn funded_setup(&self) -> Result<&ChannelSetup, ChannelError> {
        self.setup.as_ref().ok_or(ApiError::WrongPhase.into())
    }

    /// Checks that a message names this channel.
    /// Checks that a message names this channel and may come now: after a reconnection,
    /// nothing but `channel_reestablish` may come before the peer's `channel_reestablish`.
    fn check_channel_id(&self, id: &ChannelId) -> Result<(), ChannelError> {
        if *id != self.channel_id {
            return Err(WarnReason::WrongChannelId.into());
        }
        if self.link != LinkState::Connected {
            return Err(CloseReason::ProtocolOrder.into());
        }
        Ok(())
    }

    fn log_debug(&self, args: core::fmt::Arguments<'_>) {
        crate::log_at!(
            self.logger,
            crate::util::logger::Level::Debug,
            Some(self.counterparty_node_id),
            Some(self.channel_id),
            "{}",
            args
        );
    }
}

/// What the channel does with a signer reply: `Ok(Some)` ready, `Ok(None)` pending,
/// `Err(Close)` refused.
fn signer_result<T>(reply: SignerReply<T>) -> Result<Option<T>, ChannelError> {
    reply
        .into_result()
        .map_err(|r: Refusal| ChannelError::Close(CloseReason::SignerRefused(r)))
}
