//! charter-store: Charter's shared state in a database, so that every
//! promise the core makes in one process (a permit is used once, a holder
//! proof's nonce once, a revocation holds, an idempotency key means one call,
//! a budget is never overspent, the audit chain never forks) holds across
//! processes and machines.
//!
//! [`open`] takes a URL and returns a [`Store`], which hands out the core's
//! traits ([`ReplayStore`], [`RevocationList`], [`IdempotencyStore`],
//! [`BudgetStore`]) and audit logs ([`AuditLog`]) backed by one database:
//!
//! - `sqlite:///abs/path.db`, `sqlite://relative/path.db`: one file, safe for
//!   many processes on one host (WAL, busy timeout, `BEGIN IMMEDIATE`);
//! - `sqlite::memory:`: a private in-memory database (tests);
//! - `memory:`: the core's in-memory stores (one process);
//! - `postgres://user@host:port/db` (`postgresql://`): many machines
//!   (feature `postgres`).
//!
//! See the crate README for the schema, the guarantees and their bounds.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use charter_core::audit::AuditLog;
use charter_core::{
    BudgetStore, Error, ErrorCode, IdempotencyStore, KeySet, MemoryAuditLog, MemoryBudgetStore,
    MemoryIdempotencyStore, MemoryReplayStore, MemoryRevocationList, ReplayStore, RevocationList,
    SigningKey,
};

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

/// The schema version this build creates and reads. A database whose
/// `charter_schema` table names a newer one is refused
/// (`unsupported_version`): upgrade Charter before using it.
pub const SCHEMA_VERSION: i64 = 1;

/// Longest audit log name, in bytes.
pub const MAX_LOG_NAME_BYTES: usize = 128;

/// Opens audit logs kept in a store: one hash chain per log name, serialized
/// in the database, so writers in any number of processes extend one chain.
pub trait AuditLogs: Send + Sync {
    /// Opens (creating if new) the log `name`, signing new receipts with
    /// `signing_key`; `older_keys` are trusted for receipts signed before a
    /// rotation (and by other writers' keys, which a database log also records).
    fn open_log(
        &self,
        name: &str,
        signing_key: SigningKey,
        older_keys: &KeySet,
    ) -> Result<Arc<dyn AuditLog>, Error>;
}

/// One store: every kind of shared state, backed by one engine.
#[derive(Clone)]
pub struct Store {
    description: String,
    replay: Arc<dyn ReplayStore>,
    revocations: Arc<dyn RevocationList>,
    idempotency: Arc<dyn IdempotencyStore>,
    budgets: Arc<dyn BudgetStore>,
    audit: Arc<dyn AuditLogs>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.description)
            .finish_non_exhaustive()
    }
}

/// The parts a backend builds a [`Store`] from.
pub struct Parts {
    /// What the store is, for messages and `Debug` (a URL without its password).
    pub description: String,
    /// Single-use values (permit `jti`s, proof nonces).
    pub replay: Arc<dyn ReplayStore>,
    /// Revoked capability and token ids.
    pub revocations: Arc<dyn RevocationList>,
    /// Idempotency keys and their outcomes.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Budget counters.
    pub budgets: Arc<dyn BudgetStore>,
    /// Audit logs.
    pub audit: Arc<dyn AuditLogs>,
}

impl charter_core::SharedState for Store {
    fn replay(&self) -> Arc<dyn ReplayStore> {
        Store::replay(self)
    }
    fn revocations(&self) -> Arc<dyn RevocationList> {
        Store::revocations(self)
    }
    fn idempotency(&self) -> Arc<dyn IdempotencyStore> {
        Store::idempotency(self)
    }
    fn budgets(&self) -> Arc<dyn BudgetStore> {
        Store::budgets(self)
    }
}

impl Store {
    /// A store from a backend's parts (backends call this).
    pub fn from_parts(parts: Parts) -> Self {
        Store {
            description: parts.description,
            replay: parts.replay,
            revocations: parts.revocations,
            idempotency: parts.idempotency,
            budgets: parts.budgets,
            audit: parts.audit,
        }
    }

    /// The core's in-memory stores: shared by everything in this process
    /// that holds the same `Store`, and by nothing else.
    pub fn memory() -> Self {
        Store::from_parts(Parts {
            description: "memory:".into(),
            replay: Arc::new(MemoryReplayStore::new()),
            revocations: Arc::new(MemoryRevocationList::new()),
            idempotency: Arc::new(MemoryIdempotencyStore::new()),
            budgets: Arc::new(MemoryBudgetStore::new()),
            audit: Arc::new(MemoryAuditLogs::default()),
        })
    }

    /// What this store is (its URL without a password).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Where permit `jti`s and holder-proof nonces are remembered
    /// (`PermitVerifier::with_replay_store`, `Verifier::with_replay_store`).
    pub fn replay(&self) -> Arc<dyn ReplayStore> {
        self.replay.clone()
    }

    /// The revocation list (`Verifier::with_revocations`).
    pub fn revocations(&self) -> Arc<dyn RevocationList> {
        self.revocations.clone()
    }

    /// Idempotency keys (`PermitIssuer::with_idempotency_store`).
    pub fn idempotency(&self) -> Arc<dyn IdempotencyStore> {
        self.idempotency.clone()
    }

    /// Budget counters (`Verifier::with_budget_store`).
    pub fn budgets(&self) -> Arc<dyn BudgetStore> {
        self.budgets.clone()
    }

    /// The audit log `name` of this store, signing with `signing_key`.
    pub fn audit_log(
        &self,
        name: &str,
        signing_key: SigningKey,
    ) -> Result<Arc<dyn AuditLog>, Error> {
        self.audit_log_with_keys(name, signing_key, &KeySet::new())
    }

    /// Like [`Store::audit_log`], also trusting `older_keys` (a rotation).
    pub fn audit_log_with_keys(
        &self,
        name: &str,
        signing_key: SigningKey,
        older_keys: &KeySet,
    ) -> Result<Arc<dyn AuditLog>, Error> {
        check_log_name(name)?;
        self.audit.open_log(name, signing_key, older_keys)
    }
}

/// Checks an audit log name: 1 to [`MAX_LOG_NAME_BYTES`] bytes of printable
/// ASCII, so it is stored and compared exactly.
pub fn check_log_name(name: &str) -> Result<(), Error> {
    if name.is_empty()
        || name.len() > MAX_LOG_NAME_BYTES
        || !name.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("an audit log name is 1 to {MAX_LOG_NAME_BYTES} printable ASCII characters without spaces, got {name:?}"),
        ));
    }
    Ok(())
}

/// In-memory audit logs by name (the `memory:` store).
#[derive(Default)]
struct MemoryAuditLogs {
    logs: Mutex<HashMap<String, (String, Arc<MemoryAuditLog>)>>,
}

impl AuditLogs for MemoryAuditLogs {
    fn open_log(
        &self,
        name: &str,
        signing_key: SigningKey,
        _older_keys: &KeySet,
    ) -> Result<Arc<dyn AuditLog>, Error> {
        let mut logs = self.logs.lock().unwrap_or_else(|p| p.into_inner());
        let kid = signing_key.kid().to_string();
        let (owner, log) = logs
            .entry(name.to_string())
            .or_insert_with(|| (kid.clone(), Arc::new(MemoryAuditLog::new(signing_key))));
        if *owner != kid {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("in-memory audit log {name:?} is signed with key {owner}, not {kid}; a memory log has one signing key"),
            ));
        }
        Ok(log.clone())
    }
}

/// The URL schemes [`open`] understands, for messages.
pub const SCHEMES: &str =
    "sqlite:///abs/path.db, sqlite://relative/path.db, sqlite::memory:, memory:, postgres://user@host:port/db";

/// Opens the store at `url` (see the crate docs for the forms), creating its
/// schema if new. `invalid_argument` for a URL this build cannot open,
/// `store_unavailable` when the database cannot be reached,
/// `unsupported_version` for a schema newer than this build.
pub fn open(url: &str) -> Result<Store, Error> {
    if url == "memory:" {
        return Ok(Store::memory());
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        return open_sqlite(url, rest);
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return open_postgres(url);
    }
    Err(Error::new(
        ErrorCode::InvalidArgument,
        format!(
            "cannot open store {:?}: expected one of {SCHEMES}",
            redact(url)
        ),
    ))
}

/// Like [`open`], also taking a plain file path (no `scheme:` prefix), which
/// is a SQLite file: the bindings' `open_store("charter.db")`. Anything with
/// a scheme goes to [`open`] unchanged, so a mistyped URL is still refused.
pub fn open_url_or_path(target: &str) -> Result<Store, Error> {
    let has_scheme = target.contains("://") || target == "memory:" || target.starts_with("sqlite:");
    if has_scheme || target.is_empty() {
        return open(target);
    }
    open(&format!("sqlite://{target}"))
}

#[cfg(feature = "sqlite")]
fn open_sqlite(url: &str, rest: &str) -> Result<Store, Error> {
    if rest == ":memory:" {
        return sqlite::open_memory();
    }
    let Some(path) = rest.strip_prefix("//") else {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("cannot open store {url:?}: a SQLite URL is sqlite:///abs/path.db, sqlite://relative/path.db or sqlite::memory:"),
        ));
    };
    if path.is_empty() || path.contains('?') || path.contains('#') {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("cannot open store {url:?}: give a file path after sqlite:// (no query or fragment)"),
        ));
    }
    sqlite::open_path(std::path::Path::new(path))
}

#[cfg(not(feature = "sqlite"))]
fn open_sqlite(url: &str, _rest: &str) -> Result<Store, Error> {
    Err(Error::new(
        ErrorCode::Unsupported,
        format!("cannot open store {url:?}: this build of charter-store has no SQLite support (feature \"sqlite\")"),
    ))
}

#[cfg(feature = "postgres")]
fn open_postgres(url: &str) -> Result<Store, Error> {
    postgres::open(url)
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(url: &str) -> Result<Store, Error> {
    Err(Error::new(
        ErrorCode::Unsupported,
        format!(
            "cannot open store {:?}: this build of charter-store has no PostgreSQL support (feature \"postgres\")",
            redact(url)
        ),
    ))
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        for bad in [
            "",
            "file:///x",
            "sqlite:x",
            "sqlite://",
            "sqlite:///x?mode=ro",
            "redis://h",
        ] {
            let e = open(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{bad}: {e}");
        }
        let e = open("postgres://u:secret@h/db").unwrap_err();
        assert!(!e.message().contains("secret"), "{e}");
    }

    #[test]
    fn plain_paths_are_sqlite_files() {
        let dir = std::env::temp_dir().join(format!("charter-store-path-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("plain.db");
        let s = open_url_or_path(file.to_str().unwrap()).unwrap();
        assert_eq!(
            s.description(),
            open(&format!("sqlite://{}", file.display()))
                .unwrap()
                .description()
        );
        assert!(file.exists());
        for bad in ["", "redis://h", "sqlite:x"] {
            let e = open_url_or_path(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{bad}: {e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:pw@h:5/db"), "postgres://u:***@h:5/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:///a/b"), "sqlite:///a/b");
    }

    #[test]
    fn memory_logs_keep_one_key() {
        let s = Store::memory();
        let a = s
            .audit_log("main", SigningKey::from_bytes(&[1; 32]).unwrap())
            .unwrap();
        let b = s
            .audit_log("main", SigningKey::from_bytes(&[1; 32]).unwrap())
            .unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let code = |r: Result<Arc<dyn AuditLog>, Error>| r.err().map(|e| e.code());
        assert_eq!(
            code(s.audit_log("main", SigningKey::from_bytes(&[2; 32]).unwrap())),
            Some(ErrorCode::InvalidArgument)
        );
        assert_eq!(
            code(s.audit_log("", SigningKey::from_bytes(&[1; 32]).unwrap())),
            Some(ErrorCode::InvalidArgument)
        );
    }
}
