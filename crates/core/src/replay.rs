//! Single-use values (permit `jti`s, holder-proof nonces) are remembered until
//! they expire, so a second presentation is refused. Bounded by a count: a full
//! store refuses new entries rather than forgetting live ones (fail closed).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::{Error, ErrorCode};

/// Where single-use values are remembered. Implement it over a shared store
/// (Redis, a database) when several verifier processes must agree.
pub trait ReplayStore: Send + Sync {
    /// Records `key` as used until `expires_at` (Unix seconds). Fails with
    /// `replayed` when it is already recorded and unexpired at `now`, and with
    /// `limit_exceeded` when the store is full of unexpired entries.
    fn check_and_record(&self, key: &str, expires_at: i64, now: i64) -> Result<(), Error>;
}

/// An in-process replay store.
#[derive(Debug)]
pub struct MemoryReplayStore {
    seen: Mutex<HashMap<String, i64>>,
    capacity: usize,
}

impl MemoryReplayStore {
    /// Ids held by [`MemoryReplayStore::new`]: enough for a busy process,
    /// bounded so memory is.
    pub const DEFAULT_CAPACITY: usize = 1_000_000;

    /// A store holding up to [`MemoryReplayStore::DEFAULT_CAPACITY`] ids.
    pub fn new() -> Self {
        MemoryReplayStore::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A store holding up to `capacity` live ids; when full it refuses new
    /// ones rather than forget live ones (fail closed).
    pub fn with_capacity(capacity: usize) -> Self {
        MemoryReplayStore {
            seen: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// Number of ids remembered.
    pub fn len(&self) -> usize {
        self.seen.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for MemoryReplayStore {
    fn default() -> Self {
        MemoryReplayStore::new()
    }
}

impl ReplayStore for MemoryReplayStore {
    fn check_and_record(&self, key: &str, expires_at: i64, now: i64) -> Result<(), Error> {
        let mut seen = self.seen.lock().map_err(|_| {
            Error::new(
                ErrorCode::Io,
                "replay store lock poisoned by a panic elsewhere",
            )
        })?;
        if let Some(&until) = seen.get(key) {
            if until >= now {
                return Err(Error::new(
                    ErrorCode::Replayed,
                    format!("{key} was already used; it is single-use"),
                ));
            }
        }
        if seen.len() >= self.capacity && !seen.contains_key(key) {
            seen.retain(|_, until| *until >= now);
            if seen.len() >= self.capacity {
                return Err(Error::new(
                    ErrorCode::LimitExceeded,
                    format!("replay store holds {} unexpired entries, its capacity; refusing rather than forgetting one", self.capacity),
                ));
            }
        }
        seen.insert(key.to_string(), expires_at);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_use_is_refused_until_expiry() {
        let store = MemoryReplayStore::new();
        store.check_and_record("permit:a", 100, 10).unwrap();
        assert_eq!(
            store
                .check_and_record("permit:a", 100, 50)
                .unwrap_err()
                .code(),
            ErrorCode::Replayed
        );
        store.check_and_record("permit:a", 200, 101).unwrap();
    }

    #[test]
    fn full_store_fails_closed_but_evicts_expired() {
        let store = MemoryReplayStore::with_capacity(2);
        store.check_and_record("a", 10, 0).unwrap();
        store.check_and_record("b", 100, 0).unwrap();
        assert_eq!(
            store.check_and_record("c", 100, 5).unwrap_err().code(),
            ErrorCode::LimitExceeded
        );
        store.check_and_record("c", 100, 11).unwrap(); // "a" expired and is evicted
    }
}
