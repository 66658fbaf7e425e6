//! From what a visitor typed to what the page shows: the input rules of `input/` and `couriers/`,
//! then one question to the [`Tracker`](crate::tracking::Tracker), exactly as the bot asks it.
//!
//! Nothing here decides whether Kuaidi100 is queried: the tracker does (floor, daily cap, single
//! flight, detection, the per-caller throttle). The page only avoids asking when the answer is known
//! without it — a courier that checks a phone, given no phone, gets the phone prompt at once.

use std::time::Duration;

use axum::http::StatusCode;

use super::links::Links;
use super::view::{self, Choice, Link, Outcome, PhonePrompt, Share};
use crate::chat::words;
use crate::couriers::{Courier, Resolution, directory};
use crate::input::{PhoneTail, TrackingNumber, phone_tail, tracking_number};
use crate::kuaidi100::{Advice, Lang};
use crate::tracking::{Asker, Report, TrackError, TrackRequest, Tracked};
use crate::zone::Zone;

/// What the visitor sent: the number form (GET) or the phone form (POST, the only way a phone
/// comes in).
#[derive(Debug, Default)]
pub struct Ask {
    pub number: Option<String>,
    pub courier: Option<String>,
    pub phone: Option<String>,
}

/// The outcome and how to answer with it.
pub struct Answer {
    pub outcome: Outcome,
    pub status: StatusCode,
    /// The throttle's wait, for `Retry-After`.
    pub retry_after: Option<Duration>,
}

impl Answer {
    fn ok(outcome: Outcome) -> Self {
        Self { outcome, status: StatusCode::OK, retry_after: None }
    }
}

/// One visit: who asks, in which language, with which links.
pub struct Visit<'a> {
    pub state: &'a super::HttpState,
    pub lang: Lang,
    /// The zone the page shows times in (`tz`, else Beijing time).
    pub zone: Zone,
    pub asker: Asker,
    pub links: &'a Links,
}

impl Visit<'_> {
    pub async fn answer(&self, ask: Ask) -> Answer {
        let lang = self.lang;
        let Some(typed_number) = ask.number.as_deref() else {
            return Answer::ok(Outcome::Empty);
        };
        let number = match tracking_number(typed_number) {
            Ok(number) => number,
            Err(error) => return Answer::ok(Outcome::Problem(words::input_error(&error, lang))),
        };
        let courier = match ask.courier.as_deref().map(str::trim).filter(|typed| !typed.is_empty()) {
            None => None,
            Some(typed) => match directory().resolve(typed) {
                Resolution::Found(courier) => Some(courier),
                Resolution::Ambiguous(candidates) => {
                    let message = words::errors::ambiguous_courier(typed, &candidates, lang);
                    return Answer::ok(self.choose(message, &number, &candidates));
                }
                Resolution::Unknown { suggestions } if suggestions.is_empty() => {
                    return Answer::ok(Outcome::Problem(words::errors::unknown_courier(typed, lang)));
                }
                Resolution::Unknown { suggestions } => {
                    let message = format!(
                        "{} {}",
                        words::errors::unknown_courier(typed, lang),
                        words::errors::did_you_mean(&suggestions, lang)
                    );
                    return Answer::ok(self.choose(message, &number, &suggestions));
                }
            },
        };
        let phone = match ask.phone.as_deref().map(phone_tail).transpose() {
            Ok(phone) => phone,
            Err(error) => {
                let message = words::input_error(&error, lang);
                return Answer::ok(match courier {
                    Some(courier) if courier.needs_phone => self.ask_phone(courier, &number, Some(message)),
                    _ => Outcome::Problem(message),
                });
            }
        };
        if let Some(courier) = courier
            && courier.needs_phone
            && phone.is_none()
        {
            return Answer::ok(self.ask_phone(courier, &number, None));
        }
        self.track(courier, number, phone).await
    }

    async fn track(
        &self,
        courier: Option<&'static Courier>,
        number: TrackingNumber,
        phone: Option<PhoneTail>,
    ) -> Answer {
        let lang = self.lang;
        let request = TrackRequest::new(courier.map(|courier| courier.code), number.clone(), self.asker)
            .with_phone(phone)
            .with_lang(lang);
        let tracked = match self.state.tracker.track(request).await {
            Ok(tracked) => tracked,
            Err(error) => return self.track_failed(error, courier, &number),
        };
        let now = self.state.clock.now();
        let sandbox = self.state.sandbox;
        let outcome = match &tracked.report {
            Report::Answer { result, .. } => {
                Outcome::Parcel(view::parcel(&tracked, result, now, sandbox, lang, &self.zone, self.share(&tracked)))
            }
            Report::NoResultYet => {
                Outcome::Parcel(view::no_result(&tracked, now, sandbox, lang, &self.zone, self.share(&tracked)))
            }
            // Kuaidi100 refused the phone the tracker sent (408): ask for it again.
            Report::Failed(error) if error.advice() == Advice::NeedPhone && tracked.courier.needs_phone => {
                self.ask_phone(tracked.courier, &number, Some(words::upstream_error(error, lang)))
            }
            Report::Failed(error) => Outcome::Problem(words::upstream_error(error, lang)),
        };
        Answer::ok(outcome)
    }

    fn track_failed(&self, error: TrackError, courier: Option<&'static Courier>, number: &TrackingNumber) -> Answer {
        let lang = self.lang;
        let outcome = match &error {
            TrackError::ChooseCourier(candidates) => {
                self.choose(words::page::choose_courier(number.as_str(), lang), number, candidates)
            }
            TrackError::PhoneRequired(courier) => self.ask_phone(courier, number, None),
            // Only a phone form (which names its courier) sends a phone.
            TrackError::PhoneMismatch { .. } => {
                let message = words::track_error(&error, number.as_str(), lang, &self.zone);
                match courier {
                    Some(courier) => self.ask_phone(courier, number, Some(message)),
                    None => Outcome::Problem(message),
                }
            }
            _ => Outcome::Problem(words::track_error(&error, number.as_str(), lang, &self.zone)),
        };
        let (status, retry_after) = match &error {
            TrackError::Throttled { retry_after } => (StatusCode::TOO_MANY_REQUESTS, Some(*retry_after)),
            TrackError::Store(store_error) => {
                tracing::error!(error = %store_error, "store failure while tracking for the web page");
                (StatusCode::SERVICE_UNAVAILABLE, None)
            }
            _ => (StatusCode::OK, None),
        };
        Answer { outcome, status, retry_after }
    }

    fn choose(&self, message: String, number: &TrackingNumber, couriers: &[&'static Courier]) -> Outcome {
        let options = couriers
            .iter()
            .map(|courier| Link {
                label: format!("{} ({})", courier.name(self.lang.as_str()), courier.code),
                href: self.links.page(Some(number.as_str()), Some(courier.code)),
            })
            .collect();
        Outcome::Choose(Choice { message, options })
    }

    fn ask_phone(&self, courier: &'static Courier, number: &TrackingNumber, error: Option<String>) -> Outcome {
        Outcome::AskPhone(PhonePrompt {
            message: words::errors::need_phone(courier, self.lang),
            error,
            number: number.as_str().to_owned(),
            courier_code: courier.code,
            share: self.links.share(courier.code, number.as_str()),
        })
    }

    fn share(&self, tracked: &Tracked) -> Share {
        self.links.share(tracked.courier.code, &tracked.number)
    }
}
