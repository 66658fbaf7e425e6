//! `WATCH_MODE`: how watched parcels are kept up to date.
//!
//! `poll` asks Kuaidi100 on the watching policy's schedule; `push` subscribes each parcel once and takes
//! in Kuaidi100's pushes (about every 4 hours, on change); `hybrid` lets pushes carry the long haul and
//! polls only the last mile (destination city, out for delivery, locker, delivery problems), where
//! minutes matter. A parcel Kuaidi100 will not push is polled in every mode.

use crate::kuaidi100::{Family, State};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WatchMode {
    #[default]
    Poll,
    Push,
    Hybrid,
}

impl WatchMode {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "poll" => Some(Self::Poll),
            "push" => Some(Self::Push),
            "hybrid" => Some(Self::Hybrid),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Poll => "poll",
            Self::Push => "push",
            Self::Hybrid => "hybrid",
        }
    }

    /// Parcels are subscribed to Kuaidi100's pushes.
    pub fn subscribes(self) -> bool {
        self != Self::Poll
    }
}

/// The last mile, where hybrid mode polls: in the destination city (1001), out for delivery or at a
/// locker or station (family 5), or a delivery problem (family 2).
pub fn is_last_mile(state: Option<&State>) -> bool {
    state.is_some_and(|state| state.code == "1001" || matches!(state.family, Family::OutForDelivery | Family::Problem))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kuaidi100::state::lookup;

    #[test]
    fn modes_parse_in_any_case() {
        assert_eq!(WatchMode::parse("Hybrid"), Some(WatchMode::Hybrid));
        assert_eq!(WatchMode::parse(" push "), Some(WatchMode::Push));
        assert_eq!(WatchMode::parse("poll"), Some(WatchMode::Poll));
        assert_eq!(WatchMode::parse("both"), None);
    }

    #[test]
    fn the_last_mile_is_the_destination_city_delivery_lockers_and_problems() {
        for code in ["1001", "5", "501", "2", "204", "206"] {
            assert!(is_last_mile(lookup(code)), "{code}");
        }
        for code in ["0", "1002", "1", "103", "8", "11", "3", "6"] {
            assert!(!is_last_mile(lookup(code)), "{code}");
        }
        assert!(!is_last_mile(None));
    }
}
