//! Export filters end to end: the CLI's `--kind/--resolution/--state/--since/--until/--site`
//! and the server's query parameters select exactly the expected checks; bad values are
//! refused naming the parameter, the value and the rule.

use anyhow::Result;
use serde_json::Value;

use crate::export_fixture::{Fixture, both, fixture, ndjson_ids};

/// Both sides' NDJSON export with `filters`: the ids, checked equal between CLI and server.
fn selected(fx: &Fixture, filters: &[(&str, &str)]) -> Result<Vec<String>> {
    let [cli, server] = both(fx, "ndjson", filters, "en")?;
    let ids = ndjson_ids(&cli)?;
    assert_eq!(
        ids,
        ndjson_ids(&server)?,
        "CLI and server agree on {filters:?}"
    );
    Ok(ids)
}

/// Filters and the ids they must select, in order.
type Case = (&'static [(&'static str, &'static str)], Vec<String>);

#[test]
fn each_filter_selects_exactly_the_expected_checks_on_both_sides() -> Result<()> {
    let fx = fixture()?;
    let ids = |names: &[&str]| -> Vec<String> { names.iter().map(|n| fx.id(n)).collect() };
    let cases: [Case; 10] = [
        (&[], fx.in_order()),
        (&[("kind", "bakery")], ids(&["bakery"])),
        (&[("kind", "water-station")], ids(&["water"])),
        (&[("site", "DEZ-MIL-001")], ids(&["mill"])),
        (&[("state", "approved")], ids(&["fuel"])),
        (&[("state", "received")], ids(&["bakery", "mill", "water"])),
        // The inspector's local date: 01:00+03:00 on 1 April is 31 March in UTC.
        (&[("since", "2026-04-01")], ids(&["water"])),
        (&[("until", "2026-03-31")], ids(&["bakery", "fuel", "mill"])),
        (
            &[
                ("since", "2026-03-29"),
                ("until", "2026-03-31T23:00:00+01:00"),
            ],
            ids(&["fuel", "mill", "water"]),
        ),
        (&[("kind", "bakery"), ("state", "approved")], Vec::new()),
    ];
    for (filters, want) in cases {
        assert_eq!(selected(&fx, filters)?, want, "{filters:?}");
    }
    // Resolution 20 (bread and fuel prices) covers the checks the server linked to it.
    let linked: Vec<String> = fx
        .in_order()
        .into_iter()
        .filter(|id| {
            fx.details[id]["check"]["resolutions"]
                .as_array()
                .is_some_and(|r| r.contains(&Value::from(20)))
        })
        .collect();
    assert!(
        linked.contains(&fx.id("bakery")),
        "a bakery over the official price"
    );
    assert_eq!(selected(&fx, &[("resolution", "٢٠")])?, linked);
    Ok(())
}

#[test]
fn bad_filter_values_are_refused_naming_the_parameter_the_value_and_the_rule() -> Result<()> {
    let fx = fixture()?;
    let cases = [
        ("kind", "hospital", "water_station"),
        ("resolution", "43", "1 to 42"),
        ("state", "done", "has_issues"),
        ("since", "yesterday", "2026-03-01"),
        ("until", "2026-02-30", "2026-03-01"),
        ("site", "has space", "without spaces"),
    ];
    for (name, value, rule) in cases {
        let stderr = fx
            .sara
            .fails(&["export", "--format", "csv", &format!("--{name}"), value])?;
        assert!(
            stderr.contains(&format!("--{name} \"{value}\"")),
            "{stderr}"
        );
        assert!(stderr.contains(rule), "{stderr} lacks {rule}");
        let query = format!(
            "/api/v1/export?format=csv&{name}={}",
            value.replace(' ', "%20")
        );
        let (status, body) = fx.server.get(&query)?;
        assert_eq!(status, 400, "{query}");
        let error: Value = serde_json::from_slice(&body)?;
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!("{name}=\"{value}\"")),
            "{message}"
        );
        assert!(message.contains(rule), "{message} lacks {rule}");
    }
    let arabic = fx.sara.fails(&[
        "--lang", "ar", "export", "--format", "csv", "--state", "done",
    ])?;
    assert!(
        arabic.contains("قيمة مرفوضة --state \"done\": حالة مراجعة غير معروفة"),
        "{arabic}"
    );
    let format = fx.sara.fails(&["export", "--format", "xls"])?;
    assert!(
        format.contains("xls") && format.contains("ndjson"),
        "{format}"
    );
    for (query, needle) in [
        ("/api/v1/export", "format is required"),
        ("/api/v1/export?format=xls", "\"xls\""),
        ("/api/v1/export?format=csv&lang=fr", "\"fr\""),
        ("/api/v1/export?format=csv&colour=red", "\"colour\""),
    ] {
        let (status, body) = fx.server.get(query)?;
        assert_eq!(status, 400, "{query}");
        let error: Value = serde_json::from_slice(&body)?;
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{query}: {message}");
    }
    Ok(())
}

#[test]
fn the_server_names_the_file_and_its_type_and_serves_supervisors_only() -> Result<()> {
    let fx = fixture()?;
    let supervisor = fx.server.token("supervisor")?;
    let call = |format: &str, token: Option<&str>| {
        let url = format!("{}/api/v1/export?format={format}", fx.server.url());
        let mut request = ureq::get(&url).config().http_status_as_error(false).build();
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        request.call()
    };
    for (format, content_type) in [
        ("csv", "text/csv; charset=utf-8"),
        ("ndjson", "application/x-ndjson"),
        ("geojson", "application/geo+json"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let response = call(format, Some(&supervisor))?;
        assert_eq!(response.status().as_u16(), 200);
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("content-type"), content_type);
        assert_eq!(
            header("content-disposition"),
            format!("attachment; filename=\"fieldsync-checks.{format}\"")
        );
    }
    let inspector = fx.server.token("inspector")?;
    assert_eq!(call("csv", Some(&inspector))?.status().as_u16(), 403);
    assert_eq!(call("csv", None)?.status().as_u16(), 401);
    Ok(())
}
