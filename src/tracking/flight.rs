//! Single flight: concurrent work for one key is done once while the others wait.
//!
//! Each key being worked on has an entry holding a lock around a slot. Whoever joins first takes the lock
//! and does the work; the others queue on the same lock and, once inside, find what the first one left —
//! in the slot, or somewhere else it wrote (the tracker's query flight re-reads its cache and keeps nothing
//! in the slot). The entry lives only while someone holds a [`Ticket`] for it: the last ticket dropped
//! removes it, also when the task holding it is cancelled, so the map holds only keys in flight now.

use std::hash::Hash;
use std::sync::Arc;

use dashmap::DashMap;
use tokio::sync::{Mutex, MutexGuard};

/// The keys in flight, each with its lock and slot.
pub(super) struct Flights<K: Eq + Hash + Clone, T> {
    entries: DashMap<K, Arc<Mutex<T>>>,
}

impl<K: Eq + Hash + Clone, T: Default> Flights<K, T> {
    pub fn new() -> Self {
        Self { entries: DashMap::new() }
    }

    /// A place in `key`'s flight, joining the one under way or starting one.
    pub fn join(&self, key: &K) -> Ticket<'_, K, T> {
        let slot = self.entries.entry(key.clone()).or_default().clone();
        Ticket { flights: self, key: key.clone(), slot }
    }

    /// Keys in flight now.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

/// A place in one key's flight; dropping the last one ends the flight.
pub(super) struct Ticket<'a, K: Eq + Hash + Clone, T> {
    flights: &'a Flights<K, T>,
    key: K,
    slot: Arc<Mutex<T>>,
}

impl<K: Eq + Hash + Clone, T> Ticket<'_, K, T> {
    /// Waits for the work ahead in this flight, then gives the slot it left.
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.slot.lock().await
    }
}

impl<K: Eq + Hash + Clone, T> Drop for Ticket<'_, K, T> {
    fn drop(&mut self) {
        // Two references are the map's and this ticket's: nobody else is waiting. Counted under the map's
        // shard lock, which `join` also takes to clone, so no one can join between the check and the removal.
        self.flights
            .entries
            .remove_if(&self.key, |_, slot| Arc::ptr_eq(slot, &self.slot) && Arc::strong_count(slot) <= 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_in_does_the_work_the_others_find_it_and_the_last_out_ends_the_flight() {
        let flights: Flights<&str, Option<u32>> = Flights::new();
        let first = flights.join(&"a");
        let second = flights.join(&"a");
        let other = flights.join(&"b");
        assert_eq!(flights.len(), 2);
        {
            let mut slot = first.lock().await;
            assert_eq!(*slot, None);
            *slot = Some(7);
        }
        drop(first);
        assert_eq!(*second.lock().await, Some(7), "the waiter finds the answer");
        drop(second);
        drop(other);
        assert_eq!(flights.len(), 0, "finished flights leave nothing behind");
        assert_eq!(*flights.join(&"a").lock().await, None, "a new flight starts empty");
    }

    #[tokio::test]
    async fn a_cancelled_waiter_leaves_nothing_behind() {
        let flights: Flights<&str, ()> = Flights::new();
        let first = flights.join(&"a");
        let held = first.lock().await;
        let waiting = async {
            let ticket = flights.join(&"a");
            let _slot = ticket.lock().await;
        };
        // The waiter gives up (its task is cancelled) while the first still holds the lock.
        assert!(tokio::time::timeout(std::time::Duration::from_millis(10), waiting).await.is_err());
        drop(held);
        drop(first);
        assert_eq!(flights.len(), 0);
    }
}
