//! [`KVStore`]: bytes by namespace and key, and [`MemoryStore`], the in-memory store.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::names::{is_valid_key, is_valid_namespace};

/// Which store operation failed (carried by [`KVStoreError::Io`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreOperation {
    /// Reading a value.
    Read,
    /// Writing a value (including its crash-safety steps: temporary file, sync, rename).
    Write,
    /// Removing a value.
    Remove,
    /// Listing a namespace.
    List,
    /// Opening or preparing the store.
    Open,
}

impl fmt::Display for StoreOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Remove => "remove",
            Self::List => "list",
            Self::Open => "open",
        })
    }
}

/// Why a [`KVStore`] operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KVStoreError {
    /// The namespace is not valid (see [`is_valid_namespace`]).
    InvalidNamespace,
    /// The key is not valid (see [`is_valid_key`]).
    InvalidKey,
    /// [`read`](KVStore::read) of a key that holds no value.
    NotFound,
    /// A [`write`](KVStore::write) where a key and a nested namespace would have the same name
    /// (key `b` in namespace `a` while namespace `a/b` holds values, or the reverse).
    NameConflict,
    /// The storage failed; `os_error` is the operating system's error code when there is one.
    Io {
        /// The operation that failed.
        operation: StoreOperation,
        /// The raw OS error code, if the failure came from the OS.
        os_error: Option<i32>,
    },
}

impl fmt::Display for KVStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidNamespace => f.write_str("invalid store namespace"),
            Self::InvalidKey => f.write_str("invalid store key"),
            Self::NotFound => f.write_str("no value stored under that key"),
            Self::NameConflict => f.write_str("a key and a namespace would share a name"),
            Self::Io {
                operation,
                os_error: Some(code),
            } => write!(f, "store {operation} failed (OS error {code})"),
            Self::Io {
                operation,
                os_error: None,
            } => write!(f, "store {operation} failed"),
        }
    }
}

impl core::error::Error for KVStoreError {}

/// Checks a (namespace, key) pair against the naming rules every store enforces.
pub(crate) fn check_names(namespace: &str, key: &str) -> Result<(), KVStoreError> {
    if !is_valid_namespace(namespace) {
        return Err(KVStoreError::InvalidNamespace);
    }
    if !is_valid_key(key) {
        return Err(KVStoreError::InvalidKey);
    }
    Ok(())
}

/// A synchronous key-value store: values are bytes, found by a namespace and a key.
///
/// Namespaces are `/`-separated paths of valid keys, or empty for the root (see
/// [`is_valid_namespace`] and [`is_valid_key`]); every method rejects other names with
/// [`KVStoreError::InvalidNamespace`] / [`KVStoreError::InvalidKey`] before touching storage.
///
/// Contract:
/// - [`write`](Self::write) replaces the value atomically: after a crash at any point a read
///   returns either the old value (or nothing, if there was none) or the new one, never a mix.
///   When it returns `Ok`, the value is durable.
/// - A key and a nested namespace in the same namespace cannot share a name (key `b` in `a`
///   and namespace `a/b`): a write that would make them do so fails with
///   [`KVStoreError::NameConflict`]. A namespace exists while it (or a namespace below it)
///   holds a value.
/// - [`remove`](Self::remove) is durable on `Ok` and succeeds for a key that holds nothing;
///   [`remove_lazily`](Self::remove_lazily) is the same without the durability.
/// - [`list`](Self::list) returns the keys holding a value directly in `namespace` (not those of
///   nested namespaces), sorted; an unknown namespace lists as empty.
/// - A store that cannot answer at once (network storage) belongs behind a
///   [`Persister`](super::Persister) answering `InProgress`, not behind this trait.
pub trait KVStore: Send {
    /// The value under (`namespace`, `key`), or [`KVStoreError::NotFound`].
    fn read(&self, namespace: &str, key: &str) -> Result<Vec<u8>, KVStoreError>;

    /// Stores `value` under (`namespace`, `key`), replacing any previous value atomically.
    fn write(&mut self, namespace: &str, key: &str, value: &[u8]) -> Result<(), KVStoreError>;

    /// Removes the value under (`namespace`, `key`) if there is one.
    fn remove(&mut self, namespace: &str, key: &str) -> Result<(), KVStoreError>;

    /// Removes the value under (`namespace`, `key`) like [`remove`](Self::remove), except that
    /// the removal need not be durable on `Ok`: after a crash the value may be back. Call it
    /// for values nothing reads any more once something else is durable (a persister's folded
    /// deltas, once the full value that includes them is written), where a store can save the
    /// cost of syncing each removal. The default is [`remove`](Self::remove).
    fn remove_lazily(&mut self, namespace: &str, key: &str) -> Result<(), KVStoreError> {
        self.remove(namespace, key)
    }

    /// The keys holding a value directly in `namespace`, sorted.
    fn list(&self, namespace: &str) -> Result<Vec<String>, KVStoreError>;
}

/// A [`KVStore`] in memory: for tests, and for `no_std` users who flush it themselves.
///
/// It applies the same naming rules as every store. Clone it to take a snapshot (for example,
/// the state a crash would leave).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryStore {
    entries: BTreeMap<(String, String), Vec<u8>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of values stored, over all namespaces.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the store holds no value.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every (namespace, key) holding a value, sorted.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .keys()
            .map(|(namespace, key)| (namespace.as_str(), key.as_str()))
    }
}

impl MemoryStore {
    /// Whether a value in namespace `path` or below it exists.
    fn namespace_in_use(&self, path: &str) -> bool {
        self.entries
            .range((path.to_string(), String::new())..)
            .take_while(|((ns, _), _)| ns.starts_with(path))
            .any(|((ns, _), _)| ns.len() == path.len() || ns.as_bytes()[path.len()] == b'/')
    }

    /// Whether writing `key` in `namespace` would give a key and a namespace the same name.
    fn conflicts(&self, namespace: &str, key: &str) -> bool {
        let nested = if namespace.is_empty() {
            key.to_string()
        } else {
            let mut path = namespace.to_string();
            path.push('/');
            path.push_str(key);
            path
        };
        if self.namespace_in_use(&nested) {
            return true;
        }
        // Each segment of `namespace` must not be a key of its parent namespace.
        let mut parent = "";
        for (end, segment) in segment_ends(namespace) {
            if self
                .entries
                .contains_key(&(parent.to_string(), segment.to_string()))
            {
                return true;
            }
            parent = &namespace[..end];
        }
        false
    }
}

/// The segments of a namespace with the end offset of each (`a/b` gives `(1, a)`, `(3, b)`).
fn segment_ends(namespace: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    namespace
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(move |segment| {
            let end = start + segment.len();
            start = end + 1;
            (end, segment)
        })
}

impl KVStore for MemoryStore {
    fn read(&self, namespace: &str, key: &str) -> Result<Vec<u8>, KVStoreError> {
        check_names(namespace, key)?;
        self.entries
            .get(&(namespace.to_string(), key.to_string()))
            .cloned()
            .ok_or(KVStoreError::NotFound)
    }

    fn write(&mut self, namespace: &str, key: &str, value: &[u8]) -> Result<(), KVStoreError> {
        check_names(namespace, key)?;
        if self.conflicts(namespace, key) {
            return Err(KVStoreError::NameConflict);
        }
        self.entries
            .insert((namespace.to_string(), key.to_string()), value.to_vec());
        Ok(())
    }

    fn remove(&mut self, namespace: &str, key: &str) -> Result<(), KVStoreError> {
        check_names(namespace, key)?;
        self.entries
            .remove(&(namespace.to_string(), key.to_string()));
        Ok(())
    }

    fn list(&self, namespace: &str) -> Result<Vec<String>, KVStoreError> {
        if !is_valid_namespace(namespace) {
            return Err(KVStoreError::InvalidNamespace);
        }
        let start = (namespace.to_string(), String::new());
        Ok(self
            .entries
            .range(start..)
            .take_while(|((ns, _), _)| ns == namespace)
            .map(|((_, key), _)| key.clone())
            .collect())
    }
}
