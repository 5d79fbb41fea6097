//! Users, devices, enrolment codes and tokens in SQLite (tables of migration 008). Used by
//! the admin subcommands, by `POST /api/v1/enrol` and by authentication. Every function takes
//! a connection; those that write more than one row run in one transaction.

use std::time::Duration;

use fieldsync_schema::Role;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::audit::{self, NewAudit};
use super::{DEFAULT_TEAM, Identity, Registry, secret};
use crate::store::StoreError;

/// Default life of an enrolment code: 7 days.
pub const DEFAULT_CODE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

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

/// What a device asks for at enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment<'a> {
    /// The code as typed.
    pub code: &'a str,
    /// The device id.
    pub device: &'a str,
    /// The device's Automerge actor, hex.
    pub actor: &'a str,
    /// The name and role the device already writes under (set up offline), if any.
    pub existing: Option<(&'a str, Role)>,
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

/// Issues a new one-time enrolment code for `user`, valid for `ttl`.
///
/// # Errors
/// An unknown user, or a database error.
pub fn issue_code(
    conn: &mut Connection,
    user: &str,
    ttl: Duration,
) -> Result<String, DirectoryError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let code = insert_code(&tx, user, ttl)?;
    tx.commit()?;
    Ok(code)
}

fn insert_code(tx: &Connection, user: &str, ttl: Duration) -> Result<String, DirectoryError> {
    let user_id: i64 = tx
        .prepare_cached("SELECT id FROM users WHERE name = ?1")?
        .query_row([user], |r| r.get(0))
        .optional()?
        .ok_or_else(|| DirectoryError::UnknownUser(user.to_owned()))?;
    let code = secret::new_code();
    let canonical = secret::normalise_code(&code).map_err(DirectoryError::Invalid)?;
    let created = now();
    let span = jiff::SignedDuration::try_from(ttl)
        .map_err(|e| DirectoryError::Invalid(format!("code lifetime {ttl:?}: {e}")))?;
    let expires = created
        .checked_add(span)
        .map_err(|e| DirectoryError::Invalid(format!("code lifetime {ttl:?}: {e}")))?;
    tx.execute(
        "INSERT INTO enrolment_codes (code_hash, user_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            secret::hash(&canonical),
            user_id,
            created.to_string(),
            expires.to_string()
        ],
    )?;
    let detail = format!("expires {expires}");
    audit::append(tx, &audit_row(audit::CODE_ISSUED, user, None, detail))?;
    Ok(code)
}

/// Exchanges an enrolment code for a token: registers the device with its actor for the
/// code's user, marks the code used, and returns the token (shown once, stored hashed) and
/// the device's identity.
///
/// A device id or actor enrolled before is accepted again only for the same user, with the
/// same actor, after its earlier token was revoked or when re-enrolling (the old token is
/// replaced): a device whose server was restored from a backup, or that lost its token, can
/// enrol again without losing its actor.
///
/// # Errors
/// [`DirectoryError::BadCode`], [`DirectoryError::Taken`], [`DirectoryError::Mismatch`]
/// (the code is then not used), a bad actor, or a database error.
pub fn enrol(
    conn: &mut Connection,
    req: &Enrolment<'_>,
) -> Result<(String, Identity), DirectoryError> {
    let canonical = secret::normalise_code(req.code).map_err(DirectoryError::Invalid)?;
    let actor = req.actor.trim().to_ascii_lowercase();
    if actor.is_empty() || actor.len() > 64 || !actor.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(DirectoryError::Invalid(format!(
            "actor {:?}: expected the device's Automerge actor id in hex",
            req.actor
        )));
    }
    let device = check_text("device id", req.device)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (code_hash, user_id, name, role, team) = valid_code(&tx, &canonical)?;
    if let Some((existing_name, existing_role)) = req.existing
        && (existing_name != name || existing_role != role)
    {
        return Err(DirectoryError::Mismatch(format!(
            "this device was set up as {existing_name:?} ({}), but the code is for {name:?} ({}): \
             ask the admin for a code for the user this device writes as, or set up a new \
             device with `fieldsync init --enrol`",
            existing_role.as_str(),
            role.as_str()
        )));
    }
    check_not_taken(&tx, &device, &actor, user_id)?;
    let token = secret::new_token();
    let at = now().to_string();
    tx.execute(
        "DELETE FROM devices WHERE device_id = ?1 OR actor = ?2",
        params![device, actor],
    )?;
    tx.execute(
        "INSERT INTO devices (device_id, user_id, actor, token_hash, enrolled_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![device, user_id, actor, secret::hash(&token), at],
    )?;
    tx.execute(
        "UPDATE enrolment_codes SET used_at = ?1, device_id = ?2 WHERE code_hash = ?3",
        params![at, device, code_hash],
    )?;
    let detail = format!("actor {actor}, role {}, team {team}", role.as_str());
    audit::append(
        &tx,
        &audit_row(audit::DEVICE_ENROLLED, &name, Some(&device), detail),
    )?;
    tx.commit()?;
    let identity = Identity {
        user: name,
        role,
        team,
        device,
        actor,
        revoked: false,
    };
    Ok((token, identity))
}

type CodeRow = (Vec<u8>, i64, String, Role, String);

fn valid_code(tx: &Connection, canonical: &str) -> Result<CodeRow, DirectoryError> {
    let hash = secret::hash(canonical);
    let row: Option<(i64, String, String, String, String, Option<String>)> = tx
        .prepare_cached(
            "SELECT u.id, u.name, u.role, u.team, c.expires_at, c.used_at
             FROM enrolment_codes c JOIN users u ON u.id = c.user_id WHERE c.code_hash = ?1",
        )?
        .query_row([&hash], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    let Some((user_id, name, role, team, expires, used)) = row else {
        return Err(DirectoryError::BadCode);
    };
    let expired = expires
        .parse::<jiff::Timestamp>()
        .map_or(true, |e| e <= now());
    if used.is_some() || expired {
        return Err(DirectoryError::BadCode);
    }
    Ok((hash, user_id, name, parse_stored_role(&role)?, team))
}

fn parse_stored_role(role: &str) -> Result<Role, DirectoryError> {
    role.parse::<Role>().map_err(|detail| {
        DirectoryError::Store(StoreError::Corrupt {
            what: "users.role".into(),
            detail,
        })
    })
}

/// Refuses a device id or actor enrolled for another user.
fn check_not_taken(
    tx: &Connection,
    device: &str,
    actor: &str,
    user_id: i64,
) -> Result<(), DirectoryError> {
    let mut stmt = tx.prepare_cached(
        "SELECT device_id, actor FROM devices WHERE (device_id = ?1 OR actor = ?2) AND user_id <> ?3",
    )?;
    let taken: Option<(String, String)> = stmt
        .query_row(params![device, actor, user_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match taken {
        Some((d, a)) => Err(DirectoryError::Taken(format!(
            "device {d:?} with actor {a} is enrolled for another user: a device writes for one \
             user only; set up a new device with `fieldsync init --enrol`"
        ))),
        None => Ok(()),
    }
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
