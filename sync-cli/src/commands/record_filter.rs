//! `--kind`, `--resolution`, `--state`, `--since`, `--until` and `--site`: which checks a
//! report covers, as a [`RecordFilter`] (the same selection the server applies to
//! `?kind=&resolution=&state=&since=&until=&site=`).

use clap::Args;
use fieldsync_schema::forms::normalise_digits;
use fieldsync_schema::{Catalog, FacilityKind, RecordFilter, ReviewState, SiteId, TimeBound};

/// Filters of a report; a check is covered when it passes every one given. Deleted checks
/// are never covered.
#[derive(Debug, Clone, Default, Args)]
pub struct RecordFilterArgs {
    /// Only checks of this facility kind (bakery, water_station, crossing, silo, mill,
    /// fuel_station, consumer_outlet, other).
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub kind: Option<FacilityKind>,
    /// Only checks linked to this resolution (1 to 42; Arabic-Indic digits accepted).
    #[arg(long, value_name = "N", value_parser = parse_resolution)]
    pub resolution: Option<u16>,
    /// Only checks in this review state (received, has_issues, approved, rejected, edited).
    #[arg(long, value_name = "STATE", value_parser = parse_state)]
    pub state: Option<ReviewState>,
    /// Only checks observed on or after this date (2026-03-01, the date the inspector's
    /// device showed) or instant (2026-03-01T08:00+03:00).
    #[arg(long, value_name = "DATE|TIME", value_parser = parse_bound)]
    pub since: Option<TimeBound>,
    /// Only checks observed on or before this date or instant (inclusive).
    #[arg(long, value_name = "DATE|TIME", value_parser = parse_bound)]
    pub until: Option<TimeBound>,
    /// Only checks of this site id.
    #[arg(long, value_name = "SITE_ID", value_parser = parse_site)]
    pub site: Option<SiteId>,
}

impl RecordFilterArgs {
    /// The filter these flags describe.
    pub fn filter(&self) -> RecordFilter {
        RecordFilter {
            kind: self.kind,
            resolution: self.resolution,
            state: self.state,
            since: self.since,
            until: self.until,
            site: self.site.clone(),
        }
    }
}

fn parse_kind(s: &str) -> Result<FacilityKind, String> {
    s.parse()
        .map_err(|e: fieldsync_schema::kind::UnknownKind| e.to_string())
}

fn parse_state(s: &str) -> Result<ReviewState, String> {
    s.trim().parse()
}

fn parse_bound(s: &str) -> Result<TimeBound, String> {
    s.parse()
        .map_err(|e: fieldsync_schema::record::InvalidBound| e.to_string())
}

fn parse_site(s: &str) -> Result<SiteId, String> {
    s.parse()
        .map_err(|e: fieldsync_schema::ids::InvalidSiteId| e.to_string())
}

/// A resolution number the catalog has.
fn parse_resolution(s: &str) -> Result<u16, String> {
    let catalog = Catalog::builtin();
    normalise_digits(s.trim())
        .parse::<u16>()
        .ok()
        .filter(|n| catalog.get(*n).is_some())
        .ok_or_else(|| {
            format!(
                "{s:?} is not a resolution number (1 to {})",
                catalog.resolutions().len()
            )
        })
}
