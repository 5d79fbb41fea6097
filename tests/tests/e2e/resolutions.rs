//! The 42 resolutions, as the CLI and the server list them.

use crate::harness::{Device, TestServer};
use anyhow::Result;

#[test]
fn cli_lists_42_resolutions_in_arabic_and_english() -> Result<()> {
    let ana = Device::init("ana", "inspector")?;
    let list = ana.json(&["resolutions", "--json"])?;
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 42);
    let numbers: Vec<u64> = list.iter().filter_map(|r| r["number"].as_u64()).collect();
    assert_eq!(numbers, (1..=42).collect::<Vec<_>>());
    assert_eq!(
        list[15]["text_ar"],
        "إعادة تشغيل الأفران الاحتياطية التابعة للإدارة."
    );
    assert!(!list[15]["title_en"].as_str().expect("title").is_empty());
    let text = ana.ok(&["resolutions"])?;
    assert!(
        text.contains("إعادة تشغيل الأفران الاحتياطية"),
        "Arabic shown"
    );
    Ok(())
}

#[test]
fn server_lists_resolutions_with_counts() -> Result<()> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    ana.ok(&[
        "record",
        "--kind",
        "crossing",
        "--site-id",
        "DEZ-CRS-1",
        "--site-name",
        "معبر الصالحية",
        "--set",
        "open=false",
    ])?;
    ana.sync(&server)?;
    let body = server.get_json("/api/v1/resolutions")?;
    let list = body.as_array().expect("array");
    assert_eq!(list.len(), 42);
    let seven = list
        .iter()
        .find(|r| r["number"] == 7)
        .expect("resolution 7");
    assert_eq!(
        (seven["checks"].as_u64(), seven["sites"].as_u64()),
        (Some(1), Some(1))
    );
    let sixteen = list
        .iter()
        .find(|r| r["number"] == 16)
        .expect("resolution 16");
    assert_eq!(sixteen["checks"], 0);
    Ok(())
}
