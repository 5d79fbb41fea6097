//! Identities through the real server: 401 and 403 with JSON bodies, revoked devices keep
//! their data, enrolment at init and after offline work, teams filter reads, and the audit
//! log records it all. The role matrix and forgery are in `auth_matrix.rs`.

use anyhow::Result;
use fieldsync_server::auth::audit;
use fieldsync_server::auth::directory;
use fieldsync_server::store::open_connection;
use serde_json::Value;

use crate::harness::{Device, TestServer};

/// `GET path` with `token` (none: no header): status and JSON body.
pub fn get_as(server: &TestServer, path: &str, token: Option<&str>) -> Result<(u16, Value)> {
    let mut request = ureq::get(&format!("{}{path}", server.url()));
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let mut response = request
        .config()
        .http_status_as_error(false)
        .build()
        .call()?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_json()?;
    Ok((status, body))
}

/// The audit actions recorded so far, in order.
pub fn audit_actions(server: &TestServer) -> Result<Vec<audit::AuditEntry>> {
    let conn = open_connection(server.data_dir())?;
    Ok(audit::list(&conn, None)?)
}

#[test]
fn missing_or_bad_tokens_get_a_json_401_and_healthz_stays_open() -> Result<()> {
    let server = TestServer::start()?;
    for token in [None, Some("fst_0000"), Some("")] {
        let (status, body) = get_as(&server, "/api/v1/checks", token)?;
        assert_eq!(status, 401, "{token:?}: {body}");
        assert_eq!(body["error"], "unauthorized");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("token")),
            "{body}"
        );
    }
    let sync = ureq::post(&format!("{}/api/v1/sync", server.url()))
        .config()
        .http_status_as_error(false)
        .build()
        .send("{}")?;
    assert_eq!(
        sync.status().as_u16(),
        401,
        "sync needs a token before its body"
    );
    assert_eq!(
        sync.headers().get("www-authenticate").map(|v| v.as_bytes()),
        Some(&b"Bearer"[..])
    );
    let (status, body) = get_as(&server, "/healthz", None)?;
    assert_eq!((status, &body["status"]), (200, &Value::from("ok")));
    Ok(())
}

#[test]
fn a_revoked_device_gets_a_clear_401_keeps_its_data_and_can_enrol_again() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let synced = ana.record_mill("M-1")?;
    ana.sync(&server)?;
    let unsynced = ana.record_mill("M-2")?;
    let device = ana.json(&["show", &synced, "--json"])?["check"]["authors"]
        .as_object()
        .and_then(|a| a.values().next().cloned())
        .expect("ana's author entry")["device"]
        .as_str()
        .expect("device")
        .to_owned();
    let mut conn = open_connection(server.data_dir())?;
    directory::revoke(&mut conn, &device, "phone lost")?;

    let out = ana.run(&["sync", "--server", &server.url()])?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("revoked") && err.contains("stays on this device"),
        "{err}"
    );
    assert!(err.contains("أُلغي"), "Arabic first: {err}");
    let (status, body) = get_as(&server, "/api/v1/checks", ana.token()?.as_deref())?;
    assert_eq!(
        (status, &body["error"]),
        (401, &Value::from("unauthorized"))
    );
    let shown = ana.json(&["show", &unsynced, "--json"])?;
    assert_eq!(
        shown["pending"], true,
        "the unsynced check is kept, pending"
    );
    assert_eq!(
        ana.json(&["list", "--json"])?.as_array().map(Vec::len),
        Some(2)
    );

    ana.sync(&server)?; // the harness issues a new code and runs `fieldsync enrol`
    let detail = server.get_json(&format!("/api/v1/checks/{unsynced}"))?;
    assert_eq!(detail["check"]["id"], unsynced.as_str());
    let actions: Vec<String> = audit_actions(&server)?
        .into_iter()
        .map(|e| e.action)
        .collect();
    let enrolled = actions
        .iter()
        .filter(|a| *a == audit::DEVICE_ENROLLED)
        .count();
    assert!(
        enrolled >= 2 && actions.iter().any(|a| a == audit::DEVICE_REVOKED),
        "{actions:?}"
    );
    Ok(())
}

#[test]
fn init_enrol_takes_the_name_from_the_server_and_an_offline_device_keeps_its_work() -> Result<()> {
    let server = TestServer::start()?;
    let nour = Device::enrolled(&server, "نور", "inspector", Some("north"))?;
    let id = nour.record_mill("M-N")?;
    assert!(nour.sync(&server)?.contains("0 rejected"));
    let detail = server.get_json(&format!("/api/v1/checks/{id}"))?;
    assert_eq!(
        detail["check"]["inspector"], "نور",
        "the server's name is written"
    );

    // Set up offline as "ana", then enrolled: a code for another user is refused and stays
    // unused; the right one keeps the device's actor, so the offline check syncs as ana's.
    let ana = Device::init("ana", "inspector")?;
    let offline = ana.record_mill("M-A")?;
    let wrong = server.code_for("sara", "supervisor", None)?;
    let err = ana.fails(&["enrol", "--server", &server.url(), &wrong])?;
    assert!(err.contains("\"ana\"") && err.contains("\"sara\""), "{err}");
    let right = server.code_for("ana", "inspector", None)?;
    ana.ok(&["enrol", "--server", &server.url(), &right])?;
    let reused = ana.fails(&["enrol", "--server", &server.url(), &right])?;
    assert!(reused.contains("already used"), "one-time: {reused}");
    assert!(ana.sync(&server)?.contains("0 rejected"));
    let history = ana.ok(&["history", &offline])?;
    assert!(history.contains("ana"), "{history}");
    assert_eq!(
        server.get_json(&format!("/api/v1/checks/{offline}"))?["check"]["inspector"],
        "ana"
    );
    Ok(())
}

#[test]
fn inspectors_see_only_their_teams_checks() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::enrolled(&server, "ana", "inspector", Some("north"))?;
    let bilal = Device::enrolled(&server, "bilal", "inspector", Some("south"))?;
    let sara = Device::enrolled(&server, "sara", "supervisor", None)?;
    let north = ana.record_mill("M-NORTH")?;
    ana.sync(&server)?;
    let south = bilal.record_mill("M-SOUTH")?;
    bilal.sync(&server)?;

    let err = bilal.fails(&["fetch", "--server", &server.url(), &north])?;
    assert!(
        err.contains("forbidden") && err.contains(&north) && err.contains("team"),
        "{err}"
    );
    let token = bilal.token()?;
    let (status, list) = get_as(&server, "/api/v1/checks", token.as_deref())?;
    assert_eq!(status, 200);
    let ids: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, [south.as_str()], "bilal sees his team's check only");
    let (status, body) = get_as(
        &server,
        &format!("/api/v1/checks/{north}"),
        token.as_deref(),
    )?;
    assert_eq!(
        (status, &body["error"]),
        (403, &Value::from("forbidden")),
        "{body}"
    );
    assert_eq!(body["check"], north.as_str());

    sara.sync(&server)?;
    let listed = sara.json(&["list", "--json"])?;
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(2),
        "a supervisor receives both teams'"
    );
    let (_, resolutions) = get_as(&server, "/api/v1/resolutions", token.as_deref())?;
    assert_eq!(
        resolutions.as_array().map(Vec::len),
        Some(42),
        "open to every role"
    );
    Ok(())
}
