//! The report's numbers against figures worked out by hand from the fixture
//! (`fixture.rs` lists every check; the arithmetic is in the comments below).

use super::fixture::{id, records};
use super::*;
use crate::{Catalog, RecordFilter, TimeBound};

fn report(filter: RecordFilter) -> ResolutionsReport {
    let mut builder = ReportBuilder::new(Catalog::builtin(), filter);
    for record in &records() {
        builder.add(record);
    }
    builder.finish()
}

fn resolution(report: &ResolutionsReport, number: u16) -> &ResolutionReport {
    report
        .resolutions
        .iter()
        .find(|r| r.number == number)
        .unwrap_or_else(|| panic!("resolution {number} missing"))
}

fn kind(r: &ResolutionReport, kind: FacilityKind) -> &KindFindings {
    r.kinds
        .iter()
        .find(|k| k.kind == kind)
        .unwrap_or_else(|| panic!("{kind} missing under {}", r.number))
}

/// Asserts `(value, reporting)` of each figure id.
fn assert_figures(k: &KindFindings, expected: &[(&str, Option<f64>, u64)]) {
    for (fig, value, reporting) in expected {
        let f = k.figure(fig).unwrap_or_else(|| panic!("no figure {fig}"));
        let close = match (f.value, value) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            (a, b) => a == *b,
        };
        assert!(
            close && f.reporting == *reporting,
            "{fig}: got {:?}/{}, want {value:?}/{reporting}",
            f.value,
            f.reporting
        );
    }
}

#[test]
fn the_fixture_has_exactly_one_invalid_check() {
    let invalid: Vec<CheckId> = records()
        .iter()
        .filter(|r| !r.valid())
        .map(|r| r.check.id)
        .collect();
    // B5: operating without the required bread price.
    assert_eq!(invalid, [id(5)]);
}

#[test]
fn totals_and_resolutions_are_counted_by_hand() {
    let report = report(RecordFilter::default());
    // 16 checks, less B6 (deleted) = 15 covered; W1, W4 and O1 are linked to nothing.
    assert_eq!((report.checks, report.unlinked), (15, 3));
    let numbers: Vec<u16> = report.resolutions.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [7, 12, 14, 16, 20]);
    let r16 = resolution(&report, 16);
    // B1 B2 B3 B4 B5 B7 (B6 deleted); B5 invalid; sites BAK-1, BAK-2, BAK-3, BAK-5.
    assert_eq!((r16.checks, r16.invalid, r16.sites), (6, 1, 4));
    // received B2 B7, has_issues B3, approved B1 B4, rejected B5.
    let want = StateCounts {
        received: 2,
        has_issues: 1,
        approved: 2,
        rejected: 1,
        edited: 0,
    };
    assert_eq!(r16.review, want);
    let r20 = resolution(&report, 20);
    // B1 B2 B4 at BAK-1 and BAK-3; approved B1 B4, received B2.
    assert_eq!((r20.checks, r20.invalid, r20.sites), (3, 0, 2));
    assert_eq!((r20.review.approved, r20.review.received), (2, 1));
    assert_eq!(resolution(&report, 7).review.edited, 1);
    // Linked: W2 (approved) at WAT-2 and W3 (received) at WAT-1; W1 and W4 are not.
    let r14 = resolution(&report, 14);
    assert_eq!(
        (
            r14.checks,
            r14.sites,
            r14.review.approved,
            r14.review.received
        ),
        (2, 2, 1, 1)
    );
    // Its kinds: the catalog's (water stations) and its checks'.
    let kinds = |n: u16| -> Vec<FacilityKind> {
        resolution(&report, n)
            .kinds
            .iter()
            .map(|k| k.kind)
            .collect()
    };
    assert_eq!(kinds(14), [FacilityKind::WaterStation]);
    // 20 is about bakeries and fuel stations; no fuel station was checked.
    assert_eq!(kinds(20), [FacilityKind::Bakery, FacilityKind::FuelStation]);
    let fuel = kind(resolution(&report, 20), FacilityKind::FuelStation);
    assert_eq!(fuel.sites, 0);
    assert!(
        fuel.figures
            .iter()
            .all(|f| f.value.is_none() && f.reporting == 0)
    );
    assert_eq!(
        resolution(&report, 14).text_ar,
        Catalog::builtin().get(14).expect("14").text_ar
    );
}

#[test]
fn latest_check_per_site_is_the_last_observed_then_the_greatest_id() {
    let report = report(RecordFilter::default());
    let latest = |n: u16| -> Vec<(String, CheckId, bool)> {
        resolution(&report, n)
            .latest
            .iter()
            .map(|l| (l.site_id.to_string(), l.check, l.linked))
            .collect()
    };
    // BAK-1: B2 (03-10) over B1 (03-01); BAK-3: B4 and B5 at the same instant, B5's id is
    // greater. Every bakery site is listed under 16 and 20; under 20 only BAK-1 (B1, B2)
    // and BAK-3 (B4) have linked checks.
    let row = |site: &str, n, linked| (site.to_owned(), id(n), linked);
    assert_eq!(
        latest(16),
        [
            row("BAK-1", 2, true),
            row("BAK-2", 3, true),
            row("BAK-3", 5, true),
            row("BAK-5", 7, true)
        ]
    );
    assert_eq!(
        latest(20),
        [
            row("BAK-1", 2, true),
            row("BAK-2", 3, false),
            row("BAK-3", 5, true),
            row("BAK-5", 7, false)
        ]
    );
    // WAT-1: W1 (03-12, not linked) over W3 (03-02, linked); WAT-3 has no linked check.
    assert_eq!(
        latest(14),
        [
            row("WAT-1", 11, true),
            row("WAT-2", 12, true),
            row("WAT-3", 14, false)
        ]
    );
    let b5 = &resolution(&report, 16).latest[2];
    assert!(!b5.valid);
    assert_eq!(b5.review_state, ReviewState::Rejected);
    let fields: Vec<&str> = b5.values.iter().map(|v| v.field).collect();
    assert_eq!(
        fields,
        ["operating", "bread_price_official_syp", "flour_received_kg"]
    );
}

#[test]
fn bakery_findings_are_computed_by_hand() {
    let report = report(RecordFilter::default());
    let bakeries = kind(resolution(&report, 16), FacilityKind::Bakery);
    // Latest per site: B2 (operating, reserve, 1500/1000, due 1000, got 600),
    // B3 (closed, reserve, -/1000, 2000, 0), B5 (operating, not reserve, -/1000, 1500, 1200),
    // B7 (operating, not reserve, 1200/1000, 500, 500).
    assert_eq!((bakeries.sites, bakeries.invalid), (4, 1));
    assert_figures(
        bakeries,
        &[
            ("operating", Some(3.0), 4),           // B2 B5 B7
            ("closed", Some(1.0), 4),              // B3
            ("reserve_operating", Some(1.0), 4),   // B2 only (B3 is closed)
            ("bread_price_mean", Some(1350.0), 2), // (1500 + 1200) / 2
            ("bread_price_max", Some(1500.0), 2),
            ("bread_price_official_mean", Some(1000.0), 4), // 4 x 1000 / 4
            ("above_official", Some(2.0), 2),               // 1500 > 1000, 1200 > 1000
            ("flour_due_total", Some(5000.0), 4),           // 1000 + 2000 + 1500 + 500
            ("flour_received_total", Some(2300.0), 4),      // 600 + 0 + 1200 + 500
            ("flour_received_ratio", Some(0.46), 4),        // 2300 / 5000
        ],
    );
    // The findings of a kind do not depend on the resolution: 20 shows the same bakeries.
    let under_20 = kind(resolution(&report, 20), FacilityKind::Bakery);
    assert_eq!(under_20, bakeries);
}

#[test]
fn other_kinds_findings_are_computed_by_hand() {
    let report = report(RecordFilter::default());
    // Water (14): latest W1 (operating, 120.5 m3/h, 10 h, 5000 people), W2 (stopped) and
    // W4 (operating, 80 m3/h, 20 h, 3000 people), linked or not.
    assert_figures(
        kind(resolution(&report, 14), FacilityKind::WaterStation),
        &[
            ("operating", Some(2.0), 3),              // W1 W4
            ("stopped", Some(1.0), 3),                // W2
            ("output_total", Some(200.5), 2),         // 120.5 + 80
            ("output_mean", Some(100.25), 2),         // 200.5 / 2
            ("operating_hours_mean", Some(15.0), 2),  // (10 + 20) / 2
            ("people_served_total", Some(8000.0), 2), // 5000 + 3000
        ],
    );
    // Crossings (7): C1 open with a 5000 SYP fee and 3 h wait, C2 closed.
    assert_figures(
        kind(resolution(&report, 7), FacilityKind::Crossing),
        &[
            ("open", Some(1.0), 2),
            ("closed", Some(1.0), 2),
            ("fees_charged", Some(1.0), 1),
            ("fee_mean", Some(5000.0), 1),
            ("wait_mean", Some(3.0), 1),
        ],
    );
    // Silos (12): S1 sound 2500.5 of 10000 t, S2 damaged 0 of 5000 t.
    assert_figures(
        kind(resolution(&report, 12), FacilityKind::Silo),
        &[
            ("sound", Some(1.0), 2),
            ("damaged", Some(1.0), 2),
            ("stock_total", Some(2500.5), 2),
            ("capacity_total", Some(15000.0), 2),
            ("fill_ratio", Some(2500.5 / 15000.0), 2), // 0.1667
        ],
    );
}

#[test]
fn open_conflicts_are_listed_under_each_resolution_of_their_check() {
    let report = report(RecordFilter::default());
    let conflicts = |n: u16| -> Vec<(CheckId, String, usize)> {
        resolution(&report, n)
            .conflicts
            .iter()
            .map(|c| (c.check, c.field.clone(), c.values))
            .collect()
    };
    let price = (id(2), "fields.bread_price_syp".to_owned(), 2);
    assert_eq!(conflicts(16), std::slice::from_ref(&price));
    assert_eq!(conflicts(20), [price]);
    assert_eq!(conflicts(14), [(id(12), "fields.operating".to_owned(), 2)]);
    assert!(conflicts(7).is_empty());
}

#[test]
fn a_filter_narrows_checks_and_resolutions() {
    let filter = RecordFilter {
        resolution: Some(16),
        until: Some("2026-03-31".parse::<TimeBound>().expect("bound")),
        ..Default::default()
    };
    let report = report(filter);
    // Every check but B6 (deleted) and B7 (April) is covered: 14. The resolution filter
    // chooses what is reported: 20, which B1 B2 B4 also link, is not. Linked to no reported
    // resolution: W1..W4, C1, C2, S1, S2, O1 = 9.
    assert_eq!((report.checks, report.unlinked), (14, 9));
    assert_eq!(report.resolutions.len(), 1);
    assert_eq!(report.scope.until.as_deref(), Some("2026-03-31"));
    let r16 = &report.resolutions[0];
    assert_eq!((r16.checks, r16.sites), (5, 3));
    assert_figures(
        kind(r16, FacilityKind::Bakery),
        &[
            ("operating", Some(2.0), 3),            // B2 B5
            ("bread_price_mean", Some(1500.0), 1),  // B2 only
            ("flour_received_ratio", Some(0.4), 3), // (600 + 0 + 1200) / (1000 + 2000 + 1500)
        ],
    );
}

#[test]
fn the_order_checks_arrive_in_does_not_change_the_report() {
    let forward = report(RecordFilter::default());
    let mut builder = ReportBuilder::new(Catalog::builtin(), RecordFilter::default());
    for record in records().iter().rev() {
        builder.add(record);
    }
    assert_eq!(builder.finish(), forward);
}
