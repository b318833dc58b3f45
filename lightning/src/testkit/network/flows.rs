//! Whole flows on top of the network: opening a channel, paying, closing, and the checks
//! tests make on balances.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::{Amount, Transaction};

use crate::chain::{ChainSource, ConfirmationTarget};
use crate::channel::ChannelConfig;
use crate::manager::{
    ClosureReason, Event, PaymentFailureReason, PaymentId, RecipientOnionFields, SendError,
};
use crate::wire::{ChannelId, PaymentHash, PaymentPreimage};

use super::Network;
use crate::testkit::WalletError;

/// How long the invoices of the payments the network starts stay valid.
const INVOICE_EXPIRY_SECS: u32 = 3600;

/// The `kind` byte of the payment ids of [`Network::send_payment`] and
/// [`Network::send_payment_along`] (see [`Network::start_payment`]).
pub(super) const PLAIN_PAYMENT: u8 = 0;

/// The most blocks [`Network::open_channel`] mines while waiting for `channel_ready`.
const MAX_BLOCKS_TO_READY: u32 = 144;

/// A payment that succeeded, from [`Network::pay`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentOutcome {
    /// The payer's id of the payment.
    pub payment_id: PaymentId,
    /// The payment hash.
    pub payment_hash: PaymentHash,
    /// The proof of payment the payer received.
    pub payment_preimage: PaymentPreimage,
    /// The fees paid to intermediate hops.
    pub fee_paid_msat: Option<u64>,
}

/// A payment started by [`Network::send_payment`], not yet settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingPayment {
    /// The payer.
    pub from: usize,
    /// The recipient.
    pub to: usize,
    /// The payer's id of the payment.
    pub payment_id: PaymentId,
    /// The payment hash (the recipient's invoice).
    pub payment_hash: PaymentHash,
    /// The amount.
    pub amount_msat: u64,
}

/// Why [`Network::pay`] did not end in `PaymentSent`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PayError {
    /// The payer refused to send.
    Send(SendError),
    /// The payer reported `PaymentFailed`.
    Failed(Box<PaymentFailureReason>),
    /// The recipient never saw the payment as claimable, and the payer saw no failure.
    NotClaimable,
    /// The recipient claimed, but the payer saw neither `PaymentSent` nor `PaymentFailed`.
    NoOutcome,
}

impl fmt::Display for PayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayError::Send(err) => write!(f, "payer refused to send: {err}"),
            PayError::Failed(reason) => write!(f, "payment failed: {reason:?}"),
            PayError::NotClaimable => f.write_str("the recipient never saw the payment"),
            PayError::NoOutcome => f.write_str("the payer saw no outcome"),
        }
    }
}

impl core::error::Error for PayError {}

impl Network {
    /// Opens a channel from `a` to `b` (connecting them first if needed) and returns once it
    /// is usable on both sides: `open_channel`, `FundingGenerationReady` → `a`'s wallet builds
    /// the funding transaction → `funding_transaction_generated` → the funding is broadcast
    /// and mined → blocks until both `ChannelReady`. The events of the dance
    /// (`FundingGenerationReady`, `ChannelPending`, `ChannelReady` of this channel) are taken
    /// from both nodes; others stay.
    ///
    /// # Panics
    /// If any step fails (the nodes refuse, `a`'s wallet cannot pay, no `ChannelReady` after
    /// 144 blocks), with a message saying which.
    pub fn open_channel(
        &mut self,
        a: usize,
        b: usize,
        funding_sat: u64,
        push_msat: u64,
    ) -> ChannelId {
        self.open_channel_with_config(a, b, funding_sat, push_msat, None)
    }

    /// [`open_channel`](Self::open_channel) with `config` overriding node `a`'s channel
    /// config for this channel (e.g. `announce_channel`).
    ///
    /// # Panics
    /// As [`open_channel`](Self::open_channel).
    pub fn open_channel_with_config(
        &mut self,
        a: usize,
        b: usize,
        funding_sat: u64,
        push_msat: u64,
        config: Option<ChannelConfig>,
    ) -> ChannelId {
        if !self.is_connected(a, b) {
            self.connect(a, b);
        }
        self.next_user_channel_id += 1;
        let user_channel_id = self.next_user_channel_id;
        let b_id = self.nodes[b].node_id;
        let temporary = self.nodes[a]
            .manager
            .open_channel(b_id, funding_sat, push_msat, user_channel_id, config)
            .unwrap_or_else(|err| panic!("node {a} cannot open a channel to node {b}: {err}"));
        self.run_until_quiet();
        let ready = self.nodes[a].take_events_where(|event| {
            matches!(event, Event::FundingGenerationReady { temporary_channel_id, .. }
                if *temporary_channel_id == temporary)
        });
        let Some(Event::FundingGenerationReady { output_script, .. }) = ready.into_iter().next()
        else {
            panic!(
                "node {a} got no FundingGenerationReady (node {b} refused the channel?): {:?}",
                self.nodes[a].events
            );
        };
        let funding_tx = self
            .create_funding_transaction(a, &output_script, Amount::from_sat(funding_sat))
            .unwrap_or_else(|err| panic!("node {a}'s wallet cannot fund the channel: {err}"));
        self.nodes[a]
            .manager
            .funding_transaction_generated(temporary, b_id, funding_tx)
            .unwrap_or_else(|err| panic!("node {a} refused its funding transaction: {err}"));
        self.run_until_quiet();
        let pending = self.nodes[a].take_events_where(|event| {
            matches!(event, Event::ChannelPending { former_temporary_channel_id, .. }
                if *former_temporary_channel_id == temporary)
        });
        let Some(Event::ChannelPending { channel_id, .. }) = pending.into_iter().next() else {
            panic!("node {a} got no ChannelPending: {:?}", self.nodes[a].events);
        };
        self.nodes[b].take_events_where(|event| {
            matches!(event, Event::ChannelPending { channel_id: id, .. } if *id == channel_id)
        });
        let mut ready = [false, false];
        for _ in 0..MAX_BLOCKS_TO_READY {
            self.mine_blocks(1);
            for (side, node) in [a, b].into_iter().enumerate() {
                let taken = self.nodes[node].take_events_where(|event| {
                    matches!(event, Event::ChannelReady { channel_id: id, .. } if *id == channel_id)
                });
                ready[side] |= !taken.is_empty();
            }
            if ready == [true, true] {
                return channel_id;
            }
        }
        panic!("channel {channel_id} between nodes {a} and {b} not ready after {MAX_BLOCKS_TO_READY} blocks");
    }

    /// Has node `index`'s wallet build (not broadcast) a transaction paying `amount` to
    /// `output_script` at the chain's fee rate, e.g. for the `FundingGenerationReady` of a
    /// channel opened by hand.
    pub fn create_funding_transaction(
        &mut self,
        index: usize,
        output_script: &bitcoin::Script,
        amount: Amount,
    ) -> Result<Transaction, WalletError> {
        let feerate = self
            .chain
            .feerate_sat_per_kw(ConfirmationTarget::OutputSpendingFee);
        self.nodes[index]
            .wallet
            .create_payment(&self.chain, output_script, amount, feerate)
    }

    /// Starts a payment of `amount_msat` from `from` to its direct peer `to`: `to` creates the
    /// invoice (`create_inbound_payment`), `from` sends over the direct channel. Nothing is
    /// delivered yet.
    pub fn send_payment(
        &mut self,
        from: usize,
        to: usize,
        amount_msat: u64,
    ) -> Result<PendingPayment, SendError> {
        let recipient_id = self.nodes[to].node_id;
        let final_cltv_expiry_delta = self.nodes[to].min_final_cltv_expiry_delta;
        self.start_payment(
            from,
            to,
            amount_msat,
            PLAIN_PAYMENT,
            |net, payment_hash, onion, payment_id| {
                net.nodes[from].manager.send_payment_to_peer(
                    recipient_id,
                    amount_msat,
                    final_cltv_expiry_delta,
                    payment_hash,
                    onion,
                    payment_id,
                )
            },
        )
    }

    /// The steps every way of starting a payment shares: `to` creates the invoice
    /// (`create_inbound_payment`, valid [`INVOICE_EXPIRY_SECS`]), the network takes the next
    /// payment id (with `kind` in its byte 8, so that ids of different ways never collide),
    /// then `send` hands the payment to `from`'s manager.
    pub(super) fn start_payment(
        &mut self,
        from: usize,
        to: usize,
        amount_msat: u64,
        kind: u8,
        send: impl FnOnce(
            &mut Network,
            PaymentHash,
            RecipientOnionFields,
            PaymentId,
        ) -> Result<(), SendError>,
    ) -> Result<PendingPayment, SendError> {
        let now = self.now;
        let (payment_hash, payment_secret) = self.nodes[to].manager.create_inbound_payment(
            Some(amount_msat),
            INVOICE_EXPIRY_SECS,
            now,
        );
        self.next_payment_id += 1;
        let mut id = [0u8; 32];
        id[..8].copy_from_slice(&self.next_payment_id.to_be_bytes());
        id[8] = kind;
        let payment_id = PaymentId(id);
        send(
            self,
            payment_hash,
            RecipientOnionFields::secret_only(payment_secret),
            payment_id,
        )?;
        Ok(PendingPayment {
            from,
            to,
            payment_id,
            payment_hash,
            amount_msat,
        })
    }

    /// Claims (with the preimage from its `PaymentClaimable` event, which is taken) the
    /// payment `payment_hash` at node `to`. Returns false if it is not claimable there.
    /// Delivers nothing.
    pub fn claim_payment(&mut self, to: usize, payment_hash: PaymentHash) -> bool {
        self.collect_all();
        let node = &mut self.nodes[to];
        let claimable = node.take_events_where(|event| {
            matches!(event, Event::PaymentClaimable { payment_hash: hash, .. } if *hash == payment_hash)
        });
        let preimage = claimable.iter().find_map(|event| match event {
            Event::PaymentClaimable {
                payment_preimage, ..
            } => *payment_preimage,
            _ => None,
        });
        let Some(preimage) = preimage else {
            return false;
        };
        let claimed = node.manager.claim_funds(preimage).is_ok();
        self.collect_all();
        claimed
    }

    /// Refuses (`fail_htlc_backwards`) the claimable payment `payment_hash` at node `to`,
    /// taking its `PaymentClaimable` event. Returns false if it is not claimable there.
    /// Delivers nothing.
    pub fn fail_payment(&mut self, to: usize, payment_hash: PaymentHash) -> bool {
        self.collect_all();
        let node = &mut self.nodes[to];
        node.take_events_where(|event| {
            matches!(event, Event::PaymentClaimable { payment_hash: hash, .. } if *hash == payment_hash)
        });
        let failed = node.manager.fail_htlc_backwards(payment_hash);
        self.collect_all();
        failed
    }

    /// Pays `amount_msat` from `from` to its direct peer `to` and runs to the end:
    /// [`send_payment`](Self::send_payment), then
    /// [`finish_payment`](Self::finish_payment). The events of this payment are taken from
    /// both nodes.
    pub fn pay(
        &mut self,
        from: usize,
        to: usize,
        amount_msat: u64,
    ) -> Result<PaymentOutcome, PayError> {
        let pending = self
            .send_payment(from, to, amount_msat)
            .map_err(PayError::Send)?;
        self.finish_payment(&pending)
    }

    /// Runs a started payment to its end: run until quiet, the recipient claims on
    /// `PaymentClaimable`, run until quiet, then expects the payer's `PaymentSent`. Takes the
    /// payment's `PaymentClaimed` and `PaymentSent` (or `PaymentFailed`) events.
    pub fn finish_payment(&mut self, pending: &PendingPayment) -> Result<PaymentOutcome, PayError> {
        self.run_until_quiet();
        if !self.claim_payment(pending.to, pending.payment_hash) {
            return Err(self
                .payment_failure(pending)
                .unwrap_or(PayError::NotClaimable));
        }
        self.run_until_quiet();
        self.take_payment_claimed(pending);
        self.take_payment_outcome(pending)
            .unwrap_or(Err(PayError::NoOutcome))
    }

    /// Takes the recipient's `PaymentClaimed` events of `pending`.
    pub(super) fn take_payment_claimed(&mut self, pending: &PendingPayment) {
        self.nodes[pending.to].take_events_where(|event| {
            matches!(event, Event::PaymentClaimed { payment_hash, .. } if *payment_hash == pending.payment_hash)
        });
    }

    /// Takes the payer's `PaymentSent` (as `Ok`) or, failing that, `PaymentFailed` (as `Err`)
    /// of `pending`; `None` if it has neither yet.
    pub(super) fn take_payment_outcome(
        &mut self,
        pending: &PendingPayment,
    ) -> Option<Result<PaymentOutcome, PayError>> {
        let sent = self.nodes[pending.from].take_events_where(|event| {
            matches!(event, Event::PaymentSent { payment_id, .. } if *payment_id == pending.payment_id)
        });
        if let Some(Event::PaymentSent {
            payment_id,
            payment_hash,
            payment_preimage,
            fee_paid_msat,
        }) = sent.into_iter().next()
        {
            debug_assert_eq!(
                sha256::Hash::hash(&payment_preimage.0).to_byte_array(),
                payment_hash.0
            );
            return Some(Ok(PaymentOutcome {
                payment_id,
                payment_hash,
                payment_preimage,
                fee_paid_msat,
            }));
        }
        self.payment_failure(pending).map(Err)
    }

    /// Takes the payer's `PaymentFailed` event of `pending`, if there is one.
    pub fn payment_failure(&mut self, pending: &PendingPayment) -> Option<PayError> {
        let failed = self.nodes[pending.from].take_events_where(|event| {
            matches!(event, Event::PaymentFailed { payment_id, .. } if *payment_id == pending.payment_id)
        });
        match failed.into_iter().next() {
            Some(Event::PaymentFailed { reason, .. }) => Some(PayError::Failed(Box::new(reason))),
            _ => None,
        }
    }

    /// Closes `channel_id` cooperatively from node `a`'s side (its peer is `b`), runs until
    /// quiet and returns the closing transaction (in the chain's mempool, not yet mined).
    /// The `ChannelClosed` events stay for the test to inspect.
    ///
    /// # Panics
    /// If `a` refuses, or no closing transaction was broadcast.
    pub fn close_channel(&mut self, a: usize, b: usize, channel_id: ChannelId) -> Transaction {
        let before = [
            self.nodes[a].broadcasts.len(),
            self.nodes[b].broadcasts.len(),
        ];
        let funding_txo = self.nodes[a]
            .channel(channel_id)
            .and_then(|details| details.funding_txo)
            .unwrap_or_else(|| panic!("node {a} has no funded channel {channel_id}"));
        let b_id = self.nodes[b].node_id;
        self.nodes[a]
            .manager
            .close_channel(channel_id, b_id)
            .unwrap_or_else(|err| panic!("node {a} cannot close {channel_id}: {err}"));
        self.run_until_quiet();
        let new_a = self.nodes[a].broadcasts[before[0]..].iter();
        let new_b = self.nodes[b].broadcasts[before[1]..].iter();
        new_a
            .chain(new_b)
            .find(|tx| {
                tx.input
                    .iter()
                    .any(|input| input.previous_output == funding_txo)
            })
            .cloned()
            .unwrap_or_else(|| panic!("no closing transaction for {channel_id}"))
    }

    /// The `ChannelClosed` reasons node `index` reported for `channel_id`, taking those
    /// events.
    pub fn take_closures(&mut self, index: usize, channel_id: ChannelId) -> Vec<ClosureReason> {
        self.nodes[index]
            .take_events_where(|event| {
                matches!(event, Event::ChannelClosed { channel_id: id, .. } if *id == channel_id)
            })
            .into_iter()
            .filter_map(|event| match event {
                Event::ChannelClosed { reason, .. } => Some(reason),
                _ => None,
            })
            .collect()
    }

    /// Node `index`'s balance in `channel_id` (`list_channels`), if it has the channel.
    pub fn balance_msat(&self, index: usize, channel_id: ChannelId) -> Option<u64> {
        self.nodes[index]
            .channel(channel_id)
            .map(|c| c.balance_msat)
    }

    /// The confirmed outputs paying node `index` (wallet, shutdown and destination scripts).
    pub fn onchain_balance(&mut self, index: usize) -> Amount {
        let chain = &self.chain;
        self.nodes[index].onchain_balance(chain)
    }
}
