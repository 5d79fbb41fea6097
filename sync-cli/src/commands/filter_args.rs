//! The filters of `fieldsync export` and `fieldsync report`: `--kind`, `--resolution`,
//! `--state`, `--since`, `--until`, `--site`, read into a [`RecordFilter`] by the same rules
//! as the server's query parameters ([`set_param`]).

use anyhow::anyhow;
use clap::Args;
use fieldsync_schema::record_params::set_param;
use fieldsync_schema::{Lang, RecordFilter};

/// Which checks a command covers; a check is covered when every filter given holds.
///
/// Values are kept as typed and read by [`FilterArgs::to_filter`] once the language is
/// known, so a refusal is in the user's language.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only this facility kind (bakery, water_station, crossing, silo, mill, fuel_station,
    /// consumer_outlet, other).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only this resolution number (1 to 42; Arabic-Indic digits accepted): `export` writes
    /// the checks linked to it; `report` reports on it alone, its findings still reading the
    /// covered checks that are not linked to it.
    #[arg(long, value_name = "N")]
    pub resolution: Option<String>,
    /// Only checks in this review state (received, has_issues, approved, rejected, edited).
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// Only checks observed on or after this date (the inspector's local date, 2026-03-01)
    /// or instant (2026-03-01T08:00+03:00).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only checks observed on or before this date or instant (inclusive).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only checks of this site id.
    #[arg(long, value_name = "SITE_ID")]
    pub site: Option<String>,
}

impl FilterArgs {
    /// The filter these flags describe.
    ///
    /// # Errors
    /// The first refused value, naming its flag, the value and the rule, in `lang`.
    pub fn to_filter(&self, lang: Lang) -> anyhow::Result<RecordFilter> {
        let given = [
            ("kind", &self.kind),
            ("resolution", &self.resolution),
            ("state", &self.state),
            ("since", &self.since),
            ("until", &self.until),
            ("site", &self.site),
        ];
        let mut filter = RecordFilter::default();
        for (name, value) in given {
            if let Some(value) = value {
                set_param(&mut filter, name, value).map_err(|e| anyhow!(e.message("--", lang)))?;
            }
        }
        Ok(filter)
    }
}

#[cfg(test)]
#[path = "filter_args_tests.rs"]
mod tests;
