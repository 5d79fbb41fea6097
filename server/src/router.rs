//! The whole route table, and the middleware around it.
//!
//! | method | path | handler |
//! |---|---|---|
//! | GET | `/healthz` | [`routes::health::healthz`] |
//! | POST | `/api/v1/enrol` | [`routes::enrol::enrol`] (no token: the code) |
//! | POST | `/api/v1/sync` | [`routes::sync::sync`] |
//! | GET | `/api/v1/checks` | [`routes::checks::list`] |
//! | GET | `/api/v1/checks/{id}` | [`routes::checks::show`] |
//! | GET | `/api/v1/export` | [`routes::export::export`] (streamed) |
//! | GET | `/api/v1/resolutions` | [`routes::resolutions::list`] |
//! | GET | `/api/v1/reports/resolutions` | [`routes::reports::resolutions`] |
//!
//! Every route but `/healthz` and `/api/v1/enrol` needs `Authorization: Bearer <token>`
//! (401 without a valid one, 403 when the caller's role or team does not allow it; see
//! [`crate::auth`]).
//!
//! Middleware, outermost first: tracing, panic catching (a panic is a JSON 500 for that
//! request only), response compression (gzip), JSON errors (any 4xx/5xx answered without a
//! JSON body becomes `{error, message}` with the same status), the request timeout (JSON 408),
//! refusal of body encodings other than gzip (JSON 415), request decompression (gzip), body
//! limit.
//!
//! Not covered, because hyper answers them before a request reaches the router, with an
//! empty body: a request line or headers it cannot parse (400), a URL over 65,534 bytes
//! (414), more than 100 headers or a request head over about 400 KiB (431).

use std::any::Any;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, HttpBody as _};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::http::header::{
    ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue,
    TRANSFER_ENCODING,
};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::SizeAbove;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::routes;
use crate::state::AppState;

/// The application: every route with its middleware, over `state`.
pub fn router(state: AppState) -> Router {
    let body_limit = state.max_body_bytes();
    let request_timeout = state.request_timeout();
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/api/v1/enrol", post(routes::enrol::enrol))
        .route("/api/v1/sync", post(routes::sync::sync))
        .route("/api/v1/checks", get(routes::checks::list))
        .route("/api/v1/checks/{id}", get(routes::checks::show))
        .route("/api/v1/export", get(routes::export::export))
        .route("/api/v1/resolutions", get(routes::resolutions::list))
        .route(
            "/api/v1/reports/resolutions",
            get(routes::reports::resolutions),
        )
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestDecompressionLayer::new())
        .layer(middleware::from_fn(refuse_unsupported_encoding))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(middleware::from_fn_with_state(request_timeout, json_errors))
        // Small answers (an idle sync's is under 100 bytes) go uncompressed: gzip's framing and
        // the extra headers would cost more than they save.
        .layer(CompressionLayer::new().compress_when(SizeAbove::new(512)))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
}

/// Answers 415 naming the encoding when the body is encoded other than as gzip (the only
/// encoding the server decodes), instead of the decompression layer's bare 415.
async fn refuse_unsupported_encoding(request: Request, next: Next) -> Response {
    let encodings: Vec<_> = request.headers().get_all(CONTENT_ENCODING).iter().collect();
    let supported = match encodings.as_slice() {
        [] => true,
        [one] => matches!(one.as_bytes(), b"gzip" | b"identity"),
        _ => false,
    };
    if supported {
        return next.run(request).await;
    }
    let named = encodings
        .iter()
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .collect::<Vec<_>>()
        .join(", ");
    let named: String = named.chars().take(60).collect();
    let mut response = ApiError::UnsupportedEncoding(format!(
        "content-encoding {named} is not supported; send gzip or no encoding"
    ))
    .into_response();
    response
        .headers_mut()
        .insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
    response
}

/// Makes every 4xx and 5xx answer JSON: a response that some layer gave without a JSON body
/// (tower-http's 408, a plain-text rejection) becomes [`ApiError::from_status`] with the
/// same status and the same headers (`Allow`, `Accept-Encoding`, `Retry-After`, ...).
async fn json_errors(
    State(request_timeout): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(response.headers()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let error = if status == StatusCode::REQUEST_TIMEOUT {
        ApiError::Timeout(format!(
            "the request did not complete within {} s, the server's request timeout; send the \
             body without pausing, or sync fewer documents per round",
            request_timeout.as_secs()
        ))
    } else {
        ApiError::from_status(status, short_text(body).await.as_deref())
    };
    let mut mapped = error.into_response();
    let replaced = [
        CONTENT_TYPE,
        CONTENT_LENGTH,
        CONTENT_ENCODING,
        TRANSFER_ENCODING,
    ];
    for (name, value) in &parts.headers {
        if !replaced.contains(name) {
            mapped.headers_mut().append(name, value.clone());
        }
    }
    mapped
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The text of a small, complete body (an error's explanation), if it is one.
async fn short_text(body: Body) -> Option<String> {
    const LIMIT: u64 = 1024;
    if body.size_hint().upper().is_none_or(|n| n > LIMIT) {
        return None;
    }
    let bytes = axum::body::to_bytes(body, 1024).await.ok()?;
    String::from_utf8(bytes.to_vec()).ok()
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
    use axum::http::header::{ALLOW, RETRY_AFTER};
    use tower::ServiceExt as _;

    use super::*;

    /// A router answering `/{status}` with that status and a plain-text or empty body,
    /// behind [`json_errors`].
    fn plain_errors() -> Router {
        Router::new()
            .route(
                "/{status}",
                get(
                    |axum::extract::Path(status): axum::extract::Path<u16>| async move {
                        let status = StatusCode::from_u16(status).expect("status");
                        let headers = [(ALLOW, "GET"), (RETRY_AFTER, "5")];
                        match status.as_u16() {
                            404 | 408 | 414 | 431 => (status, headers, String::new()),
                            _ => (status, headers, format!("plain {}", status.as_u16())),
                        }
                    },
                ),
            )
            .route(
                "/json",
                get(|| async { ApiError::bad_request("already json") }),
            )
            .layer(middleware::from_fn_with_state(
                Duration::from_secs(7),
                json_errors,
            ))
    }

    async fn call(app: Router, path: &str) -> (StatusCode, HeaderMap, serde_json::Value) {
        let request = axum::http::Request::get(path)
            .body(Body::empty())
            .expect("request");
        let response = app.oneshot(request).await.expect("infallible");
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, 4096).await.expect("body");
        let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
        (parts.status, parts.headers, json)
    }

    #[tokio::test]
    async fn non_json_errors_become_json_with_the_same_status_and_headers() {
        let cases = [
            (400, "bad_request", "plain 400"),
            (404, "not_found", "the request failed: 404 Not Found"),
            (408, "timeout", "within 7 s"),
            (413, "too_large", "plain 413"),
            (414, "uri_too_long", "the request URL is too long"),
            (415, "unsupported_media_type", "plain 415"),
            (429, "too_many_requests", "plain 429"),
            (431, "headers_too_large", "too large or too many"),
            (500, "internal", "details are in its log"),
            (503, "unavailable", "details are in its log"),
        ];
        for (status, code, needle) in cases {
            let (got, headers, json) = call(plain_errors(), &format!("/{status}")).await;
            assert_eq!(got.as_u16(), status, "{json}");
            assert!(is_json(&headers), "{status}: {headers:?}");
            assert_eq!(json["error"], code, "{json}");
            let message = json["message"].as_str().expect("message");
            assert!(
                message.contains(needle),
                "{status}: {message:?} lacks {needle:?}"
            );
            assert!(
                status < 500 || !message.contains("plain"),
                "{status} leaks its detail: {message}"
            );
            assert_eq!(headers.get(RETRY_AFTER).expect("kept"), "5");
            assert_eq!(headers.get(ALLOW).expect("kept"), "GET");
        }
    }

    #[tokio::test]
    async fn json_errors_and_successes_pass_unchanged() {
        let (status, _, json) = call(plain_errors(), "/json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json["message"], "already json");
        let request = axum::http::Request::get("/201")
            .body(Body::empty())
            .expect("request");
        let response = plain_errors().oneshot(request).await.expect("infallible");
        assert_eq!(response.status(), StatusCode::CREATED);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .expect("body");
        assert_eq!(&body[..], b"plain 201");
    }

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
