//! `GET /api/v1/reports/resolutions`: the follow-up report per resolution
//! ([`fieldsync_schema::report`]) over the server's checks, as JSON, Markdown or one
//! self-contained HTML page.

use std::ops::ControlFlow;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use fieldsync_schema::report::{ReportBuilder, ResolutionsReport, to_html, to_markdown};
use fieldsync_schema::{Catalog, RecordFilter};

use super::record_query::{filter_parameters, refuse_repeats, set_filter};
use crate::auth::{RequireRole, Supervisor};
use crate::error::ApiError;
use crate::state::AppState;

/// The answer's format (`?format=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReportFormat {
    /// `application/json` (the default): the report's fields.
    #[default]
    Json,
    /// `text/markdown; charset=utf-8`.
    Md,
    /// `text/html; charset=utf-8`, one page with no external resource.
    Html,
}

/// The report over the stored checks `?kind=&resolution=&state=&since=&until=&site=` cover
/// (each optional; `resolution` chooses the resolution reported, see the report's
/// definitions), in `?format=json|md|html` (default json). Deleted checks never count;
/// invalid ones count and are flagged.
///
/// Supervisors and admins only: the report covers every team's checks.
///
/// # Errors
/// 401 without a valid token, 403 for an inspector; 400 naming the parameter and value for
/// an unknown parameter, and also the rule for a refused value; 500 if the store fails.
pub async fn resolutions(
    _reader: RequireRole<Supervisor>,
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(pairs) =
        query.map_err(|e| ApiError::bad_request(format!("malformed query: {}", e.body_text())))?;
    let (format, filter) = parse_query(&pairs)?;
    let report = state.run(move |store| build(store, filter)).await?;
    Ok(match format {
        ReportFormat::Json => Json(report).into_response(),
        ReportFormat::Md => text("text/markdown; charset=utf-8", to_markdown(&report)),
        ReportFormat::Html => text("text/html; charset=utf-8", to_html(&report)),
    })
}

fn text(content_type: &'static str, body: String) -> Response {
    ([(CONTENT_TYPE, content_type)], body).into_response()
}

/// Walks the stored checks into the report. The walk's filter leaves out `resolution`:
/// the findings of a resolution's kinds read checks that are not linked to it.
fn build(
    store: &dyn crate::store::Store,
    filter: RecordFilter,
) -> Result<ResolutionsReport, ApiError> {
    let walk = RecordFilter {
        resolution: None,
        ..filter.clone()
    };
    let mut builder = ReportBuilder::new(Catalog::builtin(), filter);
    store.for_each_record(&walk, &mut |record| {
        builder.add(&record);
        ControlFlow::Continue(())
    })?;
    Ok(builder.finish())
}

/// The format and the filter; a repeated parameter is refused.
fn parse_query(pairs: &[(String, String)]) -> Result<(ReportFormat, RecordFilter), ApiError> {
    refuse_repeats(pairs)?;
    let mut format = ReportFormat::default();
    let mut filter = RecordFilter::default();
    for (key, value) in pairs {
        if key == "format" {
            format = match value.trim() {
                "json" => ReportFormat::Json,
                "md" => ReportFormat::Md,
                "html" => ReportFormat::Html,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "query parameter format={value:?}: expected json, md or html"
                    )));
                }
            };
        } else if !set_filter(&mut filter, key, value)? {
            return Err(ApiError::bad_request(format!(
                "unknown query parameter {key:?}: expected format, {}",
                filter_parameters()
            )));
        }
    }
    Ok((format, filter))
}

#[cfg(test)]
#[path = "reports_tests.rs"]
mod tests;
