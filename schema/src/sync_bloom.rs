//! A `have`'s Bloom filter checked against what Automerge writes ([`check_bloom`]), for
//! [`crate::sync_bounds`]: automerge 0.12 divides by zero on a filter of no bits and reserves
//! gigabytes for one announcing billions of probes.

use crate::sync_reader::Reader;

/// Most entries one Bloom filter may describe (Automerge writes one per change since
/// `last_sync`).
pub const MAX_BLOOM_ENTRIES: u64 = 1 << 20;
/// Allowed bits per Bloom filter entry (Automerge writes 10).
pub const BLOOM_BITS_PER_ENTRY: std::ops::RangeInclusive<u64> = 1..=64;
/// Allowed probes per Bloom filter lookup (Automerge writes 7).
pub const BLOOM_PROBES: std::ops::RangeInclusive<u64> = 1..=64;

/// Checks a Bloom filter's bytes: empty, or parameters within Automerge's and a bit array of
/// exactly the size they imply (so lookups never divide by zero nor loop for long).
///
/// # Errors
/// What is wrong, naming the parameter, its value and the allowed range.
pub fn check_bloom(bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut r = Reader::new(bytes);
    let mut param = |name: &str| {
        r.number()
            .map_err(|e| format!("{name} at byte {}: {e}", r.offset()))
    };
    let entries = param("num_entries")?;
    let bits_per_entry = param("num_bits_per_entry")?;
    let probes = param("num_probes")?;
    if !(1..=MAX_BLOOM_ENTRIES).contains(&entries) {
        return Err(format!(
            "num_entries is {entries}; it must be 1 to {MAX_BLOOM_ENTRIES} (an empty filter has no bytes)"
        ));
    }
    if !BLOOM_BITS_PER_ENTRY.contains(&bits_per_entry) {
        return Err(format!(
            "num_bits_per_entry is {bits_per_entry}; it must be {} to {}",
            BLOOM_BITS_PER_ENTRY.start(),
            BLOOM_BITS_PER_ENTRY.end()
        ));
    }
    if !BLOOM_PROBES.contains(&probes) {
        return Err(format!(
            "num_probes is {probes}; it must be {} to {}",
            BLOOM_PROBES.start(),
            BLOOM_PROBES.end()
        ));
    }
    // Both factors are bounded above, so the product cannot overflow.
    let expected = (entries * bits_per_entry).div_ceil(8);
    let found = r.remaining() as u64;
    if found != expected {
        return Err(format!(
            "{found} bytes of bits; {entries} entries of {bits_per_entry} bits need exactly {expected}"
        ));
    }
    Ok(())
}
