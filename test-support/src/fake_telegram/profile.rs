//! The bot's profile in the fake, stored per `language_code` the way Telegram stores it: the
//! description (`setMyDescription` / `getMyDescription`), the short description
//! (`setMyShortDescription` / `getMyShortDescription`) and, read back by [`FakeTelegram::profile`],
//! the command menu that `setMyCommands` keeps by scope and language (`server.rs`).
//!
//! Telegram's rules kept here: a text is per language, the empty code being the default for every
//! language without one; a read answers `{"description": ""}` / `{"short_description": ""}` before
//! any write (the fake answers the language's own text and never falls back to the default's: Telegram
//! does not document a fallback, and the bot must not rely on one); an empty or missing text removes
//! the language's own; more than 512 / 120 characters is 400 "Bad Request: description is too long" /
//! "…short description is too long"; a `language_code` that is not two lowercase letters is 400.
//! A test can leave a profile behind as an earlier version (or BotFather) would
//! ([`FakeTelegram::seed_profile`]), to see the bot correct only what changed.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::server::string;
use super::{ApiErr, FakeTelegram, State};

/// Telegram's limits, in characters (counted as UTF-16 code units, the stricter reading).
const MAX_DESCRIPTION: usize = 512;
const MAX_SHORT_DESCRIPTION: usize = 120;

/// The profile Telegram shows users of one language (the default's when the language is `None`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// What an empty chat with the bot shows; `""` when none was set for this language.
    pub description: String,
    /// The one-liner on the bot's profile page; `""` when none was set for this language.
    pub short_description: String,
    /// The command menu of the default scope, as (command, description); empty when none was set.
    pub commands: Vec<(String, String)>,
}

/// The descriptions by `language_code` (`""`: the default).
#[derive(Debug, Default)]
pub(super) struct Descriptions {
    long: HashMap<String, String>,
    short: HashMap<String, String>,
}

/// The `language_code` param, checked like Telegram (`""`: the default).
fn language(params: &Value) -> Result<String, ApiErr> {
    let code = string(params, "language_code").unwrap_or_default();
    if code.is_empty() || (code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase())) {
        Ok(code)
    } else {
        Err(ApiErr::bad_request("invalid language code specified"))
    }
}

fn store(texts: &mut HashMap<String, String>, language: String, text: String) {
    if text.is_empty() {
        texts.remove(&language);
    } else {
        texts.insert(language, text);
    }
}

/// The `setMyCommands` key of the default scope in `language` (see `server::commands_key`).
fn default_scope_key(language: &str) -> String {
    format!("{}|{language}", json!({"type": "default"}))
}

impl State {
    /// The profile methods; `None` for any other method.
    pub(super) fn call_profile(&mut self, method: &str, params: &Value) -> Option<Result<Value, ApiErr>> {
        let result = match method {
            "setMyDescription" => self.set_description(params, false),
            "setMyShortDescription" => self.set_description(params, true),
            "getMyDescription" => language(params)
                .map(|code| json!({"description": self.descriptions.long.get(&code).cloned().unwrap_or_default()})),
            "getMyShortDescription" => language(params).map(
                |code| json!({"short_description": self.descriptions.short.get(&code).cloned().unwrap_or_default()}),
            ),
            _ => return None,
        };
        Some(result)
    }

    fn set_description(&mut self, params: &Value, short: bool) -> Result<Value, ApiErr> {
        let code = language(params)?;
        let (key, limit, too_long) = if short {
            ("short_description", MAX_SHORT_DESCRIPTION, "short description is too long")
        } else {
            ("description", MAX_DESCRIPTION, "description is too long")
        };
        let text = string(params, key).unwrap_or_default();
        if text.encode_utf16().count() > limit {
            return Err(ApiErr::bad_request(too_long));
        }
        let texts = if short { &mut self.descriptions.short } else { &mut self.descriptions.long };
        store(texts, code, text);
        Ok(json!(true))
    }

    fn profile(&self, language: &str) -> Profile {
        let commands = self
            .my_commands
            .get(&default_scope_key(language))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|command| {
                let field = |name: &str| command.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
                (field("command"), field("description"))
            })
            .collect();
        Profile {
            description: self.descriptions.long.get(language).cloned().unwrap_or_default(),
            short_description: self.descriptions.short.get(language).cloned().unwrap_or_default(),
            commands,
        }
    }
}

impl FakeTelegram {
    /// The profile stored for `language_code` (`None`: the default), as the bot's last writes left it.
    pub fn profile(&self, language_code: Option<&str>) -> Profile {
        self.lock().profile(language_code.unwrap_or_default())
    }

    /// Leaves `profile` stored for `language_code` (`None`: the default) without a request, as an
    /// earlier version of the bot or BotFather would have: what the bot reads back at its start.
    pub fn seed_profile(&self, language_code: Option<&str>, profile: Profile) {
        let language = language_code.unwrap_or_default().to_owned();
        let mut state = self.lock();
        store(&mut state.descriptions.long, language.clone(), profile.description);
        store(&mut state.descriptions.short, language.clone(), profile.short_description);
        let key = default_scope_key(&language);
        if profile.commands.is_empty() {
            state.my_commands.remove(&key);
        } else {
            let commands = profile
                .commands
                .into_iter()
                .map(|(command, description)| json!({"command": command, "description": description}))
                .collect();
            state.my_commands.insert(key, Value::Array(commands));
        }
    }
}
