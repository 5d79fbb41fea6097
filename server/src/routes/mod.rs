//! HTTP handlers, one file per resource. Every handler but `health` and `enrol` takes an
//! authenticated [`crate::auth::Caller`] (or a [`crate::auth::RequireRole`]). They parse and validate input, run store and sync
//! work through [`crate::AppState::run`], and answer JSON; errors are [`ApiError`]s.

pub mod checks;
pub mod enrol;
pub mod export;
pub mod health;
pub mod record_query;
pub mod reports;
pub mod resolutions;
pub mod sync;

use axum::http::{Method, Uri};

use crate::error::ApiError;

/// 404 for any path the route table lacks.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::NotFound {
        message: format!("no route {}", uri.path()),
        check: None,
    }
}

/// 405 naming the method and path, in the JSON error shape.
pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("method {method} is not allowed on {}", uri.path()))
}
