//! The `address descriptor`s of `node_announcement` (BOLT 7).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use crate::wire::codec::{Decode, DecodeError, Encode, Reader};

/// A DNS hostname as announced in a type 5 descriptor: 1 to 255 ASCII bytes.
///
/// Non-ASCII names are announced in Punycode. Build one with [`Hostname::new`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hostname(String);

impl Hostname {
    /// The hostname `name`, or `None` if it is empty, longer than 255 bytes or not ASCII.
    pub fn new(name: &str) -> Option<Hostname> {
        let valid = !name.is_empty() && name.len() <= usize::from(u8::MAX) && name.is_ascii();
        valid.then(|| Hostname(String::from(name)))
    }

    /// The name as text (ASCII). Sanitize before display: it comes from the network.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One `address descriptor` of a `node_announcement`: where the node accepts connections.
///
/// BOLT 7 asks senders to list descriptors in ascending type order, never with port 0 for
/// IP and DNS types, and with at most one DNS hostname; receivers should ignore port-0
/// entries and Tor v2. The codec keeps what was sent; those checks belong to the user.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AddressDescriptor {
    /// Type 1: IPv4 address and port.
    Ipv4(SocketAddrV4),
    /// Type 2: IPv6 address and port (flow info and scope id are always 0).
    Ipv6(SocketAddrV6),
    /// Type 3: a deprecated Tor v2 onion service, kept as its 12 raw bytes.
    TorV2([u8; 12]),
    /// Type 4: a Tor v3 onion service.
    TorV3 {
        /// The service's ed25519 public key.
        ed25519_pubkey: [u8; 32],
        /// The first two bytes of `sha3(".onion checksum" || pubkey || version)`.
        checksum: u16,
        /// The onion address version (3).
        version: u8,
        /// The port.
        port: u16,
    },
    /// Type 5: a DNS hostname and port.
    Dns {
        /// The hostname.
        hostname: Hostname,
        /// The port.
        port: u16,
    },
}

impl AddressDescriptor {
    /// The descriptor type byte.
    pub fn type_byte(&self) -> u8 {
        match self {
            AddressDescriptor::Ipv4(_) => 1,
            AddressDescriptor::Ipv6(_) => 2,
            AddressDescriptor::TorV2(_) => 3,
            AddressDescriptor::TorV3 { .. } => 4,
            AddressDescriptor::Dns { .. } => 5,
        }
    }

    /// The port, if the descriptor has one (all but Tor v2).
    pub fn port(&self) -> Option<u16> {
        match self {
            AddressDescriptor::Ipv4(address) => Some(address.port()),
            AddressDescriptor::Ipv6(address) => Some(address.port()),
            AddressDescriptor::TorV2(_) => None,
            AddressDescriptor::TorV3 { port, .. } | AddressDescriptor::Dns { port, .. } => {
                Some(*port)
            }
        }
    }

    /// Reads the data of a descriptor of type `type_byte`. `Ok(None)` means the type is not
    /// one we know (or a DNS name is not ASCII): parsing of the list stops there.
    fn decode_data(
        type_byte: u8,
        r: &mut Reader<'_>,
    ) -> Result<Option<AddressDescriptor>, DecodeError> {
        let descriptor = match type_byte {
            1 => {
                let ip = Ipv4Addr::from(r.read_array::<4>()?);
                AddressDescriptor::Ipv4(SocketAddrV4::new(ip, r.decode()?))
            }
            2 => {
                let ip = Ipv6Addr::from(r.read_array::<16>()?);
                AddressDescriptor::Ipv6(SocketAddrV6::new(ip, r.decode()?, 0, 0))
            }
            3 => AddressDescriptor::TorV2(r.read_array()?),
            4 => AddressDescriptor::TorV3 {
                ed25519_pubkey: r.read_array()?,
                checksum: r.decode()?,
                version: r.decode()?,
                port: r.decode()?,
            },
            5 => {
                let len = u8::decode(r)?;
                let name = r.read_bytes(usize::from(len))?;
                let port = r.decode()?;
                match core::str::from_utf8(name).ok().and_then(Hostname::new) {
                    Some(hostname) => AddressDescriptor::Dns { hostname, port },
                    None => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(descriptor))
    }
}

impl Encode for AddressDescriptor {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.type_byte());
        match self {
            AddressDescriptor::Ipv4(address) => {
                out.extend_from_slice(&address.ip().octets());
                address.port().encode(out);
            }
            AddressDescriptor::Ipv6(address) => {
                out.extend_from_slice(&address.ip().octets());
                address.port().encode(out);
            }
            AddressDescriptor::TorV2(raw) => out.extend_from_slice(raw),
            AddressDescriptor::TorV3 {
                ed25519_pubkey,
                checksum,
                version,
                port,
            } => {
                out.extend_from_slice(ed25519_pubkey);
                checksum.encode(out);
                version.encode(out);
                port.encode(out);
            }
            AddressDescriptor::Dns { hostname, port } => {
                // A `Hostname` is at most 255 bytes by construction.
                let len = u8::try_from(hostname.0.len()).unwrap_or(u8::MAX);
                out.push(len);
                out.extend_from_slice(&hostname.0.as_bytes()[..usize::from(len)]);
                port.encode(out);
            }
        }
    }
}

/// Splits the `addresses` field into the descriptors we understand and the raw bytes from the
/// first descriptor we do not (BOLT 7: ignore from the first unknown type on).
///
/// A known descriptor cut short by the end of the field is an error: BOLT 7 lets the
/// receiver warn and close the connection.
pub(super) fn decode_addresses(
    field: &[u8],
) -> Result<(Vec<AddressDescriptor>, Vec<u8>), DecodeError> {
    let mut r = Reader::new(field);
    let mut addresses = Vec::new();
    while !r.is_empty() {
        let start = r.position();
        let type_byte = u8::decode(&mut r)?;
        match AddressDescriptor::decode_data(type_byte, &mut r)? {
            Some(descriptor) => addresses.push(descriptor),
            None => return Ok((addresses, field[start..].to_vec())),
        }
    }
    Ok((addresses, Vec::new()))
}
