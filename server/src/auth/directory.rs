//! Users, devices, enrolment codes and tokens in SQLite (tables of migration 008). Used by
//! the admin subcommands, by `POST /api/v1/enrol` and by authentication. Every function takes
//! a connection; those that write more than one row run in one transaction.
//!
//! This module: users, their devices' tokens (revocation, authentication, the registry);
//! `enrolment`: codes and their exchange for a token (re-exported here).

use std::time::Duration;

use fieldsync_schema::Role;
use rusqlite::{Connection, TransactionBehavior, params};
use serde::Serialize;

use super::audit::{self, NewAudit};
use super::{DEFAULT_TEAM, Identity, Registry, secret};
use crate::store::StoreError;

mod enrolment;

use self::enrolment::insert_code;
pub use self::enrolment::{DEFAULT_CODE_TTL, Enrolment, enrol, issue_code};

/// Why a directory operation was refused. Every message names the value and the rule.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// A name, team or role that breaks a rule.
    #[error("{0}")]
    Invalid(String),
    /// `user add` with a name that exists.
    #[error("a user named {0:?} already exists")]
    DuplicateUser(String),
    /// No such user.
    #[error("no user named {0:?}; list them with `fieldsync-server user list`")]
    UnknownUser(String),
    /// No such device.
    #[error("no device {0:?}; list them with `fieldsync-server device list`")]
    UnknownDevice(String),
    /// The code is unknown, used or expired (one message: do not tell which).
    #[error(
        "the enrolment code is unknown, already used or expired: ask an admin for a new one \
         (fieldsync-server device enrol --user NAME)"
    )]
    BadCode,
    /// The device id or actor is already enrolled (for another user, or not revoked).
    #[error("{0}")]
    Taken(String),
    /// The device was set up offline under another name or role than the code's user.
    #[error("{0}")]
    Mismatch(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for DirectoryError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sqlite(e))
    }
}

/// A user as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team.
    pub team: String,
    /// Devices enrolled and not revoked.
    pub devices: u32,
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

fn check_text(what: &str, value: &str) -> Result<String, DirectoryError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 200 || trimmed.contains(['\n', '\r']) {
        return Err(DirectoryError::Invalid(format!(
            "{what} {value:?}: must be 1 to 200 characters on one line"
        )));
    }
    Ok(trimmed.to_owned())
}

/// Parses a role given to `user add` (`inspector`, `supervisor` or `admin`).
///
/// # Errors
/// Any other text, named.
pub fn parse_role(text: &str) -> Result<Role, DirectoryError> {
    match text.parse::<Role>() {
        Ok(role) if role != Role::Server => Ok(role),
        _ => Err(DirectoryError::Invalid(format!(
            "role {text:?}: expected inspector, supervisor or admin"
        ))),
    }
}

/// Adds a user (team [`DEFAULT_TEAM`] when `team` is `None`) and issues a first enrolment
/// code valid for `ttl`; returns the code.
///
/// # Errors
/// A bad name or team, a name that exists, or a database error.
pub fn add_user(
    conn: &mut Connection,
    name: &str,
    role: Role,
    team: Option<&str>,
    ttl: Duration,
) -> Result<String, DirectoryError> {
    let name = check_text("user name", name)?;
    let team = check_text("team", team.unwrap_or(DEFAULT_TEAM))?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let exists = tx
        .prepare_cached("SELECT 1 FROM users WHERE name = ?1")?
        .exists([&name])?;
    if exists {
        return Err(DirectoryError::DuplicateUser(name));
    }
    tx.execute(
        "INSERT INTO users (name, role, team, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, role.as_str(), team, now().to_string()],
    )?;
    let detail = format!("role {}, team {team}", role.as_str());
    audit::append(&tx, &audit_row(audit::USER_ADDED, &name, None, detail))?;
    let code = insert_code(&tx, &name, ttl)?;
    tx.commit()?;
    Ok(code)
}

fn audit_row<'a>(
    action: &'a str,
    user: &'a str,
    device: Option<&'a str>,
    detail: String,
) -> NewAudit<'a> {
    NewAudit {
        action,
        user: Some(user),
        device,
        check: None,
        detail,
    }
}

/// A role as stored in `users.role`; anything else is corrupt data.
fn parse_stored_role(role: &str) -> Result<Role, DirectoryError> {
    role.parse::<Role>().map_err(|detail| {
        DirectoryError::Store(StoreError::Corrupt {
            what: "users.role".into(),
            detail,
        })
    })
}

/// Revokes `device`'s token at once; returns its identity.
///
/// # Errors
/// An unknown device, or a database error.
pub fn revoke(
    conn: &mut Connection,
    device: &str,
    reason: &str,
) -> Result<Identity, DirectoryError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = tx.execute(
        "UPDATE devices SET revoked_at = ?1 WHERE device_id = ?2 AND revoked_at IS NULL",
        params![now().to_string(), device],
    )?;
    let identity = registry(&tx)?
        .into_values()
        .find(|i| i.device == device)
        .ok_or_else(|| DirectoryError::UnknownDevice(device.to_owned()))?;
    if changed > 0 {
        let detail = if reason.is_empty() {
            "revoked".to_owned()
        } else {
            reason.to_owned()
        };
        audit::append(
            &tx,
            &audit_row(audit::DEVICE_REVOKED, &identity.user, Some(device), detail),
        )?;
    }
    tx.commit()?;
    Ok(identity)
}

/// Every user with the number of their active devices, by name.
///
/// # Errors
/// A database error.
pub fn users(conn: &Connection) -> Result<Vec<User>, DirectoryError> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.name, u.role, u.team,
                (SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id AND d.revoked_at IS NULL)
         FROM users u ORDER BY u.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, u32>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, role, team, devices) = row?;
        out.push(User {
            name,
            role: parse_stored_role(&role)?,
            team,
            devices,
        });
    }
    Ok(out)
}

/// Every device ever enrolled, revoked ones included, keyed by actor.
///
/// # Errors
/// A database error, or a stored role that does not parse.
pub fn registry(conn: &Connection) -> Result<Registry, DirectoryError> {
    identities(conn, None)
}

/// The active (not revoked) device whose token is `token`.
///
/// # Errors
/// A database error.
pub fn authenticate(conn: &Connection, token: &str) -> Result<Option<Identity>, DirectoryError> {
    let found = identities(conn, Some(&secret::hash(token)))?;
    Ok(found.into_values().find(|i| !i.revoked))
}

fn identities(conn: &Connection, token_hash: Option<&[u8]>) -> Result<Registry, DirectoryError> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.actor, d.device_id, d.revoked_at IS NOT NULL, u.name, u.role, u.team
         FROM devices d JOIN users u ON u.id = d.user_id
         WHERE ?1 IS NULL OR d.token_hash = ?1",
    )?;
    let rows = stmt.query_map([token_hash], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, bool>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Registry::new();
    for row in rows {
        let (actor, device, revoked, user, role, team) = row?;
        let role = parse_stored_role(&role)?;
        out.insert(
            actor.clone(),
            Identity {
                user,
                role,
                team,
                device,
                actor,
                revoked,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
#[path = "directory_tests.rs"]
mod tests;
