//! The `view` column (migration `006_view.sql`): each document's check and conflicts as
//! JSON, written with the bytes, so that `list` and `export` read JSON instead of loading
//! and reading every Automerge document (about 0.15 ms each: 15 s of CPU for 100,000
//! checks, see BENCHMARKS.md `export`).
//!
//! Kept by: every statement that writes `bytes` writes `view` and `view_version` from the
//! same document ([`view_of`]), so a current view always describes `bytes`. A view is used
//! only when its `view_version` is [`VIEW_VERSION`]; otherwise (older binary, NULL for a
//! document that does not read as a check, or a view that does not parse) the walk decodes
//! `bytes`, so a stale view costs time, never correctness. Rows stored before the migration
//! are filled by its hook ([`backfill`]), in the migration transaction.

use fieldsync_schema::{Check, CheckDoc, Conflict};
use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use rusqlite_migration::{HookError, HookResult};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// The layout of `view`. Bump it whenever [`Check`] or [`Conflict`] change how they
/// serialise: rows written with another version are decoded from their bytes instead.
/// 2: `Check` gained `link_sources` and `manual_links`.
/// 3: `Check` gained `comments`, `decisions`, `deleted`; conflict values gained `at`.
pub(super) const VIEW_VERSION: i64 = 3;

/// Rows filled per step of [`backfill`].
const BACKFILL_BATCH: usize = 256;

/// What `view` holds.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct View {
    /// The check (winning values).
    pub(super) check: Check,
    /// Its concurrent writes.
    pub(super) conflicts: Vec<Conflict>,
}

/// The `view` of a document, or `None` when it does not read as a check. Costs a full read
/// (about 0.1 ms), paid once per write instead of once per walk.
pub(super) fn view_of(doc: &CheckDoc) -> Option<String> {
    let view = View {
        check: doc.read().ok()?,
        conflicts: doc.conflicts().ok()?,
    };
    serde_json::to_string(&view).ok()
}

/// Parses a stored view.
pub(super) fn parse(text: &str) -> Option<View> {
    serde_json::from_str(text).ok()
}

/// Migration 006's hook: fills `view` for every row stored before it, a batch at a time.
pub(super) fn backfill(tx: &Transaction<'_>) -> HookResult {
    fill(tx).map_err(|e| match e {
        StoreError::Sqlite(e) => HookError::RusqliteError(e),
        other => HookError::Hook(other.to_string()),
    })
}

/// Rewrites the views of rows written with another [`VIEW_VERSION`], once per version (the
/// version reached is kept in `meta.view_version`, migration 007): a device upgraded to a
/// build with a new layout pays one pass over its documents at the first open, instead of
/// decoding every document on every `list` and `export`.
///
/// # Errors
/// SQLite failures (nothing is changed then).
pub(super) fn refresh(conn: &mut Connection) -> Result<(), StoreError> {
    let reached: Option<i64> = conn
        .query_row("SELECT view_version FROM meta WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    if reached == Some(VIEW_VERSION) {
        return Ok(());
    }
    let tx = conn.transaction()?;
    fill(&tx)?;
    tx.execute(
        "UPDATE meta SET view_version = ?1 WHERE id = 1",
        [VIEW_VERSION],
    )?;
    tx.commit()?;
    Ok(())
}

/// Fills `view` for every row whose `view_version` is not [`VIEW_VERSION`].
fn fill(conn: &Connection) -> Result<(), StoreError> {
    let mut select = conn.prepare(
        "SELECT rowid, bytes FROM documents WHERE rowid > ?1 AND view_version IS NOT ?3
         ORDER BY rowid LIMIT ?2",
    )?;
    let mut update =
        conn.prepare("UPDATE documents SET view = ?2, view_version = ?3 WHERE rowid = ?1")?;
    let mut after = i64::MIN;
    loop {
        let batch = select
            .query_map(params![after, BACKFILL_BATCH as i64, VIEW_VERSION], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let Some(&(last, _)) = batch.last() else {
            return Ok(());
        };
        let views = super::index::map_split(&batch, super::index::decoders(), |(_, bytes)| {
            CheckDoc::load(bytes).ok().and_then(|doc| view_of(&doc))
        });
        for ((rowid, _), view) in batch.iter().zip(views) {
            update.execute(params![rowid, view, VIEW_VERSION])?;
        }
        after = last;
    }
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
