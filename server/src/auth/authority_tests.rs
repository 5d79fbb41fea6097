//! The two judgements agree: for messages made only of the sender's own changes, the state
//! comparison ([`super::super::authority_own`]) refuses and accepts exactly what the
//! operation-by-operation judgement does, with the same decisions to audit.

use std::collections::BTreeMap;

use automerge::transaction::Transactable as _;
use automerge::{ActorId, ChangeHash, ROOT, ReadDoc as _};
use fieldsync_schema::{
    Author, CheckDoc, CheckEdit, CheckId, FacilityKind, FieldValue, FormRef, LinkDecision,
    NewCheck, ReviewState, Role, Site,
};

use super::{Authority, Verdict};
use crate::auth::{DEFAULT_TEAM, Identity, Registry};

struct People {
    ana: Identity,
    sara: Identity,
    registry: Registry,
    server: String,
}

fn identity(user: &str, role: Role) -> Identity {
    Identity {
        user: user.into(),
        role,
        team: DEFAULT_TEAM.into(),
        device: format!("{user}-device"),
        actor: ActorId::random().to_hex_string(),
        revoked: false,
    }
}

fn people() -> People {
    let (ana, sara) = (
        identity("ana", Role::Inspector),
        identity("sara", Role::Supervisor),
    );
    let registry = Registry::from([
        (ana.actor.clone(), ana.clone()),
        (sara.actor.clone(), sara.clone()),
    ]);
    People {
        ana,
        sara,
        registry,
        server: ActorId::random().to_hex_string(),
    }
}

fn author(who: &Identity) -> Author {
    Author {
        name: who.user.clone(),
        device: who.device.clone(),
        role: who.role,
    }
}

fn actor(who: &Identity) -> ActorId {
    who.actor.parse().expect("actor")
}

/// A bakery check created by `who` on their own device.
fn created_by(who: &Identity) -> CheckDoc {
    let new = NewCheck {
        id: CheckId::new(),
        kind: FacilityKind::Bakery,
        site: Site {
            id: "DEZ-BAK-1".parse().expect("site"),
            name_ar: "فرن".into(),
            name_en: None,
            lat: None,
            lon: None,
        },
        observed_at: "2026-03-29T10:15:00+03:00".parse().expect("time"),
        fields: BTreeMap::from([("operating".to_owned(), FieldValue::Bool(true))]),
        notes: String::new(),
    };
    let form = FormRef {
        id: "bakery".into(),
        version: 2,
    };
    CheckDoc::create(&new, &form, &author(who), actor(who)).expect("create")
}

/// Both judgements of `doc`'s changes after `before`, as sent by `sender`: `Ok` with the
/// audited actions, or `Err`.
fn both(
    people: &People,
    sender: &Identity,
    doc: &mut CheckDoc,
    before: &[ChangeHash],
) -> [Result<Vec<&'static str>, ()>; 2] {
    let authority = Authority {
        sender,
        registry: &people.registry,
        server_actor: &people.server,
    };
    let check = doc.id().expect("id");
    let actions = |verdict: Result<Verdict, String>| {
        verdict
            .map(|v| {
                let mut actions: Vec<&str> = v.decisions.iter().map(|d| d.action).collect();
                actions.sort_unstable();
                actions
            })
            .map_err(|_| ())
    };
    [
        actions(authority.judge(check, doc, before, None)),
        actions(authority.judge_by_operations(check, doc, before)),
    ]
}

fn agree(
    people: &People,
    sender: &Identity,
    doc: &mut CheckDoc,
    before: &[ChangeHash],
) -> Result<Vec<&'static str>, ()> {
    let [own, by_operations] = both(people, sender, doc, before);
    assert_eq!(own, by_operations, "the two judgements disagree");
    own
}

#[test]
fn a_new_check_and_an_edit_by_an_inspector_are_accepted_by_both() {
    let people = people();
    let mut doc = created_by(&people.ana);
    assert_eq!(agree(&people, &people.ana, &mut doc, &[]), Ok(vec![]));
    let before = doc.heads();
    let edit = CheckEdit {
        fields: [("bread_price_syp".to_owned(), FieldValue::Int(1500))].into(),
        notes: Some("طابور".into()),
    };
    doc.edit(&author(&people.ana), &edit).expect("edit");
    doc.comment(&author(&people.ana), "وصل الطحين")
        .expect("comment");
    assert_eq!(agree(&people, &people.ana, &mut doc, &before), Ok(vec![]));
}

#[test]
fn an_inspector_writing_a_decision_key_is_refused_by_both() {
    let people = people();
    // In the change that creates the check, and in a later change.
    let mut approved_at_birth = created_by(&people.ana);
    let review = approved_at_birth
        .automerge()
        .get(ROOT, "review")
        .expect("get")
        .expect("review")
        .1;
    approved_at_birth
        .automerge()
        .put(&review, "state", ReviewState::Approved.as_str())
        .expect("put");
    approved_at_birth.automerge().commit();
    assert_eq!(
        agree(&people, &people.ana, &mut approved_at_birth, &[]),
        Err(())
    );

    let mut doc = created_by(&people.ana);
    let before = doc.heads();
    let am = doc.automerge();
    let deleted = am
        .put_object(ROOT, "deleted", automerge::ObjType::Map)
        .expect("tombstone");
    am.put(&deleted, "reason", "mine").expect("reason");
    am.commit();
    assert_eq!(agree(&people, &people.ana, &mut doc, &before), Err(()));
}

#[test]
fn a_supervisors_decisions_are_accepted_and_audited_alike() {
    let people = people();
    let sara = author(&people.sara);
    let mut doc = created_by(&people.ana);
    let base = doc.heads();
    doc.set_actor(actor(&people.sara));
    doc.review(&sara, ReviewState::Approved, "جيد")
        .expect("review");
    assert_eq!(
        agree(&people, &people.sara, &mut doc, &base),
        Ok(vec![crate::auth::audit::REVIEW])
    );
    let before = doc.heads();
    let link = LinkDecision {
        number: 16,
        linked: true,
    };
    doc.decide_links(&sara, &[link], "فرن احتياطي")
        .expect("link");
    doc.delete(&sara, "مكرر").expect("delete");
    let mut expected = vec![
        crate::auth::audit::DELETION,
        crate::auth::audit::MANUAL_LINK,
    ];
    expected.sort_unstable();
    assert_eq!(
        agree(&people, &people.sara, &mut doc, &before),
        Ok(expected)
    );
}

#[test]
fn writing_another_actors_author_entry_is_refused_by_both() {
    let people = people();
    let mut doc = created_by(&people.ana);
    let before = doc.heads();
    // Sara's device rewrites Ana's author entry (a supervisor may decide, not impersonate).
    doc.set_actor(actor(&people.sara));
    let am = doc.automerge();
    let authors = am.get(ROOT, "authors").expect("get").expect("authors").1;
    let entry = am
        .get(&authors, people.ana.actor.as_str())
        .expect("get")
        .expect("ana's entry")
        .1;
    am.put(&entry, "name", "someone else").expect("put");
    am.commit();
    assert_eq!(agree(&people, &people.sara, &mut doc, &before), Err(()));
}

#[test]
fn the_servers_actor_may_relink_but_not_erase_decisions_or_names() {
    let people = people();
    let server: ActorId = people.server.parse().expect("server actor");
    let judge = |doc: &mut CheckDoc, before: &[ChangeHash]| {
        let authority = Authority {
            sender: &people.ana,
            registry: &people.registry,
            server_actor: &people.server,
        };
        let check = doc.id().expect("id");
        authority.judge(check, doc, before, None)
    };
    let mut base = created_by(&people.ana);
    let links = LinkDecision {
        number: 16,
        linked: true,
    };
    base.set_actor(actor(&people.sara));
    base.decide_links(&author(&people.sara), &[links], "فرن احتياطي")
        .expect("link");
    // Ana's device forges changes as the server: each one is refused.
    type Forgery = fn(&mut automerge::AutoCommit);
    let forgeries: [(&str, Forgery); 3] = [
        ("delete manual_links", |am| {
            am.delete(ROOT, "manual_links").expect("delete");
        }),
        ("replace manual_links", |am| {
            am.put_object(ROOT, "manual_links", automerge::ObjType::Map)
                .expect("put");
        }),
        ("replace authors", |am| {
            am.put_object(ROOT, "authors", automerge::ObjType::Map)
                .expect("put");
        }),
    ];
    for (what, forge) in forgeries {
        let mut doc = base.clone();
        let before = doc.heads();
        doc.set_actor(server.clone());
        forge(doc.automerge());
        doc.automerge().commit();
        let verdict = judge(&mut doc, &before);
        assert!(
            verdict.as_ref().is_err_and(|why| why.contains("forgery")),
            "{what}: {verdict:?}"
        );
    }
    // What the server really writes (re-linking) is still accepted when relayed.
    let mut doc = base.clone();
    let before = doc.heads();
    doc.set_actor(server);
    let resolutions = match doc.automerge().get(ROOT, "resolutions").expect("get") {
        Some((_, id)) => id,
        None => panic!("resolutions map"),
    };
    doc.automerge()
        .put(&resolutions, "20", "rule")
        .expect("put");
    doc.automerge().commit();
    assert!(judge(&mut doc, &before).is_ok());
}

#[test]
fn only_a_supervisor_may_close_a_conflict_by_writing_the_field() {
    let people = people();
    let price = |v: i64| CheckEdit {
        fields: BTreeMap::from([("bread_price_syp".to_owned(), FieldValue::Int(v))]),
        notes: None,
    };
    // Ana and Sara write the price concurrently: the server holds the conflict.
    let mut held = created_by(&people.ana);
    let mut other = CheckDoc::load(&held.save()).expect("load");
    other.set_actor(actor(&people.sara));
    held.edit(&author(&people.ana), &price(1500)).expect("ana");
    // Ana's device before the conflict reaches it: only her own value.
    let mut anas_device = held.clone();
    other
        .edit(&author(&people.sara), &price(2000))
        .expect("sara");
    held.automerge().merge(other.automerge()).expect("merge");
    assert_eq!(held.conflicts().expect("conflicts").len(), 1);
    let before = held.heads();
    let judge = |sender: &Identity, doc: &mut CheckDoc| {
        let authority = Authority {
            sender,
            registry: &people.registry,
            server_actor: &people.server,
        };
        let check = doc.id().expect("id");
        authority.judge(check, doc, &before, None)
    };

    let mut by_ana = held.clone();
    by_ana
        .edit(&author(&people.ana), &price(1700))
        .expect("edit");
    let refused = judge(&people.ana, &mut by_ana).expect_err("an inspector closes it");
    assert!(
        refused.contains("fields.bread_price_syp") && refused.contains("only a supervisor"),
        "{refused}"
    );

    // Offline, Ana corrects her own value: it replaces only hers, the conflict stays open.
    anas_device
        .edit(&author(&people.ana), &price(1600))
        .expect("ana again");
    let mut own_fix = held.clone();
    own_fix
        .automerge()
        .merge(anas_device.automerge())
        .expect("merge");
    assert!(judge(&people.ana, &mut own_fix).is_ok());
    assert_eq!(
        own_fix.conflicts().expect("conflicts").len(),
        1,
        "still open"
    );

    let mut by_sara = held.clone();
    by_sara.set_actor(actor(&people.sara));
    by_sara
        .resolve(
            &author(&people.sara),
            "bread_price_syp",
            &FieldValue::Int(2000),
        )
        .expect("resolve");
    assert!(judge(&people.sara, &mut by_sara).is_ok());

    // An inspector's edit of another field of the same check is fine.
    let mut other_field = held.clone();
    let edit = CheckEdit {
        fields: BTreeMap::from([("operating".to_owned(), FieldValue::Bool(false))]),
        notes: None,
    };
    other_field.edit(&author(&people.ana), &edit).expect("edit");
    assert!(judge(&people.ana, &mut other_field).is_ok());
}
