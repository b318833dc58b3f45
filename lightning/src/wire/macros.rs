//! A macro for messages made only of fixed fields (no TLV extension).

/// Declares a message struct of public fields with its `WireMessage`, `Encode` and `Decode`
/// impls: fields are encoded in declaration order, and bytes after the last field are ignored
/// on decode (BOLT 1 forward compatibility).
macro_rules! fixed_message {
    (
        $(#[$doc:meta])*
        pub struct $name:ident = $msg_type:literal {
            $( $(#[$field_doc:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$field_doc])* pub $field: $ty, )*
        }

        impl $crate::wire::WireMessage for $name {
            const TYPE: u16 = $msg_type;
        }

        impl $crate::wire::Encode for $name {
            fn encode(&self, out: &mut alloc::vec::Vec<u8>) {
                $( $crate::wire::Encode::encode(&self.$field, out); )*
            }
        }

        impl $crate::wire::Decode for $name {
            fn decode(
                r: &mut $crate::wire::Reader<'_>,
            ) -> Result<Self, $crate::wire::DecodeError> {
                // Struct expression fields are evaluated in the order written: wire order.
                let message = $name { $( $field: r.decode()?, )* };
                // Unknown extension bytes are allowed and ignored.
                r.read_remaining();
                Ok(message)
            }
        }
    };
}
