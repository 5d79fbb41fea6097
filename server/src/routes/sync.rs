//! `POST /api/v1/sync`: one round of the batched sync.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fieldsync_schema::sync_bounds::check_message;
use fieldsync_schema::wire::{SyncRequest, SyncResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::sync::{
    FORBIDDEN, MALFORMED_MESSAGE, TEXT_TOO_LONG, TOO_LARGE, TOO_MANY_CHANGES, TOO_MANY_OPERATIONS,
};

/// Runs one sync round for the authenticated device ([`crate::sync::sync_round_as`]): the
/// device is the token's, whatever the body's `device` says.
///
/// # Errors
/// 401 without a valid token (before the body is read).
/// 400 for a body that is not a [`SyncRequest`], has an empty device id, or carries only
/// malformed messages (naming the first document); 413 for more messages than
/// `--max-messages-per-request`, a body over the limit, or only messages over a size,
/// changes or operations limit; 422 for only messages over the text limit; 429 with
/// `Retry-After` when the device is over `--max-requests-per-minute` (counted by
/// [`Caller`] for every route); 500 if the store fails (nothing of the round
/// is kept). Per-document problems in a batch with anything else are `rejected` entries.
pub async fn sync(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>, ApiError> {
    if request.device.id.trim().is_empty() {
        return Err(ApiError::bad_request("device.id must not be empty"));
    }
    let max = state.max_messages();
    if request.messages.len() > max {
        return Err(ApiError::TooLarge(format!(
            "the request carries {} messages; the limit is {max} per request \
             (--max-messages-per-request): split the sync into rounds",
            request.messages.len()
        )));
    }
    let limits = state.limits();
    let sent = request.messages.len();
    let response = state
        .run(move |store| {
            within_request_budget(&request, &limits)?;
            Ok(crate::sync::sync_round_as(
                store, &caller, &request, &limits,
            )?)
        })
        .await?;
    if let Some(err) = nothing_but_refused(sent, &response) {
        return Err(err);
    }
    Ok(Json(response))
}

/// A request whose every message was refused for the same reason, and that gets nothing
/// back, is answered with that reason's status naming the (first) document instead of a
/// 200 listing rejections: there is no batch to keep going. Malformed is 400, over a size,
/// changes or operations limit 413, over the text limit 422, refused by the authority 403 (the change
/// stays on the device). The messages are in quarantine either way; a
/// batch with anything else in it stays a 200 with `rejected` entries, so one bad document
/// never blocks the rest.
fn nothing_but_refused(sent: usize, response: &SyncResponse) -> Option<ApiError> {
    let first = response.rejected.first()?;
    let all_alike = sent > 0
        && response.rejected.len() == sent
        && response.rejected.iter().all(|r| r.error == first.error);
    if !all_alike || !response.messages.is_empty() || response.more {
        return None;
    }
    let (status, code) = match first.error.as_str() {
        MALFORMED_MESSAGE => {
            return Some(ApiError::BadRequest {
                message: first.message.clone(),
                check: Some(first.check),
            });
        }
        TOO_LARGE => (StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE),
        TOO_MANY_CHANGES => (StatusCode::PAYLOAD_TOO_LARGE, TOO_MANY_CHANGES),
        TOO_MANY_OPERATIONS => (StatusCode::PAYLOAD_TOO_LARGE, TOO_MANY_OPERATIONS),
        TEXT_TOO_LONG => (StatusCode::UNPROCESSABLE_ENTITY, TEXT_TOO_LONG),
        FORBIDDEN => (StatusCode::FORBIDDEN, FORBIDDEN),
        _ => return None,
    };
    Some(ApiError::Refused {
        status,
        code,
        message: first.message.clone(),
        check: Some(first.check),
    })
}

/// How many messages' worth of operations one request may carry: the operations of all its
/// messages together are bounded by this many times `--max-ops-per-message` (a single
/// message is bounded by the limit itself), so a request of hundreds of messages each just
/// under the limit cannot keep the writer busy for minutes.
pub const REQUEST_OPS_FACTOR: u64 = 2;

/// Refuses a request of several messages whose operations together exceed
/// [`REQUEST_OPS_FACTOR`] times the per-message limit (413 `too_many_operations`; the CLI
/// then sends fewer messages per round). Messages that break their own bounds are left to
/// the round, which rejects them one by one.
fn within_request_budget(
    request: &SyncRequest,
    limits: &crate::sync::Limits,
) -> Result<(), ApiError> {
    if request.messages.len() < 2 {
        return Ok(());
    }
    let budget = (limits.message.max_ops as u64).saturating_mul(REQUEST_OPS_FACTOR);
    let mut total: u64 = 0;
    for m in &request.messages {
        if let Ok(shape) = check_message(&m.message, &limits.message) {
            total = total.saturating_add(shape.chunks.ops);
        }
        if total > budget {
            return Err(ApiError::Refused {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: TOO_MANY_OPERATIONS,
                message: format!(
                    "the request's {} messages describe more than {budget} operations \
                     together; a request may carry {REQUEST_OPS_FACTOR} times \
                     --max-ops-per-message: send fewer checks per round",
                    request.messages.len()
                ),
                check: None,
            });
        }
    }
    Ok(())
}
