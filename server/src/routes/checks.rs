//! `GET /api/v1/checks` (the index) and `GET /api/v1/checks/{id}` (one check, read from its
//! document).

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use fieldsync_schema::forms::{is_valid, normalise_digits};
use fieldsync_schema::kind::UnknownKind;
use fieldsync_schema::validation::check_violations;
use fieldsync_schema::wire::{CheckDetail, CheckSummary};
use fieldsync_schema::{Catalog, CheckDoc, CheckId, FacilityKind, SiteId};

use crate::auth::{Caller, Identity};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{CheckFilter, Store};

/// The checks matching `?resolution=N&kind=K&site=ID&valid=B` (each optional), from the
/// index only, ordered by observation time (UTC) then id. `valid=false` lists the checks
/// flagged invalid. An inspector gets only their team's checks.
///
/// # Errors
/// 401 without a valid token; 400 naming the parameter and value for an unknown parameter, a resolution number that is
/// not in the catalog, an unknown kind or a malformed site id; 500 if the store fails.
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Vec<CheckSummary>>, ApiError> {
    let Query(pairs) =
        query.map_err(|e| ApiError::bad_request(format!("malformed query: {}", e.body_text())))?;
    let mut filter = parse_filter(&pairs)?;
    filter.team = caller.visible_team().map(str::to_owned);
    let checks = state
        .run(move |store| Ok(store.list_checks(&filter)?))
        .await?;
    Ok(Json(checks))
}

/// Parses the list filters; a repeated parameter is refused.
fn parse_filter(pairs: &[(String, String)]) -> Result<CheckFilter, ApiError> {
    super::record_query::refuse_repeats(pairs)?;
    let mut filter = CheckFilter::default();
    for (key, value) in pairs {
        match key.as_str() {
            "resolution" => filter.resolution = Some(parse_resolution(value)?),
            "kind" => {
                let kind = value.parse::<FacilityKind>().map_err(|e: UnknownKind| {
                    ApiError::bad_request(format!("query parameter kind: {e}"))
                })?;
                filter.kind = Some(kind);
            }
            "valid" => filter.valid = Some(parse_valid(value)?),
            "site" => {
                let site = value
                    .parse::<SiteId>()
                    .map_err(|e| ApiError::bad_request(format!("query parameter site: {e}")))?;
                filter.site = Some(site);
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter {other:?}: expected resolution, kind, site or valid"
                )));
            }
        }
    }
    Ok(filter)
}

/// `valid=true` or `valid=false`.
fn parse_valid(value: &str) -> Result<bool, ApiError> {
    match value.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ApiError::bad_request(format!(
            "query parameter valid={value:?}: expected true or false"
        ))),
    }
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

/// One check as the server stores it, with its conflicts, `seq`, validity and violations.
///
/// # Errors
/// 401 without a valid token; 403 naming the check for an inspector of another team; 400 naming a malformed id; 404 `not_found` with the id for an unknown check; 500 if the
/// store fails or the stored document does not read back.
pub async fn show(
    State(state): State<AppState>,
    Caller(caller): Caller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<CheckDetail>, ApiError> {
    let Path(raw) = id.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let id = raw
        .parse::<CheckId>()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let detail = state
        .run(move |store| {
            may_see(store, &caller, id)?;
            read_check(store, id)
        })
        .await?;
    Ok(Json(detail))
}

/// 403 when `caller` may not see `check` (an inspector, another team's check).
fn may_see(store: &dyn Store, caller: &Identity, check: CheckId) -> Result<(), ApiError> {
    match store.check_team(check)? {
        Some(team) if !caller.may_see(&team) => Err(ApiError::Forbidden {
            message: format!(
                "check {check} belongs to team {team:?}; user {:?} ({}, team {:?}) may not see it",
                caller.user,
                caller.role.as_str(),
                caller.team
            ),
            check: Some(check),
        }),
        _ => Ok(()),
    }
}

fn read_check(store: &dyn Store, id: CheckId) -> Result<CheckDetail, ApiError> {
    let stored = store.load_check(id)?.ok_or_else(|| ApiError::NotFound {
        message: format!("no check {id}"),
        check: Some(id),
    })?;
    let broken = |e: fieldsync_schema::DocError| {
        ApiError::Internal(format!("stored check {id} does not read back: {e}"))
    };
    let doc = CheckDoc::load(&stored.bytes).map_err(broken)?;
    let mut check = doc.read().map_err(broken)?;
    // A damaged deleted check rebuilt from a copy without the tombstone reads deleted.
    if check.deleted.is_none() {
        check.deleted = stored.deleted;
    }
    // The same validation the sync stored the flag from, applied to the same version.
    let violations = check_violations(&check);
    Ok(CheckDetail {
        valid: is_valid(&violations),
        violations,
        conflicts: doc.conflicts().map_err(broken)?,
        check,
        seq: stored.seq,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn filters_parse() {
        let filter = parse_filter(&pairs(&[
            ("resolution", "١٦"),
            ("kind", "bakery"),
            ("site", "DEZ-BAK-014"),
            ("valid", "false"),
        ]))
        .expect("valid");
        assert_eq!(filter.valid, Some(false));
        assert_eq!(filter.resolution, Some(16));
        assert_eq!(filter.kind, Some(FacilityKind::Bakery));
        assert_eq!(
            filter.site.as_ref().map(SiteId::as_str),
            Some("DEZ-BAK-014")
        );
    }

    #[test]
    fn bad_filters_name_parameter_and_value() {
        let cases = [
            (("resolution", "abc"), ["resolution", "\"abc\""]),
            (("resolution", "43"), ["resolution", "\"43\""]),
            (("resolution", "0"), ["resolution", "\"0\""]),
            (("kind", "hospital"), ["kind", "\"hospital\""]),
            (("site", "has space"), ["site", "\"has space\""]),
            (("valid", "no"), ["valid", "\"no\""]),
            (
                ("resolutoin", "16"),
                ["unknown query parameter", "\"resolutoin\""],
            ),
        ];
        for ((key, value), needles) in cases {
            let err = parse_filter(&pairs(&[(key, value)])).expect_err(key);
            let text = err.to_string();
            for needle in needles {
                assert!(text.contains(needle), "{text} lacks {needle}");
            }
        }
    }
}
