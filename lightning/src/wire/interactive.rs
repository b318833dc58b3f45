//! BOLT 2 interactive transaction construction: `tx_add_input`, `tx_add_output`,
//! `tx_remove_input`, `tx_remove_output`, `tx_complete`, `tx_signatures`, `tx_init_rbf`,
//! `tx_ack_rbf` and `tx_abort`.

use alloc::vec::Vec;

use bitcoin::{ScriptBuf, Txid};
use secp256k1::ecdsa::Signature;

use super::types::ChannelId;

tlv_message! {
    /// `tx_add_input` (type 66): adds an input to the transaction under construction.
    pub struct TxAddInput = 66 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The input's serial id (its parity says who added it; it orders the inputs).
        pub serial_id: u64,
        /// The serialized previous transaction (u16 length-prefixed), kept raw.
        pub prevtx: Vec<u8>,
        /// The output of `prevtx` being spent.
        pub prevtx_vout: u32,
        /// The input's sequence number.
        pub sequence: u32,
    }
    tlvs {
        /// TLV 0 `shared_input_txid`: the input is the channel's current funding output
        /// (splicing), in the transaction with this id.
        0 => pub shared_input_txid: Option<Txid>,
    }
}

fixed_message! {
    /// `tx_add_output` (type 67): adds an output to the transaction under construction.
    pub struct TxAddOutput = 67 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The output's serial id.
        pub serial_id: u64,
        /// The output amount.
        pub sats: u64,
        /// The output script (u16 length-prefixed).
        pub script: ScriptBuf,
    }
}

fixed_message! {
    /// `tx_remove_input` (type 68): removes an input the sender added.
    pub struct TxRemoveInput = 68 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The serial id of the input.
        pub serial_id: u64,
    }
}

fixed_message! {
    /// `tx_remove_output` (type 69): removes an output the sender added.
    pub struct TxRemoveOutput = 69 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The serial id of the output.
        pub serial_id: u64,
    }
}

fixed_message! {
    /// `tx_complete` (type 70): the sender has nothing more to add; construction ends when
    /// both sides send it in a row.
    pub struct TxComplete = 70 {
        /// The channel.
        pub channel_id: ChannelId,
    }
}

tlv_message! {
    /// `tx_signatures` (type 71): the sender's witnesses for its inputs.
    pub struct TxSignatures = 71 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The constructed transaction.
        pub txid: Txid,
        /// One serialized witness per sender input, in serial id order (a u16 count, then
        /// each witness u16 length-prefixed).
        pub witnesses: Vec<Vec<u8>>,
    }
    tlvs {
        /// TLV 0 `shared_input_signature`: the sender's signature for the shared funding input.
        0 => pub shared_input_signature: Option<Signature>,
    }
}

tlv_message! {
    /// `tx_init_rbf` (type 72): proposes replacing the constructed transaction at a higher
    /// fee rate.
    pub struct TxInitRbf = 72 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The replacement's locktime.
        pub locktime: u32,
        /// The replacement's fee rate, satoshi per 1000 weight.
        pub feerate: u32,
    }
    tlvs {
        /// TLV 0 `funding_output_contribution`: the sender's contribution to the funding
        /// output, in satoshis (signed).
        0 => pub funding_output_contribution: Option<i64>,
        /// TLV 2 `require_confirmed_inputs`.
        2 => pub require_confirmed_inputs: bool,
    }
}

tlv_message! {
    /// `tx_ack_rbf` (type 73): accepts a `tx_init_rbf`.
    pub struct TxAckRbf = 73 {
        /// The channel.
        pub channel_id: ChannelId,
    }
    tlvs {
        /// TLV 0 `funding_output_contribution`: the sender's contribution to the funding
        /// output, in satoshis (signed).
        0 => pub funding_output_contribution: Option<i64>,
        /// TLV 2 `require_confirmed_inputs`.
        2 => pub require_confirmed_inputs: bool,
    }
}

fixed_message! {
    /// `tx_abort` (type 74): abandons the construction (the receiver echoes it).
    pub struct TxAbort = 74 {
        /// The channel.
        pub channel_id: ChannelId,
        /// Diagnostic data, usually text.
        pub data: Vec<u8>,
    }
}
