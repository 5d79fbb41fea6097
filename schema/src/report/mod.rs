//! Follow-up reports per resolution: what the field found for each resolution that has
//! linked checks, for the follow-up committees (resolution 40).
//!
//! [`ReportBuilder`] is fed one [`CheckRecord`] at a time (the CLI's store walk, the
//! server's `Store::for_each_record`) and keeps one small snapshot per site and, per
//! resolution, counters and the set of its linked sites, so its memory grows with
//! resolutions x sites (plus the open conflicts it lists), never with the number of checks. [`ReportBuilder::finish`] gives a
//! [`ResolutionsReport`], serialisable as JSON (serde) and rendered by [`to_markdown`] and
//! [`to_html`] (one self-contained page, Arabic first, right to left, printable, with small
//! inline SVG charts). Every output is sorted, so the same checks give the same bytes.
//!
//! ## Definitions
//!
//! - **Covered check**: a check the [`RecordFilter`] matches, except for its `resolution`,
//!   which chooses the resolution reported rather than the checks read (so the findings of
//!   resolution 14 still count the water stations that run, which no rule links to it).
//!   Deleted checks never count. Every review state counts, `rejected` included, so the
//!   committee sees everything the field sent with how it was reviewed; filter on
//!   `state=approved` for a report on approved checks only.
//! - **Invalid checks count**: a check that breaks a form rule is still evidence; it counts
//!   everywhere like a valid one, and the report says how many of each resolution's checks
//!   are invalid (`invalid`), how many of each kind's latest checks are, and flags each
//!   latest check (`valid`).
//! - **Linked check**: a covered check whose `resolutions` (linking rules and supervisors'
//!   manual links) include the resolution. Links to numbers the catalog lacks are not
//!   reported (validation flags such a check invalid). A resolution is reported when it
//!   has at least one linked check.
//! - **Checks, invalid, by review state, sites covered, open conflicts**: over the
//!   resolution's linked checks; sites covered is the number of distinct site ids among
//!   them; an open conflict is a same-field concurrent write not yet decided (check, site,
//!   field path, number of values).
//! - **Latest check of a site**: among the covered checks of a (site id, facility kind),
//!   the one observed last (by instant, UTC); of two observed at the same instant, the one
//!   with the greater id (ids are UUID v7: created later). A site id recorded under two
//!   kinds has a latest check per kind.
//! - **Its facility kinds**: the kinds the catalog gives the resolution, plus the kinds of
//!   its linked checks.
//! - **Key findings** of each of its kinds ([`findings`]): computed over the latest check of
//!   every site of that kind, linked or not, so a site visited five times counts once, as
//!   it was last seen, and the stations that work count beside those that do not. Each
//!   [`Figure`] says how many sites reported what it reads (`reporting`).
//! - **Latest check per site**: the latest check of every site of its kinds, the ones the
//!   findings count, each marked `linked` when the site has a check linked to the
//!   resolution.

mod aggregate;
pub mod findings;
mod format;
mod html;
mod markdown;
mod svg;

use serde::Serialize;

pub use aggregate::ReportBuilder;
pub use html::to_html;
pub use markdown::to_markdown;

use crate::{CheckId, FacilityKind, FieldValue, ObservedAt, RecordFilter, ReviewState, SiteId};

#[cfg(doc)]
use crate::CheckRecord;

/// The follow-up report: every resolution with covered linked checks, in number order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolutionsReport {
    /// Which checks it covers.
    pub scope: ReportScope,
    /// Covered checks read, linked to a resolution or not.
    pub checks: u64,
    /// Covered checks linked to no reported resolution (they count only in the findings of
    /// their kind).
    pub unlinked: u64,
    /// One entry per resolution with at least one covered linked check, by number.
    pub resolutions: Vec<ResolutionReport>,
}

/// The filter a report was made with, as shown in its heading; `None` is "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportScope {
    /// Only this facility kind.
    pub kind: Option<FacilityKind>,
    /// Only this resolution.
    pub resolution: Option<u16>,
    /// Only this review state.
    pub review_state: Option<ReviewState>,
    /// Observed at or after (a date or an instant, as given).
    pub since: Option<String>,
    /// Observed at or before (a date or an instant, as given).
    pub until: Option<String>,
    /// Only this site.
    pub site: Option<SiteId>,
}

impl From<&RecordFilter> for ReportScope {
    fn from(filter: &RecordFilter) -> Self {
        Self {
            kind: filter.kind,
            resolution: filter.resolution,
            review_state: filter.state,
            since: filter.since.map(|b| b.to_string()),
            until: filter.until.map(|b| b.to_string()),
            site: filter.site.clone(),
        }
    }
}

/// What the field found for one resolution (see the module's definitions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolutionReport {
    /// The resolution's number.
    pub number: u16,
    /// Its Arabic text, as the conference stated it.
    pub text_ar: String,
    /// Its English title.
    pub title_en: String,
    /// Covered checks linked to it.
    pub checks: u64,
    /// Of those, checks flagged invalid (they still count).
    pub invalid: u64,
    /// Distinct site ids among them.
    pub sites: u64,
    /// Those checks by review state.
    pub review: StateCounts,
    /// Key findings of each of its facility kinds, in [`FacilityKind::ALL`] order (a kind
    /// no covered check has is listed with 0 sites and no values).
    pub kinds: Vec<KindFindings>,
    /// The latest check of every site of its kinds, by site id then kind.
    pub latest: Vec<LatestCheck>,
    /// Open conflicts of its checks, by check id then field.
    pub conflicts: Vec<OpenConflict>,
}

/// Checks per review state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StateCounts {
    /// Not yet reviewed.
    pub received: u64,
    /// A supervisor found problems.
    pub has_issues: u64,
    /// Accepted.
    pub approved: u64,
    /// Rejected.
    pub rejected: u64,
    /// Changed after a review.
    pub edited: u64,
}

impl StateCounts {
    /// The count for `state`.
    pub fn get(&self, state: ReviewState) -> u64 {
        match state {
            ReviewState::Received => self.received,
            ReviewState::HasIssues => self.has_issues,
            ReviewState::Approved => self.approved,
            ReviewState::Rejected => self.rejected,
            ReviewState::Edited => self.edited,
        }
    }

    fn add(&mut self, state: ReviewState) {
        let slot = match state {
            ReviewState::Received => &mut self.received,
            ReviewState::HasIssues => &mut self.has_issues,
            ReviewState::Approved => &mut self.approved,
            ReviewState::Rejected => &mut self.rejected,
            ReviewState::Edited => &mut self.edited,
        };
        *slot += 1;
    }
}

/// The key findings of one facility kind under a resolution, from the latest check of each
/// of its sites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindFindings {
    /// The facility kind.
    pub kind: FacilityKind,
    /// Sites of this kind (= latest checks read).
    pub sites: u64,
    /// Of their latest checks, those flagged invalid (they still count).
    pub invalid: u64,
    /// The figures [`findings::figures_for`] defines for the kind, in that order.
    pub figures: Vec<Figure>,
}

impl KindFindings {
    /// The figure with this id, if the kind defines it.
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.id == id)
    }
}

/// One key figure (defined in [`findings`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Stable identifier (`bread_price_mean`).
    pub id: &'static str,
    /// Arabic label.
    pub label_ar: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// How it is computed.
    pub measure: Measure,
    /// Unit of the value (`SYP`, `kg`, `m3/h`, `tonnes`, `hours`, `people`); `None` for a
    /// count of sites or a ratio.
    pub unit: Option<&'static str>,
    /// The value; `None` when no site reported what it reads (or a ratio's denominator is 0).
    pub value: Option<f64>,
    /// Sites whose latest check reported what the figure reads.
    pub reporting: u64,
}

/// How a [`Figure`] is computed over the latest check of each site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Number of sites (answering a yes/no question in a given way).
    Count,
    /// Sum of a number over the sites reporting it.
    Total,
    /// Arithmetic mean of a number over the sites reporting it.
    Mean,
    /// Largest value among the sites reporting it.
    Max,
    /// Sum of one number over sum of another, over the sites reporting both (0.75 = 75 %).
    Ratio,
}

/// The latest check of one site, with its headline values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatestCheck {
    /// The check.
    pub check: CheckId,
    /// The site id.
    pub site_id: SiteId,
    /// Site name in Arabic, as typed.
    pub site_name_ar: String,
    /// Site name in English, if given.
    pub site_name_en: Option<String>,
    /// Facility kind.
    pub kind: FacilityKind,
    /// When it was observed, with the inspector's UTC offset.
    pub observed_at: ObservedAt,
    /// Its review state.
    pub review_state: ReviewState,
    /// False when it is flagged invalid.
    pub valid: bool,
    /// True when the site has a check linked to the resolution (this one or another).
    pub linked: bool,
    /// The values of the kind's headline fields it has ([`findings::headline_fields`]),
    /// in that order.
    pub values: Vec<HeadlineValue>,
}

/// One headline value of a [`LatestCheck`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadlineValue {
    /// Form field name.
    pub field: &'static str,
    /// Its value.
    pub value: FieldValue,
}

/// An open conflict of a linked check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OpenConflict {
    /// The check.
    pub check: CheckId,
    /// Its site.
    pub site_id: SiteId,
    /// The key path (`fields.bread_price_syp`).
    pub field: String,
    /// How many concurrent values it has.
    pub values: usize,
}

#[cfg(test)]
#[path = "aggregate_tests.rs"]
mod aggregate_tests;
#[cfg(test)]
mod fixture;
#[cfg(test)]
#[path = "render_tests.rs"]
mod render_tests;
