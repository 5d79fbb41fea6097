//! Tests of [`super`]: the built-in linking rules on both sides of each threshold, rule
//! load errors, and manual decisions winning over rules.
use std::collections::BTreeMap;

use super::*;
use crate::catalog::{RESOLUTIONS_TOML, SEED_TEXT};
use crate::{Catalog, LinkSource, ManualLink};

use FacilityKind::{Bakery, ConsumerOutlet, Crossing, FuelStation, Mill, Silo, WaterStation};
use FieldValue::{Bool, Int, Text};

fn fields(pairs: &[(&str, FieldValue)]) -> BTreeMap<String, FieldValue> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn text(s: &str) -> FieldValue {
    Text(s.to_owned())
}

/// `(kind, values, links with the rule that made each)`.
type Case = (
    FacilityKind,
    Vec<(&'static str, FieldValue)>,
    Vec<(u16, &'static str)>,
);

#[test]
fn builtin_rules_link_by_value_on_both_sides_of_each_threshold() {
    let cases: Vec<Case> = vec![
        (Bakery, vec![], vec![]),
        // 20: price charged above the official price (equal is not above).
        (
            Bakery,
            vec![
                ("bread_price_syp", Int(1500)),
                ("bread_price_official_syp", Int(1250)),
            ],
            vec![(20, "bakery_price_above_official")],
        ),
        (
            Bakery,
            vec![
                ("bread_price_syp", Int(1250)),
                ("bread_price_official_syp", Int(1250)),
            ],
            vec![],
        ),
        (Bakery, vec![("bread_price_syp", Int(1500))], vec![]),
        // 28: flour received below the allocation.
        (
            Bakery,
            vec![("flour_received_kg", Int(899)), ("flour_due_kg", Int(900))],
            vec![(28, "bakery_flour_below_allocation")],
        ),
        (
            Bakery,
            vec![("flour_received_kg", Int(900)), ("flour_due_kg", Int(900))],
            vec![],
        ),
        // 29: licence missing.
        (
            Bakery,
            vec![("licence_valid", Bool(false))],
            vec![(29, "bakery_licence_missing")],
        ),
        (Bakery, vec![("licence_valid", Bool(true))], vec![]),
        // 16: a reserve bakery that is not operating.
        (
            Bakery,
            vec![("reserve_bakery", Bool(true)), ("operating", Bool(false))],
            vec![(16, "bakery_reserve_not_operating")],
        ),
        (
            Bakery,
            vec![("reserve_bakery", Bool(true)), ("operating", Bool(true))],
            vec![],
        ),
        (
            Bakery,
            vec![("reserve_bakery", Bool(false)), ("operating", Bool(false))],
            vec![],
        ),
        // 14: water station not operating, or under maintenance.
        (
            WaterStation,
            vec![("operating", Bool(false))],
            vec![(14, "water_station_not_operating")],
        ),
        (WaterStation, vec![("operating", Bool(true))], vec![]),
        (
            WaterStation,
            vec![
                ("operating", Bool(true)),
                ("maintenance_status", text("in_progress")),
            ],
            vec![(14, "water_station_under_maintenance")],
        ),
        (
            WaterStation,
            vec![("maintenance_status", text("completed"))],
            vec![],
        ),
        // 7: crossing closed.
        (
            Crossing,
            vec![("open", Bool(false))],
            vec![(7, "crossing_closed")],
        ),
        (Crossing, vec![("open", Bool(true))], vec![]),
        // 12: silo damaged.
        (
            Silo,
            vec![("structurally_sound", Bool(false))],
            vec![(12, "silo_damaged")],
        ),
        (Silo, vec![("structurally_sound", Bool(true))], vec![]),
        // 19: fuel unavailable; 20: fuel above the official price; 29: licence.
        (
            FuelStation,
            vec![("petrol_available", Bool(false))],
            vec![(19, "fuel_petrol_unavailable")],
        ),
        (
            FuelStation,
            vec![("kerosene_available", Bool(false))],
            vec![(19, "fuel_kerosene_unavailable")],
        ),
        (
            FuelStation,
            vec![
                ("petrol_available", Bool(true)),
                ("kerosene_available", Bool(true)),
            ],
            vec![],
        ),
        (
            FuelStation,
            vec![
                ("petrol_price_syp", Int(9001)),
                ("petrol_price_official_syp", Int(9000)),
            ],
            vec![(20, "fuel_petrol_price_above_official")],
        ),
        (
            FuelStation,
            vec![
                ("petrol_price_syp", Int(8000)),
                ("petrol_price_official_syp", Int(9000)),
            ],
            vec![],
        ),
        (
            FuelStation,
            vec![("licence_valid", Bool(false))],
            vec![(29, "fuel_licence_missing")],
        ),
        // Mills: 27 for the new mill, 28 for every mill; outlets: 15 always.
        (Mill, vec![], vec![(28, "mill_flour_output")]),
        (
            Mill,
            vec![("new_mill", Bool(true))],
            vec![(27, "mill_new_mill"), (28, "mill_flour_output")],
        ),
        (ConsumerOutlet, vec![], vec![(15, "consumer_outlet")]),
        (
            FacilityKind::Other,
            vec![("licence_valid", Bool(false))],
            vec![],
        ),
    ];
    let catalog = Catalog::builtin();
    for (kind, values, want) in cases {
        let values = fields(&values);
        let want: BTreeMap<u16, LinkSource> = want
            .into_iter()
            .map(|(n, id)| (n, LinkSource::Rule(Some(id.to_owned()))))
            .collect();
        assert_eq!(catalog.rule_links(kind, &values), want, "{kind} {values:?}");
    }
}

fn load_with_rule(rule: &str) -> Result<Catalog, SeedError> {
    Catalog::load(
        SEED_TEXT,
        &format!("{RESOLUTIONS_TOML}\n[[rule]]\n{rule}\n"),
    )
}

#[test]
fn rule_load_errors_name_the_rule_the_value_and_what_is_wrong() {
    let cases: [(&str, &[&str]); 9] = [
        (
            "id = \"x\"\nresolution = 43\nkinds = [\"bakery\"]",
            &["rule \"x\"", "43", "no resolution"],
        ),
        (
            "id = \"x\"\nresolution = 20\nkinds = [\"bakery\"]\nwhen = \"bread_prize_syp > 1\"",
            &[
                "rule \"x\"",
                "\"bread_prize_syp\"",
                "not in any bakery form",
                "bread_price_syp",
            ],
        ),
        (
            "id = \"x\"\nresolution = 20\nkinds = [\"bakery\", \"fuel_station\"]\n\
             when = \"bread_price_syp > 1\"",
            &["rule \"x\"", "\"bread_price_syp\"", "fuel_station"],
        ),
        (
            "id = \"x\"\nresolution = 19\nkinds = [\"fuel_station\"]\nany_field = [\"diesel\"]",
            &["rule \"x\"", "\"diesel\"", "fuel_station"],
        ),
        (
            "id = \"x\"\nresolution = 7\nkinds = [\"crossing\"]\nwhen = \"open is false\"",
            &["rule \"x\"", "open is false", "no comparison"],
        ),
        (
            "id = \"x\"\nresolution = 7\nkinds = [\"crossing\"]\nwhen = \"open > 3\"",
            &["rule \"x\"", "open > 3", "yes/no"],
        ),
        (
            "id = \"x\"\nresolution = 20\nkinds = [\"bakery\"]\nwhen = \"bread_price_syp > hygiene\"",
            &["rule \"x\"", "bread_price_syp", "\"hygiene\" is neither"],
        ),
        (
            "id = \"Bad Id\"\nresolution = 7\nkinds = [\"crossing\"]",
            &["(Bad Id)", "lowercase"],
        ),
        (
            "id = \"crossing_closed\"\nresolution = 7\nkinds = [\"crossing\"]",
            &["rule \"crossing_closed\"", "same id"],
        ),
    ];
    for (rule, needles) in cases {
        let err = load_with_rule(rule).expect_err(rule).to_string();
        for needle in needles {
            assert!(err.contains(needle), "{err:?} lacks {needle:?}");
        }
    }
    let missing_id = load_with_rule("resolution = 7\nkinds = [\"crossing\"]").expect_err("no id");
    assert!(missing_id.to_string().contains("`id`"), "{missing_id}");
}

fn manual(linked: bool) -> ManualLink {
    ManualLink {
        linked,
        by: "sara".into(),
        at: "2026-03-29T10:00:00Z".into(),
        comment: String::new(),
    }
}

/// `(manual decisions (number, linked), expected links)`.
type PrecedenceCase = (Vec<(u16, bool)>, Vec<(u16, LinkSource)>);

#[test]
fn manual_decisions_win_over_rules() {
    let catalog = Catalog::builtin();
    let closed = fields(&[("open", Bool(false))]);
    let rule = || LinkSource::Rule(Some("crossing_closed".into()));
    let sara = || LinkSource::Manual("sara".into());
    let cases: [PrecedenceCase; 5] = [
        (vec![], vec![(7, rule())]),
        (vec![(7, false)], vec![]),
        (vec![(7, true)], vec![(7, sara())]),
        (vec![(3, true)], vec![(3, sara()), (7, rule())]),
        (vec![(43, true), (7, false)], vec![]),
    ];
    for (decisions, want) in cases {
        let manual: BTreeMap<u16, ManualLink> = decisions
            .iter()
            .map(|(n, linked)| (*n, manual(*linked)))
            .collect();
        let got = catalog.resolve_links(Crossing, &closed, &manual);
        assert_eq!(got, want.into_iter().collect(), "{decisions:?}");
    }
}

#[test]
fn link_sources_read_and_print_as_stored() {
    for text in ["rule", "rule:crossing_closed", "manual:سارة"] {
        let source: LinkSource = text.parse().expect(text);
        assert_eq!(source.to_string(), text);
    }
    for bad in ["", "true", "manual:", "rule:", "other:x"] {
        assert!(bad.parse::<LinkSource>().is_err(), "{bad:?}");
    }
}
