//! Parsing of the report's query: every parameter, and refusals naming parameter and value.

use fieldsync_schema::{FacilityKind, ReviewState, TimeBound};

use super::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn every_parameter_parses() {
    let (format, filter) = parse_query(&pairs(&[
        ("format", "html"),
        ("kind", "bakery"),
        ("resolution", "١٦"),
        ("state", "approved"),
        ("since", "2026-03-01"),
        ("until", "2026-03-31T23:59:59+03:00"),
        ("site", "DEZ-BAK-014"),
    ]))
    .expect("valid");
    assert_eq!(format, ReportFormat::Html);
    assert_eq!(filter.kind, Some(FacilityKind::Bakery));
    assert_eq!(filter.resolution, Some(16));
    assert_eq!(filter.state, Some(ReviewState::Approved));
    assert_eq!(
        filter.since,
        Some("2026-03-01".parse::<TimeBound>().expect("date"))
    );
    assert!(matches!(filter.until, Some(TimeBound::Instant(_))));
    assert_eq!(
        filter.site.map(|s| s.to_string()).as_deref(),
        Some("DEZ-BAK-014")
    );
    let (format, filter) = parse_query(&[]).expect("empty");
    assert_eq!((format, filter.is_empty()), (ReportFormat::Json, true));
}

#[test]
fn bad_parameters_name_parameter_value_and_rule() {
    let cases = [
        (("format", "pdf"), ["format", "\"pdf\"", "json, md or html"]),
        (("resolution", "43"), ["resolution=\"43\"", "1 to 42", ""]),
        (
            ("kind", "hospital"),
            ["kind=\"hospital\"", "water_station", ""],
        ),
        (("state", "done"), ["state=\"done\"", "has_issues", ""]),
        (
            ("since", "yesterday"),
            ["since=\"yesterday\"", "2026-03-01", ""],
        ),
        (
            ("until", "2026-02-30"),
            ["until=\"2026-02-30\"", "2026-03-01", ""],
        ),
        (
            ("site", "has space"),
            ["site=\"has space\"", "without spaces", ""],
        ),
        (
            ("sinse", "2026-03-01"),
            [
                "unknown query parameter",
                "\"sinse\"",
                "format, kind, resolution",
            ],
        ),
    ];
    for ((key, value), needles) in cases {
        let err = parse_query(&pairs(&[(key, value)])).expect_err(key);
        assert!(matches!(err, ApiError::BadRequest { .. }), "{err:?}");
        let text = err.to_string();
        for needle in needles {
            assert!(text.contains(needle), "{text} lacks {needle}");
        }
    }
}
