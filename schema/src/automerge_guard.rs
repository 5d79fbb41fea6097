//! Containment of panics inside automerge 0.12's decoding ([`contained`]).
//!
//! automerge 0.12 panics on some malformed column data inside otherwise well-framed chunks
//! (fuzzing found `hexane` unwrapping a truncated RLE column while a document chunk is
//! reconstructed). Checking every column encoding ahead of it would mean re-implementing
//! its decoder, so the two places that hand peer-supplied bytes to it, loading a document
//! and receiving a sync message, run it through [`contained`]: the work is on a document
//! made or loaded for this call alone, which is dropped on failure, so nothing half-decoded
//! survives the panic.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `work`, turning a panic into an error carrying the panic's message. The panic hook
/// still runs (the default one prints the message to stderr, which a server logs).
///
/// # Errors
/// `work` panicked: what it said.
pub fn contained<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|panic| {
        let detail = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        format!("automerge failed on these bytes ({detail})")
    })
}
