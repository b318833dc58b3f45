//! Persisting [`ChannelMonitor`]s: [`PersistableMonitor`] for it, and reading them back from a
//! [`MonitorUpdatingPersister`] with their pending deltas applied.

use alloc::vec::Vec;

use lightning_signer_api::traits::{ChannelKeysId, SignerProvider};

use super::monitor_updating::{MonitorUpdatingPersister, ReadMonitorsError, StoredMonitor};
use super::PersistableMonitor;
use crate::monitor::{ChannelMonitor, MonitorDecodeError, MONITOR_FORMAT_VERSION};
use crate::wire::{read_tlv_stream, ChannelId, Decode, DecodeError, Reader};

impl PersistableMonitor for ChannelMonitor {
    fn monitor_channel_id(&self) -> ChannelId {
        self.channel_id()
    }

    fn latest_update_id(&self) -> u64 {
        ChannelMonitor::latest_update_id(self)
    }

    fn encode_monitor(&self) -> Vec<u8> {
        self.encode()
    }
}

/// The channel keys id recorded in an encoded [`ChannelMonitor`] (record 4 of its versioned
/// TLV stream, see [`ChannelMonitor::encode`]), to derive the signer its decoder needs.
pub fn encoded_monitor_keys_id(bytes: &[u8]) -> Result<ChannelKeysId, MonitorDecodeError> {
    let (&version, rest) = bytes.split_first().ok_or(MonitorDecodeError::Empty)?;
    if version != MONITOR_FORMAT_VERSION {
        return Err(MonitorDecodeError::UnknownVersion(version));
    }
    let mut keys_id = None;
    read_tlv_stream(&mut Reader::new(rest), |t, value| {
        if t == 4 {
            keys_id = Some(<[u8; 32]>::decode(value)?);
        } else {
            // Every other record is the decoder's business: skip it whatever its type.
            value.read_remaining();
        }
        Ok(true)
    })
    .map_err(|e: DecodeError| MonitorDecodeError::Wire(e))?;
    keys_id
        .map(ChannelKeysId)
        .ok_or(MonitorDecodeError::MissingField("keys id"))
}

impl StoredMonitor {
    /// Decodes the monitor (with its signer, derived again from the keys id it records) and
    /// applies the pending updates in order: the monitor as of the last completed write.
    pub fn into_channel_monitor(
        self,
        signer_provider: &mut dyn SignerProvider,
    ) -> Result<ChannelMonitor, ReadMonitorsError> {
        let channel_id = self.channel_id;
        let decode_error = |error| ReadMonitorsError::MonitorDecode { channel_id, error };
        let keys_id = encoded_monitor_keys_id(&self.monitor).map_err(decode_error)?;
        let signer = signer_provider.derive_channel_signer(&keys_id);
        let mut monitor = ChannelMonitor::decode(&self.monitor, signer).map_err(decode_error)?;
        if monitor.channel_id() != channel_id
            || ChannelMonitor::latest_update_id(&monitor) != self.monitor_update_id
        {
            return Err(ReadMonitorsError::Mismatch { channel_id });
        }
        for update in &self.pending_updates {
            monitor
                .update(update)
                .map_err(|error| ReadMonitorsError::UpdateRejected {
                    channel_id,
                    update_id: update.update_id,
                    error,
                })?;
        }
        Ok(monitor)
    }
}

impl MonitorUpdatingPersister {
    /// Every stored [`ChannelMonitor`], each decoded with a signer derived by
    /// `signer_provider` and brought up to date with its pending deltas, sorted by channel.
    ///
    /// Call at startup, before feeding chain data: then feed the chain from the oldest
    /// [`best_block`](ChannelMonitor::best_block) among them (chain data seen after the last
    /// full write is not in the deltas and must be given again).
    pub fn read_all_channel_monitors(
        &self,
        signer_provider: &mut dyn SignerProvider,
    ) -> Result<Vec<ChannelMonitor>, ReadMonitorsError> {
        self.read_all_stored_monitors()?
            .into_iter()
            .map(|stored| stored.into_channel_monitor(signer_provider))
            .collect()
    }

    /// The stored [`ChannelMonitor`] of `channel_id`, brought up to date with its deltas.
    pub fn read_channel_monitor(
        &self,
        channel_id: ChannelId,
        signer_provider: &mut dyn SignerProvider,
    ) -> Result<ChannelMonitor, ReadMonitorsError> {
        self.read_stored_monitor(channel_id)?
            .into_channel_monitor(signer_provider)
    }
}
