//! Structural validation of an Automerge sync message, with every peer-supplied count and
//! size bounded, before Automerge sees it ([`check_message`]).
//!
//! automerge 0.12 trusts what it decodes: a `have` Bloom filter whose bit array is empty
//! makes `generate_sync_message` divide by zero (a panic), and one announcing billions of
//! probes makes it reserve gigabytes (an abort), while deflated chunks inflate without a
//! bound. So a server parses the message itself first, with bounds, and hands Automerge only
//! messages shaped like those Automerge writes.
//!
//! The wire format (all numbers unsigned LEB128):
//!
//! ```text
//! message  = type:u8 (0x42 v1 | 0x43 v2)  heads  need  haves  changes  [flags]
//! heads    = count  hash{count}            (hash = 32 bytes)
//! need     = count  hash{count}
//! haves    = count  have{count}
//! have     = count hash{count}  len  bloom[len]
//! bloom    = ""  |  entries bits_per_entry probes  bits[ceil(entries*bits_per_entry/8)]
//! changes  = count  (len  chunks[len]){count}
//! flags    = len  byte[len]
//! ```
//!
//! Each item of `changes` is one or more Automerge storage chunks (a change, a deflated
//! change, or a whole document in a v2 message), checked by [`crate::sync_chunks`], which
//! also counts the operations their run-length-encoded columns describe
//! ([`crate::sync_columns`]) without expanding them: a change of 113 bytes can describe
//! 16 million operations, which automerge 0.12 would spend minutes and gigabytes applying.

pub use crate::sync_bloom::{BLOOM_BITS_PER_ENTRY, BLOOM_PROBES, MAX_BLOOM_ENTRIES, check_bloom};
use crate::sync_chunks::{ChunkCounts, check_chunks};
use crate::sync_reader::{ReadError, Reader};

/// First byte of a v1 sync message.
pub const MESSAGE_V1: u8 = 0x42;
/// First byte of a v2 sync message (may carry a whole compressed document).
pub const MESSAGE_V2: u8 = 0x43;
/// Most heads a message may announce (a check has one head per concurrent branch).
pub const MAX_HEADS: u64 = 256;
/// Most hashes a message may ask for (`need`).
pub const MAX_NEED: u64 = 4096;
/// Most `have` entries (Automerge writes at most one).
pub const MAX_HAVES: u64 = 16;
/// Most `last_sync` hashes in one `have`.
pub const MAX_LAST_SYNC: u64 = 256;
/// Longest flags section (Automerge writes 2 bytes).
pub const MAX_FLAG_BYTES: u64 = 16;

/// The configurable bounds of one sync message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageBounds {
    /// Largest encoded message, in bytes.
    pub max_bytes: usize,
    /// Most Automerge chunks (changes, or whole documents) in one message.
    pub max_changes: usize,
    /// Most bytes the message's chunks may inflate to (deflated changes and document
    /// columns, uncompressed parts included).
    pub max_decoded_bytes: usize,
    /// Most operations the message's chunks may describe together (as Automerge counts
    /// them: one per row of a change's action column or a document's op id column), and
    /// most values any one of their columns may decode to (a document's change metadata,
    /// the predecessors, successors and dependencies of a group).
    pub max_ops: usize,
}

/// Default of [`MessageBounds::max_ops`]: 1,000,000 operations. A new check is one change
/// of about 30 operations plus one per character of its notes (331 with 300 characters);
/// ten edits later, each rewriting those notes, its whole document holds 3,361 (automerge
/// 0.12, `sync_columns_tests`). Rewriting notes at the 10,000-character text limit is one
/// change of up to 20,000 (each character inserted, each old one deleted), so a check whose
/// long notes were rewritten ten times holds about 110,000, and a device re-sends the whole
/// document when the server asks for it (a damaged row, a restored server): the limit
/// leaves room for about fifty such rewrites. By a security QA's figures for automerge
/// 0.12 (a change of 1,000,000 inserts in 8.4 s and 460 MB; 16,777,218 in 185 s and
/// 7.6 GB), a message at the limit costs seconds and hundreds of MB, not minutes and GB.
pub const DEFAULT_MAX_OPS: usize = 1_000_000;

impl Default for MessageBounds {
    /// 1 MiB messages, 10,000 changes, 16 MiB decoded, 1,000,000 operations.
    fn default() -> Self {
        Self {
            max_bytes: 1024 * 1024,
            max_changes: 10_000,
            max_decoded_bytes: 16 * 1024 * 1024,
            max_ops: DEFAULT_MAX_OPS,
        }
    }
}

/// What a message that passed [`check_message`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MessageShape {
    /// The first byte ([`MESSAGE_V1`] or [`MESSAGE_V2`]).
    pub version: u8,
    /// Heads announced.
    pub heads: usize,
    /// Hashes asked for.
    pub need: usize,
    /// `have` entries.
    pub haves: usize,
    /// Chunks carried: changes and whole documents.
    pub chunks: ChunkCounts,
}

/// Which limit a refused message broke, for the answer's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    /// Not a sync message as fieldsync peers write them (400).
    Malformed,
    /// Larger than [`MessageBounds::max_bytes`] or [`MessageBounds::max_decoded_bytes`] (413).
    TooLarge,
    /// More chunks than [`MessageBounds::max_changes`] (413).
    TooManyChanges,
    /// More operations, or a column of more values, than [`MessageBounds::max_ops`] (413).
    TooManyOperations,
}

/// Why a message was refused; the text names the part, the value and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The message is larger than [`MessageBounds::max_bytes`].
    #[error("the message is {len} bytes; at most {limit} bytes are accepted")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The message is empty.
    #[error("the message is empty")]
    Empty,
    /// The first byte is not a sync message type.
    #[error("the first byte is 0x{found:02x}; a sync message starts with 0x42 (v1) or 0x43 (v2)")]
    WrongType {
        /// The byte found.
        found: u8,
    },
    /// A number or a byte string runs past the end of the message, or a number is not valid
    /// LEB128.
    #[error("{what} at byte {at}: {why}")]
    Unreadable {
        /// The part being read (`heads count`, `have 0 Bloom filter`).
        what: String,
        /// Its offset in the message.
        at: usize,
        /// What is wrong.
        why: ReadError,
    },
    /// A count is over its bound.
    #[error("{what} is {value}; at most {limit} are accepted")]
    TooMany {
        /// The count (`heads`, `changes`).
        what: String,
        /// Its value.
        value: u64,
        /// The bound.
        limit: u64,
        /// True for the configurable changes-per-message limit.
        changes: bool,
    },
    /// A Bloom filter's parameters are outside what Automerge writes or do not match its bits.
    #[error("the Bloom filter of have {index}: {why}")]
    Bloom {
        /// Which `have`.
        index: usize,
        /// What is wrong, with the values.
        why: String,
    },
    /// A change item is not a sequence of valid Automerge chunks.
    #[error("change {index}: {why}")]
    Chunk {
        /// Which item of `changes`.
        index: usize,
        /// What is wrong.
        why: String,
    },
    /// The chunks inflate to more than [`MessageBounds::max_decoded_bytes`].
    #[error("the changes decode to more than {limit} bytes; at most {limit} are accepted")]
    DecodedTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The chunks describe more operations than [`MessageBounds::max_ops`].
    #[error(
        "{what} {count} operations; at most {limit} are accepted in one message (the columns \
         are counted, not decoded)"
    )]
    TooManyOps {
        /// The item and verb: `change 0 describes`, `changes 0 to 3 describe`.
        what: String,
        /// How many operations.
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// A column of a chunk decodes to more values than [`MessageBounds::max_ops`] (a
    /// document's change metadata, or a column longer than the chunk's operations).
    #[error(
        "change {index}: column {spec:#x} ({kind}) decodes to {values} values; at most {limit} \
         are accepted in one message (the columns are counted, not decoded)"
    )]
    TooManyValues {
        /// Which item of `changes`.
        index: usize,
        /// The column's spec (`id << 4 | deflated << 3 | type`).
        spec: u32,
        /// The column's type, in words.
        kind: &'static str,
        /// Its rows, or a group column's sum of values.
        values: u64,
        /// The limit.
        limit: u64,
    },
    /// Bytes follow the flags section.
    #[error("{count} bytes follow the end of the message")]
    Trailing {
        /// How many.
        count: usize,
    },
}

impl MessageError {
    /// The limit broken.
    pub fn breach(&self) -> Breach {
        match self {
            Self::TooLarge { .. } | Self::DecodedTooLarge { .. } => Breach::TooLarge,
            Self::TooMany { changes: true, .. } => Breach::TooManyChanges,
            Self::TooManyOps { .. } | Self::TooManyValues { .. } => Breach::TooManyOperations,
            _ => Breach::Malformed,
        }
    }
}

/// Checks that `bytes` is a sync message within `bounds`, walking the whole wire format
/// without allocating more than the chunks' bounded inflation needs.
///
/// # Errors
/// The first problem found ([`MessageError`]); [`MessageError::breach`] tells which limit.
pub fn check_message(bytes: &[u8], bounds: &MessageBounds) -> Result<MessageShape, MessageError> {
    if bytes.len() > bounds.max_bytes {
        return Err(MessageError::TooLarge {
            len: bytes.len(),
            limit: bounds.max_bytes,
        });
    }
    let mut r = Reader::new(bytes);
    let version = match r.byte() {
        Err(_) => return Err(MessageError::Empty),
        Ok(b @ (MESSAGE_V1 | MESSAGE_V2)) => b,
        Ok(found) => return Err(MessageError::WrongType { found }),
    };
    let heads = hashes(&mut r, "heads", MAX_HEADS)?;
    let need = hashes(&mut r, "need", MAX_NEED)?;
    let haves = count(&mut r, "haves", MAX_HAVES, false)?;
    for index in 0..haves {
        have(&mut r, index)?;
    }
    let chunks = changes(&mut r, bounds)?;
    if !r.is_empty() {
        let len = read(&mut r, "flags length", Reader::number)?;
        bound("flags bytes", len, MAX_FLAG_BYTES, false)?;
        read(&mut r, "flags", |r| r.take(len).map(drop))?;
    }
    if !r.is_empty() {
        return Err(MessageError::Trailing {
            count: r.remaining(),
        });
    }
    Ok(MessageShape {
        version,
        heads,
        need,
        haves,
        chunks,
    })
}

/// Runs one read, naming the part on failure.
fn read<'a, T>(
    r: &mut Reader<'a>,
    what: &str,
    f: impl FnOnce(&mut Reader<'a>) -> Result<T, ReadError>,
) -> Result<T, MessageError> {
    let at = r.offset();
    f(r).map_err(|why| MessageError::Unreadable {
        what: what.to_owned(),
        at,
        why,
    })
}

fn bound(what: &str, value: u64, limit: u64, changes: bool) -> Result<(), MessageError> {
    if value > limit {
        return Err(MessageError::TooMany {
            what: what.to_owned(),
            value,
            limit,
            changes,
        });
    }
    Ok(())
}

/// Reads a count and checks it against `limit`.
fn count(r: &mut Reader<'_>, what: &str, limit: u64, changes: bool) -> Result<usize, MessageError> {
    let value = read(r, &format!("{what} count"), Reader::number)?;
    bound(what, value, limit, changes)?;
    // `limit` fits a usize on every platform fieldsync builds for; saturate regardless.
    Ok(usize::try_from(value).unwrap_or(usize::MAX))
}

/// Reads a counted list of 32-byte hashes.
fn hashes(r: &mut Reader<'_>, what: &str, limit: u64) -> Result<usize, MessageError> {
    let n = count(r, what, limit, false)?;
    read(r, what, |r| r.take(n as u64 * 32).map(drop))?;
    Ok(n)
}

/// Reads one `have`: its `last_sync` hashes and its Bloom filter.
fn have<'a>(r: &mut Reader<'a>, index: usize) -> Result<(), MessageError> {
    hashes(r, &format!("have {index} last_sync"), MAX_LAST_SYNC)?;
    let what = format!("have {index} Bloom filter");
    let len = read(r, &format!("{what} length"), Reader::number)?;
    let bloom = read(r, &what, |r| r.take(len))?;
    check_bloom(bloom).map_err(|why| MessageError::Bloom { index, why })
}

/// Reads the `changes` list, checking each item's chunks and counting their operations.
fn changes(r: &mut Reader<'_>, bounds: &MessageBounds) -> Result<ChunkCounts, MessageError> {
    let limit = bounds.max_changes as u64;
    let n = count(r, "changes", limit, true)?;
    let mut total = ChunkCounts::default();
    for index in 0..n {
        let len = read(r, &format!("change {index} length"), Reader::number)?;
        let item = read(r, &format!("change {index}"), |r| r.take(len))?;
        let budget = bounds.max_decoded_bytes.saturating_sub(total.decoded_bytes);
        let counts = check_chunks(item, budget).map_err(|e| match e {
            crate::sync_chunks::ChunkError::Inflates => MessageError::DecodedTooLarge {
                limit: bounds.max_decoded_bytes,
            },
            crate::sync_chunks::ChunkError::Bad(why) => MessageError::Chunk { index, why },
        })?;
        total.add(&counts);
        bound("changes", total.count() as u64, limit, true)?;
        operations(index, &counts, &total, bounds.max_ops as u64)?;
    }
    Ok(total)
}

/// Checks the operations of item `index` (`counts`) and of the items so far (`total`), and
/// the widest column of the item, against `limit`.
fn operations(
    index: usize,
    counts: &ChunkCounts,
    total: &ChunkCounts,
    limit: u64,
) -> Result<(), MessageError> {
    if counts.ops > limit {
        return Err(MessageError::TooManyOps {
            what: format!("change {index} describes"),
            count: counts.ops,
            limit,
        });
    }
    if total.ops > limit {
        return Err(MessageError::TooManyOps {
            what: format!("changes 0 to {index} describe"),
            count: total.ops,
            limit,
        });
    }
    let widest = counts.widest;
    if widest.values > limit {
        return Err(MessageError::TooManyValues {
            index,
            spec: widest.spec,
            kind: crate::sync_columns::type_name(widest.spec),
            values: widest.values,
            limit,
        });
    }
    Ok(())
}

#[cfg(test)]
#[path = "sync_bounds_tests.rs"]
mod tests;
