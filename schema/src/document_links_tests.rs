//! Tests of [`super`]: manual link decisions in the document, their merge, and validation of
//! decisions naming resolutions that do not exist.

use automerge::transaction::Transactable;
use automerge::{ActorId, ObjType, ROOT, ReadDoc};

use crate::document_tests::{author, form, new_bakery};
use crate::validation::check_violations;
use crate::{Catalog, CheckDoc, DocError, LinkDecision, LinkSource, Role};

fn decision(number: u16, linked: bool) -> LinkDecision {
    LinkDecision { number, linked }
}

fn bakery_doc() -> CheckDoc {
    let ana = author("ana", Role::Inspector);
    CheckDoc::create(&new_bakery(), &form(), &ana, ActorId::random()).expect("create")
}

/// Writes a manual decision as an old or broken device would, bypassing the checks.
pub(crate) fn raw_manual_link(doc: &mut CheckDoc, number: &str) {
    let am = doc.automerge();
    let map = match am.get(ROOT, "manual_links").expect("get") {
        Some((automerge::Value::Object(_), id)) => id,
        _ => am
            .put_object(ROOT, "manual_links", ObjType::Map)
            .expect("map"),
    };
    let entry = am.put_object(&map, number, ObjType::Map).expect("entry");
    am.put(&entry, "linked", true).expect("linked");
    am.put(&entry, "by", "old-device").expect("by");
    am.put(&entry, "at", "2026-01-01T00:00:00Z").expect("at");
    am.commit();
}

#[test]
fn only_a_supervisor_decides_and_only_on_resolutions_that_exist() {
    let mut doc = bakery_doc();
    let ana = author("ana", Role::Inspector);
    let err = doc
        .decide_links(&ana, &[decision(7, true)], "")
        .expect_err("inspector");
    assert!(matches!(err, DocError::Forbidden(_)), "{err}");
    assert!(err.to_string().contains("only a supervisor"), "{err}");
    let sara = author("sara", Role::Supervisor);
    let err = doc
        .decide_links(&sara, &[decision(43, true)], "")
        .expect_err("43");
    let text = err.to_string();
    assert!(text.contains("43") && text.contains("1 to 42"), "{text}");
    assert!(
        doc.read().expect("read").manual_links.is_empty(),
        "nothing written"
    );
}

#[test]
fn concurrent_decisions_on_different_numbers_merge_and_win_over_rules() {
    let mut sara_doc = bakery_doc();
    let mut omar_doc = sara_doc.clone();
    sara_doc.set_actor(ActorId::random());
    omar_doc.set_actor(ActorId::random());
    let sara = author("sara", Role::Supervisor);
    let omar = author("omar", Role::Supervisor);
    sara_doc
        .decide_links(&sara, &[decision(7, true)], "معبر قريب")
        .expect("sara");
    omar_doc
        .decide_links(&omar, &[decision(20, false)], "")
        .expect("omar");
    sara_doc
        .automerge()
        .merge(omar_doc.automerge())
        .expect("merge");
    let check = sara_doc.read().expect("read");
    assert_eq!(check.manual_links.len(), 2);
    assert!(check.manual_links[&7].linked && check.manual_links[&7].by == "sara");
    assert_eq!(check.manual_links[&7].comment, "معبر قريب");
    assert!(!check.manual_links[&20].linked);
    let links = Catalog::builtin().check_links(&check);
    assert_eq!(links.get(&7), Some(&LinkSource::Manual("sara".into())));
    assert!(!links.contains_key(&20));
}

#[test]
fn a_document_without_manual_links_reads_and_gets_the_map_from_set_links() {
    let mut doc = bakery_doc();
    doc.automerge()
        .delete(ROOT, "manual_links")
        .expect("delete");
    doc.automerge().commit();
    assert!(doc.read().expect("read").manual_links.is_empty());
    let server = author("fieldsync-server", Role::Server);
    doc.set_actor(ActorId::random());
    assert!(
        doc.set_links(&server, &Default::default()).expect("set"),
        "map added"
    );
    assert!(!doc.set_links(&server, &Default::default()).expect("again"));
}

#[test]
fn a_manual_link_to_a_missing_resolution_is_a_violation_not_a_link() {
    let mut doc = bakery_doc();
    raw_manual_link(&mut doc, "43");
    let check = doc.read().expect("a decision on 43 still reads");
    assert!(check.manual_links[&43].linked);
    assert!(!Catalog::builtin().check_links(&check).contains_key(&43));
    let violations = check_violations(&check);
    let unknown: Vec<_> = violations
        .iter()
        .filter(|v| v.rule.code() == "unknown_resolution")
        .collect();
    assert_eq!(unknown.len(), 1, "{violations:?}");
    assert_eq!(unknown[0].field, "manual_links");
    assert!(unknown[0].is_error());
    let en = unknown[0].message(crate::Lang::En);
    assert!(en.contains("43") && en.contains("1 to 42"), "{en}");
    assert!(unknown[0].message(crate::Lang::Ar).contains("43"));

    let sara = author("sara", Role::Supervisor);
    doc.set_actor(ActorId::random());
    doc.decide_links(&sara, &[decision(43, false)], "")
        .expect("clear 43");
    let check = doc.read().expect("read");
    assert!(check.manual_links.is_empty());
    assert!(crate::forms::is_valid(&check_violations(&check)));
    let err = doc.decide_links(&sara, &[decision(44, false)], "");
    assert!(err.is_err(), "no decision on 44 to remove");
}

#[test]
fn a_manual_link_key_that_is_not_a_number_breaks_the_layout() {
    let mut doc = bakery_doc();
    raw_manual_link(&mut doc, "seven");
    let err = doc.read().expect_err("not a number");
    assert!(err.to_string().contains("manual_links"), "{err}");
}
