//! Monitor updates: the versioned blobs a channel emits whenever its state changes in a way that must survive a crash.
