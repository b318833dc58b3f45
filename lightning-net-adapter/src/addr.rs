//! Peer addresses: parsing `pubkey@host:port`, and the BOLT 7 address descriptor of a socket
//! address (sent as `remote_addr` in `init`).

use core::fmt;
use core::str::FromStr;
use std::net::SocketAddr;

use lightning::bitcoin::secp256k1::PublicKey;

/// A peer to dial: its node id and where it listens (`host:port`, a name or an IP literal).
///
/// Written and parsed as `<66 hex chars of the compressed node id>@<host>:<port>`, e.g.
/// `02aa…@127.0.0.1:9735` or `02aa…@[::1]:9735`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerAddr {
    /// The node id the peer must prove in the BOLT 8 handshake.
    pub node_id: PublicKey,
    /// The host part (a DNS name or an IP literal; IPv6 literals without brackets).
    pub host: String,
    /// The TCP port.
    pub port: u16,
}

impl PeerAddr {
    /// The address to give `TcpStream::connect` (`host:port`, IPv6 literals bracketed).
    pub fn socket_target(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.node_id, self.socket_target())
    }
}

/// Why a `pubkey@host:port` string did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerAddrError {
    /// There is no `@` between the node id and the address.
    MissingAt,
    /// The node id is not 33 bytes of hex forming a valid compressed public key.
    InvalidNodeId,
    /// The address has no `:port`, or the host is empty.
    MissingPort,
    /// The port is not a number from 0 to 65535.
    InvalidPort,
}

impl fmt::Display for PeerAddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PeerAddrError::MissingAt => "expected <node_id>@<host>:<port>",
            PeerAddrError::InvalidNodeId => "the node id is not a compressed public key in hex",
            PeerAddrError::MissingPort => "expected <host>:<port> after the '@'",
            PeerAddrError::InvalidPort => "the port is not a number from 0 to 65535",
        })
    }
}

impl std::error::Error for PeerAddrError {}

impl FromStr for PeerAddr {
    type Err = PeerAddrError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, address) = s.split_once('@').ok_or(PeerAddrError::MissingAt)?;
        let node_id = PublicKey::from_str(id.trim()).map_err(|_| PeerAddrError::InvalidNodeId)?;
        let (host, port) = address.rsplit_once(':').ok_or(PeerAddrError::MissingPort)?;
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if host.is_empty() {
            return Err(PeerAddrError::MissingPort);
        }
        let port = port.parse().map_err(|_| PeerAddrError::InvalidPort)?;
        Ok(PeerAddr {
            node_id,
            host: host.to_string(),
            port,
        })
    }
}

/// The BOLT 7 address descriptor of `addr`: type 1 (IPv4: 4 bytes, port) or type 2 (IPv6:
/// 16 bytes, port), port big-endian. This is what `init`'s `remote_addr` carries.
pub fn address_descriptor(addr: &SocketAddr) -> Vec<u8> {
    let mut out = Vec::with_capacity(19);
    match addr {
        SocketAddr::V4(v4) => {
            out.push(1);
            out.extend_from_slice(&v4.ip().octets());
        }
        SocketAddr::V6(v6) => {
            out.push(2);
            out.extend_from_slice(&v6.ip().octets());
        }
    }
    out.extend_from_slice(&addr.port().to_be_bytes());
    out
}
