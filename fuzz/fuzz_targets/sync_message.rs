//! libFuzzer target: [`fieldsync_fuzz::sync_message`].
#![no_main]

libfuzzer_sys::fuzz_target!(init: fieldsync_fuzz::quiet_panics(), |data: &[u8]| {
    fieldsync_fuzz::sync_message(data)
});
