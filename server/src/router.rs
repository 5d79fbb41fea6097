//! The whole route table, and the middleware around it.
//!
//! | method | path | handler |
//! |---|---|---|
//! | GET | `/healthz` | [`routes::health::healthz`] |
//! | POST | `/api/v1/sync` | [`routes::sync::sync`] |
//! | GET | `/api/v1/checks` | [`routes::checks::list`] |
//! | GET | `/api/v1/checks/{id}` | [`routes::checks::show`] |
//! | GET | `/api/v1/resolutions` | [`routes::resolutions::list`] |
//!
//! Middleware, outermost first: tracing, panic catching (a panic is a JSON 500 for that
//! request only), response compression (gzip), request decompression (gzip), body limit.

use std::any::Any;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::routes;
use crate::state::AppState;

/// The application: every route with its middleware, over `state`.
pub fn router(state: AppState) -> Router {
    let body_limit = state.max_body_bytes();
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/api/v1/sync", post(routes::sync::sync))
        .route("/api/v1/checks", get(routes::checks::list))
        .route("/api/v1/checks/{id}", get(routes::checks::show))
        .route("/api/v1/resolutions", get(routes::resolutions::list))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestDecompressionLayer::new())
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
}

/// Turns a handler panic into a JSON 500, logging what the panic said.
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    ApiError::Internal(format!("handler panicked: {detail}")).into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_a_generic_json_500() {
        for panic in [
            Box::new("boom") as Box<dyn Any + Send>,
            Box::new(String::from("boom")),
        ] {
            let response = panic_response(panic);
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let body = axum::body::to_bytes(response.into_body(), 1024)
                .await
                .expect("body");
            let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
            assert_eq!(json["error"], "internal");
            assert!(
                !json["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("boom")
            );
        }
    }
}
