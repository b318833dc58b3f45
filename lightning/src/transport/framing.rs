//! Message framing after the handshake: `encrypted length (2) || MAC (16) || encrypted body ||
//! MAC (16)`, and the stream buffer that reassembles frames from arbitrary chunks.

use alloc::vec::Vec;

use super::cipher::{DirectionalCipher, MAC_LEN};
use super::error::{MacCheck, TransportError};

/// The largest Lightning message a frame can carry.
pub const MAX_MESSAGE_LEN: usize = u16::MAX as usize;

/// Bytes a frame adds around a message: the encrypted length prefix with its MAC, and the MAC
/// of the body.
pub const FRAME_OVERHEAD: usize = LENGTH_PREFIX_LEN + MAC_LEN;

/// The encrypted length prefix with its MAC.
const LENGTH_PREFIX_LEN: usize = 2 + MAC_LEN;

/// Appends the frame for `message` to `out`, using two nonces of `cipher`.
///
/// The caller has checked `message.len() <= MAX_MESSAGE_LEN`.
pub(crate) fn encrypt_frame(cipher: &mut DirectionalCipher, message: &[u8], out: &mut Vec<u8>) {
    debug_assert!(message.len() <= MAX_MESSAGE_LEN);
    // The caller's check makes this conversion lossless; saturate rather than panic regardless.
    let length = u16::try_from(message.len()).unwrap_or(u16::MAX);
    out.reserve(message.len() + FRAME_OVERHEAD);

    let mut length_bytes = length.to_be_bytes();
    let length_tag = cipher.encrypt(&mut length_bytes);
    out.extend_from_slice(&length_bytes);
    out.extend_from_slice(&length_tag);

    let body_start = out.len();
    out.extend_from_slice(message);
    let body_tag = cipher.encrypt(&mut out[body_start..]);
    out.extend_from_slice(&body_tag);
}

/// Bytes received but not yet consumed, kept in one vector with a read offset so that taking
/// many small frames off the front does not shift the rest each time.
#[derive(Default)]
pub(crate) struct InboundBuffer {
    bytes: Vec<u8>,
    start: usize,
}

impl InboundBuffer {
    /// Appends bytes read from the peer.
    pub(crate) fn push(&mut self, data: &[u8]) {
        // Drop consumed bytes once they are at least half of the vector: the copy then moves
        // no more bytes than were consumed, so the total cost stays linear.
        if self.start > 0 && self.start * 2 >= self.bytes.len() {
            self.bytes.drain(..self.start);
            self.start = 0;
        }
        self.bytes.extend_from_slice(data);
    }

    /// The bytes not yet consumed.
    pub(crate) fn available(&self) -> &[u8] {
        &self.bytes[self.start..]
    }

    /// Marks the first `count` available bytes as consumed (`count <= available().len()`).
    pub(crate) fn consume(&mut self, count: usize) {
        self.start = self.start.saturating_add(count).min(self.bytes.len());
        if self.start == self.bytes.len() {
            self.bytes.clear();
            self.start = 0;
        }
    }

    /// Forgets everything, releasing the memory (after a failure).
    pub(crate) fn release(&mut self) {
        self.bytes = Vec::new();
        self.start = 0;
    }
}

/// Reassembles and decrypts frames from an [`InboundBuffer`].
///
/// The length prefix is decrypted (and its MAC checked) as soon as its 18 bytes are present, so
/// a forged length fails without waiting for the body. The body is only copied out once all of
/// it and its MAC have arrived: nothing is allocated on the strength of the declared length.
#[derive(Default)]
pub(crate) struct FrameDecoder {
    /// The decrypted length of the frame whose body we are waiting for, if its prefix was read.
    pending_body_len: Option<u16>,
}

impl FrameDecoder {
    /// Decrypts the next whole message in `buffer`, `None` if more bytes are needed.
    pub(crate) fn next_message(
        &mut self,
        cipher: &mut DirectionalCipher,
        buffer: &mut InboundBuffer,
    ) -> Option<Result<Vec<u8>, TransportError>> {
        let body_len = match self.pending_body_len {
            Some(len) => usize::from(len),
            None => {
                let prefix = buffer.available().get(..LENGTH_PREFIX_LEN)?;
                let mut length_bytes = [prefix[0], prefix[1]];
                let tag = tag_at(prefix, 2);
                if cipher.decrypt(&mut length_bytes, &tag).is_err() {
                    return Some(Err(TransportError::BadMac(MacCheck::MessageLength)));
                }
                buffer.consume(LENGTH_PREFIX_LEN);
                let len = u16::from_be_bytes(length_bytes);
                self.pending_body_len = Some(len);
                usize::from(len)
            }
        };

        // At most 65535 + 16: cannot overflow.
        let frame = buffer.available().get(..body_len + MAC_LEN)?;
        let mut body = frame[..body_len].to_vec();
        let tag = tag_at(frame, body_len);
        if cipher.decrypt(&mut body, &tag).is_err() {
            return Some(Err(TransportError::BadMac(MacCheck::MessageBody)));
        }
        buffer.consume(body_len + MAC_LEN);
        self.pending_body_len = None;
        Some(Ok(body))
    }

    /// How many bytes of an unfinished frame have arrived (0 if the stream is between frames).
    pub(crate) fn partial_frame_len(&self, buffer: &InboundBuffer) -> usize {
        let prefix_len = if self.pending_body_len.is_some() {
            LENGTH_PREFIX_LEN
        } else {
            0
        };
        prefix_len + buffer.available().len()
    }
}

/// The 16 bytes of `bytes` starting at `offset` (the caller guarantees they exist).
fn tag_at(bytes: &[u8], offset: usize) -> [u8; MAC_LEN] {
    let mut tag = [0u8; MAC_LEN];
    tag.copy_from_slice(&bytes[offset..offset + MAC_LEN]);
    tag
}

#[cfg(test)]
mod tests {
    use super::InboundBuffer;

    #[test]
    fn buffer_keeps_unconsumed_bytes_in_order_across_compaction() {
        let mut buffer = InboundBuffer::default();
        buffer.push(&[1, 2, 3, 4]);
        buffer.consume(3);
        assert_eq!(buffer.available(), &[4]);
        buffer.push(&[5, 6]);
        assert_eq!(buffer.available(), &[4, 5, 6]);
        buffer.consume(3);
        assert!(buffer.available().is_empty());
        buffer.push(&[7]);
        assert_eq!(buffer.available(), &[7]);
    }
}
