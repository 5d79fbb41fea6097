//! Who may do what, through the real server: each role against each decision (review,
//! conflict decision, manual link, deletion), another team's check, and a change forged
//! under another device's actor. The decisions are written straight into the device's
//! document (as a modified or older client could), so the server's judgement is what is
//! tested, not the CLI's own refusal.

use anyhow::{Context as _, Result};
use automerge::sync::SyncDoc as _;
use automerge::transaction::Transactable as _;
use automerge::{ObjType, ROOT, ReadDoc as _};
use fieldsync_schema::{Author, CheckDoc, LinkDecision, ReviewState, Role};
use fieldsync_server::auth::audit;
use fieldsync_sync_cli::store::Store;

use crate::auth::audit_actions;
use crate::harness::{Device, TestServer};

/// The decisions a role is checked against.
const ACTIONS: [&str; 4] = ["review", "resolve", "link", "delete"];

/// Writes `action` into check `id` on `device`, as the device's own actor (or as `as_actor`,
/// a forgery), bypassing the CLI's role checks.
pub(crate) fn write(
    device: &Device,
    id: &str,
    action: &str,
    as_actor: Option<&Device>,
) -> Result<()> {
    let writer = Store::open(as_actor.unwrap_or(device).home())?
        .db()
        .meta()?;
    let mut store = Store::open(device.home())?;
    let author = Author {
        name: writer.user.clone(),
        device: writer.device_id.clone(),
        // The document refuses an inspector's decision; a modified client would not.
        role: if writer.role.may_decide() || action == "edit" {
            writer.role
        } else {
            Role::Supervisor
        },
    };
    store.write(|db| -> Result<()> {
        let id = db.resolve(id)?;
        let mut doc: CheckDoc = db.load_existing(id)?.doc;
        doc.set_actor(writer.actor.clone());
        match action {
            "review" => doc.review(&author, ReviewState::Approved, "ok")?,
            "link" => doc.decide_links(
                &author,
                &[LinkDecision {
                    number: 16,
                    linked: true,
                }],
                "",
            )?,
            "delete" => drop(doc.delete(&author, "duplicate")?),
            "resolve" => {
                let am = doc.automerge();
                let (_, list) = am.get(ROOT, "decisions")?.context("decisions")?;
                let item = am.insert_object(&list, 0, ObjType::Map)?;
                for (key, text) in [("by", "x"), ("device", "x"), ("at", "2026-01-01T00:00:00Z")] {
                    am.put(&item, key, text)?;
                }
                am.put(&item, "field", "operating")?;
                am.put(&item, "value", true)?;
                am.put_object(&item, "discarded", ObjType::List)?;
                am.commit();
            }
            "edit" => drop(doc.edit(&author, &edit_operating())?),
            other => anyhow::bail!("no action {other}"),
        }
        db.save_local(id, &mut doc)?;
        Ok(())
    })
}

fn edit_operating() -> fieldsync_schema::CheckEdit {
    fieldsync_schema::CheckEdit {
        fields: [(
            "operating".to_owned(),
            fieldsync_schema::FieldValue::Bool(false),
        )]
        .into(),
        notes: None,
    }
}

/// `fieldsync sync`: whether it succeeded, and what it said.
fn sync_said(device: &Device, server: &TestServer) -> Result<(bool, String)> {
    server.enrol(device)?;
    let out = device.run(&["sync", "--server", &server.url()])?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// What the server holds of `id` for `action`: true when the decision arrived.
fn arrived(server: &TestServer, id: &str, action: &str) -> Result<bool> {
    let detail = server.get_json(&format!("/api/v1/checks/{id}"))?;
    let check = &detail["check"];
    Ok(match action {
        "review" => check["review"]["state"] == "approved",
        "link" => check["manual_links"].get("16").is_some(),
        "delete" => !check["deleted"].is_null(),
        _ => check["decisions"].as_array().is_some_and(|d| !d.is_empty()),
    })
}

#[test]
fn only_supervisors_and_admins_decide_on_the_server() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::enrolled(&server, "ana", "inspector", Some("north"))?;
    for (name, role) in [
        ("ana", "inspector"),
        ("sara", "supervisor"),
        ("adam", "admin"),
    ] {
        let actor = if name == "ana" {
            None
        } else {
            Some(Device::enrolled(&server, name, role, Some("north"))?)
        };
        let actor = actor.as_ref().unwrap_or(&ana);
        for action in ACTIONS {
            let id = ana.record_mill(&format!("M-{name}-{action}"))?;
            // Ana's earlier refused decisions stay pending and are refused again.
            sync_said(&ana, &server)?;
            server.get_json(&format!("/api/v1/checks/{id}"))?;
            if name != "ana" {
                actor.sync(&server)?;
            }
            if name != "ana" {
                actor.fetch(&server, &[&id])?;
            }
            write(actor, &id, action, None)?;
            let bystander = actor.record_mill(&format!("M-{name}-{action}-2"))?;
            let (ok, said) = sync_said(actor, &server)?;
            let allowed = role != "inspector";
            assert_eq!(ok, allowed, "{role} {action}: {said}");
            assert_eq!(
                arrived(&server, &id, action)?,
                allowed,
                "{role} {action}: {said}"
            );
            if !allowed {
                assert!(said.contains("forbidden") && said.contains(&id), "{said}");
                assert!(said.contains("supervisors only"), "{said}");
                let local = actor.json(&["show", &id, "--json"])?;
                assert_eq!(local["pending"], true, "kept on the device: {local}");
            }
            let other = server.get_json(&format!("/api/v1/checks/{bystander}"))?;
            assert_eq!(
                other["check"]["id"],
                bystander.as_str(),
                "the rest of the batch synced"
            );
        }
    }
    let entries = audit_actions(&server)?;
    let count = |action: &str| entries.iter().filter(|e| e.action == action).count();
    // Ana's refused decisions were re-sent at every later sync: audited once each.
    assert_eq!(count(audit::REJECTED_CHANGE), ACTIONS.len(), "{entries:?}");
    for action in [
        audit::REVIEW,
        audit::MANUAL_LINK,
        audit::DELETION,
        audit::CONFLICT_DECISION,
    ] {
        assert_eq!(count(action), 2, "{action}: one by sara, one by adam");
    }
    assert!(
        entries
            .iter()
            .any(|e| e.action == audit::REVIEW && e.user.as_deref() == Some("adam"))
    );
    Ok(())
}

#[test]
fn an_inspector_may_not_edit_another_teams_check_but_a_teammate_may() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::enrolled(&server, "ana", "inspector", Some("north"))?;
    let nour = Device::enrolled(&server, "nour", "inspector", Some("north"))?;
    let bilal = Device::enrolled(&server, "bilal", "inspector", Some("south"))?;
    let id = ana.record_mill("M-1")?;
    ana.sync(&server)?;
    nour.fetch(&server, &[&id])?;
    write(&nour, &id, "edit", None)?;
    let (ok, said) = sync_said(&nour, &server)?;
    assert!(ok, "a teammate edits: {said}");

    // Bilal's device sends an edit of the north check it somehow holds (raw sync message).
    let bilal_meta = Store::open(bilal.home())?.db().meta()?;
    let mut doc = {
        let store = Store::open(ana.home())?;
        let check = store.db().resolve(&id)?;
        store.db().load_existing(check)?.doc
    };
    doc.set_actor(bilal_meta.actor.clone());
    let author = Author {
        name: "bilal".into(),
        device: bilal_meta.device_id.clone(),
        role: Role::Inspector,
    };
    doc.edit(&author, &edit_operating())?;
    let message = doc
        .automerge()
        .sync()
        .generate_sync_message(&mut automerge::sync::State::new())
        .context("a message")?
        .encode();
    let request = fieldsync_schema::wire::SyncRequest {
        device: bilal_meta.device_info(),
        cursor: 0,
        horizon: None,
        receive: fieldsync_schema::wire::Receive::All,
        messages: vec![fieldsync_schema::wire::DocMessage {
            check: id.parse()?,
            message,
        }],
        window: None,
    };
    let token = bilal.token()?.context("enrolled")?;
    // Its only message is refused: the answer is a 403 naming the check, not a 200.
    let mut response = ureq::post(&format!("{}/api/v1/sync", server.url()))
        .header("authorization", format!("Bearer {token}"))
        .config()
        .http_status_as_error(false)
        .build()
        .send_json(&request)?;
    assert_eq!(response.status().as_u16(), 403);
    let body: serde_json::Value = response.body_mut().read_json()?;
    assert_eq!(body["error"], "forbidden", "{body}");
    assert_eq!(body["check"], id.as_str(), "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("team \"north\"") && message.contains(&id),
        "{message}"
    );
    let stored = server.get_json(&format!("/api/v1/checks/{id}"))?;
    assert_eq!(
        stored["check"]["fields"]["operating"], false,
        "nour's edit only"
    );
    assert_eq!(
        stored["check"]["authors"].as_object().map(|a| a.len()),
        Some(2),
        "ana and nour: nothing of bilal"
    );
    Ok(())
}

#[test]
fn a_change_forged_under_another_devices_actor_is_refused_and_the_rest_syncs() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::enrolled(&server, "ana", "inspector", None)?;
    let bilal = Device::enrolled(&server, "bilal", "inspector", None)?;
    let sara = Device::enrolled(&server, "sara", "supervisor", None)?;
    let forged = ana.record_mill("M-F")?;
    let honest = ana.record_mill("M-H")?;
    ana.sync(&server)?;
    write(&ana, &forged, "edit", Some(&bilal))?;
    write(&ana, &honest, "edit", None)?;
    let (ok, said) = sync_said(&ana, &server)?;
    assert!(!ok, "{said}");
    assert!(said.contains(&forged) && said.contains("forgery"), "{said}");
    assert!(!said.contains(&format!("rejected: {honest}")), "{said}");
    let server_honest = server.get_json(&format!("/api/v1/checks/{honest}"))?;
    assert_eq!(
        server_honest["check"]["fields"]["operating"], false,
        "the rest synced"
    );
    let server_forged = server.get_json(&format!("/api/v1/checks/{forged}"))?;
    assert_eq!(
        server_forged["check"]["fields"]["operating"], true,
        "nothing of the forgery"
    );

    // A supervisor's forged review under the server's own actor is refused too.
    let linked = ana
        .ok(&[
            "record",
            "--kind",
            "bakery",
            "--site-id",
            "DEZ-BAK-1",
            "--site-name",
            "فرن",
            "--set",
            "operating=true",
            "--set",
            "bread_price_syp=1500",
            "--set",
            "bread_price_official_syp=1000",
        ])?
        .trim()
        .to_owned();
    sync_said(&ana, &server)?;
    sara.sync(&server)?;
    // Read beside the running server (which holds the data directory's lock).
    let server_actor: String = fieldsync_server::store::open_connection(server.data_dir())?
        .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })?;
    let mut store = Store::open(sara.home())?;
    store.write(|db| -> Result<()> {
        let id = db.resolve(&linked)?;
        let mut doc = db.load_existing(id)?.doc;
        doc.set_actor(server_actor.parse()?);
        // (the server's actor is in the server's database; a device could learn it from
        // any check the server linked)
        let author = Author {
            name: "sara".into(),
            device: "x".into(),
            role: Role::Supervisor,
        };
        doc.review(&author, ReviewState::Rejected, "")?;
        db.save_local(id, &mut doc)?;
        Ok(())
    })?;
    let (ok, said) = sync_said(&sara, &server)?;
    assert!(!ok && said.contains("server's actor"), "{said}");
    let rejected = audit_actions(&server)?
        .into_iter()
        .filter(|e| e.action == audit::REJECTED_CHANGE)
        .count();
    assert!(rejected >= 2, "both forgeries audited");
    Ok(())
}
