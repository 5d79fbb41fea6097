//! Receive scopes: an inspector's device receives only the checks it holds, fetches others'
//! by id or site, and from then on receives their changes; a supervisor receives everything.

use anyhow::Result;
use serde_json::Value;

use crate::harness::{Device, TestServer};

fn record(device: &Device, site: &str) -> Result<String> {
    Ok(device
        .ok(&[
            "record",
            "--kind",
            "silo",
            "--site-id",
            site,
            "--site-name",
            "صوامع الميادين",
            "--set",
            "structurally_sound=true",
        ])?
        .trim()
        .to_owned())
}

fn ids(device: &Device) -> Result<Vec<String>> {
    let list = device.json(&["list", "--json"])?;
    let mut ids: Vec<String> = list
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    Ok(ids)
}

#[test]
fn inspectors_receive_what_they_hold_and_fetch_the_rest() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let bilal = Device::init("bilal", "inspector")?;
    let sara = Device::init("sara", "supervisor")?;
    let shared = record(&ana, "DEZ-SIL-001")?;
    let other = record(&ana, "DEZ-SIL-002")?;
    ana.sync(&server)?;

    bilal.sync(&server)?;
    assert_eq!(
        ids(&bilal)?,
        Vec::<String>::new(),
        "nothing pulled by default"
    );
    sara.sync(&server)?;
    let mut both = vec![shared.clone(), other.clone()];
    both.sort();
    assert_eq!(ids(&sara)?, both, "a supervisor receives every check");

    let said = bilal.fetch(&server, &["--site", "DEZ-SIL-001"])?;
    assert!(said.contains("1 check(s)"), "{said}");
    assert_eq!(ids(&bilal)?, vec![shared.clone()]);

    // Held from now on: ana's later edit reaches bilal with a plain sync.
    ana.ok(&["edit", &shared, "--notes", "تشققات في الجدار الشمالي"])?;
    ana.sync(&server)?;
    bilal.sync(&server)?;
    let shown = bilal.json(&["show", &shared, "--json"])?;
    assert_eq!(shown["check"]["notes"], "تشققات في الجدار الشمالي");
    assert_eq!(ids(&bilal)?, vec![shared], "still not the other check");

    bilal.fetch(&server, &[&other])?;
    assert_eq!(ids(&bilal)?, both);
    Ok(())
}

#[test]
fn fetching_what_the_server_lacks_names_it_and_keeps_the_rest() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let mine = record(&ana, "DEZ-SIL-003")?;
    let absent = "0190f5a4-0000-7000-8000-000000000000";
    server.enrol(&ana)?;
    let err = ana.fails(&["fetch", "--server", &server.url(), absent])?;
    assert!(err.contains(absent) && err.contains("no check"), "{err}");
    let shown: Value = ana.json(&["show", &mine, "--json"])?;
    assert_eq!(shown["pending"], false, "the rest synced: {shown}");

    let err = ana.fails(&["fetch", "--server", &server.url(), "not-an-id"])?;
    assert!(err.contains("not-an-id"), "{err}");
    let err = ana.fails(&["fetch", "--server", &server.url()])?;
    assert!(err.contains("--site"), "{err}");
    let err = ana.fails(&["fetch", "--server", &server.url(), "--site", "bad site!"])?;
    assert!(err.contains("bad site!"), "{err}");
    // A site id the server has no checks at (a typo, most often) is an error, not "0 checks".
    let err = ana.fails(&["fetch", "--server", &server.url(), "--site", "DEZ-SIL-999"])?;
    assert!(err.contains("no checks at site DEZ-SIL-999"), "{err}");
    Ok(())
}
