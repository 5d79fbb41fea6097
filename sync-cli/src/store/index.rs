//! The `documents` index columns (migration `004_index.sql`) and the ordered, streaming read
//! of every check over them.
//!
//! `observed_at_utc` holds the check's observation instant as fixed-width RFC 3339 UTC with
//! nanoseconds ([`utc_key`]), so that text order is time order and `list`/`export` can walk
//! the index `(observed_at_utc, check_id)` instead of loading every document to sort it. It
//! is NULL when the document does not read as a check; those rows come last, by id.
//!
//! Kept by: every statement that writes `bytes` also writes the column from the same
//! document ([`observed_key`]), so it always describes `bytes`. Rows stored before the
//! migration are filled once by its hook ([`backfill`]), inside the migration transaction
//! with the `user_version` bump: a crash mid-backfill leaves the store at its previous
//! version and the next open starts again.

use std::num::NonZeroUsize;
use std::panic::resume_unwind;

use fieldsync_schema::{CheckDoc, DocError};
use jiff::Timestamp;
use jiff::tz::Offset;
use rusqlite::{Connection, Row, Transaction, params};
use rusqlite_migration::{HookError, HookResult};

use super::documents::{Checks, StoredCheck, corrupt};
use super::view::{self, VIEW_VERSION};
use super::{Db, StoreError};

/// Rows read per step of [`backfill`]: bounds its memory whatever the store's size.
const BACKFILL_BATCH: usize = 256;

/// Documents held at once by [`Db::for_each_check`] (about 1 KB each, as saved).
const WALK_BATCH: usize = 256;

/// Most threads [`Db::for_each_check`] decodes documents on.
const MAX_DECODERS: usize = 8;

/// `observed_at_utc` for an instant: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, always 30 characters
/// so text order is time order. An instant before year 0 (RFC 3339 cannot write it) gets the
/// earliest key, so it still sorts first.
fn utc_key(at: Timestamp) -> String {
    let t = Offset::UTC.to_datetime(at);
    if t.year() < 0 {
        return "0000-01-01T00:00:00.000000000Z".to_owned();
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.subsec_nanosecond()
    )
}

/// `observed_at_utc` for a document: NULL (`None`) when it has no valid observation time.
/// Only that key is read (a whole `read()` costs about 70 µs per document on every write).
pub(super) fn observed_key(doc: &CheckDoc) -> Option<String> {
    doc.observed_at().ok().map(|t| utc_key(t.utc()))
}

/// Migration 004's hook: fills `observed_at_utc` for every row stored before it, a batch of
/// rows at a time (never the whole table in memory), decoding each batch on up to
/// [`MAX_DECODERS`] threads.
pub(super) fn backfill(tx: &Transaction<'_>) -> HookResult {
    fill_missing(tx).map_err(|e| match e {
        StoreError::Sqlite(e) => HookError::RusqliteError(e),
        other => HookError::Hook(other.to_string()),
    })
}

fn fill_missing(conn: &Connection) -> Result<(), StoreError> {
    let mut select = conn
        .prepare("SELECT rowid, bytes FROM documents WHERE rowid > ?1 ORDER BY rowid LIMIT ?2")?;
    let mut update = conn.prepare("UPDATE documents SET observed_at_utc = ?2 WHERE rowid = ?1")?;
    let threads = decoders();
    let mut after = i64::MIN;
    loop {
        let batch = select
            .query_map(params![after, BACKFILL_BATCH as i64], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let Some(&(last, _)) = batch.last() else {
            return Ok(());
        };
        let keys = map_split(&batch, threads, |(_, bytes)| {
            CheckDoc::load(bytes)
                .ok()
                .and_then(|doc| observed_key(&doc))
        });
        for ((rowid, _), key) in batch.iter().zip(keys) {
            update.execute(params![rowid, key])?;
        }
        after = last;
    }
}

/// The two passes of [`Db::for_each_check`]: readable-at-write-time rows in index order,
/// then the NULL-key rows (SQLite sorts NULL first, and `NULLS LAST` would not use the
/// index) by id. Both walk `documents_by_observed` without a sort step.
/// Each row brings its current view (`?1` = [`VIEW_VERSION`]) or, without one, its bytes.
const ORDERED: [&str; 2] = [
    "SELECT check_id, CASE WHEN view_version = ?1 THEN view END,
            CASE WHEN view_version = ?1 AND view IS NOT NULL THEN NULL ELSE bytes END,
            server_heads IS NULL OR server_heads <> heads, server_heads IS NOT NULL
     FROM documents WHERE observed_at_utc IS NOT NULL ORDER BY observed_at_utc, check_id",
    "SELECT check_id, CASE WHEN view_version = ?1 THEN view END,
            CASE WHEN view_version = ?1 AND view IS NOT NULL THEN NULL ELSE bytes END,
            server_heads IS NULL OR server_heads <> heads, server_heads IS NOT NULL
     FROM documents WHERE observed_at_utc IS NULL ORDER BY check_id",
];

/// A row of [`ORDERED`] as read, before it is decoded: a current view, or the bytes.
struct RawDoc {
    id: String,
    view: Option<String>,
    bytes: Option<Vec<u8>>,
    pending: bool,
    on_server: bool,
}

fn raw_doc(row: &Row<'_>) -> Result<RawDoc, StoreError> {
    Ok(RawDoc {
        id: row.get(0)?,
        view: row.get(1)?,
        bytes: row.get(2)?,
        pending: row.get(3)?,
        on_server: row.get(4)?,
    })
}

/// A decoded row: the check, `(check id, reason)` when the document does not read as one,
/// or `None` when only a view was read and it does not parse (the bytes must be read).
type Decoded = Option<Result<StoredCheck, (String, String)>>;

/// The row's check, from its view when it has one, else from its bytes.
fn decode(raw: &RawDoc) -> Decoded {
    if let Some(text) = &raw.view {
        return view::parse(text).map(|v| {
            Ok(StoredCheck::new(
                v.check,
                v.conflicts,
                raw.pending,
                raw.on_server,
            ))
        });
    }
    Some(decode_bytes(
        &raw.id,
        raw.bytes.as_deref().unwrap_or_default(),
        raw.pending,
        raw.on_server,
    ))
}

/// The document read as a check, or `(check id, reason)`.
fn decode_bytes(
    id: &str,
    bytes: &[u8],
    pending: bool,
    on_server: bool,
) -> Result<StoredCheck, (String, String)> {
    let read = || -> Result<StoredCheck, DocError> {
        let doc = CheckDoc::load(bytes)?;
        Ok(StoredCheck::new(
            doc.read()?,
            doc.conflicts()?,
            pending,
            on_server,
        ))
    };
    read().map_err(|e| (id.to_owned(), corrupt(id, e).to_string()))
}

/// `map` over `items`, in order, split across up to `threads` threads (the caller's
/// included): loading and reading Automerge documents is the whole cost of a walk or a
/// backfill, and it is independent per document.
pub(super) fn map_split<T: Sync, U: Send>(
    items: &[T],
    threads: usize,
    map: impl Fn(&T) -> U + Sync,
) -> Vec<U> {
    let map = &map;
    let mut parts = items.chunks(items.len().div_ceil(threads.max(1)).max(1));
    let first = parts.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let others: Vec<_> = parts
            .map(|part| scope.spawn(move || part.iter().map(map).collect::<Vec<_>>()))
            .collect();
        let mut out: Vec<U> = first.iter().map(map).collect();
        for other in others {
            out.extend(other.join().unwrap_or_else(|panic| resume_unwind(panic)));
        }
        out
    })
}

/// Threads documents are decoded on: the machine's, up to [`MAX_DECODERS`].
pub(super) fn decoders() -> usize {
    std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(MAX_DECODERS)
}

impl Db<'_> {
    /// Calls `f` with every stored check, sorted by observation time (UTC) then id. Memory
    /// does not grow with the number of checks: rows are read 256 at a time (`WALK_BATCH`)
    /// and each batch is decoded on up to 8 threads (`MAX_DECODERS`) before `f` sees it, in
    /// order. A document that does not read as a check is passed as
    /// `Err((check id, reason))` and the walk goes on. The walk sees one snapshot of the
    /// store (it runs in a read transaction unless called inside one) and stops at the first
    /// error `f` returns.
    ///
    /// # Errors
    /// SQLite failures, or what `f` returns.
    pub fn for_each_check<E: From<StoreError>>(
        &self,
        f: impl FnMut(Result<StoredCheck, (String, String)>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.walk(WALK_BATCH, decoders(), f)
    }

    fn walk<E: From<StoreError>>(
        &self,
        batch_size: usize,
        threads: usize,
        mut f: impl FnMut(Result<StoredCheck, (String, String)>) -> Result<(), E>,
    ) -> Result<(), E> {
        let snapshot = if self.conn.is_autocommit() {
            Some(
                self.conn
                    .unchecked_transaction()
                    .map_err(StoreError::from)?,
            )
        } else {
            None
        };
        let mut batch = Vec::with_capacity(batch_size);
        for sql in ORDERED {
            let mut stmt = self.conn.prepare(sql).map_err(StoreError::from)?;
            let mut rows = stmt.query([VIEW_VERSION]).map_err(StoreError::from)?;
            let mut more = true;
            while more {
                batch.clear();
                while batch.len() < batch_size {
                    let Some(row) = rows.next().map_err(StoreError::from)? else {
                        more = false;
                        break;
                    };
                    batch.push(raw_doc(row)?);
                }
                for (read, raw) in map_split(&batch, threads, decode).into_iter().zip(&batch) {
                    match read {
                        Some(read) => f(read)?,
                        None => f(self.decode_stored(raw)?)?,
                    }
                }
            }
        }
        // Read only: ending it either way releases the snapshot.
        drop(snapshot);
        Ok(())
    }

    /// Decodes a row whose view did not parse from its stored bytes.
    fn decode_stored(
        &self,
        raw: &RawDoc,
    ) -> Result<Result<StoredCheck, (String, String)>, StoreError> {
        let bytes: Vec<u8> = self.conn.query_row(
            "SELECT bytes FROM documents WHERE check_id = ?1",
            [&raw.id],
            |r| r.get(0),
        )?;
        Ok(decode_bytes(&raw.id, &bytes, raw.pending, raw.on_server))
    }

    /// Every stored check in memory, sorted as [`Db::for_each_check`] walks them; for small
    /// stores and tests (`list` and `export` stream instead).
    ///
    /// # Errors
    /// SQLite failures. Unreadable documents are reported in [`Checks::unreadable`].
    pub fn checks(&self) -> Result<Checks, StoreError> {
        let mut out = Checks::default();
        self.for_each_check(|read| {
            match read {
                Ok(check) => out.readable.push(check),
                Err(unreadable) => out.unreadable.push(unreadable),
            }
            Ok::<_, StoreError>(())
        })?;
        Ok(out)
    }
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
