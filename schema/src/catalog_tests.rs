//! Tests of [`super`]: the catalog module.
use super::*;

fn fields(pairs: &[(&str, FieldValue)]) -> BTreeMap<String, FieldValue> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// A valid TOML for a two-resolution text, with `extra` appended.
fn small_toml(extra: &str) -> String {
    format!(
        "[[resolution]]\nnumber = 1\ntitle_en = \"One\"\nkinds = []\n\n\
         [[resolution]]\nnumber = 2\ntitle_en = \"Two\"\nkinds = [\"bakery\"]\n{extra}"
    )
}
const SMALL_TEXT: &str = "intro\n1- واحد\n2- اثنان خلال العام\nclosing";

#[test]
fn builtin_catalog_loads_with_42_titled_resolutions() {
    let catalog = Catalog::builtin();
    assert_eq!(catalog.resolutions().len(), 42);
    for (i, r) in catalog.resolutions().iter().enumerate() {
        assert_eq!(usize::from(r.number), i + 1);
        assert!(
            !r.title_en.trim().is_empty(),
            "resolution {} has no title",
            r.number
        );
    }
    let deadlines: Vec<u16> = catalog
        .resolutions()
        .iter()
        .filter(|r| r.deadline.is_some())
        .map(|r| r.number)
        .collect();
    assert_eq!(deadlines, [14, 41, 42]);
    assert!(catalog.get(20).is_some_and(|r| r.text_ar.contains('–')));
    assert!(catalog.get(43).is_none());
}

#[test]
fn builtin_rules_only_link_kinds_the_resolution_concerns() {
    let catalog = Catalog::builtin();
    for rule in catalog.rules() {
        let info = catalog.get(rule.resolution).expect("checked at load");
        for kind in &rule.kinds {
            assert!(
                info.kinds.contains(kind),
                "rule {rule:?} vs {:?}",
                info.kinds
            );
        }
    }
}

#[test]
fn links_are_sorted_and_deduplicated() {
    let extra = "[[rule]]\nid = \"b\"\nresolution = 2\nkinds = [\"bakery\"]\n\
                 [[rule]]\nid = \"a\"\nresolution = 1\nkinds = [\"bakery\"]\n\
                 any_field = [\"queue_people\"]\n\
                 [[rule]]\nid = \"c\"\nresolution = 2\nkinds = [\"bakery\", \"mill\"]\n";
    let catalog = Catalog::load(SMALL_TEXT, &small_toml(extra)).expect("valid");
    let queue = fields(&[("queue_people", FieldValue::Int(3))]);
    assert_eq!(catalog.links(FacilityKind::Bakery, &queue), [1, 2]);
    assert_eq!(catalog.links(FacilityKind::Mill, &queue), [2]);
    let sources = catalog.rule_links(FacilityKind::Bakery, &queue);
    assert_eq!(
        sources[&2],
        crate::LinkSource::Rule(Some("b".into())),
        "first rule wins"
    );
}

#[test]
fn load_errors_name_the_offending_value() {
    let deadline = "deadline = { text_en = \"soon\", text_ar = \"خلال الشهر\" }\n";
    let cases = [
        (
            small_toml("[[rule]]\nid = \"r\"\nresolution = 99\nkinds = [\"bakery\"]\n"),
            "99",
        ),
        (
            small_toml("[[rule]]\nid = \"r\"\nresolution = 1\nkinds = [\"hospital\"]\n"),
            "\"hospital\"",
        ),
        (
            small_toml("[[rule]]\nid = \"r\"\nresolution = 1\nkinds = []\nany_fields = []\n"),
            "any_fields",
        ),
        (small_toml(deadline), "خلال الشهر"),
        (
            small_toml("[[resolution]]\nnumber = 3\ntitle_en = \"x\"\nkinds = []\n"),
            "3",
        ),
        (
            small_toml("[[resolution]]\nnumber = 2\ntitle_en = \"x\"\nkinds = []\n"),
            "2",
        ),
        (
            "[[resolution]]\nnumber = 1\ntitle_en = \"x\"\nkinds = []\n".to_owned(),
            "2",
        ),
        (small_toml("[[rule]\n"), "TOML"),
    ];
    for (toml, needle) in cases {
        let err = Catalog::load(SMALL_TEXT, &toml).expect_err(&toml);
        assert!(err.to_string().contains(needle), "{err} lacks {needle:?}");
    }
    let err = Catalog::load(
        SMALL_TEXT,
        &small_toml("[[rule]]\nid = \"r\"\nresolution = 99\nkinds = []\n"),
    );
    assert!(
        matches!(err, Err(SeedError::UnknownResolution { number: 99, .. })),
        "{err:?}"
    );
    let bad_kind = small_toml("").replace("[\"bakery\"]", "[\"bakery\", \"hospital\"]");
    assert_eq!(
        Catalog::load(SMALL_TEXT, &bad_kind),
        Err(SeedError::UnknownKind {
            value: "hospital".into(),
            context: "resolution 2".into()
        })
    );
    let empty_title = small_toml("").replace("\"One\"", "\" \"");
    assert_eq!(
        Catalog::load(SMALL_TEXT, &empty_title),
        Err(SeedError::EmptyTitle { number: 1 })
    );
}

#[test]
fn serialises_for_json_output() {
    let info = Catalog::builtin().get(14).expect("14 exists");
    let json = serde_json::to_value(info).expect("serialise");
    assert_eq!(json["kinds"], serde_json::json!(["water_station"]));
    assert_eq!(json["deadline"]["text_ar"], "خلال العام المقبل");
}
