//! The bot's profile, registered at start-up: the command menu ([`super::menu`]), the description
//! (what an empty chat with the bot shows before the first message) and the short description (the
//! one-liner on the bot's profile page), each in Chinese, English and a default for every other
//! language (`DEFAULT_LANG`'s texts). The wording is the chat core's (`chat::profile`); this module
//! only knows how Telegram stores it.
//!
//! Why it is shaped this way:
//! - **Read before write.** Every field is read back for its language (`getMy…`) and set only when it
//!   differs, so a restart — or N replicas starting at once — costs reads, not N rewrites of a profile
//!   Telegram already has.
//! - **The default first, then each language.** Whether Telegram answers a language without a text of
//!   its own with the default's text is not documented. Writing the default before reading the
//!   languages makes the comparison right either way: a language is left alone only when what its
//!   users would see already is its text.
//! - **Never fatal.** A failure is logged and the bot goes on: it works without a profile. The three
//!   fields are registered concurrently (each one in order), so start-up waits for one field's round
//!   trips, not all of them.

use futures::join;
use teloxide::RequestError;
use teloxide::prelude::*;

use super::bot::Api;
use super::menu;
use crate::chat::profile;
use crate::kuaidi100::Lang;

/// Telegram's limit on a description, in characters.
pub const MAX_DESCRIPTION: usize = 512;
/// Telegram's limit on a short description, in characters.
pub const MAX_SHORT_DESCRIPTION: usize = 120;

/// One language's place in the profile: `code` is Telegram's `language_code` (`None`: the default,
/// for every language without a text of its own), `lang` the texts that go there.
#[derive(Clone, Copy, Debug)]
pub(super) struct Slot {
    pub code: Option<&'static str>,
    pub lang: Lang,
}

impl Slot {
    /// The default first (see the module comment), then Chinese and English.
    fn all(default_lang: Lang) -> [Slot; 3] {
        [
            Slot { code: None, lang: default_lang },
            Slot { code: Some(Lang::Zh.as_str()), lang: Lang::Zh },
            Slot { code: Some(Lang::En.as_str()), lang: Lang::En },
        ]
    }

    /// For the logs.
    pub fn label(self) -> &'static str {
        self.code.unwrap_or("default")
    }
}

/// What registering one field in one slot did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Written {
    /// Telegram already had it.
    Unchanged,
    Set,
}

/// Registers the menu, the description and the short description in every slot; failures are logged.
pub async fn register<B: Api>(bot: &B, default_lang: Lang) {
    let slots = Slot::all(default_lang);
    join!(
        each(slots, "command menu", |slot| menu::ensure(bot, slot)),
        each(slots, "description", |slot| ensure_description(bot, slot)),
        each(slots, "short description", |slot| ensure_short_description(bot, slot)),
    );
}

/// Registers one field in the slots in order, logging each outcome.
async fn each<F, Fut>(slots: [Slot; 3], field: &'static str, ensure: F)
where
    F: Fn(Slot) -> Fut,
    Fut: Future<Output = Result<Written, RequestError>>,
{
    for slot in slots {
        match ensure(slot).await {
            Ok(Written::Set) => tracing::info!(field, language = slot.label(), "updated the bot's profile"),
            Ok(Written::Unchanged) => tracing::debug!(field, language = slot.label(), "the bot's profile is current"),
            Err(error) => tracing::warn!(%error, field, language = slot.label(), "cannot register the bot's profile"),
        }
    }
}

async fn ensure_description<B: Api>(bot: &B, slot: Slot) -> Result<Written, RequestError> {
    let wanted = profile(slot.lang).description;
    let mut read = bot.get_my_description();
    if let Some(code) = slot.code {
        read = read.language_code(code);
    }
    match read.await {
        Ok(current) if current.description == wanted => return Ok(Written::Unchanged),
        Ok(_) => {}
        Err(error) => tracing::debug!(%error, language = slot.label(), "cannot read the description; setting it"),
    }
    let mut write = bot.set_my_description().description(wanted);
    if let Some(code) = slot.code {
        write = write.language_code(code);
    }
    write.await?;
    Ok(Written::Set)
}

async fn ensure_short_description<B: Api>(bot: &B, slot: Slot) -> Result<Written, RequestError> {
    let wanted = profile(slot.lang).short;
    let mut read = bot.get_my_short_description();
    if let Some(code) = slot.code {
        read = read.language_code(code);
    }
    match read.await {
        Ok(current) if current.short_description == wanted => return Ok(Written::Unchanged),
        Ok(_) => {}
        Err(error) => tracing::debug!(%error, language = slot.label(), "cannot read the short description; setting it"),
    }
    let mut write = bot.set_my_short_description().short_description(wanted);
    if let Some(code) = slot.code {
        write = write.language_code(code);
    }
    write.await?;
    Ok(Written::Set)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Telegram counts in UTF-16 code units where it counts at all; counting them here is the stricter.
    fn length(text: &str) -> usize {
        text.encode_utf16().count()
    }

    #[test]
    fn the_texts_fit_telegrams_limits_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            let texts = profile(lang);
            assert!(
                (1..=MAX_DESCRIPTION).contains(&length(&texts.description)),
                "{lang:?}: {} of {MAX_DESCRIPTION}",
                length(&texts.description)
            );
            assert!(
                (1..=MAX_SHORT_DESCRIPTION).contains(&length(&texts.short)),
                "{lang:?}: {} of {MAX_SHORT_DESCRIPTION}",
                length(&texts.short)
            );
            for text in [&texts.description, &texts.short] {
                assert!(!text.contains("%{") && !text.contains("profile."), "{text}");
                assert!(!text.contains('<') && !text.contains("&lt;"), "plain text, not HTML: {text}");
            }
        }
    }

    #[test]
    fn the_description_explains_the_bot_before_the_first_message() {
        let english = profile(Lang::En).description;
        for needle in ["tracking number", "paste", "/sub", "group", "/help"] {
            assert!(english.contains(needle), "{needle}: {english}");
        }
        let chinese = profile(Lang::Zh).description;
        for needle in ["快递单号", "粘贴", "/sub", "群", "/help"] {
            assert!(chinese.contains(needle), "{needle}: {chinese}");
        }
        assert_ne!(profile(Lang::Zh), profile(Lang::En));
    }

    #[test]
    fn the_default_is_registered_before_the_languages() {
        let slots = Slot::all(Lang::En);
        assert_eq!(slots.map(|slot| slot.code), [None, Some("zh"), Some("en")]);
        assert_eq!(slots[0].lang, Lang::En);
    }
}
