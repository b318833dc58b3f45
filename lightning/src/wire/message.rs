//! [`Message`]: any BOLT 1/2/7 message, read from and written to its full wire form.

use alloc::vec::Vec;

use super::channel::{
    AcceptChannel, ChannelReady, ClosingSigned, FundingCreated, FundingSigned, OpenChannel,
    Shutdown,
};
use super::codec::{Decode, DecodeError, Encode, Reader, WireMessage};
use super::dual_fund::{AcceptChannel2, OpenChannel2};
use super::gossip::{
    AnnouncementSignatures, ChannelAnnouncement, ChannelUpdate, GossipTimestampFilter,
    NodeAnnouncement, QueryChannelRange, QueryShortChannelIds, ReplyChannelRange,
    ReplyShortChannelIdsEnd,
};
use super::htlc::{
    CommitmentSigned, RevokeAndAck, UpdateAddHtlc, UpdateFailHtlc, UpdateFailMalformedHtlc,
    UpdateFee, UpdateFulfillHtlc,
};
use super::interactive::{
    TxAbort, TxAckRbf, TxAddInput, TxAddOutput, TxComplete, TxInitRbf, TxRemoveInput,
    TxRemoveOutput, TxSignatures,
};
use super::reestablish::ChannelReestablish;
use super::setup::{
    ErrorMessage, Init, PeerStorage, PeerStorageRetrieval, Ping, Pong, WarningMessage,
};
use super::simple_close::{ClosingComplete, ClosingSig};
use super::splice::{SpliceAck, SpliceInit, SpliceLocked, StartBatch, Stfu};

macro_rules! message_enum {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty), )*) => {
        /// Any message this crate knows, or an unknown odd one.
        ///
        /// Read one from a decrypted transport frame with [`Message::read`] (type prefix
        /// included) or [`Message::decode`] (type already split off); write one with
        /// [`Message::encode`]. Unknown even types are a [`DecodeError`]: BOLT 1 asks the
        /// receiver to close the connection. Unknown odd types come back as
        /// [`Message::Unknown`] and should be ignored.
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[allow(clippy::large_enum_variant)] // Messages are short-lived; boxing costs more.
        pub enum Message {
            $( $(#[$doc])* $variant($ty), )*
            /// A message of an odd type this crate does not know (or a custom message).
            Unknown {
                /// The message type (odd when it comes from a decoder).
                msg_type: u16,
                /// The raw payload.
                payload: Vec<u8>,
            },
        }

        impl Message {
            /// The 2-byte message type.
            pub fn msg_type(&self) -> u16 {
                match self {
                    $( Message::$variant(_) => <$ty as WireMessage>::TYPE, )*
                    Message::Unknown { msg_type, .. } => *msg_type,
                }
            }

            /// Decodes a payload of type `msg_type` (the bytes after the 2-byte type).
            pub fn decode(msg_type: u16, payload: &[u8]) -> Result<Message, DecodeError> {
                let mut r = Reader::new(payload);
                match msg_type {
                    $( <$ty as WireMessage>::TYPE => Ok(Message::$variant(<$ty>::decode(&mut r)?)), )*
                    _ if msg_type % 2 == 0 => Err(DecodeError::UnknownEvenMessageType(msg_type)),
                    _ => Ok(Message::Unknown { msg_type, payload: payload.to_vec() }),
                }
            }

            /// Appends the payload (without the type) to `out`.
            pub fn encode_payload(&self, out: &mut Vec<u8>) {
                match self {
                    $( Message::$variant(message) => message.encode(out), )*
                    Message::Unknown { payload, .. } => out.extend_from_slice(payload),
                }
            }
        }

        $(
            impl From<$ty> for Message {
                fn from(message: $ty) -> Message {
                    Message::$variant(message)
                }
            }
        )*
    };
}

message_enum! {
    /// `warning` (1).
    Warning(WarningMessage),
    /// `stfu` (2).
    Stfu(Stfu),
    /// `peer_storage` (7).
    PeerStorage(PeerStorage),
    /// `peer_storage_retrieval` (9).
    PeerStorageRetrieval(PeerStorageRetrieval),
    /// `init` (16).
    Init(Init),
    /// `error` (17).
    Error(ErrorMessage),
    /// `ping` (18).
    Ping(Ping),
    /// `pong` (19).
    Pong(Pong),
    /// `open_channel` (32).
    OpenChannel(OpenChannel),
    /// `accept_channel` (33).
    AcceptChannel(AcceptChannel),
    /// `funding_created` (34).
    FundingCreated(FundingCreated),
    /// `funding_signed` (35).
    FundingSigned(FundingSigned),
    /// `channel_ready` (36).
    ChannelReady(ChannelReady),
    /// `shutdown` (38).
    Shutdown(Shutdown),
    /// `closing_signed` (39).
    ClosingSigned(ClosingSigned),
    /// `closing_complete` (40).
    ClosingComplete(ClosingComplete),
    /// `closing_sig` (41).
    ClosingSig(ClosingSig),
    /// `open_channel2` (64).
    OpenChannel2(OpenChannel2),
    /// `accept_channel2` (65).
    AcceptChannel2(AcceptChannel2),
    /// `tx_add_input` (66).
    TxAddInput(TxAddInput),
    /// `tx_add_output` (67).
    TxAddOutput(TxAddOutput),
    /// `tx_remove_input` (68).
    TxRemoveInput(TxRemoveInput),
    /// `tx_remove_output` (69).
    TxRemoveOutput(TxRemoveOutput),
    /// `tx_complete` (70).
    TxComplete(TxComplete),
    /// `tx_signatures` (71).
    TxSignatures(TxSignatures),
    /// `tx_init_rbf` (72).
    TxInitRbf(TxInitRbf),
    /// `tx_ack_rbf` (73).
    TxAckRbf(TxAckRbf),
    /// `tx_abort` (74).
    TxAbort(TxAbort),
    /// `splice_locked` (77).
    SpliceLocked(SpliceLocked),
    /// `splice_init` (80).
    SpliceInit(SpliceInit),
    /// `splice_ack` (81).
    SpliceAck(SpliceAck),
    /// `start_batch` (127).
    StartBatch(StartBatch),
    /// `update_add_htlc` (128).
    UpdateAddHtlc(UpdateAddHtlc),
    /// `update_fulfill_htlc` (130).
    UpdateFulfillHtlc(UpdateFulfillHtlc),
    /// `update_fail_htlc` (131).
    UpdateFailHtlc(UpdateFailHtlc),
    /// `commitment_signed` (132).
    CommitmentSigned(CommitmentSigned),
    /// `revoke_and_ack` (133).
    RevokeAndAck(RevokeAndAck),
    /// `update_fee` (134).
    UpdateFee(UpdateFee),
    /// `update_fail_malformed_htlc` (135).
    UpdateFailMalformedHtlc(UpdateFailMalformedHtlc),
    /// `channel_reestablish` (136).
    ChannelReestablish(ChannelReestablish),
    /// `channel_announcement` (256).
    ChannelAnnouncement(ChannelAnnouncement),
    /// `node_announcement` (257).
    NodeAnnouncement(NodeAnnouncement),
    /// `channel_update` (258).
    ChannelUpdate(ChannelUpdate),
    /// `announcement_signatures` (259).
    AnnouncementSignatures(AnnouncementSignatures),
    /// `query_short_channel_ids` (261).
    QueryShortChannelIds(QueryShortChannelIds),
    /// `reply_short_channel_ids_end` (262).
    ReplyShortChannelIdsEnd(ReplyShortChannelIdsEnd),
    /// `query_channel_range` (263).
    QueryChannelRange(QueryChannelRange),
    /// `reply_channel_range` (264).
    ReplyChannelRange(ReplyChannelRange),
    /// `gossip_timestamp_filter` (265).
    GossipTimestampFilter(GossipTimestampFilter),
}

impl Message {
    /// Reads a whole message: a 2-byte big-endian type, then the payload.
    pub fn read(bytes: &[u8]) -> Result<Message, DecodeError> {
        let mut r = Reader::new(bytes);
        let msg_type = u16::decode(&mut r)?;
        Message::decode(msg_type, r.read_remaining())
    }

    /// The whole message: the 2-byte big-endian type, then the payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.msg_type().encode(&mut out);
        self.encode_payload(&mut out);
        out
    }
}
