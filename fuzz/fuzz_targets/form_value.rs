//! libFuzzer target: [`fieldsync_fuzz::form_value`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fieldsync_fuzz::form_value(data));
