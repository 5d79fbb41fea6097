//! Which checks a [`RecordFilter`] covers, and how `--since`/`--until` read.

use automerge::ActorId;

use super::*;
use crate::document_tests::{author, form, new_bakery};
use crate::{CheckDoc, Deletion, Role};

fn bakery_at(observed_at: &str) -> Check {
    let mut new = new_bakery();
    new.observed_at = observed_at.parse().expect("time");
    let doc = CheckDoc::create(
        &new,
        &form(),
        &author("ana", Role::Inspector),
        ActorId::random(),
    )
    .expect("create");
    doc.read().expect("read")
}

fn bound(text: &str) -> TimeBound {
    text.parse().expect("bound")
}

#[test]
fn an_empty_filter_covers_every_live_check_and_no_deleted_one() {
    let mut check = bakery_at("2026-03-29T10:15:00+03:00");
    let filter = RecordFilter::default();
    assert!(filter.is_empty());
    assert!(filter.matches(&check));
    check.deleted = Some(Deletion {
        by: "sara".into(),
        device: "sara-device".into(),
        at: "2026-03-30T07:00:00Z".into(),
        reason: "زيارة مكررة".into(),
    });
    assert!(!filter.matches(&check));
}

#[test]
fn each_criterion_must_hold() {
    let check = bakery_at("2026-03-29T10:15:00+03:00");
    let cases: [(RecordFilter, bool); 8] = [
        (
            RecordFilter {
                kind: Some(FacilityKind::Bakery),
                ..Default::default()
            },
            true,
        ),
        (
            RecordFilter {
                kind: Some(FacilityKind::Silo),
                ..Default::default()
            },
            false,
        ),
        (
            RecordFilter {
                state: Some(ReviewState::Received),
                ..Default::default()
            },
            true,
        ),
        (
            RecordFilter {
                state: Some(ReviewState::Approved),
                ..Default::default()
            },
            false,
        ),
        (
            RecordFilter {
                site: Some("DEZ-BAK-014".parse().expect("site")),
                ..Default::default()
            },
            true,
        ),
        (
            RecordFilter {
                site: Some("DEZ-BAK-015".parse().expect("site")),
                ..Default::default()
            },
            false,
        ),
        (
            RecordFilter {
                resolution: Some(42),
                ..Default::default()
            },
            false,
        ),
        (
            RecordFilter {
                kind: Some(FacilityKind::Bakery),
                state: Some(ReviewState::Approved),
                ..Default::default()
            },
            false,
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(filter.matches(&check), expected, "{filter:?}");
    }
    // A check's own links are covered.
    let mut with_link = check.clone();
    with_link.resolutions = vec![20];
    let by_20 = RecordFilter {
        resolution: Some(20),
        ..Default::default()
    };
    assert!(by_20.matches(&with_link));
}

#[test]
fn a_date_bound_compares_the_date_the_inspector_saw_both_ends_inclusive() {
    // 01:00 on 1 March in +03:00 is still 28 February in UTC: it counts for 1 March.
    let early = bakery_at("2026-03-01T01:00:00+03:00");
    let march = RecordFilter {
        since: Some(bound("2026-03-01")),
        until: Some(bound("٣١/٣/٢٠٢٦")),
        ..Default::default()
    };
    assert!(march.matches(&early));
    let late = bakery_at("2026-03-31T23:59:00+03:00");
    assert!(march.matches(&late));
    let april = bakery_at("2026-04-01T00:00:00+03:00");
    assert!(!march.matches(&april));
    let february = RecordFilter {
        until: Some(bound("2026-02-28")),
        ..Default::default()
    };
    assert!(!february.matches(&early));
}

#[test]
fn an_instant_bound_compares_instants() {
    let check = bakery_at("2026-03-01T01:00:00+03:00"); // 2026-02-28T22:00Z
    let cases = [
        ("2026-02-28T22:00Z", true, true),
        ("2026-02-28T21:59:59Z", true, false),
        ("2026-03-01T01:00:01+03:00", false, true),
    ];
    for (text, since_holds, until_holds) in cases {
        let since = RecordFilter {
            since: Some(bound(text)),
            ..Default::default()
        };
        let until = RecordFilter {
            until: Some(bound(text)),
            ..Default::default()
        };
        assert_eq!(since.matches(&check), since_holds, "since {text}");
        assert_eq!(until.matches(&check), until_holds, "until {text}");
    }
}

#[test]
fn a_bad_bound_names_the_value_and_why() {
    for (text, reason) in [
        ("31/2/2026", "no day 31"),
        ("2026-03-01T08:00", "offset"),
        ("yesterday", ""),
    ] {
        let err = text.parse::<TimeBound>().expect_err(text);
        let message = err.to_string();
        assert!(message.contains(&format!("{text:?}")), "{message}");
        assert!(message.contains(reason), "{message}");
    }
}

#[test]
fn a_record_carries_the_checks_violations() {
    let mut check = bakery_at("2026-03-29T10:15:00+03:00");
    assert!(CheckRecord::new(check.clone(), vec![]).valid());
    check.fields.remove("operating");
    let record = CheckRecord::new(check, vec![]);
    assert!(!record.valid());
    assert!(record.violations.iter().any(|v| v.field == "operating"));
}
