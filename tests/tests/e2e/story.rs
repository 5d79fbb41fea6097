//! The central story: two inspectors edit one check offline, both sync, both converge; a
//! same-field conflict is shown with both values and authors; a supervisor reviews and
//! exports a CSV in which the check is linked to its resolutions.

use crate::harness::{Device, TestServer};
use anyhow::Result;
use serde_json::Value;

const SITE_AR: &str = "مخبز الأمل الاحتياطي";

fn show(device: &Device, id: &str) -> Result<Value> {
    device.json(&["show", id, "--json"])
}

fn field(device: &Device, id: &str, name: &str) -> Result<Value> {
    Ok(show(device, id)?["check"]["fields"][name].clone())
}

fn record_bakery(ana: &Device) -> Result<String> {
    let out = ana.ok(&[
        "record",
        "--kind",
        "bakery",
        "--site-id",
        "DEZ-BAK-014",
        "--site-name",
        SITE_AR,
        "--observed-at",
        "2026-11-28T09:30:00+03:00",
        "--set",
        "operating=نعم",
        "--set",
        "bread_price_syp=١٢٥٠",
        "--set",
        "bread_price_official_syp=1000",
        "--set",
        "flour_due_kg=1000",
        "--notes",
        "الطابور طويل صباحاً",
    ])?;
    Ok(out.trim().to_owned())
}

#[test]
fn two_inspectors_merge_conflict_review_and_export() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let bilal = Device::init("bilal", "inspector")?;
    let sara = Device::init("sara", "supervisor")?;

    let id = record_bakery(&ana)?;
    assert_eq!(show(&ana, &id)?["check"]["site"]["name_ar"], SITE_AR);
    ana.sync(&server)?;
    // An inspector's device receives only what it holds: bilal takes a copy of ana's check.
    bilal.fetch(&server, &[&id])?;
    assert_eq!(show(&bilal, &id)?["check"]["site"]["name_ar"], SITE_AR);

    // Offline, each edits a different field.
    ana.ok(&["edit", &id, "--set", "flour_received_kg=900"])?;
    bilal.ok(&["edit", &id, "--set", "licence_valid=false"])?;
    ana.sync(&server)?;
    bilal.sync(&server)?;
    ana.sync(&server)?;
    for device in [&ana, &bilal] {
        assert_eq!(
            field(device, &id, "flour_received_kg")?,
            900,
            "{}",
            device.name
        );
        assert_eq!(
            field(device, &id, "licence_valid")?,
            false,
            "{}",
            device.name
        );
        assert_eq!(
            show(device, &id)?["conflicts"],
            Value::Array(vec![]),
            "{}",
            device.name
        );
    }
    assert_eq!(show(&ana, &id)?["check"], show(&bilal, &id)?["check"]);

    // Offline, both change the same field.
    ana.ok(&["edit", &id, "--set", "bread_price_syp=1500"])?;
    bilal.ok(&["edit", &id, "--set", "bread_price_syp=2000"])?;
    ana.sync(&server)?;
    bilal.sync(&server)?;
    ana.sync(&server)?;
    let (a, b) = (show(&ana, &id)?, show(&bilal, &id)?);
    assert_eq!(a["check"], b["check"], "both devices converge");
    assert_eq!(
        a["conflicts"], b["conflicts"],
        "both devices see the same conflict"
    );
    let conflict = &a["conflicts"][0];
    assert_eq!(conflict["field"], "fields.bread_price_syp");
    let mut values: Vec<(i64, String)> = conflict["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| {
            (
                v["value"].as_i64().expect("int"),
                v["author"]["name"].as_str().expect("name").to_owned(),
            )
        })
        .collect();
    values.sort();
    assert_eq!(
        values,
        vec![(1500, "ana".to_owned()), (2000, "bilal".to_owned())]
    );
    let winner = conflict["values"]
        .as_array()
        .expect("values")
        .iter()
        .find(|v| v["winner"] == true)
        .expect("a winner");
    assert_eq!(a["check"]["fields"]["bread_price_syp"], winner["value"]);
    let text = ana.ok(&["show", &id])?;
    assert!(
        text.contains("1500") && text.contains("2000") && text.contains("bilal"),
        "{text}"
    );

    // The supervisor reviews; the decision reaches the inspector.
    sara.sync(&server)?;
    sara.ok(&[
        "review",
        &id,
        "--state",
        "approved",
        "--comment",
        "الأرقام مطابقة",
    ])?;
    sara.sync(&server)?;
    ana.sync(&server)?;
    let reviewed = show(&ana, &id)?;
    assert_eq!(reviewed["check"]["review"]["state"], "approved");
    assert_eq!(reviewed["check"]["review"]["by"], "sara");

    export_is_excel_ready(&sara, &id)?;
    server_index_links(&server, &id)
}

fn export_is_excel_ready(sara: &Device, id: &str) -> Result<()> {
    let out = sara.home().join("checks.csv");
    let out_str = out.to_str().expect("utf-8 path");
    sara.ok(&["export", "--format", "csv", "--out", out_str])?;
    let bytes = std::fs::read(&out)?;
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "CSV starts with a UTF-8 BOM for Excel"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers = reader.headers()?.clone();
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert_eq!(rows.len(), 1);
    let col = |name: &str| {
        let i = headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name}"));
        rows[0][i].to_owned()
    };
    assert_eq!(col("check_id"), id);
    assert_eq!(col("site_name_ar"), SITE_AR, "Arabic byte-exact");
    assert_eq!(col("review_state"), "approved");
    assert_eq!(col("flour_received_kg"), "900");
    let links: Vec<u16> = col("resolutions")
        .split(';')
        .map(|n| n.parse().expect("number"))
        .collect();
    assert_eq!(
        links,
        vec![20, 28, 29],
        "bakery above the official price, short of flour, without a licence"
    );
    Ok(())
}

fn server_index_links(server: &TestServer, id: &str) -> Result<()> {
    for resolution in [20, 28, 29] {
        let body = server.get_json(&format!("/api/v1/checks?resolution={resolution}"))?;
        let ids: Vec<&str> = body
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        assert_eq!(ids, vec![id], "resolution {resolution}");
    }
    let body = server.get_json("/api/v1/checks?resolution=14")?;
    assert_eq!(
        body,
        Value::Array(vec![]),
        "a bakery is not linked to water stations"
    );
    Ok(())
}
