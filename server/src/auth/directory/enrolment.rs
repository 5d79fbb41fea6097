//! Enrolment codes and their exchange for a device's token: [`issue_code`] (also run by
//! [`add_user`](super::add_user) for a user's first code) and [`enrol`], with the rules a
//! code, a device id and an actor must meet.

use std::time::Duration;

use fieldsync_schema::Role;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{DirectoryError, audit_row, check_text, now, parse_stored_role};
use crate::auth::audit;
use crate::auth::{Identity, secret};

/// Default life of an enrolment code: 7 days.
pub const DEFAULT_CODE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

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

/// Inserts a new code for `user`, valid for `ttl`, in `tx` and audits it; returns the code
/// as shown to people (only its hash is stored).
pub(super) fn insert_code(
    tx: &Connection,
    user: &str,
    ttl: Duration,
) -> Result<String, DirectoryError> {
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

/// Refuses the server's own actor, and a device id or actor enrolled for another user.
fn check_not_taken(
    tx: &Connection,
    device: &str,
    actor: &str,
    user_id: i64,
) -> Result<(), DirectoryError> {
    let server: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if server.as_deref() == Some(actor) {
        return Err(DirectoryError::Taken(
            "this actor is the server's own: a device must write as its own actor; set up a \
             new device with `fieldsync init --enrol`"
                .to_owned(),
        ));
    }
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
