//! libFuzzer target: [`fieldsync_fuzz::hydrate_check`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fieldsync_fuzz::hydrate_check(data));
