//! Issue 4 end to end: the server flags invalid checks and keeps them; a supervisor's
//! manual link reaches the inspector and survives the server's re-linking; a check carrying
//! a manual link to resolution 43 from an old device is quarantined (flagged
//! `unknown_resolution`) while the rest of the same sync arrives.

use anyhow::{Context as _, Result};
use automerge::transaction::Transactable as _;
use automerge::{ObjType, ROOT};
use fieldsync_schema::CheckDoc;
use fieldsync_sync_cli::store::Store;
use serde_json::Value;

use crate::harness::{Device, TestServer};

fn get(server: &TestServer, path: &str) -> Result<Value> {
    server.get_json(path)
}

fn listed(server: &TestServer, query: &str) -> Result<Vec<String>> {
    let body = get(server, &format!("/api/v1/checks?{query}"))?;
    let mut ids: Vec<String> = body
        .as_array()
        .context("array")?
        .iter()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    Ok(ids)
}

fn record(device: &Device, kind: &str, site: &str, sets: &[&str]) -> Result<String> {
    let mut args = vec!["record", "--kind", kind, "--site-id", site];
    args.extend(["--site-name", "موقع التفقد"]);
    for set in sets {
        args.extend(["--set", set]);
    }
    Ok(device.ok(&args)?.trim().to_owned())
}

fn codes(violations: &Value) -> Vec<String> {
    violations
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|v| Some(format!("{}:{}", v["field"].as_str()?, v["code"].as_str()?)))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_invalid_check_is_stored_flagged_and_its_reasons_show_on_another_device() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let sara = Device::init("sara", "supervisor")?;
    // `record` refuses a check missing required fields, but `edit` completes a check in
    // steps: closing the bakery makes `reason_closed` required, and it is still empty.
    let invalid = record(
        &ana,
        "bakery",
        "DEZ-BAK-020",
        &["operating=yes", "bread_price_syp=1250"],
    )?;
    ana.ok(&["edit", &invalid, "--set", "operating=false"])?;
    let valid = record(&ana, "crossing", "DEZ-CRS-020", &["open=true"])?;
    let offline = ana.json(&["show", &invalid, "--json"])?;
    assert_eq!(offline["valid"], false, "flagged on the device, offline");
    ana.sync(&server)?;

    assert_eq!(listed(&server, "valid=false")?, [invalid.as_str()]);
    assert_eq!(listed(&server, "valid=true")?, [valid.as_str()]);
    let detail = get(&server, &format!("/api/v1/checks/{invalid}"))?;
    assert_eq!(detail["valid"], false);
    let found = codes(&detail["violations"]);
    assert!(
        found.contains(&"reason_closed:required".to_owned()),
        "{found:?}"
    );

    sara.sync(&server)?;
    let text = sara.ok(&["show", &invalid])?;
    for needle in [
        "غير صالح / INVALID",
        "field \"reason_closed\" is required but has no value",
        "الحقل «reason_closed» مطلوب ولكنه فارغ",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    let list = sara.json(&["list", "--json"])?;
    let flags: Vec<(String, bool)> = list
        .as_array()
        .context("array")?
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or("").to_owned(),
                r["valid"] == true,
            )
        })
        .collect();
    assert!(
        flags.contains(&(invalid, false)) && flags.contains(&(valid, true)),
        "{flags:?}"
    );
    Ok(())
}

#[test]
fn a_supervisors_manual_link_reaches_the_inspector_and_survives_relinking() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let sara = Device::init("sara", "supervisor")?;
    let id = record(
        &ana,
        "bakery",
        "DEZ-BAK-021",
        &["operating=yes", "bread_price_syp=1250", "licence_valid=no"],
    )?;
    ana.sync(&server)?;
    assert_eq!(
        get(&server, &format!("/api/v1/checks/{id}"))?["check"]["resolutions"],
        serde_json::json!([29])
    );

    let err = ana.fails(&["link", &id, "--add", "16"])?;
    assert!(err.contains("only a supervisor"), "{err}");
    sara.sync(&server)?;
    let err = sara.fails(&["link", &id, "--add", "43"])?;
    assert!(err.contains("43") && err.contains("1 to 42"), "{err}");
    sara.ok(&[
        "link",
        &id,
        "--add",
        "16",
        "--remove",
        "29",
        "--comment",
        "فرن احتياطي",
    ])?;
    sara.sync(&server)?;

    ana.sync(&server)?;
    let shown = ana.json(&["show", &id, "--json"])?;
    assert_eq!(shown["check"]["resolutions"], serde_json::json!([16]));
    assert_eq!(shown["check"]["link_sources"]["16"], "manual:sara");
    assert_eq!(shown["check"]["manual_links"]["29"]["linked"], false);
    // The inspector edits; her device and the server both re-link, and the decision holds.
    ana.ok(&["edit", &id, "--set", "queue_people=40"])?;
    ana.sync(&server)?;
    let detail = get(&server, &format!("/api/v1/checks/{id}"))?;
    assert_eq!(detail["check"]["resolutions"], serde_json::json!([16]));
    assert_eq!(listed(&server, "resolution=29")?, Vec::<String>::new());
    assert_eq!(listed(&server, "resolution=16")?, [id.as_str()]);
    let text = ana.ok(&["show", &id])?;
    assert!(text.contains("<- يدوي / manual: sara"), "{text}");
    assert!(text.contains("فرن احتياطي"), "{text}");
    Ok(())
}

/// Adds a manual decision on `number` to a check in `device`'s store, as a device with an
/// older catalog (or a broken one) would write it: straight into the document.
fn old_device_links(device: &Device, id: &str, number: &str) -> Result<()> {
    let mut store = Store::open(device.home())?;
    let actor = store.db().meta()?.actor;
    store.write(|db| -> Result<()> {
        let id = db.resolve(id)?;
        let mut doc: CheckDoc = db.load_existing(id)?.doc;
        // Written as the device's own actor: the server takes manual links only from a
        // supervisor's device that writes as itself (issue 6).
        doc.set_actor(actor);
        let am = doc.automerge();
        let map = am.put_object(ROOT, "manual_links", ObjType::Map)?;
        let entry = am.put_object(&map, number, ObjType::Map)?;
        am.put(&entry, "linked", true)?;
        am.put(&entry, "by", "old-device")?;
        am.put(&entry, "at", "2026-01-01T00:00:00Z")?;
        am.commit();
        db.save_local(id, &mut doc)?;
        Ok(())
    })
}

#[test]
fn a_check_linked_to_43_is_quarantined_and_the_rest_of_the_sync_arrives() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let sara = Device::init("sara", "supervisor")?;
    let broken = record(
        &ana,
        "silo",
        "DEZ-SIL-043",
        &["structurally_sound=false", "damage=roof"],
    )?;
    let others = [
        record(&ana, "silo", "DEZ-SIL-044", &["structurally_sound=true"])?,
        record(&ana, "crossing", "DEZ-CRS-044", &["open=false"])?,
    ];
    let said = ana.sync(&server)?;
    assert!(
        said.contains("3 sent") && said.contains("0 rejected"),
        "nothing refused: {said}"
    );
    // An older supervisor's build linked the check to 43 (no such resolution).
    sara.sync(&server)?;
    old_device_links(&sara, &broken, "43")?;
    let said = sara.sync(&server)?;
    assert!(said.contains("0 rejected"), "stored, not refused: {said}");

    let mut all = vec![broken.clone()];
    all.extend(others.iter().cloned());
    all.sort();
    assert_eq!(listed(&server, "")?, all, "every check of the sync arrived");
    assert_eq!(listed(&server, "valid=false")?, [broken.as_str()]);
    let detail = get(&server, &format!("/api/v1/checks/{broken}"))?;
    assert_eq!(
        codes(&detail["violations"]),
        ["manual_links:unknown_resolution"]
    );
    assert_eq!(
        detail["check"]["resolutions"],
        serde_json::json!([12]),
        "43 links nothing"
    );

    sara.sync(&server)?;
    let text = sara.ok(&["show", &broken])?;
    assert!(
        text.contains("resolution 43, which does not exist"),
        "{text}"
    );
    // Review: the supervisor clears the old decision, and the flag goes with the next sync.
    sara.ok(&["link", &broken, "--remove", "43"])?;
    let nothing = sara.fails(&["link", &broken, "--remove", "43"])?;
    assert!(
        nothing.contains("there is no resolution 43") && nothing.contains("no decision on 43"),
        "cleared already: {nothing}"
    );
    sara.sync(&server)?;
    assert_eq!(listed(&server, "valid=false")?, Vec::<String>::new());
    Ok(())
}
