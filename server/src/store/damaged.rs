//! The damage records of [`super::SyncBatch`] in SQLite (tables `damaged` and
//! `damaged_holders`, migration 011) and the rolling checksum pass ([`scrub`]).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicI64, Ordering};

use automerge::sync::State;
use fieldsync_schema::CheckId;
use fieldsync_schema::sync::heads_to_hex;
use rusqlite::{Connection, OptionalExtension, params};

use super::sqlite_read::{checksum, parse_deletion, parse_heads, parse_id};
use super::sqlite_write::now;
use super::{Damage, StoreError};

/// The damage recorded for `check`.
pub(super) fn damage(conn: &Connection, check: CheckId) -> Result<Option<Damage>, StoreError> {
    let id = check.to_string();
    let row: Option<(String, String, Option<String>)> = conn
        .prepare_cached("SELECT heads, accepted, deleted FROM damaged WHERE check_id = ?1")?
        .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((heads, accepted, deleted)) = row else {
        return Ok(None);
    };
    let parse = |text: &str, column: &str| {
        parse_heads(text).map_err(|detail| StoreError::Corrupt {
            what: format!("damaged.{column} of check {id}"),
            detail,
        })
    };
    Ok(Some(Damage {
        check,
        heads: parse(&heads, "heads")?,
        accepted: parse(&accepted, "accepted")?,
        deletion: deleted.map(|d| parse_deletion(&id, &d)).transpose()?,
    }))
}

/// Records `damage` (once), asks the devices holding the check, forgets their states.
pub(super) fn mark(conn: &Connection, damage: &Damage) -> Result<bool, StoreError> {
    let id = damage.check.to_string();
    let deleted = damage
        .deletion
        .as_ref()
        .and_then(|d| serde_json::to_string(d).ok());
    let mut accepted: BTreeSet<String> = heads_to_hex(&damage.accepted).into_iter().collect();
    let mut sent = conn.prepare_cached(
        "SELECT sent_heads FROM sync_states WHERE check_id = ?1 AND sent_heads IS NOT NULL",
    )?;
    for heads in sent.query_map([&id], |r| r.get::<_, String>(0))? {
        accepted.extend(heads?.split_whitespace().map(str::to_owned));
    }
    let accepted: Vec<String> = accepted.into_iter().collect();
    let new = conn
        .prepare_cached(
            "INSERT INTO damaged (check_id, heads, accepted, deleted, found_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (check_id) DO NOTHING",
        )?
        .execute(params![
            id,
            heads_to_hex(&damage.heads).join(" "),
            accepted.join(" "),
            deleted,
            now()
        ])?;
    if new == 0 {
        return Ok(false);
    }
    conn.prepare_cached(
        "INSERT OR IGNORE INTO damaged_holders (device, check_id)
         SELECT device, check_id FROM sync_states WHERE check_id = ?1",
    )?
    .execute([&id])?;
    forget_states(conn, damage.check)?;
    Ok(true)
}

/// Resets every device's sync state for `check` to a fresh one, keeping the rows: they also
/// say which devices hold the check ([`super::SyncBatch::changed_since`]'s `held_by`).
pub(super) fn forget_states(conn: &Connection, check: CheckId) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE sync_states SET state = ?2, sent_seq = NULL, sent_heads = NULL
         WHERE check_id = ?1",
    )?
    .execute(params![check.to_string(), State::new().encode()])?;
    Ok(())
}

/// Forgets the kept tombstone of `check`'s damage.
pub(super) fn tombstone_restored(conn: &Connection, check: CheckId) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE damaged SET deleted = NULL WHERE check_id = ?1")?
        .execute([check.to_string()])?;
    Ok(())
}

/// Forgets `check`'s damage and its holders (by cascade).
pub(super) fn repaired(conn: &Connection, check: CheckId) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM damaged WHERE check_id = ?1")?
        .execute([check.to_string()])?;
    Ok(())
}

/// The damaged checks `device` is asked for.
pub(super) fn wanted(
    conn: &Connection,
    device: &str,
    limit: usize,
) -> Result<Vec<CheckId>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT check_id FROM damaged_holders WHERE device = ?1 ORDER BY check_id LIMIT ?2",
    )?;
    let ids = stmt.query_map(params![device, limit], |r| r.get::<_, String>(0))?;
    ids.map(|id| parse_id(&id?)).collect()
}

/// `device` is no longer asked for `check`.
pub(super) fn heard_from(
    conn: &Connection,
    device: &str,
    check: CheckId,
) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM damaged_holders WHERE device = ?1 AND check_id = ?2")?
        .execute(params![device, check.to_string()])?;
    Ok(())
}

/// Verifies the next documents after the rowid in `position` (see
/// [`super::SyncBatch::scrub`]), moving `position` on, back to 0 after the last one.
pub(super) fn scrub(
    conn: &Connection,
    position: &AtomicI64,
    rows: usize,
    budget: usize,
) -> Result<Vec<CheckId>, StoreError> {
    let after = position.load(Ordering::Relaxed);
    let limit = i64::try_from(rows.max(1)).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT rowid, check_id, bytes, checksum FROM documents
         WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
    )?;
    let mut found = stmt.query(params![after, limit])?;
    let (mut seen, mut hashed, mut last) = (0_i64, 0_usize, after);
    let mut failed = Vec::new();
    while let Some(row) = found.next()? {
        let bytes: Vec<u8> = row.get(2)?;
        let stored: Option<Vec<u8>> = row.get(3)?;
        if stored.is_none_or(|c| c != checksum(&bytes)) {
            failed.push(parse_id(&row.get::<_, String>(1)?)?);
        }
        last = row.get(0)?;
        seen += 1;
        hashed += bytes.len();
        if hashed >= budget {
            break;
        }
    }
    // Fewer rows than asked, within the budget: the end was reached, start again next time.
    let next = if seen < limit && hashed < budget {
        0
    } else {
        last
    };
    position.store(next, Ordering::Relaxed);
    Ok(failed)
}

/// Stores the checksum of `check`'s bytes as they are.
pub(super) fn seal(conn: &Connection, check: CheckId) -> Result<(), StoreError> {
    let id = check.to_string();
    let bytes: Option<Vec<u8>> = conn
        .prepare_cached("SELECT bytes FROM documents WHERE check_id = ?1")?
        .query_row([&id], |r| r.get(0))
        .optional()?;
    if let Some(bytes) = bytes {
        conn.prepare_cached("UPDATE documents SET checksum = ?2 WHERE check_id = ?1")?
            .execute(params![id, checksum(&bytes)])?;
    }
    Ok(())
}
