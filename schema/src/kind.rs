//! Facility kinds: the places inspectors visit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The kind of facility a check inspects.
///
/// Serialised in `snake_case` (`water_station`); the list comes from the resolutions'
/// text (`../shared/seeds/README.md` table): bakeries (16, 20, 28, 29), water stations (14),
/// crossings (7), silos (12), mills (27, 28), fuel stations (19, 20, 29), consumer
/// co-operative outlets (15), plus `other` for anything else (factories, centres, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityKind {
    /// فرن: a bakery, including the administration's reserve bakeries.
    Bakery,
    /// محطة مياه: a water pumping or treatment station.
    WaterStation,
    /// معبر: a humanitarian or commercial crossing.
    Crossing,
    /// صومعة: a grain silo.
    Silo,
    /// مطحنة: a flour mill.
    Mill,
    /// كازية: a fuel station.
    FuelStation,
    /// مؤسسة استهلاكية: a consumer co-operative outlet.
    ConsumerOutlet,
    /// Any other facility (factory, workshop, centre, ...).
    Other,
}

impl FacilityKind {
    /// Every kind, in display order.
    pub const ALL: [FacilityKind; 8] = [
        Self::Bakery,
        Self::WaterStation,
        Self::Crossing,
        Self::Silo,
        Self::Mill,
        Self::FuelStation,
        Self::ConsumerOutlet,
        Self::Other,
    ];

    /// The stable identifier used in documents, URLs and files (`water_station`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bakery => "bakery",
            Self::WaterStation => "water_station",
            Self::Crossing => "crossing",
            Self::Silo => "silo",
            Self::Mill => "mill",
            Self::FuelStation => "fuel_station",
            Self::ConsumerOutlet => "consumer_outlet",
            Self::Other => "other",
        }
    }

    /// The Arabic name, as the resolutions use it.
    pub fn label_ar(self) -> &'static str {
        match self {
            Self::Bakery => "فرن",
            Self::WaterStation => "محطة مياه",
            Self::Crossing => "معبر",
            Self::Silo => "صومعة",
            Self::Mill => "مطحنة",
            Self::FuelStation => "كازية",
            Self::ConsumerOutlet => "مؤسسة استهلاكية",
            Self::Other => "منشأة أخرى",
        }
    }

    /// The English name.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Bakery => "bakery",
            Self::WaterStation => "water station",
            Self::Crossing => "crossing",
            Self::Silo => "silo",
            Self::Mill => "mill",
            Self::FuelStation => "fuel station",
            Self::ConsumerOutlet => "consumer outlet",
            Self::Other => "other facility",
        }
    }
}

impl fmt::Display for FacilityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown facility kind; names the value and the accepted ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown facility kind {value:?}: expected one of bakery, water_station, crossing, silo, mill, fuel_station, consumer_outlet, other"
)]
pub struct UnknownKind {
    /// The rejected input.
    pub value: String,
}

impl FromStr for FacilityKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| UnknownKind {
                value: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_str_and_serde() {
        for kind in FacilityKind::ALL {
            assert_eq!(kind.as_str().parse::<FacilityKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).expect("serialise");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!("Water Station".parse(), Ok(FacilityKind::WaterStation));
    }

    #[test]
    fn unknown_kind_names_the_value() {
        let err = "hospital"
            .parse::<FacilityKind>()
            .expect_err("hospital is not a kind");
        assert!(err.to_string().contains("\"hospital\""), "{err}");
    }
}
