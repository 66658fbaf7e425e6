//! The courier directory: Kuaidi100's 1,413 courier codes with names in both languages, aliases,
//! the phone rule, and number-shape guesses.
//!
//! Everything here is pure data and lookups over two tables compiled into the binary
//! (`data/kuaidi100-couriers.csv`, `data/courier-english-names.tsv`), parsed once on first use into a
//! shared [`Directory`] ([`directory`]). It answers the questions chat commands ask:
//! - *which courier did the person mean?* — [`Directory::resolve`] (strict: found, ambiguous, or unknown
//!   with suggestions);
//! - *which couriers match this text?* — [`Directory::search`] (generous, for `/couriers`);
//! - *whose number looks like this?* — [`Directory::guess_by_number`] (offline heuristics);
//! - *does this courier need a phone number?* — [`Courier::needs_phone`].
//!
//! Files: `courier.rs` (the type), `csv.rs` + `table.rs` (reading the data), `directory.rs` (indexes),
//! `key.rs` (the normal form typed text is compared in), `resolve.rs`, `similarity.rs`, `search.rs`,
//! `patterns.rs`.

mod courier;
mod csv;
mod directory;
mod key;
mod patterns;
mod resolve;
mod search;
mod similarity;
mod table;

pub use courier::{Courier, CourierKind, PHONE_REQUIRED, ZH_SUFFIXES};
pub use directory::{Directory, directory};
pub use key::match_key;
pub use resolve::{AMBIGUOUS_LIMIT, Resolution, SUGGESTION_LIMIT};
