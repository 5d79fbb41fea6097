//! libFuzzer target: [`fieldsync_fuzz::load_document`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fieldsync_fuzz::load_document(data));
