//! The read API's errors and edges: health, unknown ids and routes, bad query values.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fieldsync_schema::CheckId;
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn healthz_is_ok() {
    let app = TestApp::new();
    assert_eq!(
        app.get("/healthz").await,
        (StatusCode::OK, json!({"status": "ok"}))
    );
}

#[tokio::test]
async fn an_unknown_check_is_a_404_naming_it() {
    let app = TestApp::new();
    let id = CheckId::new();
    let (status, body) = app.get(&format!("/api/v1/checks/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({"error": "not_found", "message": format!("no check {id}"), "check": id.to_string()})
    );
}

#[tokio::test]
async fn a_malformed_check_id_is_a_400_naming_it() {
    let app = TestApp::new();
    let (status, body) = app.get("/api/v1/checks/not-a-uuid").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "bad_request");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("\"not-a-uuid\"")),
        "{body}"
    );
}

#[tokio::test]
async fn bad_query_values_are_400s_naming_parameter_and_value() {
    let app = TestApp::new();
    for (query, needles) in [
        ("resolution=abc", ["resolution", "abc"]),
        ("kind=hospital", ["kind", "hospital"]),
        ("site=a%20b", ["site", "a b"]),
    ] {
        let (status, body) = app.get(&format!("/api/v1/checks?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        let message = body["message"].as_str().expect("message");
        for needle in needles {
            assert!(message.contains(needle), "{message} lacks {needle}");
        }
    }
    let (status, body) = app.get("/api/v1/checks?resolution=16&kind=bakery").await;
    assert_eq!((status, body), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = TestApp::new();
    let (status, body) = app.get("/api/v2/checks").await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
    let request = Request::delete("/api/v1/checks")
        .body(Body::empty())
        .expect("request");
    let (status, _, body) = app.send(request).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(body["error"], "method_not_allowed");
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_and_other_schemes_are_refused() {
    let app = TestApp::new();
    let token = app.reader_token();
    for (header_value, expected) in [
        (format!("Bearer {token}"), StatusCode::OK),
        (format!("bearer {token}"), StatusCode::OK),
        (format!("BEARER {token}"), StatusCode::OK),
        (format!("Basic {token}"), StatusCode::UNAUTHORIZED),
        (token.clone(), StatusCode::UNAUTHORIZED),
    ] {
        let request = Request::get("/api/v1/resolutions")
            .header(header::AUTHORIZATION, &header_value)
            .body(Body::empty())
            .expect("request");
        let (status, _, _) = app.send(request).await;
        assert_eq!(status, expected, "{header_value:?}");
    }
}
