//! The query parameters that select checks for exports and reports, as a [`RecordFilter`]:
//! `kind`, `resolution`, `state`, `since`, `until`, `site` (each optional; the last value
//! of a repeated parameter wins), with the same rules as the CLI's flags.

use fieldsync_schema::forms::normalise_digits;
use fieldsync_schema::{Catalog, RecordFilter};

use crate::error::ApiError;

/// The filter parameters' names, for error messages.
pub const FILTER_PARAMETERS: &str = "kind, resolution, state, since, until, site";

/// Sets the filter criterion `key` from `value`. Returns `Ok(false)` when `key` is not a
/// filter parameter (the caller decides what else it accepts).
///
/// # Errors
/// 400 naming the parameter, the value and the rule when the value does not parse.
pub fn set_filter(filter: &mut RecordFilter, key: &str, value: &str) -> Result<bool, ApiError> {
    let bad = |rule: String| ApiError::bad_request(format!("query parameter {key}: {rule}"));
    match key {
        "kind" => filter.kind = Some(value.parse().map_err(|e| bad(format!("{e}")))?),
        "resolution" => filter.resolution = Some(parse_resolution(value)?),
        "state" => filter.state = Some(value.trim().parse().map_err(bad)?),
        "since" => filter.since = Some(value.parse().map_err(|e| bad(format!("{e}")))?),
        "until" => filter.until = Some(value.parse().map_err(|e| bad(format!("{e}")))?),
        "site" => filter.site = Some(value.parse().map_err(|e| bad(format!("{e}")))?),
        _ => return Ok(false),
    }
    Ok(true)
}

/// A resolution number of the catalog; Arabic-Indic digits are accepted.
fn parse_resolution(value: &str) -> Result<u16, ApiError> {
    let catalog = Catalog::builtin();
    normalise_digits(value.trim())
        .parse::<u16>()
        .ok()
        .filter(|n| catalog.get(*n).is_some())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "query parameter resolution={value:?} is not a resolution number (1 to {})",
                catalog.resolutions().len()
            ))
        })
}
