//! Every error the router answers is JSON `{error, message}`: refused body encodings (415)
//! and the request timeout (408).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fieldsync_server::{AppState, Config, router};
use serde_json::Value;
use tower::ServiceExt as _;

use crate::support::{Server, blocking, start_stalled_sync, sync_body};

/// POSTs `body` to the sync route with the `Content-Encoding` values given.
async fn post_encoded(encodings: &[&str], body: Vec<u8>) -> (StatusCode, header::HeaderMap, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = AppState::open(&Config::for_data_dir(dir.path().join("data"))).expect("store");
    let token = crate::support::enrol_token(&dir.path().join("data"));
    let mut request = Request::post("/api/v1/sync")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    for encoding in encodings {
        request = request.header(header::CONTENT_ENCODING, *encoding);
    }
    let request = request.body(Body::from(body)).expect("request");
    let response = router(state).oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.expect("body");
    assert_eq!(
        parts
            .headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.as_bytes()),
        Some(&b"application/json"[..]),
        "{:?}",
        String::from_utf8_lossy(&body)
    );
    let json = serde_json::from_slice(&body).expect("JSON body");
    (parts.status, parts.headers, json)
}

#[tokio::test]
async fn bodies_in_encodings_other_than_gzip_get_a_json_415_naming_the_encoding() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["br"],
            "content-encoding br is not supported; send gzip or no encoding",
        ),
        (&["deflate"], "content-encoding deflate is not supported"),
        (&["zstd"], "content-encoding zstd is not supported"),
        (&["GZIP"], "content-encoding GZIP is not supported"),
        (
            &["gzip", "br"],
            "content-encoding gzip, br is not supported",
        ),
    ];
    for (encodings, needle) in cases {
        let (status, headers, json) = post_encoded(encodings, b"\x0b\x02\x80".to_vec()).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{encodings:?}: {json}"
        );
        assert_eq!(json["error"], "unsupported_encoding", "{json}");
        let message = json["message"].as_str().expect("message");
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
        assert_eq!(
            headers
                .get(header::ACCEPT_ENCODING)
                .expect("accept-encoding"),
            "gzip"
        );
    }
}

#[tokio::test]
async fn identity_encoding_is_accepted() {
    let (status, _, json) = post_encoded(&["identity"], sync_body(200)).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

#[tokio::test]
async fn a_stalled_upload_gets_a_json_408_after_the_request_timeout() {
    let mut server = Server::start(|mut c| {
        c.request_timeout_secs = 1;
        c
    })
    .await;
    let mut client = start_stalled_sync(&server).await;
    // Bounded by the client's read timeout (10 s), far above the 1 s request timeout.
    let response = blocking(move || client.read_response()).await;
    assert_eq!(response.status, 408, "{response:?}");
    let json = response.json();
    assert_eq!(json["error"], "timeout", "{json}");
    let message = json["message"].as_str().expect("message");
    assert!(message.contains("within 1 s"), "{message}");
    server.shutdown();
}
