//! `GET /api/v1/reports/resolutions`: the report over synced checks, in each format, and
//! refusals of bad parameters.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fieldsync_schema::FieldValue;

use crate::support::{Device, TestApp, bakery};

/// Three bakery checks synced (each linked to 20 and 28 by the rules): two at DEZ-BAK-1,
/// the later one charging 1500 SYP, and one at DEZ-BAK-2 charging 1250.
async fn three_bakeries() -> TestApp {
    let app = TestApp::new();
    let mut ana = Device::new("ana");
    let mut later = bakery("DEZ-BAK-1", "2026-03-10T09:00:00+03:00");
    later
        .fields
        .insert("bread_price_syp".into(), FieldValue::Int(1500));
    let ids = [
        ana.record(&bakery("DEZ-BAK-1", "2026-03-01T09:00:00+03:00")),
        ana.record(&later),
        ana.record(&bakery("DEZ-BAK-2", "2026-03-05T09:00:00+03:00")),
    ];
    ana.sync_all(&app, &ids).await;
    app
}

async fn get_text(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let request = Request::get(path).body(Body::empty()).expect("request");
    let (status, headers, body) = app.send(request).await;
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, String::from_utf8(body).expect("UTF-8"))
}

#[tokio::test]
async fn the_json_report_counts_the_synced_checks() {
    let app = three_bakeries().await;
    let (status, body) = app.get("/api/v1/reports/resolutions").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["checks"], 3);
    let numbers: Vec<u64> = body["resolutions"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["number"].as_u64())
        .collect();
    assert_eq!(numbers, [20, 28]);
    let r20 = &body["resolutions"][0];
    assert_eq!(
        (r20["checks"].as_u64(), r20["sites"].as_u64()),
        (Some(3), Some(2))
    );
    let bakery = &r20["kinds"][0];
    assert_eq!(bakery["kind"], "bakery");
    let mean = bakery["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| f["id"] == "bread_price_mean")
        .expect("mean");
    // The latest check of each site: (1500 + 1250) / 2.
    assert_eq!(
        (mean["value"].as_f64(), mean["reporting"].as_u64()),
        (Some(1375.0), Some(2))
    );
}

#[tokio::test]
async fn markdown_and_html_are_served_with_their_types() {
    let app = three_bakeries().await;
    let (status, kind, md) =
        get_text(&app, "/api/v1/reports/resolutions?format=md&resolution=20").await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::OK, "text/markdown; charset=utf-8")
    );
    assert!(md.contains("## القرار 20 — Resolution 20"), "{md}");
    assert!(
        !md.contains("## القرار 28"),
        "only the resolution asked for"
    );
    let (status, kind, html) = get_text(&app, "/api/v1/reports/resolutions?format=html").await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::OK, "text/html; charset=utf-8")
    );
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\">"));
    assert!(html.contains("<svg"));
}

#[tokio::test]
async fn bad_parameters_are_400s_naming_parameter_and_value() {
    let app = TestApp::new();
    for (query, needles) in [
        ("format=pdf", ["format", "pdf"]),
        ("since=yesterday", ["since", "yesterday"]),
        ("resolution=99", ["resolution", "99"]),
        ("colour=red", ["unknown query parameter", "colour"]),
        ("kind=bakery&kind=silo", ["kind", "more than once"]),
    ] {
        let (status, body) = app
            .get(&format!("/api/v1/reports/resolutions?{query}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        let message = body["message"].as_str().expect("message");
        for needle in needles {
            assert!(message.contains(needle), "{message} lacks {needle}");
        }
    }
}

#[tokio::test]
async fn only_supervisors_and_admins_read_the_report() {
    let app = TestApp::new();
    let inspector = app.token_for(&fieldsync_schema::wire::DeviceInfo {
        id: "ana-report-device".into(),
        user: "ana".into(),
        role: fieldsync_schema::Role::Inspector,
    });
    let admin = app.token_for(&fieldsync_schema::wire::DeviceInfo {
        id: "root-report-device".into(),
        user: "root".into(),
        role: fieldsync_schema::Role::Admin,
    });
    for (bearer, expected) in [
        (inspector, StatusCode::FORBIDDEN),
        (admin, StatusCode::OK),
        ("not-a-token".to_owned(), StatusCode::UNAUTHORIZED),
    ] {
        let request = Request::get("/api/v1/reports/resolutions")
            .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
            .body(Body::empty())
            .expect("request");
        let (status, _, body) = app.send(request).await;
        assert_eq!(status, expected, "{}", String::from_utf8_lossy(&body));
    }
}
