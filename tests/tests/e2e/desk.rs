//! The supervisor's desk, end to end through the real server: comment threads from two
//! offline devices merge; a same-field conflict is listed by `conflicts` and closed on every
//! device by `resolve`; `history` names each author's change; a deleted check stays deleted
//! when a stale device syncs, and that device is told.

use anyhow::Result;
use serde_json::Value;

use crate::harness::{Device, TestServer};

/// Records a bakery check at DEZ-BAK-014 on `device` with `bread_price_syp` = `price`;
/// returns its id.
pub(crate) fn record(device: &Device, price: &str) -> Result<String> {
    let out = device.ok(&[
        "record",
        "--kind",
        "bakery",
        "--site-id",
        "DEZ-BAK-014",
        "--site-name",
        "مخبز الأمل",
        "--observed-at",
        "2026-11-28T09:30:00+03:00",
        "--set",
        "operating=yes",
        "--set",
        &format!("bread_price_syp={price}"),
    ])?;
    Ok(out.trim().to_owned())
}

/// `show ID --json` on `device`.
pub(crate) fn show(device: &Device, id: &str) -> Result<Value> {
    device.json(&["show", id, "--json"])
}

/// Ana records and syncs; Bilal (receiving everything) fetches; both are then offline.
pub(crate) fn shared_check(server: &TestServer) -> Result<(Device, Device, String)> {
    let ana = Device::init("ana", "inspector")?;
    let bilal = Device::init_with("bilal", "inspector", &["--receive", "all"])?;
    let id = record(&ana, "1250")?;
    ana.sync(server)?;
    bilal.fetch(server, &[&id])?;
    Ok((ana, bilal, id))
}

/// Syncs every device twice, in order, so each has everything the others sent.
pub(crate) fn sync_all(server: &TestServer, devices: &[&Device]) -> Result<()> {
    for device in devices.iter().chain(devices) {
        device.sync(server)?;
    }
    Ok(())
}

#[test]
fn offline_comments_from_two_devices_both_survive() -> Result<()> {
    let server = TestServer::start()?;
    let (ana, bilal, id) = shared_check(&server)?;
    ana.ok(&["comment", &id, "الفرن مغلق بعد الظهر"])?;
    bilal.ok(&["comment", &id, "flour delivery was late"])?;
    let blank = bilal.fails(&["comment", &id, " "])?;
    assert!(blank.contains("must not be empty"), "{blank}");
    sync_all(&server, &[&ana, &bilal])?;
    for device in [&ana, &bilal] {
        let comments = show(device, &id)?["check"]["comments"].clone();
        let mut got: Vec<String> = comments
            .as_array()
            .expect("comments")
            .iter()
            .map(|c| {
                format!(
                    "{}: {}",
                    c["by"].as_str().unwrap_or(""),
                    c["text"].as_str().unwrap_or("")
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                "ana: الفرن مغلق بعد الظهر",
                "bilal: flour delivery was late"
            ],
            "{}",
            device.name
        );
    }
    let text = bilal.ok(&["show", &id])?;
    assert!(
        text.contains("Comments (2)") && text.contains("flour delivery was late"),
        "{text}"
    );
    Ok(())
}

#[test]
fn a_same_field_conflict_is_listed_then_resolved_on_every_device() -> Result<()> {
    let server = TestServer::start()?;
    let (ana, bilal, id) = shared_check(&server)?;
    let sara = Device::init("sara", "supervisor")?;
    // Different fields: a parallel update, merged cleanly, not a conflict.
    ana.ok(&[
        "edit",
        &id,
        "--set",
        "flour_received_kg=900",
        "--set",
        "bread_price_syp=1500",
    ])?;
    bilal.ok(&[
        "edit",
        &id,
        "--set",
        "licence_valid=false",
        "--set",
        "bread_price_syp=2000",
    ])?;
    sync_all(&server, &[&ana, &bilal, &sara])?;

    for device in [&ana, &bilal, &sara] {
        let listed = device.json(&["conflicts", "--json"])?;
        assert_eq!(
            listed.as_array().map(Vec::len),
            Some(1),
            "{}: {listed}",
            device.name
        );
        assert_eq!(listed[0]["check"], id.as_str());
        let conflicts = listed[0]["conflicts"].as_array().expect("conflicts");
        assert_eq!(conflicts.len(), 1, "only the same field: {listed}");
        assert_eq!(conflicts[0]["field"], "fields.bread_price_syp");
        let mut values: Vec<(i64, String, bool)> = conflicts[0]["values"]
            .as_array()
            .expect("values")
            .iter()
            .map(|v| {
                let name = v["author"]["name"].as_str().unwrap_or("").to_owned();
                (v["value"].as_i64().unwrap_or(0), name, v["at"].is_string())
            })
            .collect();
        values.sort();
        assert_eq!(
            values,
            [(1500, "ana".into(), true), (2000, "bilal".into(), true)]
        );
    }
    let parallel = show(&sara, &id)?["parallel_updates"].clone();
    let mut fields: Vec<&str> = parallel
        .as_array()
        .expect("parallel updates")
        .iter()
        .filter_map(|p| p["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["flour_received_kg", "licence_valid"], "{parallel}");
    let text = sara.ok(&["conflicts"])?;
    assert!(
        text.contains("bread_price_syp") && text.contains("bilal (inspector"),
        "{text}"
    );

    let refused = ana.fails(&["resolve", &id, "bread_price_syp", "--keep", "ana"])?;
    assert!(refused.contains("only a supervisor"), "{refused}");
    let unknown = sara.fails(&["resolve", &id, "bread_price_syp", "--keep", "omar"])?;
    assert!(
        unknown.contains("omar") && unknown.contains("ana"),
        "{unknown}"
    );
    sara.ok(&["resolve", &id, "bread_price_syp", "--keep", "bilal"])?;
    let again = sara.fails(&["resolve", &id, "bread_price_syp", "--value", "1750"])?;
    assert!(
        again.contains("field bread_price_syp of check") && again.contains("no open conflict"),
        "closed: {again}"
    );
    sync_all(&server, &[&sara, &ana, &bilal])?;

    for device in [&ana, &bilal, &sara] {
        assert_eq!(
            device.json(&["conflicts", "--json"])?,
            Value::Array(vec![]),
            "{}",
            device.name
        );
        let shown = show(device, &id)?;
        assert_eq!(
            shown["check"]["fields"]["bread_price_syp"], 2000,
            "{}",
            device.name
        );
        assert_eq!(shown["check"]["fields"]["flour_received_kg"], 900);
        let decision = &shown["check"]["decisions"][0];
        assert_eq!(decision["by"], "sara");
        assert_eq!(decision["field"], "bread_price_syp");
        assert_eq!(decision["discarded"], serde_json::json!([1500]));
    }
    Ok(())
}

#[test]
fn history_shows_each_authors_change_in_order() -> Result<()> {
    let server = TestServer::start()?;
    let (ana, bilal, id) = shared_check(&server)?;
    bilal.ok(&["edit", &id, "--set", "bread_price_syp=2000"])?;
    sync_all(&server, &[&bilal, &ana])?;
    ana.ok(&["edit", &id, "--set", "bread_price_syp=1800"])?;

    let history = ana.json(&["history", &id, "--json"])?;
    let price_changes: Vec<(String, String, String)> = history
        .as_array()
        .expect("entries")
        .iter()
        .flat_map(|entry| {
            let name = entry["author"]["name"].as_str().unwrap_or("?").to_owned();
            entry["changes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["what"] == "fields.bread_price_syp")
                .map(move |c| {
                    let v = |k: &str| c[k].as_str().unwrap_or("∅").to_owned();
                    (name.clone(), v("old"), v("new"))
                })
        })
        .collect();
    assert_eq!(
        price_changes,
        [
            ("ana".into(), "∅".into(), "1250".into()),
            ("bilal".into(), "1250".into(), "2000".into()),
            ("ana".into(), "2000".into(), "1800".into()),
        ]
    );
    let text = ana.ok(&["history", &id])?;
    assert!(text.contains("bilal (inspector, device"), "{text}");
    assert!(
        text.contains("fields.bread_price_syp: 1250 -> 2000"),
        "{text}"
    );
    // Links are computed by the recording device the same way the server computes them
    // (rules by value), so the server adds no change of its own here.
    assert!(
        text.contains("ana (inspector, device") && text.contains("record check"),
        "the creation is listed with its author: {text}"
    );
    Ok(())
}

#[test]
fn a_deleted_check_stays_deleted_after_a_stale_device_syncs() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let sara = Device::init("sara", "supervisor")?;
    let bilal = Device::init("bilal", "inspector")?;
    let id = record(&ana, "1250")?;
    ana.sync(&server)?;
    sara.sync(&server)?;
    bilal.fetch(&server, &[&id])?;

    let refused = ana.fails(&["delete", &id, "--reason", "mine"])?;
    assert!(refused.contains("only a supervisor"), "{refused}");
    let blank = sara.fails(&["delete", &id, "--reason", "  "])?;
    assert!(
        blank.contains("--reason") && blank.contains("must not be empty"),
        "{blank}"
    );
    sara.ok(&["delete", &id, "--reason", "duplicate of another visit"])?;
    sara.sync(&server)?;
    let api = |path: &str| server.get_json(path);
    assert_eq!(
        api("/api/v1/checks")?,
        Value::Array(vec![]),
        "left out of the index"
    );

    let listed = sara.run(&["list"])?;
    let said = String::from_utf8_lossy(&listed.stderr);
    assert!(said.contains("no checks but 1 deleted"), "{said}");

    // Bilal holds a copy and changed nothing: the tombstone arrives, and he is told.
    let told = bilal.sync(&server)?;
    assert!(
        told.contains(&format!(
            "check {id} was deleted by sara: duplicate of another visit"
        )),
        "{told}"
    );
    assert_eq!(bilal.json(&["list", "--json"])?, Value::Array(vec![]));

    // Ana, offline all along, edits her old copy and syncs.
    ana.ok(&["edit", &id, "--set", "bread_price_syp=1300"])?;
    let said = ana.sync(&server)?;
    assert!(
        said.contains(&format!(
            "check {id} was deleted by sara: duplicate of another visit"
        )),
        "{said}"
    );
    sara.sync(&server)?;
    for device in [&ana, &sara] {
        let shown = show(device, &id)?;
        assert_eq!(shown["check"]["deleted"]["by"], "sara", "{}", device.name);
        assert_eq!(
            shown["check"]["fields"]["bread_price_syp"], 1300,
            "the edit merged"
        );
        assert_eq!(
            device.json(&["list", "--json"])?,
            Value::Array(vec![]),
            "{}",
            device.name
        );
        let all = device.json(&["list", "--json", "--deleted"])?;
        assert_eq!(all[0]["deleted"], true, "{}", device.name);
    }
    let stored = api(&format!("/api/v1/checks/{id}"))?;
    assert_eq!(
        stored["check"]["deleted"]["reason"],
        "duplicate of another visit"
    );
    assert_eq!(api("/api/v1/checks")?, Value::Array(vec![]));
    let counts = api("/api/v1/resolutions")?;
    assert!(
        counts
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r["checks"] == 0),
        "{counts}"
    );
    let text = ana.ok(&["show", &id])?;
    assert!(
        text.contains("Deleted") && text.contains("duplicate of another visit"),
        "{text}"
    );
    let again = ana.fails(&["edit", &id, "--set", "bread_price_syp=1400"])?;
    assert!(again.contains("was deleted by sara"), "{again}");
    Ok(())
}
