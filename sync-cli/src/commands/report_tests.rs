//! `fieldsync report` over a real local store: what it counts, its filters and refusals,
//! and the file it writes.

use clap::Parser as _;
use fieldsync_schema::report::to_html;
use fieldsync_schema::{FacilityKind, Role, TimeBound};

use super::*;
use crate::cli::{Cli, Command};
use crate::commands::delete::Delete;
use crate::commands::record::Record;
use crate::test_support::{bakery, new_store};

/// Three bakery checks above the official price (linked to 20 by the rules) at two sites,
/// the third deleted.
fn three_bakeries(store: &mut Store) {
    let at = |site: &str, when: &str, price: &str| Record {
        site_id: site.into(),
        observed_at: Some(when.into()),
        ..bakery(&[price, "bread_price_official_syp=1000"])
    };
    at(
        "DEZ-BAK-014",
        "2026-03-29T10:15:00+03:00",
        "bread_price_syp=1500",
    )
    .record(store)
    .expect("first");
    at(
        "DEZ-BAK-015",
        "2026-03-30T10:15:00+03:00",
        "bread_price_syp=1250",
    )
    .record(store)
    .expect("second");
    let gone = at(
        "DEZ-BAK-016",
        "2026-03-30T11:00:00+03:00",
        "bread_price_syp=9000",
    )
    .record(store)
    .expect("third");
    let delete = Delete {
        id: gone.to_string(),
        reason: "زيارة مكررة".into(),
    };
    delete.apply(store).expect("delete");
}

fn parse(args: &[&str]) -> Result<Report, clap::Error> {
    let cli = Cli::try_parse_from(["fieldsync", "report"].iter().chain(args))?;
    match cli.command {
        Command::Report(report) => Ok(report),
        other => panic!("not report: {other:?}"),
    }
}

#[test]
fn the_report_counts_live_checks_of_the_store() {
    let (_home, mut store) = new_store("sara", Role::Supervisor);
    three_bakeries(&mut store);
    let report = build(&store, &RecordFilter::default()).expect("report");
    // The deleted third check never counts.
    assert_eq!((report.checks, report.unlinked), (2, 0));
    let numbers: Vec<u16> = report.resolutions.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [20]);
    let r20 = &report.resolutions[0];
    assert_eq!((r20.checks, r20.sites, r20.review.received), (2, 2, 2));
    let bakeries = &r20.kinds[0];
    assert_eq!(bakeries.kind, FacilityKind::Bakery);
    // (1500 + 1250) / 2
    let mean = bakeries.figure("bread_price_mean").expect("mean");
    assert_eq!((mean.value, mean.reporting), (Some(1375.0), 2));

    let until = RecordFilter {
        until: Some("2026-03-29".parse::<TimeBound>().expect("bound")),
        ..Default::default()
    };
    let report = build(&store, &until).expect("report");
    assert_eq!(report.checks, 1);
    assert_eq!(report.scope.until.as_deref(), Some("2026-03-29"));
}

#[test]
fn the_format_defaults_to_markdown_and_an_unknown_one_is_refused() {
    let report = parse(&[]).expect("valid");
    assert_eq!(report.format, ReportFormat::Md);
    let text = parse(&["--format", "pdf"]).expect_err("pdf").to_string();
    assert!(text.contains("--format") && text.contains("pdf"), "{text}");
}

/// A refused filter value stops the report before anything is written, in the user's
/// language (the flags' rules: `filter_args_tests.rs`).
#[test]
fn a_refused_filter_value_stops_the_report() {
    let (home, store) = new_store("sara", Role::Supervisor);
    drop(store);
    let path = home.path().join("report.md");
    let out = path.to_str().expect("utf-8");
    let report = parse(&["--out", out, "--resolution", "43"]).expect("args");
    let err = report
        .run(home.path(), Lang::Ar)
        .expect_err("43")
        .to_string();
    assert!(err.starts_with("قيمة مرفوضة --resolution \"43\""), "{err}");
    assert!(!path.exists());
}

#[test]
fn a_report_file_is_written_whole() {
    let (home, mut store) = new_store("sara", Role::Supervisor);
    three_bakeries(&mut store);
    let path = home.path().join("تقرير.html");
    std::fs::write(&path, "an older report").expect("old");
    let report =
        parse(&["--format", "html", "--out", path.to_str().expect("utf-8")]).expect("args");
    let want = to_html(&build(&store, &RecordFilter::default()).expect("report"));
    drop(store);
    report.run(home.path(), Lang::En).expect("run");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), want);
    let partials = std::fs::read_dir(home.path())
        .expect("dir")
        .filter(|e| {
            let name = e.as_ref().expect("entry").file_name();
            name.to_string_lossy().ends_with(".partial")
        })
        .count();
    assert_eq!(partials, 0);
}

#[test]
fn json_is_the_report_serialised() {
    let (_home, mut store) = new_store("sara", Role::Supervisor);
    three_bakeries(&mut store);
    let report = build(&store, &RecordFilter::default()).expect("report");
    let text = ReportFormat::Json.render(&report).expect("json");
    let value: serde_json::Value = serde_json::from_str(&text).expect("parses");
    assert_eq!(value, serde_json::to_value(&report).expect("value"));
    assert_eq!(value["resolutions"][0]["number"], 20);
}
