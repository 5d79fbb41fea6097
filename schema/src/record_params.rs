//! Reading a [`RecordFilter`] from text: the CLI's `--kind bakery` (`fieldsync export` and
//! `fieldsync report`) and the server's `?kind=bakery` (`GET /api/v1/export` and
//! `GET /api/v1/reports/resolutions`) all go through [`set_param`], so they accept and
//! refuse the same values with the same rules, in Arabic and English
//! ([`BadParam::message`]).

use crate::forms::normalise_digits;
use crate::{Catalog, FacilityKind, Lang, RecordFilter, ReviewState, SiteId, TimeBound};

/// The filter parameters, in the order they are documented.
pub const PARAMS: [&str; 6] = ["kind", "resolution", "state", "since", "until", "site"];

/// A filter value that was refused: which parameter, the value, and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}={value:?}: {rule_en}")]
pub struct BadParam {
    /// The parameter (`kind`).
    pub name: String,
    /// The rejected value.
    pub value: String,
    /// The rule, in Arabic.
    pub rule_ar: String,
    /// The rule, in English.
    pub rule_en: String,
}

impl BadParam {
    fn new(
        name: &str,
        value: &str,
        rule_ar: impl Into<String>,
        rule_en: impl Into<String>,
    ) -> Self {
        Self {
            name: name.to_owned(),
            value: value.to_owned(),
            rule_ar: rule_ar.into(),
            rule_en: rule_en.into(),
        }
    }

    /// The rule in `lang`.
    pub fn rule(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ar => &self.rule_ar,
            Lang::En => &self.rule_en,
        }
    }

    /// `PREFIX NAME "VALUE": RULE` in `lang`, `prefix` naming where the parameter came from
    /// (`--` for a flag, `query parameter ` for a URL).
    pub fn message(&self, prefix: &str, lang: Lang) -> String {
        let head = match lang {
            Lang::Ar => "قيمة مرفوضة",
            Lang::En => "invalid value",
        };
        format!(
            "{head} {prefix}{} {:?}: {}",
            self.name,
            self.value,
            self.rule(lang)
        )
    }
}

/// Sets criterion `name` of `filter` from `value`.
///
/// Accepted: `kind` a facility kind (`bakery`, `water-station`); `resolution` a number of
/// the catalog (Arabic-Indic digits too); `state` a review state; `since`/`until` a date
/// (`2026-03-01`, compared with the inspector's local date) or a date-time with a UTC
/// offset (compared as an instant), both ends inclusive; `site` a site id.
///
/// # Errors
/// [`BadParam`] for an unknown `name` or a value its rule refuses.
pub fn set_param(filter: &mut RecordFilter, name: &str, value: &str) -> Result<(), BadParam> {
    match name {
        "kind" => filter.kind = Some(kind(value)?),
        "resolution" => filter.resolution = Some(resolution(value)?),
        "state" => filter.state = Some(state(value)?),
        "since" => {
            filter.since = Some(bound(name, value)?);
            in_order(filter, name, value)?;
        }
        "until" => {
            filter.until = Some(bound(name, value)?);
            in_order(filter, name, value)?;
        }
        "site" => filter.site = Some(site(value)?),
        _ => {
            let list = PARAMS.join(", ");
            return Err(BadParam::new(
                name,
                value,
                format!("معيار غير معروف؛ المعايير: {list}"),
                format!("unknown filter; the filters are {list}"),
            ));
        }
    }
    Ok(())
}

fn kind(value: &str) -> Result<FacilityKind, BadParam> {
    value.parse().map_err(|_| {
        let list: Vec<&str> = FacilityKind::ALL.iter().map(|k| k.as_str()).collect();
        let list = list.join(", ");
        BadParam::new(
            "kind",
            value,
            format!("نوع منشأة غير معروف؛ الأنواع: {list}"),
            format!("unknown facility kind; expected one of {list}"),
        )
    })
}

fn resolution(value: &str) -> Result<u16, BadParam> {
    let catalog = Catalog::builtin();
    let last = catalog.resolutions().len();
    normalise_digits(value.trim())
        .parse::<u16>()
        .ok()
        .filter(|n| catalog.get(*n).is_some())
        .ok_or_else(|| {
            BadParam::new(
                "resolution",
                value,
                format!("ليس رقم قرار (من 1 إلى {last})"),
                format!("not a resolution number (1 to {last})"),
            )
        })
}

fn state(value: &str) -> Result<ReviewState, BadParam> {
    value.trim().parse().map_err(|_| {
        let list: Vec<&str> = ReviewState::ALL.iter().map(|s| s.as_str()).collect();
        let list = list.join(", ");
        BadParam::new(
            "state",
            value,
            format!("حالة مراجعة غير معروفة؛ الحالات: {list}"),
            format!("unknown review state; expected one of {list}"),
        )
    })
}

/// Refuses `since` after `until` (both dates, or both instants): nothing could match, and
/// an empty export would look like "no checks".
fn in_order(filter: &RecordFilter, name: &str, value: &str) -> Result<(), BadParam> {
    let reversed = match (filter.since, filter.until) {
        (Some(TimeBound::Date(a)), Some(TimeBound::Date(b))) => a > b,
        (Some(TimeBound::Instant(a)), Some(TimeBound::Instant(b))) => a > b,
        _ => false,
    };
    if reversed {
        return Err(BadParam::new(
            name,
            value,
            "بداية المدة (since) بعد نهايتها (until): لا يطابقها أي فحص",
            "since is after until: no check could match",
        ));
    }
    Ok(())
}

fn bound(name: &str, value: &str) -> Result<TimeBound, BadParam> {
    value.trim().parse().map_err(|e: crate::record::InvalidBound| {
        BadParam::new(
            name,
            value,
            format!(
                "المطلوب تاريخ مثل 2026-03-01 أو تاريخ ووقت مع فرق التوقيت مثل 2026-03-01T08:00+03:00 ({})",
                e.reason
            ),
            format!(
                "expected a date such as 2026-03-01 or a date-time with a UTC offset such as 2026-03-01T08:00+03:00 ({})",
                e.reason
            ),
        )
    })
}

fn site(value: &str) -> Result<SiteId, BadParam> {
    value.parse().map_err(|_| {
        BadParam::new(
            "site",
            value,
            "رمز الموقع من 1 إلى 64 حرفاً بلا مسافات",
            "a site id is 1 to 64 characters without spaces",
        )
    })
}

#[cfg(test)]
#[path = "record_params_tests.rs"]
mod tests;
