//! Everything but `sync` works with no network; an unreachable server leaves the store intact.

use crate::harness::Device;
use anyhow::Result;

#[test]
fn record_list_show_offline_and_sync_to_nowhere_keeps_data() -> Result<()> {
    let ana = Device::init("ana", "inspector")?;
    let id = ana
        .ok(&[
            "record",
            "--kind",
            "water_station",
            "--site-id",
            "DEZ-WAT-002",
            "--site-name",
            "محطة مياه الحويقة",
            "--set",
            "operating=true",
            "--set",
            "output_m3h=12٫5",
            "--set",
            "maintenance_status=in_progress",
        ])?
        .trim()
        .to_owned();
    let list = ana.json(&["list", "--json"])?;
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["pending"], true);
    assert_eq!(list[0]["resolutions"], serde_json::json!([14]));

    // Port 9 on loopback (discard) has no fieldsync server: the sync fails clearly.
    let err = ana.fails(&["sync", "--server", "http://127.0.0.1:9"])?;
    assert!(err.contains("127.0.0.1:9"), "names the server: {err}");
    let shown = ana.json(&["show", &id, "--json"])?;
    assert_eq!(shown["check"]["fields"]["output_m3h"], 12.5);
    assert_eq!(shown["pending"], true);
    Ok(())
}

#[test]
fn bad_values_are_refused_naming_field_value_and_rule() -> Result<()> {
    let ana = Device::init("ana", "inspector")?;
    let err = ana.fails(&[
        "record",
        "--kind",
        "bakery",
        "--site-id",
        "DEZ-BAK-1",
        "--site-name",
        "فرن",
        "--set",
        "bread_price_syp=cheap",
    ])?;
    assert!(
        err.contains("bread_price_syp") && err.contains("cheap") && err.contains("whole number"),
        "{err}"
    );
    assert_eq!(
        ana.json(&["list", "--json"])?,
        serde_json::json!([]),
        "nothing stored"
    );
    let err = ana.fails(&["review", "whatever", "--state", "approved"])?;
    assert!(
        err.contains("supervisor") || err.contains("whatever"),
        "{err}"
    );
    Ok(())
}
