//! Both languages have every string: a key missing in one would show its name to users.

use std::collections::BTreeSet;

rust_i18n::i18n!("locales", fallback = "en");

fn keys(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|line| !line.starts_with(' ') && !line.starts_with('#'))
        .filter_map(|line| line.split_once(':').map(|(key, _)| key.trim().to_owned()))
        .filter(|key| !key.is_empty() && key != "_version")
        .collect()
}

#[test]
fn chinese_and_english_have_the_same_keys() {
    let zh = keys(include_str!("../locales/zh.yml"));
    let en = keys(include_str!("../locales/en.yml"));
    assert!(zh.len() > 50, "{} keys", zh.len());
    let only_zh: Vec<_> = zh.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&zh).collect();
    assert!(only_zh.is_empty() && only_en.is_empty(), "only in zh: {only_zh:?}; only in en: {only_en:?}");
}

#[test]
fn every_key_translates_in_both_languages() {
    for key in keys(include_str!("../locales/en.yml")) {
        for locale in ["zh", "en"] {
            let text = rust_i18n::t!(&key, locale = locale);
            assert_ne!(text, key, "{key} has no {locale} text");
        }
    }
}
