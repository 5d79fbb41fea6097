//! Extractors whose rejections are [`ApiError`]s (JSON bodies), never axum's plain text.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body. Unlike `axum::Json` the `Content-Type` header is not required (the
/// body must be JSON either way); a body over the configured limit is a 413, anything that
/// is not a valid `T` a 400 naming the problem and its path (`messages[0].message: ...`).
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(from_bytes_rejection)?;
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(from_json_rejection(&rejection)),
        }
    }
}

fn from_bytes_rejection(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge(format!(
            "request body is larger than the server's limit ({})",
            rejection.body_text()
        ))
    } else {
        ApiError::bad_request(format!(
            "cannot read the request body: {}",
            rejection.body_text()
        ))
    }
}

fn from_json_rejection(rejection: &JsonRejection) -> ApiError {
    let detail = rejection.body_text();
    match rejection {
        JsonRejection::JsonSyntaxError(_) => {
            let detail = detail
                .strip_prefix("Failed to parse the request body as JSON: ")
                .unwrap_or(&detail);
            ApiError::bad_request(format!("request body is not JSON: {detail}"))
        }
        _ => {
            let detail = detail
                .strip_prefix("Failed to deserialize the JSON body into the target type: ")
                .unwrap_or(&detail);
            ApiError::bad_request(format!("request body is not a valid request: {detail}"))
        }
    }
}
