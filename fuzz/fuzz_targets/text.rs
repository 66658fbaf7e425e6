#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kuaidi_bot_fuzz::text::one_input(data));
