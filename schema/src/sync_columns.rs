//! What the columns of an Automerge chunk describe, counted run by run without expanding
//! them: the operations of a change ([`change_rows`]) or of a document (each column by
//! [`document_column`]), and the most values any one column decodes to.
//!
//! Automerge stores operations column by column, each column run-length encoded, so a few
//! bytes can describe millions of operations that Automerge then materialises one by one
//! (automerge 0.12: `ChangeOpsIter`, hexane's column loads, `ChangeGraphCols::load` which
//! collects whole columns into vectors). Summing run lengths costs one step per run, and
//! runs take bytes: a run of 16,777,218 rows in five bytes is counted as fast as one of 3.
//!
//! The format (automerge.org, "Binary Document Format"; automerge 0.12 `storage/columns`,
//! `columnar/encoding`, and hexane 1.0.0-alpha.5 for documents):
//!
//! ```text
//! spec     = u32: id << 4 | deflated << 3 | type
//! type     = 0 group | 1 actor | 2 integer | 6 value metadata   RLE of uLEB128
//!          | 3 delta integer                                     RLE of sLEB128
//!          | 5 string                                            RLE of (uLEB128 len, bytes[len])
//!          | 4 boolean          uLEB128 run lengths, alternating false, true, false...
//!          | 7 value            raw bytes, lengths in the value metadata column (no rows)
//! RLE      = run*     run = n:sLEB128 > 0  value            n copies of value
//!                         | n:sLEB128 < 0  value{-n}        -n literal values
//!                         | 0  n:uLEB128                    n nulls
//! change   = deps:(count hash[32]{count})  actor:(len bytes)  seq  start_op  time:sLEB128
//!            message:(len bytes)  other_actors:(count (len bytes){count})
//!            columns:(count (spec len){count})  column data...  extra bytes
//! ```
//!
//! A change has one operation per row of its action column (id 4, integer: automerge 0.12's
//! `ChangeOpsIter` stops when that column does); a document has one per row of its op id
//! actor column (id 2, actor: hexane loads every other op column to that length) and one
//! change per row of its change actor column (id 0, actor). A group column's values (how
//! many predecessors, successors or dependencies each row has) add up to the rows of the
//! columns of its group, so their sum counts as values too.
//!
//! Everything reads a [`BufRead`], so a deflated chunk or column is counted while it
//! inflates, in a small buffer, never whole in memory.

use std::io::{BufRead, Read};

/// Bit of a column spec that marks a deflated column.
pub const DEFLATED_COLUMN: u32 = 0b1000;
/// A change's action column (id 4, integer): one row per operation.
pub const CHANGE_ACTION: u32 = (4 << 4) | 2;
/// A document's op id actor column (id 2, actor): one row per operation.
pub const DOCUMENT_OP_ID: u32 = (2 << 4) | 1;
/// A document's change actor column (id 0, actor): one row per change.
pub const DOCUMENT_CHANGE_ACTOR: u32 = 1;
/// Most columns one column list may declare (automerge 0.12 writes at most 16: the op
/// columns of a document).
pub const MAX_COLUMNS: usize = 64;

/// The column decoding to the most values, and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Widest {
    /// Its spec (`id << 4 | deflated << 3 | type`).
    pub spec: u32,
    /// Its rows, or for a group column the sum of its values when larger.
    pub values: u64,
}

impl Widest {
    /// The wider of `self` and `other`.
    pub fn max(self, other: Widest) -> Widest {
        if other.values > self.values {
            other
        } else {
            self
        }
    }
}

/// What a chunk's columns describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rows {
    /// Operations: rows of a change's action column, or of a document's op id column.
    pub ops: u64,
    /// Changes: 1 for a change chunk, the rows of a document's change actor column.
    pub changes: u64,
    /// The column decoding to the most values.
    pub widest: Widest,
}

/// A column list: each column's spec and length in bytes, in a fixed array (no allocation).
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    specs: [(u32, u64); MAX_COLUMNS],
    len: usize,
}

impl Columns {
    /// Reads a column list (`count (spec len){count}`), refusing more than [`MAX_COLUMNS`].
    ///
    /// # Errors
    /// What is wrong, naming `what` (`change`, `op`) and the column.
    pub fn read(r: &mut dyn BufRead, what: &str) -> Result<Columns, String> {
        let n = uleb(r).map_err(|e| format!("{what} column count: {e}"))?;
        if n > MAX_COLUMNS as u64 {
            return Err(format!(
                "{n} {what} columns; at most {MAX_COLUMNS} are accepted (Automerge writes at most 16)"
            ));
        }
        let mut out = Columns {
            specs: [(0, 0); MAX_COLUMNS],
            len: 0,
        };
        for index in 0..n {
            let spec = uleb(r).map_err(|e| format!("{what} column {index} spec: {e}"))?;
            let spec = u32::try_from(spec)
                .map_err(|_| format!("{what} column {index} spec {spec} is over 32 bits"))?;
            let len = uleb(r).map_err(|e| format!("{what} column {index} length: {e}"))?;
            out.specs[out.len] = (spec, len);
            out.len += 1;
        }
        Ok(out)
    }

    /// Each column's spec and length in bytes, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        self.specs[..self.len].iter().copied()
    }
}

/// Counts a change chunk's data (everything after its header, inflated if it was deflated),
/// reading it to the end.
///
/// # Errors
/// What is wrong, naming the field or column.
pub fn change_rows(r: &mut dyn BufRead) -> Result<Rows, String> {
    let deps = uleb(r).map_err(|e| format!("dependencies: {e}"))?;
    skip(r, deps.saturating_mul(32)).map_err(|e| format!("dependencies: {e}"))?;
    bytes(r).map_err(|e| format!("actor: {e}"))?;
    for field in ["seq", "start_op"] {
        uleb(r).map_err(|e| format!("{field}: {e}"))?;
    }
    sleb(r).map_err(|e| format!("time: {e}"))?;
    bytes(r).map_err(|e| format!("message: {e}"))?;
    let others = uleb(r).map_err(|e| format!("other actors: {e}"))?;
    for index in 0..others {
        bytes(r).map_err(|e| format!("other actor {index}: {e}"))?;
    }
    let columns = Columns::read(r, "op")?;
    let mut rows = Rows {
        changes: 1,
        ..Rows::default()
    };
    for (spec, len) in columns.iter() {
        if spec & DEFLATED_COLUMN != 0 {
            return Err(format!(
                "op column {spec:#x} is deflated; Automerge refuses deflated columns in a change"
            ));
        }
        let mut column = Read::take(&mut *r, len);
        let (count, widest) = column_values(&mut column, spec)?;
        if column.limit() > 0 {
            return Err(format!(
                "column {spec:#x} of {len} bytes ends {} bytes early",
                column.limit()
            ));
        }
        if spec == CHANGE_ACTION {
            rows.ops = rows.ops.max(count);
        }
        rows.widest = rows.widest.max(widest);
    }
    // The extra bytes (an author footer, or nothing) run to the end of the chunk.
    std::io::copy(r, &mut std::io::sink()).map_err(inflate_error)?;
    Ok(rows)
}

/// The two column lists of a document chunk, whose column ids differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The change metadata columns ([`DOCUMENT_CHANGE_ACTOR`]: one row per change).
    Changes,
    /// The op columns ([`DOCUMENT_OP_ID`]: one row per operation).
    Ops,
}

/// Counts one column of a document (its data, inflated if it was deflated), reading it to
/// the end, and adds it to `rows`: its operations, its changes and its widest column.
///
/// # Errors
/// What is wrong with the column, naming its spec.
pub fn document_column(
    r: &mut dyn BufRead,
    section: Section,
    spec: u32,
    rows: &mut Rows,
) -> Result<(), String> {
    let (count, widest) = column_values(r, spec)?;
    match (section, spec & !DEFLATED_COLUMN) {
        (Section::Ops, DOCUMENT_OP_ID) => rows.ops = rows.ops.max(count),
        (Section::Changes, DOCUMENT_CHANGE_ACTOR) => rows.changes = rows.changes.max(count),
        _ => {}
    }
    rows.widest = rows.widest.max(widest);
    Ok(())
}

/// A column's rows, and its widest count of values (rows, or a group's sum).
fn column_values(r: &mut dyn BufRead, spec: u32) -> Result<(u64, Widest), String> {
    let what = |e: String| format!("column {spec:#x}: {e}");
    let (rows, sum) = match spec & 0b111 {
        0 | 1 | 2 | 6 => rle(r, Value::Unsigned),
        3 => rle(r, Value::Signed),
        5 => rle(r, Value::Text),
        4 => booleans(r).map(|rows| (rows, 0)),
        _ => std::io::copy(r, &mut std::io::sink())
            .map(|_| (0, 0))
            .map_err(inflate_error),
    }
    .map_err(what)?;
    // Only a group's values are counts (of the rows of the other columns of its group).
    let values = if spec & 0b111 == 0 {
        rows.max(sum)
    } else {
        rows
    };
    Ok((rows, Widest { spec, values }))
}

/// The type of a column spec, in words (`actor`, `delta integer`).
pub fn type_name(spec: u32) -> &'static str {
    match spec & 0b111 {
        0 => "group",
        1 => "actor",
        2 => "integer",
        3 => "delta integer",
        4 => "boolean",
        5 => "string",
        6 => "value metadata",
        _ => "value",
    }
}

/// How the values of an RLE column are encoded.
#[derive(Debug, Clone, Copy)]
enum Value {
    Unsigned,
    Signed,
    Text,
}

/// An RLE column's rows and the sum of its unsigned values (what matters of a group column).
fn rle(r: &mut dyn BufRead, kind: Value) -> Result<(u64, u64), String> {
    let (mut rows, mut sum) = (0u64, 0u64);
    while !at_end(r)? {
        let n = sleb(r)?;
        if n > 0 {
            let copies = n.unsigned_abs();
            rows = rows.saturating_add(copies);
            sum = sum.saturating_add(value(r, kind)?.saturating_mul(copies));
        } else if n < 0 {
            // Each literal takes at least one byte: the loop ends with the input.
            for _ in 0..n.unsigned_abs() {
                rows = rows.saturating_add(1);
                sum = sum.saturating_add(value(r, kind)?);
            }
        } else {
            rows = rows.saturating_add(uleb(r)?);
        }
    }
    Ok((rows, sum))
}

/// One value of an RLE column; the number itself for unsigned columns, else 0.
fn value(r: &mut dyn BufRead, kind: Value) -> Result<u64, String> {
    match kind {
        Value::Unsigned => uleb(r),
        Value::Signed => sleb(r).map(|_| 0),
        Value::Text => bytes(r).map(|()| 0),
    }
}

/// A boolean column's rows: the sum of its run lengths.
fn booleans(r: &mut dyn BufRead) -> Result<u64, String> {
    let mut rows = 0u64;
    while !at_end(r)? {
        rows = rows.saturating_add(uleb(r)?);
    }
    Ok(rows)
}

fn inflate_error(e: std::io::Error) -> String {
    format!("deflated data does not inflate: {e}")
}

fn at_end(r: &mut dyn BufRead) -> Result<bool, String> {
    Ok(r.fill_buf().map_err(inflate_error)?.is_empty())
}

fn byte(r: &mut dyn BufRead) -> Result<u8, String> {
    let buf = r.fill_buf().map_err(inflate_error)?;
    let Some(&b) = buf.first() else {
        return Err("the data ends inside a value".into());
    };
    r.consume(1);
    Ok(b)
}

/// Skips `n` bytes.
///
/// # Errors
/// The data ends first, or does not inflate.
pub fn skip(r: &mut dyn BufRead, n: u64) -> Result<(), String> {
    let got =
        std::io::copy(&mut Read::take(&mut *r, n), &mut std::io::sink()).map_err(inflate_error)?;
    if got < n {
        return Err(format!("the data ends {} bytes too early", n - got));
    }
    Ok(())
}

/// Skips a length-prefixed byte string.
///
/// # Errors
/// The data ends first, or does not inflate.
pub fn bytes(r: &mut dyn BufRead) -> Result<(), String> {
    let len = uleb(r)?;
    skip(r, len)
}

/// An unsigned LEB128 number of at most 64 bits.
///
/// # Errors
/// The data ends first, the number is over 64 bits, or the data does not inflate.
pub fn uleb(r: &mut dyn BufRead) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..70).step_by(7) {
        let b = byte(r)?;
        let low = u64::from(b & 0x7f);
        if shift == 63 && low > 1 {
            break;
        }
        value |= low << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("a number is not valid LEB128 (over 64 bits)".into())
}

/// A signed LEB128 number of at most 64 bits.
///
/// # Errors
/// The data ends first, the number is over 64 bits, or the data does not inflate.
pub fn sleb(r: &mut dyn BufRead) -> Result<i64, String> {
    let mut value = 0i64;
    for shift in (0..70).step_by(7) {
        let b = byte(r)?;
        // The tenth byte holds only the sign: 0x00 or 0x7f.
        if shift == 63 && b != 0 && b != 0x7f {
            break;
        }
        value |= i64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            if shift + 7 < 64 && b & 0x40 != 0 {
                value |= -1i64 << (shift + 7);
            }
            return Ok(value);
        }
    }
    Err("a number is not valid signed LEB128 (over 64 bits)".into())
}

#[cfg(test)]
#[path = "sync_columns_tests.rs"]
mod tests;
