//! Rules for what people type: tracking numbers and phone numbers.
//!
//! Every adapter (Telegram, console, CLI) hands raw text to these functions and gets back either a
//! normalized value or an [`InputError`] that names what is allowed, so the rules live in one place and
//! the replies can be localized by [`InputError::key`]. Nothing here does I/O or knows about couriers;
//! which couriers need a phone is the courier directory's business.
//!
//! - [`tracking_number`] → [`TrackingNumber`]: 6–32 ASCII letters/digits, upper case.
//! - [`phone_tail`] → [`PhoneTail`]: exactly the last 4 digits, masked when shown.
//! - [`fold_width`]: full-width → ASCII folding, also used by the courier directory.

mod error;
mod phone;
mod tracking_number;
mod width;

pub use error::InputError;
pub use phone::{PhoneTail, TAIL_LEN, phone_tail};
pub use tracking_number::{MAX_LEN, MIN_LEN, TrackingNumber, tracking_number};
pub use width::{fold_width, fold_width_str};
