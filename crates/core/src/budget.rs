//! Budgets: counters that a capability's `budget(...)` caveats spend from,
//! in fixed, aligned windows (`window_start = now - now % period`).
//!
//! A [`BudgetStore`] adds every [`Spend`] of one check atomically, only if
//! every counter stays within its limit; otherwise it adds nothing and fails
//! with `budget_exhausted`. Because windows are fixed, a caller can spend a
//! whole limit at the end of one window and again at the start of the next:
//! up to twice the limit within any `period` seconds that straddle a boundary,
//! never more than the limit within one window.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::{Error, ErrorCode};

/// One counter's share of a check.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spend {
    /// The counter's name (derived from the capability, see the verifier).
    pub counter: String,
    /// First second of the window (inclusive).
    pub window_start: i64,
    /// End of the window (exclusive); the row can be pruned from then on.
    pub window_end: i64,
    /// How much this call spends.
    pub amount: u64,
    /// The most the counter may reach in this window.
    pub limit: u64,
}

/// Where budget counters live. Implement it over a shared store when several
/// processes spend from one budget.
pub trait BudgetStore: Send + Sync {
    /// Atomically adds every spend to its counter for its window, only if
    /// every counter stays at or below its limit; otherwise adds nothing and
    /// fails with `budget_exhausted` naming the counter and what is left.
    fn spend(&self, spends: &[Spend], now: i64) -> Result<(), Error>;
}

/// The aligned window of `period` seconds holding `now`: (start, end).
pub fn window(now: i64, period: i64) -> Result<(i64, i64), Error> {
    if period <= 0 {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("a budget period is a positive number of seconds, got {period}"),
        ));
    }
    let start = now - now.rem_euclid(period);
    let end = start
        .checked_add(period)
        .ok_or_else(|| Error::new(ErrorCode::InvalidArgument, "budget window end overflows"))?;
    Ok((start, end))
}

/// The `budget_exhausted` error every store returns, so the message is the
/// same whatever the engine.
pub fn exhausted(spend: &Spend, used: u64) -> Error {
    let left = spend.limit.saturating_sub(used);
    Error::new(
        ErrorCode::BudgetExhausted,
        format!(
            "budget {} has {left} of {} left in its window [{}, {}); this call needs {}; nothing was spent",
            spend.counter, spend.limit, spend.window_start, spend.window_end, spend.amount
        ),
    )
}

/// Largest amount or limit a store counts: 2^63 - 1, what every database's
/// integer column holds (and what a caveat integer can be).
pub const MAX_COUNT: u64 = i64::MAX as u64;

/// Sums the spends of one check per (counter, window), so a counter named
/// twice in one call is checked against its total. Fails with
/// `limit_exceeded` when an amount, a limit or a sum is above [`MAX_COUNT`].
pub fn merge(spends: &[Spend]) -> Result<Vec<Spend>, Error> {
    let mut out: Vec<Spend> = Vec::with_capacity(spends.len());
    for s in spends {
        if s.amount > MAX_COUNT || s.limit > MAX_COUNT {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!(
                    "budget {}: amount {} or limit {} is above 2^63 - 1, the most a store counts",
                    s.counter, s.amount, s.limit
                ),
            ));
        }
        match out
            .iter_mut()
            .find(|o| o.counter == s.counter && o.window_start == s.window_start)
        {
            Some(o) => {
                o.amount = o
                    .amount
                    .checked_add(s.amount)
                    .filter(|t| *t <= MAX_COUNT)
                    .ok_or_else(|| {
                        Error::new(
                            ErrorCode::LimitExceeded,
                            format!("budget {}: amounts add up beyond 2^63 - 1", s.counter),
                        )
                    })?;
                o.limit = o.limit.min(s.limit);
            }
            None => out.push(s.clone()),
        }
    }
    Ok(out)
}

/// Most counters an in-memory store keeps live.
const MEMORY_CAPACITY: usize = 100_000;

/// An in-process budget store.
#[derive(Debug, Default)]
pub struct MemoryBudgetStore {
    counters: Mutex<HashMap<(String, i64), (u64, i64)>>,
}

impl MemoryBudgetStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryBudgetStore::default()
    }
}

impl BudgetStore for MemoryBudgetStore {
    fn spend(&self, spends: &[Spend], now: i64) -> Result<(), Error> {
        let spends = merge(spends)?;
        // Changes are applied only after every check passed, so a poisoned
        // lock still guards consistent counters.
        let mut counters = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        for s in &spends {
            let used = counters
                .get(&(s.counter.clone(), s.window_start))
                .map_or(0, |c| c.0);
            if used.checked_add(s.amount).is_none_or(|t| t > s.limit) {
                return Err(exhausted(s, used));
            }
        }
        if counters.len() + spends.len() > MEMORY_CAPACITY {
            counters.retain(|_, (_, end)| *end > now);
            if counters.len() + spends.len() > MEMORY_CAPACITY {
                return Err(Error::new(
                    ErrorCode::LimitExceeded,
                    format!("budget store holds {MEMORY_CAPACITY} live counters, its capacity"),
                ));
            }
        }
        for s in &spends {
            let c = counters
                .entry((s.counter.clone(), s.window_start))
                .or_insert((0, s.window_end));
            c.0 += s.amount;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spend(counter: &str, amount: u64, limit: u64) -> Spend {
        Spend {
            counter: counter.into(),
            window_start: 0,
            window_end: 60,
            amount,
            limit,
        }
    }

    #[test]
    fn spends_are_all_or_nothing() {
        let s = MemoryBudgetStore::new();
        s.spend(&[spend("a", 3, 5), spend("b", 1, 1)], 1).unwrap();
        let e = s
            .spend(&[spend("a", 1, 5), spend("b", 1, 1)], 2)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::BudgetExhausted);
        assert!(
            e.message().contains("budget b has 0 of 1 left"),
            "{}",
            e.message()
        );
        // "a" was not charged by the failed call.
        s.spend(&[spend("a", 2, 5)], 3).unwrap();
        assert_eq!(
            s.spend(&[spend("a", 1, 5)], 3).unwrap_err().code(),
            ErrorCode::BudgetExhausted
        );
    }

    #[test]
    fn one_counter_twice_in_a_call_is_summed() {
        let s = MemoryBudgetStore::new();
        assert_eq!(
            s.spend(&[spend("a", 3, 5), spend("a", 3, 5)], 1)
                .unwrap_err()
                .code(),
            ErrorCode::BudgetExhausted
        );
    }

    #[test]
    fn windows_are_aligned() {
        assert_eq!(window(125, 60).unwrap(), (120, 180));
        assert_eq!(window(-1, 60).unwrap(), (-60, 0));
        assert_eq!(window(1, 0).unwrap_err().code(), ErrorCode::InvalidArgument);
    }

    #[test]
    fn a_new_window_starts_empty() {
        let s = MemoryBudgetStore::new();
        s.spend(&[spend("a", 5, 5)], 1).unwrap();
        let mut next = spend("a", 5, 5);
        next.window_start = 60;
        next.window_end = 120;
        s.spend(&[next], 61).unwrap();
    }
}
