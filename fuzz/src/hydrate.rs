//! The hydration target: a valid check document whose values and shapes are changed by the
//! fuzzer's bytes, then read back as a check, validated and linked as the server does.

use std::sync::LazyLock;

use automerge::transaction::Transactable as _;
use automerge::{AutoCommit, ObjId, ObjType, Prop, ROOT, ReadDoc as _, ScalarValue, Value};
use fieldsync_schema::validation::check_violations;
use fieldsync_schema::{Catalog, CheckDoc};

use crate::stored_check;

/// Edits of 3 bytes each, `[place, kind, arg]`: `place` picks a key or list index of the
/// document (every one, however deep, listed afresh before each edit), `kind` what to put
/// there (a scalar of each type, an empty map, list or text, or a deletion), `arg` which
/// value of that type. The edited document is read as a check ([`CheckDoc::read`]), its
/// conflicts listed, and a check that reads is validated and linked: none may panic.
pub fn hydrate_check(data: &[u8]) {
    static BASE: LazyLock<CheckDoc> =
        LazyLock::new(|| CheckDoc::load(stored_check()).expect("the stored check loads"));
    let mut doc = BASE.clone();
    for edit in data.chunks_exact(3).take(64) {
        apply(doc.automerge(), edit[0], edit[1], edit[2]);
    }
    if let Ok(check) = doc.read() {
        let _ = check_violations(&check);
        let _ = Catalog::builtin().check_links(&check);
    }
    let _ = doc.conflicts();
}

/// Every (object, key or index) of the document, depth first.
fn places(doc: &AutoCommit) -> Vec<(ObjId, Prop)> {
    let mut out = Vec::new();
    let mut stack = vec![ROOT];
    while let Some(obj) = stack.pop() {
        let props: Vec<Prop> = match doc.object_type(&obj) {
            Ok(ObjType::Map | ObjType::Table) => doc.keys(&obj).map(Prop::from).collect(),
            Ok(ObjType::List) => (0..doc.length(&obj)).map(Prop::from).collect(),
            _ => Vec::new(),
        };
        for prop in props {
            if let Ok(Some((Value::Object(_), child))) = doc.get(&obj, prop.clone()) {
                stack.push(child);
            }
            out.push((obj.clone(), prop));
        }
    }
    out
}

fn scalar(kind: u8, arg: u8) -> Option<ScalarValue> {
    let small = i64::from(arg as i8);
    Some(match kind {
        0 => ScalarValue::Str(TEXTS[usize::from(arg) % TEXTS.len()].into()),
        1 => ScalarValue::Int(match arg {
            0 => i64::MIN,
            1 => i64::MAX,
            _ => small,
        }),
        2 => ScalarValue::Uint(u64::from(arg) << 56),
        3 => ScalarValue::F64(FLOATS[usize::from(arg) % FLOATS.len()]),
        4 => ScalarValue::Boolean(arg.is_multiple_of(2)),
        5 => ScalarValue::Null,
        6 => ScalarValue::Bytes(vec![arg; usize::from(arg % 40)]),
        7 => ScalarValue::Timestamp(small * 1_000_000_000),
        8 => ScalarValue::counter(small),
        _ => return None,
    })
}

const TEXTS: [&str; 12] = [
    "",
    "x",
    "bakery",
    "silo",
    "approved",
    "2026-03-29T10:15:00+03:00",
    "2026-13-45T99:99:99+25:00",
    "١٢٬٠٠٠",
    "DEZ-BAK-014",
    "not a uuid",
    "0192f0c1-7a2b-7c3d-8e4f-5a6b7c8d9e0f",
    "مخبز",
];

const FLOATS: [f64; 8] = [
    0.0,
    -0.0,
    1.5,
    -90.5,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e308,
];

/// Applies one edit; edits the document rejects (a key on a list, ...) are skipped.
fn apply(doc: &mut AutoCommit, place: u8, kind: u8, arg: u8) {
    let places = places(doc);
    let Some((obj, prop)) = places
        .get(usize::from(place) % places.len().max(1))
        .cloned()
    else {
        return;
    };
    let kind = kind % 13;
    let _ = match (kind, scalar(kind, arg)) {
        (_, Some(value)) => doc.put(&obj, prop, value),
        (9, None) => doc.put_object(&obj, prop, ObjType::Map).map(drop),
        (10, None) => doc.put_object(&obj, prop, ObjType::List).map(drop),
        (11, None) => doc.put_object(&obj, prop, ObjType::Text).map(drop),
        _ => doc.delete(&obj, prop),
    };
    doc.commit();
}
