//! `FilesystemStore`: reads, writes, lists and removes through the `KVStore` trait, atomic
//! overwrites (a crash between the temporary write and the rename leaves the old value), name
//! validation, lazy removals, and agreement with `MemoryStore` on random operation sequences.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use lightning::persist::{FilesystemStore, KVStore, KVStoreError, MemoryStore};
use proptest::prelude::*;

/// A unique directory under the system temporary directory, deleted when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "lightning-persist-{}-{name}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            out.extend(files_under(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}

#[test]
fn write_read_list_remove() {
    let dir = TempDir::new("basic");
    let mut store = FilesystemStore::open(dir.path()).unwrap();
    assert_eq!(store.root(), dir.path());
    assert_eq!(store.read("ns", "a"), Err(KVStoreError::NotFound));
    assert_eq!(store.list("ns").unwrap(), Vec::<String>::new());

    store.write("ns", "b", b"bee").unwrap();
    store.write("ns", "a", b"ay").unwrap();
    store.write("", "root_key", b"at the root").unwrap();
    store.write("ns/nested", "c", b"sea").unwrap();
    store.write("ns", "empty", b"").unwrap();

    assert_eq!(store.read("ns", "a").unwrap(), b"ay");
    assert_eq!(store.read("ns", "b").unwrap(), b"bee");
    assert_eq!(store.read("ns", "empty").unwrap(), b"");
    assert_eq!(store.read("", "root_key").unwrap(), b"at the root");
    assert_eq!(store.read("ns/nested", "c").unwrap(), b"sea");
    // Namespaces are separate: the same key elsewhere holds nothing.
    assert_eq!(store.read("other", "a"), Err(KVStoreError::NotFound));
    // A nested namespace is not a key of its parent.
    assert_eq!(store.read("ns", "nested"), Err(KVStoreError::NotFound));
    assert_eq!(store.list("ns").unwrap(), ["a", "b", "empty"]);
    assert_eq!(store.list("").unwrap(), ["root_key"]);
    assert_eq!(store.list("ns/nested").unwrap(), ["c"]);

    store.write("ns", "a", b"overwritten").unwrap();
    assert_eq!(store.read("ns", "a").unwrap(), b"overwritten");

    store.remove("ns", "a").unwrap();
    assert_eq!(store.read("ns", "a"), Err(KVStoreError::NotFound));
    // Removing what is not there is fine.
    store.remove("ns", "a").unwrap();
    store.remove("nowhere", "a").unwrap();
    assert_eq!(store.list("ns").unwrap(), ["b", "empty"]);

    // Values survive reopening the store.
    drop(store);
    let store = FilesystemStore::open(dir.path()).unwrap();
    assert_eq!(store.read("ns", "b").unwrap(), b"bee");
    assert_eq!(store.read("ns/nested", "c").unwrap(), b"sea");
    // No temporary file remains after successful writes.
    for file in files_under(dir.path()) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "leftover {name}");
    }
}

#[test]
fn interrupted_write_leaves_the_old_value() {
    let dir = TempDir::new("crash");
    let mut store = FilesystemStore::open(dir.path()).unwrap();
    store.write("monitors", "chan", b"old value").unwrap();

    // A write that crashed after writing its temporary file but before the rename.
    let temp = dir.path().join("monitors").join(".tmp-chan-7");
    std::fs::write(&temp, b"new value, maybe partial").unwrap();
    // Another that crashed for a key that never existed.
    let temp_new_key = dir.path().join("monitors").join(".tmp-fresh-8");
    std::fs::write(&temp_new_key, b"partial").unwrap();

    assert_eq!(store.read("monitors", "chan").unwrap(), b"old value");
    assert_eq!(store.read("monitors", "fresh"), Err(KVStoreError::NotFound));
    assert_eq!(store.list("monitors").unwrap(), ["chan"]);

    // The same store keeps working around the leftovers.
    store.write("monitors", "chan", b"newer").unwrap();
    assert_eq!(store.read("monitors", "chan").unwrap(), b"newer");
    assert_eq!(store.list("monitors").unwrap(), ["chan"]);

    // Reopening (the restart after the crash) deletes the leftovers.
    drop(store);
    let store = FilesystemStore::open(dir.path()).unwrap();
    assert!(!temp.exists());
    assert!(!temp_new_key.exists());
    assert_eq!(store.read("monitors", "chan").unwrap(), b"newer");
    assert_eq!(store.remove_stale_temp_files().unwrap(), 0);
}

#[test]
fn stale_temp_files_in_nested_namespaces_are_removed() {
    let dir = TempDir::new("nested-crash");
    let mut store = FilesystemStore::open(dir.path()).unwrap();
    store.write("a/b", "k", b"v").unwrap();
    std::fs::write(dir.path().join("a").join("b").join(".tmp-k-1"), b"x").unwrap();
    std::fs::write(dir.path().join(".tmp-root-2"), b"x").unwrap();
    assert_eq!(store.remove_stale_temp_files().unwrap(), 2);
    assert_eq!(store.read("a/b", "k").unwrap(), b"v");
}

const BAD_KEYS: &[&str] = &[
    "",
    ".",
    "..",
    ".tmp-chan-7",
    ".hidden",
    "a/b",
    "a\\b",
    "a b",
    "a.b",
    "é",
    "nul\0",
];

const BAD_NAMESPACES: &[&str] = &["/", "/a", "a/", "a//b", "..", "a/../b", "./a", "a b", "ü"];

#[test]
fn bad_names_are_rejected_without_touching_the_disk() {
    let dir = TempDir::new("names");
    let mut store = FilesystemStore::open(dir.path()).unwrap();
    let long = "k".repeat(121);
    let max = "k".repeat(120);
    let mut bad_keys: Vec<&str> = BAD_KEYS.to_vec();
    bad_keys.push(&long);
    for key in bad_keys {
        assert_eq!(
            store.write("ns", key, b"v"),
            Err(KVStoreError::InvalidKey),
            "{key:?}"
        );
        assert_eq!(
            store.read("ns", key),
            Err(KVStoreError::InvalidKey),
            "{key:?}"
        );
        assert_eq!(
            store.remove("ns", key),
            Err(KVStoreError::InvalidKey),
            "{key:?}"
        );
    }
    for namespace in BAD_NAMESPACES {
        let expected = Err(KVStoreError::InvalidNamespace);
        assert_eq!(store.write(namespace, "k", b"v"), expected, "{namespace:?}");
        assert_eq!(store.read(namespace, "k").map(|_| ()), expected);
        assert_eq!(store.remove(namespace, "k"), expected);
        assert_eq!(store.list(namespace).map(|_| ()), expected);
    }
    assert!(files_under(dir.path()).is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // The longest valid key and the allowed characters work.
    store.write("ns-1/ns_2", &max, b"v").unwrap();
    store.write("ns", "AZaz09-_", b"v").unwrap();
    assert_eq!(store.read("ns-1/ns_2", &max).unwrap(), b"v");
}

#[test]
fn memory_store_rejects_the_same_names() {
    let mut store = MemoryStore::new();
    for key in BAD_KEYS {
        assert_eq!(store.write("ns", key, b"v"), Err(KVStoreError::InvalidKey));
    }
    for namespace in BAD_NAMESPACES {
        assert_eq!(
            store.write(namespace, "k", b"v"),
            Err(KVStoreError::InvalidNamespace)
        );
    }
    assert!(store.is_empty());
}

#[derive(Clone, Debug)]
enum Op {
    Write(usize, usize, Vec<u8>),
    Remove(usize, usize),
    RemoveLazily(usize, usize),
}

const NAMESPACES: &[&str] = &["", "a", "a/b", "c"];
const KEYS: &[&str] = &["k1", "k2", "b", "x_y"];

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            0..NAMESPACES.len(),
            0..KEYS.len(),
            proptest::collection::vec(any::<u8>(), 0..40)
        )
            .prop_map(|(n, k, v)| Op::Write(n, k, v)),
        (0..NAMESPACES.len(), 0..KEYS.len()).prop_map(|(n, k)| Op::Remove(n, k)),
        (0..NAMESPACES.len(), 0..KEYS.len()).prop_map(|(n, k)| Op::RemoveLazily(n, k)),
    ]
}

proptest! {
    // Every write syncs to disk, so keep the case count low.
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The filesystem store answers exactly like the in-memory one, before and after a reopen.
    #[test]
    fn filesystem_store_agrees_with_memory_store(ops in proptest::collection::vec(op_strategy(), 1..24)) {
        let dir = TempDir::new("prop");
        let mut fs_store = FilesystemStore::open(dir.path()).unwrap();
        let mut memory = MemoryStore::new();
        for op in &ops {
            match op {
                Op::Write(n, k, v) => {
                    let expected = memory.write(NAMESPACES[*n], KEYS[*k], v);
                    // Only a name conflict (key `b` in `a` against namespace `a/b`) may fail.
                    prop_assert!(matches!(expected, Ok(()) | Err(KVStoreError::NameConflict)));
                    prop_assert_eq!(fs_store.write(NAMESPACES[*n], KEYS[*k], v), expected);
                }
                Op::Remove(n, k) => {
                    prop_assert_eq!(fs_store.remove(NAMESPACES[*n], KEYS[*k]), Ok(()));
                    prop_assert_eq!(memory.remove(NAMESPACES[*n], KEYS[*k]), Ok(()));
                }
                // Without a crash, a lazy removal is a removal (the memory store's is the
                // default one, `remove`).
                Op::RemoveLazily(n, k) => {
                    prop_assert_eq!(fs_store.remove_lazily(NAMESPACES[*n], KEYS[*k]), Ok(()));
                    prop_assert_eq!(memory.remove_lazily(NAMESPACES[*n], KEYS[*k]), Ok(()));
                }
            }
        }
        let fs_store = FilesystemStore::open(dir.path()).unwrap();
        for namespace in NAMESPACES {
            prop_assert_eq!(fs_store.list(namespace), memory.list(namespace));
            for key in KEYS {
                prop_assert_eq!(fs_store.read(namespace, key), memory.read(namespace, key));
            }
        }
    }
}

#[test]
fn keys_and_namespaces_cannot_share_a_name() {
    let dir = TempDir::new("conflict");
    let mut fs_store = FilesystemStore::open(dir.path()).unwrap();
    let mut memory = MemoryStore::new();
    let stores: [&mut dyn KVStore; 2] = [&mut fs_store, &mut memory];
    for store in stores {
        store.write("a/b", "k", b"v").unwrap();
        assert_eq!(store.write("a", "b", b"v"), Err(KVStoreError::NameConflict));
        assert_eq!(store.write("", "a", b"v"), Err(KVStoreError::NameConflict));
        store.write("x", "y", b"v").unwrap();
        assert_eq!(
            store.write("x/y", "z", b"v"),
            Err(KVStoreError::NameConflict)
        );
        assert_eq!(
            store.write("x/y/z", "w", b"v"),
            Err(KVStoreError::NameConflict)
        );
        // Once a namespace holds nothing, its name is free for a key.
        store.remove("a/b", "k").unwrap();
        store.write("a", "b", b"now a key").unwrap();
        assert_eq!(store.read("a", "b").unwrap(), b"now a key");
        assert_eq!(store.list("a/b").unwrap(), Vec::<String>::new());
    }
}

#[test]
fn lazy_removal_removes_and_frees_the_namespace_name() {
    let dir = TempDir::new("lazy");
    let mut fs_store = FilesystemStore::open(dir.path()).unwrap();
    let mut memory = MemoryStore::new();
    let stores: [&mut dyn KVStore; 2] = [&mut fs_store, &mut memory];
    for store in stores {
        store.write("p/q/r", "k", b"v").unwrap();
        store.write("p/q", "kept", b"kept").unwrap();
        assert_eq!(
            store.write("p/q", "r", b"v"),
            Err(KVStoreError::NameConflict)
        );
        store.remove_lazily("p/q/r", "k").unwrap();
        assert_eq!(store.read("p/q/r", "k"), Err(KVStoreError::NotFound));
        assert_eq!(store.list("p/q/r").unwrap(), Vec::<String>::new());
        // Removing what is not there is fine.
        store.remove_lazily("p/q/r", "k").unwrap();
        store.remove_lazily("nowhere", "k").unwrap();
        // The emptied namespace no longer exists: its name is free for a key.
        store.write("p/q", "r", b"now a key").unwrap();
        assert_eq!(store.list("p/q").unwrap(), ["kept", "r"]);
        for key in BAD_KEYS {
            assert_eq!(store.remove_lazily("p", key), Err(KVStoreError::InvalidKey));
        }
        for namespace in BAD_NAMESPACES {
            assert_eq!(
                store.remove_lazily(namespace, "k"),
                Err(KVStoreError::InvalidNamespace)
            );
        }
    }
    drop(fs_store);
    let fs_store = FilesystemStore::open(dir.path()).unwrap();
    assert_eq!(fs_store.read("p/q/r", "k"), Err(KVStoreError::NotFound));
    assert_eq!(fs_store.read("p/q", "r").unwrap(), b"now a key");
}
