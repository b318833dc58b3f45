//! BOLT 1 messages: `init`, `error`, `warning`, `ping`, `pong`, `peer_storage` and
//! `peer_storage_retrieval`.

use alloc::vec::Vec;

use super::codec::{Decode, DecodeError, Encode, Reader, WireMessage};
use super::features::InitFeatures;
use super::tlv::{read_tlv_stream, TlvWriter, UnknownTlv};
use super::ChainHash;

/// `init` (type 16): the first message on every connection, with the features the node
/// supports or requires.
///
/// BOLT 9: the receiver treats the union of `global_features` and `features` as the peer's
/// features. Senders put everything in `features` and leave `global_features` empty except
/// for the historical bits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Init {
    /// The legacy `globalfeatures` field.
    pub global_features: InitFeatures,
    /// The `features` field.
    pub features: InitFeatures,
    /// TLV 1 `networks`: the chains the node is interested in (`None` if absent).
    pub networks: Option<Vec<ChainHash>>,
    /// TLV 3 `remote_addr`: the peer's address as the sender sees it, as a BOLT 7 address
    /// descriptor (type byte then address), kept raw.
    pub remote_addr: Option<Vec<u8>>,
    /// Unknown odd TLV records, written back on encode.
    pub unknown_tlvs: Vec<UnknownTlv>,
}

impl Init {
    /// The peer's features: the union of `global_features` and `features` (BOLT 9).
    pub fn combined_features(&self) -> InitFeatures {
        self.features.clone().union(&self.global_features)
    }
}

impl WireMessage for Init {
    const TYPE: u16 = 16;
}

impl Encode for Init {
    fn encode(&self, out: &mut Vec<u8>) {
        self.global_features.encode(out);
        self.features.encode(out);
        let mut tlvs = TlvWriter::new(out, &self.unknown_tlvs);
        if let Some(chains) = &self.networks {
            let mut value = Vec::with_capacity(chains.len() * 32);
            for chain in chains {
                chain.encode(&mut value);
            }
            tlvs.write_bytes(1, &value);
        }
        if let Some(remote_addr) = &self.remote_addr {
            tlvs.write_bytes(3, remote_addr);
        }
        tlvs.finish();
    }
}

impl Decode for Init {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut init = Init {
            global_features: r.decode()?,
            features: r.decode()?,
            ..Init::default()
        };
        init.unknown_tlvs = read_tlv_stream(r, |record_type, value| {
            match record_type {
                1 => {
                    if value.remaining() % 32 != 0 {
                        return Err(DecodeError::TlvValueLengthMismatch);
                    }
                    let mut chains = Vec::with_capacity(value.remaining() / 32);
                    while !value.is_empty() {
                        chains.push(ChainHash::decode(value)?);
                    }
                    init.networks = Some(chains);
                }
                3 => init.remote_addr = Some(value.read_remaining().to_vec()),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(init)
    }
}

fixed_message! {
    /// `error` (type 17): the sender fails the channel (or all channels if `channel_id` is
    /// all zeroes). The receiver fails the channel(s) and should not retransmit.
    pub struct ErrorMessage = 17 {
        /// The failed channel, or all zeroes for every channel with the peer.
        pub channel_id: super::ChannelId,
        /// Diagnostic data, usually printable text (see [`ErrorMessage::data_as_text`]).
        pub data: Vec<u8>,
    }
}

fixed_message! {
    /// `warning` (type 1): something is wrong but the sender keeps the channel open.
    pub struct WarningMessage = 1 {
        /// The channel concerned, or all zeroes for the connection as a whole.
        pub channel_id: super::ChannelId,
        /// Diagnostic data, usually printable text (see [`WarningMessage::data_as_text`]).
        pub data: Vec<u8>,
    }
}

impl ErrorMessage {
    /// The data as text if it is valid UTF-8. Print it sanitized: it comes from the peer.
    pub fn data_as_text(&self) -> Option<&str> {
        core::str::from_utf8(&self.data).ok()
    }
}

impl WarningMessage {
    /// The data as text if it is valid UTF-8. Print it sanitized: it comes from the peer.
    pub fn data_as_text(&self) -> Option<&str> {
        core::str::from_utf8(&self.data).ok()
    }
}

fixed_message! {
    /// `ping` (type 18): keeps the connection alive and asks for a `pong`.
    ///
    /// The receiver answers with a `pong` of `num_pong_bytes` ignored bytes when
    /// `num_pong_bytes` is below [`Ping::NO_PONG_THRESHOLD`] (65532) and ignores the ping
    /// otherwise; [`Ping::pong`] does exactly that.
    pub struct Ping = 18 {
        /// How many `ignored` bytes the `pong` must carry; 65532 or more means "send no pong".
        pub num_pong_bytes: u16,
        /// Padding: should be zeroes and must not hold secrets.
        pub ignored: Vec<u8>,
    }
}

impl Ping {
    /// `num_pong_bytes` values from this one up ask for no `pong`.
    pub const NO_PONG_THRESHOLD: u16 = 65532;

    /// The reply this ping asks for: a `pong` with `num_pong_bytes` zero bytes, or `None` if
    /// `num_pong_bytes` is 65532 or more (the ping must then be ignored).
    pub fn pong(&self) -> Option<Pong> {
        (self.num_pong_bytes < Self::NO_PONG_THRESHOLD).then(|| Pong {
            ignored: alloc::vec![0; usize::from(self.num_pong_bytes)],
        })
    }
}

fixed_message! {
    /// `pong` (type 19): the reply to a `ping`, with `byteslen` equal to its `num_pong_bytes`.
    pub struct Pong = 19 {
        /// Padding: should be zeroes. Its length is what the ping asked for.
        pub ignored: Vec<u8>,
    }
}

fixed_message! {
    /// `peer_storage` (type 7): asks a peer offering `option_provide_storage` to keep this
    /// encrypted blob (at most 65531 bytes) and return the latest one on reconnection.
    pub struct PeerStorage = 7 {
        /// The sender's encrypted data.
        pub blob: Vec<u8>,
    }
}

fixed_message! {
    /// `peer_storage_retrieval` (type 9): returns the latest blob a peer stored with us.
    pub struct PeerStorageRetrieval = 9 {
        /// The blob last received in `peer_storage`.
        pub blob: Vec<u8>,
    }
}
