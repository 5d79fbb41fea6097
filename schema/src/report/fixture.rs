//! The hand-computed fixture of the report tests: 16 checks of five kinds at ten sites,
//! in several review states, one deleted, one invalid, three linked to nothing (an
//! operating water station is linked to no resolution by the rules), two with a conflict. The expected figures are worked out by hand in `aggregate_tests.rs`.
//!
//! | check | site | kind | observed (+03:00) | state | links | values |
//! |---|---|---|---|---|---|---|
//! | B1 | BAK-1 | bakery | 03-01 09:00 | approved | 16, 20 | operating, reserve, price 1250, official 1000, due 1000, received 800 |
//! | B2 | BAK-1 | bakery | 03-10 09:00 | received | 16, 20 | operating, reserve, price 1500, official 1000, due 1000, received 600; conflict on the price (2 values) |
//! | B3 | BAK-2 `<script>` | bakery | 03-05 08:00 | has_issues | 16 | closed (no flour), reserve, official 1000, due 2000, received 0 |
//! | B4 | BAK-3 | bakery | 03-07 12:00 | approved | 16, 20 | operating, not reserve, price 1000, official 1000, due 1500, received 1500 |
//! | B5 | BAK-3 | bakery | 03-07 09:00Z (= B4's instant), greater id | rejected | 16 | operating, not reserve, NO price (invalid: required), official 1000, due 1500, received 1200 |
//! | B6 | BAK-4 | bakery | 03-08 | received, DELETED | 16 | operating, price 9999 |
//! | B7 | BAK-5 | bakery | 04-02 10:00 | received | 16 | operating, not reserve, price 1200, official 1000, due 500, received 500 |
//! | W1 | WAT-1 | water station | 03-12 10:00 | received | none | operating, 120.5 m3/h, 10 h, 5000 people |
//! | W2 | WAT-2 | water station | 03-11 10:00 | approved | 14 | stopped (no power); conflict on operating (2 values) |
//! | W3 | WAT-1 | water station | 03-02 10:00 | received | 14 | stopped (pump failure) |
//! | W4 | WAT-3 | water station | 03-13 10:00 | received | none | operating, 80 m3/h, 20 h, 3000 people |
//! | C1 | CRS-1 | crossing | 03-03 07:00 | edited | 7 | open, wait 3 h, fees charged 5000, no receipt |
//! | C2 | CRS-2 | crossing | 03-04 07:00 | received | 7 | closed |
//! | S1 | SIL-1 | silo | 03-06 11:00 | received | 12 | sound, capacity 10000, stock 2500.5 |
//! | S2 | SIL-2 | silo | 03-06 12:00 | received | 12 | damaged (roof), capacity 5000, stock 0 |
//! | O1 | OTH-1 | other | 03-09 10:00 | received | none | operating |

use std::collections::BTreeMap;

use crate::{
    Check, CheckId, CheckRecord, Conflict, ConflictValue, Deletion, FacilityKind, FieldValue,
    FormRef, Review, ReviewState, Site,
};

use FieldValue::{Bool, Decimal, Int, Text};

/// Fixture check ids: `…0001` for B1 and so on, so B5 (`…0005`) is greater than B4.
pub fn id(n: u32) -> CheckId {
    format!("01960000-0000-7000-8000-{n:012}")
        .parse()
        .expect("fixture id")
}

/// A fixture check.
#[allow(clippy::too_many_arguments)]
fn check(
    n: u32,
    kind: FacilityKind,
    site: (&str, &str),
    at: &str,
    state: ReviewState,
    links: &[u16],
    fields: &[(&str, FieldValue)],
) -> Check {
    let form = match kind {
        FacilityKind::Bakery => 2,
        _ => 1,
    };
    Check {
        id: id(n),
        kind,
        form: FormRef {
            id: kind.as_str().to_owned(),
            version: form,
        },
        site: Site {
            id: site.0.parse().expect("site id"),
            name_ar: site.1.to_owned(),
            name_en: None,
            lat: None,
            lon: None,
        },
        inspector: "ana".into(),
        observed_at: at.parse().expect("time"),
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        notes: String::new(),
        resolutions: links.to_vec(),
        link_sources: BTreeMap::new(),
        manual_links: BTreeMap::new(),
        review: Review {
            state,
            by: None,
            at: None,
            comment: None,
        },
        review_history: Vec::new(),
        authors: BTreeMap::new(),
        comments: Vec::new(),
        decisions: Vec::new(),
        deleted: None,
        raw: BTreeMap::new(),
    }
}

/// A conflict on `field` with `n` values.
fn conflict(field: &str, values: &[FieldValue]) -> Conflict {
    Conflict {
        field: field.to_owned(),
        values: values
            .iter()
            .enumerate()
            .map(|(i, v)| ConflictValue {
                value: v.clone(),
                actor: format!("{i:02x}"),
                author: None,
                winner: i == 0,
                at: None,
            })
            .collect(),
    }
}

/// The site named `<script>` (its name must show as text in every rendering).
pub const SCRIPT_SITE: &str = "<script>alert(\"x\")</script> مخبز | *النور*";

/// The fixture's 16 records, in no particular order.
#[rustfmt::skip]
pub fn records() -> Vec<CheckRecord> {
    use FacilityKind::{Bakery, Crossing, Other, Silo, WaterStation};
    use ReviewState::{Approved, Edited, HasIssues, Received, Rejected};
    let bak1 = ("BAK-1", "مخبز الأمل الاحتياطي");
    let bak3 = ("BAK-3", "فرن المدينة");
    let wat1 = ("WAT-1", "محطة مياه الحويقة");
    let mut b6 = check(6, Bakery, ("BAK-4", "فرن محذوف"), "2026-03-08T10:00:00+03:00", Received, &[16], &[("operating", Bool(true)), ("bread_price_syp", Int(9999))]);
    b6.deleted = Some(Deletion {
        by: "sara".into(),
        device: "sara-device".into(),
        at: "2026-03-09T07:00:00Z".into(),
        reason: "زيارة مكررة".into(),
    });
    let plain = |c: Check| CheckRecord::new(c, Vec::new());
    vec![
        plain(check(1, Bakery, bak1, "2026-03-01T09:00:00+03:00", Approved, &[16, 20], &[("operating", Bool(true)), ("reserve_bakery", Bool(true)), ("bread_price_syp", Int(1250)), ("bread_price_official_syp", Int(1000)), ("flour_due_kg", Int(1000)), ("flour_received_kg", Int(800))])),
        CheckRecord::new(
            check(2, Bakery, bak1, "2026-03-10T09:00:00+03:00", Received, &[16, 20], &[("operating", Bool(true)), ("reserve_bakery", Bool(true)), ("bread_price_syp", Int(1500)), ("bread_price_official_syp", Int(1000)), ("flour_due_kg", Int(1000)), ("flour_received_kg", Int(600))]),
            vec![conflict("fields.bread_price_syp", &[Int(1500), Int(2000)])],
        ),
        plain(check(3, Bakery, ("BAK-2", SCRIPT_SITE), "2026-03-05T08:00:00+03:00", HasIssues, &[16], &[("operating", Bool(false)), ("reason_closed", Text("no_flour".into())), ("reserve_bakery", Bool(true)), ("bread_price_official_syp", Int(1000)), ("flour_due_kg", Int(2000)), ("flour_received_kg", Int(0))])),
        plain(check(4, Bakery, bak3, "2026-03-07T12:00:00+03:00", Approved, &[16, 20], &[("operating", Bool(true)), ("reserve_bakery", Bool(false)), ("bread_price_syp", Int(1000)), ("bread_price_official_syp", Int(1000)), ("flour_due_kg", Int(1500)), ("flour_received_kg", Int(1500))])),
        plain(check(5, Bakery, bak3, "2026-03-07T09:00:00Z", Rejected, &[16], &[("operating", Bool(true)), ("reserve_bakery", Bool(false)), ("bread_price_official_syp", Int(1000)), ("flour_due_kg", Int(1500)), ("flour_received_kg", Int(1200))])),
        plain(b6),
        plain(check(7, Bakery, ("BAK-5", "فرن الجورة"), "2026-04-02T10:00:00+03:00", Received, &[16], &[("operating", Bool(true)), ("reserve_bakery", Bool(false)), ("bread_price_syp", Int(1200)), ("bread_price_official_syp", Int(1000)), ("flour_due_kg", Int(500)), ("flour_received_kg", Int(500))])),
        plain(check(11, WaterStation, wat1, "2026-03-12T10:00:00+03:00", Received, &[], &[("operating", Bool(true)), ("output_m3h", Decimal(120.5)), ("operating_hours", Decimal(10.0)), ("people_served", Int(5000))])),
        CheckRecord::new(
            check(12, WaterStation, ("WAT-2", "محطة مياه البغيلية"), "2026-03-11T10:00:00+03:00", Approved, &[14], &[("operating", Bool(false)), ("reason_stopped", Text("no_power".into()))]),
            vec![conflict("fields.operating", &[Bool(false), Bool(true)])],
        ),
        plain(check(13, WaterStation, wat1, "2026-03-02T10:00:00+03:00", Received, &[14], &[("operating", Bool(false)), ("reason_stopped", Text("pump_failure".into()))])),
        plain(check(14, WaterStation, ("WAT-3", "محطة مياه الكسرة"), "2026-03-13T10:00:00+03:00", Received, &[], &[("operating", Bool(true)), ("output_m3h", Decimal(80.0)), ("operating_hours", Decimal(20.0)), ("people_served", Int(3000))])),
        plain(check(21, Crossing, ("CRS-1", "معبر الصالحية"), "2026-03-03T07:00:00+03:00", Edited, &[7], &[("open", Bool(true)), ("wait_hours", Decimal(3.0)), ("fees_charged", Bool(true)), ("fee_syp", Int(5000)), ("receipt_given", Bool(false))])),
        plain(check(22, Crossing, ("CRS-2", "معبر الشحيل"), "2026-03-04T07:00:00+03:00", Received, &[7], &[("open", Bool(false))])),
        plain(check(31, Silo, ("SIL-1", "صوامع الميادين"), "2026-03-06T11:00:00+03:00", Received, &[12], &[("structurally_sound", Bool(true)), ("capacity_tonnes", Decimal(10000.0)), ("stock_tonnes", Decimal(2500.5))])),
        plain(check(32, Silo, ("SIL-2", "صوامع الطيبة"), "2026-03-06T12:00:00+03:00", Received, &[12], &[("structurally_sound", Bool(false)), ("damage", Text("roof".into())), ("capacity_tonnes", Decimal(5000.0)), ("stock_tonnes", Decimal(0.0))])),
        plain(check(41, Other, ("OTH-1", "معمل"), "2026-03-09T10:00:00+03:00", Received, &[], &[("facility_type", Text("factory".into())), ("operating", Bool(true))])),
    ]
}
