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

/// Why [`BudgetStore::spend`] spent nothing. Which spend ran out is data
/// ([`SpendError::exhausted_index`]), so a verifier names the right caveat
/// without reading the message.
#[derive(Clone, Debug)]
pub enum SpendError {
    /// `spends[index]` has no room left in its window (`budget_exhausted`).
    /// When one counter appears several times in a call, `index` is its
    /// first appearance (the spends of a counter are checked as one sum).
    Exhausted {
        /// Position in the slice given to [`BudgetStore::spend`].
        index: usize,
        /// The `budget_exhausted` error ([`exhausted`]).
        error: Error,
    },
    /// Anything else: the store is unreachable (`store_unavailable`), full,
    /// or an amount is out of range (`limit_exceeded`).
    Failed(Error),
}

impl SpendError {
    /// The error, whatever the kind.
    pub fn error(&self) -> &Error {
        match self {
            SpendError::Exhausted { error, .. } | SpendError::Failed(error) => error,
        }
    }

    /// The error's code (`budget_exhausted` for [`SpendError::Exhausted`]).
    pub fn code(&self) -> ErrorCode {
        self.error().code()
    }

    /// The error's message.
    pub fn message(&self) -> &str {
        self.error().message()
    }

    /// Which spend ran out, when one did.
    pub fn exhausted_index(&self) -> Option<usize> {
        match self {
            SpendError::Exhausted { index, .. } => Some(*index),
            SpendError::Failed(_) => None,
        }
    }

    /// The error, for callers that only report it.
    pub fn into_error(self) -> Error {
        match self {
            SpendError::Exhausted { error, .. } | SpendError::Failed(error) => error,
        }
    }
}

impl From<Error> for SpendError {
    fn from(e: Error) -> Self {
        SpendError::Failed(e)
    }
}

impl std::fmt::Display for SpendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error().fmt(f)
    }
}

impl std::error::Error for SpendError {}

/// Where budget counters live. Implement it over a shared store when several
/// processes spend from one budget.
pub trait BudgetStore: Send + Sync {
    /// Atomically adds every spend to its counter for its window, only if
    /// every counter stays at or below its limit; otherwise adds nothing and
    /// fails with [`SpendError::Exhausted`] naming the spend that ran out
    /// (its error says what is left), or [`SpendError::Failed`].
    fn spend(&self, spends: &[Spend], now: i64) -> Result<(), SpendError>;
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
    Ok(merge_indexed(spends)?.into_iter().map(|(_, s)| s).collect())
}

/// [`merge`], each sum paired with the position of its counter's first
/// spend in `spends`: the index a store reports in [`SpendError::Exhausted`].
pub fn merge_indexed(spends: &[Spend]) -> Result<Vec<(usize, Spend)>, Error> {
    let mut out: Vec<(usize, Spend)> = Vec::with_capacity(spends.len());
    for (i, s) in spends.iter().enumerate() {
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
            .map(|(_, o)| o)
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
            None => out.push((i, s.clone())),
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
    fn spend(&self, spends: &[Spend], now: i64) -> Result<(), SpendError> {
        let spends = merge_indexed(spends)?;
        // Changes are applied only after every check passed, so a poisoned
        // lock still guards consistent counters.
        let mut counters = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        for (index, s) in &spends {
            let used = counters
                .get(&(s.counter.clone(), s.window_start))
                .map_or(0, |c| c.0);
            if used.checked_add(s.amount).is_none_or(|t| t > s.limit) {
                return Err(SpendError::Exhausted {
                    index: *index,
                    error: exhausted(s, used),
                });
            }
        }
        if counters.len() + spends.len() > MEMORY_CAPACITY {
            counters.retain(|_, (_, end)| *end > now);
            if counters.len() + spends.len() > MEMORY_CAPACITY {
                return Err(Error::new(
                    ErrorCode::LimitExceeded,
                    format!("budget store holds {MEMORY_CAPACITY} live counters, its capacity"),
                )
                .into());
            }
        }
        for (_, s) in &spends {
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
        assert_eq!(e.exhausted_index(), Some(1));
        assert!(
            e.error().message().contains("budget b has 0 of 1 left"),
            "{}",
            e
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
        // The sum runs out; the index is the counter's first spend.
        let e = s
            .spend(&[spend("b", 1, 5), spend("a", 3, 5), spend("a", 3, 5)], 1)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::BudgetExhausted);
        assert_eq!(e.exhausted_index(), Some(1));
        // Anything but exhaustion names no spend.
        let e = s.spend(&[spend("c", u64::MAX, 5)], 1).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LimitExceeded);
        assert_eq!(e.exhausted_index(), None);
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

/// Longest budget name, in bytes.
pub const MAX_NAME_BYTES: usize = 64;
/// Longest budget period: 366 days, in seconds.
pub const MAX_PERIOD: i64 = 366 * 24 * 3600;

/// A caveat of the form `budget(name, limit, period_seconds)` (each call
/// spends 1) or `budget(name, limit, period_seconds, amount)` (each call
/// spends `amount`, a CEL int expression over the call, e.g.
/// `args.amount_cents`). The caveat is the whole text: it is true when the
/// spend fits, and the verifier spends all budgets of a check atomically,
/// only when every other caveat allows.
#[derive(Clone, Debug)]
pub struct BudgetCaveat {
    /// The name the caveat gives its counter (for messages; the counter is
    /// keyed by token, position and text, see [`BudgetCaveat::counter`]).
    pub name: String,
    /// Most the counter may reach per window.
    pub limit: u64,
    /// Window length, seconds.
    pub period: i64,
    /// The amount expression; `None` counts calls.
    pub amount: Option<crate::caveat::Expr>,
}

fn budget_syntax(src: &str, why: &str) -> Error {
    Error::new(
        ErrorCode::CaveatSyntax,
        format!("budget caveat {src:?}: {why}; the form is budget(\"name\", limit, period_seconds[, amount])"),
    )
}

impl BudgetCaveat {
    /// `None` when `src` is not a budget caveat (it does not start with
    /// `budget(`), else the parsed caveat or a `caveat_syntax` error.
    pub fn parse(src: &str) -> Option<Result<BudgetCaveat, Error>> {
        let body = src
            .trim()
            .strip_prefix("budget")?
            .trim_start()
            .strip_prefix('(')?;
        Some(Self::parse_body(src, body))
    }

    fn parse_body(src: &str, body: &str) -> Result<BudgetCaveat, Error> {
        let body = body
            .trim_end()
            .strip_suffix(')')
            .ok_or_else(|| budget_syntax(src, "it must end with ')'"))?;
        let body = body.trim_start();
        let quote = body
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| budget_syntax(src, "the name must be a quoted string"))?;
        let rest = &body[1..];
        let end = rest
            .find(quote)
            .ok_or_else(|| budget_syntax(src, "the name's quote is not closed"))?;
        let name = &rest[..end];
        if name.is_empty()
            || name.len() > MAX_NAME_BYTES
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.:/".contains(&b))
        {
            return Err(budget_syntax(
                src,
                &format!("the name is 1 to {MAX_NAME_BYTES} characters of A-Z a-z 0-9 _ - . : /"),
            ));
        }
        let rest = rest[end + 1..].trim_start();
        let rest = rest
            .strip_prefix(',')
            .ok_or_else(|| budget_syntax(src, "a limit must follow the name"))?;
        let mut parts = rest.splitn(3, ',');
        let int = |s: Option<&str>, what: &str| -> Result<i64, Error> {
            let s = s.map(str::trim).unwrap_or("");
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(budget_syntax(
                    src,
                    &format!("the {what} must be a non-negative integer literal"),
                ));
            }
            s.parse::<i64>()
                .map_err(|_| budget_syntax(src, &format!("the {what} is too large")))
        };
        let limit = int(parts.next(), "limit")?;
        let period = int(parts.next(), "period")?;
        if !(1..=MAX_PERIOD).contains(&period) {
            return Err(budget_syntax(
                src,
                &format!("the period must be 1 to {MAX_PERIOD} seconds"),
            ));
        }
        let amount = match parts.next() {
            None => None,
            Some(expr) if expr.trim().is_empty() => {
                return Err(budget_syntax(src, "the amount expression is empty"))
            }
            Some(expr) => Some(crate::caveat::Expr::compile(expr.trim()).map_err(Error::from)?),
        };
        Ok(BudgetCaveat {
            name: name.to_string(),
            limit: limit as u64,
            period,
            amount,
        })
    }

    /// The counter a caveat spends from: the token id (shared by every
    /// narrowing of one minted capability), the caveat's position in the
    /// chain and a hash of its text. Narrowing keeps every ancestor's caveats
    /// at their positions, so it shares their counters, and a new budget
    /// caveat can only add a counter.
    pub fn counter(token_id: &str, index: u32, src: &str) -> String {
        use sha2::{Digest, Sha256};
        let h = Sha256::digest(src.as_bytes());
        format!("{token_id}/{index}/{}", crate::b64::encode(&h[..16]))
    }

    /// What this caveat spends for the call in `ctx`: `caveat_error` when
    /// the amount is not a non-negative int.
    pub fn spend(
        &self,
        token_id: &str,
        index: u32,
        src: &str,
        ctx: &crate::caveat::Context,
    ) -> Result<Spend, Error> {
        let amount = match &self.amount {
            None => 1,
            Some(expr) => {
                let n = expr.eval_int(ctx).map_err(Error::from)?;
                u64::try_from(n).map_err(|_| {
                    Error::new(
                        ErrorCode::CaveatError,
                        format!(
                            "budget {}: the amount is {n}; it must not be negative",
                            self.name
                        ),
                    )
                })?
            }
        };
        let (window_start, window_end) = window(ctx.now, self.period)?;
        Ok(Spend {
            counter: Self::counter(token_id, index, src),
            window_start,
            window_end,
            amount,
            limit: self.limit,
        })
    }
}

#[cfg(test)]
mod caveat_tests {
    use super::*;

    #[test]
    fn budget_caveats_parse() {
        let b = BudgetCaveat::parse("budget(\"refunds\", 10, 3600)")
            .unwrap()
            .unwrap();
        assert_eq!(
            (b.name.as_str(), b.limit, b.period, b.amount.is_none()),
            ("refunds", 10, 3600, true)
        );
        let b = BudgetCaveat::parse(" budget ( 'cents', 50000, 86400, args.amount_cents ) ")
            .unwrap()
            .unwrap();
        assert_eq!(b.amount.unwrap().source(), "args.amount_cents");
        let b = BudgetCaveat::parse("budget(\"x\", 1, 60, max(1, 2))");
        // Commas inside the amount expression belong to it.
        assert!(b.is_some());
        assert!(BudgetCaveat::parse("args.amount < 5").is_none());
        for bad in [
            "budget(refunds, 1, 60)",
            "budget(\"\", 1, 60)",
            "budget(\"a b\", 1, 60)",
            "budget(\"a\", -1, 60)",
            "budget(\"a\", 1, 0)",
            "budget(\"a\", 1, 99999999999)",
            "budget(\"a\", 1)",
            "budget(\"a\", 1, 60",
            "budget(\"a\", 1, 60, )",
            "budget(\"a\", 1, 60, args.)",
        ] {
            let e = BudgetCaveat::parse(bad).unwrap().unwrap_err();
            assert_eq!(e.code(), ErrorCode::CaveatSyntax, "{bad}: {e}");
        }
    }

    #[test]
    fn counters_differ_by_token_position_and_text() {
        let a = BudgetCaveat::counter("t", 1, "budget(\"a\", 1, 60)");
        assert_ne!(a, BudgetCaveat::counter("u", 1, "budget(\"a\", 1, 60)"));
        assert_ne!(a, BudgetCaveat::counter("t", 2, "budget(\"a\", 1, 60)"));
        assert_ne!(a, BudgetCaveat::counter("t", 1, "budget(\"a\", 2, 60)"));
    }
}
