//! Opening SQLite connections and applying the numbered migrations in `server/migrations/`.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations, SchemaVersion};

use super::StoreError;

/// The migrations, in order; migration `N` is `server/migrations/00N_*.sql`. Each is applied
/// in one transaction together with the `user_version` bump. Never edit an applied one.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../migrations/001_initial.sql")),
    M::up(include_str!("../../migrations/002_sent_heads.sql")),
    M::up(include_str!("../../migrations/003_checksum.sql")),
    M::up(include_str!("../../migrations/004_change_log.sql")),
    M::up(include_str!("../../migrations/005_validation.sql")),
    M::up(include_str!("../../migrations/006_deleted.sql")),
    M::up(include_str!("../../migrations/007_view.sql")),
    M::up(include_str!("../../migrations/008_auth.sql")),
    M::up(include_str!("../../migrations/009_audit.sql")),
    M::up(include_str!("../../migrations/010_quarantine_repeats.sql")),
    M::up(include_str!("../../migrations/011_damaged.sql")),
];

/// The schema version this binary writes.
pub(crate) fn latest_version() -> usize {
    MIGRATIONS.len()
}

/// Opens a connection with the pragmas every connection needs.
///
/// `synchronous=FULL` makes a commit durable before the server answers: an acknowledged sync
/// survives a power cut, which matters more here than write throughput.
pub(crate) fn open(path: &Path) -> Result<Connection, StoreError> {
    let fail = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    let conn = Connection::open(path).map_err(fail)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(fail)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        .map_err(fail)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(fail)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(fail)?;
    Ok(conn)
}

/// Opens a read-only connection to a database [`open`] has already set up (WAL is a
/// property of the file, so it is not set again).
pub(crate) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let fail = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    let conn = Connection::open(path).map_err(fail)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(fail)?;
    conn.pragma_update(None, "query_only", "ON").map_err(fail)?;
    Ok(conn)
}

/// Opens `path` read-only, for a data directory the server cannot write: through SQLite's
/// shared memory when the `-wal`/`-shm` files are there (a server was killed: the WAL may
/// hold committed changes), else as an immutable file (a clean stop left no WAL, and with
/// a read-only directory nothing can change it).
pub(crate) fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    let fail = |source| StoreError::Open {
        path: path.to_owned(),
        source,
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let readable = |conn: Connection| -> rusqlite::Result<Connection> {
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
        Ok(conn)
    };
    let shared = Connection::open_with_flags(path, flags).and_then(readable);
    let conn = match shared {
        Ok(conn) => conn,
        Err(err) if wal_file(path).exists() => return Err(fail(err)),
        Err(_) => {
            let uri = format!("file:{}?immutable=1", uri_path(path));
            Connection::open_with_flags(uri, flags)
                .and_then(readable)
                .map_err(fail)?
        }
    };
    conn.busy_timeout(Duration::from_secs(5)).map_err(fail)?;
    Ok(conn)
}

/// The `-wal` file beside `path`.
fn wal_file(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}

/// `path` for a `file:` URI: the characters a URI path gives meaning to, escaped.
fn uri_path(path: &Path) -> String {
    path.to_string_lossy()
        .chars()
        .map(|c| match c {
            '%' => "%25".to_owned(),
            '?' => "%3f".to_owned(),
            '#' => "%23".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// Checks that a database opened read-only is at this binary's schema (it cannot be
/// migrated).
pub(crate) fn check_current(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
    let found = usize::try_from(found).unwrap_or(0);
    if found == latest_version() {
        return Ok(());
    }
    Err(StoreError::Corrupt {
        what: format!("database {}", path.display()),
        detail: format!(
            "it is read-only and at schema version {found}, but this fieldsync-server needs \
             version {}: make the data directory writable so it can be migrated",
            latest_version()
        ),
    })
}

/// Brings the database to the latest schema, refusing one newer than this binary.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let migrations = Migrations::from_slice(MIGRATIONS);
    let fail = |source| StoreError::Migrate {
        path: path.to_owned(),
        source,
    };
    if let SchemaVersion::Outside(found) = migrations.current_version(conn).map_err(fail)? {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: found.get(),
            supported: latest_version(),
        });
    }
    migrations.to_latest(conn).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATIONS)
            .validate()
            .expect("valid migrations");
    }

    #[test]
    fn a_newer_database_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db.sqlite");
        let mut conn = open(&path).expect("open");
        conn.pragma_update(None, "user_version", 99)
            .expect("set version");
        let err = migrate(&mut conn, &path).expect_err("newer database");
        assert!(
            matches!(err, StoreError::TooNew { found: 99, .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("upgrade fieldsync-server"),
            "{err}"
        );
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(version, 99);
    }
}
