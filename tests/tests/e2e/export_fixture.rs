//! The checks every export test reads: four checks recorded by an inspector (Arabic site
//! names and notes, text a spreadsheet would run, a datetime at +05:45, a check whose local
//! date is a day after its UTC date, one with neither site coordinates nor a location
//! field), synced, one approved by a supervisor; and the same export from the CLI and from
//! the server.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use serde_json::Value;

use crate::harness::{Device, TestServer};

/// The recorded checks and how the server reads them.
pub struct Fixture {
    pub server: TestServer,
    pub sara: Device,
    /// Ids by name: `bakery`, `fuel`, `mill`, `water`.
    pub ids: BTreeMap<&'static str, String>,
    /// `GET /api/v1/checks/{id}` of each, by id.
    pub details: BTreeMap<String, Value>,
}

impl Fixture {
    /// The id of the check named `name`.
    pub fn id(&self, name: &str) -> String {
        self.ids[name].clone()
    }

    /// Ids in export order: observation time in UTC.
    pub fn in_order(&self) -> Vec<String> {
        ["bakery", "fuel", "mill", "water"]
            .map(|n| self.id(n))
            .to_vec()
    }
}

/// (name, kind, site id, site name, coordinates, observed at, values, notes)
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
    &'static str,
    &'static [&'static str],
    &'static str,
);

const CHECKS: [Spec; 4] = [
    (
        "bakery",
        "bakery",
        "DEZ-BAK-014",
        "مخبز الأمل الاحتياطي",
        Some(("35.336", "40.14")),
        "2026-03-05T09:30:00+03:00",
        &[
            "operating=نعم",
            "bread_price_syp=١٢٥٠",
            "bread_price_official_syp=1000",
            "flour_due_kg=1000",
        ],
        "الطابور طويل صباحاً\nسطر ثانٍ، مع \"اقتباس\"",
    ),
    (
        "water",
        "water_station",
        "DEZ-WAT-002",
        "محطة مياه الجورة",
        None,
        // 1 April on the device, still 31 March in UTC.
        "2026-04-01T01:00:00+03:00",
        &["operating=true", "output_m3h=12٫5", "location=35.33 40.12"],
        "",
    ),
    (
        "fuel",
        "fuel_station",
        "DEZ-FUE-007",
        "=كازية الفرات",
        None,
        "2026-03-29T12:00:00+03:00",
        &["operating=yes", "last_delivery_at=2026-03-29T02:30+05:45"],
        "-لا يوجد مازوت",
    ),
    (
        "mill",
        "mill",
        "DEZ-MIL-001",
        "مطحنة البوكمال",
        Some(("34.45", "40.92")),
        "2026-03-31T23:30:00+03:00",
        &["operating=yes", "flour_output_tonnes=12.5"],
        "",
    ),
];

/// Records [`CHECKS`] on ana's device, syncs, lets sara approve the fuel station, and
/// reads each check back from the server.
pub fn fixture() -> Result<Fixture> {
    let server = TestServer::start()?;
    let ana = Device::init("ana", "inspector")?;
    let sara = Device::init("sara", "supervisor")?;
    let mut ids = BTreeMap::new();
    for (name, kind, site, site_name, at, observed, values, notes) in CHECKS {
        let mut args = vec![
            "record",
            "--kind",
            kind,
            "--site-id",
            site,
            "--site-name",
            site_name,
        ];
        // `--notes=TEXT`: a note may begin with `-`.
        let notes = format!("--notes={notes}");
        args.extend(["--observed-at", observed, &notes]);
        if let Some((lat, lon)) = at {
            args.extend(["--lat", lat, "--lon", lon]);
        }
        for value in values {
            args.extend(["--set", value]);
        }
        ids.insert(name, ana.ok(&args)?.trim().to_owned());
    }
    ana.sync(&server)?;
    sara.sync(&server)?;
    sara.ok(&["review", &ids["fuel"], "--state", "approved"])?;
    sara.sync(&server)?;
    let mut details = BTreeMap::new();
    for id in ids.values() {
        details.insert(
            id.clone(),
            server.get_json(&format!("/api/v1/checks/{id}"))?,
        );
    }
    Ok(Fixture {
        server,
        sara,
        ids,
        details,
    })
}

/// The export in `format` with `filters` (`(name, value)`), from the CLI (`--out FILE`, or
/// stdout through a pipe for XLSX) and from the server, in that order.
pub fn both(
    fx: &Fixture,
    format: &str,
    filters: &[(&str, &str)],
    lang: &str,
) -> Result<[Vec<u8>; 2]> {
    let mut args: Vec<String> = ["--lang", lang, "export", "--format", format]
        .map(String::from)
        .to_vec();
    for (name, value) in filters {
        args.extend([format!("--{name}"), (*value).to_owned()]);
    }
    let out = fx.sara.home().join(format!("export.{format}"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let cli = if format == "xlsx" {
        let run = fx.sara.run(&args)?;
        if !run.status.success() {
            bail!(
                "export to a pipe failed: {}",
                String::from_utf8_lossy(&run.stderr)
            );
        }
        run.stdout
    } else {
        let path = out.to_str().expect("utf-8 path");
        fx.sara.ok(&[&args[..], &["--out", path]].concat())?;
        std::fs::read(&out)?
    };
    let mut query = format!("/api/v1/export?format={format}&lang={lang}");
    for (name, value) in filters {
        query.push_str(&format!("&{name}={}", value.replace('+', "%2B")));
    }
    let (status, server) = fx.server.get(&query)?;
    if status != 200 {
        bail!("GET {query}: {status} {}", String::from_utf8_lossy(&server));
    }
    Ok([cli, server])
}

/// The ids of an NDJSON export, in order.
pub fn ndjson_ids(bytes: &[u8]) -> Result<Vec<String>> {
    let text = std::str::from_utf8(bytes)?;
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line)?;
            Ok(v["id"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}
