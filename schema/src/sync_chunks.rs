//! The Automerge storage chunks inside one item of a sync message's `changes`, checked with
//! a bound on how far they inflate ([`check_chunks`]).
//!
//! ```text
//! chunk    = magic(85 6f 4a 83)  checksum[4]  type:u8  len  data[len]
//! type     = 0 document | 1 change | 2 deflated change      (3, bundle: never sent by fieldsync)
//! document = actors  heads  change_columns  op_columns  column data...  [head indexes]
//! columns  = count  (spec  len){count}     (spec bit 3 set: the column is deflated)
//! ```
//!
//! Deflated data is inflated into a sink, counting bytes and stopping one past the budget,
//! so a deflate bomb costs neither memory nor more time than the budget allows.

use std::io::Read as _;

use crate::sync_reader::Reader;

/// The magic bytes starting every Automerge chunk.
pub const CHUNK_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// Bit of a column spec that marks a deflated column.
const DEFLATED_COLUMN: u64 = 0b1000;

/// What chunks hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChunkCounts {
    /// Change chunks (plain or deflated).
    pub changes: usize,
    /// Whole-document chunks.
    pub documents: usize,
    /// Bytes the chunks decode to (deflated parts inflated).
    pub decoded_bytes: usize,
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

/// Checks that `item` is one or more whole chunks, decoding to at most `budget` bytes.
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
    match kind {
        0 => document(data, budget.saturating_sub(header)).map(|decoded| ChunkCounts {
            documents: 1,
            decoded_bytes: decoded + header,
            ..ChunkCounts::default()
        }),
        1 => Ok(ChunkCounts {
            changes: 1,
            decoded_bytes: header + data.len(),
            ..ChunkCounts::default()
        }),
        2 => inflate(data, budget.saturating_sub(header)).map(|decoded| ChunkCounts {
            changes: 1,
            decoded_bytes: decoded + header,
            ..ChunkCounts::default()
        }),
        3 => Err(bad(
            "a bundle chunk; fieldsync peers send changes or documents",
        )),
        other => Err(bad(format!(
            "chunk type {other}; expected 0 (document), 1 (change) or 2 (deflated change)"
        ))),
    }
}

/// Counts the bytes `data` inflates to, up to `budget` plus one.
fn inflate(data: &[u8], budget: usize) -> Result<usize, ChunkError> {
    let cap = (budget as u64).saturating_add(1);
    let mut decoder = flate2::bufread::DeflateDecoder::new(data).take(cap);
    let n = std::io::copy(&mut decoder, &mut std::io::sink())
        .map_err(|e| bad(format!("deflated data does not inflate: {e}")))?;
    if n > budget as u64 {
        return Err(ChunkError::Inflates);
    }
    Ok(n as usize)
}

/// A document chunk's data: its prefix, then its columns, deflated ones inflated.
fn document(data: &[u8], budget: usize) -> Result<usize, ChunkError> {
    let mut r = Reader::new(data);
    let actors = r.number().map_err(|e| bad(format!("actors: {e}")))?;
    for index in 0..actors {
        let len = r.number().map_err(|e| bad(format!("actor {index}: {e}")))?;
        r.take(len)
            .map_err(|e| bad(format!("actor {index}: {e}")))?;
    }
    let heads = r
        .number()
        .map_err(|e| bad(format!("document heads: {e}")))?;
    r.take(heads.saturating_mul(32))
        .map_err(|e| bad(format!("document heads: {e}")))?;
    let change_columns = columns(&mut r, "change")?;
    let op_columns = columns(&mut r, "op")?;
    let mut decoded = r.offset();
    for (spec, len) in change_columns.into_iter().chain(op_columns) {
        let column = r
            .take(len)
            .map_err(|e| bad(format!("column {spec:#x} of {len} bytes: {e}")))?;
        decoded += if spec & DEFLATED_COLUMN != 0 {
            inflate(column, budget.saturating_sub(decoded))?
        } else {
            column.len()
        };
        if decoded > budget {
            return Err(ChunkError::Inflates);
        }
    }
    Ok(decoded + r.remaining())
}

/// A column list: each column's spec and length.
fn columns(r: &mut Reader<'_>, what: &str) -> Result<Vec<(u64, u64)>, ChunkError> {
    let n = r
        .number()
        .map_err(|e| bad(format!("{what} column count: {e}")))?;
    // Each column takes at least two bytes: a larger count cannot be honest.
    if n > r.remaining() as u64 / 2 {
        return Err(bad(format!(
            "{what} column count {n} is more than the chunk's bytes can hold"
        )));
    }
    let mut out = Vec::new();
    for index in 0..n {
        let spec = r
            .number()
            .map_err(|e| bad(format!("{what} column {index} spec: {e}")))?;
        let len = r
            .number()
            .map_err(|e| bad(format!("{what} column {index} length: {e}")))?;
        out.push((spec, len));
    }
    Ok(out)
}
