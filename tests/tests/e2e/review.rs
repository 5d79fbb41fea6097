//! A supervisor's decisions after the field has moved on, end to end through the real
//! server: an inspector's edit after an approval makes the check read `edited` on every
//! device and on the server while the approval stays in the review history, and a new
//! approval reads `approved` everywhere; a conflict resolved with a value typed in
//! Arabic-Indic digits stores that number and closes on every device; and every decision a
//! single sync carries gets its own audit row, worded from the document.

use anyhow::Result;
use serde_json::{Value, json};

use crate::desk::{record, shared_check, show, sync_all};
use crate::harness::{Device, TestServer, sorted_ids};

/// One review history entry as `[from, to, by, comment]`.
type Entry = [&'static str; 4];

/// The review state and history of a check as `show --json` or the server prints it.
fn review_of(check: &Value) -> (String, Vec<[String; 4]>) {
    let text = |v: &Value| v.as_str().unwrap_or("<missing>").to_owned();
    let history = check["review_history"]
        .as_array()
        .expect("review_history")
        .iter()
        .map(|e| [&e["from"], &e["to"], &e["by"], &e["comment"]].map(text))
        .collect();
    (text(&check["review"]["state"]), history)
}

fn expected(state: &str, history: &[Entry]) -> (String, Vec<[String; 4]>) {
    let history = history.iter().map(|e| e.map(str::to_owned)).collect();
    (state.to_owned(), history)
}

/// Every device (`show --json` and `list --json`) and the server (the check and the index)
/// read `state` with exactly `history`.
fn assert_review_everywhere(
    server: &TestServer,
    devices: &[&Device],
    id: &str,
    state: &str,
    history: &[Entry],
) -> Result<()> {
    let want = expected(state, history);
    for device in devices {
        let shown = show(device, id)?;
        assert_eq!(review_of(&shown["check"]), want, "{}: show", device.name);
        let listed = device.json(&["list", "--json"])?;
        assert_eq!(listed[0]["id"], id, "{}: {listed}", device.name);
        assert_eq!(listed[0]["review_state"], state, "{}: list", device.name);
    }
    let stored = server.get_json(&format!("/api/v1/checks/{id}"))?;
    assert_eq!(review_of(&stored["check"]), want, "server: {stored}");
    let index = server.get_json("/api/v1/checks")?;
    assert_eq!(sorted_ids(&index), [id], "{index}");
    assert_eq!(index[0]["review_state"], state, "server index: {index}");
    Ok(())
}

#[test]
fn an_edit_after_approval_reads_edited_with_the_approval_kept_in_history() -> Result<()> {
    const APPROVAL: &str = "الأسعار مطابقة للنشرة";
    const AGAIN: &str = "the new price matches the receipt";
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let sara = Device::init("sara", "supervisor")?;
    let id = record(&ana, "1250")?;
    // `received` means the server has it: not before the first sync.
    let before = ana.ok(&["--lang", "en", "show", &id])?;
    assert!(before.contains("not yet received"), "{before}");
    assert_eq!(show(&ana, &id)?["on_server"], false);
    ana.sync(&server)?;
    let after = ana.ok(&["--lang", "en", "show", &id])?;
    assert!(
        !after.contains("not yet received") && after.contains("received"),
        "{after}"
    );
    assert_eq!(show(&ana, &id)?["on_server"], true);
    sara.sync(&server)?;
    sara.ok(&["review", &id, "--state", "approved", "--comment", APPROVAL])?;
    sara.sync(&server)?;
    ana.sync(&server)?;
    let approved: Entry = ["received", "approved", "sara", APPROVAL];
    assert_review_everywhere(&server, &[&ana, &sara], &id, "approved", &[approved])?;

    // Ana corrects the price after the approval reached her: her own device reads
    // `edited` at once, before the server has seen the edit.
    ana.ok(&["edit", &id, "--set", "bread_price_syp=1300"])?;
    let local = show(&ana, &id)?;
    assert_eq!(local["pending"], true, "{local}");
    assert_eq!(review_of(&local["check"]), expected("edited", &[approved]));
    ana.sync(&server)?;
    sara.sync(&server)?;
    assert_review_everywhere(&server, &[&ana, &sara], &id, "edited", &[approved])?;
    let stored = server.get_json(&format!("/api/v1/checks/{id}"))?;
    for (who, check) in [
        ("sara", &show(&sara, &id)?["check"]),
        ("server", &stored["check"]),
    ] {
        assert_eq!(
            check["fields"]["bread_price_syp"], 1300,
            "{who}: the edit arrived"
        );
        assert_eq!(
            check["review"]["by"], "sara",
            "{who}: the last decision's author"
        );
    }

    sara.ok(&["review", &id, "--state", "approved", "--comment", AGAIN])?;
    sara.sync(&server)?;
    ana.sync(&server)?;
    let again: Entry = ["edited", "approved", "sara", AGAIN];
    assert_review_everywhere(&server, &[&ana, &sara], &id, "approved", &[approved, again])?;
    Ok(())
}

#[test]
fn resolve_with_a_value_closes_the_conflict_on_every_device() -> Result<()> {
    let server = TestServer::start()?;
    let (ana, bilal, id) = shared_check(&server)?;
    let sara = Device::init("sara", "supervisor")?;
    ana.ok(&["edit", &id, "--set", "bread_price_syp=1500"])?;
    bilal.ok(&["edit", &id, "--set", "bread_price_syp=2000"])?;
    sync_all(&server, &[&ana, &bilal, &sara])?;

    // The conflict is open before the decision, with both values.
    let listed = sara.json(&["conflicts", "--json"])?;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["check"], id.as_str());
    let conflict = &listed[0]["conflicts"][0];
    assert_eq!(conflict["field"], "fields.bread_price_syp", "{listed}");
    let mut values: Vec<i64> = conflict["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|v| v["value"].as_i64())
        .collect();
    values.sort_unstable();
    assert_eq!(values, [1500, 2000], "{listed}");

    // An inspector may not close it by writing the field again.
    let refused = ana.fails(&["edit", &id, "--set", "bread_price_syp=1700"])?;
    assert!(refused.contains("open conflict"), "{refused}");

    // Approved with the conflict open; the decision keeps the approval (it only chose
    // among recorded values), and the server accepts the supervisor's second change.
    sara.ok(&["review", &id, "--state", "approved"])?;
    sara.ok(&["resolve", &id, "bread_price_syp", "--value", "١٧٥٠"])?;
    sync_all(&server, &[&sara, &ana, &bilal])?;

    for device in [&ana, &bilal, &sara] {
        let name = &device.name;
        assert_eq!(
            device.json(&["conflicts", "--json"])?,
            Value::Array(vec![]),
            "{name}"
        );
        let shown = show(device, &id)?;
        assert_eq!(shown["conflicts"], json!([]), "{name}: {shown}");
        assert_eq!(
            shown["check"]["fields"]["bread_price_syp"],
            json!(1750),
            "{name}"
        );
        let decisions = &shown["check"]["decisions"];
        assert_eq!(
            decisions.as_array().map(Vec::len),
            Some(1),
            "{name}: {decisions}"
        );
        assert_eq!(decisions[0]["by"], "sara", "{name}");
        assert_eq!(shown["check"]["review"]["state"], "approved", "{name}");
        assert_eq!(decisions[0]["field"], "bread_price_syp", "{name}");
        assert_eq!(decisions[0]["value"], json!(1750), "{name}");
        let mut discarded: Vec<i64> = decisions[0]["discarded"]
            .as_array()
            .expect("discarded")
            .iter()
            .filter_map(Value::as_i64)
            .collect();
        discarded.sort_unstable();
        assert_eq!(discarded, [1500, 2000], "{name}: {decisions}");
    }
    let stored = server.get_json(&format!("/api/v1/checks/{id}"))?;
    assert_eq!(stored["conflicts"], json!([]), "server: {stored}");
    assert_eq!(stored["check"]["fields"]["bread_price_syp"], json!(1750));
    assert_eq!(stored["check"]["decisions"][0]["value"], json!(1750));
    assert_eq!(
        stored["check"]["review"]["state"], "approved",
        "server: {stored}"
    );
    Ok(())
}

#[test]
fn every_decision_synced_in_one_round_gets_its_own_audit_row() -> Result<()> {
    let server = TestServer::start()?;
    let (ana, bilal, id) = shared_check(&server)?;
    let sara = Device::init("sara", "supervisor")?;
    ana.ok(&["edit", &id, "--set", "bread_price_syp=1500"])?;
    bilal.ok(&["edit", &id, "--set", "bread_price_syp=2000"])?;
    sync_all(&server, &[&ana, &bilal, &sara])?;

    // Offline, Sara decides three times; one sync carries all three.
    sara.ok(&["review", &id, "--state", "has_issues", "--comment", "السعر"])?;
    sara.ok(&["resolve", &id, "bread_price_syp", "--keep", "bilal"])?;
    sara.ok(&["review", &id, "--state", "approved"])?;
    sara.sync(&server)?;

    let rows: Vec<(String, String)> = crate::auth::audit_actions(&server)?
        .into_iter()
        .filter(|e| e.check.as_deref() == Some(id.as_str()))
        .map(|e| (e.action, e.detail))
        .collect();
    let detail_of = |action: &str| -> Vec<&str> {
        rows.iter()
            .filter(|(a, _)| a == action)
            .map(|(_, d)| d.split(" (sent by").next().unwrap_or(d))
            .collect()
    };
    assert_eq!(
        detail_of("review"),
        [
            "review received -> has_issues: السعر",
            "review has_issues -> approved"
        ],
        "{rows:?}"
    );
    assert_eq!(
        detail_of("conflict_decision"),
        ["conflict bread_price_syp = 2000 (discarded 1500)"],
        "{rows:?}"
    );
    Ok(())
}
