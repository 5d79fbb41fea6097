//! Stored checks as exports and reports read them: the `view` column (migration
//! `007_view.sql`) and the walk behind [`super::Store::for_each_record`].
//!
//! A sync round that stores a version also stores its [`CheckRecord`] as JSON
//! ([`encode_view`]), computed where the round already read the document, so an export of
//! 100,000 checks parses JSON instead of loading 100,000 Automerge documents. A row whose
//! `view_version` is not [`VIEW_VERSION`] (stored before the migration, or by another
//! layout) is read from its bytes instead: a stale view costs time, never correctness.

use std::ops::ControlFlow;

use fieldsync_schema::{CheckDoc, CheckRecord, RecordFilter, TimeBound};
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, params};

use super::{StoreError, Walked};

/// The layout of `documents.view`: bump it whenever [`CheckRecord`] (or the check, conflict
/// or violation inside it) changes how it serialises; rows with another version are read
/// from their bytes.
pub const VIEW_VERSION: i64 = 1;

/// `record` as stored in `documents.view`; `None` if it does not serialise (not expected;
/// the row is then read from its bytes).
pub fn encode_view(record: &CheckRecord) -> Option<String> {
    serde_json::to_string(record).ok()
}

/// The record of a stored document's bytes, as a sync round would compute it.
///
/// # Errors
/// The bytes do not load or do not read as a check: the reason.
pub fn record_of_bytes(bytes: &[u8]) -> Result<CheckRecord, String> {
    let doc = CheckDoc::load(bytes).map_err(|e| e.to_string())?;
    let check = doc.read().map_err(|e| e.to_string())?;
    let conflicts = doc.conflicts().map_err(|e| e.to_string())?;
    Ok(CheckRecord::new(check, conflicts))
}

/// Live rows matching the filter's indexed criteria, in export order. Time bounds are
/// widened by a day (UTC offsets run from -12:00 to +14:00) so that the exact test,
/// [`RecordFilter::matches`], decides.
const WALK: &str = "
    SELECT d.check_id, d.view_version, d.view
    FROM documents d
    WHERE d.deleted IS NULL
      AND (?1 IS NULL OR EXISTS (SELECT 1 FROM links l
                                 WHERE l.check_id = d.check_id AND l.resolution = ?1))
      AND (?2 IS NULL OR d.kind = ?2)
      AND (?3 IS NULL OR d.site_id = ?3)
      AND (?4 IS NULL OR d.review_state = ?4)
      AND (?5 IS NULL OR d.observed_at_utc >= ?5)
      AND (?6 IS NULL OR d.observed_at_utc <= ?6)
    ORDER BY d.observed_at_utc, d.check_id";

/// The walk of [`super::Store::for_each_record`] on a read connection.
pub(crate) fn for_each_record(
    conn: &Connection,
    filter: &RecordFilter,
    visit: &mut dyn FnMut(CheckRecord) -> ControlFlow<()>,
) -> Result<Walked, StoreError> {
    let mut stmt = conn.prepare_cached(WALK)?;
    let mut rows = stmt.query(params![
        filter.resolution,
        filter.kind.map(|k| k.as_str()),
        filter.site.as_ref().map(|s| s.as_str()),
        filter.state.map(|s| s.as_str()),
        filter.since.map(|b| utc_text(b, -1)),
        filter.until.map(|b| utc_text(b, 2)),
    ])?;
    let mut walked = Walked::default();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let version: Option<i64> = row.get(1)?;
        let view: Option<String> = row.get(2)?;
        let current = view
            .filter(|_| version == Some(VIEW_VERSION))
            .and_then(|text| serde_json::from_str::<CheckRecord>(&text).ok());
        let record = match current {
            Some(record) => record,
            None => match from_bytes(conn, &id)? {
                Ok(record) => record,
                Err(reason) => {
                    tracing::error!(check = %id, %reason, "stored check does not read; left out");
                    walked.unreadable.push((id, reason));
                    continue;
                }
            },
        };
        if !filter.matches(&record.check) {
            continue;
        }
        walked.records += 1;
        if visit(record).is_break() {
            break;
        }
    }
    Ok(walked)
}

/// Reads the record of row `id` from its bytes.
fn from_bytes(conn: &Connection, id: &str) -> Result<Result<CheckRecord, String>, StoreError> {
    let bytes: Vec<u8> = conn
        .prepare_cached("SELECT bytes FROM documents WHERE check_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    Ok(record_of_bytes(&bytes))
}

/// A bound as `observed_at_utc` text, moved by `days` so that no check the exact test
/// would cover is left out by the index (a date bound starts at its midnight in UTC).
fn utc_text(bound: TimeBound, days: i64) -> String {
    let at = match bound {
        TimeBound::Instant(t) => t,
        TimeBound::Date(d) => jiff::tz::Offset::UTC
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .unwrap_or(Timestamp::UNIX_EPOCH),
    };
    let moved = at
        .checked_add(SignedDuration::from_hours(24 * days))
        .unwrap_or(at);
    moved.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
