//! JSON and NDJSON read back by serde_json, record by record.

use super::*;
use crate::Lang;
use crate::export::Format;
use crate::export::tests::{encode, samples};

#[test]
fn json_is_the_pretty_array_of_every_record_byte_for_byte() {
    for records in [Vec::new(), samples()] {
        let (bytes, _) = encode(Format::Json, &records, Lang::En);
        let entries: Vec<ExportJson<'_>> = records.iter().map(ExportJson::from).collect();
        let mut want = serde_json::to_vec_pretty(&entries).expect("json");
        want.push(b'\n');
        assert_eq!(
            String::from_utf8(bytes).expect("utf-8"),
            String::from_utf8(want).expect("utf-8")
        );
    }
}

#[test]
fn ndjson_is_one_record_per_line_and_reads_back_as_the_json_entries() {
    let records = samples();
    let (bytes, totals) = encode(Format::Ndjson, &records, Lang::En);
    assert_eq!(totals.records, records.len());
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), records.len());
    for (line, record) in lines.iter().zip(&records) {
        let got: serde_json::Value = serde_json::from_str(line).expect("a JSON object per line");
        let want = serde_json::to_value(ExportJson::from(record)).expect("json");
        assert_eq!(got, want);
        assert_eq!(got["id"], record.check.id.to_string());
        assert_eq!(
            got["notes"],
            record.check.notes.as_str(),
            "Arabic byte-exact"
        );
        assert_eq!(got["valid"], record.valid());
    }
    let (empty, _) = encode(Format::Ndjson, &[], Lang::En);
    assert!(empty.is_empty());
}
