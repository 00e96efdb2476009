//! Shared stores (`charter-store`): `openStore` and `Store`, which
//! `Verifier`, `PermitVerifier`, `PermitIssuer`, `Guard` (a `store`
//! argument) and `AuditLog.inStore` keep their state in.

use napi_derive::napi;

/// A shared store: single use, revocations, idempotency keys, budgets and
/// audit chains in one database (a SQLite file, or PostgreSQL for many
/// hosts). Calls that touch it may wait for the database: on a server, use
/// the `*Async` forms, which run on the libuv thread pool.
#[napi]
pub struct Store(pub(crate) charter_store::Store);

accessors!(Store |s| get {
    "What the store is: its URL, without a password."
    url: String = s.description().to_string();
} fn {} try {} twin {
    "Revokes a capability id or token id for every verifier on this store (waits for the database: see `revokeAsync`)."
    "`revoke` on the libuv thread pool: resolves once the revocation is committed."
    revoke revoke_async(&self, capability_id: String) -> () as "void" "Promise<void>" {} => s.revocations().revoke(&capability_id)?;
    "Every revoked id, sorted (reads the database: see `revokedAsync`)."
    "`revoked` on the libuv thread pool."
    revoked revoked_async(&self) -> Vec<String> as "Array<string>" "Promise<Array<string>>" {} => s.revocations().revoked()?;
} new {});

twins!(class_impl! {} s
    "Opens the store at `url` (`sqlite:///abs/path.db`, `sqlite://relative.db`, `sqlite::memory:`, `memory:`, `postgres://user@host:port/db`) or a plain file path (a SQLite file), creating its schema if new."
    "`openStore` on the libuv thread pool (reaching PostgreSQL may wait up to its connect timeout)."
    open_store open_store_async(url: String) -> Store as "Store" "Promise<Store>" {} => Store(charter_store::open_url_or_path(&url)?);
);
