//! `GET /healthz`: liveness, unversioned.

use axum::Json;
use serde_json::{Value, json};

/// Always `200 {"status":"ok"}` while the server runs.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
