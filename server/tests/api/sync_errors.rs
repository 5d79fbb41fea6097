//! Refusals of the sync route: bad bodies, limits, malformed messages, invalid documents,
//! damaged storage.

use std::io::{Read as _, Write as _};

use automerge::sync::SyncDoc;
use automerge::transaction::Transactable as _;
use automerge::{AutoCommit, ROOT};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fieldsync_schema::CheckId;
use fieldsync_schema::sync::prime;
use fieldsync_schema::wire::{DocMessage, MAX_MESSAGES_PER_REQUEST, SyncRequest};
use serde_json::Value;

use crate::support::{Device, TestApp, bakery};

fn assert_error(status: StatusCode, body: &Value, want: StatusCode, code: &str, needles: &[&str]) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"], code, "{body}");
    let message = body["message"].as_str().expect("message");
    for needle in needles {
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    }
}

/// A message for `check` carrying the whole of `doc`, as a device's first push would.
fn raw_push(doc: &mut AutoCommit, check: CheckId) -> DocMessage {
    let mut state = automerge::sync::State::new();
    prime(&mut state);
    let message = doc
        .sync()
        .generate_sync_message(&mut state)
        .expect("message");
    DocMessage {
        check,
        message: message.encode(),
    }
}

#[tokio::test]
async fn a_malformed_message_is_rejected_and_quarantined_while_the_rest_is_stored() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let good = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    let bad = CheckId::new();
    let mut request = ana.request(&[good]);
    request.messages.insert(
        0,
        DocMessage {
            check: bad,
            message: b"not automerge".to_vec(),
        },
    );
    let response = app.sync(&request).await;
    assert_eq!(response.rejected.len(), 1, "{:?}", response.rejected);
    let rejection = &response.rejected[0];
    assert_eq!(
        (rejection.check, rejection.error.as_str()),
        (bad, "malformed_message")
    );
    assert!(
        rejection.message.contains(&bad.to_string()),
        "{}",
        rejection.message
    );
    assert_eq!(response.messages.len(), 1);
    assert_eq!(response.messages[0].check, good);
    assert_eq!(
        app.get(&format!("/api/v1/checks/{good}")).await.0,
        StatusCode::OK
    );

    let quarantined = app.state.store().quarantined().expect("quarantine");
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].check, bad);
    assert!(quarantined[0].device.starts_with("ana-device"));
    assert_eq!(quarantined[0].message, b"not automerge");
    assert!(quarantined[0].reason.starts_with("malformed_message: "));
}

#[tokio::test]
async fn a_document_without_the_check_layout_is_rejected_naming_the_field() {
    let app = TestApp::new();
    let check = CheckId::new();
    let ana = Device::new("ana");
    // Written as ana's own actor: the server judges who wrote a change before what it is.
    let mut doc = AutoCommit::new().with_actor(ana.actor.clone());
    doc.put(ROOT, "id", check.to_string()).expect("put");
    let request = SyncRequest {
        device: ana.info,
        cursor: 0,
        horizon: None,
        receive: Default::default(),
        window: None,
        messages: vec![raw_push(&mut doc, check)],
    };
    let response = app.sync(&request).await;
    assert!(response.messages.is_empty(), "{:?}", response.messages);
    assert_eq!(response.rejected.len(), 1);
    let rejection = &response.rejected[0];
    assert_eq!(rejection.error, "invalid_check");
    assert!(
        rejection.message.contains("\"kind\""),
        "{}",
        rejection.message
    );
    assert!(
        rejection.message.contains(&check.to_string()),
        "{}",
        rejection.message
    );
    assert_eq!(response.cursor, 0);

    let (status, body) = app.get(&format!("/api/v1/checks/{check}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(app.get("/api/v1/checks").await.1, serde_json::json!([]));
    assert_eq!(
        app.state.store().quarantined().expect("quarantine").len(),
        1
    );
}

#[tokio::test]
async fn a_document_of_another_check_is_rejected_naming_both_ids() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let real = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    let claimed = CheckId::new();
    let mut message = ana.message_for(real);
    message.check = claimed;
    let request = SyncRequest {
        device: ana.info.clone(),
        cursor: 0,
        horizon: None,
        receive: Default::default(),
        window: None,
        messages: vec![message],
    };
    let response = app.sync(&request).await;
    let rejection = &response.rejected[0];
    assert_eq!(rejection.error, "invalid_check");
    for id in [real, claimed] {
        assert!(
            rejection.message.contains(&id.to_string()),
            "{}",
            rejection.message
        );
    }
    assert_eq!(app.get("/api/v1/checks").await.1, serde_json::json!([]));
}

#[tokio::test]
async fn a_damaged_stored_document_is_never_served_and_is_rebuilt_from_the_device() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    ana.sync_all(&app, &[check]).await;
    let db = rusqlite::Connection::open(app.dir.path().join("data").join("fieldsync.db"))
        .expect("open db");
    db.execute("UPDATE documents SET bytes = x'00010203'", [])
        .expect("damage");

    let pull = app.sync(&Device::new("sara").request(&[])).await;
    assert!(pull.messages.is_empty(), "damaged documents are skipped");
    assert_eq!(pull.cursor, 1);
    let (status, body) = app.get(&format!("/api/v1/checks/{check}")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["error"], "internal");
    assert!(
        !body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("automerge")
    );

    // The device that holds the check syncs it again: the server rebuilds the document.
    let response = app.sync(&ana.request(&[check])).await;
    assert!(response.rejected.is_empty(), "{:?}", response.rejected);
    ana.sync_all(&app, &[check]).await;
    let (status, body) = app.get(&format!("/api/v1/checks/{check}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["check"]["site"]["id"], "DEZ-BAK-014");
}

#[tokio::test]
async fn bodies_that_are_not_sync_requests_get_400_json() {
    let app = TestApp::new();
    let check = CheckId::new();
    let cases: [(&[u8], &[&str]); 4] = [
        (b"this is not json", &["not JSON", "line 1"]),
        (b"{\"cursor\": 0, \"messages\": []}", &["device"]),
        (b"{\"device\": {\"id\": \"d\", \"user\": \"u\", \"role\": \"inspector\"}, \"cursor\": -1, \"messages\": []}", &["cursor"]),
        (
            format!(
                "{{\"device\": {{\"id\": \"d\", \"user\": \"u\", \"role\": \"inspector\"}}, \"cursor\": 0, \"messages\": [{{\"check\": \"{check}\", \"message\": \"%%\"}}]}}"
            )
            .leak()
            .as_bytes(),
            &["messages[0]", "not base64"],
        ),
    ];
    for (body, needles) in cases {
        let (status, json) = app.post("/api/v1/sync", body.to_vec()).await;
        assert_error(
            status,
            &json,
            StatusCode::BAD_REQUEST,
            "bad_request",
            needles,
        );
    }
    let empty_device = "{\"device\": {\"id\": \" \", \"user\": \"u\", \"role\": \"inspector\"}, \"cursor\": 0, \"messages\": []}";
    let (status, json) = app.post("/api/v1/sync", empty_device.into()).await;
    assert_error(
        status,
        &json,
        StatusCode::BAD_REQUEST,
        "bad_request",
        &["device.id"],
    );
}

#[tokio::test]
async fn too_many_messages_or_bytes_get_413_json() {
    let app = TestApp::with(
        |mut c| {
            c.max_body_bytes = 64 * 1024;
            c
        },
        |s| s,
    );
    let message = DocMessage {
        check: CheckId::new(),
        message: vec![0x42],
    };
    let request = SyncRequest {
        device: Device::new("ana").info,
        cursor: 0,
        horizon: None,
        receive: Default::default(),
        window: None,
        messages: vec![message; MAX_MESSAGES_PER_REQUEST + 1],
    };
    let (status, json) = app
        .post("/api/v1/sync", serde_json::to_vec(&request).expect("json"))
        .await;
    assert_error(
        status,
        &json,
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        &["501", "500"],
    );

    let (status, json) = app.post("/api/v1/sync", vec![b' '; 65 * 1024]).await;
    assert_error(
        status,
        &json,
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        &["limit"],
    );
}

#[tokio::test]
async fn gzip_works_both_ways() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    let json = serde_json::to_vec(&ana.request(&[check])).expect("json");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&json).expect("gzip");
    let request = Request::post("/api/v1/sync")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "gzip")
        .header(header::ACCEPT_ENCODING, "gzip")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", app.token_for(&ana.info)),
        )
        .body(Body::from(encoder.finish().expect("gzip")))
        .expect("request");
    let (status, headers, body) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    let mut text = String::new();
    flate2::read::GzDecoder::new(body.as_slice())
        .read_to_string(&mut text)
        .expect("gunzip");
    let response: fieldsync_schema::wire::SyncResponse =
        serde_json::from_str(&text).expect("SyncResponse");
    assert_eq!(response.messages[0].check, check);
}
