//! Hostile and broken input: crafted sync messages, per-document limits with their own
//! statuses, the per-device rate limit, and compressed bombs. The server answers each with a
//! JSON error naming the limit and keeps serving.

use std::io::Write as _;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fieldsync_schema::wire::{DocMessage, SyncRequest};
use fieldsync_schema::{CheckEdit, CheckId};
use serde_json::Value;

use crate::support::{Device, TestApp, bakery};

/// Posts `request` as the device it names (with that device's token).
async fn post(app: &TestApp, request: &SyncRequest) -> (StatusCode, Value) {
    let (status, _, body) = app.send(as_device(app, request)).await;
    (status, serde_json::from_slice(&body).expect("json"))
}

/// `request` as an HTTP request carrying the token of the device it names.
fn as_device(app: &TestApp, request: &SyncRequest) -> Request<Body> {
    Request::post("/api/v1/sync")
        .header(header::CONTENT_TYPE, "application/json")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", app.token_for(&request.device)),
        )
        .body(Body::from(serde_json::to_vec(request).expect("json")))
        .expect("request")
}

fn assert_refused(status: StatusCode, body: &Value, want: u16, code: &str, needles: &[&str]) {
    assert_eq!(status.as_u16(), want, "{body}");
    assert_eq!(body["error"], code, "{body}");
    let message = body["message"].as_str().expect("message");
    for needle in needles {
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    }
}

/// A request of one crafted message for `check`, at the device's cursor (so the server has
/// nothing else to send).
fn crafted(device: &Device, check: CheckId, message: Vec<u8>) -> SyncRequest {
    SyncRequest {
        device: device.info.clone(),
        cursor: device.cursor,
        horizon: None,
        receive: Default::default(),
        window: None,
        messages: vec![DocMessage { check, message }],
    }
}

/// A v1 message announcing an unknown head, with one `have` of an empty `last_sync` and
/// the given Bloom filter bytes: what makes automerge 0.12 consult the filter.
fn bloom_message(bloom: &[u8]) -> Vec<u8> {
    let mut out = vec![0x42, 1];
    out.extend([7; 32]);
    out.extend([0, 1, 0, u8::try_from(bloom.len()).expect("short")]);
    out.extend(bloom);
    out.push(0);
    out
}

#[tokio::test]
async fn bloom_filters_of_zero_or_absurd_size_get_400_and_the_server_goes_on() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    ana.sync_all(&app, &[check]).await;
    let cases: [(&[u8], &str); 3] = [
        (&[1, 0, 7], "num_bits_per_entry is 0"),
        (
            &[1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff],
            "num_probes is 4294967295",
        ),
        (
            &[0x80, 0x80, 0x80, 0x80, 0x10, 10, 7],
            "num_entries is 4294967296",
        ),
    ];
    for (bloom, needle) in cases {
        let (status, body) = post(&app, &crafted(&ana, check, bloom_message(bloom))).await;
        assert_refused(status, &body, 400, "bad_request", &[needle, "Bloom filter"]);
        assert_eq!(body["check"], check.to_string());
        // The stored check is intact and the server answers the next request.
        let (status, detail) = app.get(&format!("/api/v1/checks/{check}")).await;
        assert_eq!(status, StatusCode::OK, "{detail}");
    }
    let mut bilal = Device::new("bilal");
    let responses = bilal.sync_all(&app, &[]).await;
    assert_eq!(responses[0].messages.len(), 1, "the check still syncs");
}

#[tokio::test]
async fn garbage_and_truncated_messages_get_400_naming_the_check() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    let whole = ana.request(&[check]).messages.remove(0).message;
    let cases = [
        (b"\x00garbage".to_vec(), "first byte is 0x00"),
        (whole[..whole.len() / 2].to_vec(), "ends"),
        (whole[..40].to_vec(), "ends"),
        (vec![0x43, 0xff], "ends"),
    ];
    for (message, needle) in cases {
        let (status, body) = post(&app, &crafted(&ana, check, message)).await;
        assert_refused(status, &body, 400, "bad_request", &[needle, "malformed"]);
        assert_eq!(body["check"], check.to_string());
    }
    let (_, list) = app.get("/api/v1/checks").await;
    assert_eq!(list, serde_json::json!([]), "nothing stored");
    ana.sync_all(&app, &[check]).await;
    let (_, list) = app.get("/api/v1/checks").await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "the whole message is stored"
    );
}

#[tokio::test]
async fn more_changes_than_the_limit_get_413_too_many_changes() {
    let app = TestApp::with(
        |mut c| {
            c.max_changes_per_message = 2;
            c
        },
        |s| s,
    );
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    ana.sync_all(&app, &[check]).await;
    for notes in ["one", "two", "three"] {
        let edit = CheckEdit {
            fields: Default::default(),
            notes: Some(notes.into()),
        };
        let author = ana.author.clone();
        let doc = ana.docs.get_mut(&check).expect("doc");
        doc.edit(&author, &edit).expect("edit");
    }
    let (status, body) = post(&app, &ana.request(&[check])).await;
    assert_refused(
        status,
        &body,
        413,
        "too_many_changes",
        &["changes is 3; at most 2", "--max-changes-per-message"],
    );
    assert_eq!(body["check"], check.to_string());
}

/// The QA's message of issue 6: one change of 113 bytes whose run lengths describe
/// 16,777,218 operations (nulls inserted into a list); unchecked, automerge 0.12 spent 185 s
/// and 7.6 GB on it. Kept in the fuzz corpus, after the fuzz target's first byte.
fn ops_bomb() -> Vec<u8> {
    include_bytes!("../../../fuzz/corpus/sync_message/crash-v1-change-rle-16777218-ops")[1..]
        .to_vec()
}

#[tokio::test]
async fn a_change_describing_millions_of_operations_gets_413_too_many_operations() {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let held = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    ana.sync_all(&app, &[held]).await;
    let fresh = CheckId::new();
    for check in [held, fresh] {
        let (status, body) = post(&app, &crafted(&ana, check, ops_bomb())).await;
        let id = check.to_string();
        let needles = [
            id.as_str(),
            "change 0 describes 16777218 operations",
            "at most 100000",
            "--max-ops-per-message",
        ];
        assert_refused(status, &body, 413, "too_many_operations", &needles);
        assert_eq!(body["check"], id);
    }
    // Beside a good message it is one rejection, and the good one is stored.
    let good = ana.record(&bakery("DEZ-BAK-015", "2026-03-29T10:15:00+03:00"));
    let mut request = ana.request(&[good]);
    request.messages.push(DocMessage {
        check: fresh,
        message: ops_bomb(),
    });
    let response = app.sync(&request).await;
    assert_eq!(response.rejected.len(), 1, "{response:?}");
    assert_eq!(response.rejected[0].error, "too_many_operations");
    for check in [held, good] {
        let (status, detail) = app.get(&format!("/api/v1/checks/{check}")).await;
        assert_eq!(status, StatusCode::OK, "{detail}");
    }
}

#[tokio::test]
async fn a_check_over_a_lowered_operations_limit_gets_413_naming_the_flag() {
    let app = TestApp::with(
        |mut c| {
            c.max_ops_per_message = 20;
            c
        },
        |s| s,
    );
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    let (status, body) = post(&app, &ana.request(&[check])).await;
    assert_refused(
        status,
        &body,
        413,
        "too_many_operations",
        &["operations; at most 20", "--max-ops-per-message"],
    );
    assert_eq!(body["check"], check.to_string());
}

#[tokio::test]
async fn a_text_over_the_limit_gets_422_alone_and_a_rejection_in_a_batch() {
    let app = TestApp::with(
        |mut c| {
            c.max_text_chars = 50;
            c
        },
        |s| s,
    );
    let mut ana = Device::new("ana");
    let mut long = bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00");
    long.notes = "ن".repeat(60);
    let long = ana.record(&long);
    let (status, body) = post(&app, &ana.request(&[long])).await;
    assert_refused(
        status,
        &body,
        422,
        "text_too_long",
        &["notes is 60 characters", "at most 50", "--max-text-chars"],
    );
    assert_eq!(body["check"], long.to_string());

    let short = ana.record(&bakery("DEZ-BAK-015", "2026-03-29T10:15:00+03:00"));
    let response = app.sync(&ana.request(&[long, short])).await;
    assert_eq!(response.rejected.len(), 1, "{response:?}");
    assert_eq!(response.rejected[0].check, long);
    assert_eq!(response.rejected[0].error, "text_too_long");
    let (_, list) = app.get("/api/v1/checks").await;
    assert_eq!(
        list[0]["id"],
        short.to_string(),
        "the rest of the batch is stored"
    );
}

#[tokio::test]
async fn changes_decoding_past_the_limit_get_413_too_large() {
    let app = TestApp::with(
        |mut c| {
            c.max_decoded_bytes = 600;
            c
        },
        |s| s,
    );
    let mut ana = Device::new("ana");
    let check = ana.record(&bakery("DEZ-BAK-014", "2026-03-29T10:15:00+03:00"));
    let (status, body) = post(&app, &ana.request(&[check])).await;
    assert_refused(
        status,
        &body,
        413,
        "too_large",
        &["decode to more than 600 bytes", "--max-decoded-bytes"],
    );
}

#[tokio::test]
async fn a_device_over_its_requests_per_minute_gets_429_with_retry_after() {
    let app = TestApp::with(
        |mut c| {
            c.max_requests_per_minute = 2;
            c
        },
        |s| s,
    );
    let mut ana = Device::new("ana");
    app.sync(&ana.request(&[])).await;
    app.sync(&ana.request(&[])).await;
    let (status, headers, body) = app.send(as_device(&app, &ana.request(&[]))).await;
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_refused(
        status,
        &body,
        429,
        "too_many_requests",
        &["ana-device", "more than 2", "--max-requests-per-minute"],
    );
    // 2 a minute: the next request is allowed 30 s after the bucket emptied.
    assert_eq!(headers[header::RETRY_AFTER], "30");
    // Every authenticated route counts, reads too.
    let read = Request::get("/api/v1/checks")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", app.token_for(&ana.info)),
        )
        .body(Body::empty())
        .expect("request");
    let (status, _, _) = app.send(read).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "a read over the limit"
    );
    // Counted by the token's device, not by the id the body claims.
    let mut bilal = Device::new("bilal");
    let mut claimed = ana.request(&[]);
    claimed.device = bilal.info.clone();
    let mut request = as_device(&app, &ana.request(&[]));
    *request.body_mut() = Body::from(serde_json::to_vec(&claimed).expect("json"));
    let (status, _, _) = app.send(request).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    app.sync(&bilal.request(&[])).await;
}

#[tokio::test]
async fn a_gzip_bomb_gets_413_after_reading_only_the_limit() {
    let app = TestApp::with(
        |mut c| {
            c.max_body_bytes = 1024 * 1024;
            c
        },
        |s| s,
    );
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..256 {
        encoder.write_all(&zeros).expect("gzip");
    }
    let bomb = encoder.finish().expect("gzip");
    let (body, pulled) = crate::counting::CountingBody::new(bomb.clone(), 4096);
    let request = Request::post("/api/v1/sync")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "gzip")
        .body(Body::new(body))
        .expect("request");
    let (status, _, body) = app.send(request).await;
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_refused(status, &body, 413, "too_large", &["limit"]);
    // 256 MiB inflate from the bomb; the server stopped once 1 MiB had come out, having read
    // a small part of it (so it held about the limit, never the 256 MiB).
    let read = pulled.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        read * 8 < bomb.len(),
        "read {read} of {} compressed bytes",
        bomb.len()
    );
}

#[tokio::test]
async fn more_documents_than_the_configured_batch_get_413_naming_the_flag() {
    let app = TestApp::with(
        |mut c| {
            c.max_messages_per_request = 2;
            c
        },
        |s| s,
    );
    let mut ana = Device::new("ana");
    let checks: Vec<_> = (0..3)
        .map(|i| {
            ana.record(&bakery(
                &format!("DEZ-BAK-{i}"),
                "2026-03-29T10:15:00+03:00",
            ))
        })
        .collect();
    let (status, body) = post(&app, &ana.request(&checks)).await;
    assert_refused(
        status,
        &body,
        413,
        "too_large",
        &["3 messages", "limit is 2", "--max-messages-per-request"],
    );
    let response = app.sync(&ana.request(&checks[..2])).await;
    assert!(response.rejected.is_empty(), "{response:?}");
}

#[tokio::test]
async fn a_request_whose_messages_together_exceed_twice_the_limit_gets_413() {
    let mut ana = Device::new("ana");
    let checks: Vec<CheckId> = (0..3)
        .map(|i| {
            ana.record(&bakery(
                &format!("DEZ-BAK-{i:03}"),
                "2026-03-29T10:15:00+03:00",
            ))
        })
        .collect();
    let request = ana.request(&checks);
    let ops: Vec<u64> = request
        .messages
        .iter()
        .map(|m| {
            fieldsync_schema::sync_bounds::check_message(&m.message, &Default::default())
                .expect("a valid message")
                .chunks
                .ops
        })
        .collect();
    // Each message is within the limit; the three together are over twice it.
    let limit = *ops.iter().max().expect("three");
    assert!(ops.iter().sum::<u64>() > 2 * limit, "{ops:?}");
    let app = TestApp::with(
        |mut c| {
            c.max_ops_per_message = usize::try_from(limit).expect("small");
            c
        },
        |s| s,
    );
    let (status, body) = post(&app, &request).await;
    assert_refused(
        status,
        &body,
        413,
        "too_many_operations",
        &["3 messages", "send fewer checks per round"],
    );
    // Fewer per round go through.
    let (status, body) = post(&app, &ana.request(&checks[..2])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
