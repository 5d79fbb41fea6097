//! The one error type of the HTTP layer, [`ApiError`], and its JSON body.
//!
//! Every error response is `{ "error": code, "message": text, "check"?: id }`
//! ([`ErrorBody`]). Client errors explain themselves; server errors say only that something
//! went wrong, and the detail goes to the log (database text is never sent to a client).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fieldsync_schema::CheckId;
use fieldsync_schema::wire::ErrorBody;

use crate::store::StoreError;

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
    /// 413 `too_large`: the body or the batch exceeds a limit; the message names it.
    #[error("{0}")]
    TooLarge(String),
    /// 422 `invalid`: well-formed but breaks a rule.
    #[error("{message}")]
    Invalid {
        /// The rule broken.
        message: String,
        /// The check concerned, if any.
        check: Option<CheckId>,
    },
    /// 500 `internal`: logged with its detail; the client gets a generic message.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 naming the problem.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest {
            message: message.into(),
            check: None,
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
            Self::MethodNotAllowed(message) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
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
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server failed to handle the request; the details are in its log".to_owned(),
                None,
            ),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        Self::Internal(err.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(detail = %detail, "request failed");
        }
        let (status, code, message, check) = self.parts();
        let body = ErrorBody {
            error: code.to_owned(),
            message,
            check,
        };
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        let id = CheckId::new();
        let cases = [
            (
                ApiError::bad_request("x"),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                ApiError::NotFound {
                    message: "x".into(),
                    check: Some(id),
                },
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                ApiError::TooLarge("x".into()),
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
            ),
            (
                ApiError::Invalid {
                    message: "x".into(),
                    check: None,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
        ];
        for (err, status, code) in cases {
            let (s, c, m, _) = err.parts();
            assert_eq!((s, c, m.as_str()), (status, code, "x"));
        }
    }

    #[test]
    fn internal_errors_hide_their_detail() {
        let err = ApiError::from(StoreError::Sqlite(rusqlite::Error::InvalidQuery));
        let (status, code, message, _) = err.parts();
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(code, "internal");
        assert!(!message.contains("Query"), "{message}");
    }
}
