//! Writes the starting inputs of every fuzz target into `fuzz/corpus/<target>/seed-*`:
//! real sync messages (a new check, an edit, an acknowledgement) and the crafted ones that
//! crash automerge 0.12, a saved check, the built-in seeds, and typed values.
//!
//! `cargo run -p fieldsync-fuzz --example seeds`

use std::path::{Path, PathBuf};

use automerge::sync::{Message, State, SyncDoc as _};
use fieldsync_fuzz::{inspector, stored_check};
use fieldsync_schema::catalog::{RESOLUTIONS_TOML, SEED_TEXT};
use fieldsync_schema::sync::prime;
use fieldsync_schema::{CheckDoc, CheckEdit, FieldValue};

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("write");
}

/// A device's first message for a check (the whole document, v2), an edit (v1 changes) and
/// an acknowledgement (heads only).
fn device_messages() -> Vec<(&'static str, Vec<u8>)> {
    let mut doc = CheckDoc::load(stored_check()).expect("load");
    let mut state = State::new();
    prime(&mut state);
    let first = doc
        .automerge()
        .sync()
        .generate_sync_message(&mut state)
        .expect("first");
    let heads = doc.heads();
    let edit = CheckEdit {
        fields: [("bread_price_syp".to_owned(), FieldValue::Int(1500))].into(),
        notes: Some("تم التعديل".into()),
    };
    doc.edit(&inspector(), &edit).expect("edit");
    let mut state = State::new();
    state.shared_heads = heads;
    prime(&mut state);
    let change = doc
        .automerge()
        .sync()
        .generate_sync_message(&mut state)
        .expect("edit");
    let mut ack = change.clone();
    ack.changes = automerge::sync::ChunkList::empty();
    let encode = |m: Message| m.encode();
    vec![
        ("first", encode(first)),
        ("edit", encode(change)),
        ("ack", encode(ack)),
        // A Bloom filter of one entry and 0 bits: automerge 0.12 divides by zero.
        ("bloom-zero", bloom_message(&[1, 0, 7])),
        // 2^32-1 probes: automerge 0.12 reserves 16 GiB.
        (
            "bloom-probes",
            bloom_message(&[1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff]),
        ),
    ]
}

fn bloom_message(bloom: &[u8]) -> Vec<u8> {
    let mut out = vec![0x42, 1];
    out.extend([7; 32]);
    out.extend([0, 1, 0, bloom.len() as u8]);
    out.extend(bloom);
    out.push(0);
    out
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (name, message) in device_messages() {
        // Even first byte: a check new to the server; odd: the server holds it.
        write(
            &root.join("sync_message"),
            &format!("new-{name}"),
            &[[0].as_slice(), &message].concat(),
        );
        write(
            &root.join("sync_message"),
            &format!("held-{name}"),
            &[[1].as_slice(), &message].concat(),
        );
    }
    write(&root.join("load_document"), "check", stored_check());
    write(&root.join("hydrate_check"), "none", b"");
    write(
        &root.join("hydrate_check"),
        "edits",
        &[0, 0, 1, 5, 3, 4, 9, 11, 0, 2, 12, 0],
    );
    write(
        &root.join("seed_parser"),
        "text",
        &[[0].as_slice(), SEED_TEXT.as_bytes()].concat(),
    );
    write(
        &root.join("seed_parser"),
        "toml",
        &[[1].as_slice(), RESOLUTIONS_TOML.as_bytes()].concat(),
    );
    for (i, value) in [
        "١٢٬٠٠٠",
        "12.5",
        "yes",
        "نعم",
        "2026-03-29",
        "2026-03-29T10:15:00+03:00",
        "35.3 40.1",
        "sha256:00",
    ]
    .iter()
    .enumerate()
    {
        let field = i as u8;
        write(
            &root.join("form_value"),
            &format!("{i}"),
            &[[0, field].as_slice(), value.as_bytes()].concat(),
        );
    }
}
