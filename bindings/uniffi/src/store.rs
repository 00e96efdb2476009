//! Shared stores (`charter-store`): `open_store` and `Store`, which
//! `Verifier`, `PermitVerifier`, `PermitIssuer`, `Guard` (a `store`
//! parameter) and `AuditLog.in_store` keep their state in. Every call that
//! touches a store may wait for its database: call from a background
//! dispatcher (Kotlin `Dispatchers.IO`) or queue (Swift), never the main thread.

use crate::{export, wrap, Result};

export!(
/// A shared store: single use, revocations, idempotency keys, budgets and
/// audit chains in one database (a SQLite file, or PostgreSQL for many hosts).
Store(charter_store::Store) {
    /// Revokes a capability id or token id for every verifier on this store.
    fn revoke(&self, capability_id: String) -> Result<()> =
        wrap(self.0.revocations().revoke(&capability_id));
    /// Every revoked id, sorted.
    fn revoked(&self) -> Result<Vec<String>> = wrap(self.0.revocations().revoked());
    /// What the store is: its URL, without a password.
    fn get_url(&self) -> String = self.0.description().to_string();
});

/// Opens the store at `url` (`sqlite:///abs/path.db`, `sqlite://relative.db`,
/// `sqlite::memory:`, `memory:`, `postgres://user@host:port/db`) or a plain
/// file path (a SQLite file), creating its schema if new.
#[uniffi::export]
pub fn open_store(url: String) -> Result<Store> {
    wrap(charter_store::open_url_or_path(&url))
}
