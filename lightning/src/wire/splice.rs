//! BOLT 2 quiescence, splicing and batching messages: `stfu`, `splice_init`, `splice_ack`,
//! `splice_locked` and `start_batch`.

use bitcoin::Txid;
use secp256k1::PublicKey;

use super::types::ChannelId;

fixed_message! {
    /// `stfu` (type 2): asks for quiescence (no more updates) on a channel, or agrees to it.
    pub struct Stfu = 2 {
        /// The channel.
        pub channel_id: ChannelId,
        /// 1 if the sender is the quiescence initiator, 0 if it is answering.
        pub initiator: u8,
    }
}

tlv_message! {
    /// `splice_init` (type 80): the quiescence initiator proposes a splice.
    pub struct SpliceInit = 80 {
        /// The channel.
        pub channel_id: ChannelId,
        /// Satoshis the sender adds to (positive) or removes from (negative) its balance.
        pub funding_contribution_satoshis: i64,
        /// The fee rate of the splice transaction, satoshi per 1000 weight.
        pub funding_feerate_perkw: u32,
        /// The splice transaction's locktime.
        pub locktime: u32,
        /// The sender's funding key for the new funding output.
        pub funding_pubkey: PublicKey,
    }
    tlvs {
        /// TLV 2 `require_confirmed_inputs`: the receiver may only add confirmed inputs.
        2 => pub require_confirmed_inputs: bool,
    }
}

tlv_message! {
    /// `splice_ack` (type 81): accepts a `splice_init`; interactive construction follows.
    pub struct SpliceAck = 81 {
        /// The channel.
        pub channel_id: ChannelId,
        /// Satoshis the sender adds to (positive) or removes from (negative) its balance.
        pub funding_contribution_satoshis: i64,
        /// The sender's funding key for the new funding output.
        pub funding_pubkey: PublicKey,
    }
    tlvs {
        /// TLV 2 `require_confirmed_inputs`: the receiver may only add confirmed inputs.
        2 => pub require_confirmed_inputs: bool,
    }
}

fixed_message! {
    /// `splice_locked` (type 77): the splice transaction is deep enough for the sender.
    pub struct SpliceLocked = 77 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The splice transaction.
        pub splice_txid: Txid,
    }
}

tlv_message! {
    /// `start_batch` (type 127): the next `batch_size` messages for the channel form one
    /// batch (e.g. one `commitment_signed` per pending splice).
    pub struct StartBatch = 127 {
        /// The channel.
        pub channel_id: ChannelId,
        /// How many messages follow in the batch.
        pub batch_size: u16,
    }
    tlvs {
        /// TLV 1 `message_type`: the type of the batched messages.
        1 => pub message_type: Option<u16>,
    }
}
