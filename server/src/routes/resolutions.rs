//! `GET /api/v1/resolutions`: the 42 resolutions with their link counts.

use axum::Json;
use axum::extract::State;
use fieldsync_schema::Catalog;
use fieldsync_schema::wire::ResolutionSummary;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// Every resolution of the built-in catalog, in number order, with how many checks (and
/// distinct sites) are linked to it.
///
/// Open to every role: the catalog is public text and the counts aggregate.
///
/// # Errors
/// 401 without a valid token; 500 if the store fails.
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<ResolutionSummary>>, ApiError> {
    let counts = state.run(|store| Ok(store.resolution_counts()?)).await?;
    let rows = Catalog::builtin()
        .resolutions()
        .iter()
        .map(|r| {
            let count = counts.get(&r.number).copied().unwrap_or_default();
            ResolutionSummary {
                number: r.number,
                text_ar: r.text_ar.clone(),
                title_en: r.title_en.clone(),
                kinds: r.kinds.clone(),
                checks: count.checks,
                sites: count.sites,
            }
        })
        .collect();
    Ok(Json(rows))
}
