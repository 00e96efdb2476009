//! The SQLite backend: one database file shared by any number of processes
//! on one host.
//!
//! Every connection runs in WAL mode with `synchronous = FULL` (a committed
//! transaction is on disk before the call returns, so an acknowledged permit
//! use, revocation or receipt survives a crash or power loss) and a busy
//! timeout of [`BUSY_TIMEOUT_MS`]; every write is one `BEGIN IMMEDIATE`
//! transaction, so writers queue on SQLite's database lock instead of
//! failing. A write still waiting after the timeout fails with
//! `store_unavailable` (retry), never with a silent allow.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use charter_core::audit::AuditLog;
use charter_core::budget::{exhausted, merge_indexed, SpendError};
use charter_core::revocation::check_id;
use charter_core::{
    b64, BudgetStore, Bundle, Error, ErrorCode, IdempotencyStore, KeySet, PublicKey, Receipt,
    ReceiptInput, ReplayStore, RevocationList, SigningKey, Spend, Stored, GENESIS,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::{AuditLogs, Parts, Store, SCHEMA_VERSION};

/// How long a write waits for another process's write to finish, in
/// milliseconds, before failing with `store_unavailable`.
pub const BUSY_TIMEOUT_MS: u64 = 10_000;

/// Expired rows deleted per write, at most: pruning is bounded work on
/// every insert (no timer), and outpaces any insert rate, since each
/// insert removes up to this many.
pub const PRUNE_BATCH: i64 = 64;

/// Idle connections a store keeps per process (others are closed on release).
const MAX_IDLE: usize = 16;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS charter_replay (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS charter_replay_expiry ON charter_replay (expires_at);
CREATE TABLE IF NOT EXISTS charter_revocations (
    id TEXT PRIMARY KEY,
    revoked_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS charter_idempotency (
    key TEXT PRIMARY KEY,
    call_hash TEXT NOT NULL,
    outcome TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS charter_idempotency_expiry ON charter_idempotency (expires_at);
CREATE TABLE IF NOT EXISTS charter_budgets (
    counter TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    window_end INTEGER NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (counter, window_start)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS charter_budgets_end ON charter_budgets (window_end);
CREATE TABLE IF NOT EXISTS charter_audit (
    log TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    ts INTEGER NOT NULL,
    receipt TEXT NOT NULL,
    PRIMARY KEY (log, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS charter_audit_keys (
    log TEXT NOT NULL,
    kid TEXT NOT NULL,
    public_key TEXT NOT NULL,
    PRIMARY KEY (log, kid)
) WITHOUT ROWID;
";

/// A failure inside a database call: SQLite's, or the core's.
enum Fail {
    Sql(rusqlite::Error),
    Core(Error),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Fail::Sql(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Core(e)
    }
}

type R<T> = Result<T, Fail>;

/// Connections to one database: a pool of connections to a file, or the one
/// connection of a private in-memory database.
struct Db {
    what: String,
    conns: Conns,
    /// Writers of this process queue here rather than in SQLite's busy
    /// handler, whose sleeps grow under contention; writers of other
    /// processes still meet on the database lock.
    writer: Mutex<()>,
}

enum Conns {
    Pool {
        path: PathBuf,
        idle: Mutex<Vec<Connection>>,
    },
    Single(Mutex<Connection>),
}

impl Db {
    fn connect(path: Option<&Path>, what: &str) -> Result<Connection, Error> {
        let conn = match path {
            Some(p) => Connection::open(p),
            None => Connection::open_in_memory(),
        }
        .map_err(|e| unavailable(what, &e))?;
        configure(&conn, path.is_some()).map_err(|e| unavailable(what, &e))?;
        Ok(conn)
    }

    /// Runs the write transaction `f`, one writer of this process at a time.
    fn write<T>(&self, f: impl FnOnce(&mut Connection) -> R<T>) -> Result<T, Error> {
        let _turn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        self.with(f)
    }

    /// Runs `f` on a connection (a pooled one, opened when none is idle).
    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> R<T>) -> Result<T, Error> {
        let out = match &self.conns {
            Conns::Single(conn) => f(&mut conn.lock().unwrap_or_else(|p| p.into_inner())),
            Conns::Pool { path, idle } => {
                let taken = idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
                let mut conn = match taken {
                    Some(c) => c,
                    None => Db::connect(Some(path), &self.what)?,
                };
                let out = f(&mut conn);
                let mut idle = idle.lock().unwrap_or_else(|p| p.into_inner());
                if idle.len() < MAX_IDLE {
                    idle.push(conn);
                }
                out
            }
        };
        out.map_err(|e| match e {
            Fail::Sql(e) => unavailable(&self.what, &e),
            Fail::Core(e) => e,
        })
    }
}

fn unavailable(what: &str, e: &rusqlite::Error) -> Error {
    let code = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt) | Some(rusqlite::ErrorCode::NotADatabase) => {
            ErrorCode::Io
        }
        _ => ErrorCode::StoreUnavailable,
    };
    Error::new(
        code,
        format!("SQLite store {what} did not answer: {e}; nothing was recorded, retry later"),
    )
}

fn configure(conn: &Connection, file: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_millis(BUSY_TIMEOUT_MS))?;
    if file {
        // Persistent in the file; a no-op once set.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "journal_mode is {mode}, WAL is required"
            )));
        }
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

/// Opens (creating if new) the database file at `path`.
pub fn open_path(path: &Path) -> Result<Store, Error> {
    let what = format!("sqlite://{}", path.display());
    let first = Db::connect(Some(path), &what)?;
    finish(Db {
        what,
        conns: Conns::Pool {
            path: path.to_path_buf(),
            idle: Mutex::new(vec![first]),
        },
        writer: Mutex::new(()),
    })
}

/// A private in-memory database (tests): one connection, one process.
pub fn open_memory() -> Result<Store, Error> {
    let what = "sqlite::memory:".to_string();
    let conn = Db::connect(None, &what)?;
    finish(Db {
        what,
        conns: Conns::Single(Mutex::new(conn)),
        writer: Mutex::new(()),
    })
}

fn finish(db: Db) -> Result<Store, Error> {
    db.with(|conn| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS charter_schema (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL
            );",
        )?;
        let version: Option<i64> = tx
            .query_row("SELECT version FROM charter_schema WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        match version {
            Some(v) if v > SCHEMA_VERSION => {
                return Err(Error::new(
                    ErrorCode::UnsupportedVersion,
                    format!("the store's schema is version {v}; this build reads version {SCHEMA_VERSION}: upgrade Charter"),
                )
                .into())
            }
            Some(_) => {}
            None => {
                tx.execute_batch(SCHEMA)?;
                tx.execute(
                    "INSERT INTO charter_schema (id, version) VALUES (1, ?1)",
                    [SCHEMA_VERSION],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    })?;
    let db = Arc::new(db);
    Ok(Store::from_parts(Parts {
        description: db.what.clone(),
        replay: Arc::new(SqliteReplayStore(db.clone())),
        revocations: Arc::new(SqliteRevocationList(db.clone())),
        idempotency: Arc::new(SqliteIdempotencyStore(db.clone())),
        budgets: Arc::new(SqliteBudgetStore(db.clone())),
        audit: Arc::new(SqliteAuditLogs(db)),
    }))
}

/// Single-use values in `charter_replay`.
struct SqliteReplayStore(Arc<Db>);

impl ReplayStore for SqliteReplayStore {
    fn check_and_record(&self, key: &str, expires_at: i64, now: i64) -> Result<(), Error> {
        let fresh = self.0.write(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "DELETE FROM charter_replay WHERE key IN
                   (SELECT key FROM charter_replay WHERE expires_at < ?1 LIMIT ?2)",
                params![now, PRUNE_BATCH],
            )?;
            let n = tx.execute(
                "INSERT INTO charter_replay (key, expires_at) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
                 WHERE charter_replay.expires_at < ?3",
                params![key, expires_at, now],
            )?;
            tx.commit()?;
            Ok(n == 1)
        })?;
        if fresh {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::Replayed,
                format!("{key} was already used; it is single-use"),
            ))
        }
    }
}

/// Revoked ids in `charter_revocations`, read on every check.
struct SqliteRevocationList(Arc<Db>);

impl RevocationList for SqliteRevocationList {
    fn is_revoked(&self, capability_id: &str) -> Result<bool, Error> {
        self.0.with(|conn| {
            let mut st = conn.prepare_cached("SELECT 1 FROM charter_revocations WHERE id = ?1")?;
            Ok(st.exists([capability_id])?)
        })
    }

    fn first_revoked(&self, ids: &[&str]) -> Result<Option<String>, Error> {
        if ids.is_empty() {
            return Ok(None);
        }
        // One query for the whole chain; the first hit in the caller's order wins.
        let marks = (1..=ids.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let found = self.0.with(|conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT id FROM charter_revocations WHERE id IN ({marks})"
            ))?;
            let rows = st
                .query_map(rusqlite::params_from_iter(ids.iter()), |r| {
                    r.get::<_, String>(0)
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })?;
        Ok(ids
            .iter()
            .find(|id| found.iter().any(|f| f == **id))
            .map(|id| (*id).to_string()))
    }

    fn revoke(&self, capability_id: &str) -> Result<(), Error> {
        check_id(capability_id)?;
        let now = charter_core::unix_now();
        self.0.write(|conn| {
            conn.execute(
                "INSERT INTO charter_revocations (id, revoked_at) VALUES (?1, ?2)
                 ON CONFLICT (id) DO NOTHING",
                params![capability_id, now],
            )?;
            Ok(())
        })
    }

    fn revoked(&self) -> Result<Vec<String>, Error> {
        self.0.with(|conn| {
            let mut st = conn.prepare("SELECT id FROM charter_revocations ORDER BY id")?;
            let ids = st
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(ids)
        })
    }
}

/// Idempotency keys in `charter_idempotency`.
struct SqliteIdempotencyStore(Arc<Db>);

impl IdempotencyStore for SqliteIdempotencyStore {
    fn put_if_absent(
        &self,
        key: &str,
        call_hash: &str,
        outcome: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<Stored, Error> {
        self.0.write(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "DELETE FROM charter_idempotency WHERE key IN
                   (SELECT key FROM charter_idempotency WHERE expires_at < ?1 LIMIT ?2)",
                params![now, PRUNE_BATCH],
            )?;
            tx.execute(
                "INSERT INTO charter_idempotency (key, call_hash, outcome, expires_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (key) DO UPDATE SET call_hash = excluded.call_hash,
                   outcome = excluded.outcome, expires_at = excluded.expires_at
                 WHERE charter_idempotency.expires_at < ?5",
                params![key, call_hash, outcome, expires_at, now],
            )?;
            let stored = tx.query_row(
                "SELECT call_hash, outcome FROM charter_idempotency WHERE key = ?1",
                [key],
                |r| {
                    Ok(Stored {
                        call_hash: r.get(0)?,
                        outcome: r.get(1)?,
                    })
                },
            )?;
            tx.commit()?;
            Ok(stored)
        })
    }

    fn complete(
        &self,
        key: &str,
        pending: &str,
        outcome: &str,
        expires_at: i64,
    ) -> Result<bool, Error> {
        self.0.write(|conn| {
            let n = conn.execute(
                "UPDATE charter_idempotency SET outcome = ?1, expires_at = ?2
                 WHERE key = ?3 AND outcome = ?4",
                params![outcome, expires_at, key, pending],
            )?;
            Ok(n == 1)
        })
    }
}

/// Budget counters in `charter_budgets`.
struct SqliteBudgetStore(Arc<Db>);

impl BudgetStore for SqliteBudgetStore {
    fn spend(&self, spends: &[Spend], now: i64) -> Result<(), SpendError> {
        // merge bounds every amount and limit to 2^63 - 1, so `as i64` is exact.
        let spends = merge_indexed(spends)?;
        let ran_out = self.0.write(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "DELETE FROM charter_budgets WHERE (counter, window_start) IN
                   (SELECT counter, window_start FROM charter_budgets WHERE window_end <= ?1 LIMIT ?2)",
                params![now, PRUNE_BATCH],
            )?;
            for (index, s) in &spends {
                let used: i64 = tx
                    .query_row(
                        "SELECT used FROM charter_budgets WHERE counter = ?1 AND window_start = ?2",
                        params![s.counter, s.window_start],
                        |r| r.get(0),
                    )
                    .optional()?
                    .unwrap_or(0);
                let used = u64::try_from(used).unwrap_or(u64::MAX);
                if used.checked_add(s.amount).is_none_or(|t| t > s.limit) {
                    // Dropping the transaction rolls back: nothing is spent.
                    return Ok(Some(SpendError::Exhausted {
                        index: *index,
                        error: exhausted(s, used),
                    }));
                }
            }
            for (_, s) in &spends {
                tx.execute(
                    "INSERT INTO charter_budgets (counter, window_start, window_end, used)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (counter, window_start) DO UPDATE SET used = used + excluded.used",
                    params![s.counter, s.window_start, s.window_end, s.amount as i64],
                )?;
            }
            tx.commit()?;
            Ok(None)
        })?;
        ran_out.map_or(Ok(()), Err)
    }
}

/// Audit logs in `charter_audit`, one chain per log name.
struct SqliteAuditLogs(Arc<Db>);

impl AuditLogs for SqliteAuditLogs {
    fn open_log(
        &self,
        name: &str,
        signing_key: SigningKey,
        older_keys: &KeySet,
    ) -> Result<Arc<dyn AuditLog>, Error> {
        let public = signing_key.public_key();
        let registered = self.0.write(|conn| {
            conn.execute(
                "INSERT INTO charter_audit_keys (log, kid, public_key) VALUES (?1, ?2, ?3)
                 ON CONFLICT (log, kid) DO NOTHING",
                params![name, public.kid(), b64::encode(public.to_bytes())],
            )?;
            log_keys(conn, name)
        })?;
        let mut keys = older_keys.clone();
        for k in registered {
            if keys.get(k.kid()).is_err() {
                keys.insert(k)?;
            }
        }
        let log = SqliteAuditLog {
            db: self.0.clone(),
            name: name.to_string(),
            key: signing_key,
            keys,
        };
        // The head must be a receipt this log's keys verify, at its seq.
        if let Some(head) = log.head()? {
            head.verify(&log.keys)?;
        }
        Ok(Arc::new(log))
    }
}

fn log_keys(conn: &Connection, name: &str) -> R<Vec<PublicKey>> {
    let mut st = conn.prepare_cached(
        "SELECT kid, public_key FROM charter_audit_keys WHERE log = ?1 ORDER BY kid",
    )?;
    let rows = st
        .query_map([name], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut keys = Vec::with_capacity(rows.len());
    for (kid, text) in rows {
        let bytes = b64::decode(&text).ok_or_else(|| {
            Error::new(
                ErrorCode::Malformed,
                format!("audit key {kid} in the store is not base64url"),
            )
        })?;
        let key = PublicKey::from_bytes(&bytes)?;
        if key.kid() != kid {
            return Err(Error::new(
                ErrorCode::ChainBroken,
                format!("audit key row {kid} holds key {}", key.kid()),
            )
            .into());
        }
        keys.push(key);
    }
    Ok(keys)
}

/// One audit chain in the database; appends from every process are
/// serialized by `BEGIN IMMEDIATE`, so the chain never forks.
struct SqliteAuditLog {
    db: Arc<Db>,
    name: String,
    key: SigningKey,
    keys: KeySet,
}

fn parse_row(seq: i64, text: &str) -> R<Receipt> {
    let r = Receipt::parse(text)?;
    if i64::try_from(r.seq()).ok() != Some(seq) {
        return Err(Error::new(
            ErrorCode::ChainBroken,
            format!("audit row {seq} holds receipt seq {}", r.seq()),
        )
        .into());
    }
    Ok(r)
}

impl AuditLog for SqliteAuditLog {
    fn append(&self, entry: ReceiptInput) -> Result<Receipt, Error> {
        self.db.write(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let last: Option<(i64, String, i64)> = tx
                .query_row(
                    "SELECT seq, hash, ts FROM charter_audit WHERE log = ?1 ORDER BY seq DESC LIMIT 1",
                    [&self.name],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let mut entry = entry;
            let (seq, prev) = match last {
                None => (0u64, GENESIS.to_string()),
                Some((seq, hash, ts)) => {
                    // Time never goes backwards in a log.
                    entry.ts = entry.ts.max(ts);
                    let next = u64::try_from(seq).map_err(|_| {
                        Error::new(ErrorCode::ChainBroken, format!("audit row seq {seq} is negative"))
                    })? + 1;
                    (next, hash)
                }
            };
            let r = Receipt::sign(&entry, seq, &prev, &self.key)?;
            tx.execute(
                "INSERT INTO charter_audit (log, seq, hash, ts, receipt) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![self.name, seq as i64, r.hash(), r.ts(), r.to_json()],
            )?;
            tx.commit()?;
            Ok(r)
        })
    }

    fn len(&self) -> Result<u64, Error> {
        self.db.with(|conn| {
            let n: i64 = conn.query_row(
                "SELECT COALESCE(MAX(seq) + 1, 0) FROM charter_audit WHERE log = ?1",
                [&self.name],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    fn head(&self) -> Result<Option<Receipt>, Error> {
        self.db.with(|conn| {
            let row: Option<(i64, String)> = conn
                .query_row(
                    "SELECT seq, receipt FROM charter_audit WHERE log = ?1 ORDER BY seq DESC LIMIT 1",
                    [&self.name],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            row.map(|(seq, text)| parse_row(seq, &text)).transpose()
        })
    }

    fn receipts(&self, range: Range<u64>) -> Result<Vec<Receipt>, Error> {
        let len = self.len()?;
        if range.start > range.end || range.end > len {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "range {}..{} is outside the log's {len} receipts",
                    range.start, range.end
                ),
            ));
        }
        let (start, end) = (range.start as i64, range.end as i64);
        self.db.with(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT seq, receipt FROM charter_audit WHERE log = ?1 AND seq >= ?2 AND seq < ?3 ORDER BY seq",
            )?;
            let rows = st
                .query_map(params![self.name, start, end], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut out = Vec::with_capacity(rows.len());
            for (i, (seq, text)) in rows.iter().enumerate() {
                if *seq != start + i as i64 {
                    return Err(Error::new(
                        ErrorCode::ChainBroken,
                        format!("audit log {} has no receipt {}", self.name, start + i as i64),
                    )
                    .into());
                }
                out.push(parse_row(*seq, text)?);
            }
            if out.len() as i64 != end - start {
                return Err(Error::new(
                    ErrorCode::ChainBroken,
                    format!("audit log {} is missing receipts in {start}..{end}", self.name),
                )
                .into());
            }
            Ok(out)
        })
    }

    fn keys(&self) -> KeySet {
        self.keys.clone()
    }

    fn export_bundle(&self, range: Range<u64>) -> Result<Bundle, Error> {
        // Other writers may have registered their keys since this log was opened.
        let mut keys = self.keys.clone();
        for k in self.db.with(|conn| log_keys(conn, &self.name))? {
            if keys.get(k.kid()).is_err() {
                keys.insert(k)?;
            }
        }
        Bundle::seal(self.receipts(range)?, &keys, &self.key)
    }
}
