//! Replays the kept fuzz corpus (`fuzz/corpus/<target>/*`) through the same entry points as
//! the fuzz targets, so every input that once found a crash or new coverage stays a test.

use std::path::PathBuf;

fn replay(target: &str, entry: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("entry").path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{} holds no inputs", dir.display());
    for path in &inputs {
        let data = std::fs::read(path).expect("read input");
        let outcome = std::panic::catch_unwind(|| entry(&data));
        assert!(outcome.is_ok(), "{target}: {} panicked", path.display());
    }
}

#[test]
fn sync_message_corpus() {
    replay("sync_message", fieldsync_fuzz::sync_message);
}

#[test]
fn load_document_corpus() {
    replay("load_document", fieldsync_fuzz::load_document);
}

#[test]
fn hydrate_check_corpus() {
    replay("hydrate_check", fieldsync_fuzz::hydrate_check);
}

#[test]
fn seed_parser_corpus() {
    replay("seed_parser", fieldsync_fuzz::seed_parser);
}

#[test]
fn form_value_corpus() {
    replay("form_value", fieldsync_fuzz::form_value);
}
