//! `POST /api/v1/enrol`: a device exchanges a one-time enrolment code for its token. The only
//! route besides `/healthz` without a bearer token: the code is the credential.

use axum::Json;
use axum::extract::State;
use fieldsync_schema::wire::{EnrolRequest, EnrolResponse};

use crate::auth::directory::{DirectoryError, Enrolment};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;

/// Registers the device and its actor for the code's user and answers the token with the
/// user's name, role and team (from the server, never from the request).
///
/// # Errors
/// 401 `unauthorized` for an unknown, used or expired code (one message for all three);
/// 400 for a malformed code, device id or actor; 403 `forbidden` when the device id or actor
/// is another user's, or a device set up offline writes under another name or role than
/// the code's user (the code stays usable); 500 if the store fails.
pub async fn enrol(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<EnrolRequest>,
) -> Result<Json<EnrolResponse>, ApiError> {
    let (token, identity) = state
        .run(move |store| {
            let existing = request.name.as_deref().zip(request.role);
            let enrolment = Enrolment {
                code: &request.code,
                device: &request.device,
                actor: &request.actor,
                existing,
            };
            store.enrol(&enrolment).map_err(into_api)
        })
        .await?;
    tracing::info!(user = %identity.user, device = %identity.device, "device enrolled");
    Ok(Json(EnrolResponse {
        token,
        user: identity.user,
        role: identity.role,
        team: identity.team,
    }))
}

fn into_api(err: DirectoryError) -> ApiError {
    match err {
        DirectoryError::BadCode => ApiError::Unauthenticated(err.to_string()),
        DirectoryError::Invalid(message) => ApiError::bad_request(message),
        DirectoryError::Taken(message) | DirectoryError::Mismatch(message) => ApiError::Forbidden {
            message,
            check: None,
        },
        DirectoryError::Store(e) => e.into(),
        other => ApiError::Internal(other.to_string()),
    }
}
