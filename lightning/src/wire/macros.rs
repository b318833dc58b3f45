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

/// Declares a message struct of fixed fields followed by a TLV stream whose records are
/// fields of a `TlvField` type (`Option<T>` or a `bool` flag), plus `unknown_tlvs` for the
/// unknown odd records, with its `WireMessage`, `Encode` and `Decode` impls.
macro_rules! tlv_message {
    (
        $(#[$doc:meta])*
        pub struct $name:ident = $msg_type:literal {
            $( $(#[$field_doc:meta])* pub $field:ident : $ty:ty, )*
        }
        tlvs {
            $( $(#[$tlv_doc:meta])* $tlv_type:literal => pub $tlv_field:ident : $tlv_ty:ty, )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$field_doc])* pub $field: $ty, )*
            $( $(#[$tlv_doc])* pub $tlv_field: $tlv_ty, )*
            /// Unknown odd TLV records, written back on encode.
            pub unknown_tlvs: alloc::vec::Vec<$crate::wire::UnknownTlv>,
        }

        impl $crate::wire::WireMessage for $name {
            const TYPE: u16 = $msg_type;
        }

        impl $crate::wire::Encode for $name {
            fn encode(&self, out: &mut alloc::vec::Vec<u8>) {
                $( $crate::wire::Encode::encode(&self.$field, out); )*
                let mut tlvs = $crate::wire::TlvWriter::new(out, &self.unknown_tlvs);
                $( $crate::wire::tlv::TlvField::write_tlv(&self.$tlv_field, $tlv_type, &mut tlvs); )*
                tlvs.finish();
            }
        }

        impl $crate::wire::Decode for $name {
            fn decode(
                r: &mut $crate::wire::Reader<'_>,
            ) -> Result<Self, $crate::wire::DecodeError> {
                $( let $field: $ty = r.decode()?; )*
                $( let mut $tlv_field: $tlv_ty = Default::default(); )*
                let unknown_tlvs = $crate::wire::read_tlv_stream(r, |record_type, value| {
                    match record_type {
                        $( $tlv_type => $crate::wire::tlv::TlvField::read_tlv(&mut $tlv_field, value)?, )*
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                Ok($name { $( $field, )* $( $tlv_field, )* unknown_tlvs })
            }
        }
    };
}
