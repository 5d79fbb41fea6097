//! The filter flags as `export` and `report` read them: the same filter from the same
//! flags, and refusals naming the flag, the value and the rule in the user's language.

use clap::Parser as _;
use fieldsync_schema::{FacilityKind, ReviewState, TimeBound};

use super::*;
use crate::cli::{Cli, Command};

/// The filter flags of `command` (`export` or `report`) given `args`.
fn flags(command: &str, args: &[&str]) -> FilterArgs {
    let mut argv = vec!["fieldsync", command];
    if command == "export" {
        argv.extend(["--format", "csv"]);
    }
    argv.extend(args);
    match Cli::try_parse_from(argv).expect("parses").command {
        Command::Export(export) => export.filter,
        Command::Report(report) => report.filter,
        other => panic!("not export or report: {other:?}"),
    }
}

#[test]
fn export_and_report_read_the_same_flags_into_the_same_filter() {
    let args = [
        "--kind",
        "bakery",
        "--resolution",
        "٢٠",
        "--state",
        "approved",
        "--since",
        "2026-03-01",
        "--until",
        "2026-03-31T23:59:59+03:00",
        "--site",
        "DEZ-BAK-014",
    ];
    let filter = flags("export", &args).to_filter(Lang::En).expect("export");
    assert_eq!(
        flags("report", &args).to_filter(Lang::Ar).expect("report"),
        filter
    );
    assert_eq!(filter.kind, Some(FacilityKind::Bakery));
    assert_eq!(filter.resolution, Some(20));
    assert_eq!(filter.state, Some(ReviewState::Approved));
    assert_eq!(filter.since, Some("2026-03-01".parse().expect("date")));
    assert!(matches!(filter.until, Some(TimeBound::Instant(_))));
    assert_eq!(
        filter.site.as_ref().map(|s| s.as_str()),
        Some("DEZ-BAK-014")
    );
    for command in ["export", "report"] {
        let none = flags(command, &[]).to_filter(Lang::En).expect("no flags");
        assert!(none.is_empty(), "{command}");
    }
}

#[test]
fn a_refused_value_names_the_flag_the_value_and_the_rule_in_the_users_language() {
    let cases = [
        ("kind", "hospital", "water_station"),
        ("resolution", "43", "1 to 42"),
        ("state", "done", "has_issues"),
        ("since", "2026-13-01", "2026-03-01"),
        ("until", "yesterday", "2026-03-01"),
        ("site", "has space", "without spaces"),
    ];
    for command in ["export", "report"] {
        for (name, value, rule) in cases {
            let flag = format!("--{name}");
            let args = flags(command, &[&flag, value]);
            let en = args.to_filter(Lang::En).expect_err(value).to_string();
            assert!(
                en.starts_with(&format!("invalid value --{name} \"{value}\": ")),
                "{command}: {en}"
            );
            assert!(en.contains(rule), "{command}: {en} lacks {rule}");
            let ar = args.to_filter(Lang::Ar).expect_err(value).to_string();
            assert!(
                ar.starts_with(&format!("قيمة مرفوضة --{name} \"{value}\": ")),
                "{command}: {ar}"
            );
            assert_ne!(ar, en);
        }
    }
}
