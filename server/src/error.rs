//! The one error type of the HTTP layer, [`ApiError`], and its JSON body.
//!
//! Every error response is `{ "error": code, "message": text, "check"?: id }`
//! ([`ErrorBody`]). Client errors explain themselves; server errors say only that something
//! went wrong, and the detail goes to the log (database text is never sent to a client).
//! Errors answered by a middleware without a JSON body (a timeout, a refused encoding) are
//! turned into this shape by [`ApiError::from_status`], keeping their status.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fieldsync_schema::CheckId;
use fieldsync_schema::wire::ErrorBody;

use crate::store::{StorageFault, StoreError};

/// An error answered to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `bad_request`: the request is malformed; the message names the problem.
    #[error("{message}")]
    BadRequest {
        /// What is wrong, naming the parameter or field and the value.
        message: String,
        /// The check concerned, if any.
        check: Option<CheckId>,
    },
    /// 401 `unauthorized`: no bearer token, or one the server does not know or revoked. The
    /// response carries `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    Unauthenticated(String),
    /// 403 `forbidden`: the caller is known but their role or team does not allow this.
    #[error("{message}")]
    Forbidden {
        /// What is not allowed and why, naming the role.
        message: String,
        /// The check concerned, if any.
        check: Option<CheckId>,
    },
    /// 404 `not_found`.
    #[error("{message}")]
    NotFound {
        /// What was not found.
        message: String,
        /// The check concerned, if any.
        check: Option<CheckId>,
    },
    /// 405 `method_not_allowed`: the path exists but not with this method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 408 `timeout`: the request did not complete within the request timeout.
    #[error("{0}")]
    Timeout(String),
    /// 413 `too_large`: the body or the batch exceeds a limit; the message names it.
    #[error("{0}")]
    TooLarge(String),
    /// 415 `unsupported_encoding`: the body's `Content-Encoding` is neither gzip nor identity.
    #[error("{0}")]
    UnsupportedEncoding(String),
    /// 422 `invalid`: well-formed but breaks a rule.
    #[error("{message}")]
    Invalid {
        /// The rule broken.
        message: String,
        /// The check concerned, if any.
        check: Option<CheckId>,
    },
    /// 507 `insufficient_storage` (disk full) or 503 `unavailable` (the database cannot be
    /// written): nothing of the request was kept; the client keeps its changes and retries
    /// later. The client is told which, never the database's own text (that is logged).
    #[error("storage fault {fault:?}: {detail}")]
    Storage {
        /// Which fault.
        fault: StorageFault,
        /// The store's error, for the log.
        detail: String,
    },
    /// 429 `too_many_requests`: the device made more requests than its per-minute limit; the
    /// answer carries `Retry-After` (seconds).
    #[error("{message}")]
    TooManyRequests {
        /// The limit and when to come back.
        message: String,
        /// Seconds until the next request is accepted.
        retry_after: u64,
    },
    /// A per-document limit answered alone (every message of the request broke it): the
    /// status of that limit (413, 422) with the limit's own code (`too_many_changes`,
    /// `too_many_operations`, `text_too_long`) and the check.
    #[error("{message}")]
    Refused {
        /// The status answered.
        status: StatusCode,
        /// The rejection code.
        code: &'static str,
        /// The rejection's message, naming the check, the value and the limit.
        message: String,
        /// The check concerned.
        check: Option<CheckId>,
    },
    /// 500 `internal`: logged with its detail; the client gets a generic message.
    #[error("internal error: {0}")]
    Internal(String),
    /// Any other 4xx or 5xx status, with the code [`status_code`] gives it (`uri_too_long`,
    /// `headers_too_large`, `unavailable`, ...). For a 5xx the client gets a generic message.
    #[error("{status}: {message}")]
    Status {
        /// The status answered.
        status: StatusCode,
        /// What went wrong; logged, not sent, for a 5xx.
        message: String,
    },
}

impl ApiError {
    /// A 400 naming the problem.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest {
            message: message.into(),
            check: None,
        }
    }

    /// The JSON error standing for a `status` response some layer gave without a JSON body;
    /// `detail` is that body's text, if it had one. The status is kept: a 4xx explains itself
    /// (`detail`, else a message for the status), a 5xx says only that the server failed.
    pub fn from_status(status: StatusCode, detail: Option<&str>) -> Self {
        let detail = detail.map(str::trim).filter(|d| !d.is_empty());
        let message = detail.map_or_else(|| default_message(status), str::to_owned);
        match status {
            StatusCode::BAD_REQUEST => Self::bad_request(message),
            StatusCode::NOT_FOUND => Self::NotFound {
                message,
                check: None,
            },
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed(message),
            StatusCode::REQUEST_TIMEOUT => Self::Timeout(message),
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge(message),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::Status { status, message },
            StatusCode::UNPROCESSABLE_ENTITY => Self::Invalid {
                message,
                check: None,
            },
            StatusCode::INTERNAL_SERVER_ERROR => Self::Internal(message),
            _ => Self::Status { status, message },
        }
    }

    /// The status, code, message and check of the response.
    fn parts(&self) -> (StatusCode, &'static str, String, Option<CheckId>) {
        match self {
            Self::BadRequest { message, check } => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                message.clone(),
                *check,
            ),
            Self::NotFound { message, check } => {
                (StatusCode::NOT_FOUND, "not_found", message.clone(), *check)
            }
            Self::Unauthenticated(message) => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                message.clone(),
                None,
            ),
            Self::Forbidden { message, check } => {
                (StatusCode::FORBIDDEN, "forbidden", message.clone(), *check)
            }
            Self::MethodNotAllowed(message) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                message.clone(),
                None,
            ),
            Self::Timeout(message) => (
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                message.clone(),
                None,
            ),
            Self::UnsupportedEncoding(message) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_encoding",
                message.clone(),
                None,
            ),
            Self::TooLarge(message) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                message.clone(),
                None,
            ),
            Self::Invalid { message, check } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                message.clone(),
                *check,
            ),
            Self::Storage { fault, .. } => storage_parts(*fault),
            Self::TooManyRequests { message, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                message.clone(),
                None,
            ),
            Self::Refused {
                status,
                code,
                message,
                check,
            } => (*status, code, message.clone(), *check),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                GENERIC_SERVER_ERROR.to_owned(),
                None,
            ),
            Self::Status { status, message } => {
                let message = if status.is_server_error() {
                    GENERIC_SERVER_ERROR.to_owned()
                } else {
                    message.clone()
                };
                (*status, status_code(*status), message, None)
            }
        }
    }
}

/// The response to a storage fault: the status, code and a message the client can act on.
fn storage_parts(fault: StorageFault) -> (StatusCode, &'static str, String, Option<CheckId>) {
    match fault {
        StorageFault::Full => (
            StatusCode::INSUFFICIENT_STORAGE,
            "insufficient_storage",
            "the server's disk is full: nothing of this request was kept; keep your changes \
             and sync again later"
                .to_owned(),
            None,
        ),
        StorageFault::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the server cannot write its database now (read-only or failing storage): nothing \
             of this request was kept; keep your changes and sync again later"
                .to_owned(),
            None,
        ),
    }
}

/// What a client is told about any 5xx.
const GENERIC_SERVER_ERROR: &str =
    "the server failed to handle the request; the details are in its log";

/// The stable `error` code of a status that has no [`ApiError`] variant of its own.
pub fn status_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        408 => "timeout",
        409 => "conflict",
        411 => "length_required",
        413 => "too_large",
        414 => "uri_too_long",
        415 => "unsupported_media_type",
        422 => "invalid",
        429 => "too_many_requests",
        431 => "headers_too_large",
        500 => "internal",
        501 => "not_implemented",
        502 => "bad_gateway",
        503 => "unavailable",
        504 => "gateway_timeout",
        507 => "insufficient_storage",
        _ if status.is_client_error() => "client_error",
        _ => "server_error",
    }
}

/// The message of a 4xx that came without one.
fn default_message(status: StatusCode) -> String {
    match status {
        StatusCode::BAD_REQUEST => "the request is malformed".to_owned(),
        StatusCode::REQUEST_TIMEOUT => {
            "the request did not complete within the server's request timeout".to_owned()
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            "the request body is larger than the server's limit".to_owned()
        }
        StatusCode::URI_TOO_LONG => "the request URL is too long".to_owned(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "the request body's media type or encoding is not supported".to_owned()
        }
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            "the request headers are too large or too many".to_owned()
        }
        _ => format!("the request failed: {status}"),
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err.storage_fault() {
            Some(fault) => Self::Storage {
                fault,
                detail: err.to_string(),
            },
            None => Self::Internal(err.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Internal(detail) => tracing::error!(detail = %detail, "request failed"),
            Self::Storage { fault, detail } => {
                tracing::error!(?fault, detail = %detail, "request refused: storage fault");
            }
            Self::Status { status, message } if status.is_server_error() => {
                tracing::error!(status = %status, detail = %message, "request failed");
            }
            _ => {}
        }
        let (status, code, message, check) = self.parts();
        let body = ErrorBody {
            error: code.to_owned(),
            message,
            check,
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        if let Self::TooManyRequests { retry_after, .. } = &self {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        response
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
