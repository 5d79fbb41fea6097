//! The query parameters that select checks for `GET /api/v1/export` and
//! `GET /api/v1/reports/resolutions`: `kind`, `resolution`, `state`, `since`, `until`,
//! `site` (each optional, each at most once: [`refuse_repeats`]), read by the rules the
//! CLI's flags share ([`set_param`]) and refused as 400s.

use fieldsync_schema::RecordFilter;
use fieldsync_schema::record_params::{PARAMS, set_param};

use crate::error::ApiError;

/// Sets the filter criterion `key` from `value`. Returns `Ok(false)` when `key` is not a
/// filter parameter (the caller decides what else it accepts).
///
/// # Errors
/// 400 naming the parameter, the value and the rule (in English) when the value is refused.
pub fn set_filter(filter: &mut RecordFilter, key: &str, value: &str) -> Result<bool, ApiError> {
    if !PARAMS.contains(&key) {
        return Ok(false);
    }
    set_param(filter, key, value)
        .map_err(|e| ApiError::bad_request(format!("query parameter {e}")))?;
    Ok(true)
}

/// Refuses a query that gives a parameter twice (`kind=bakery&kind=silo`): filters do not
/// combine values, and keeping only one would answer a partial export without a word.
///
/// # Errors
/// 400 naming the parameter and its values.
pub fn refuse_repeats(pairs: &[(String, String)]) -> Result<(), ApiError> {
    for (i, (key, value)) in pairs.iter().enumerate() {
        if let Some((_, again)) = pairs[..i].iter().find(|(k, _)| k == key) {
            return Err(ApiError::bad_request(format!(
                "query parameter {key} is given more than once ({again:?} and {value:?}): give \
                 each parameter once"
            )));
        }
    }
    Ok(())
}

/// The filter parameters' names (`kind, resolution, …`), for error messages.
pub fn filter_parameters() -> String {
    PARAMS.join(", ")
}
