//! Property tests: merging check documents is commutative and idempotent, and a check
//! survives save/load unchanged, whatever edits two devices make.

use std::collections::BTreeMap;

use automerge::ActorId;
use proptest::prelude::*;

use crate::{
    Author, CheckDoc, CheckEdit, CheckId, FacilityKind, FieldValue, FormRef, NewCheck, Role, Site,
};

fn author(name: &str) -> Author {
    Author {
        name: name.into(),
        device: format!("{name}-dev"),
        role: Role::Inspector,
    }
}

fn base() -> CheckDoc {
    let new = NewCheck {
        id: CheckId::new(),
        kind: FacilityKind::Bakery,
        site: Site {
            id: "S-1".parse().expect("site"),
            name_ar: "فرن".into(),
            name_en: None,
            lat: None,
            lon: None,
        },
        observed_at: "2026-01-02T03:04:05+03:00".parse().expect("time"),
        fields: BTreeMap::new(),
        notes: String::new(),
    };
    CheckDoc::create(
        &new,
        &FormRef {
            id: "bakery".into(),
            version: 1,
        },
        &author("base"),
        ActorId::random(),
    )
    .expect("create")
}

fn value() -> impl Strategy<Value = FieldValue> {
    prop_oneof![
        any::<bool>().prop_map(FieldValue::Bool),
        (0i64..100_000).prop_map(FieldValue::Int),
        "[a-z ء-ي]{0,12}".prop_map(FieldValue::Text),
    ]
}

fn edits() -> impl Strategy<Value = Vec<CheckEdit>> {
    let field = prop::sample::select(vec![
        "operating",
        "bread_price_syp",
        "flour_received_kg",
        "licence_valid",
    ]);
    let one = (
        prop::collection::btree_map(field.prop_map(str::to_owned), value(), 0..3),
        prop::option::of("[a-zء-ي ]{0,20}"),
    )
        .prop_map(|(fields, notes)| CheckEdit { fields, notes });
    prop::collection::vec(one, 0..4)
}

fn apply(doc: &mut CheckDoc, who: &str, list: &[CheckEdit]) {
    for edit in list {
        doc.edit(&author(who), edit).expect("edit");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn merge_is_commutative_and_idempotent(a_edits in edits(), b_edits in edits()) {
        let mut origin = base();
        let bytes = origin.save();
        let mut a = CheckDoc::load(&bytes).expect("load");
        a.set_actor(ActorId::random());
        let mut b = CheckDoc::load(&bytes).expect("load");
        b.set_actor(ActorId::random());
        apply(&mut a, "a", &a_edits);
        apply(&mut b, "b", &b_edits);
        let (a_bytes, b_bytes) = (a.save(), b.save());

        let mut ab = CheckDoc::load(&a_bytes).expect("load a");
        ab.automerge().load_incremental(&b_bytes).expect("merge b");
        let mut ba = CheckDoc::load(&b_bytes).expect("load b");
        ba.automerge().load_incremental(&a_bytes).expect("merge a");
        prop_assert_eq!(ab.read().expect("read ab"), ba.read().expect("read ba"));
        prop_assert_eq!(ab.conflicts().expect("ab"), ba.conflicts().expect("ba"));

        let heads = ab.heads();
        ab.automerge().load_incremental(&b_bytes).expect("merge b again");
        prop_assert_eq!(ab.heads(), heads);

        let reloaded = CheckDoc::load(&ab.save()).expect("reload");
        prop_assert_eq!(reloaded.read().expect("read"), ab.read().expect("read"));
    }
}
