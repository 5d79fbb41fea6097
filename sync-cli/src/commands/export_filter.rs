//! The filters of `fieldsync export`: `--kind`, `--resolution`, `--state`, `--since`,
//! `--until`, `--site`, read into a [`RecordFilter`] by the same rules as the server's
//! `GET /api/v1/export` ([`set_param`]).

use anyhow::anyhow;
use clap::Args;
use fieldsync_schema::export::set_param;
use fieldsync_schema::{Lang, RecordFilter};

/// Which checks `export` writes; a check is written when every filter given holds.
#[derive(Debug, Clone, Default, Args)]
pub struct ExportFilter {
    /// Only this facility kind (bakery, water_station, crossing, silo, mill, fuel_station,
    /// consumer_outlet, other).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only checks linked to this resolution number (1 to 42).
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

impl ExportFilter {
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
