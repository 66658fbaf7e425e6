#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kuaidi_bot_fuzz::answer::one_input(data));
