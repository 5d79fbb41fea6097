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
/// Memory: one snapshot per (site, kind) (its headline values and the fields the findings
/// read), and per resolution a few counters, the set of its linked sites and its open
/// conflicts; nothing per check.
#[derive(Debug)]
pub struct ReportBuilder<'c> {
    catalog: &'c Catalog,
    scope: ReportScope,
    /// The filter without its resolution (which chooses what is reported).
    checks_filter: RecordFilter,
    only: Option<u16>,
    checks: u64,
    unlinked: u64,
    latest: BTreeMap<(FacilityKind, SiteId), Snapshot>,
    resolutions: BTreeMap<u16, Accumulator>,
}

/// What is kept for one resolution.
#[derive(Debug, Default)]
struct Accumulator {
    checks: u64,
    invalid: u64,
    review: StateCounts,
    sites: BTreeSet<(FacilityKind, SiteId)>,
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
        let scope = ReportScope::from(&filter);
        let only = filter.resolution;
        Self {
            catalog,
            scope,
            checks_filter: RecordFilter {
                resolution: None,
                ..filter
            },
            only,
            checks: 0,
            unlinked: 0,
            latest: BTreeMap::new(),
            resolutions: BTreeMap::new(),
        }
    }

    /// Adds one check; a check the filter does not cover (deleted ones included) is ignored.
    pub fn add(&mut self, record: &CheckRecord) {
        let check = &record.check;
        if !self.checks_filter.matches(check) {
            return;
        }
        self.checks += 1;
        let valid = record.valid();
        self.keep_if_latest(check, valid);
        let numbers: Vec<u16> = check
            .resolutions
            .iter()
            .copied()
            .filter(|n| self.only.is_none_or(|only| only == *n))
            .filter(|n| self.catalog.get(*n).is_some())
            .collect();
        if numbers.is_empty() {
            self.unlinked += 1;
        }
        for number in numbers {
            self.resolutions
                .entry(number)
                .or_default()
                .add(record, valid);
        }
    }

    /// Replaces the site's snapshot when `check` is later (see the module's definitions).
    fn keep_if_latest(&mut self, check: &Check, valid: bool) {
        let key = (check.kind, check.site.id.clone());
        let at = check.observed_at.utc();
        let newer = |old: &Snapshot| (at, check.id) > (old.at, old.shown.check);
        match self.latest.get(&key) {
            Some(old) if !newer(old) => {}
            _ => {
                self.latest.insert(key, snapshot(check, valid));
            }
        }
    }

    /// The report: resolutions in number order, their lists sorted.
    pub fn finish(self) -> ResolutionsReport {
        let resolutions = self
            .resolutions
            .iter()
            .filter_map(|(number, acc)| self.resolution(*number, acc))
            .collect();
        ResolutionsReport {
            scope: self.scope,
            checks: self.checks,
            unlinked: self.unlinked,
            resolutions,
        }
    }

    fn resolution(&self, number: u16, acc: &Accumulator) -> Option<ResolutionReport> {
        let info = self.catalog.get(number)?;
        let kinds: BTreeSet<FacilityKind> = info
            .kinds
            .iter()
            .copied()
            .chain(acc.sites.iter().map(|(kind, _)| *kind))
            .collect();
        let mut latest: Vec<LatestCheck> = self
            .latest
            .iter()
            .filter(|((kind, _), _)| kinds.contains(kind))
            .map(|(key, s)| LatestCheck {
                linked: acc.sites.contains(key),
                ..s.shown.clone()
            })
            .collect();
        latest.sort_by(|a, b| (&a.site_id, a.kind).cmp(&(&b.site_id, b.kind)));
        let mut conflicts = acc.conflicts.clone();
        conflicts.sort();
        let sites: BTreeSet<&SiteId> = acc.sites.iter().map(|(_, site)| site).collect();
        Some(ResolutionReport {
            number,
            text_ar: info.text_ar.clone(),
            title_en: info.title_en.clone(),
            checks: acc.checks,
            invalid: acc.invalid,
            sites: sites.len() as u64,
            review: acc.review,
            kinds: kinds.into_iter().map(|k| self.kind_findings(k)).collect(),
            latest,
            conflicts,
        })
    }

    /// The findings of `kind` over the latest check of each of its sites.
    fn kind_findings(&self, kind: FacilityKind) -> KindFindings {
        let of_kind: Vec<&Snapshot> = self
            .latest
            .iter()
            .filter(|((k, _), _)| *k == kind)
            .map(|(_, s)| s)
            .collect();
        let figures = findings::figures_for(kind)
            .iter()
            .map(|def| findings::compute(def, of_kind.iter().map(|s| &s.values)))
            .collect();
        KindFindings {
            kind,
            sites: of_kind.len() as u64,
            invalid: of_kind.iter().filter(|s| !s.shown.valid).count() as u64,
            figures,
        }
    }
}

impl Accumulator {
    fn add(&mut self, record: &CheckRecord, valid: bool) {
        let check = &record.check;
        self.checks += 1;
        self.invalid += u64::from(!valid);
        self.review.add(check.review.state);
        self.sites.insert((check.kind, check.site.id.clone()));
        self.conflicts
            .extend(record.conflicts.iter().map(|c| OpenConflict {
                check: check.id,
                site_id: check.site.id.clone(),
                field: c.field.clone(),
                values: c.values.len(),
            }));
    }
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
            linked: false,
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
