//! [`NodeHandle`]: the peer manager and its handler behind one lock, the timer task, and the
//! calls that open connections.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use lightning::bitcoin::secp256k1::PublicKey;
use lightning::peer::{ConnectionId, PeerManager, PeerMessageHandler};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::watch;
use tokio::task::AbortHandle;

use crate::addr::{address_descriptor, PeerAddr};
use crate::connection::run_connection;
use crate::error::{ConnectError, StartError};
use crate::os::{os_random_bytes, unix_now};

/// The adapter's own knobs (the protocol's timers are in the `PeerManagerConfig`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdapterConfig {
    /// How often [`PeerManager::tick`] runs (default 1 s).
    pub tick_interval: Duration,
    /// The most bytes taken from the peer manager for one socket write (default 64 KiB).
    /// Bytes not yet taken stay in the peer manager, where they count towards its
    /// backpressure high-water mark.
    pub write_chunk: usize,
    /// The size of each socket read (default 64 KiB).
    pub read_buffer: usize,
    /// How long a closing connection may spend writing its last bytes (e.g. a `warning`)
    /// before the socket is closed anyway (default 5 s).
    pub close_flush_timeout: Duration,
}

impl Default for AdapterConfig {
    fn default() -> Self {
        AdapterConfig {
            tick_interval: Duration::from_secs(1),
            write_chunk: 64 * 1024,
            read_buffer: 64 * 1024,
            close_flush_timeout: Duration::from_secs(5),
        }
    }
}

/// What lives behind the lock: the peer manager, the handler, and the adapter's bookkeeping.
pub(crate) struct State<H> {
    pub(crate) peers: PeerManager,
    pub(crate) handler: H,
    next_conn: u64,
    /// Connections with a running socket task.
    pub(crate) live: HashSet<ConnectionId>,
    /// Connections the peer manager asked us to close (from `poll_disconnect`).
    pub(crate) closing: HashSet<ConnectionId>,
    shutting_down: bool,
    listeners: Vec<AbortHandle>,
}

impl<H: PeerMessageHandler> State<H> {
    /// The end of every call into the peer manager: move the handler's messages out (the call
    /// contract asks for `process` after `read`, `tick` and commands) and collect the
    /// connections to close.
    pub(crate) fn settle(&mut self) {
        self.peers.process(&mut self.handler);
        while let Some(conn) = self.peers.poll_disconnect() {
            self.closing.insert(conn);
        }
    }
}

/// The shared part of a [`NodeHandle`].
pub(crate) struct Shared<H> {
    state: Mutex<State<H>>,
    /// Bumped after every change of `state`; socket tasks and waiters watch it, so nobody
    /// polls (a socket task wakes to write what the change produced).
    changed: watch::Sender<u64>,
    pub(crate) config: AdapterConfig,
}

impl<H: PeerMessageHandler> Shared<H> {
    /// Locks the state. A panic in another holder poisons the lock; the state is plain data
    /// still usable, so the poison is ignored.
    fn lock(&self) -> MutexGuard<'_, State<H>> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the state without settling or waking anyone (for reads of the state).
    pub(crate) fn peek<T>(&self, f: impl FnOnce(&mut State<H>) -> T) -> T {
        f(&mut self.lock())
    }

    /// Runs `f` on the state, settles it, and wakes every socket task and waiter.
    pub(crate) fn call<T>(&self, f: impl FnOnce(&mut State<H>) -> T) -> T {
        let result = {
            let mut state = self.lock();
            let result = f(&mut state);
            state.settle();
            result
        };
        self.changed
            .send_modify(|generation| *generation = generation.wrapping_add(1));
        result
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }
}

/// A running node on tokio: a [`PeerManager`] and its message handler `H` (e.g. the
/// `ChannelManager`, or `IgnoringMessageHandler`) behind one mutex, driven over TCP sockets.
///
/// Cheap to clone; every clone drives the same node.
///
/// # Call contract
///
/// 1. Create it inside a tokio runtime with [`NodeHandle::new`]; it starts a timer task that
///    calls [`PeerManager::tick`] every [`AdapterConfig::tick_interval`] with the system time.
/// 2. Accept peers with [`NodeHandle::listen`] (or hand over accepted sockets with
///    [`NodeHandle::accept_stream`]); dial them with [`NodeHandle::connect`] (or
///    [`NodeHandle::connect_stream`]). Each socket gets its own task that feeds the bytes it
///    reads to [`PeerManager::read`], writes what [`PeerManager::poll_transmit`] hands out,
///    stops reading while [`PeerManager::wants_read`] is false, and closes the socket when
///    the peer manager asks ([`PeerManager::poll_disconnect`]), after writing the last bytes
///    queued for it. A socket that ends on its own is reported with
///    [`PeerManager::socket_disconnected`].
/// 3. Use the handler (commands to the channel manager, reading its events) through
///    [`NodeHandle::with`]; afterwards the handler's messages are moved out and the socket
///    tasks are woken to write them.
/// 4. Wait for a condition with [`NodeHandle::wait_until`] (it re-checks after every change).
/// 5. [`NodeHandle::shutdown`] closes every connection and stops the listeners and the timer.
///
/// The clock is `SystemTime` (as a `Duration` since the Unix epoch) and the handshake's
/// ephemeral keys are read from `/dev/urandom` (see [`crate::os`]).
pub struct NodeHandle<H> {
    shared: Arc<Shared<H>>,
}

impl<H> Clone for NodeHandle<H> {
    fn clone(&self) -> Self {
        NodeHandle {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<H: PeerMessageHandler + Send + 'static> NodeHandle<H> {
    /// Starts a node around `peers` and `handler` (pass the same handler the peer manager is
    /// meant to serve; it is passed to every peer manager call). Must be called from inside a
    /// tokio runtime: it spawns the timer task.
    pub fn new(peers: PeerManager, handler: H, config: AdapterConfig) -> Result<Self, StartError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| StartError::NoRuntime)?;
        let state = State {
            peers,
            handler,
            next_conn: 0,
            live: HashSet::new(),
            closing: HashSet::new(),
            shutting_down: false,
            listeners: Vec::new(),
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            changed: watch::channel(0).0,
            config,
        });
        runtime.spawn(run_timer(Arc::downgrade(&shared)));
        Ok(NodeHandle { shared })
    }

    /// Our node id.
    pub fn node_id(&self) -> PublicKey {
        self.shared.peek(|state| state.peers.our_node_id())
    }

    /// Runs `f` with the peer manager and the handler (e.g. to open a channel, drain events,
    /// or disconnect a peer), then moves the handler's messages out and wakes the socket
    /// tasks. Keep `f` short: every socket waits for the lock meanwhile. Do not call other
    /// `NodeHandle` methods from inside `f` (the lock is not reentrant).
    pub fn with<T>(&self, f: impl FnOnce(&mut PeerManager, &mut H) -> T) -> T {
        self.shared
            .call(|state| f(&mut state.peers, &mut state.handler))
    }

    /// Waits until `check` returns `Some`, re-running it after every change of the node (a
    /// message handled, a peer connected or gone, a command). Combine with
    /// `tokio::time::timeout` to bound the wait. Like [`NodeHandle::with`], `check` must not
    /// call other `NodeHandle` methods.
    pub async fn wait_until<T>(
        &self,
        mut check: impl FnMut(&mut PeerManager, &mut H) -> Option<T>,
    ) -> T {
        self.wait_state(|state| check(&mut state.peers, &mut state.handler))
            .await
    }

    /// [`NodeHandle::wait_until`] over the whole state.
    async fn wait_state<T>(&self, mut check: impl FnMut(&mut State<H>) -> Option<T>) -> T {
        let mut changes = self.shared.subscribe();
        loop {
            changes.borrow_and_update();
            if let Some(value) = self.shared.peek(&mut check) {
                return value;
            }
            // The sender lives in `shared`, which we hold: `changed` cannot fail.
            let _ = changes.changed().await;
        }
    }

    /// Dials `peer` and starts its connection. Returns once the TCP connection is up and act
    /// one is queued; use [`NodeHandle::connect_and_wait`] to wait for the `init` exchange.
    pub async fn connect(&self, peer: &PeerAddr) -> Result<ConnectionId, ConnectError> {
        let stream = TcpStream::connect(peer.socket_target()).await?;
        self.connect_stream(stream, peer.node_id)
    }

    /// Dials `peer` and waits until both `init`s are exchanged (or the connection ends).
    pub async fn connect_and_wait(&self, peer: &PeerAddr) -> Result<ConnectionId, ConnectError> {
        let conn = self.connect(peer).await?;
        let node_id = peer.node_id;
        self.wait_state(|state| {
            if state.peers.connection_of(&node_id) == Some(conn) {
                Some(Ok(conn))
            } else if !state.live.contains(&conn) {
                Some(Err(ConnectError::Closed))
            } else {
                None
            }
        })
        .await
    }

    /// Starts an outbound connection to `their_node_id` over a socket the caller connected.
    /// Call from inside the tokio runtime (it spawns the socket's task).
    pub fn connect_stream(
        &self,
        stream: TcpStream,
        their_node_id: PublicKey,
    ) -> Result<ConnectionId, ConnectError> {
        let ephemeral = os_random_bytes()?;
        let remote = stream.peer_addr().ok();
        let (conn, act_one) = self.register(remote, |peers, conn| {
            peers.new_outbound_connection(conn, their_node_id, ephemeral, unix_now())
        })?;
        self.spawn_connection(conn, stream, act_one);
        Ok(conn)
    }

    /// Starts an inbound connection over a socket the caller accepted. Call from inside the
    /// tokio runtime (it spawns the socket's task).
    pub fn accept_stream(&self, stream: TcpStream) -> Result<ConnectionId, ConnectError> {
        let ephemeral = os_random_bytes()?;
        let remote = stream.peer_addr().ok();
        let (conn, ()) = self.register(remote, |peers, conn| {
            peers.new_inbound_connection(conn, ephemeral, unix_now())
        })?;
        self.spawn_connection(conn, stream, Vec::new());
        Ok(conn)
    }

    /// Binds a listener on `addr` and accepts peers on it until [`NodeHandle::shutdown`].
    /// Returns the bound address (useful with port 0).
    pub async fn listen(&self, addr: impl ToSocketAddrs) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let task = tokio::spawn(run_listener(Arc::downgrade(&self.shared), listener));
        self.shared.peek(|state| {
            if state.shutting_down {
                task.abort();
            } else {
                state.listeners.push(task.abort_handle());
            }
        });
        Ok(local)
    }

    /// The peers whose `init` exchange completed.
    pub fn connected_peers(&self) -> Vec<PublicKey> {
        self.shared.peek(|state| state.peers.connected_peers())
    }

    /// Whether the socket task of `conn` is still running.
    pub fn is_live(&self, conn: ConnectionId) -> bool {
        self.shared.peek(|state| state.live.contains(&conn))
    }

    /// Closes the connection with `their_node_id` (after writing what is queued for it);
    /// returns whether it was connected.
    pub fn disconnect_peer(&self, their_node_id: PublicKey) -> bool {
        self.shared.call(|state| {
            state
                .peers
                .disconnect_peer(their_node_id, &mut state.handler)
        })
    }

    /// Closes every connection (after writing what is queued for each), stops the listeners
    /// and the timer, and waits until every socket task has ended.
    pub async fn shutdown(&self) {
        self.shared.call(|state| {
            state.shutting_down = true;
            for listener in state.listeners.drain(..) {
                listener.abort();
            }
            let conns: Vec<ConnectionId> = state.live.iter().copied().collect();
            for conn in conns {
                if !state.peers.disconnect(conn, &mut state.handler) {
                    // Already closing or forgotten by the peer manager: close the socket.
                    state.closing.insert(conn);
                }
            }
        });
        self.wait_state(|state| state.live.is_empty().then_some(()))
            .await;
    }

    /// Allocates a connection id and registers it with `open`, the peer manager call that
    /// creates it.
    fn register<T>(
        &self,
        remote: Option<SocketAddr>,
        open: impl FnOnce(
            &mut PeerManager,
            ConnectionId,
        ) -> Result<T, lightning::peer::NewConnectionError>,
    ) -> Result<(ConnectionId, T), ConnectError> {
        self.shared.call(|state| {
            if state.shutting_down {
                return Err(ConnectError::ShuttingDown);
            }
            state.next_conn = state.next_conn.wrapping_add(1);
            let conn = ConnectionId(state.next_conn);
            let opened = open(&mut state.peers, conn)?;
            if let Some(remote) = remote {
                state
                    .peers
                    .set_remote_address(conn, address_descriptor(&remote));
            }
            state.live.insert(conn);
            Ok((conn, opened))
        })
    }

    fn spawn_connection(&self, conn: ConnectionId, stream: TcpStream, first_bytes: Vec<u8>) {
        // Nagle would delay small messages (pongs, commitment dances) for no gain.
        let _ = stream.set_nodelay(true);
        tokio::spawn(run_connection(
            Arc::clone(&self.shared),
            conn,
            stream,
            first_bytes,
        ));
    }
}

impl<H: PeerMessageHandler> Shared<H> {
    /// A socket task ended: tell the peer manager and forget the connection.
    pub(crate) fn connection_ended(&self, conn: ConnectionId) {
        self.call(|state| {
            state.peers.socket_disconnected(conn, &mut state.handler);
            state.closing.remove(&conn);
            state.live.remove(&conn);
        });
    }
}

/// Calls `tick` every `tick_interval` until the node is dropped or shut down.
async fn run_timer<H: PeerMessageHandler>(shared: Weak<Shared<H>>) {
    let interval = match shared.upgrade() {
        Some(shared) => shared.config.tick_interval,
        None => return,
    };
    let mut timer = tokio::time::interval(interval);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        timer.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let stop = shared.call(|state| {
            let State { peers, handler, .. } = state;
            peers.tick(unix_now(), handler);
            state.shutting_down
        });
        if stop {
            return;
        }
    }
}

/// Accepts sockets until the node is dropped (or the task is aborted by `shutdown`).
async fn run_listener<H: PeerMessageHandler + Send + 'static>(
    shared: Weak<Shared<H>>,
    listener: TcpListener,
) {
    loop {
        let accepted = listener.accept().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        match accepted {
            Ok((stream, _)) => {
                let node = NodeHandle { shared };
                // A refused socket (shutting down, no OS randomness) is dropped: closed.
                let _ = node.accept_stream(stream);
            }
            // Out of file descriptors and the like: wait a little rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
