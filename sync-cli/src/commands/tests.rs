//! Command tests against real temporary stores (no network).

use fieldsync_schema::{CheckId, FacilityKind, FieldValue, Forms, Lang, ReviewState, Role};

use super::edit::Edit;
use super::record::Record;
use super::values::parse_sets;
use super::*;
use crate::store::Store;
use crate::test_support::{bakery, edit, new_store};

#[test]
fn sets_are_parsed_with_the_form_and_refusals_name_field_value_rule() {
    let bakery = Forms::builtin().for_kind(FacilityKind::Bakery);
    let sets = ["operating=نعم".into(), "bread_price_syp=١٢٥٠".into()];
    let ok = parse_sets(bakery, &sets, Lang::En).expect("valid");
    assert_eq!(ok.values["operating"], FieldValue::Bool(true));
    assert_eq!(ok.values["bread_price_syp"], FieldValue::Int(1250));
    assert_eq!(ok.raw["bread_price_syp"], "١٢٥٠", "kept as typed for audit");
    let cases = [
        (
            "bread_price_syp=cheap",
            &["bread_price_syp", "cheap", "whole number"][..],
        ),
        ("bread_price_syp=-5", &["bread_price_syp", "-5", "minimum"]),
        ("colour=red", &["colour", "unknown field"]),
        ("operating", &["field=value"]),
    ];
    for (set, needles) in cases {
        let err = parse_sets(bakery, &[set.to_owned()], Lang::En).expect_err(set);
        let msg = format!("{err:#}");
        for needle in needles {
            assert!(msg.contains(needle), "{msg} lacks {needle}");
        }
    }
    let twice = ["operating=yes".to_owned(), "operating=no".to_owned()];
    assert!(parse_sets(bakery, &twice, Lang::En).is_err());
}

#[test]
fn record_then_list_and_show_round_trip_offline_with_arabic_intact() {
    let (home, mut store) = new_store("أحمد", Role::Inspector);
    let id = bakery(&[
        "operating=نعم",
        "bread_price_syp=1250",
        "bread_price_official_syp=١٠٠٠",
    ])
    .record(&mut store)
    .expect("record");
    drop(store);
    let store = Store::open(home.path()).expect("reopen");
    let checks = store.db().checks().expect("checks");
    assert!(checks.unreadable.is_empty());
    let [stored] = checks.readable.as_slice() else {
        panic!("one check expected, got {:?}", checks.readable)
    };
    let c = &stored.check;
    assert_eq!(c.id, id);
    assert_eq!(c.site.name_ar, "مخبز الأمل");
    assert_eq!(c.notes, "الطابور طويل");
    assert_eq!(c.inspector, "أحمد");
    assert_eq!(c.observed_at.to_string(), "2026-03-29T10:15:00+03:00");
    assert_eq!(c.form.id, "bakery");
    assert_eq!(c.resolutions, [20], "links computed offline");
    assert!(stored.valid(), "{:?}", stored.violations);
    assert!(stored.pending);
    let row = list::ListRow::from(stored);
    let json = serde_json::to_value(&row).expect("json");
    assert_eq!(json["site_name_ar"], "مخبز الأمل");
    assert_eq!(json["resolutions"], serde_json::json!([20]));
    assert_eq!(json["valid"], true);
    assert_eq!(json["review_state"], "received");
    assert_eq!(json["pending"], true);
    let text = show::render(stored, Lang::Ar);
    for needle in [
        "سعر ربطة الخبز الذي يتقاضاه الفرن فعلاً (ل.س): 1250",
        "هل الفرن يعمل؟: نعم\n",
        "مخبز الأمل / Al-Amal bakery [DEZ-BAK-014]",
        "35.336, 40.14",
        "20. ",
        "<- قاعدة / rule: bakery_price_above_official",
        "الصلاحية / Validity: صالح / valid",
        "المزامنة / Sync: pending",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
}

#[test]
fn an_invalid_set_names_field_value_rule_and_stores_nothing() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let cases = [
        (
            bakery(&["bread_price_syp=cheap"]),
            &["bread_price_syp", "cheap", "whole number"][..],
        ),
        (bakery(&["colour=red"]), &["colour", "unknown field"]),
        (
            Record {
                lat: Some(91.0),
                ..bakery(&[])
            },
            &["--lat", "91"],
        ),
        (
            Record {
                kind: "hospital".into(),
                ..bakery(&[])
            },
            &["hospital"],
        ),
        (
            Record {
                observed_at: Some("2026-03-29T10:15".into()),
                ..bakery(&[])
            },
            &["no UTC offset"],
        ),
    ];
    for (record, needles) in cases {
        let msg = format!("{:#}", record.record(&mut store).expect_err("invalid"));
        for needle in needles {
            assert!(msg.contains(needle), "{msg} lacks {needle}");
        }
    }
    assert!(store.db().checks().expect("checks").readable.is_empty());
}

#[test]
fn ids_resolve_by_unique_prefix() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let ids = [
        "01900000-aaaa-7000-8000-000000000001",
        "01900000-aaaa-7000-8000-000000000002",
        "01900000-bbbb-7000-8000-000000000003",
    ];
    for id in ids {
        insert_with_id(&mut store, id.parse().expect("id"));
    }
    let db = store.db();
    let cases: [(&str, Result<&str, &str>); 7] = [
        (ids[0], Ok(ids[0])),
        ("01900000-BBBB", Ok(ids[2])),
        ("01900000-b", Ok(ids[2])),
        ("01900000-aaaa", Err("matches several checks")),
        ("01900000", Err("matches several checks")),
        ("ffffffff-ffff", Err("no check matches \"ffffffff-ffff\"")),
        ("0190000", Err("too short")),
    ];
    for (typed, want) in cases {
        match (db.resolve(typed), want) {
            (Ok(got), Ok(want)) => assert_eq!(got.to_string(), want, "{typed}"),
            (Err(err), Err(needle)) => {
                let msg = err.to_string();
                assert!(
                    msg.contains(needle) && msg.contains(typed),
                    "{typed}: {msg}"
                );
            }
            (got, want) => panic!("{typed}: got {got:?}, want {want:?}"),
        }
    }
}

/// Stores a bakery check under a chosen id.
fn insert_with_id(store: &mut Store, id: CheckId) {
    let meta = store.db().meta().expect("meta");
    let mut new = bakery(&[]).new_check().expect("valid");
    new.id = id;
    let form = fieldsync_schema::FormRef {
        id: "bakery".into(),
        version: 1,
    };
    let mut doc = CheckDoc::create(&new, &form, &meta.author(), meta.actor).expect("create");
    store
        .write(|db| db.insert_new(id, &mut doc))
        .expect("insert");
}

#[test]
fn edit_reports_no_change_and_refreshes_links() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let id = bakery(&["operating=yes"])
        .record(&mut store)
        .expect("record");
    assert!(
        store
            .db()
            .check(id)
            .expect("check")
            .check
            .resolutions
            .is_empty()
    );
    let (_, changed) = edit(id, &["operating=نعم"])
        .apply(&mut store)
        .expect("edit");
    assert!(!changed, "same value is no change");
    let prefix = &id.to_string()[..13];
    let (got, changed) = edit(id, &["flour_received_kg=900", "flour_due_kg=1000"])
        .apply(&mut store)
        .expect("edit");
    assert_eq!(got, id);
    assert!(changed);
    let short = Edit {
        id: prefix.to_owned(),
        ..edit(id, &["licence_valid=no"])
    };
    short.apply(&mut store).expect("edit by prefix");
    let check = store.db().check(id).expect("check").check;
    assert_eq!(check.resolutions, [28, 29]);
    assert_eq!(check.fields["licence_valid"], FieldValue::Bool(false));
    let msg = format!(
        "{:#}",
        edit(id, &["flour_received_kg=lots"])
            .apply(&mut store)
            .expect_err("bad")
    );
    assert!(
        msg.contains("flour_received_kg") && msg.contains("lots"),
        "{msg}"
    );
}

#[test]
fn review_is_refused_for_an_inspector_and_recorded_for_a_supervisor() {
    let decide = |id: CheckId| review::Review {
        id: id.to_string(),
        state: review::Decision::HasIssues,
        comment: "السعر أعلى من المقرر".into(),
    };
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let id = bakery(&[]).record(&mut store).expect("record");
    let msg = decide(id)
        .apply(&mut store)
        .expect_err("inspector")
        .to_string();
    assert!(msg.contains("only a supervisor may review"), "{msg}");
    assert_eq!(
        store.db().check(id).expect("check").check.review.state,
        ReviewState::Received
    );

    let (_home, mut store) = new_store("سلمى", Role::Supervisor);
    let id = bakery(&[]).record(&mut store).expect("record");
    decide(id).apply(&mut store).expect("supervisor");
    let review = store.db().check(id).expect("check").check.review;
    assert_eq!(review.state, ReviewState::HasIssues);
    assert_eq!(review.by.as_deref(), Some("سلمى"));
    assert_eq!(review.comment.as_deref(), Some("السعر أعلى من المقرر"));
}

#[test]
fn over_long_or_multi_line_text_is_refused_naming_flag_value_and_rule() {
    let (_home, mut store) = new_store("ana", Role::Supervisor);
    let long_notes = "ب".repeat(MAX_TEXT_CHARS + 1);
    let long_name = format!("{}{}", "فرن ".repeat(50), "x");
    let cases = [
        (
            Record {
                notes: Some(long_notes.clone()),
                ..bakery(&[])
            },
            &["--notes", "10001 characters", "limit of 10000"][..],
        ),
        (
            Record {
                site_name: long_name.clone(),
                ..bakery(&[])
            },
            &["--site-name", "201 characters", "limit of 200", "فرن فرن"],
        ),
        (
            Record {
                site_name: "مخبز\nالأمل".into(),
                ..bakery(&[])
            },
            &["--site-name", r#""مخبز\nالأمل""#, "control characters"],
        ),
        (
            Record {
                site_name_en: Some("Al-Amal\tbakery".into()),
                ..bakery(&[])
            },
            &["--site-name-en", r"Al-Amal\tbakery", "control characters"],
        ),
        (
            Record {
                site_name: "  ".into(),
                ..bakery(&[])
            },
            &["--site-name", "must not be empty"],
        ),
    ];
    for (record, needles) in cases {
        let msg = format!("{:#}", record.record(&mut store).expect_err("invalid"));
        for needle in needles {
            assert!(msg.contains(needle), "{msg} lacks {needle}");
        }
        assert!(msg.chars().count() < 200, "value cut for display: {msg}");
    }
    assert!(store.db().checks().expect("checks").readable.is_empty());

    let at_limit = Record {
        notes: Some("ب".repeat(MAX_TEXT_CHARS)),
        site_name: "ف".repeat(MAX_NAME_CHARS),
        ..bakery(&[])
    };
    let id = at_limit.record(&mut store).expect("at the limits");
    let long_edit = Edit {
        notes: Some(long_notes.clone()),
        ..edit(id, &[])
    };
    let msg = format!("{:#}", long_edit.apply(&mut store).expect_err("long"));
    assert!(msg.contains("--notes") && msg.contains("10001"), "{msg}");
    let long_comment = review::Review {
        id: id.to_string(),
        state: review::Decision::Approved,
        comment: long_notes,
    };
    let msg = format!("{:#}", long_comment.apply(&mut store).expect_err("long"));
    assert!(msg.contains("--comment") && msg.contains("10001"), "{msg}");
    let check = store.db().check(id).expect("check").check;
    assert_eq!(check.notes.chars().count(), MAX_TEXT_CHARS, "unchanged");
    assert_eq!(check.review.state, ReviewState::Received);
}

#[test]
fn init_refuses_a_multi_line_or_over_long_inspector_name() {
    for (name, needle) in [
        ("ana\nbob", "control characters"),
        (&*"ع".repeat(201), "limit of 200"),
    ] {
        let home = crate::test_support::temp_home();
        let init = init::Init {
            inspector: Some(name.to_owned()),
            role: init::UserRole::Inspector,
            server: None,
            receive: None,
            enrol: None,
            force: false,
        };
        let msg = format!("{:#}", init.run(home.path()).expect_err("refused"));
        assert!(msg.contains("--inspector") && msg.contains(needle), "{msg}");
        assert!(Store::open(home.path()).is_err(), "no store created");
    }
}
