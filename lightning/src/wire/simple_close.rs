//! BOLT 2 `option_simple_close` messages: `closing_complete` and `closing_sig`.

use bitcoin::ScriptBuf;
use secp256k1::ecdsa::Signature;

use super::types::ChannelId;

tlv_message! {
    /// `closing_complete` (type 40): the closer proposes a closing transaction (paying the fee
    /// from its own output) and signs its variants. The closee answers with `closing_sig`.
    pub struct ClosingComplete = 40 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The closer's output script (u16 length-prefixed).
        pub closer_scriptpubkey: ScriptBuf,
        /// The closee's output script (u16 length-prefixed).
        pub closee_scriptpubkey: ScriptBuf,
        /// The fee the closer pays.
        pub fee_satoshis: u64,
        /// The closing transaction's locktime.
        pub locktime: u32,
    }
    tlvs {
        /// TLV 1 `closer_output_only`: signature of the variant with only the closer's output.
        1 => pub closer_output_only: Option<Signature>,
        /// TLV 2 `closee_output_only`: signature of the variant with only the closee's output.
        2 => pub closee_output_only: Option<Signature>,
        /// TLV 3 `closer_and_closee_outputs`: signature of the variant with both outputs.
        3 => pub closer_and_closee_outputs: Option<Signature>,
    }
}

tlv_message! {
    /// `closing_sig` (type 41): the closee signs one variant of a `closing_complete`; it
    /// echoes the scripts, fee and locktime it signed for.
    pub struct ClosingSig = 41 {
        /// The channel.
        pub channel_id: ChannelId,
        /// The closer's output script (u16 length-prefixed).
        pub closer_scriptpubkey: ScriptBuf,
        /// The closee's output script (u16 length-prefixed).
        pub closee_scriptpubkey: ScriptBuf,
        /// The fee the closer pays.
        pub fee_satoshis: u64,
        /// The closing transaction's locktime.
        pub locktime: u32,
    }
    tlvs {
        /// TLV 1 `closer_output_only`: signature of the variant with only the closer's output.
        1 => pub closer_output_only: Option<Signature>,
        /// TLV 2 `closee_output_only`: signature of the variant with only the closee's output.
        2 => pub closee_output_only: Option<Signature>,
        /// TLV 3 `closer_and_closee_outputs`: signature of the variant with both outputs.
        3 => pub closer_and_closee_outputs: Option<Signature>,
    }
}
