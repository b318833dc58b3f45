//! One socket's task: bytes in to the peer manager, its bytes out to the socket, with
//! backpressure both ways, until the socket dies or the peer manager closes it.

use std::sync::Arc;

use lightning::peer::{ConnectionId, PeerMessageHandler};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

use crate::node::{Shared, State};
use crate::os::unix_now;

/// How a connection's loop ended.
enum End {
    /// The peer manager closes it: write these bytes and whatever it still has, then close.
    Closing(Vec<u8>),
    /// The socket is gone (EOF or an error): nothing more can be written.
    SocketGone,
}

/// Runs the connection `conn` over `stream`, first writing `first_bytes` (act one for a
/// connection we dialled). Always ends by reporting the socket closed to the peer manager.
pub(crate) async fn run_connection<H: PeerMessageHandler + Send + 'static>(
    shared: Arc<Shared<H>>,
    conn: ConnectionId,
    stream: TcpStream,
    first_bytes: Vec<u8>,
) {
    let (mut reader, mut writer) = stream.into_split();
    let end = drive(&shared, conn, &mut reader, &mut writer, first_bytes).await;
    if let End::Closing(unwritten) = end {
        let flush = flush_and_close(&shared, conn, &mut writer, unwritten);
        // A peer that does not read its last bytes does not keep the socket open.
        let _ = tokio::time::timeout(shared.config.close_flush_timeout, flush).await;
    }
    drop((reader, writer));
    shared.connection_ended(conn);
}

/// The connection's loop. Each turn it takes the next chunk of output from the peer manager
/// (only once the previous chunk is fully written, so unwritten bytes stay in the peer
/// manager and count towards its congestion), then waits for whichever comes first: the
/// socket accepted some output, input arrived (read only while the peer manager
/// `wants_read`), or the node changed (new output may be waiting).
async fn drive<H: PeerMessageHandler>(
    shared: &Shared<H>,
    conn: ConnectionId,
    reader: &mut OwnedReadHalf,
    writer: &mut OwnedWriteHalf,
    first_bytes: Vec<u8>,
) -> End {
    let mut changes = shared.subscribe();
    let mut buf = vec![0u8; shared.config.read_buffer.max(1)];
    let chunk = shared.config.write_chunk.max(1);
    let mut out = first_bytes;
    let mut pos = 0;
    loop {
        changes.borrow_and_update();
        let (closing, wants_read) = shared.peek(|state| {
            if pos == out.len() {
                out = state
                    .peers
                    .poll_transmit_limited(conn, chunk)
                    .unwrap_or_default();
                pos = 0;
            }
            (state.closing.contains(&conn), state.peers.wants_read(conn))
        });
        if closing {
            return End::Closing(out.split_off(pos));
        }
        tokio::select! {
            written = writer.write(&out[pos..]), if pos < out.len() => match written {
                Ok(0) | Err(_) => return End::SocketGone,
                Ok(n) => {
                    pos += n;
                    if pos == out.len() {
                        // The buffer drained: input held back by congestion may resume, and
                        // the handler's bulk messages may flow again.
                        shared.call(|_| ());
                    }
                }
            },
            read = reader.read(&mut buf), if wants_read => match read {
                Ok(0) | Err(_) => return End::SocketGone,
                Ok(n) => shared.call(|state| {
                    let State { peers, handler, .. } = state;
                    // An error means the connection is closing; `settle` collects it from
                    // `poll_disconnect` and the next turn closes the socket.
                    let _ = peers.read(conn, &buf[..n], handler, unix_now());
                }),
            },
            // The sender lives in `shared`: `changed` cannot fail while we hold it.
            _ = changes.changed() => {}
        }
    }
}

/// Writes `unwritten` and every byte the peer manager still has for `conn`, then shuts the
/// socket's write side.
async fn flush_and_close<H: PeerMessageHandler>(
    shared: &Shared<H>,
    conn: ConnectionId,
    writer: &mut OwnedWriteHalf,
    mut unwritten: Vec<u8>,
) {
    loop {
        if unwritten.is_empty() {
            match shared.peek(|state| state.peers.poll_transmit(conn)) {
                Some(bytes) => unwritten = bytes,
                None => break,
            }
        }
        if writer.write_all(&unwritten).await.is_err() {
            return;
        }
        unwritten.clear();
    }
    let _ = writer.shutdown().await;
}
