//! Rules for what people type: tracking numbers, phone numbers and parcel labels.
//!
//! Every adapter (Telegram, console, CLI) hands raw text to these functions and gets back either a
//! normalized value or an [`InputError`] that names what is allowed, so the rules live in one place and
//! the replies can be localized by [`InputError::key`]. Nothing here does I/O; only [`extract`] asks
//! the courier directory, for the courier words of a pasted text. Which couriers need a phone is the
//! directory's business.
//!
//! - [`tracking_number`] → [`TrackingNumber`]: 6–32 ASCII letters/digits, upper case.
//! - [`phone_tail`] → [`PhoneTail`]: exactly the last 4 digits, masked when shown.
//! - [`label`] → [`Label`]: a chat's name for a parcel, 1–32 characters, no control characters.
//! - [`extract`] → [`Extracted`]: the tracking numbers (with courier hints) and a phone's last 4
//!   digits in any pasted text.
//! - [`barcode`]: the codes in a photo of a waybill ([`barcode::read_codes`]) and the tracking
//!   numbers in them ([`barcode::numbers_in_codes`]); the only part that decodes images.
//! - [`fold_width`]: full-width → ASCII folding, also used by the courier directory.

pub mod barcode;
mod error;
mod extract;
mod label;
mod phone;
#[cfg(test)]
mod properties;
mod tracking_number;
mod width;

pub use error::InputError;
pub use extract::{Extracted, FoundNumber, MIN_BARE_DIGITS, extract};
pub use label::{Label, LabelError, MAX_LABEL_CHARS, label};
pub use phone::{PhoneTail, TAIL_LEN, phone_tail};
pub use tracking_number::{MAX_LEN, MIN_LEN, TrackingNumber, tracking_number};
pub use width::{fold_width, fold_width_str};
