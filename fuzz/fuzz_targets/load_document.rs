//! libFuzzer target: [`fieldsync_fuzz::load_document`].
#![no_main]

libfuzzer_sys::fuzz_target!(init: fieldsync_fuzz::quiet_panics(), |data: &[u8]| {
    fieldsync_fuzz::load_document(data)
});
