//! Why a store operation failed ([`StoreError`]), and which failures are storage faults a
//! client can only wait out ([`StorageFault`]: 507 or 503, see [`crate::error::ApiError`]).

use std::path::PathBuf;

/// Why a store operation failed. Variants carry what happened; none of their text is ever
/// sent to a client (see [`crate::error::ApiError`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The database file could not be opened or configured.
    #[error("cannot open database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The database was written by a newer fieldsync-server: refusing to touch it.
    #[error(
        "database {path} has schema version {found}, but this fieldsync-server knows only up to \
         version {supported}: upgrade fieldsync-server (the database was not modified)"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The database's `user_version`.
        found: usize,
        /// The newest version this binary knows.
        supported: usize,
    },
    /// Applying a migration failed (the migration's transaction was rolled back).
    #[error("cannot migrate database {path}: {source}")]
    Migrate {
        /// The database file.
        path: PathBuf,
        /// The migration error.
        source: rusqlite_migration::Error,
    },
    /// A SQLite statement failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The transaction holding this round's changes failed to commit and was rolled back.
    #[error("the database could not commit this round; nothing of it was kept")]
    CommitFailed {
        /// The storage fault that made the commit fail, if it was one.
        cause: Option<StorageFault>,
    },
    /// The round panicked (a bug); its changes were rolled back.
    #[error("internal error while processing the round; nothing of it was kept")]
    Panicked,
    /// Another process (a running server, a restore) holds the data directory's lock.
    #[error(
        "data directory {dir} is in use by another fieldsync-server process (it holds {lock}); \
         stop it first",
        lock = super::lock::LOCK_FILE
    )]
    Locked {
        /// The data directory.
        dir: PathBuf,
    },
    /// The data directory's lock file could not be opened or locked.
    #[error("cannot lock {path}: {source}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A stored value does not have the shape the store wrote (hand-edited or damaged file).
    #[error("corrupt stored data for {what}: {detail}")]
    Corrupt {
        /// What was being read (`check <id>`, `meta.actor`).
        what: String,
        /// What is wrong with it.
        detail: String,
    },
}

/// A storage condition the client can do nothing about but wait: the disk is full, or the
/// database cannot be written (read-only file system or directory, I/O error, lock held too
/// long). The round was rolled back; the device keeps its changes and retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFault {
    /// No space left (`SQLITE_FULL`: a full disk or the `--max-db-pages` limit).
    Full,
    /// The database cannot be written now (`SQLITE_READONLY`, `SQLITE_CANTOPEN`,
    /// `SQLITE_IOERR`, `SQLITE_BUSY` after the busy timeout, `SQLITE_PERM`).
    Unavailable,
}

impl StoreError {
    /// The storage fault behind this error, if it is one (see [`StorageFault`]).
    pub fn storage_fault(&self) -> Option<StorageFault> {
        use rusqlite::ErrorCode;
        let sqlite = match self {
            Self::Sqlite(err) | Self::Open { source: err, .. } => err,
            Self::CommitFailed { cause } => return *cause,
            _ => return None,
        };
        let rusqlite::Error::SqliteFailure(failure, _) = sqlite else {
            return None;
        };
        match failure.code {
            ErrorCode::DiskFull => Some(StorageFault::Full),
            ErrorCode::ReadOnly
            | ErrorCode::CannotOpen
            | ErrorCode::SystemIoFailure
            | ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::PermissionDenied => Some(StorageFault::Unavailable),
            _ => None,
        }
    }
}
