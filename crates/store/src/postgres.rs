//! PostgreSQL stores (feature `postgres`): every replica of a tool, on any
//! machine, shares one database and therefore one view of single use,
//! revocations, idempotency keys, budgets and the audit chain.
//!
//! - **Client.** The sync `postgres` crate behind an `r2d2` pool
//!   (`r2d2_postgres`): the core's traits are sync, and r2d2 needs no async
//!   runtime in the caller's process (a deadpool pool would bring tokio).
//! - **Connect timeout.** Every new connection is bounded by the URL's
//!   `connect_timeout` (seconds, [`DEFAULT_CONNECT_TIMEOUT`] when absent),
//!   and a call waits at most that long for a pooled connection, so a call
//!   while the server is down fails with `store_unavailable` within that
//!   bound; nothing is allowed.
//! - **Reconnects.** A pooled connection is tested when handed out and
//!   dropped when broken (a server restart, a cut connection); the next call
//!   makes a new one. The caller never restarts.
//! - **Atomicity.** Single use and idempotency are one `INSERT ... ON
//!   CONFLICT` each; a budget check is one transaction of conditional
//!   updates taken in a fixed order; the audit chain is serialized by a row
//!   lock on the log's head row (`SELECT ... FOR UPDATE`), so concurrent
//!   writers on many machines extend one chain that never forks, and a
//!   receipt is returned only after its transaction committed.
//! - **Revocations** are read from the database on every check: a revocation
//!   is honoured by every verifier as soon as its transaction commits (no
//!   cache).
//! - **Schema** created on open, versioned in `charter_schema`; a database
//!   whose schema is newer than this build is refused (`unsupported_version`).
//! - **Pruning.** Expired replay and idempotency rows and budget rows of past
//!   windows are deleted in bounded batches ([`PRUNE_BATCH`] rows every
//!   [`PRUNE_EVERY`] writes of one store handle), never on a timer.

use std::ops::Range;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use charter_core::audit::{AuditLog, Bundle, MAX_BUNDLE_RECEIPTS};
use charter_core::budget::{exhausted, merge_indexed, BudgetStore, Spend, SpendError};
use charter_core::idempotency::{check_key, IdempotencyStore, Stored};
use charter_core::receipt::{Receipt, ReceiptInput, GENESIS};
use charter_core::revocation::{check_id, RevocationList};
use charter_core::{b64, Error, ErrorCode, KeySet, PublicKey, ReplayStore, SigningKey};
use postgres::error::SqlState;
#[cfg(not(feature = "postgres-tls"))]
use postgres::NoTls;
use postgres::Transaction;
use r2d2_postgres::PostgresConnectionManager;

use crate::{check_log_name, redact, AuditLogs, Parts, Store, SCHEMA_VERSION};

/// Connect timeout when the URL gives none (`connect_timeout=` seconds).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections a pool holds when the URL gives no `pool_max_size=`.
pub const DEFAULT_POOL_SIZE: u32 = 8;

/// Most expired rows one pruning pass deletes (per table).
pub const PRUNE_BATCH: i64 = 256;

/// Writes of one store handle between two pruning passes.
pub const PRUNE_EVERY: u64 = 64;

/// Times a transaction is retried after a deadlock or serialization failure.
const RETRIES: usize = 5;

/// Key of the advisory lock that serializes schema creation.
const SCHEMA_LOCK: i64 = 0x6368_6172_7465_7201; // "charter\x01"

/// How connections are made: TLS through rustls with the feature
/// `postgres-tls`, else plaintext only.
#[cfg(feature = "postgres-tls")]
type Connector = tokio_postgres_rustls::MakeRustlsConnect;
#[cfg(not(feature = "postgres-tls"))]
type Connector = NoTls;

type Pool = r2d2::Pool<PostgresConnectionManager<Connector>>;
type Conn = r2d2::PooledConnection<PostgresConnectionManager<Connector>>;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS charter_replay (
    key TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS charter_replay_expires ON charter_replay (expires_at);
CREATE TABLE IF NOT EXISTS charter_revocations (
    id TEXT PRIMARY KEY,
    revoked_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS charter_idempotency (
    key TEXT PRIMARY KEY,
    call_hash TEXT NOT NULL,
    outcome TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS charter_idempotency_expires ON charter_idempotency (expires_at);
CREATE TABLE IF NOT EXISTS charter_budgets (
    counter TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    window_end BIGINT NOT NULL,
    used BIGINT NOT NULL CHECK (used >= 0),
    PRIMARY KEY (counter, window_start)
);
CREATE INDEX IF NOT EXISTS charter_budgets_end ON charter_budgets (window_end);
CREATE TABLE IF NOT EXISTS charter_audit_head (
    log TEXT PRIMARY KEY,
    len BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    last_ts BIGINT
);
CREATE TABLE IF NOT EXISTS charter_audit (
    log TEXT NOT NULL,
    seq BIGINT NOT NULL,
    receipt TEXT NOT NULL,
    PRIMARY KEY (log, seq)
);
CREATE TABLE IF NOT EXISTS charter_audit_keys (
    log TEXT NOT NULL,
    kid TEXT NOT NULL,
    public_key TEXT NOT NULL,
    PRIMARY KEY (log, kid)
);
";

/// Opens the PostgreSQL store at `url` as a [`Store`] (what
/// [`crate::open`] does for `postgres://` and `postgresql://` URLs).
pub fn open(url: &str) -> Result<Store, Error> {
    let pg = PostgresStore::open(url)?;
    Ok(Store::from_parts(Parts {
        description: redact(url),
        replay: pg.replay(),
        revocations: pg.revocations(),
        idempotency: pg.idempotency(),
        budgets: pg.budgets(),
        audit: Arc::new(pg),
    }))
}

/// What a PostgreSQL error means to a caller: a store that cannot answer
/// (`store_unavailable`: retry later) or a statement that failed (`io`).
fn pg_err(what: &str, e: postgres::Error) -> Error {
    let unavailable = match e.code() {
        // No server answer: refused, reset, closed, timed out.
        None => {
            e.is_closed()
                || std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>())
                || e.to_string().contains("timeout")
                || e.to_string().contains("connect")
        }
        Some(code) => {
            let c = code.code();
            // Class 08 (connection exception), 57P0x (shutdown, crash
            // recovery, cannot connect now), 53 (out of resources).
            c.starts_with("08") || c.starts_with("57P") || c.starts_with("53")
        }
    };
    let code = if unavailable {
        ErrorCode::StoreUnavailable
    } else {
        ErrorCode::Io
    };
    let hint = if unavailable {
        "; the PostgreSQL store could not be reached or did not answer, nothing was allowed or recorded: retry later"
    } else {
        ""
    };
    // The crate's Display names only the kind ("db error"); the causes say what.
    let mut detail = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        detail.push_str(&format!(": {c}"));
        cause = c.source();
    }
    Error::new(code, format!("postgres: {what}: {detail}{hint}"))
}

fn retryable(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    )
}

fn to_i64(what: &str, v: u64) -> Result<i64, Error> {
    i64::try_from(v).map_err(|_| {
        Error::new(
            ErrorCode::LimitExceeded,
            format!("{what} {v} is above 2^63-1, the most a PostgreSQL store counts"),
        )
    })
}

/// A connection pool on one PostgreSQL database and the schema in it; hands
/// out every store Charter needs. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    timeout: Duration,
    writes: Arc<AtomicU64>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("timeout", &self.timeout)
            .field("pool", &self.pool.state())
            .finish_non_exhaustive()
    }
}

/// What the URL's `sslmode=` asks for (libpq's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SslMode {
    /// `disable`: plaintext.
    Disable,
    /// `allow` or `prefer` (libpq's default): TLS if this build and the
    /// server have it, else plaintext, as libpq does.
    Prefer,
    /// `require`: TLS or no connection; the certificate is not checked.
    Require,
    /// `verify-ca`: TLS with a certificate from a trusted CA.
    VerifyCa,
    /// `verify-full`: `verify-ca`, and the certificate names the host.
    VerifyFull,
}

/// The URL options this store reads itself, split off the URL.
#[derive(Debug)]
struct Options {
    /// The URL without them, for the `postgres` crate.
    url: String,
    /// `pool_max_size=`.
    pool_size: Option<u32>,
    /// `sslmode=`.
    ssl_mode: SslMode,
    /// `sslrootcert=`: a PEM file of CA certificates to trust (verify-ca and
    /// verify-full; also checks the certificate under `require`, as libpq does).
    root_cert: Option<String>,
}

/// Splits the options this store reads (`pool_max_size`, `sslmode`,
/// `sslrootcert`) off a URL, leaving what the `postgres` crate parses.
fn split_options(url: &str) -> Result<Options, Error> {
    let bad = |m: String| Error::new(ErrorCode::InvalidArgument, m);
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut options = Options {
        url: String::new(),
        pool_size: None,
        ssl_mode: SslMode::Prefer,
        root_cert: None,
    };
    let (mut mode_given, mut system_roots) = (None, false);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("pool_max_size", v)) => {
                let n: u32 = v.parse().map_err(|_| {
                    bad(format!(
                        "pool_max_size={v:?} in the PostgreSQL URL is not a number"
                    ))
                })?;
                if n == 0 || n > 1000 {
                    return Err(bad(format!("pool_max_size={n} is outside 1..=1000")));
                }
                options.pool_size = Some(n);
            }
            Some(("sslmode", v)) => {
                mode_given = Some(v);
                options.ssl_mode = match v {
                    "disable" => SslMode::Disable,
                    "allow" | "prefer" => SslMode::Prefer,
                    "require" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    _ => return Err(bad(format!(
                        "sslmode={v:?} in the PostgreSQL URL is not one of disable, allow, prefer, require, verify-ca, verify-full"
                    ))),
                }
            }
            // libpq 16's special value: the system's CAs, and verify-full.
            Some(("sslrootcert", "system")) => {
                system_roots = true;
                options.root_cert = None;
            }
            Some(("sslrootcert", v)) if !v.is_empty() => {
                options.root_cert = Some(percent_decode(v)?);
                system_roots = false;
            }
            Some(("sslcert" | "sslkey" | "sslcrl" | "sslpassword", _)) => {
                return Err(Error::new(
                    ErrorCode::Unsupported,
                    format!("{pair:?} in the PostgreSQL URL: client certificates and CRLs are not supported by this build; use password authentication over sslmode=verify-full"),
                ));
            }
            _ => kept.push(pair),
        }
    }
    if system_roots {
        // As libpq: sslrootcert=system means verify-full, and a weaker mode
        // beside it is an error rather than a quiet downgrade.
        match mode_given {
            None | Some("verify-full") => options.ssl_mode = SslMode::VerifyFull,
            Some(mode) => {
                return Err(bad(format!(
                    "sslrootcert=system with sslmode={mode} in the PostgreSQL URL: the system's CAs are checked with sslmode=verify-full only (as libpq does); drop sslmode or make it verify-full"
                )))
            }
        }
    }
    if options.root_cert.is_some() && options.ssl_mode == SslMode::Disable {
        return Err(bad(
            "sslrootcert= with sslmode=disable: a CA file means TLS; drop one of them".into(),
        ));
    }
    options.url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok(options)
}

/// The connector for the URL's `sslmode`, and the mode set on `config`.
/// Without TLS in this build, `require`, `verify-ca`, `verify-full` and
/// `sslrootcert=` are refused (`unsupported`): never plaintext instead.
#[cfg(not(feature = "postgres-tls"))]
fn connector(options: &Options, config: &mut postgres::Config) -> Result<Connector, Error> {
    let plaintext = matches!(options.ssl_mode, SslMode::Disable | SslMode::Prefer);
    if plaintext && options.root_cert.is_none() {
        // What libpq built without SSL does for allow/prefer: plaintext.
        config.ssl_mode(postgres::config::SslMode::Disable);
        return Ok(NoTls);
    }
    Err(Error::new(
        ErrorCode::Unsupported,
        format!(
            "the PostgreSQL URL asks for TLS ({}), and this build of charter-store has none (build it with the feature \"postgres-tls\"); refusing rather than connecting in plaintext",
            match options.ssl_mode {
                SslMode::Require => "sslmode=require",
                SslMode::VerifyCa => "sslmode=verify-ca",
                SslMode::VerifyFull => "sslmode=verify-full",
                _ => "sslrootcert=",
            }
        ),
    ))
}

/// The connector for the URL's `sslmode` (libpq's meanings), and the mode
/// set on `config`: `require` encrypts without checking the certificate
/// (unless `sslrootcert=` is given, then as `verify-ca`); `verify-ca` checks
/// it against the system's CAs or `sslrootcert=`; `verify-full` also checks
/// that it names the host. TLS is rustls on the `ring` provider, passed
/// explicitly (never a process default another crate may have installed).
#[cfg(feature = "postgres-tls")]
fn connector(options: &Options, config: &mut postgres::Config) -> Result<Connector, Error> {
    use postgres::config::SslMode as Mode;
    match options.ssl_mode {
        SslMode::Disable => config.ssl_mode(Mode::Disable),
        SslMode::Prefer => config.ssl_mode(Mode::Prefer),
        _ => config.ssl_mode(Mode::Require),
    };
    let check_ca = match options.ssl_mode {
        SslMode::VerifyCa | SslMode::VerifyFull => true,
        _ => options.root_cert.is_some(),
    };
    let not_set_up = |e: &dyn std::fmt::Display| {
        Error::new(
            ErrorCode::Unsupported,
            format!("TLS for PostgreSQL could not be set up: {e}"),
        )
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = check_ca
        .then(|| tls::roots(options).map(Arc::new))
        .transpose()?;
    let verifier: Arc<dyn rustls::client::danger::ServerCertVerifier> = match roots {
        Some(roots) if options.ssl_mode == SslMode::VerifyFull => {
            rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| not_set_up(&e))?
        }
        roots => Arc::new(tls::WithoutName {
            roots,
            provider: provider.clone(),
        }),
    };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| not_set_up(&e))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
}

/// The certificate checks behind `sslmode=` (feature `postgres-tls`).
#[cfg(feature = "postgres-tls")]
mod tls {
    use std::sync::Arc;

    use charter_core::{Error, ErrorCode};
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
    use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

    use super::{Options, SslMode};

    /// The CAs a certificate is checked against: every certificate of the
    /// `sslrootcert=` PEM file (a bundle, as libpq reads it), else the
    /// system's. An unreadable file, one that is not PEM, or one without a
    /// usable certificate is `invalid_argument`; a system without CA
    /// certificates is `unsupported` (it cannot check anything).
    pub(super) fn roots(options: &Options) -> Result<RootCertStore, Error> {
        let mut roots = RootCertStore::empty();
        if let Some(path) = &options.root_cert {
            let bad = |why: String| {
                Error::new(
                    ErrorCode::InvalidArgument,
                    format!("sslrootcert={path:?} in the PostgreSQL URL {why}: give a PEM file of the CA certificates that sign the server's certificate (-----BEGIN CERTIFICATE-----)"),
                )
            };
            let pem = std::fs::read(path).map_err(|e| bad(format!("cannot be read ({e})")))?;
            let certs = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(format!("is not a PEM certificate file ({e})")))?;
            if certs.is_empty() {
                return Err(bad("holds no PEM certificate".into()));
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| bad(format!("holds a certificate that cannot be used ({e})")))?;
            }
            return Ok(roots);
        }
        let found = rustls_native_certs::load_native_certs();
        let (added, _ignored) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            let why = found
                .errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            let mode = if options.ssl_mode == SslMode::VerifyFull {
                "verify-full"
            } else {
                "verify-ca"
            };
            return Err(Error::new(
                ErrorCode::Unsupported,
                format!("sslmode={mode} in the PostgreSQL URL checks the server's certificate against the system's CA certificates, and none could be loaded{}: give sslrootcert=/path/to/ca.pem (percent-encoded) or install the system's CA certificates (SSL_CERT_FILE names a bundle)", if why.is_empty() { String::new() } else { format!(" ({why})") }),
            ));
        }
        Ok(roots)
    }

    /// The two checks libpq makes without the host name, with rustls' own
    /// pieces: `roots: None` is `sslmode=require` without `sslrootcert=`, any
    /// certificate taken (libpq's meaning: encrypted, not authenticated);
    /// `Some` is `verify-ca` (and `require` with `sslrootcert=`), the chain
    /// checked against those CAs (webpki: signatures, validity dates, key
    /// usage), the name not. Either way the handshake's signatures are
    /// verified with the provider, so the session key belongs to whoever
    /// holds that certificate's private key.
    #[derive(Debug)]
    pub(super) struct WithoutName {
        pub(super) roots: Option<Arc<RootCertStore>>,
        pub(super) provider: Arc<CryptoProvider>,
    }

    impl ServerCertVerifier for WithoutName {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            if let Some(roots) = &self.roots {
                let cert = rustls::server::ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_cert_signed_by_trust_anchor(
                    &cert,
                    roots,
                    intermediates,
                    now,
                    self.provider.signature_verification_algorithms.all,
                )?;
            }
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }
}

/// `%XX` escapes of a URL option's value decoded (a file path).
fn percent_decode(v: &str) -> Result<String, Error> {
    let bad = || {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("{v:?} in the PostgreSQL URL is not a valid percent-encoded value"),
        )
    };
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = v.get(i + 1..i + 3).ok_or_else(bad)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/db`, or
    /// `postgresql://`; libpq query options such as `connect_timeout=` and
    /// `sslmode=`/`sslrootcert=`, plus `pool_max_size=`), and creates or
    /// checks the schema. Fails with `store_unavailable` when the server
    /// cannot be reached within the connect timeout, `unsupported_version`
    /// when the database holds a newer schema, `invalid_argument` for a bad
    /// URL, `unsupported` for an `sslmode` this build cannot honour (never
    /// plaintext instead).
    pub fn open(url: &str) -> Result<PostgresStore, Error> {
        let options = split_options(url)?;
        let (pg_url, size) = (&options.url, options.pool_size);
        let mut config = postgres::Config::from_str(pg_url).map_err(|e| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("not a PostgreSQL URL (postgres://user@host:port/db): {e}"),
            )
        })?;
        let timeout = match config.get_connect_timeout() {
            Some(t) => *t,
            None => {
                config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
                DEFAULT_CONNECT_TIMEOUT
            }
        };
        if config.get_application_name().is_none() {
            config.application_name("charter");
        }
        // A socket that stops answering (a cut cable) is noticed, not waited on forever.
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(30));
        let tls = connector(&options, &mut config)?;
        let manager = PostgresConnectionManager::new(config, tls);
        // One connection made directly first: a wrong password, a refused TLS
        // handshake or an untrusted certificate is reported as itself (the
        // pool's own error would only say that it timed out).
        drop(r2d2::ManageConnection::connect(&manager).map_err(|e| pg_err("connecting", e))?);
        let pool = r2d2::Pool::builder()
            .max_size(size.unwrap_or(DEFAULT_POOL_SIZE))
            .min_idle(Some(0))
            .connection_timeout(timeout)
            .test_on_check_out(true)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build_unchecked(manager);
        let store = PostgresStore {
            pool,
            timeout,
            writes: Arc::new(AtomicU64::new(0)),
        };
        store.migrate()?;
        Ok(store)
    }

    fn conn(&self) -> Result<Conn, Error> {
        self.pool.get().map_err(|e| {
            Error::new(
                ErrorCode::StoreUnavailable,
                format!(
                    "postgres: no connection within {:?} ({e}); the PostgreSQL store could not be reached, nothing was allowed or recorded: retry later",
                    self.timeout
                ),
            )
        })
    }

    /// Runs `f` in a transaction, retried on deadlocks and serialization
    /// failures; other failures are mapped by [`pg_err`] unless `f` returns a
    /// Charter error of its own.
    fn transaction<T>(
        &self,
        what: &str,
        mut f: impl FnMut(&mut Transaction<'_>) -> Result<Result<T, Error>, postgres::Error>,
    ) -> Result<T, Error> {
        let mut conn = self.conn()?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let run = (|| {
                let mut tx = conn.transaction()?;
                match f(&mut tx)? {
                    Ok(v) => {
                        tx.commit()?;
                        Ok(Ok(v))
                    }
                    // Dropping the transaction rolls it back.
                    Err(e) => Ok(Err(e)),
                }
            })();
            match run {
                Ok(r) => return r,
                Err(e) if retryable(&e) && attempt < RETRIES => continue,
                Err(e) => return Err(pg_err(what, e)),
            }
        }
    }

    fn migrate(&self) -> Result<(), Error> {
        self.transaction("creating the schema", |tx| {
            // Many processes may open a new database at once: one creates.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS charter_schema (
                    id INT PRIMARY KEY CHECK (id = 1),
                    version BIGINT NOT NULL
                )",
            )?;
            let found: Option<i64> = tx
                .query_opt("SELECT version FROM charter_schema WHERE id = 1", &[])?
                .map(|r| r.get(0));
            match found {
                Some(v) if v > SCHEMA_VERSION => Ok(Err(Error::new(
                    ErrorCode::UnsupportedVersion,
                    format!(
                        "the PostgreSQL store's schema is version {v}, newer than this build's {SCHEMA_VERSION}: upgrade Charter"
                    ),
                ))),
                Some(_) => Ok(Ok(())),
                None => {
                    tx.batch_execute(SCHEMA)?;
                    tx.execute(
                        "INSERT INTO charter_schema (id, version) VALUES (1, $1)",
                        &[&SCHEMA_VERSION],
                    )?;
                    Ok(Ok(()))
                }
            }
        })
    }

    /// Every [`PRUNE_EVERY`]th write: deletes up to [`PRUNE_BATCH`] expired
    /// rows of each table. A failure here does not fail the write.
    fn maybe_prune(&self, now: i64) {
        if self.writes.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY != PRUNE_EVERY - 1 {
            return;
        }
        let Ok(mut conn) = self.conn() else { return };
        let _ = conn.execute(
            "DELETE FROM charter_replay WHERE key IN
               (SELECT key FROM charter_replay WHERE expires_at < $1 LIMIT $2)",
            &[&now, &PRUNE_BATCH],
        );
        let _ = conn.execute(
            "DELETE FROM charter_idempotency WHERE key IN
               (SELECT key FROM charter_idempotency WHERE expires_at < $1 LIMIT $2)",
            &[&now, &PRUNE_BATCH],
        );
        let _ = conn.execute(
            "DELETE FROM charter_budgets WHERE (counter, window_start) IN
               (SELECT counter, window_start FROM charter_budgets WHERE window_end <= $1 LIMIT $2)",
            &[&now, &PRUNE_BATCH],
        );
    }

    /// The replay store (permit `jti`s, holder-proof nonces).
    pub fn replay(&self) -> Arc<dyn ReplayStore> {
        Arc::new(self.clone())
    }

    /// The revocation list, read from the database on every check.
    pub fn revocations(&self) -> Arc<dyn RevocationList> {
        Arc::new(self.clone())
    }

    /// The idempotency store.
    pub fn idempotency(&self) -> Arc<dyn IdempotencyStore> {
        Arc::new(self.clone())
    }

    /// The budget store.
    pub fn budgets(&self) -> Arc<dyn BudgetStore> {
        Arc::new(self.clone())
    }

    /// The audit log `name`, whose new receipts `signing_key` signs: one
    /// chain per name, shared by every process that opens it.
    pub fn audit_log(
        &self,
        name: &str,
        signing_key: SigningKey,
    ) -> Result<PostgresAuditLog, Error> {
        PostgresAuditLog::open(self.clone(), name, signing_key, &KeySet::new())
    }
}

impl AuditLogs for PostgresStore {
    fn open_log(
        &self,
        name: &str,
        signing_key: SigningKey,
        older_keys: &KeySet,
    ) -> Result<Arc<dyn AuditLog>, Error> {
        Ok(Arc::new(PostgresAuditLog::open(
            self.clone(),
            name,
            signing_key,
            older_keys,
        )?))
    }
}

impl ReplayStore for PostgresStore {
    fn check_and_record(&self, key: &str, expires_at: i64, now: i64) -> Result<(), Error> {
        let mut conn = self.conn()?;
        // Absent -> inserted; present but expired -> taken over; present and
        // live -> no row returned: replayed. One statement, atomic.
        let row = conn
            .query_opt(
                "INSERT INTO charter_replay (key, expires_at) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
                 WHERE charter_replay.expires_at < $3
                 RETURNING 1",
                &[&key, &expires_at, &now],
            )
            .map_err(|e| pg_err("recording a single-use value", e))?;
        drop(conn);
        self.maybe_prune(now);
        match row {
            Some(_) => Ok(()),
            None => Err(Error::new(
                ErrorCode::Replayed,
                format!("{key} was already used; it is single-use"),
            )),
        }
    }
}

impl RevocationList for PostgresStore {
    fn is_revoked(&self, capability_id: &str) -> Result<bool, Error> {
        let mut conn = self.conn()?;
        let row = conn
            .query_opt(
                "SELECT 1 FROM charter_revocations WHERE id = $1",
                &[&capability_id],
            )
            .map_err(|e| pg_err("checking the revocation list", e))?;
        Ok(row.is_some())
    }

    fn first_revoked(&self, ids: &[&str]) -> Result<Option<String>, Error> {
        if ids.is_empty() {
            return Ok(None);
        }
        let mut conn = self.conn()?;
        // One round trip for the whole chain; the first hit in the caller's order wins.
        let row = conn
            .query_opt(
                "SELECT t.id FROM unnest($1::TEXT[]) WITH ORDINALITY AS t(id, n)
                 WHERE EXISTS (SELECT 1 FROM charter_revocations r WHERE r.id = t.id)
                 ORDER BY t.n LIMIT 1",
                &[&ids],
            )
            .map_err(|e| pg_err("checking the revocation list", e))?;
        Ok(row.map(|r| r.get(0)))
    }

    fn revoke(&self, capability_id: &str) -> Result<(), Error> {
        check_id(capability_id)?;
        let mut conn = self.conn()?;
        conn.execute(
            "INSERT INTO charter_revocations (id) VALUES ($1) ON CONFLICT (id) DO NOTHING",
            &[&capability_id],
        )
        .map_err(|e| pg_err("revoking", e))?;
        Ok(())
    }

    fn revoked(&self) -> Result<Vec<String>, Error> {
        let mut conn = self.conn()?;
        let rows = conn
            .query("SELECT id FROM charter_revocations ORDER BY id", &[])
            .map_err(|e| pg_err("listing revocations", e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}

impl IdempotencyStore for PostgresStore {
    fn put_if_absent(
        &self,
        key: &str,
        call_hash: &str,
        outcome: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<Stored, Error> {
        check_key(key)?;
        let mut conn = self.conn()?;
        let what = "storing an idempotency key";
        // The insert returns nothing when a live entry is there; reading it
        // can race with its expiry and pruning, so the pair is retried.
        for _ in 0..RETRIES {
            let row = conn
                .query_opt(
                    "INSERT INTO charter_idempotency (key, call_hash, outcome, expires_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (key) DO UPDATE SET call_hash = EXCLUDED.call_hash,
                         outcome = EXCLUDED.outcome, expires_at = EXCLUDED.expires_at
                     WHERE charter_idempotency.expires_at < $5
                     RETURNING call_hash, outcome",
                    &[&key, &call_hash, &outcome, &expires_at, &now],
                )
                .map_err(|e| pg_err(what, e))?;
            let row = match row {
                Some(r) => Some(r),
                None => conn
                    .query_opt(
                        "SELECT call_hash, outcome FROM charter_idempotency WHERE key = $1",
                        &[&key],
                    )
                    .map_err(|e| pg_err(what, e))?,
            };
            if let Some(r) = row {
                drop(conn);
                self.maybe_prune(now);
                return Ok(Stored {
                    call_hash: r.get(0),
                    outcome: r.get(1),
                });
            }
        }
        Err(Error::new(
            ErrorCode::StoreUnavailable,
            format!("postgres: idempotency key {key:?} changed under {RETRIES} attempts to store it; retry later"),
        ))
    }

    fn complete(
        &self,
        key: &str,
        pending: &str,
        outcome: &str,
        expires_at: i64,
    ) -> Result<bool, Error> {
        let mut conn = self.conn()?;
        let n = conn
            .execute(
                "UPDATE charter_idempotency SET outcome = $1, expires_at = $2
                 WHERE key = $3 AND outcome = $4",
                &[&outcome, &expires_at, &key, &pending],
            )
            .map_err(|e| pg_err("completing an idempotency key", e))?;
        Ok(n == 1)
    }
}

impl BudgetStore for PostgresStore {
    fn spend(&self, spends: &[Spend], now: i64) -> Result<(), SpendError> {
        let mut spends = merge_indexed(spends)?;
        // One order for every transaction: two spenders of the same counters
        // wait for each other instead of deadlocking.
        spends.sort_by(|(_, a), (_, b)| {
            (&a.counter, a.window_start).cmp(&(&b.counter, b.window_start))
        });
        let mut rows = Vec::with_capacity(spends.len());
        for (_, s) in &spends {
            rows.push((
                to_i64("a budget amount", s.amount)?,
                to_i64("a budget limit", s.limit)?,
            ));
        }
        // Set by the attempt that ran out (an error rolls its transaction back).
        let mut ran_out = None;
        let spent = self.transaction("spending from a budget", |tx| {
            ran_out = None;
            for ((index, s), (amount, limit)) in spends.iter().zip(&rows) {
                tx.execute(
                    "INSERT INTO charter_budgets (counter, window_start, window_end, used)
                     VALUES ($1, $2, $3, 0) ON CONFLICT (counter, window_start) DO NOTHING",
                    &[&s.counter, &s.window_start, &s.window_end],
                )?;
                // The row lock taken here holds until commit; the condition is
                // re-read on the latest row, so no two spenders pass it both.
                let done = tx.query_opt(
                    "UPDATE charter_budgets SET used = used + $3::BIGINT
                     WHERE counter = $1 AND window_start = $2 AND used <= $4::BIGINT - $3::BIGINT
                     RETURNING used",
                    &[&s.counter, &s.window_start, amount, limit],
                )?;
                if done.is_none() {
                    let used: i64 = tx
                        .query_one(
                            "SELECT used FROM charter_budgets WHERE counter = $1 AND window_start = $2",
                            &[&s.counter, &s.window_start],
                        )?
                        .get(0);
                    ran_out = Some(*index);
                    return Ok(Err(exhausted(s, u64::try_from(used).unwrap_or(0))));
                }
            }
            Ok(Ok(()))
        });
        self.maybe_prune(now);
        match (spent, ran_out) {
            (Ok(()), _) => Ok(()),
            (Err(error), Some(index)) if error.code() == ErrorCode::BudgetExhausted => {
                Err(SpendError::Exhausted { index, error })
            }
            (Err(e), _) => Err(SpendError::Failed(e)),
        }
    }
}

/// An audit log in PostgreSQL: one hash chain per log name, extended by
/// every process that opens it. Each append locks the log's head row, signs
/// the next receipt on the chain's real tip, inserts it and moves the head in
/// one transaction; the receipt is returned only after the commit, so an
/// acknowledged receipt is durable and no two writers ever get the same
/// `seq`. Writers may sign with different keys: each records its public key
/// with the log, and exported bundles carry every key that signed.
#[derive(Debug)]
pub struct PostgresAuditLog {
    store: PostgresStore,
    log: String,
    key: SigningKey,
    keys: Mutex<KeySet>,
}

impl PostgresAuditLog {
    /// Opens (creating if absent) the chain called `log`, whose new receipts
    /// `signing_key` signs; `older` are keys that signed earlier receipts of
    /// it (a rotation).
    pub fn open(
        store: PostgresStore,
        log: &str,
        signing_key: SigningKey,
        older: &KeySet,
    ) -> Result<PostgresAuditLog, Error> {
        check_log_name(log)?;
        let mut keys = older.clone();
        let public = signing_key.public_key();
        keys.insert(public.clone())?;
        let public_text = b64::encode(public.to_bytes());
        store.transaction("opening the audit log", |tx| {
            tx.execute(
                "INSERT INTO charter_audit_head (log, len, last_hash, last_ts)
                 VALUES ($1, 0, $2, NULL) ON CONFLICT (log) DO NOTHING",
                &[&log, &GENESIS],
            )?;
            tx.execute(
                "INSERT INTO charter_audit_keys (log, kid, public_key)
                 VALUES ($1, $2, $3) ON CONFLICT (log, kid) DO NOTHING",
                &[&log, &public.kid(), &public_text],
            )?;
            Ok(Ok(()))
        })?;
        let this = PostgresAuditLog {
            store,
            log: log.to_string(),
            key: signing_key,
            keys: Mutex::new(keys),
        };
        this.refresh_keys()?;
        Ok(this)
    }

    /// The chain's name in the database.
    pub fn name(&self) -> &str {
        &self.log
    }

    /// Takes in the keys of every writer of this log.
    fn refresh_keys(&self) -> Result<KeySet, Error> {
        let mut conn = self.store.conn()?;
        let rows = conn
            .query(
                "SELECT kid, public_key FROM charter_audit_keys WHERE log = $1 ORDER BY kid",
                &[&self.log],
            )
            .map_err(|e| pg_err("reading the audit log's keys", e))?;
        drop(conn);
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        for row in rows {
            let (kid, text): (String, String) = (row.get(0), row.get(1));
            let key = b64::decode(&text)
                .ok_or_else(|| Error::new(ErrorCode::Malformed, "not base64url"))
                .and_then(|b| PublicKey::from_bytes(&b))
                .map_err(|e| {
                    Error::new(
                        ErrorCode::LogCorrupt,
                        format!(
                            "audit log {}: stored key {kid} is unusable: {}",
                            self.log,
                            e.message()
                        ),
                    )
                })?;
            if key.kid() != kid {
                return Err(Error::new(
                    ErrorCode::LogCorrupt,
                    format!(
                        "audit log {}: stored key {kid} has key id {}",
                        self.log,
                        key.kid()
                    ),
                ));
            }
            if keys.get(&kid).is_err() {
                keys.insert(key)?;
            }
        }
        Ok(keys.clone())
    }
}

impl AuditLog for PostgresAuditLog {
    fn append(&self, entry: ReceiptInput) -> Result<Receipt, Error> {
        self.store.transaction("appending a receipt", |tx| {
            let head = tx.query_one(
                "SELECT len, last_hash, last_ts FROM charter_audit_head WHERE log = $1 FOR UPDATE",
                &[&self.log],
            )?;
            let len: i64 = head.get(0);
            let last_hash: String = head.get(1);
            let last_ts: Option<i64> = head.get(2);
            let mut entry = entry.clone();
            if let Some(last) = last_ts {
                // Time never goes backwards in a log.
                entry.ts = entry.ts.max(last);
            }
            let seq = u64::try_from(len).unwrap_or(0);
            let r = match Receipt::sign(&entry, seq, &last_hash, &self.key) {
                Ok(r) => r,
                Err(e) => return Ok(Err(e)),
            };
            tx.execute(
                "INSERT INTO charter_audit (log, seq, receipt) VALUES ($1, $2, $3)",
                &[&self.log, &len, &r.to_json()],
            )?;
            tx.execute(
                "UPDATE charter_audit_head SET len = $2, last_hash = $3, last_ts = $4 WHERE log = $1",
                &[&self.log, &(len + 1), &r.hash(), &r.ts()],
            )?;
            Ok(Ok(r))
        })
    }

    fn len(&self) -> Result<u64, Error> {
        let mut conn = self.store.conn()?;
        let row = conn
            .query_one(
                "SELECT len FROM charter_audit_head WHERE log = $1",
                &[&self.log],
            )
            .map_err(|e| pg_err("reading the audit log's length", e))?;
        let len: i64 = row.get(0);
        Ok(u64::try_from(len).unwrap_or(0))
    }

    fn head(&self) -> Result<Option<Receipt>, Error> {
        let mut conn = self.store.conn()?;
        let row = conn
            .query_opt(
                "SELECT a.receipt FROM charter_audit_head h
                 JOIN charter_audit a ON a.log = h.log AND a.seq = h.len - 1
                 WHERE h.log = $1",
                &[&self.log],
            )
            .map_err(|e| pg_err("reading the audit log's head", e))?;
        row.map(|r| Receipt::parse(r.get(0))).transpose()
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
        if range.end - range.start > MAX_BUNDLE_RECEIPTS as u64 {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!("at most {MAX_BUNDLE_RECEIPTS} receipts are read at once"),
            ));
        }
        let (start, end) = (to_i64("a seq", range.start)?, to_i64("a seq", range.end)?);
        let mut conn = self.store.conn()?;
        let rows = conn
            .query(
                "SELECT seq, receipt FROM charter_audit WHERE log = $1 AND seq >= $2 AND seq < $3 ORDER BY seq",
                &[&self.log, &start, &end],
            )
            .map_err(|e| pg_err("reading receipts", e))?;
        let mut out = Vec::with_capacity(rows.len());
        for (want, row) in (start..end).zip(&rows) {
            let seq: i64 = row.get(0);
            if seq != want {
                return Err(Error::new(
                    ErrorCode::ChainBroken,
                    format!(
                        "audit log {}: receipt {want} is missing from the database (found {seq})",
                        self.log
                    ),
                ));
            }
            out.push(Receipt::parse(row.get(1))?);
        }
        if out.len() as u64 != range.end - range.start {
            return Err(Error::new(
                ErrorCode::ChainBroken,
                format!(
                    "audit log {}: {} of receipts {}..{} are in the database",
                    self.log,
                    out.len(),
                    range.start,
                    range.end
                ),
            ));
        }
        Ok(out)
    }

    fn keys(&self) -> KeySet {
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn export_bundle(&self, range: Range<u64>) -> Result<Bundle, Error> {
        let receipts = self.receipts(range)?;
        // Writers that joined after this handle opened signed some of them.
        let keys = self.refresh_keys()?;
        Bundle::seal(receipts, &keys, &self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(url: &str) -> (String, Option<u32>, SslMode, Option<String>) {
        let o = split_options(url).unwrap();
        (o.url, o.pool_size, o.ssl_mode, o.root_cert)
    }

    #[test]
    fn pool_options_are_split_off_the_url() {
        assert_eq!(
            split("postgres://u@h/db?pool_max_size=4&connect_timeout=2"),
            (
                "postgres://u@h/db?connect_timeout=2".to_string(),
                Some(4),
                SslMode::Prefer,
                None
            )
        );
        assert_eq!(
            split("postgres://u@h/db"),
            ("postgres://u@h/db".to_string(), None, SslMode::Prefer, None)
        );
        assert_eq!(
            split("postgres://u@h/db?sslmode=verify-full&sslrootcert=/a%20b/ca.pem"),
            (
                "postgres://u@h/db".to_string(),
                None,
                SslMode::VerifyFull,
                Some("/a b/ca.pem".to_string())
            )
        );
        for (mode, want) in [
            ("disable", SslMode::Disable),
            ("allow", SslMode::Prefer),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
        ] {
            assert_eq!(split(&format!("postgres://u@h/db?sslmode={mode}")).2, want);
        }
        for bad in [
            "sslmode=on",
            "sslmode=",
            "sslrootcert=%zz",
            "sslmode=disable&sslrootcert=x",
        ] {
            let e = split_options(&format!("postgres://u@h/db?{bad}")).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{bad}");
        }
        // sslrootcert=system: the system's CAs (no file), verify-full; a
        // weaker mode beside it is refused, and a later file wins, as in libpq.
        for q in [
            "sslrootcert=system",
            "sslmode=verify-full&sslrootcert=system",
        ] {
            let (url, _, mode, root) = split(&format!("postgres://u@h/db?{q}"));
            assert_eq!(
                (url.as_str(), mode, root),
                ("postgres://u@h/db", SslMode::VerifyFull, None),
                "{q}"
            );
        }
        for q in [
            "sslmode=require&sslrootcert=system",
            "sslrootcert=system&sslmode=verify-ca",
            "sslrootcert=system&sslmode=disable",
        ] {
            let e = split_options(&format!("postgres://u@h/db?{q}")).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{q}");
            assert!(e.message().contains("verify-full"), "{q}: {e}");
        }
        assert_eq!(
            split("postgres://u@h/db?sslrootcert=system&sslrootcert=/ca.pem").3,
            Some("/ca.pem".to_string())
        );
        let e = split_options("postgres://u@h/db?sslcert=c.pem").unwrap_err();
        assert_eq!(e.code(), ErrorCode::Unsupported);
        for bad in ["pool_max_size=0", "pool_max_size=x", "pool_max_size=5000"] {
            let e = split_options(&format!("postgres://u@h/db?{bad}")).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{bad}");
        }
    }

    /// A build without TLS refuses every sslmode that needs it, before any
    /// connection is tried (here there is no server at all), never falling
    /// back to plaintext; `disable` and `prefer` connect in plaintext.
    #[cfg(not(feature = "postgres-tls"))]
    #[test]
    fn tls_this_build_cannot_do_is_refused() {
        for q in [
            "sslmode=require",
            "sslmode=verify-ca",
            "sslmode=verify-full",
            "sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem",
            "sslrootcert=/etc/ssl/ca.pem",
            "sslrootcert=system",
        ] {
            let e = PostgresStore::open(&format!("postgres://charter@127.0.0.1:1/charter?{q}"))
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::Unsupported, "{q}: {e}");
            assert!(
                e.message()
                    .contains("refusing rather than connecting in plaintext"),
                "{e}"
            );
            assert!(e.message().contains("postgres-tls"), "{e}");
        }
        for q in ["sslmode=disable", "sslmode=prefer", "sslmode=allow"] {
            let e = PostgresStore::open(&format!(
                "postgres://charter@127.0.0.1:1/charter?{q}&connect_timeout=1"
            ))
            .unwrap_err();
            // Past the TLS decision: the connection itself fails (nothing listens).
            assert_eq!(e.code(), ErrorCode::StoreUnavailable, "{q}: {e}");
        }
    }

    /// A CA certificate (no key anywhere) for the TLS set-up tests.
    #[cfg(feature = "postgres-tls")]
    const TEST_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBnjCCAUWgAwIBAgIUaAEY4BcqjJf29y2Qmo+bRzzbWJAwCgYIKoZIzj0EAwIw
JTEjMCEGA1UEAwwaY2hhcnRlci1zdG9yZSB1bml0IHRlc3QgQ0EwHhcNMjYxMjAx
MjIwOTI3WhcNMzYxMTI4MjIwOTI3WjAlMSMwIQYDVQQDDBpjaGFydGVyLXN0b3Jl
IHVuaXQgdGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABBM+ktw5Y5gl
8/tjjKEtNdJX9RCQk22gGylT/XniafJlFjCB/NqV+cjxlMX0mUcXFB0mgYRXpIU7
iHsaZq+8omCjUzBRMB0GA1UdDgQWBBTQztwfcUdIu0VgrVCW+zZzuw2OZTAfBgNV
HSMEGDAWgBTQztwfcUdIu0VgrVCW+zZzuw2OZTAPBgNVHRMBAf8EBTADAQH/MAoG
CCqGSM49BAMCA0cAMEQCIHJPyui1mD3ErjpZ7QmuImSxIowR6FFLT6mxM6ZSR74Z
AiBwnsiGNHzx5LCRGP/loRYprgj0+k7707HaUxv6vm8mlQ==
-----END CERTIFICATE-----
";

    /// An `sslrootcert=` that cannot be used is `invalid_argument` in every
    /// mode that reads it, before any connection is tried (nothing listens
    /// on port 1); a usable one gets past the TLS set-up to the connection,
    /// which fails as `store_unavailable`.
    #[cfg(feature = "postgres-tls")]
    #[test]
    fn an_unusable_ca_file_is_invalid_argument_before_connecting() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, body: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, body).unwrap();
            path.display().to_string()
        };
        let good = write("ca.pem", TEST_CA.as_bytes());
        let bundle = write(
            "bundle.pem",
            format!("# two CAs\n{TEST_CA}{TEST_CA}").as_bytes(),
        );
        let der = write("ca.der", b"\x30\x82\x01\x9e\x30\x82\x01\x45 binary");
        let key_only = write(
            "key.pem",
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        );
        let bad_base64 = write(
            "bad.pem",
            b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        );
        let not_der = write(
            "notder.pem",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        );
        let missing = dir.path().join("missing.pem").display().to_string();
        let url = |mode: &str, ca: &str| {
            format!("postgres://charter@127.0.0.1:1/charter?connect_timeout=1&sslmode={mode}&sslrootcert={ca}")
        };
        for mode in ["prefer", "require", "verify-ca", "verify-full"] {
            for (ca, why) in [
                (&missing, "cannot be read"),
                (&der, "holds no PEM certificate"),
                (&key_only, "holds no PEM certificate"),
                (&bad_base64, "is not a PEM certificate file"),
                (&not_der, "holds a certificate that cannot be used"),
            ] {
                let e = PostgresStore::open(&url(mode, ca)).unwrap_err();
                assert_eq!(e.code(), ErrorCode::InvalidArgument, "{mode} {ca}: {e}");
                assert!(e.message().contains(why), "{mode} {ca}: {e}");
                assert!(e.message().contains("give a PEM file"), "{e}");
            }
            for ca in [&good, &bundle] {
                let e = PostgresStore::open(&url(mode, ca)).unwrap_err();
                assert_eq!(e.code(), ErrorCode::StoreUnavailable, "{mode} {ca}: {e}");
            }
        }
        // Without sslrootcert the TLS modes set up too (the system's CAs, or
        // none needed), and only the connection fails.
        for mode in ["prefer", "require"] {
            let e = PostgresStore::open(&format!(
                "postgres://charter@127.0.0.1:1/charter?connect_timeout=1&sslmode={mode}"
            ))
            .unwrap_err();
            assert_eq!(e.code(), ErrorCode::StoreUnavailable, "{mode}: {e}");
        }
    }

    #[test]
    fn an_unreachable_server_is_store_unavailable_within_the_timeout() {
        // Port 1 on loopback: nothing listens there, the connect is refused.
        let started = std::time::Instant::now();
        let e = PostgresStore::open("postgres://charter@127.0.0.1:1/charter?connect_timeout=1")
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::StoreUnavailable, "{}", e.message());
        assert!(e.message().contains("retry later"), "{}", e.message());
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
