//! `POST /api/v1/sync`: one round of the batched sync.

use axum::Json;
use axum::extract::State;
use fieldsync_schema::wire::{MAX_MESSAGES_PER_REQUEST, SyncRequest, SyncResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;

/// Runs one sync round for the authenticated device ([`crate::sync::sync_round_as`]): the
/// device is the token's, whatever the body's `device` says.
///
/// # Errors
/// 401 without a valid token (before the body is read).
/// 400 for a body that is not a [`SyncRequest`], has an empty device id, or carries only
/// malformed messages (naming the first document); 413 for more than
/// [`MAX_MESSAGES_PER_REQUEST`] messages or a body over the limit; 500 if the store fails
/// (nothing of the round is kept). Per-document problems are `rejected` entries, not errors.
pub async fn sync(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>, ApiError> {
    if request.messages.len() > MAX_MESSAGES_PER_REQUEST {
        return Err(ApiError::TooLarge(format!(
            "the request carries {} messages; the limit is {MAX_MESSAGES_PER_REQUEST} per request: \
             split the sync into rounds",
            request.messages.len()
        )));
    }
    if request.device.id.trim().is_empty() {
        return Err(ApiError::bad_request("device.id must not be empty"));
    }
    let limits = crate::sync::Limits {
        reply_messages: state.reply_limit(),
        document_bytes: state.max_document_bytes(),
        ..crate::sync::Limits::default()
    };
    let sent = request.messages.len();
    let response = state
        .run(move |store| {
            Ok(crate::sync::sync_round_as(
                store, &caller, &request, &limits,
            )?)
        })
        .await?;
    if let Some(err) = nothing_but_malformed(sent, &response) {
        return Err(err);
    }
    Ok(Json(response))
}

/// A request whose every message was malformed, and that gets nothing back, is answered
/// with a 400 naming the (first) document instead of a 200 listing rejections: there is no
/// batch to keep going. The messages are in quarantine either way; a batch with anything
/// else in it stays a 200 with `rejected` entries, so one bad document never blocks the rest.
fn nothing_but_malformed(sent: usize, response: &SyncResponse) -> Option<ApiError> {
    let all_malformed = sent > 0
        && response.rejected.len() == sent
        && response
            .rejected
            .iter()
            .all(|r| r.error == crate::sync::MALFORMED_MESSAGE);
    let first = response.rejected.first()?;
    (all_malformed && response.messages.is_empty() && !response.more).then(|| {
        ApiError::BadRequest {
            message: first.message.clone(),
            check: Some(first.check),
        }
    })
}
