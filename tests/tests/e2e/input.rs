//! Issue 4 through the real binary: refusals in the user's language, required fields
//! without a terminal, and search that folds Arabic spelling.

use anyhow::Result;
use serde_json::Value;

use crate::harness::Device;

const SITE_AR: &str = "مخبز الأمل الاحتياطي";

fn record<'a>(site_id: &'a str, site_name: &'a str, sets: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "record",
        "--kind",
        "bakery",
        "--site-id",
        site_id,
        "--site-name",
        site_name,
    ];
    for set in sets {
        args.extend(["--set", set]);
    }
    args
}

fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn record_without_a_terminal_lists_the_missing_required_fields() -> Result<()> {
    let ana = Device::init("ana", "inspector")?;
    let err = ana.fails(&record("DEZ-BAK-1", SITE_AR, &[]))?;
    assert!(
        err.contains(r#"operating ("Is the bakery operating?")"#) && err.contains("--set"),
        "{err}"
    );
    let err = ana.fails(&record("DEZ-BAK-1", SITE_AR, &["operating=yes"]))?;
    assert!(
        err.contains("bread_price_syp") && !err.contains("operating ("),
        "{err}"
    );
    let err = ana.fails(&[
        "--lang",
        "ar",
        "record",
        "--kind",
        "silo",
        "--site-id",
        "S-1",
        "--site-name",
        "صوامع",
    ])?;
    assert!(
        err.contains("حقول مطلوبة بلا قيمة") && err.contains("structurally_sound («"),
        "{err}"
    );
    assert_eq!(
        ana.json(&["list", "--json"])?,
        serde_json::json!([]),
        "nothing stored"
    );
    Ok(())
}

#[test]
fn refusals_follow_lang_and_the_locale() -> Result<()> {
    let ana = Device::init("ana", "inspector")?;
    let bad = record(
        "DEZ-BAK-1",
        SITE_AR,
        &["operating=نعم", "bread_price_syp=-٥"],
    );
    let mut args = vec!["--lang", "ar"];
    args.extend(bad.iter().copied());
    let err = ana.fails(&args)?;
    assert!(
        err.contains("(bread_price_syp)")
            && err.contains("«-٥»")
            && err.contains("أقل من الحد الأدنى"),
        "{err}"
    );
    let err = ana.fails(&bad)?;
    assert!(
        err.contains("is below the minimum 0"),
        "English by default: {err}"
    );
    let out = ana
        .command(&bad)
        .env("LC_ALL", "")
        .env("LANG", "ar_SY.UTF-8")
        .output()?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("أقل من الحد الأدنى"),
        "{err}"
    );
    // An empty FIELDSYNC_LANG (a script's `FIELDSYNC_LANG=`) is unset: the locale decides.
    let out = ana
        .command(&bad)
        .env("FIELDSYNC_LANG", "")
        .env("LC_ALL", "")
        .env("LANG", "ar_SY.UTF-8")
        .output()?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("أقل من الحد الأدنى"),
        "{err}"
    );
    Ok(())
}

#[test]
fn list_search_finds_hamza_spellings_and_show_keeps_what_was_typed() -> Result<()> {
    let ana = Device::init("ana", "inspector")?;
    let sets = ["operating=نعم", "bread_price_syp=١٢٬٥٠٠"];
    let amal = ana
        .ok(&record("DEZ-BAK-014", SITE_AR, &sets))?
        .trim()
        .to_owned();
    let other = ana
        .ok(&record("DEZ-BAK-020", "فرن المدينة", &sets))?
        .trim()
        .to_owned();
    let found = ana.json(&["list", "--json", "--search", "مخبز الامل"])?;
    assert_eq!(ids(&found), [amal.as_str()]);
    let found = ana.json(&["list", "--json", "--site-name", "المدينه"])?;
    assert_eq!(ids(&found), [other.as_str()]);
    let found = ana.json(&["list", "--json", "--search", "dez-bak"])?;
    assert_eq!(ids(&found).len(), 2);

    let shown = ana.json(&["show", &amal, "--json"])?;
    assert_eq!(shown["check"]["fields"]["bread_price_syp"], 12500);
    assert_eq!(shown["check"]["raw"]["bread_price_syp"], "١٢٬٥٠٠");
    let text = ana.ok(&["--lang", "en", "show", &amal])?;
    assert!(
        text.contains("Bread price charged per bundle (SYP): 12500 (typed as ١٢٬٥٠٠)"),
        "{text}"
    );
    Ok(())
}
