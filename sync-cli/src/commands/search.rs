//! `list --site-name TEXT` and `list --search TEXT`: which checks to keep, with Arabic
//! spelling folded ([`fieldsync_schema::input::matches`]): hamza forms, ta marbuta and ha,
//! alef maqsura and ya, tatweel and harakat are ignored, Latin letters compared without
//! case, so `مخبز الامل` finds `مخبز الأمل` and `dez-bak` finds `DEZ-BAK-014`.

use clap::Args;
use fieldsync_schema::Check;
use fieldsync_schema::input::matches;

/// Filters of `list`; a check is kept when it passes every one given.
#[derive(Debug, Clone, Default, Args)]
pub struct Search {
    /// Only checks whose site name (Arabic or English) contains TEXT, spelling variants of
    /// Arabic folded (`مخبز الامل` finds `مخبز الأمل`).
    #[arg(long, value_name = "TEXT")]
    pub site_name: Option<String>,
    /// Only checks whose site name, site id or notes contain TEXT, folded as --site-name
    /// (site ids without regard to case).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
}

impl Search {
    /// Whether any filter is given.
    pub fn is_given(&self) -> bool {
        self.site_name.is_some() || self.search.is_some()
    }

    /// Whether `check` passes every filter given (all checks pass when none is).
    pub fn keeps(&self, check: &Check) -> bool {
        let site = &check.site;
        let names = || [Some(site.name_ar.as_str()), site.name_en.as_deref()];
        let name_ok = self
            .site_name
            .as_deref()
            .is_none_or(|q| names().into_iter().flatten().any(|name| matches(q, name)));
        let text_ok = self.search.as_deref().is_none_or(|q| {
            let id = site.id.to_string();
            let others = [Some(id.as_str()), Some(check.notes.as_str())];
            names()
                .into_iter()
                .chain(others)
                .flatten()
                .any(|t| matches(q, t))
        });
        name_ok && text_ok
    }
}
