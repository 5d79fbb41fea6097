//! `fieldsync record`: record a new check.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, bail};
use clap::Args;
use fieldsync_schema::{
    CheckDoc, CheckId, FacilityKind, Forms, Lang, NewCheck, ObservedAt, SiteId,
};

use super::values::{missing_error, missing_required, parse_sets, refuse_errors};
use super::{check_name, check_text, open_store, refresh_links};
use crate::output;
use crate::store::Store;
use crate::walk::{Answers, Prompter, Walk, terminal};

/// Record a new check. Prints only the new check's id on stdout.
///
/// On a terminal, when `--set` leaves required fields without a value, the form is walked:
/// one question per relevant field, menus for choices, optional fields skippable with Esc.
/// Without a terminal (or with `--no-input`) missing required fields are an error listing
/// them. Every value is checked against the whole form before anything is stored.
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
    /// Never ask questions, even on a terminal: missing required fields are an error.
    #[arg(long, env = "FIELDSYNC_NO_INPUT")]
    pub no_input: bool,
}

impl Record {
    /// Validates the input, creates the check's document with its links, and stores it.
    ///
    /// # Errors
    /// Invalid kind, site id, coordinates, time or values (naming the input), or store
    /// failures.
    pub fn run(self, home: &Path, lang: Lang) -> anyhow::Result<()> {
        let mut store = open_store(home)?;
        let mut terminal = terminal::Terminal::new(lang);
        let prompter: Option<&mut dyn Prompter> =
            (!self.no_input && terminal::available()).then_some(&mut terminal);
        let id = self.record_with(&mut store, lang, prompter)?;
        eprintln!("تم تسجيل الفحص / check recorded: {id}");
        output::print(format!("{id}\n")).context("writing to stdout")?;
        Ok(())
    }

    /// Creates the check in `store` without asking anything, messages in English, and
    /// returns its id (committed): the tests' shortcut for [`Record::record_with`].
    ///
    /// # Errors
    /// As [`Record::run`].
    #[cfg(test)]
    pub fn record(&self, store: &mut Store) -> anyhow::Result<CheckId> {
        self.record_with(store, Lang::En, None)
    }

    /// Creates the check in `store`, asking `prompter` for missing fields when there is
    /// one, with refusals in `lang`; returns its id (committed).
    ///
    /// # Errors
    /// As [`Record::run`].
    pub fn record_with(
        &self,
        store: &mut Store,
        lang: Lang,
        prompter: Option<&mut dyn Prompter>,
    ) -> anyhow::Result<CheckId> {
        let meta = store.db().meta()?;
        let author = meta.author();
        let (new, raw) = self.input(lang, prompter)?;
        let form = Forms::builtin().current(new.kind).form_ref();
        let mut doc = CheckDoc::create_with_raw(&new, &raw, &form, &author, meta.actor.clone())
            .context("creating the check document")?;
        refresh_links(&mut doc, &author)?;
        store.write(|db| db.insert_new(new.id, &mut doc))?;
        Ok(new.id)
    }

    /// The validated input as a [`NewCheck`] with a fresh id, without asking anything.
    ///
    /// # Errors
    /// As [`Record::run`].
    #[cfg(test)]
    pub fn new_check(&self) -> anyhow::Result<NewCheck> {
        Ok(self.input(Lang::En, None)?.0)
    }

    /// The validated input and the text typed for values where it differs from the stored
    /// one. Flags are checked before any question is asked.
    fn input(
        &self,
        lang: Lang,
        prompter: Option<&mut dyn Prompter>,
    ) -> anyhow::Result<(NewCheck, BTreeMap<String, String>)> {
        let kind: FacilityKind = self.kind.parse()?;
        let form = Forms::builtin().current(kind);
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
        let answers = self.answers(form, lang, prompter)?;
        let new = NewCheck {
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
            fields: answers.values,
            notes,
        };
        Ok((new, answers.raw))
    }

    /// The `--set` values, completed by walking the form when required fields are missing
    /// and `prompter` is given, then checked as a whole.
    fn answers(
        &self,
        form: &fieldsync_schema::Form,
        lang: Lang,
        prompter: Option<&mut dyn Prompter>,
    ) -> anyhow::Result<Answers> {
        let mut answers = parse_sets(form, &self.set, lang)?;
        let missing = missing_required(form, &answers.values);
        if !missing.is_empty() {
            let Some(prompter) = prompter else {
                return Err(missing_error(&missing, lang));
            };
            answers = Walk::new(form, lang).run(prompter, answers)?;
        }
        refuse_errors(form, &form.validate(&answers.values), lang)?;
        Ok(answers)
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
