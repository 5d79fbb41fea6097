//! The data directory's lock: one process at a time owns a data directory.
//!
//! A running server holds an exclusive advisory lock (`flock`) on `<data>/fieldsync.lock` for
//! as long as its store is open; `fieldsync-server restore` takes the same lock before it
//! replaces the database, so it cannot swap the file under a running server, and a second
//! server cannot open a directory another one serves. The kernel releases the lock when the
//! process ends, however it ends (`kill -9` included): a stale lock file never blocks.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::StoreError;

/// Name of the lock file inside the data directory.
pub const LOCK_FILE: &str = "fieldsync.lock";

/// An exclusive lock on a data directory, released on drop.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
    path: PathBuf,
}

impl DataLock {
    /// Takes the lock of `data_dir` (which must exist), without waiting.
    ///
    /// # Errors
    /// [`StoreError::Locked`] when another process (or another store in this process) holds
    /// it; [`StoreError::Lock`] when the lock file cannot be opened or locked.
    pub fn acquire(data_dir: &Path) -> Result<Self, StoreError> {
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .or_else(|err| {
                // A read-only data directory: a lock on a read-only handle still excludes
                // a restore (which needs the directory writable anyway).
                if read_only(&err) {
                    File::open(&path)
                } else {
                    Err(err)
                }
            })
            .map_err(|source| StoreError::Lock {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file, path }),
            Err(TryLockError::WouldBlock) => Err(StoreError::Locked {
                dir: data_dir.to_owned(),
            }),
            Err(TryLockError::Error(source)) => Err(StoreError::Lock { path, source }),
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// True for the errors of a directory or file system the process cannot write.
pub(crate) fn read_only(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = DataLock::acquire(dir.path()).expect("first");
        let err = DataLock::acquire(dir.path()).expect_err("held");
        assert!(matches!(err, StoreError::Locked { .. }), "{err}");
        assert!(err.to_string().contains("in use"), "{err}");
        drop(first);
        DataLock::acquire(dir.path()).expect("free again");
    }
}
