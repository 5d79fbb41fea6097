//! Bad requests get clear 4xx JSON errors and the server keeps serving everyone else.

use crate::harness::{Device, TestServer};
use anyhow::Result;
use serde_json::{Value, json};

fn post(server: &TestServer, body: &str) -> Result<(u16, Value)> {
    let token = server.token("inspector")?;
    let response = ureq::post(&format!("{}/api/v1/sync", server.url()))
        .header("authorization", format!("Bearer {token}"))
        .config()
        .http_status_as_error(false)
        .build()
        .header("content-type", "application/json")
        .send(body)?;
    let status = response.status().as_u16();
    let body: Value = response.into_body().read_json()?;
    Ok((status, body))
}

#[test]
fn malformed_bodies_and_messages_and_unknown_ids() -> Result<()> {
    let server = TestServer::start()?;
    let device = json!({"id": "dev-x", "user": "x", "role": "inspector"});

    let (status, body) = post(&server, "{not json")?;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "bad_request");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));

    let check = "0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f";
    let garbage = json!({"device": device, "cursor": 0, "messages": [{"check": check, "message": "AAECAw=="}]});
    let (status, body) = post(&server, &garbage.to_string())?;
    assert_eq!(
        status, 400,
        "a request of nothing but a malformed message: {body}"
    );
    assert_eq!(body["check"], check, "the error names the document");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("malformed")),
        "{body}"
    );

    let (status, body) = server.get(&format!("/api/v1/checks/{check}"))?;
    assert_eq!(status, 404);
    let body: Value = serde_json::from_slice(&body)?;
    assert_eq!(body["error"], "not_found");
    assert!(body["message"].as_str().expect("message").contains(check));

    // The server keeps working for everyone else.
    let ana = Device::init("ana", "inspector")?;
    ana.ok(&[
        "record",
        "--kind",
        "silo",
        "--site-id",
        "DEZ-SIL-1",
        "--site-name",
        "الصوامع المركزية",
        "--set",
        "structurally_sound=true",
        "--set",
        "stock_tonnes=1200",
    ])?;
    ana.sync(&server)?;
    let health: Value = ureq::get(&format!("{}/healthz", server.url()))
        .call()?
        .body_mut()
        .read_json()?;
    assert_eq!(health["status"], "ok");
    Ok(())
}
