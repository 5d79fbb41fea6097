//! The follow-up report per resolution: devices record and sync, and the report a
//! supervisor's device makes (`fieldsync report --format json`) equals the server's
//! (`GET /api/v1/reports/resolutions`), conflicts and reviews included.

use anyhow::Result;

use crate::harness::{Device, TestServer};

/// Records a check and returns its id.
fn record(device: &Device, kind: &str, site: &str, at: &str, sets: &[&str]) -> Result<String> {
    let mut args = vec![
        "record",
        "--kind",
        kind,
        "--site-id",
        site,
        "--site-name",
        "موقع <b>تجريبي</b>",
        "--observed-at",
        at,
    ];
    for set in sets {
        args.extend(["--set", set]);
    }
    Ok(device.ok(&args)?.trim().to_owned())
}

#[test]
fn the_devices_report_and_the_servers_agree() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let bilal = Device::init("bilal", "inspector")?;
    let sara = Device::init("sara", "supervisor")?;
    let t = "2026-03-01T09:00:00+03:00";
    // Linked by the rules: price above official -> 20; closed reserve bakery -> 16;
    // stopped station -> 14; closed crossing -> 7. The operating station is linked to none.
    let priced = record(
        &ana,
        "bakery",
        "DEZ-BAK-1",
        t,
        &[
            "operating=yes",
            "bread_price_syp=1500",
            "bread_price_official_syp=1000",
        ],
    )?;
    record(
        &ana,
        "bakery",
        "DEZ-BAK-2",
        t,
        &[
            "operating=no",
            "reason_closed=no_flour",
            "reserve_bakery=yes",
        ],
    )?;
    let stopped = record(
        &bilal,
        "water_station",
        "WAT-1",
        t,
        &["operating=no", "reason_stopped=no_power"],
    )?;
    record(
        &bilal,
        "water_station",
        "WAT-2",
        t,
        &["operating=yes", "output_m3h=100"],
    )?;
    record(&bilal, "crossing", "CRS-1", t, &["open=false"])?;
    ana.sync(&server)?;
    bilal.sync(&server)?;
    // A conflict: both inspectors change the price offline.
    bilal.fetch(&server, &[&priced])?;
    ana.ok(&["edit", &priced, "--set", "bread_price_syp=1750"])?;
    bilal.ok(&["edit", &priced, "--set", "bread_price_syp=2000"])?;
    ana.sync(&server)?;
    bilal.sync(&server)?;
    sara.sync(&server)?;
    sara.ok(&["review", &stopped, "--state", "approved"])?;
    sara.sync(&server)?;

    let on_device = sara.json(&["report", "--format", "json"])?;
    let on_server = server.get_json("/api/v1/reports/resolutions")?;
    assert_eq!(on_device, on_server);
    assert_eq!(on_server["checks"], 5);
    assert_eq!(on_server["unlinked"], 1);
    let numbers: Vec<u64> = on_server["resolutions"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["number"].as_u64())
        .collect();
    assert_eq!(numbers, [7, 14, 16, 20]);
    let r14 = &on_server["resolutions"][1];
    assert_eq!(
        (r14["checks"].as_u64(), r14["review"]["approved"].as_u64()),
        (Some(1), Some(1))
    );
    // Both stations count in the findings, linked or not.
    let water = &r14["kinds"][0]["figures"];
    assert_eq!(
        (water[0]["id"].as_str(), water[0]["value"].as_f64()),
        (Some("operating"), Some(1.0))
    );
    assert_eq!(
        (water[1]["id"].as_str(), water[1]["value"].as_f64()),
        (Some("stopped"), Some(1.0))
    );
    let conflicts = &on_server["resolutions"][3]["conflicts"];
    assert_eq!(conflicts[0]["field"], "fields.bread_price_syp");
    assert_eq!(conflicts[0]["values"], 2);

    // Filtered alike on both sides.
    let on_device = sara.json(&[
        "report",
        "--format",
        "json",
        "--resolution",
        "14",
        "--kind",
        "water_station",
    ])?;
    let on_server =
        server.get_json("/api/v1/reports/resolutions?resolution=14&kind=water_station")?;
    assert_eq!(on_device, on_server);
    assert_eq!(on_server["resolutions"].as_array().map(Vec::len), Some(1));
    Ok(())
}

#[test]
fn the_html_report_shows_typed_text_as_text() -> Result<()> {
    let sara = Device::init("sara", "supervisor")?;
    record(
        &sara,
        "crossing",
        "CRS-1",
        "2026-03-01T09:00:00+03:00",
        &["open=false"],
    )?;
    let html = sara.ok(&["report", "--format", "html"])?;
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\">"));
    assert!(
        html.contains("موقع &lt;b&gt;تجريبي&lt;/b&gt;"),
        "escaped site name"
    );
    assert!(!html.contains("<b>"));
    let md = sara.ok(&["report"])?;
    assert!(md.contains("موقع &lt;b&gt;تجريبي&lt;/b&gt;"));
    Ok(())
}
