//! LDK's side of the sockets: a `SocketDescriptor` over tokio TCP, written against LDK 0.2's
//! public API (`ln::peer_handler`), since `lightning-net-tokio` is not available here.
//!
//! Each socket has a task that reads into `read_event` (only while LDK lets it read), and
//! writes what LDK's `send_data` queued. `send_data` accepts up to `WRITE_BUFFER` bytes; when
//! it accepts less, the task calls `write_buffer_space_avail` once the buffer has been
//! written, as the trait's contract asks.

use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bitcoin::secp256k1::PublicKey;
use ldk::ln::msgs::SocketAddress;
use ldk::ln::peer_handler::{APeerManager, SocketDescriptor};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// How many bytes `send_data` takes before it pushes back.
const WRITE_BUFFER: usize = 256 * 1024;

/// What LDK asked of one socket, shared by the descriptor's clones and the socket task.
#[derive(Default)]
struct Outgoing {
    bytes: Vec<u8>,
    read_paused: bool,
    owe_space_avail: bool,
    disconnect: bool,
}

struct SocketInner {
    id: u64,
    outgoing: Mutex<Outgoing>,
    wake: Notify,
}

/// LDK's handle on one of our TCP sockets.
#[derive(Clone)]
pub struct LdkSocket(Arc<SocketInner>);

impl PartialEq for LdkSocket {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}
impl Eq for LdkSocket {}
impl Hash for LdkSocket {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.id.hash(state)
    }
}

impl LdkSocket {
    fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        LdkSocket(Arc::new(SocketInner {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            outgoing: Mutex::new(Outgoing::default()),
            wake: Notify::new(),
        }))
    }

    /// Takes the queued bytes and the flags the task acts on.
    fn take(&self) -> (Vec<u8>, bool, bool, bool) {
        let mut out = self.0.outgoing.lock().unwrap();
        let owe = std::mem::take(&mut out.owe_space_avail) && !out.bytes.is_empty();
        (
            std::mem::take(&mut out.bytes),
            out.read_paused,
            out.disconnect,
            owe,
        )
    }
}

impl SocketDescriptor for LdkSocket {
    fn send_data(&mut self, data: &[u8], continue_read: bool) -> usize {
        let mut out = self.0.outgoing.lock().unwrap();
        out.read_paused = !continue_read;
        let room = WRITE_BUFFER.saturating_sub(out.bytes.len());
        let taken = room.min(data.len());
        out.bytes.extend_from_slice(&data[..taken]);
        if taken < data.len() {
            out.owe_space_avail = true;
        }
        drop(out);
        self.0.wake.notify_one();
        taken
    }

    fn disconnect_socket(&mut self) {
        self.0.outgoing.lock().unwrap().disconnect = true;
        self.0.wake.notify_one();
    }
}

/// The LDK `PeerManager` calls the socket glue needs, object-safe (any LDK peer manager
/// over [`LdkSocket`], whatever its handlers).
pub trait LdkPeers: Send + Sync + 'static {
    /// `new_outbound_connection`: act one, or `None` if refused.
    fn new_outbound(
        &self,
        their: PublicKey,
        socket: LdkSocket,
        remote: SocketAddress,
    ) -> Option<Vec<u8>>;
    /// `new_inbound_connection`.
    fn new_inbound(&self, socket: LdkSocket, remote: SocketAddress) -> bool;
    /// `read_event`; false means LDK dropped the peer.
    fn read(&self, socket: &mut LdkSocket, data: &[u8]) -> bool;
    /// `write_buffer_space_avail`; false means LDK dropped the peer.
    fn space_available(&self, socket: &mut LdkSocket) -> bool;
    /// `socket_disconnected`.
    fn socket_closed(&self, socket: &LdkSocket);
    /// `process_events`.
    fn process(&self);
    /// `timer_tick_occurred`.
    fn tick(&self);
    /// Node ids of peers whose handshake and `init` completed (`list_peers`).
    fn connected(&self) -> Vec<PublicKey>;
}

impl<T> LdkPeers for T
where
    T: APeerManager<Descriptor = LdkSocket> + Send + Sync + 'static,
{
    fn new_outbound(
        &self,
        their: PublicKey,
        socket: LdkSocket,
        remote: SocketAddress,
    ) -> Option<Vec<u8>> {
        self.as_ref()
            .new_outbound_connection(their, socket, Some(remote))
            .ok()
    }
    fn new_inbound(&self, socket: LdkSocket, remote: SocketAddress) -> bool {
        self.as_ref()
            .new_inbound_connection(socket, Some(remote))
            .is_ok()
    }
    fn read(&self, socket: &mut LdkSocket, data: &[u8]) -> bool {
        self.as_ref().read_event(socket, data).is_ok()
    }
    fn space_available(&self, socket: &mut LdkSocket) -> bool {
        self.as_ref().write_buffer_space_avail(socket).is_ok()
    }
    fn socket_closed(&self, socket: &LdkSocket) {
        self.as_ref().socket_disconnected(socket)
    }
    fn process(&self) {
        self.as_ref().process_events()
    }
    fn tick(&self) {
        self.as_ref().timer_tick_occurred()
    }
    fn connected(&self) -> Vec<PublicKey> {
        self.as_ref()
            .list_peers()
            .into_iter()
            .map(|p| p.counterparty_node_id)
            .collect()
    }
}

fn ldk_address(addr: SocketAddr) -> SocketAddress {
    match addr {
        SocketAddr::V4(v4) => SocketAddress::TcpIpV4 {
            addr: v4.ip().octets(),
            port: v4.port(),
        },
        SocketAddr::V6(v6) => SocketAddress::TcpIpV6 {
            addr: v6.ip().octets(),
            port: v6.port(),
        },
    }
}

/// LDK dials `their` at `addr`.
pub async fn ldk_connect(peers: Arc<dyn LdkPeers>, their: PublicKey, addr: SocketAddr) {
    let stream = TcpStream::connect(addr).await.expect("tcp connect");
    stream.set_nodelay(true).unwrap();
    let socket = LdkSocket::new();
    let act_one = peers
        .new_outbound(their, socket.clone(), ldk_address(addr))
        .expect("LDK accepts the outbound connection");
    let mut first = socket.clone();
    // Queued like any other output, ahead of everything else.
    assert_eq!(first.send_data(&act_one, true), act_one.len());
    tokio::spawn(run_socket(peers, socket, stream));
}

/// LDK listens on an ephemeral loopback port; returns it.
pub async fn ldk_listen(peers: Arc<dyn LdkPeers>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, remote)) = listener.accept().await {
            stream.set_nodelay(true).unwrap();
            let socket = LdkSocket::new();
            if peers.new_inbound(socket.clone(), ldk_address(remote)) {
                tokio::spawn(run_socket(Arc::clone(&peers), socket, stream));
            }
        }
    });
    local
}

/// One socket: LDK's output to the wire, the wire's input to LDK.
async fn run_socket(peers: Arc<dyn LdkPeers>, mut socket: LdkSocket, stream: TcpStream) {
    let (mut reader, mut writer) = stream.into_split();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let (bytes, read_paused, disconnect, owe_space_avail) = socket.take();
        if !bytes.is_empty() {
            if writer.write_all(&bytes).await.is_err() {
                peers.socket_closed(&socket);
                return;
            }
            if owe_space_avail && !peers.space_available(&mut socket) {
                peers.socket_closed(&socket);
                return;
            }
            continue;
        }
        if disconnect {
            let _ = writer.shutdown().await;
            return;
        }
        tokio::select! {
            read = reader.read(&mut buf), if !read_paused => match read {
                Ok(0) | Err(_) => {
                    peers.socket_closed(&socket);
                    return;
                }
                Ok(n) => {
                    if !peers.read(&mut socket, &buf[..n]) {
                        // LDK dropped the peer; write what it queued, then close.
                        let (last, ..) = socket.take();
                        let _ = writer.write_all(&last).await;
                        let _ = writer.shutdown().await;
                        return;
                    }
                    peers.process();
                }
            },
            _ = socket.0.wake.notified() => {}
        }
    }
}
