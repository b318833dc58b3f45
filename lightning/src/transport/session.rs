//! [`PeerTransport`]: one BOLT 8 connection from the first handshake byte to the last message.

use alloc::vec::Vec;
use core::fmt;

use secp256k1::PublicKey;

use super::ecdh::StaticKeyEcdh;
use super::error::{HandshakeAct, InvalidEphemeralKey, SendError, TransportError};
use super::framing::{encrypt_frame, FrameDecoder, InboundBuffer, MAX_MESSAGE_LEN};
use super::handshake::{
    EphemeralKey, InitiatorAwaitingActTwo, ResponderAwaitingActOne, ResponderAwaitingActThree,
    SessionCiphers, ACT_ONE_LEN, ACT_THREE_LEN, ACT_TWO_LEN,
};

/// One encrypted and authenticated BOLT 8 connection (Noise_XK_secp256k1_ChaChaPoly_SHA256),
/// as a sans-IO state machine: it never reads or writes a socket, never blocks, never draws
/// randomness, and never panics on what the peer sends.
///
/// # Call contract
///
/// 1. Create it:
///    - we dial: [`PeerTransport::new_outbound`] with the peer's node id, our node id and 32
///      fresh random bytes for the ephemeral key. It returns act one: send those 50 bytes.
///    - we accepted a connection: [`PeerTransport::new_inbound`] with our node id and 32 fresh
///      random bytes.
/// 2. Whenever bytes arrive from the socket, in chunks of any size, pass them to
///    [`PeerTransport::read`] together with the node's static-key ECDH ([`StaticKeyEcdh`]).
///    Then:
///    - send whatever [`PeerTransport::poll_transmit`] hands out (act two for the responder,
///      act three for the initiator; nothing else is ever produced on its own);
///    - drain [`PeerTransport::next_message`] until it returns `None`: each `Some(Ok(_))` is one
///      whole decrypted Lightning message, in order.
/// 3. Once [`PeerTransport::is_ready`] is true (the initiator after act two, the responder
///    after act three), [`PeerTransport::their_node_id`] is authenticated and
///    [`PeerTransport::encrypt_message`] (or [`PeerTransport::encrypt_message_into`]) turns a
///    message into the bytes to send. The responder must not send before it is ready; the
///    initiator may send right after act three.
/// 4. When the socket reports end of stream, call [`PeerTransport::handle_eof`]: it reports a
///    handshake or message cut short.
///
/// Every [`TransportError`] is terminal: the session drops its buffers and keys, the caller
/// must close the connection without sending anything more, and every later call fails with
/// `UsedAfterFailure` (`next_message` keeps returning `Some(Err(UsedAfterFailure))`, so stop
/// polling on the first error). [`SendError::NotReady`] and [`SendError::MessageTooLarge`]
/// are not terminal.
///
/// Keys rotate every 1000 nonces per direction, as BOLT 8 requires, with no action from the
/// caller.
pub struct PeerTransport {
    state: State,
    is_initiator: bool,
    their_node_id: Option<PublicKey>,
    inbound: InboundBuffer,
    pending_act: Option<Vec<u8>>,
    eof: bool,
}

enum State {
    InitiatorAwaitingActTwo(InitiatorAwaitingActTwo),
    ResponderAwaitingActOne(ResponderAwaitingActOne),
    ResponderAwaitingActThree(ResponderAwaitingActThree),
    Ready {
        ciphers: SessionCiphers,
        decoder: FrameDecoder,
    },
    Failed,
}

impl PeerTransport {
    /// Starts a handshake as the initiator towards `their_node_id`, returning the session and
    /// act one, which the caller sends first.
    ///
    /// `our_node_id` is our static public key, sent (encrypted) in act three; the matching
    /// secret is only used through the [`StaticKeyEcdh`] given to [`PeerTransport::read`].
    /// `ephemeral_secret` must be 32 fresh random bytes, never reused.
    pub fn new_outbound(
        their_node_id: PublicKey,
        our_node_id: PublicKey,
        ephemeral_secret: &[u8; 32],
    ) -> Result<(Self, [u8; ACT_ONE_LEN]), InvalidEphemeralKey> {
        let ephemeral = EphemeralKey::from_bytes(ephemeral_secret).ok_or(InvalidEphemeralKey)?;
        let (waiting, act_one) =
            InitiatorAwaitingActTwo::start(&their_node_id, our_node_id, ephemeral);
        let transport = PeerTransport {
            state: State::InitiatorAwaitingActTwo(waiting),
            is_initiator: true,
            their_node_id: Some(their_node_id),
            inbound: InboundBuffer::default(),
            pending_act: None,
            eof: false,
        };
        Ok((transport, act_one))
    }

    /// Prepares to answer a handshake as the responder. `our_node_id` is our static public key
    /// (the one the initiator dialled); `ephemeral_secret` must be 32 fresh random bytes.
    pub fn new_inbound(
        our_node_id: PublicKey,
        ephemeral_secret: &[u8; 32],
    ) -> Result<Self, InvalidEphemeralKey> {
        let ephemeral = EphemeralKey::from_bytes(ephemeral_secret).ok_or(InvalidEphemeralKey)?;
        Ok(PeerTransport {
            state: State::ResponderAwaitingActOne(ResponderAwaitingActOne::new(
                &our_node_id,
                ephemeral,
            )),
            is_initiator: false,
            their_node_id: None,
            inbound: InboundBuffer::default(),
            pending_act: None,
            eof: false,
        })
    }

    /// Takes bytes received from the peer, in chunks of any size (even one byte or none).
    ///
    /// Handshake acts are processed as soon as they are complete; `ecdh` is asked for the one
    /// static-key ECDH of the handshake (act one for the responder, act two for the initiator)
    /// and is otherwise unused. Bytes after the handshake are buffered for
    /// [`PeerTransport::next_message`]; they are not decrypted here.
    ///
    /// After this returns, call [`PeerTransport::poll_transmit`] and drain
    /// [`PeerTransport::next_message`]. An error is terminal (see the type's call contract).
    pub fn read(
        &mut self,
        data: &[u8],
        ecdh: &mut dyn StaticKeyEcdh,
    ) -> Result<(), TransportError> {
        if matches!(self.state, State::Failed) {
            return Err(TransportError::UsedAfterFailure);
        }
        self.inbound.push(data);
        self.advance_handshake(ecdh).inspect_err(|_| self.fail())
    }

    /// Runs every handshake act that is complete in the buffer.
    fn advance_handshake(&mut self, ecdh: &mut dyn StaticKeyEcdh) -> Result<(), TransportError> {
        loop {
            let needed = match &self.state {
                State::InitiatorAwaitingActTwo(_) => ACT_TWO_LEN,
                State::ResponderAwaitingActOne(_) => ACT_ONE_LEN,
                State::ResponderAwaitingActThree(_) => ACT_THREE_LEN,
                State::Ready { .. } | State::Failed => return Ok(()),
            };
            if self.inbound.available().len() < needed {
                return Ok(());
            }
            let act = &self.inbound.available()[..needed];
            self.state = match core::mem::replace(&mut self.state, State::Failed) {
                State::InitiatorAwaitingActTwo(waiting) => {
                    let (ciphers, act_three) = waiting.receive_act_two(fixed(act), ecdh)?;
                    self.pending_act = Some(act_three.to_vec());
                    ready(ciphers)
                }
                State::ResponderAwaitingActOne(waiting) => {
                    let (next, act_two) = waiting.receive_act_one(fixed(act), ecdh)?;
                    self.pending_act = Some(act_two.to_vec());
                    State::ResponderAwaitingActThree(next)
                }
                State::ResponderAwaitingActThree(waiting) => {
                    let (ciphers, their_node_id) = waiting.receive_act_three(fixed(act))?;
                    self.their_node_id = Some(their_node_id);
                    ready(ciphers)
                }
                // Unreachable: handled by the `return` above, and `state` was not changed since.
                other => other,
            };
            self.inbound.consume(needed);
        }
    }

    /// Hands out the next bytes the handshake needs sent to the peer (act two or act three),
    /// or `None`. Call after every [`PeerTransport::read`]. Messages are never produced here:
    /// they come from [`PeerTransport::encrypt_message`].
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.pending_act.take()
    }

    /// Decrypts and returns the next whole message received, `None` if none is complete yet
    /// (or the handshake is still running). Call repeatedly after each
    /// [`PeerTransport::read`] until it returns `None`.
    ///
    /// After [`PeerTransport::handle_eof`], a frame left unfinished is reported as
    /// [`TransportError::TruncatedMessage`] once the whole messages before it are returned.
    pub fn next_message(&mut self) -> Option<Result<Vec<u8>, TransportError>> {
        let State::Ready { ciphers, decoder } = &mut self.state else {
            return match self.state {
                State::Failed => Some(Err(TransportError::UsedAfterFailure)),
                _ => None,
            };
        };
        let result = match decoder.next_message(&mut ciphers.receiving, &mut self.inbound) {
            Some(result) => result,
            None => {
                let received = decoder.partial_frame_len(&self.inbound);
                if !self.eof || received == 0 {
                    return None;
                }
                Err(TransportError::TruncatedMessage { received })
            }
        };
        if result.is_err() {
            self.fail();
        }
        Some(result)
    }

    /// Tells the session the peer closed the stream. Returns an error if the handshake had not
    /// completed (including before any byte of the next act arrived). After the handshake it
    /// returns `Ok`, and [`PeerTransport::next_message`] reports a frame left unfinished once
    /// the complete messages are drained.
    pub fn handle_eof(&mut self) -> Result<(), TransportError> {
        let act = match self.state {
            State::Failed => return Err(TransportError::UsedAfterFailure),
            State::Ready { .. } => {
                self.eof = true;
                return Ok(());
            }
            State::ResponderAwaitingActOne(_) => HandshakeAct::One,
            State::InitiatorAwaitingActTwo(_) => HandshakeAct::Two,
            State::ResponderAwaitingActThree(_) => HandshakeAct::Three,
        };
        let received = self.inbound.available().len();
        self.fail();
        Err(TransportError::TruncatedAct { act, received })
    }

    /// Encrypts one Lightning message into a new frame to send to the peer.
    ///
    /// Fails with [`SendError::NotReady`] before the handshake completes and with
    /// [`SendError::MessageTooLarge`] for messages over 65535 bytes; neither changes the
    /// session. Frames must be sent in the order they were produced.
    pub fn encrypt_message(&mut self, message: &[u8]) -> Result<Vec<u8>, SendError> {
        let mut frame = Vec::new();
        self.encrypt_message_into(message, &mut frame)?;
        Ok(frame)
    }

    /// Like [`PeerTransport::encrypt_message`], but appends the frame (`message.len() + 34`
    /// bytes) to `out`, for callers that batch frames into one send buffer. On error `out` is
    /// left unchanged.
    pub fn encrypt_message_into(
        &mut self,
        message: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), SendError> {
        let ciphers = match &mut self.state {
            State::Ready { ciphers, .. } => ciphers,
            State::Failed => return Err(SendError::UsedAfterFailure),
            _ => return Err(SendError::NotReady),
        };
        if message.len() > MAX_MESSAGE_LEN {
            return Err(SendError::MessageTooLarge { len: message.len() });
        }
        encrypt_frame(&mut ciphers.sending, message, out);
        Ok(())
    }

    /// Whether the handshake completed: messages can be sent and received.
    pub fn is_ready(&self) -> bool {
        matches!(self.state, State::Ready { .. })
    }

    /// Whether an error ended the session. A failed session should be dropped.
    pub fn is_failed(&self) -> bool {
        matches!(self.state, State::Failed)
    }

    /// Whether we started the handshake ([`PeerTransport::new_outbound`]).
    pub fn is_initiator(&self) -> bool {
        self.is_initiator
    }

    /// The peer's node id (static public key): for the initiator the key it dialled (from the
    /// start, authenticated once ready); for the responder the key learnt in act three, `None`
    /// before that.
    pub fn their_node_id(&self) -> Option<PublicKey> {
        self.their_node_id
    }

    /// Drops keys, handshake state and buffered bytes after a terminal error.
    fn fail(&mut self) {
        self.state = State::Failed;
        self.inbound.release();
        self.pending_act = None;
    }
}

impl fmt::Debug for PeerTransport {
    /// Shows the phase and the peer, never key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phase = match self.state {
            State::InitiatorAwaitingActTwo(_) => "awaiting act two",
            State::ResponderAwaitingActOne(_) => "awaiting act one",
            State::ResponderAwaitingActThree(_) => "awaiting act three",
            State::Ready { .. } => "ready",
            State::Failed => "failed",
        };
        f.debug_struct("PeerTransport")
            .field("phase", &phase)
            .field("is_initiator", &self.is_initiator)
            .field("their_node_id", &self.their_node_id)
            .finish()
    }
}

/// The state after a successful final act.
fn ready(ciphers: SessionCiphers) -> State {
    State::Ready {
        ciphers,
        decoder: FrameDecoder::default(),
    }
}

/// Views a slice the caller cut to exactly `N` bytes as an array.
fn fixed<const N: usize>(bytes: &[u8]) -> &[u8; N] {
    // Invariant: `advance_handshake` slices exactly the act length it dispatches on.
    bytes.try_into().expect("act slice has the act's length")
}
