//! `fieldsync record`: record a new check.

use std::path::Path;

use anyhow::{Context as _, bail};
use clap::Args;
use fieldsync_schema::{
    CheckDoc, CheckId, FacilityKind, FormRef, Forms, NewCheck, ObservedAt, SiteId,
};

use super::{check_name, check_text, open_store, parse_sets, refresh_links};
use crate::output;
use crate::store::Store;

/// Record a new check. Prints only the new check's id on stdout.
#[derive(Debug, Args)]
pub struct Record {
    /// Facility kind: bakery, water_station, crossing, silo, mill, fuel_station,
    /// consumer_outlet or other.
    #[arg(long, value_name = "K")]
    pub kind: String,
    /// Stable site id, e.g. DEZ-BAK-014 (no spaces).
    #[arg(long, value_name = "ID")]
    pub site_id: String,
    /// Site name in Arabic, stored exactly as typed (1 to 200 characters, one line).
    #[arg(long, value_name = "NAME")]
    pub site_name: String,
    /// Site name in English (up to 200 characters, one line).
    #[arg(long, value_name = "NAME")]
    pub site_name_en: Option<String>,
    /// Latitude in decimal degrees, -90 to 90 (give with --lon); ASCII or Arabic-Indic
    /// digits, `.`, `,` or `٫` as decimal separator.
    #[arg(
        long,
        value_name = "F",
        requires = "lon",
        value_parser = parse_coordinate,
        allow_hyphen_values = true
    )]
    pub lat: Option<f64>,
    /// Longitude in decimal degrees, -180 to 180 (give with --lat), typed as --lat.
    #[arg(
        long,
        value_name = "F",
        requires = "lat",
        value_parser = parse_coordinate,
        allow_hyphen_values = true
    )]
    pub lon: Option<f64>,
    /// When observed, RFC 3339 with UTC offset (e.g. 2026-03-29T10:15+03:00) [default: now].
    #[arg(long, value_name = "TIME")]
    pub observed_at: Option<String>,
    /// A form value, field=value; repeat for each field (see `show` for labels).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Free-text notes (up to 10,000 characters).
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
}

impl Record {
    /// Validates the input, creates the check's document with its links, and stores it.
    ///
    /// # Errors
    /// Invalid kind, site id, coordinates, time or values (naming the input), or store
    /// failures.
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let mut store = open_store(home)?;
        let id = self.record(&mut store)?;
        eprintln!("تم تسجيل الفحص / check recorded: {id}");
        output::print(format!("{id}\n")).context("writing to stdout")?;
        Ok(())
    }

    /// Creates the check in `store` and returns its id (committed).
    ///
    /// # Errors
    /// As [`Record::run`].
    pub fn record(&self, store: &mut Store) -> anyhow::Result<CheckId> {
        let meta = store.db().meta()?;
        let author = meta.author();
        let new = self.new_check()?;
        let form = Forms::builtin().for_kind(new.kind);
        let form_ref = FormRef {
            id: form.id.clone(),
            version: form.version,
        };
        let mut doc = CheckDoc::create(&new, &form_ref, &author, meta.actor.clone())
            .context("creating the check document")?;
        refresh_links(&mut doc, &author)?;
        store.write(|db| db.insert_new(new.id, &mut doc))?;
        Ok(new.id)
    }

    /// The validated input as a [`NewCheck`] with a fresh id.
    ///
    /// # Errors
    /// As [`Record::run`].
    pub fn new_check(&self) -> anyhow::Result<NewCheck> {
        let kind: FacilityKind = self.kind.parse()?;
        let form = Forms::builtin().for_kind(kind);
        let name_ar = check_name("--site-name", &self.site_name)?;
        let name_en = match self.site_name_en.as_deref().map(str::trim) {
            Some(en) if !en.is_empty() => Some(check_name("--site-name-en", en)?.to_owned()),
            _ => None,
        };
        let notes = self.notes.clone().unwrap_or_default();
        check_text("--notes", &notes)?;
        let observed_at = match &self.observed_at {
            Some(text) => text.parse::<ObservedAt>()?,
            None => ObservedAt::now(),
        };
        Ok(NewCheck {
            id: CheckId::new(),
            kind,
            site: fieldsync_schema::Site {
                id: self.site_id.parse::<SiteId>()?,
                name_ar: name_ar.to_owned(),
                name_en,
                lat: check_range("--lat", self.lat, 90.0)?,
                lon: check_range("--lon", self.lon, 180.0)?,
            },
            observed_at,
            fields: parse_sets(form, &self.set)?,
            notes,
        })
    }
}

/// Parses a coordinate as `--set` parses decimals (ASCII or Arabic-Indic digits, `.`, `,`
/// or `٫` as separator), refusing NaN and infinity; clap names the flag.
fn parse_coordinate(raw: &str) -> Result<f64, String> {
    fieldsync_schema::forms::parse_decimal(raw)
        .ok_or_else(|| "not a number of decimal degrees (e.g. 35.33 or ٣٥٫٣٣)".to_owned())
}

/// Accepts a coordinate within `-limit..=limit`, naming the flag and value otherwise.
fn check_range(flag: &str, value: Option<f64>, limit: f64) -> anyhow::Result<Option<f64>> {
    match value {
        Some(v) if !(-limit..=limit).contains(&v) => {
            bail!("{flag} {v}: must be between -{limit} and {limit} decimal degrees")
        }
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_out_of_range_name_flag_and_value() {
        let cases = [
            ("--lat", 90.5, 90.0, false),
            ("--lat", -90.0, 90.0, true),
            ("--lon", 180.0, 180.0, true),
            ("--lon", -181.0, 180.0, false),
            ("--lat", f64::NAN, 90.0, false),
        ];
        for (flag, value, limit, ok) in cases {
            let got = check_range(flag, Some(value), limit);
            assert_eq!(got.is_ok(), ok, "{flag} {value}");
            if let Err(err) = got {
                let msg = err.to_string();
                assert!(
                    msg.contains(flag) && msg.contains(&value.to_string()),
                    "{msg}"
                );
            }
        }
        assert_eq!(check_range("--lat", None, 90.0).expect("none"), None);
    }

    #[test]
    fn coordinates_are_parsed_like_form_decimals() {
        let cases = [
            ("٣٥٫٣", Some(35.3)),
            ("-٣٥٫٣", Some(-35.3)),
            ("۴۰,۱۴", Some(40.14)),
            (" 35.336 ", Some(35.336)),
            ("-40", Some(-40.0)),
            ("NaN", None),
            ("inf", None),
            ("-infinity", None),
            ("north", None),
            ("", None),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_coordinate(raw).ok(), want, "{raw:?}");
        }
    }
}
