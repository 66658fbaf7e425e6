//! `WATCH_MODE`: how watched parcels are kept up to date.
//!
//! `poll` asks Kuaidi100 on the watching policy's schedule; `push` subscribes each parcel once and takes
//! in Kuaidi100's pushes (about every 4 hours, on change); `hybrid` lets pushes carry the long haul and
//! polls only the last mile (destination city, out for delivery, locker, delivery problems), where
//! minutes matter. A parcel Kuaidi100 will not push is polled in every mode. What counts as the last
//! mile is [`LastMile`] (`WatcherConfig::last_mile`): by default [`is_last_mile`]; the economy
//! benchmark tries narrower ones.

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
/// locker or station (family 5), or a delivery problem (family 2). [`LastMile`]'s default.
pub fn is_last_mile(state: Option<&State>) -> bool {
    LastMile::CityDeliveryLockerProblem.contains(state)
}

/// Which states hybrid mode polls in (and push subscriptions leave on the poll schedule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LastMile {
    /// In the destination city (1001), family 5 (out for delivery, locker or station), family 2
    /// (a delivery problem): [`is_last_mile`].
    #[default]
    CityDeliveryLockerProblem,
    /// The destination city (1001) and out for delivery (5): a parcel in a locker or with a delivery
    /// problem is left to the pushes.
    CityDelivery,
    /// Family 5 and family 2, not yet the destination city.
    DeliveryLockerProblem,
    /// Family 5 only (out for delivery, locker or station).
    DeliveryOnly,
}

impl LastMile {
    pub const ALL: [LastMile; 4] = [
        LastMile::CityDeliveryLockerProblem,
        LastMile::CityDelivery,
        LastMile::DeliveryLockerProblem,
        LastMile::DeliveryOnly,
    ];

    /// A parcel in `state` is in the last mile.
    pub fn contains(self, state: Option<&State>) -> bool {
        let Some(state) = state else { return false };
        let delivery = state.family == Family::OutForDelivery;
        match self {
            Self::CityDeliveryLockerProblem => state.code == "1001" || delivery || state.family == Family::Problem,
            Self::CityDelivery => state.code == "1001" || state.code == "5",
            Self::DeliveryLockerProblem => delivery || state.family == Family::Problem,
            Self::DeliveryOnly => delivery,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|last_mile| last_mile.as_str().eq_ignore_ascii_case(text.trim()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CityDeliveryLockerProblem => "city+delivery+locker+problem",
            Self::CityDelivery => "city+delivery",
            Self::DeliveryLockerProblem => "delivery+locker+problem",
            Self::DeliveryOnly => "delivery+locker",
        }
    }
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

    #[test]
    fn narrower_last_miles_leave_out_the_city_then_problems() {
        let contains = |last_mile: LastMile, code: &str| last_mile.contains(lookup(code));
        for code in ["1001", "5", "501", "2", "204", "0", "1", "3", "1002"] {
            assert_eq!(contains(LastMile::default(), code), is_last_mile(lookup(code)), "{code}");
        }
        assert!(contains(LastMile::CityDelivery, "1001") && contains(LastMile::CityDelivery, "5"));
        assert!(!contains(LastMile::CityDelivery, "501") && !contains(LastMile::CityDelivery, "204"));
        assert!(!contains(LastMile::DeliveryLockerProblem, "1001"));
        assert!(contains(LastMile::DeliveryLockerProblem, "5") && contains(LastMile::DeliveryLockerProblem, "204"));
        assert!(contains(LastMile::DeliveryOnly, "5") && contains(LastMile::DeliveryOnly, "501"));
        assert!(!contains(LastMile::DeliveryOnly, "204") && !contains(LastMile::DeliveryOnly, "1001"));
        for last_mile in LastMile::ALL {
            assert!(!last_mile.contains(None));
            assert_eq!(LastMile::parse(last_mile.as_str()), Some(last_mile));
        }
        assert_eq!(LastMile::parse("everywhere"), None);
    }
}
