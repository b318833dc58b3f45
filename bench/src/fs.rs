//! Filesystem helpers shared by both libraries' full-stack harnesses: a temporary directory
//! removed on drop, and counters of what a store wrote.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A fresh directory under `std::env::temp_dir()`, removed (with its contents) on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `<temp>/bench-<label>-<pid>-<n>` (n counts up within the process).
    pub fn new(label: &str) -> std::io::Result<TempDir> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("bench-{label}-{}-{n}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir_all(&path)?;
        Ok(TempDir { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temp dir is harmless.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// What a store wrote: bytes of values and the number of writes (each one fsync'd file plus
/// its fsync'd directory), and removals.
#[derive(Debug, Default)]
pub struct WriteCounters {
    /// Bytes of values written.
    pub bytes: AtomicU64,
    /// Values written.
    pub writes: AtomicU64,
    /// Values removed.
    pub removes: AtomicU64,
}

impl WriteCounters {
    /// Records one write of `len` bytes.
    pub fn record_write(&self, len: usize) {
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
        self.writes.fetch_add(1, Ordering::Relaxed);
    }

    /// Records one removal.
    pub fn record_remove(&self) {
        self.removes.fetch_add(1, Ordering::Relaxed);
    }

    /// (bytes, writes) so far.
    pub fn snapshot(&self) -> (u64, u64) {
        (
            self.bytes.load(Ordering::Relaxed),
            self.writes.load(Ordering::Relaxed),
        )
    }
}
