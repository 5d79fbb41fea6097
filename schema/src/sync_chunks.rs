//! The Automerge storage chunks inside one item of a sync message's `changes`, checked with
//! a bound on how far they inflate and counted: the operations they describe and the
//! widest column ([`check_chunks`]).
//!
//! ```text
//! chunk    = magic(85 6f 4a 83)  checksum[4]  type:u8  len  data[len]
//! type     = 0 document | 1 change | 2 deflated change      (3, bundle: never sent by fieldsync)
//! document = actors  heads  change_columns  op_columns  column data...  [head indexes]
//! columns  = count  (spec  len){count}     (spec bit 3 set: the column is deflated)
//! ```
//!
//! Deflated data is read as it inflates, through a small buffer, counting bytes and stopping
//! one past the budget, so a deflate bomb costs neither memory nor more time than the
//! budget allows. Columns are counted run by run ([`crate::sync_columns`]), never expanded.

use std::io::{BufRead, BufReader, Read as _};

use crate::sync_columns::{
    Columns, DEFLATED_COLUMN, Rows, Section, Widest, bytes, change_rows, document_column, skip,
    uleb,
};
use crate::sync_reader::Reader;

/// The magic bytes starting every Automerge chunk.
pub const CHUNK_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// What chunks hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChunkCounts {
    /// Change chunks (plain or deflated).
    pub changes: usize,
    /// Whole-document chunks.
    pub documents: usize,
    /// Bytes the chunks decode to (deflated parts inflated).
    pub decoded_bytes: usize,
    /// Operations the chunks describe, as Automerge counts them: the rows of each change's
    /// action column and of each document's op id column ([`crate::sync_columns`]).
    pub ops: u64,
    /// Changes the documents' change metadata records (one row each).
    pub document_changes: u64,
    /// The column of the chunks that decodes to the most values (rows, or the sum of a
    /// group column's values): what decoding one column may materialise.
    pub widest: Widest,
}

impl ChunkCounts {
    /// Changes and documents together: what the changes-per-message limit counts.
    pub fn count(&self) -> usize {
        self.changes + self.documents
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &ChunkCounts) {
        self.changes += other.changes;
        self.documents += other.documents;
        self.decoded_bytes = self.decoded_bytes.saturating_add(other.decoded_bytes);
        self.ops = self.ops.saturating_add(other.ops);
        self.document_changes = self.document_changes.saturating_add(other.document_changes);
        self.widest = self.widest.max(other.widest);
    }
}

/// Why chunks were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkError {
    /// They decode to more than the budget.
    Inflates,
    /// They are not valid chunks; the text says why.
    Bad(String),
}

/// Checks that `item` is one or more whole chunks, decoding to at most `budget` bytes, and
/// counts what they describe (a change's header and columns are read, a document's columns).
///
/// # Errors
/// [`ChunkError::Inflates`] past the budget, else [`ChunkError::Bad`] naming the problem.
pub fn check_chunks(item: &[u8], budget: usize) -> Result<ChunkCounts, ChunkError> {
    if item.is_empty() {
        return Err(ChunkError::Bad("it is empty".into()));
    }
    let mut r = Reader::new(item);
    let mut counts = ChunkCounts::default();
    while !r.is_empty() {
        let start = r.offset();
        let left = budget.saturating_sub(counts.decoded_bytes);
        let one = chunk(&mut r, left).map_err(|e| match e {
            ChunkError::Bad(why) => ChunkError::Bad(format!("chunk at byte {start}: {why}")),
            inflates => inflates,
        })?;
        counts.add(&one);
        if counts.decoded_bytes > budget {
            return Err(ChunkError::Inflates);
        }
    }
    Ok(counts)
}

/// Checks only the framing of `bytes`: whole chunks, each with the magic bytes, a type of 0,
/// 1 or 2 and a length within the input. Cheap (nothing is inflated), for documents read
/// back from storage, which Automerge then parses in full: automerge 0.12 panics on some
/// bundle chunks (type 3), which fieldsync never writes.
///
/// # Errors
/// What is wrong, naming the chunk's offset.
pub fn check_framing(bytes: &[u8]) -> Result<(), String> {
    let mut r = Reader::new(bytes);
    while !r.is_empty() {
        let start = r.offset();
        let why = |e: String| format!("chunk at byte {start}: {e}");
        let magic = r.take(4).map_err(|e| why(e.to_string()))?;
        if magic != CHUNK_MAGIC {
            return Err(why(format!("magic bytes {magic:02x?}")));
        }
        r.take(4).map_err(|e| why(e.to_string()))?;
        let kind = r.byte().map_err(|e| why(e.to_string()))?;
        if kind > 2 {
            return Err(why(format!(
                "chunk type {kind}; expected 0 (document), 1 (change) or 2 (deflated change)"
            )));
        }
        let len = r.number().map_err(|e| why(e.to_string()))?;
        r.take(len).map_err(|e| why(e.to_string()))?;
    }
    Ok(())
}

fn bad(why: impl std::fmt::Display) -> ChunkError {
    ChunkError::Bad(why.to_string())
}

/// Reads one chunk.
fn chunk(r: &mut Reader<'_>, budget: usize) -> Result<ChunkCounts, ChunkError> {
    let start = r.offset();
    let magic = r.take(4).map_err(bad)?;
    if magic != CHUNK_MAGIC {
        return Err(bad(format!(
            "magic bytes {magic:02x?}; an Automerge chunk starts with {CHUNK_MAGIC:02x?}"
        )));
    }
    r.take(4).map_err(bad)?;
    let kind = r.byte().map_err(bad)?;
    let len = r.number().map_err(bad)?;
    let data = r
        .take(len)
        .map_err(|e| bad(format!("data of {len} bytes: {e}")))?;
    let header = r.offset() - start - data.len();
    let budget = budget.saturating_sub(header);
    let (rows, decoded) = match kind {
        0 => document(data, budget)?,
        1 => (change_rows(&mut &data[..]).map_err(bad)?, data.len()),
        2 => inflated(data, budget, change_rows)?,
        3 => {
            return Err(bad(
                "a bundle chunk; fieldsync peers send changes or documents",
            ));
        }
        other => {
            return Err(bad(format!(
                "chunk type {other}; expected 0 (document), 1 (change) or 2 (deflated change)"
            )));
        }
    };
    let documents = usize::from(kind == 0);
    Ok(ChunkCounts {
        changes: 1 - documents,
        documents,
        decoded_bytes: decoded + header,
        ops: rows.ops,
        document_changes: if kind == 0 { rows.changes } else { 0 },
        widest: rows.widest,
    })
}

/// Reads the inflation of `data` with `read`, stopping one byte past `budget`: what `read`
/// found and how many bytes it read (the inflated size when it reads to the end).
fn inflated<T>(
    data: &[u8],
    budget: usize,
    read: impl FnOnce(&mut dyn BufRead) -> Result<T, String>,
) -> Result<(T, usize), ChunkError> {
    let cap = (budget as u64).saturating_add(1);
    let mut stream = BufReader::new(flate2::bufread::DeflateDecoder::new(data)).take(cap);
    let found = read(&mut stream);
    let n = cap - stream.limit();
    if n > budget as u64 {
        return Err(ChunkError::Inflates);
    }
    // `n <= budget`, a usize.
    Ok((found.map_err(bad)?, n as usize))
}

/// A document chunk's data: its prefix, then its columns, deflated ones inflated, each
/// counted. Yields what the columns describe and the decoded size.
fn document(data: &[u8], budget: usize) -> Result<(Rows, usize), ChunkError> {
    let mut r = data;
    let actors = uleb(&mut r).map_err(|e| bad(format!("actors: {e}")))?;
    for index in 0..actors {
        bytes(&mut r).map_err(|e| bad(format!("actor {index}: {e}")))?;
    }
    let heads = uleb(&mut r).map_err(|e| bad(format!("document heads: {e}")))?;
    skip(&mut r, heads.saturating_mul(32)).map_err(|e| bad(format!("document heads: {e}")))?;
    let change_columns = Columns::read(&mut r, "change").map_err(bad)?;
    let op_columns = Columns::read(&mut r, "op").map_err(bad)?;
    let mut decoded = data.len() - r.len();
    let mut rows = Rows::default();
    let sections = change_columns
        .iter()
        .map(|c| (Section::Changes, c))
        .chain(op_columns.iter().map(|c| (Section::Ops, c)));
    for (section, (spec, len)) in sections {
        let column = Reader::new(r)
            .take(len)
            .map_err(|e| bad(format!("column {spec:#x} of {len} bytes: {e}")))?;
        r = &r[column.len()..];
        let mut count = |c: &mut dyn BufRead| document_column(c, section, spec, &mut rows);
        decoded += if spec & DEFLATED_COLUMN != 0 {
            inflated(column, budget.saturating_sub(decoded), count)?.1
        } else {
            count(&mut &column[..]).map_err(bad)?;
            column.len()
        };
        if decoded > budget {
            return Err(ChunkError::Inflates);
        }
    }
    Ok((rows, decoded + r.len()))
}
