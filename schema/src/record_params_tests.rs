//! Filter values as typed: accepted forms, and refusals naming the parameter, the value and
//! the rule in both languages.

use super::*;

fn parsed(pairs: &[(&str, &str)]) -> RecordFilter {
    let mut filter = RecordFilter::default();
    for (name, value) in pairs {
        set_param(&mut filter, name, value).expect(name);
    }
    filter
}

#[test]
fn every_filter_reads_its_value() {
    let filter = parsed(&[
        ("kind", "water-station"),
        ("resolution", "١٦"),
        ("state", "approved"),
        ("since", "2026-03-01"),
        ("until", "2026-03-31T23:59:59+03:00"),
        ("site", "DEZ-BAK-014"),
    ]);
    assert_eq!(filter.kind, Some(FacilityKind::WaterStation));
    assert_eq!(filter.resolution, Some(16));
    assert_eq!(filter.state, Some(ReviewState::Approved));
    assert_eq!(filter.since, Some("2026-03-01".parse().expect("date")));
    assert!(matches!(filter.until, Some(TimeBound::Instant(_))));
    assert_eq!(
        filter.site.as_ref().map(SiteId::as_str),
        Some("DEZ-BAK-014")
    );
}

#[test]
fn bad_values_name_the_parameter_the_value_and_the_rule_in_both_languages() {
    let cases = [
        ("kind", "hospital", "water_station"),
        ("resolution", "43", "1 to 42"),
        ("resolution", "abc", "1 to 42"),
        ("state", "done", "has_issues"),
        ("since", "yesterday", "2026-03-01"),
        ("since", "2026-13-01", "2026-03-01"),
        ("until", "2026-02-30", "2026-03-01"),
        ("site", "has space", "without spaces"),
        ("colour", "red", "kind, resolution"),
    ];
    for (name, value, rule) in cases {
        let err = set_param(&mut RecordFilter::default(), name, value).expect_err(value);
        assert_eq!((err.name.as_str(), err.value.as_str()), (name, value));
        let en = err.message("--", Lang::En);
        assert!(en.contains(&format!("--{name} \"{value}\"")), "{en}");
        assert!(en.contains(rule), "{en} lacks {rule}");
        let ar = err.message("--", Lang::Ar);
        assert!(ar.starts_with("قيمة مرفوضة --"), "{ar}");
        assert!(ar.contains(&format!("\"{value}\"")), "{ar}");
        assert_ne!(err.rule_ar, err.rule_en);
    }
}

#[test]
fn since_after_until_is_refused_whichever_comes_first() {
    for (first, second) in [
        (("since", "2026-03-10"), ("until", "2026-03-01")),
        (("until", "2026-03-01"), ("since", "2026-03-10")),
        (
            ("since", "2026-03-01T10:00Z"),
            ("until", "2026-03-01T09:00Z"),
        ),
    ] {
        let mut filter = RecordFilter::default();
        set_param(&mut filter, first.0, first.1).expect("first bound");
        let err = set_param(&mut filter, second.0, second.1).expect_err("reversed");
        assert_eq!(err.name, second.0);
        assert!(err.rule_en.contains("since is after until"), "{err}");
    }
    // The same day at both ends, or a date against an instant, is left to the filter.
    let mut filter = RecordFilter::default();
    set_param(&mut filter, "since", "2026-03-01").expect("since");
    set_param(&mut filter, "until", "2026-03-01").expect("same day");
    set_param(&mut filter, "until", "2026-02-01T00:00Z").expect("mixed kinds");
}
