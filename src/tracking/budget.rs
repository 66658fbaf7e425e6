//! The spending cap, `KUAIDI100_DAILY_BUDGET`: how many billed Kuaidi100 calls (queries and push
//! subscribe calls) the whole deployment makes in any 24 hours, and who gets the last of them.
//!
//! People come first: the watcher may spend only [`WATCHER_SHARE_PERCENT`] of the budget. Past that
//! share its checks are refused (answered from the store, the parcel's next check put off until the
//! count falls back), so it slows to the pace at which the calls of a day ago leave the window, while
//! `/track`, buttons, inline cards and the web API keep the rest. At the whole budget they too are
//! answered from what is known, with the time fresh data resumes. The count lives in the store
//! (`store::billing`) so that every replica spends from one budget; the state the operator is told
//! about (in the log, once per change, and in `/metrics`) is this process's view of it.

use std::sync::atomic::{AtomicU8, Ordering};

use chrono::{DateTime, Utc};

use super::request::Asker;
use super::tracker::Tracker;

/// The share of the budget the watcher's checks and push subscriptions may spend.
pub const WATCHER_SHARE_PERCENT: u64 = 80;

/// `kuaidi_budget_state`: 0 within the watcher's share, 1 the watcher is held back, 2 spent.
pub const BUDGET_STATE_METRIC: &str = "kuaidi_budget_state";

/// The deployment's daily budget of billed calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyBudget {
    pub calls: u64,
}

impl DailyBudget {
    /// The calls `asker` may see spent in 24 hours before it is refused: the watcher its share (at
    /// least one call), everyone else the whole budget.
    pub fn limit_for(&self, asker: Asker) -> u64 {
        match asker {
            Asker::Watcher => (self.calls * WATCHER_SHARE_PERCENT / 100).max(1),
            Asker::User(_) | Asker::Web(_) | Asker::Operator => self.calls,
        }
    }

    /// What `used` calls in the window mean.
    pub fn state(&self, used: u64) -> BudgetState {
        if used >= self.calls {
            BudgetState::Spent
        } else if used >= self.limit_for(Asker::Watcher) {
            BudgetState::WatcherHeld
        } else {
            BudgetState::Open
        }
    }
}

/// Where the deployment stands against its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum BudgetState {
    Open = 0,
    WatcherHeld = 1,
    Spent = 2,
}

/// This process's last view of the budget, so that each change is logged once.
#[derive(Debug, Default)]
pub(super) struct BudgetWatch {
    state: AtomicU8,
}

impl BudgetWatch {
    pub fn state(&self) -> BudgetState {
        match self.state.load(Ordering::Relaxed) {
            2 => BudgetState::Spent,
            1 => BudgetState::WatcherHeld,
            _ => BudgetState::Open,
        }
    }

    /// Notes the state seen by a grant or refusal; logs it when it changed.
    pub fn note(&self, budget: DailyBudget, state: BudgetState, used: u64, frees_at: Option<DateTime<Utc>>) {
        let before = self.state.swap(state as u8, Ordering::Relaxed);
        if before == state as u8 {
            return;
        }
        let limit = budget.calls;
        match state {
            BudgetState::Open => tracing::info!(used, limit, "daily Kuaidi100 budget: below the watcher's share again"),
            BudgetState::WatcherHeld => tracing::warn!(
                used,
                limit,
                share = WATCHER_SHARE_PERCENT,
                "daily Kuaidi100 budget: the watcher has spent its share and slows down; people's questions keep the rest"
            ),
            BudgetState::Spent => tracing::error!(
                used,
                limit,
                frees_at = ?frees_at,
                "daily Kuaidi100 budget spent: every question is answered from what is known until calls of a day ago leave the window"
            ),
        }
    }
}

impl Tracker {
    /// The configured budget, if any.
    pub fn daily_budget(&self) -> Option<DailyBudget> {
        self.inner.config.daily_budget
    }

    /// This process's last view of the budget.
    pub fn budget_state(&self) -> BudgetState {
        self.inner.budget.state()
    }

    /// Counts a push subscribe call against the budget at the watcher's share; false = not now.
    pub(super) async fn spend_on_subscribe(&self) -> Result<bool, crate::store::StoreError> {
        let budget = self.inner.config.daily_budget;
        let limit = budget.map(|budget| budget.limit_for(Asker::Watcher));
        let spend = self.inner.store.spend_billed_call(self.inner.clock.now(), limit).await?;
        if let Some(budget) = budget {
            match spend {
                crate::store::Spend::Granted { used } => self.inner.budget.note(budget, budget.state(used), used, None),
                crate::store::Spend::Refused { used, frees_at } => {
                    self.inner.budget.note(budget, budget.state(used), used, Some(frees_at))
                }
            }
        }
        Ok(matches!(spend, crate::store::Spend::Granted { .. }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watcher_stops_at_its_share_and_people_at_the_whole_budget() {
        let budget = DailyBudget { calls: 1000 };
        assert_eq!(budget.limit_for(Asker::Watcher), 800);
        assert_eq!(budget.limit_for(Asker::User(7)), 1000);
        assert_eq!(budget.state(799), BudgetState::Open);
        assert_eq!(budget.state(800), BudgetState::WatcherHeld);
        assert_eq!(budget.state(1000), BudgetState::Spent);
        assert_eq!(DailyBudget { calls: 1 }.limit_for(Asker::Watcher), 1, "a tiny budget still lets the watcher work");
    }
}
