//! [`FilesystemStore`]: a crash-safe [`KVStore`] in a directory (feature `std`).

use alloc::string::String;
use alloc::vec::Vec;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::kv_store::{check_names, KVStore, KVStoreError, StoreOperation};
use super::names::{is_valid_key, is_valid_namespace};

/// The prefix of the temporary files a write goes through. Keys cannot start with `.`, so a
/// temporary file is never mistaken for a value.
const TEMP_PREFIX: &str = ".tmp-";

/// A [`KVStore`] in a directory: each namespace is a directory (nested namespaces are nested
/// directories), each key a file holding the value.
///
/// A write goes to a temporary file in the namespace's directory, which is synced, then renamed
/// over the key's file, and then the directory itself is synced (so the rename survives a power
/// loss). A crash at any point leaves either the old value or the new one. A
/// [`remove`](KVStore::remove) syncs the directory; a [`remove_lazily`](KVStore::remove_lazily)
/// does not (after a crash the value may be back). Temporary files a
/// crash leaves behind are never read or listed, and [`open`](Self::open) deletes them.
///
/// One `FilesystemStore` at a time per directory: opening a second one on the same directory
/// (in this process or another) while the first writes can delete its temporary files.
#[derive(Debug)]
pub struct FilesystemStore {
    root: PathBuf,
    next_temp_id: u64,
}

fn io_error(operation: StoreOperation) -> impl Fn(io::Error) -> KVStoreError {
    move |e| KVStoreError::Io {
        operation,
        os_error: e.raw_os_error(),
    }
}

/// Syncs a directory so the entries created, renamed or removed in it are durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    // Windows cannot open a directory as a file; its renames are journaled by NTFS.
    #[cfg(not(windows))]
    File::open(dir)?.sync_all()?;
    #[cfg(windows)]
    let _ = dir;
    Ok(())
}

impl FilesystemStore {
    /// Opens (creating it if needed) the store in directory `root`, and deletes the temporary
    /// files earlier crashes left behind.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, KVStoreError> {
        let root = root.into();
        let to_error = io_error(StoreOperation::Open);
        if !root.is_dir() {
            fs::create_dir_all(&root).map_err(&to_error)?;
            if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
                sync_dir(parent).map_err(&to_error)?;
            }
        }
        let store = FilesystemStore {
            root,
            next_temp_id: 0,
        };
        store.remove_stale_temp_files()?;
        Ok(store)
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Deletes every temporary file left by an interrupted write, in every namespace; returns
    /// how many were deleted. [`open`](Self::open) calls it.
    pub fn remove_stale_temp_files(&self) -> Result<usize, KVStoreError> {
        remove_temp_files_under(&self.root).map_err(io_error(StoreOperation::Open))
    }

    fn namespace_dir(&self, namespace: &str) -> PathBuf {
        let mut dir = self.root.clone();
        if !namespace.is_empty() {
            for segment in namespace.split('/') {
                dir.push(segment);
            }
        }
        dir
    }

    /// Creates `dir` (a namespace directory below the root) and syncs every directory whose
    /// entries changed, so the new directories survive a power loss.
    fn create_namespace_dir(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        let mut current = dir;
        while current != self.root {
            let Some(parent) = current.parent() else {
                break;
            };
            sync_dir(parent)?;
            current = parent;
        }
        Ok(())
    }

    /// Fails with [`KVStoreError::NameConflict`] if `key` in `dir` is a namespace holding
    /// values, or if a segment of `dir` is a key of its parent namespace. `dir_exists`: whether
    /// `dir` is a directory.
    fn check_no_conflict(
        &self,
        dir: &Path,
        key: &str,
        dir_exists: bool,
    ) -> Result<(), KVStoreError> {
        // Without `dir`, nothing exists in it.
        if dir_exists {
            let target = dir.join(key);
            // An empty directory is a namespace whose values were all removed: not a conflict.
            if target.is_dir() && fs::remove_dir(&target).is_err() {
                return Err(KVStoreError::NameConflict);
            }
        } else {
            let mut current = dir;
            while current != self.root {
                if current.exists() && !current.is_dir() {
                    return Err(KVStoreError::NameConflict);
                }
                let Some(parent) = current.parent() else {
                    break;
                };
                current = parent;
            }
        }
        Ok(())
    }

    /// Unlinks `key`'s file in `namespace` (absent: nothing to do) and deletes the namespace
    /// directories it leaves empty, syncing the directories it changes if `sync`.
    fn remove_key(&self, namespace: &str, key: &str, sync: bool) -> Result<(), KVStoreError> {
        check_names(namespace, key)?;
        let dir = self.namespace_dir(namespace);
        let path = dir.join(key);
        if !dir.is_dir() || path.is_dir() {
            return Ok(());
        }
        match fs::remove_file(&path) {
            Ok(()) => self
                .prune(&dir, sync)
                .map_err(io_error(StoreOperation::Remove)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error(StoreOperation::Remove)(e)),
        }
    }

    /// Syncs `dir` after a removal in it, then deletes it and its parents up to the root while
    /// they are empty (a namespace exists only while it holds values), syncing each parent
    /// when `sync` (a durable removal).
    fn prune(&self, dir: &Path, sync: bool) -> io::Result<()> {
        if sync {
            sync_dir(dir)?;
        }
        let mut current = dir;
        while current != self.root {
            if fs::remove_dir(current).is_err() {
                break;
            }
            let Some(parent) = current.parent() else {
                break;
            };
            if sync {
                sync_dir(parent)?;
            }
            current = parent;
        }
        Ok(())
    }

    fn write_value(
        &mut self,
        dir: &Path,
        key: &str,
        value: &[u8],
        dir_exists: bool,
    ) -> io::Result<()> {
        if !dir_exists {
            self.create_namespace_dir(dir)?;
        }
        let temp_id = self.next_temp_id;
        self.next_temp_id = self.next_temp_id.wrapping_add(1);
        let mut temp_name = String::from(TEMP_PREFIX);
        temp_name.push_str(key);
        temp_name.push('-');
        temp_name.push_str(&temp_id.to_string());
        let temp_path = dir.join(&temp_name);
        let result = (|| {
            let mut file = File::create(&temp_path)?;
            file.write_all(value)?;
            file.sync_all()?;
            drop(file);
            fs::rename(&temp_path, dir.join(key))?;
            sync_dir(dir)
        })();
        if result.is_err() {
            // Best effort: a leftover temporary file is harmless (never read, deleted at open).
            let _ = fs::remove_file(&temp_path);
        }
        result
    }
}

fn remove_temp_files_under(dir: &Path) -> io::Result<usize> {
    let mut removed = 0usize;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let file_type = entry.file_type()?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if file_type.is_dir() {
            if is_valid_key(&name) {
                removed = removed.saturating_add(remove_temp_files_under(&entry.path())?);
            }
        } else if file_type.is_file() && name.starts_with(TEMP_PREFIX) {
            fs::remove_file(entry.path())?;
            removed = removed.saturating_add(1);
        }
    }
    if removed > 0 {
        sync_dir(dir)?;
    }
    Ok(removed)
}

impl KVStore for FilesystemStore {
    fn read(&self, namespace: &str, key: &str) -> Result<Vec<u8>, KVStoreError> {
        check_names(namespace, key)?;
        let dir = self.namespace_dir(namespace);
        let path = dir.join(key);
        if !dir.is_dir() || path.is_dir() {
            return Err(KVStoreError::NotFound);
        }
        fs::read(&path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => KVStoreError::NotFound,
            _ => io_error(StoreOperation::Read)(e),
        })
    }

    fn write(&mut self, namespace: &str, key: &str, value: &[u8]) -> Result<(), KVStoreError> {
        check_names(namespace, key)?;
        let dir = self.namespace_dir(namespace);
        let dir_exists = dir.is_dir();
        self.check_no_conflict(&dir, key, dir_exists)?;
        self.write_value(&dir, key, value, dir_exists)
            .map_err(io_error(StoreOperation::Write))
    }

    fn remove(&mut self, namespace: &str, key: &str) -> Result<(), KVStoreError> {
        self.remove_key(namespace, key, true)
    }

    /// Unlinks the key's file and deletes the namespace directories it leaves empty, without
    /// syncing any directory.
    fn remove_lazily(&mut self, namespace: &str, key: &str) -> Result<(), KVStoreError> {
        self.remove_key(namespace, key, false)
    }

    fn list(&self, namespace: &str) -> Result<Vec<String>, KVStoreError> {
        if !is_valid_namespace(namespace) {
            return Err(KVStoreError::InvalidNamespace);
        }
        let to_error = io_error(StoreOperation::List);
        let dir = self.namespace_dir(namespace);
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(to_error(e)),
        };
        let mut keys = Vec::new();
        for entry in entries {
            let entry = entry.map_err(&to_error)?;
            if !entry.file_type().map_err(&to_error)?.is_file() {
                continue;
            }
            if let Some(name) = entry.file_name().to_str() {
                if is_valid_key(name) {
                    keys.push(String::from(name));
                }
            }
        }
        keys.sort();
        Ok(keys)
    }
}
