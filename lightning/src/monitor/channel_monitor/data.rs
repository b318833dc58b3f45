//! The channel data a monitor keeps (from the init and the updates) and how an update is
//! applied to it.

use alloc::collections::BTreeMap;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey, Signing};
use bitcoin::ScriptBuf;
use lightning_signer_api::keys::CounterpartyCommitmentSecrets;
use lightning_signer_api::traits::{ChannelKeysId, ChannelSetup, CommitmentSignatures};
use lightning_signer_api::tx::CommitmentInputs;

use super::events::MonitorUpdateError;
use crate::monitor::update::{ChannelMonitorInit, ChannelMonitorUpdate, MonitorUpdateStep};
use crate::wire::ChannelId;

/// One of our commitments with the counterparty's signatures on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HolderCommitment {
    pub inputs: CommitmentInputs,
    pub signatures: CommitmentSignatures,
}

/// One of the counterparty's commitments with its per-commitment point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CounterpartyCommitment {
    pub inputs: CommitmentInputs,
    pub point: PublicKey,
}

/// Everything the channel told the monitor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MonitorData {
    pub channel_id: ChannelId,
    pub counterparty_node_id: PublicKey,
    pub channel_keys_id: ChannelKeysId,
    pub setup: ChannelSetup,
    pub shutdown_script: Option<ScriptBuf>,
    pub latest_update_id: u64,
    pub holder: HolderCommitment,
    /// Our previous commitment, until a later one replaced it (it may still be broadcast
    /// by a stale copy of us; the monitor recognises it).
    pub previous_holder: Option<HolderCommitment>,
    /// Every counterparty commitment, by number (revoked ones are needed for justice).
    pub counterparty: BTreeMap<u64, CounterpartyCommitment>,
    pub secrets: CounterpartyCommitmentSecrets,
    /// Known preimages by payment hash.
    pub preimages: BTreeMap<[u8; 32], [u8; 32]>,
    /// Whether we must broadcast our commitment (force closed).
    pub holder_broadcast_requested: bool,
}

impl MonitorData {
    /// The data of update 0.
    pub fn from_init(init: &ChannelMonitorInit) -> Self {
        let mut counterparty = BTreeMap::new();
        counterparty.insert(
            init.counterparty_commitment.commitment_number,
            CounterpartyCommitment {
                inputs: init.counterparty_commitment.clone(),
                point: init.counterparty_per_commitment_point,
            },
        );
        MonitorData {
            channel_id: init.channel_id,
            counterparty_node_id: init.counterparty_node_id,
            channel_keys_id: init.channel_keys_id,
            setup: init.setup.clone(),
            shutdown_script: init.shutdown_script.clone(),
            latest_update_id: 0,
            holder: HolderCommitment {
                inputs: init.holder_commitment.clone(),
                signatures: init.counterparty_signatures.clone(),
            },
            previous_holder: None,
            counterparty,
            secrets: CounterpartyCommitmentSecrets::new(),
            preimages: BTreeMap::new(),
            holder_broadcast_requested: false,
        }
    }

    /// Applies `update` in place, or says why it does not apply and leaves the data as it
    /// was. Only what the update's steps may change is saved for the way back (the history of
    /// counterparty commitments and preimages grows with the channel's life and is never
    /// copied: the keys an update inserted are removed again instead).
    pub fn apply<C: Signing>(
        &mut self,
        secp: &Secp256k1<C>,
        update: &ChannelMonitorUpdate,
    ) -> Result<(), MonitorUpdateError> {
        if update.channel_id != self.channel_id {
            return Err(MonitorUpdateError::WrongChannel {
                expected: self.channel_id,
                got: update.channel_id,
            });
        }
        let expected = self.latest_update_id.saturating_add(1);
        if update.update_id != expected {
            return Err(MonitorUpdateError::OutOfOrder {
                expected,
                got: update.update_id,
            });
        }
        let mut undo = Undo::before(self);
        for step in &update.steps {
            if let Err(error) = self.apply_step(secp, step, &mut undo) {
                undo.restore(self);
                return Err(error);
            }
        }
        self.latest_update_id = update.update_id;
        Ok(())
    }

    fn apply_step<C: Signing>(
        &mut self,
        secp: &Secp256k1<C>,
        step: &MonitorUpdateStep,
        undo: &mut Undo,
    ) -> Result<(), MonitorUpdateError> {
        match step {
            MonitorUpdateStep::Init(_) => return Err(MonitorUpdateError::MisplacedInit),
            MonitorUpdateStep::LatestHolderCommitment {
                commitment,
                counterparty_signatures,
            } => {
                let got = commitment.commitment_number;
                if got <= self.holder.inputs.commitment_number {
                    return Err(MonitorUpdateError::CommitmentOutOfOrder { got });
                }
                let new = HolderCommitment {
                    inputs: commitment.clone(),
                    signatures: counterparty_signatures.clone(),
                };
                self.previous_holder = Some(core::mem::replace(&mut self.holder, new));
            }
            MonitorUpdateStep::LatestCounterpartyCommitment {
                commitment,
                per_commitment_point,
            } => {
                let got = commitment.commitment_number;
                let latest = self.counterparty.keys().next_back().copied();
                if latest.is_some_and(|latest| got <= latest) {
                    return Err(MonitorUpdateError::CommitmentOutOfOrder { got });
                }
                self.counterparty.insert(
                    got,
                    CounterpartyCommitment {
                        inputs: commitment.clone(),
                        point: *per_commitment_point,
                    },
                );
                undo.counterparty_inserted.push(got);
            }
            MonitorUpdateStep::CommitmentSecret {
                commitment_number,
                secret,
            } => self.record_secret(secp, *commitment_number, *secret)?,
            MonitorUpdateStep::PaymentPreimage { preimage } => {
                let hash = sha256::Hash::hash(&preimage.0).to_byte_array();
                if self.preimages.insert(hash, preimage.0).is_none() {
                    undo.preimages_inserted.push(hash);
                }
            }
            MonitorUpdateStep::ShutdownScript { script } => {
                self.shutdown_script = Some(script.clone());
            }
            MonitorUpdateStep::ChannelForceClosed => self.holder_broadcast_requested = true,
        }
        Ok(())
    }

    fn record_secret<C: Signing>(
        &mut self,
        secp: &Secp256k1<C>,
        commitment_number: u64,
        secret: [u8; 32],
    ) -> Result<(), MonitorUpdateError> {
        let bad = |store_error| MonitorUpdateError::BadSecret {
            commitment_number,
            store_error,
        };
        let key = SecretKey::from_slice(&secret).map_err(|_| bad(None))?;
        if let Some(known) = self.counterparty.get(&commitment_number) {
            if PublicKey::from_secret_key(secp, &key) != known.point {
                return Err(bad(None));
            }
        }
        self.secrets
            .insert(commitment_number, secret)
            .map_err(|e| bad(Some(e)))
    }

    /// The counterparty commitment `number` and, if it was revoked, its secret.
    pub fn counterparty_commitment(
        &self,
        number: u64,
    ) -> Option<(&CounterpartyCommitment, Option<[u8; 32]>)> {
        let commitment = self.counterparty.get(&number)?;
        Some((commitment, self.secrets.get(number)))
    }

    /// The preimage of `payment_hash`, if known.
    pub fn preimage(&self, payment_hash: &[u8; 32]) -> Option<[u8; 32]> {
        self.preimages.get(payment_hash).copied()
    }
}

/// What an update may change in [`MonitorData`], saved before it is applied so that a step
/// that does not apply leaves the data as it was: the small fields by value, the growing maps
/// as the keys the update inserted (an inserted key was absent before: see `apply_step`).
struct Undo {
    holder: HolderCommitment,
    previous_holder: Option<HolderCommitment>,
    secrets: CounterpartyCommitmentSecrets,
    shutdown_script: Option<ScriptBuf>,
    holder_broadcast_requested: bool,
    counterparty_inserted: alloc::vec::Vec<u64>,
    preimages_inserted: alloc::vec::Vec<[u8; 32]>,
}

impl Undo {
    fn before(data: &MonitorData) -> Self {
        Undo {
            holder: data.holder.clone(),
            previous_holder: data.previous_holder.clone(),
            secrets: data.secrets.clone(),
            shutdown_script: data.shutdown_script.clone(),
            holder_broadcast_requested: data.holder_broadcast_requested,
            counterparty_inserted: alloc::vec::Vec::new(),
            preimages_inserted: alloc::vec::Vec::new(),
        }
    }

    fn restore(self, data: &mut MonitorData) {
        data.holder = self.holder;
        data.previous_holder = self.previous_holder;
        data.secrets = self.secrets;
        data.shutdown_script = self.shutdown_script;
        data.holder_broadcast_requested = self.holder_broadcast_requested;
        for number in self.counterparty_inserted {
            data.counterparty.remove(&number);
        }
        for hash in self.preimages_inserted {
            data.preimages.remove(&hash);
        }
    }
}
