//! Arbitrary bytes as a Lightning message: decoding must never panic, and whatever decodes
//! must survive a round trip (`decode(encode(m)) == m`).

use lightning::wire::Message;

/// Runs one fuzz input through `Message::read`. Panics only on a bug.
pub fn run(data: &[u8]) {
    let Ok(message) = Message::read(data) else {
        return;
    };
    let encoded = message.encode();
    let again = Message::read(&encoded).expect("an encoded message decodes");
    assert_eq!(again, message, "decode(encode(m)) == m");
    assert_eq!(again.encode(), encoded, "encoding is stable");
}
