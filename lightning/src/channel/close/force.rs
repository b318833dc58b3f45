//! Force close: our latest commitment, fully signed, for the owner to broadcast.

use bitcoin::Transaction;
use lightning_signer_api::tx::{funding_witness, Side};

use crate::channel::events::ChannelEvent;
use crate::channel::state::ChannelState;
use crate::channel::{ApiError, Channel, ChannelError, CloseReason};
use crate::monitor::update::MonitorUpdateStep;

impl Channel {
    /// Force closes: emits a `ChannelForceClosed` monitor update and
    /// [`ChannelEvent::Closed`], and returns our latest commitment, signed, to broadcast.
    /// Pending messages are dropped.
    ///
    /// When the signer cannot sign our commitment now (it answers `Pending`, or refuses), the
    /// channel closes all the same and returns `Ok(None)`: the monitor, told by the update,
    /// signs and broadcasts the commitment as soon as its signer answers (it retries at every
    /// block). Closing must not wait for the signer: the peer may be cheating right now.
    pub fn force_close(&mut self) -> Result<Option<Transaction>, ChannelError> {
        if self.state == ChannelState::Closed {
            return Err(ApiError::WrongPhase.into());
        }
        let setup = self.funded_setup()?.clone();
        let c = &self.commitments;
        let their_signature = c
            .local_signatures
            .as_ref()
            .ok_or(ApiError::WrongPhase)?
            .commitment;
        let point = c.holder_current_point.ok_or(ApiError::WrongPhase)?;
        let inputs = c.local.to_inputs(Side::Holder, c.local_number);
        let built = setup
            .build_commitment(&self.secp, Side::Holder, &point, &inputs)
            .map_err(|_| ApiError::WrongPhase)?;
        let signed = match self
            .signer
            .sign_holder_commitment(&setup, &inputs)
            .into_result()
        {
            Ok(Some(our_signature)) => {
                let params = &setup.parameters;
                let mut tx = built.tx;
                tx.input[0].witness = funding_witness(
                    &params.funding_witness_script(),
                    (&params.holder.funding_pubkey, &our_signature),
                    (&params.counterparty.funding_pubkey, &their_signature),
                );
                Some(tx)
            }
            // The monitor signs it later (see above).
            Ok(None) | Err(_) => None,
        };
        self.state = ChannelState::Closed;
        self.queues.clear_messages();
        self.queues.push_update(
            self.channel_id,
            alloc::vec![MonitorUpdateStep::ChannelForceClosed],
        );
        self.queues.push_event_now(ChannelEvent::Closed {
            reason: CloseReason::HolderForceClosed,
            closing_tx: None,
        });
        Ok(signed)
    }
}
