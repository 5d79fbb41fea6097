//! Export queries: what is accepted, and refusals naming the parameter and value.

use fieldsync_schema::{FacilityKind, ReviewState};

use super::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn a_query_reads_format_language_and_every_filter() {
    let query = parse_query(&pairs(&[
        ("format", "xlsx"),
        ("lang", "en"),
        ("kind", "bakery"),
        ("resolution", "٢٠"),
        ("state", "approved"),
        ("since", "2026-03-01"),
        ("until", "2026-03-31T23:59:59Z"),
        ("site", "DEZ-BAK-014"),
    ]))
    .expect("valid");
    assert_eq!(query.format, Format::Xlsx);
    assert_eq!(query.lang, Lang::En);
    assert_eq!(query.filter.kind, Some(FacilityKind::Bakery));
    assert_eq!(query.filter.resolution, Some(20));
    assert_eq!(query.filter.state, Some(ReviewState::Approved));
    assert!(query.filter.since.is_some() && query.filter.until.is_some());
    let plain = parse_query(&pairs(&[("format", "csv")])).expect("csv");
    assert_eq!(plain.lang, Lang::Ar, "Arabic unless asked otherwise");
    assert!(plain.filter.is_empty());
}

/// A query and what its refusal must say.
type Case = (
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

#[test]
fn bad_parameters_are_refused_naming_them_and_their_value() {
    let cases: [Case; 9] = [
        (&[], &["format is required"]),
        (&[("format", "xls")], &["format", "\"xls\""]),
        (&[("format", "csv"), ("lang", "fr")], &["lang", "\"fr\""]),
        (
            &[("format", "csv"), ("kind", "hospital")],
            &["kind=\"hospital\"", "water_station"],
        ),
        (
            &[("format", "csv"), ("resolution", "43")],
            &["resolution=\"43\"", "1 to 42"],
        ),
        (
            &[("format", "csv"), ("state", "done")],
            &["state=\"done\"", "approved"],
        ),
        (
            &[("format", "csv"), ("since", "yesterday")],
            &["since=\"yesterday\"", "2026-03-01"],
        ),
        (
            &[("format", "csv"), ("colour", "red")],
            &["unknown query parameter", "\"colour\""],
        ),
        (
            &[("format", "csv"), ("kind", "bakery"), ("kind", "silo")],
            &["kind is given more than once", "\"bakery\"", "\"silo\""],
        ),
    ];
    for (query, needles) in cases {
        let err = parse_query(&pairs(query)).expect_err("refused");
        assert!(matches!(err, ApiError::BadRequest { .. }), "{err:?}");
        let text = err.to_string();
        for needle in needles {
            assert!(text.contains(needle), "{text} lacks {needle}");
        }
    }
}
