//! Opening SQLite connections and applying the numbered migrations in `server/migrations/`.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
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
