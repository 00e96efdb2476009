//! Shared stores (`charter-store`): `openStore` and `Store`, which
//! `Verifier`, `PermitVerifier`, `PermitIssuer`, `Guard` (a `store`
//! argument) and `AuditLog.inStore` keep their state in.

use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;

use crate::error::{guard, Result};
use crate::task::{spawn, Job};

/// A shared store: single use, revocations, idempotency keys, budgets and
/// audit chains in one database (a SQLite file, or PostgreSQL for many
/// hosts). Calls that touch it may wait for the database: on a server, use
/// the `*Async` forms, which run on the libuv thread pool.
#[napi]
pub struct Store(pub(crate) charter_store::Store);

fn wrap(store: charter_store::Store) -> Store {
    Store(store)
}

accessors!(Store |s| get {
    "What the store is: its URL, without a password."
    url: String = s.description().to_string();
} fn {} try {
    "Revokes a capability id or token id for every verifier on this store (waits for the database: see `revokeAsync`)."
    revoke(capability_id: String) -> () = s.revocations().revoke(&capability_id)?;
    "Every revoked id, sorted."
    revoked() -> Vec<String> = s.revocations().revoked()?;
} new {});

#[napi]
impl Store {
    /// `revoke` on the libuv thread pool: resolves once the revocation is committed.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn revoke_async(&self, capability_id: String) -> AsyncTask<Job<(), ()>> {
        let list = self.0.revocations();
        spawn(move || list.revoke(&capability_id), |()| ())
    }
}

/// Opens the store at `url` (`sqlite:///abs/path.db`, `sqlite://relative.db`,
/// `sqlite::memory:`, `memory:`, `postgres://user@host:port/db`) or a plain
/// file path (a SQLite file), creating its schema if new.
#[napi]
pub fn open_store(url: String) -> Result<Store> {
    guard(|| charter_store::open_url_or_path(&url).map(Store))
}

/// `openStore` on the libuv thread pool (reaching PostgreSQL may wait up to
/// its connect timeout).
#[napi(ts_return_type = "Promise<Store>")]
pub fn open_store_async(url: String) -> AsyncTask<Job<charter_store::Store, Store>> {
    spawn(move || charter_store::open_url_or_path(&url), wrap)
}
