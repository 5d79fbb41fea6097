//! The key findings of each facility kind: which figures a committee sees, read from the
//! forms' fields (`schema/forms/<kind>/v<N>.toml`), and how each is computed over the latest
//! check of each site ([`super::ResolutionReport`]).
//!
//! A site *reports* a field when its latest check has a value of the expected type for it
//! (a yes/no answer for counts, a number otherwise); a field left empty, or not asked
//! because it was not relevant (no bread price at a closed bakery), is not reported, so
//! means and totals are over the sites that gave the value, and each figure says how many
//! did (`reporting`).

use std::collections::BTreeMap;

use super::{Figure, Measure};
use crate::{FacilityKind, FieldValue};

/// What a figure reads and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Sites answering `field` = yes (reporting: sites answering it).
    Yes(&'static str),
    /// Sites answering `field` = no (reporting: sites answering it).
    No(&'static str),
    /// Sites answering yes to both fields (reporting: sites answering both).
    BothYes(&'static str, &'static str),
    /// Sites where the first number is greater than the second (reporting: sites with both).
    Above(&'static str, &'static str),
    /// Sum of a number.
    Total(&'static str),
    /// Mean of a number.
    Mean(&'static str),
    /// Largest value of a number.
    Max(&'static str),
    /// Sum of the first number over sum of the second, over sites reporting both; no value
    /// when that second sum is 0.
    Ratio(&'static str, &'static str),
}

impl Rule {
    /// The fields it reads.
    pub fn fields(self) -> [Option<&'static str>; 2] {
        match self {
            Self::Yes(f) | Self::No(f) | Self::Total(f) | Self::Mean(f) | Self::Max(f) => {
                [Some(f), None]
            }
            Self::BothYes(a, b) | Self::Above(a, b) | Self::Ratio(a, b) => [Some(a), Some(b)],
        }
    }

    fn measure(self) -> Measure {
        match self {
            Self::Yes(_) | Self::No(_) | Self::BothYes(..) | Self::Above(..) => Measure::Count,
            Self::Total(_) => Measure::Total,
            Self::Mean(_) => Measure::Mean,
            Self::Max(_) => Measure::Max,
            Self::Ratio(..) => Measure::Ratio,
        }
    }
}

/// One figure's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureDef {
    /// Stable identifier.
    pub id: &'static str,
    /// Arabic label.
    pub label_ar: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// Unit of the value, for totals, means and maxima.
    pub unit: Option<&'static str>,
    /// How it is computed.
    pub rule: Rule,
}

const fn def(
    id: &'static str,
    label_ar: &'static str,
    label_en: &'static str,
    unit: Option<&'static str>,
    rule: Rule,
) -> FigureDef {
    FigureDef {
        id,
        label_ar,
        label_en,
        unit,
        rule,
    }
}

const SYP: Option<&str> = Some("SYP");
const TONNES: Option<&str> = Some("tonnes");
const HOURS: Option<&str> = Some("hours");

use Rule::{Above, BothYes, Max, Mean, No, Ratio, Total, Yes};

#[rustfmt::skip]
const BAKERY: &[FigureDef] = &[
    def("operating", "أفران عاملة", "bakeries operating", None, Yes("operating")),
    def("closed", "أفران متوقفة", "bakeries closed", None, No("operating")),
    def("reserve_operating", "أفران احتياطية عاملة", "reserve bakeries operating", None, BothYes("reserve_bakery", "operating")),
    def("bread_price_mean", "متوسط سعر الربطة المتقاضى", "mean bread price charged", SYP, Mean("bread_price_syp")),
    def("bread_price_max", "أعلى سعر ربطة متقاضى", "highest bread price charged", SYP, Max("bread_price_syp")),
    def("bread_price_official_mean", "متوسط السعر الرسمي للربطة", "mean official bread price", SYP, Mean("bread_price_official_syp")),
    def("above_official", "أفران تبيع فوق السعر الرسمي", "bakeries charging above the official price", None, Above("bread_price_syp", "bread_price_official_syp")),
    def("flour_due_total", "مجموع مخصصات الطحين", "flour allocated, total", Some("kg"), Total("flour_due_kg")),
    def("flour_received_total", "مجموع الطحين المستلم", "flour received, total", Some("kg"), Total("flour_received_kg")),
    def("flour_received_ratio", "نسبة المستلم إلى المخصص", "flour received / allocated", None, Ratio("flour_received_kg", "flour_due_kg")),
];

#[rustfmt::skip]
const WATER_STATION: &[FigureDef] = &[
    def("operating", "محطات عاملة", "stations operating", None, Yes("operating")),
    def("stopped", "محطات متوقفة", "stations stopped", None, No("operating")),
    def("output_total", "مجموع الضخ", "output, total", Some("m3/h"), Total("output_m3h")),
    def("output_mean", "متوسط الضخ", "output, mean", Some("m3/h"), Mean("output_m3h")),
    def("operating_hours_mean", "متوسط ساعات التشغيل", "operating hours a day, mean", HOURS, Mean("operating_hours")),
    def("people_served_total", "عدد المستفيدين", "people served, total", Some("people"), Total("people_served")),
];

#[rustfmt::skip]
const CROSSING: &[FigureDef] = &[
    def("open", "معابر مفتوحة", "crossings open", None, Yes("open")),
    def("closed", "معابر مغلقة", "crossings closed", None, No("open")),
    def("fees_charged", "معابر تتقاضى رسوماً", "crossings charging fees", None, Yes("fees_charged")),
    def("fee_mean", "متوسط الرسم", "fee, mean", SYP, Mean("fee_syp")),
    def("wait_mean", "متوسط ساعات الانتظار", "waiting time, mean", HOURS, Mean("wait_hours")),
];

#[rustfmt::skip]
const SILO: &[FigureDef] = &[
    def("sound", "صوامع سليمة إنشائياً", "silos structurally sound", None, Yes("structurally_sound")),
    def("damaged", "صوامع متضررة", "silos damaged", None, No("structurally_sound")),
    def("stock_total", "مجموع المخزون", "stock, total", TONNES, Total("stock_tonnes")),
    def("capacity_total", "مجموع السعة", "capacity, total", TONNES, Total("capacity_tonnes")),
    def("fill_ratio", "نسبة الامتلاء", "stock / capacity", None, Ratio("stock_tonnes", "capacity_tonnes")),
];

#[rustfmt::skip]
const MILL: &[FigureDef] = &[
    def("operating", "مطاحن عاملة", "mills operating", None, Yes("operating")),
    def("stopped", "مطاحن متوقفة", "mills stopped", None, No("operating")),
    def("flour_output_total", "مجموع إنتاج الطحين", "flour output, total", TONNES, Total("flour_output_tonnes")),
    def("wheat_stock_total", "مجموع مخزون القمح", "wheat stock, total", TONNES, Total("wheat_stock_tonnes")),
    def("capacity_total", "مجموع الطاقة الإنتاجية", "capacity, total", TONNES, Total("capacity_tonnes")),
];

#[rustfmt::skip]
const FUEL_STATION: &[FigureDef] = &[
    def("operating", "كازيات عاملة", "fuel stations operating", None, Yes("operating")),
    def("closed", "كازيات متوقفة", "fuel stations closed", None, No("operating")),
    def("petrol_available", "يتوفر فيها البنزين", "petrol available", None, Yes("petrol_available")),
    def("diesel_available", "يتوفر فيها المازوت", "diesel available", None, Yes("diesel_available")),
    def("petrol_price_mean", "متوسط سعر البنزين المتقاضى", "mean petrol price charged", SYP, Mean("petrol_price_syp")),
    def("petrol_price_max", "أعلى سعر بنزين متقاضى", "highest petrol price charged", SYP, Max("petrol_price_syp")),
    def("petrol_price_official_mean", "متوسط السعر الرسمي للبنزين", "mean official petrol price", SYP, Mean("petrol_price_official_syp")),
    def("above_official", "كازيات تبيع فوق السعر الرسمي", "stations charging above the official petrol price", None, Above("petrol_price_syp", "petrol_price_official_syp")),
];

#[rustfmt::skip]
const CONSUMER_OUTLET: &[FigureDef] = &[
    def("open", "صالات مفتوحة", "outlets open", None, Yes("open")),
    def("closed", "صالات مغلقة", "outlets closed", None, No("open")),
    def("prices_displayed", "الأسعار معلنة", "prices displayed", None, Yes("prices_displayed")),
    def("prices_match_official", "الأسعار مطابقة للرسمية", "prices match the official ones", None, Yes("prices_match_official")),
];

#[rustfmt::skip]
const OTHER: &[FigureDef] = &[
    def("operating", "منشآت عاملة", "facilities operating", None, Yes("operating")),
    def("stopped", "منشآت متوقفة", "facilities stopped", None, No("operating")),
];

/// The figures reported for `kind`, in display order.
pub fn figures_for(kind: FacilityKind) -> &'static [FigureDef] {
    match kind {
        FacilityKind::Bakery => BAKERY,
        FacilityKind::WaterStation => WATER_STATION,
        FacilityKind::Crossing => CROSSING,
        FacilityKind::Silo => SILO,
        FacilityKind::Mill => MILL,
        FacilityKind::FuelStation => FUEL_STATION,
        FacilityKind::ConsumerOutlet => CONSUMER_OUTLET,
        FacilityKind::Other => OTHER,
    }
}

/// The fields shown beside each latest check of `kind`, in order.
#[rustfmt::skip]
pub fn headline_fields(kind: FacilityKind) -> &'static [&'static str] {
    match kind {
        FacilityKind::Bakery => &["operating", "bread_price_syp", "bread_price_official_syp", "flour_received_kg"],
        FacilityKind::WaterStation => &["operating", "output_m3h"],
        FacilityKind::Crossing => &["open", "wait_hours"],
        FacilityKind::Silo => &["structurally_sound", "stock_tonnes"],
        FacilityKind::Mill => &["operating", "flour_output_tonnes"],
        FacilityKind::FuelStation => &["operating", "petrol_price_syp"],
        FacilityKind::ConsumerOutlet => &["open", "prices_match_official"],
        FacilityKind::Other => &["operating"],
    }
}

/// True when a figure of `kind` reads `field` (so a snapshot of a site keeps it).
pub fn reads(kind: FacilityKind, field: &str) -> bool {
    figures_for(kind)
        .iter()
        .flat_map(|d| d.rule.fields())
        .any(|f| f == Some(field))
}

/// The values of one site's latest check that the figures read.
pub type SiteValues = BTreeMap<String, FieldValue>;

/// Computes `def` over the sites' values.
pub fn compute<'a>(def: &FigureDef, sites: impl Iterator<Item = &'a SiteValues>) -> Figure {
    let (value, reporting) = evaluate(def.rule, sites);
    Figure {
        id: def.id,
        label_ar: def.label_ar,
        label_en: def.label_en,
        measure: def.rule.measure(),
        unit: def.unit,
        value,
        reporting,
    }
}

fn flag(values: &SiteValues, field: &str) -> Option<bool> {
    match values.get(field) {
        Some(FieldValue::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn number(values: &SiteValues, field: &str) -> Option<f64> {
    values.get(field).and_then(FieldValue::as_f64)
}

/// The figure's value and how many sites reported what it reads.
fn evaluate<'a>(rule: Rule, sites: impl Iterator<Item = &'a SiteValues>) -> (Option<f64>, u64) {
    let mut reporting = 0u64;
    let (mut sum, mut other_sum, mut count, mut max) = (0.0, 0.0, 0u64, f64::NEG_INFINITY);
    for v in sites {
        let seen = match rule {
            Yes(f) => flag(v, f).map(|b| count += u64::from(b)),
            No(f) => flag(v, f).map(|b| count += u64::from(!b)),
            BothYes(a, b) => flag(v, a)
                .zip(flag(v, b))
                .map(|(a, b)| count += u64::from(a && b)),
            Above(a, b) => number(v, a)
                .zip(number(v, b))
                .map(|(a, b)| count += u64::from(a > b)),
            Total(f) | Mean(f) | Max(f) => number(v, f).map(|x| {
                sum += x;
                max = max.max(x);
            }),
            Ratio(a, b) => number(v, a).zip(number(v, b)).map(|(a, b)| {
                sum += a;
                other_sum += b;
            }),
        };
        reporting += u64::from(seen.is_some());
    }
    let value = match rule {
        Yes(_) | No(_) | BothYes(..) | Above(..) => (reporting > 0).then_some(count as f64),
        Total(_) => (reporting > 0).then_some(sum),
        Mean(_) => (reporting > 0).then(|| sum / reporting as f64),
        Max(_) => (reporting > 0).then_some(max),
        Ratio(..) => (other_sum > 0.0).then(|| sum / other_sum),
    };
    (value, reporting)
}
