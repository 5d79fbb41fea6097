//! The audit log: an append-only table (`audit`, migration 009, whose triggers refuse UPDATE
//! and DELETE). This module only ever inserts and reads.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::store::StoreError;

/// A user was added (`fieldsync-server user add`).
pub const USER_ADDED: &str = "user_added";
/// An enrolment code was issued for a user.
pub const CODE_ISSUED: &str = "code_issued";
/// A device exchanged a code for a token.
pub const DEVICE_ENROLLED: &str = "device_enrolled";
/// A device's token was revoked.
pub const DEVICE_REVOKED: &str = "device_revoked";
/// A review decision reached the server.
pub const REVIEW: &str = "review";
/// A conflict decision (resolve) reached the server.
pub const CONFLICT_DECISION: &str = "conflict_decision";
/// A manual link decision reached the server.
pub const MANUAL_LINK: &str = "manual_link";
/// A deletion tombstone reached the server.
pub const DELETION: &str = "deletion";
/// A sync message was refused because of what it changes or who wrote it.
pub const REJECTED_CHANGE: &str = "rejected_change";

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Row number, ascending with time.
    pub id: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// What happened (one of this module's constants, e.g. `device_enrolled`).
    pub action: String,
    /// The user who did it, or whom it concerns.
    pub user: Option<String>,
    /// The device concerned, if any.
    pub device: Option<String>,
    /// The check concerned, if any.
    pub check: Option<String>,
    /// What exactly (the review state, the reason, the role given...).
    pub detail: String,
}

/// A row to append; `at` is set to now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewAudit<'a> {
    /// One of this module's action constants.
    pub action: &'a str,
    /// The user who did it, or whom it concerns.
    pub user: Option<&'a str>,
    /// The device concerned.
    pub device: Option<&'a str>,
    /// The check concerned.
    pub check: Option<String>,
    /// Free text.
    pub detail: String,
}

/// Appends `entry` (inside the caller's transaction, if any).
///
/// # Errors
/// A database error.
pub fn append(conn: &Connection, entry: &NewAudit<'_>) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO audit (at, action, user, device, check_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        jiff::Timestamp::now().to_string(),
        entry.action,
        entry.user,
        entry.device,
        entry.check,
        entry.detail
    ])?;
    Ok(())
}

/// The rows at or after `since` (RFC 3339 UTC, compared as text), oldest first.
///
/// # Errors
/// A database error.
pub fn list(conn: &Connection, since: Option<&str>) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, action, user, device, check_id, detail FROM audit
         WHERE ?1 IS NULL OR at >= ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([since], |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            action: r.get(2)?,
            user: r.get(3)?,
            device: r.get(4)?,
            check: r.get(5)?,
            detail: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_append_and_cannot_be_changed_or_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = crate::store::open_connection(dir.path()).expect("open");
        let entry = NewAudit {
            action: DEVICE_REVOKED,
            user: Some("ana"),
            device: Some("dev-1"),
            detail: "lost phone".into(),
            ..NewAudit::default()
        };
        append(&conn, &entry).expect("append");
        let rows = list(&conn, None).expect("list");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].action, DEVICE_REVOKED);
        assert_eq!(rows[0].device.as_deref(), Some("dev-1"));
        let update = conn.execute("UPDATE audit SET detail = 'x'", []);
        assert!(
            update.is_err_and(|e| e.to_string().contains("append-only")),
            "an update is refused"
        );
        let delete = conn.execute("DELETE FROM audit", []);
        assert!(delete.is_err_and(|e| e.to_string().contains("append-only")));
        assert!(list(&conn, Some("9999")).expect("list").is_empty());
        assert_eq!(list(&conn, None).expect("list").len(), 1);
    }
}
