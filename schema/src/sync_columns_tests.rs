use automerge::transaction::Transactable as _;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc as _, ScalarValue};
use sha2::Digest as _;

use super::*;
use crate::sync_bounds::{Breach, MESSAGE_V1, MESSAGE_V2, MessageBounds, check_message};
use crate::sync_chunks::{CHUNK_MAGIC, ChunkCounts, check_chunks};

fn uleb_out(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn sleb_out(out: &mut Vec<u8>, mut n: i64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if (n == 0 && byte & 0x40 == 0) || (n == -1 && byte & 0x40 != 0) {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A chunk of `kind` around `data`, with the checksum Automerge verifies (the first 4 bytes
/// of SHA-256 over the type, the length and the data).
pub(crate) fn chunk(kind: u8, data: &[u8]) -> Vec<u8> {
    let mut typed = vec![kind];
    uleb_out(&mut typed, data.len() as u64);
    let hash = sha2::Sha256::new()
        .chain_update(&typed)
        .chain_update(data)
        .finalize();
    [&CHUNK_MAGIC[..], &hash[..4], &typed, data].concat()
}

/// A change chunk by actor `[0xa1; 16]`, seq 1, from op 1, with these op columns.
pub(crate) fn change(columns: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut data = vec![0, 16];
    data.extend([0xa1; 16]);
    data.extend([1, 1, 0, 0, 0]); // seq, start_op, time, message, other actors
    uleb_out(&mut data, columns.len() as u64);
    for (spec, bytes) in columns {
        uleb_out(&mut data, u64::from(*spec));
        uleb_out(&mut data, bytes.len() as u64);
    }
    columns.iter().for_each(|(_, bytes)| data.extend(bytes));
    chunk(1, &data)
}

/// An RLE run of `n` copies of the unsigned `value`.
fn run(n: u64, value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    sleb_out(&mut out, i64::try_from(n).expect("run"));
    uleb_out(&mut out, value);
    out
}

/// An RLE run of `n` nulls.
fn nulls(n: u64) -> Vec<u8> {
    let mut out = vec![0];
    uleb_out(&mut out, n);
    out
}

/// The change of the QA report: `l` = a new list (op 1), then `n` nulls inserted into it one
/// after the other (ops 2 to n + 1), every column a few runs whatever `n` (n >= 3).
pub(crate) fn nulls_change(n: u64) -> Vec<u8> {
    let mut key_ctr = nulls(1); // the key of op 1 is a string
    sleb_out(&mut key_ctr, -2); // HEAD (0), then op 2 (+2)...
    key_ctr.extend([0, 2]);
    sleb_out(&mut key_ctr, i64::try_from(n - 2).expect("n"));
    key_ctr.push(1); // ...then each previous op (+1)
    // Object, key, insert, action, value metadata, predecessors: op 1 is the list, set in
    // the root under `l`; the others are nulls inserted into it, each after the one before.
    change(&[
        (0x01, [nulls(1), run(n, 0)].concat()),
        (0x02, [nulls(1), run(n, 1)].concat()),
        (0x11, [nulls(2), run(n - 1, 0)].concat()),
        (0x13, key_ctr),
        (0x15, [vec![1, 1, b'l'], nulls(n)].concat()),
        (0x34, [run_len(1), run_len(n)].concat()),
        (0x42, [run(1, 2), run(n, 1)].concat()),
        (0x56, run(n + 1, 0)),
        (0x70, run(n + 1, 0)),
    ])
}

/// A boolean run length.
fn run_len(n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    uleb_out(&mut out, n);
    out
}

/// A chunk's data, after its header.
fn body(chunk: &[u8]) -> &[u8] {
    let mut r = &chunk[CHUNK_MAGIC.len() + 5..];
    uleb(&mut r).expect("length");
    r
}

fn message(version: u8, chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![version, 0, 0, 0];
    uleb_out(&mut out, chunks.len() as u64);
    for chunk in chunks {
        uleb_out(&mut out, chunk.len() as u64);
        out.extend(chunk);
    }
    out
}

fn counts(chunk: &[u8]) -> ChunkCounts {
    check_chunks(chunk, usize::MAX).expect("chunks")
}

#[test]
fn the_crafted_change_is_what_automerge_applies() {
    let crafted = nulls_change(1000);
    let change = automerge::Change::try_from(&crafted[..]).expect("automerge reads it");
    assert_eq!(change.len(), 1001);
    assert_eq!(counts(&crafted).ops, 1001);
    let mut doc = AutoCommit::new();
    doc.load_incremental(&crafted).expect("applies");
    let (_, list) = doc.get(ROOT, "l").expect("get").expect("the list");
    assert_eq!(doc.length(&list), 1000);
}

#[test]
fn sixteen_million_nulls_in_a_few_bytes_are_refused_by_counting_runs() {
    // The QA's input: 16,777,218 operations, which automerge 0.12 applied for 185 s in 7.6 GB.
    let crafted = message(MESSAGE_V1, &[nulls_change(16_777_217)]);
    assert!(crafted.len() < 150, "{} bytes", crafted.len());
    let err = check_message(&crafted, &MessageBounds::default()).expect_err("refused");
    assert_eq!(err.breach(), Breach::TooManyOperations);
    assert!(
        err.to_string()
            .starts_with("change 0 describes 16777218 operations; at most 100000"),
        "{err}"
    );
    // Runs are summed, never expanded: 2^62 rows cost what 3 do.
    let absurd = message(MESSAGE_V1, &[nulls_change(1 << 62)]);
    let err = check_message(&absurd, &MessageBounds::default()).expect_err("refused");
    assert!(
        err.to_string().contains("4611686018427387905 operations"),
        "{err}"
    );
    // Deflated, it is counted while it inflates.
    let raw = nulls_change(16_777_217);
    let body = body(&raw);
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, body).expect("deflate");
    let deflated = chunk(2, &encoder.finish().expect("deflate"));
    let err = check_message(&message(MESSAGE_V1, &[deflated]), &MessageBounds::default())
        .expect_err("refused");
    assert_eq!(err.breach(), Breach::TooManyOperations, "{err}");
}

#[test]
fn a_column_longer_than_the_operations_is_refused_naming_it() {
    // One operation whose predecessor count says 2^40: the group's values count.
    let crafted = change(&[(0x42, run(1, 1)), (0x70, run(1, 1 << 40))]);
    let err = check_message(&message(MESSAGE_V1, &[crafted]), &MessageBounds::default())
        .expect_err("refused");
    assert_eq!(err.breach(), Breach::TooManyOperations);
    assert!(
        err.to_string()
            .starts_with("change 0: column 0x70 (group) decodes to 1099511627776 values"),
        "{err}"
    );
    // A document whose change metadata has 2^40 rows and no operations (automerge 0.12
    // collects that column into a vector before comparing lengths).
    let mut data = vec![0, 0, 1, 1];
    let actors = run(1 << 40, 0);
    uleb_out(&mut data, actors.len() as u64);
    data.push(0);
    data.extend(&actors);
    let doc = chunk(0, &data);
    assert_eq!(
        (counts(&doc).ops, counts(&doc).document_changes),
        (0, 1 << 40)
    );
    let err = check_message(&message(MESSAGE_V2, &[doc]), &MessageBounds::default())
        .expect_err("refused");
    assert!(
        err.to_string().contains("column 0x1 (actor) decodes to"),
        "{err}"
    );
}

/// A document exercising every kind of operation and column: map keys, a list, text,
/// deletions, a counter, a conflict resolved by an operation with two predecessors, marks.
fn busy_doc() -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(automerge::ActorId::from([1; 16]));
    doc.put(ROOT, "name", "مخبز").expect("put");
    let list = doc.put_object(ROOT, "list", ObjType::List).expect("list");
    for i in 0..50 {
        doc.insert(&list, i, i as i64).expect("insert");
    }
    doc.delete(&list, 3).expect("delete");
    let text = doc.put_object(ROOT, "notes", ObjType::Text).expect("text");
    doc.splice_text(&text, 0, 0, &"الطابور طويل ".repeat(200))
        .expect("splice");
    doc.splice_text(&text, 10, 100, "").expect("delete text");
    doc.put(ROOT, "count", ScalarValue::counter(1))
        .expect("counter");
    doc.increment(ROOT, "count", 5).expect("increment");
    doc.mark(
        &text,
        automerge::marks::Mark::new("bold".into(), true, 0, 5),
        automerge::marks::ExpandMark::After,
    )
    .expect("mark");
    doc.commit();
    let mut other = doc.fork().with_actor(automerge::ActorId::from([2; 16]));
    doc.put(ROOT, "name", "one").expect("put");
    other.put(ROOT, "name", "two").expect("put");
    doc.merge(&mut other).expect("merge");
    doc.put(ROOT, "name", "settled").expect("two predecessors");
    doc.commit();
    doc
}

#[test]
fn every_change_counts_as_many_operations_as_automerge_reads() {
    let mut doc = busy_doc();
    let changes = doc.get_changes(&[]);
    assert!(changes.len() >= 4);
    for change in changes {
        let plain = counts(change.raw_bytes());
        assert_eq!((plain.ops, plain.changes), (change.len() as u64, 1));
        assert!(plain.widest.values >= plain.ops, "{plain:?}");
        // `bytes()` is the deflated chunk (type 2) when the change is large.
        let stored = change.clone().bytes().to_vec();
        assert_eq!(counts(&stored).ops, change.len() as u64);
    }
}

#[test]
fn a_document_counts_its_operations_and_changes_as_automerge_loads_them() {
    let mut doc = busy_doc();
    let compressed = doc.save();
    let plain = doc.save_nocompress();
    assert!(compressed.len() < plain.len(), "some columns are deflated");
    for saved in [compressed, plain] {
        let loaded = AutoCommit::load(&saved).expect("load");
        let stats = loaded.stats();
        let found = counts(&saved);
        assert_eq!(found.ops, stats.num_ops, "{found:?}");
        assert_eq!(found.document_changes, stats.num_changes);
        assert_eq!((found.documents, found.changes), (1, 0));
    }
}

#[test]
fn operations_add_up_over_the_message_and_a_document_counts_too() {
    let mut doc = busy_doc();
    let saved = doc.save();
    let ops = counts(&saved).ops;
    let bounds = MessageBounds {
        max_ops: usize::try_from(ops).expect("ops") - 1,
        ..MessageBounds::default()
    };
    let err = check_message(&message(MESSAGE_V2, std::slice::from_ref(&saved)), &bounds)
        .expect_err("over");
    assert_eq!(err.breach(), Breach::TooManyOperations);
    assert!(
        err.to_string()
            .contains(&format!("change 0 describes {ops} operations")),
        "{err}"
    );
    let exact = MessageBounds {
        max_ops: usize::try_from(ops).expect("ops"),
        ..MessageBounds::default()
    };
    let shape = check_message(&message(MESSAGE_V2, &[saved]), &exact).expect("at the limit");
    assert_eq!(shape.chunks.ops, ops);
    // Two changes each under the limit, over it together.
    let two = message(MESSAGE_V1, &[nulls_change(60), nulls_change(60)]);
    let bounds = MessageBounds {
        max_ops: 100,
        ..MessageBounds::default()
    };
    let err = check_message(&two, &bounds).expect_err("over");
    assert!(
        err.to_string()
            .starts_with("changes 0 to 1 describe 122 operations"),
        "{err}"
    );
}

#[test]
fn leb128_reads_what_automerge_writes_and_refuses_over_64_bits() {
    for n in [0, 1, 63, 64, -64, -65, 8191, i64::MAX, i64::MIN, -1] {
        let mut out = Vec::new();
        sleb_out(&mut out, n);
        assert_eq!(sleb(&mut &out[..]), Ok(n), "{out:02x?}");
    }
    for n in [0, 127, 128, u64::MAX] {
        let mut out = Vec::new();
        uleb_out(&mut out, n);
        assert_eq!(uleb(&mut &out[..]), Ok(n), "{out:02x?}");
    }
    assert!(uleb(&mut &[0xff; 10][..]).is_err());
    assert!(sleb(&mut &[0x80; 10][..]).is_err());
    assert!(uleb(&mut &[0x80][..]).is_err());
}

#[test]
fn malformed_columns_are_refused_with_a_reason() {
    let cases: [(Vec<u8>, &str); 4] = [
        (
            change(&[(0x42, vec![0x7f])]),
            "column 0x42: the data ends inside a value",
        ),
        (change(&[(0x4a, run(1, 1))]), "deflated"),
        (
            {
                // An insert column (boolean) of 2 bytes, cut after its first run.
                let c = change(&[(0x34, vec![1, 1])]);
                let data = body(&c);
                chunk(1, &data[..data.len() - 1])
            },
            "ends 1 bytes early",
        ),
        (chunk(1, &[0, 16, 1]), "actor"),
    ];
    for (chunk, needle) in cases {
        let err = check_chunks(&chunk, usize::MAX).expect_err(needle);
        assert!(
            format!("{err:?}").contains(needle),
            "{err:?} lacks {needle}"
        );
    }
}

#[test]
fn the_fuzz_corpus_and_the_server_tests_replay_this_crafted_message() {
    // First byte 0: the fuzz target applies it to a check new to the server.
    let kept = include_bytes!("../../fuzz/corpus/sync_message/crash-v1-change-rle-16777218-ops");
    let expected = [vec![0], message(MESSAGE_V1, &[nulls_change(16_777_217)])].concat();
    assert_eq!(kept[..], expected[..]);
    assert_eq!(
        nulls_change(16_777_217).len(),
        113,
        "the chunk of the QA report"
    );
}

#[test]
fn a_check_edited_ten_times_is_far_below_the_default_limit() {
    use crate::document_tests::{author, form, new_bakery};
    let mut new = new_bakery();
    new.notes = "ن".repeat(300);
    let ana = author("ana", crate::Role::Inspector);
    let actor = automerge::ActorId::from([3; 16]);
    let mut doc = crate::CheckDoc::create(&new, &form(), &ana, actor).expect("create");
    for i in 0..10 {
        let edit = crate::CheckEdit {
            fields: [(
                "bread_price_syp".to_owned(),
                crate::FieldValue::Int(1000 + i),
            )]
            .into(),
            notes: Some(format!("{} {i}", "ن".repeat(300))),
        };
        doc.edit(&ana, &edit).expect("edit");
    }
    for change in doc.automerge().get_changes(&[]) {
        assert_eq!(counts(change.raw_bytes()).ops, change.len() as u64);
    }
    // 331 operations at creation, 3,361 after the ten edits (automerge 0.12).
    let saved = doc.save();
    let found = counts(&saved);
    assert_eq!(found.ops, doc.automerge().stats().num_ops);
    assert!(
        found.ops * 20 < crate::sync_bounds::DEFAULT_MAX_OPS as u64,
        "{found:?}"
    );
}
