//! Issue 4 through the commands: the interactive record, refusals in the user's language,
//! raw text kept and shown, search with Arabic folded, and old form versions.

use fieldsync_schema::{CheckDoc, FieldValue, FormRef, Lang, Role};

use super::list::List;
use super::record::Record;
use super::search::Search;
use super::show;
use crate::store::Store;
use crate::test_support::{bakery, edit, new_store};
use crate::walk::tests::{Say, Script};

/// A bakery record with only the given `--set`s (no defaults filled in).
fn bare(sets: &[&str]) -> Record {
    Record {
        set: sets.iter().map(|s| (*s).to_owned()).collect(),
        ..bakery(&[])
    }
}

#[test]
fn without_a_terminal_missing_required_fields_are_listed_by_name_and_label() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let msg = format!(
        "{:#}",
        bare(&[])
            .record_with(&mut store, Lang::En, None)
            .expect_err("missing")
    );
    assert!(
        msg.contains(r#"operating ("Is the bakery operating?")"#),
        "{msg}"
    );
    assert!(msg.contains("--set field=value"), "{msg}");
    let msg = format!(
        "{:#}",
        bare(&["operating=نعم"])
            .record_with(&mut store, Lang::Ar, None)
            .expect_err("missing")
    );
    let price = "bread_price_syp («سعر ربطة الخبز الذي يتقاضاه الفرن فعلاً (ل.س)»)";
    assert!(
        msg.starts_with("حقول مطلوبة بلا قيمة") && msg.contains(price),
        "{msg}"
    );
    assert!(
        !msg.contains("operating"),
        "given fields are not listed: {msg}"
    );
    assert!(store.db().checks().expect("checks").readable.is_empty());
}

#[test]
fn refusals_name_field_value_and_rule_in_the_users_language() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let cases = [
        (Lang::Ar, "bread_price_syp=رخيص", "«رخيص» ليست عدداً صحيحاً"),
        (
            Lang::En,
            "bread_price_syp=cheap",
            r#"value "cheap" is not a whole number"#,
        ),
        (Lang::Ar, "colour=red", "الحقل «colour» غير موجود"),
        (Lang::Ar, "manager_phone=12", "اكتب رقم جوال سورياً"),
    ];
    for (lang, set, needle) in cases {
        let err = bakery(&[set])
            .record_with(&mut store, lang, None)
            .expect_err(set);
        let msg = format!("{err:#}");
        assert!(msg.contains(needle), "{set}: {msg}");
    }
    let not_relevant = bare(&["operating=لا", "reason_closed=no_flour", "queue_people=5"]);
    not_relevant
        .record_with(&mut store, Lang::Ar, None)
        .expect("a value for a field that does not apply is only a warning");
}

#[test]
fn an_interactive_record_walks_the_form_and_keeps_typed_text() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let mut script = Script::new(&[
        Say::Pick("نعم"),
        Say::Skip,
        Say::Type("١٬٠٠٠"),
        Say::Type("غالي"),
        Say::Type("١٢٥٠"),
    ]);
    let id = bare(&["hygiene=good"])
        .record_with(&mut store, Lang::Ar, Some(&mut script))
        .expect("record");
    assert_eq!(
        script.asked[..5],
        [
            "operating",
            "reserve_bakery",
            "bread_price_official_syp",
            "bread_price_syp",
            "bread_price_syp"
        ]
    );
    assert!(
        !script.asked.contains(&"hygiene".to_owned()),
        "given by --set"
    );
    assert!(
        !script.asked.contains(&"hygiene_issues".to_owned()),
        "not relevant"
    );
    let check = store.db().check(id).expect("check").check;
    assert_eq!(check.fields["bread_price_syp"], FieldValue::Int(1250));
    assert_eq!(
        check.fields["bread_price_official_syp"],
        FieldValue::Int(1000)
    );
    assert_eq!(check.raw["bread_price_official_syp"], "١٬٠٠٠");
    assert_eq!(check.form.version, 2);
}

#[test]
fn raw_text_is_kept_on_record_and_edit_and_shown() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let id = bakery(&["bread_price_syp=١٢٬٠٠٠", "licence_valid=yes"])
        .record(&mut store)
        .expect("record");
    edit(id, &["licence_expiry=31/12/2026"])
        .apply(&mut store)
        .expect("edit");
    let stored = store.db().check(id).expect("check");
    assert_eq!(
        stored.check.fields["bread_price_syp"],
        FieldValue::Int(12000)
    );
    assert_eq!(stored.check.raw["bread_price_syp"], "١٢٬٠٠٠");
    assert_eq!(stored.check.raw["licence_expiry"], "31/12/2026");
    assert_eq!(stored.check.raw["licence_valid"], "yes");
    let en = show::render(&stored, Lang::En);
    assert!(
        en.contains("Bread price charged per bundle (SYP): 12000 (typed as ١٢٬٠٠٠)"),
        "{en}"
    );
    assert!(
        en.contains("Licence expiry date: 2026-12-31 (typed as 31/12/2026)"),
        "{en}"
    );
    assert!(
        en.contains("Is the bakery's licence valid?: Yes (typed as yes)"),
        "{en}"
    );
    let ar = show::render(&stored, Lang::Ar);
    assert!(ar.contains("12000 (كُتبت «١٢٬٠٠٠»)"), "{ar}");

    edit(id, &["bread_price_syp=1500"])
        .apply(&mut store)
        .expect("edit");
    let stored = store.db().check(id).expect("check");
    assert!(
        !stored.check.raw.contains_key("bread_price_syp"),
        "old raw text dropped"
    );
    let json = serde_json::to_value(&stored.check).expect("json");
    assert_eq!(json["raw"]["licence_expiry"], "31/12/2026");
}

#[test]
fn list_search_folds_arabic_spelling_and_site_id_case() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let amal = bakery(&[]).record(&mut store).expect("amal");
    let other = Record {
        site_id: "DEZ-BAK-200".into(),
        site_name: "فرن المدينة".into(),
        site_name_en: None,
        notes: Some("الطحين ناقص".into()),
        ..bakery(&[])
    }
    .record(&mut store)
    .expect("other");
    let found = |site_name: Option<&str>, search: Option<&str>| {
        let list = List {
            json: true,
            deleted: false,
            filter: Search {
                site_name: site_name.map(str::to_owned),
                search: search.map(str::to_owned),
            },
        };
        list.rows(&store)
            .expect("rows")
            .0
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
    };
    let cases = [
        (Some("مخبز الامل"), None, vec![amal]),
        (Some("مَخْبَزُ الأَمَل"), None, vec![amal]),
        (Some("al-amal"), None, vec![amal]),
        (Some("المدينه"), None, vec![other]),
        (None, Some("dez-bak-2"), vec![other]),
        (None, Some("الطحين"), vec![other]),
        (None, Some("الـطـحـين ناقص"), vec![other]),
        (None, Some("DEZ-BAK"), vec![amal, other]),
        (Some("الامل"), Some("bak-200"), vec![]),
        (None, None, vec![amal, other]),
    ];
    for (site_name, search, want) in cases {
        let mut got = found(site_name, search);
        let mut want = want;
        got.sort();
        want.sort();
        assert_eq!(got, want, "--site-name {site_name:?} --search {search:?}");
    }
}

/// Stores a bakery check made with form version 1 holding `fields`.
fn record_v1(store: &mut Store, fields: &[(&str, FieldValue)]) -> fieldsync_schema::CheckId {
    let meta = store.db().meta().expect("meta");
    let mut new = bakery(&[]).new_check().expect("valid");
    new.fields = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let form = FormRef {
        id: "bakery".into(),
        version: 1,
    };
    let mut doc = CheckDoc::create(&new, &form, &meta.author(), meta.actor).expect("create");
    store
        .write(|db| db.insert_new(new.id, &mut doc))
        .expect("insert");
    new.id
}

#[test]
fn show_and_edit_use_the_form_version_the_check_was_made_with() {
    let (_home, mut store) = new_store("ana", Role::Inspector);
    let phone = ("manager_phone", FieldValue::Text("0944123456".into()));
    let id = record_v1(
        &mut store,
        &[("operating", FieldValue::Bool(true)), phone.clone()],
    );
    let text = show::render(&store.db().check(id).expect("check"), Lang::En);
    assert!(text.contains("bakery v1 (Bakery check)"), "{text}");
    assert!(text.contains("  Is the bakery operating?: Yes\n"), "{text}");
    assert!(
        text.contains("  manager_phone: 0944123456\n"),
        "v1 has no such field:\n{text}"
    );

    // bread_price_syp is required from v2 on: a v1 check may still leave it out.
    edit(id, &["queue_people=٣٠"])
        .apply(&mut store)
        .expect("valid under v1");
    let msg = format!(
        "{:#}",
        edit(id, &["manager_phone=0944"])
            .apply(&mut store)
            .expect_err("v1")
    );
    assert!(
        msg.contains("unknown field") && msg.contains("manager_phone"),
        "{msg}"
    );
}
