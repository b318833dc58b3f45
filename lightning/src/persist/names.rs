//! The names a [`KVStore`](super::KVStore) accepts, and the key spellings of channel ids and
//! update ids.

use alloc::string::String;
use core::fmt::Write;

use crate::wire::ChannelId;

/// The longest key (in bytes) a store accepts.
pub const MAX_KEY_LEN: usize = 120;

/// Whether `key` is a valid key: 1 to [`MAX_KEY_LEN`] ASCII letters, digits, `-` or `_`.
///
/// The rule keeps keys safe as file names on every filesystem (no separators, no `.`, so no
/// `..` and no clash with a store's own temporary files, which start with `.`).
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `namespace` is valid: empty (the store's root), or one or more valid keys (see
/// [`is_valid_key`]) joined by `/` (nested namespaces, e.g. `monitor_updates/<channel>`).
pub fn is_valid_namespace(namespace: &str) -> bool {
    namespace.is_empty() || namespace.split('/').all(is_valid_key)
}

/// The key spelling of a channel id: 64 lowercase hex digits.
pub(crate) fn channel_key(channel_id: &ChannelId) -> String {
    let mut key = String::with_capacity(64);
    // Writing into a String cannot fail.
    let _ = write!(key, "{channel_id}");
    key
}

/// Reads a key written by [`channel_key`]; `None` for anything else.
pub(crate) fn parse_channel_key(key: &str) -> Option<ChannelId> {
    let bytes = key.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut id = [0u8; 32];
    for (out, pair) in id.iter_mut().zip(bytes.chunks_exact(2)) {
        *out = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
    }
    Some(ChannelId(id))
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// The key spelling of an update id: its decimal digits.
pub(crate) fn update_key(update_id: u64) -> String {
    let mut key = String::with_capacity(20);
    // Writing into a String cannot fail.
    let _ = write!(key, "{update_id}");
    key
}

/// Reads a key written by [`update_key`] (canonical decimal, no leading zeros); `None` for
/// anything else.
pub(crate) fn parse_update_key(key: &str) -> Option<u64> {
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if key.len() > 1 && key.starts_with('0') {
        return None;
    }
    key.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_keys_round_trip() {
        let id = ChannelId([0xab; 32]);
        let key = channel_key(&id);
        assert_eq!(key.len(), 64);
        assert!(is_valid_key(&key));
        assert_eq!(parse_channel_key(&key), Some(id));
        assert_eq!(parse_channel_key(&key.to_uppercase()), None);
        assert_eq!(parse_channel_key("ab"), None);
    }

    #[test]
    fn update_keys_round_trip() {
        for id in [0, 1, 9, 10, 12345, u64::MAX] {
            assert_eq!(parse_update_key(&update_key(id)), Some(id));
        }
        assert_eq!(parse_update_key("007"), None);
        assert_eq!(parse_update_key("18446744073709551616"), None);
        assert_eq!(parse_update_key("-1"), None);
    }
}
