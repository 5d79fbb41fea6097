//! [`ReportBuilder`]: the accumulator that turns a stream of [`CheckRecord`]s into a
//! [`ResolutionsReport`] (definitions in the module docs of [`crate::report`]).

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::findings::{self, SiteValues};
use super::{
    HeadlineValue, KindFindings, LatestCheck, OpenConflict, ReportScope, ResolutionReport,
    ResolutionsReport, StateCounts,
};
use crate::{Catalog, Check, CheckRecord, FacilityKind, RecordFilter, SiteId};

/// Builds a [`ResolutionsReport`] from checks fed one at a time, in any order: the result
/// does not depend on the order (latest checks are chosen by observation instant and id,
/// lists are sorted at the end).
///
/// Memory: per resolution, a few counters and one snapshot per (site, kind) (its headline
/// values and the fields the findings read), plus the open conflicts listed.
#[derive(Debug)]
pub struct ReportBuilder<'c> {
    catalog: &'c Catalog,
    filter: RecordFilter,
    checks: u64,
    unlinked: u64,
    resolutions: BTreeMap<u16, Accumulator>,
}

/// What is kept for one resolution.
#[derive(Debug, Default)]
struct Accumulator {
    checks: u64,
    invalid: u64,
    review: StateCounts,
    latest: BTreeMap<(SiteId, FacilityKind), Snapshot>,
    conflicts: Vec<OpenConflict>,
}

/// The latest check of a site so far.
#[derive(Debug, Clone)]
struct Snapshot {
    at: Timestamp,
    shown: LatestCheck,
    values: SiteValues,
}

impl<'c> ReportBuilder<'c> {
    /// An empty report over the checks `filter` covers, titled from `catalog`.
    pub fn new(catalog: &'c Catalog, filter: RecordFilter) -> Self {
        Self {
            catalog,
            filter,
            checks: 0,
            unlinked: 0,
            resolutions: BTreeMap::new(),
        }
    }

    /// Adds one check; a check the filter does not cover (deleted ones included) is ignored.
    pub fn add(&mut self, record: &CheckRecord) {
        let check = &record.check;
        if !self.filter.matches(check) {
            return;
        }
        self.checks += 1;
        let numbers: Vec<u16> = check
            .resolutions
            .iter()
            .copied()
            .filter(|n| self.filter.resolution.is_none_or(|only| only == *n))
            .filter(|n| self.catalog.get(*n).is_some())
            .collect();
        if numbers.is_empty() {
            self.unlinked += 1;
            return;
        }
        let valid = record.valid();
        let snapshot = snapshot(check, valid);
        for number in numbers {
            self.resolutions
                .entry(number)
                .or_default()
                .add(record, valid, &snapshot);
        }
    }

    /// The report: resolutions in number order, their lists sorted.
    pub fn finish(self) -> ResolutionsReport {
        let catalog = self.catalog;
        let resolutions = self
            .resolutions
            .into_iter()
            .filter_map(|(number, acc)| {
                let info = catalog.get(number)?;
                Some(acc.finish(number, &info.text_ar, &info.title_en))
            })
            .collect();
        ResolutionsReport {
            scope: ReportScope::from(&self.filter),
            checks: self.checks,
            unlinked: self.unlinked,
            resolutions,
        }
    }
}

impl Accumulator {
    fn add(&mut self, record: &CheckRecord, valid: bool, snapshot: &Snapshot) {
        let check = &record.check;
        self.checks += 1;
        self.invalid += u64::from(!valid);
        self.review.add(check.review.state);
        let key = (check.site.id.clone(), check.kind);
        let newer =
            |old: &Snapshot| (snapshot.at, snapshot.shown.check) > (old.at, old.shown.check);
        match self.latest.get_mut(&key) {
            Some(old) if !newer(old) => {}
            Some(old) => *old = snapshot.clone(),
            None => {
                self.latest.insert(key, snapshot.clone());
            }
        }
        self.conflicts
            .extend(record.conflicts.iter().map(|c| OpenConflict {
                check: check.id,
                site_id: check.site.id.clone(),
                field: c.field.clone(),
                values: c.values.len(),
            }));
    }

    fn finish(mut self, number: u16, text_ar: &str, title_en: &str) -> ResolutionReport {
        self.conflicts.sort();
        let sites: BTreeSet<&SiteId> = self.latest.keys().map(|(site, _)| site).collect();
        let kinds = FacilityKind::ALL
            .into_iter()
            .filter_map(|kind| kind_findings(kind, &self.latest))
            .collect();
        ResolutionReport {
            number,
            text_ar: text_ar.to_owned(),
            title_en: title_en.to_owned(),
            checks: self.checks,
            invalid: self.invalid,
            sites: sites.len() as u64,
            review: self.review,
            kinds,
            latest: self.latest.into_values().map(|s| s.shown).collect(),
            conflicts: self.conflicts,
        }
    }
}

/// The findings of `kind` over the latest check of each of its sites, if it has any.
fn kind_findings(
    kind: FacilityKind,
    latest: &BTreeMap<(SiteId, FacilityKind), Snapshot>,
) -> Option<KindFindings> {
    let of_kind: Vec<&Snapshot> = latest
        .iter()
        .filter(|((_, k), _)| *k == kind)
        .map(|(_, s)| s)
        .collect();
    if of_kind.is_empty() {
        return None;
    }
    let figures = findings::figures_for(kind)
        .iter()
        .map(|def| findings::compute(def, of_kind.iter().map(|s| &s.values)))
        .collect();
    Some(KindFindings {
        kind,
        sites: of_kind.len() as u64,
        invalid: of_kind.iter().filter(|s| !s.shown.valid).count() as u64,
        figures,
    })
}

/// What a site's latest check contributes: its headline values and the fields the
/// findings of its kind read (never its notes or other free text).
fn snapshot(check: &Check, valid: bool) -> Snapshot {
    let values = findings::headline_fields(check.kind)
        .iter()
        .filter_map(|field| {
            check.fields.get(*field).map(|value| HeadlineValue {
                field,
                value: value.clone(),
            })
        })
        .collect();
    Snapshot {
        at: check.observed_at.utc(),
        shown: LatestCheck {
            check: check.id,
            site_id: check.site.id.clone(),
            site_name_ar: check.site.name_ar.clone(),
            site_name_en: check.site.name_en.clone(),
            kind: check.kind,
            observed_at: check.observed_at,
            review_state: check.review.state,
            valid,
            values,
        },
        values: check
            .fields
            .iter()
            .filter(|(name, _)| findings::reads(check.kind, name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
    }
}
