//! The GeoJSON read back by the geojson crate: located checks only, where they are, with
//! their properties; the rest counted.

use std::str::FromStr as _;

use ::geojson::{FeatureCollection, GeoJson, GeometryValue};

use super::*;
use crate::Lang;
use crate::export::Format;
use crate::export::columns::kind_fields;
use crate::export::tests::{encode, samples};

fn collection(bytes: &[u8]) -> FeatureCollection {
    let text = std::str::from_utf8(bytes).expect("utf-8");
    match GeoJson::from_str(text).expect("GeoJSON") {
        GeoJson::FeatureCollection(fc) => fc,
        other => panic!("not a FeatureCollection: {other:?}"),
    }
}

fn point(feature: &::geojson::Feature) -> Vec<f64> {
    match &feature.geometry.as_ref().expect("geometry").value {
        GeometryValue::Point { coordinates } => coordinates.as_slice().to_vec(),
        other => panic!("not a point: {other:?}"),
    }
}

#[test]
fn located_checks_are_points_and_the_others_are_counted() {
    let records = samples();
    let (bytes, totals) = encode(Format::Geojson, &records, Lang::En);
    let fc = collection(&bytes);
    assert_eq!(fc.features.len(), 3);
    assert_eq!(totals.without_location, 1);
    let members = fc.foreign_members.expect("foreign members");
    assert_eq!(members["without_location"], 1);

    let [bakery, fuel, mill] = &fc.features[..] else {
        panic!("three features")
    };
    assert_eq!(point(bakery), [40.14, 35.336], "site: [lon, lat]");
    assert_eq!(point(fuel), [39.01, 35.95], "the location field");
    assert_eq!(point(mill), [40.5, 35.5]);
    let props = |f: &::geojson::Feature| f.properties.clone().expect("properties");
    let b = props(bakery);
    assert_eq!(b["id"], records[0].check.id.to_string());
    assert_eq!(b["location_source"], "site");
    assert_eq!(
        b["site_name_ar"], "=مخبز \"الأمل\"",
        "JSON text is never altered"
    );
    assert_eq!(
        b["notes"],
        records[0].check.notes.as_str(),
        "Arabic byte-exact"
    );
    assert_eq!(b["resolutions"], serde_json::json!([16, 20]));
    assert_eq!(b["bread_price_syp"], 1250);
    assert_eq!(b["operating"], true);
    assert_eq!(b["observed_at"], "2026-03-29T10:15:00+03:00");
    assert_eq!(b["observed_at_utc"], "2026-03-29T07:15:00Z");
    assert_eq!(b["review_state"], "received");
    assert_eq!(b["valid"], records[0].valid());
    let f = props(fuel);
    assert_eq!(f["location_source"], "field:location");
    assert_eq!(f["last_delivery_at_utc"], "2026-03-28T20:45:00Z");
    assert_eq!(f["site_name_en"], "Al-Amal bakery");
    assert_eq!(props(mill)["flour_output_tonnes"], 12.5);
}

#[test]
fn a_point_out_of_range_or_unreadable_is_no_location() {
    let mut records = samples();
    records[0].check.site.lat = Some(95.0);
    records[1].check.fields.insert(
        "location".into(),
        crate::FieldValue::Text("north of the river".into()),
    );
    assert_eq!(
        location(&records[0].check),
        None,
        "lat 95 and no location field"
    );
    assert_eq!(location(&records[1].check), None);
    let (bytes, totals) = encode(Format::Geojson, &records, Lang::En);
    assert_eq!(collection(&bytes).features.len(), 1);
    assert_eq!(totals.without_location, 3);
}

#[test]
fn an_empty_export_is_an_empty_collection() {
    let (bytes, _) = encode(Format::Geojson, &[], Lang::En);
    let fc = collection(&bytes);
    assert!(fc.features.is_empty());
    assert_eq!(fc.foreign_members.expect("members")["without_location"], 0);
}

#[test]
fn no_form_field_is_named_like_a_fixed_property() {
    for kind in crate::FacilityKind::ALL {
        for field in kind_fields(kind) {
            for name in [field.name.clone(), format!("{}_utc", field.name)] {
                assert!(
                    !FIXED_PROPERTIES.contains(&name.as_str()),
                    "{kind}: {name} would overwrite a fixed property"
                );
            }
        }
    }
}
