//! Audit logs and bundles.
//!
//! An [`AuditLog`] turns each decision ([`ReceiptInput`]) into a signed
//! [`Receipt`] chained to the one before: it assigns `seq` (from 0), `prev`
//! (the previous receipt's hash, [`GENESIS`] first) and signs with its own key.
//! Time never goes backwards in a log: an input older than the last receipt is
//! recorded at the last receipt's `ts`.
//!
//! - [`MemoryAuditLog`] keeps receipts in memory.
//! - [`FileAuditLog`] appends one canonical receipt per line (JSON Lines) and
//!   `fsync`s (`File::sync_data`) before `append` returns, so an acknowledged
//!   receipt survives a crash. Reopening verifies the whole chain. A torn last
//!   line (a write cut short by a crash) is reported as `log_corrupt` with its
//!   line number and never silently dropped; [`FileAuditLog::repair`] cuts it
//!   off when an operator decides so (it can only hold an unacknowledged
//!   receipt). After any I/O error the log refuses further appends (`io`):
//!   reopen it. Only a regular file is opened (a link to one is followed),
//!   and every read is bounded ([`MAX_LOG_BYTES`], [`MAX_LOG_LINE_BYTES`]).
//!   Several handles and processes may append to one file: each append holds
//!   an exclusive OS lock (std's `File::lock`) over read-head/append/fsync and first
//!   takes in what others appended, so the chain never forks.
//!   [`FileAuditLog::open_expecting`] also refuses a file cut or rewritten
//!   behind a receipt the caller kept elsewhere (`chain_broken`).
//!
//! An audit [`Bundle`] is a contiguous run of receipts, the JWKS of the keys
//! that signed them and a head signed by the log's key
//! (`charter/v1/bundle-head`) committing to `count`, `first_seq`, `last_seq`,
//! `anchor` (the first receipt's `prev`), `last_hash` and `ts` (the last
//! receipt's time). Canonical JSON: `{"head":…,"jwks":…,"receipts":[…],"v":1}`.
//!
//! **Anchoring.** [`verify_bundle`] accepts only bundles that start at the
//! genesis: `seq` 0 with `prev` = [`GENESIS`]. A bundle with its first receipts
//! cut off therefore fails, even when its head was re-signed by the log key.
//! A partial export (receipts `k..n`) verifies only with
//! [`verify_bundle_from`], to which the auditor passes the anchor they already
//! trust: the hash of receipt `k − 1`, i.e. the `last_hash` of the previous
//! bundle they verified.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::keys::{labeled, KeySet, SigningKey};
use crate::receipt::{Receipt, ReceiptInput, GENESIS, MAX_RECEIPT_BYTES, RECEIPT_LABEL};
use crate::{b64, jcs, Error, ErrorCode};

/// Domain-separation label of bundle head signatures.
pub const BUNDLE_HEAD_LABEL: &str = "charter/v1/bundle-head";
/// The bundle format version.
pub const BUNDLE_VERSION: u64 = 1;
/// Largest bundle text accepted, in bytes.
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024 * 1024;
/// Most receipts in one bundle.
pub const MAX_BUNDLE_RECEIPTS: usize = 1_000_000;

/// Why an audit operation failed; each variant is one [`ErrorCode`] and
/// carries the message shown to a person.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// Receipts do not link up: a gap, a fork, or a receipt removed or altered.
    #[error("{0}")]
    ChainBroken(String),
    /// A log file that cannot be read back as receipts (e.g. a torn last line).
    #[error("{0}")]
    LogCorrupt(String),
    /// Reading, writing or syncing the log file failed.
    #[error("{0}")]
    Io(String),
    /// A bundle or log line that is not the expected JSON shape.
    #[error("{0}")]
    Malformed(String),
    /// Valid content in a form other than its canonical text.
    #[error("{0}")]
    NotCanonical(String),
    /// Signed by a key the verifier was not given.
    #[error("{0}")]
    UnknownKey(String),
    /// A receipt or bundle head whose signature does not verify.
    #[error("{0}")]
    BadSignature(String),
    /// A caller's argument out of range (an empty bundle, a bad seq range).
    #[error("{0}")]
    InvalidArgument(String),
    /// A size or count bound was hit (bundle bytes, receipts per bundle).
    #[error("{0}")]
    LimitExceeded(String),
    /// A bundle or receipt version this build does not read.
    #[error("{0}")]
    UnsupportedVersion(String),
}

impl AuditError {
    /// The stable code this failure is reported with.
    pub fn code(&self) -> ErrorCode {
        match self {
            AuditError::ChainBroken(_) => ErrorCode::ChainBroken,
            AuditError::LogCorrupt(_) => ErrorCode::LogCorrupt,
            AuditError::Io(_) => ErrorCode::Io,
            AuditError::Malformed(_) => ErrorCode::Malformed,
            AuditError::NotCanonical(_) => ErrorCode::NotCanonical,
            AuditError::UnknownKey(_) => ErrorCode::UnknownKey,
            AuditError::BadSignature(_) => ErrorCode::BadSignature,
            AuditError::InvalidArgument(_) => ErrorCode::InvalidArgument,
            AuditError::LimitExceeded(_) => ErrorCode::LimitExceeded,
            AuditError::UnsupportedVersion(_) => ErrorCode::UnsupportedVersion,
        }
    }
}

impl From<AuditError> for Error {
    fn from(e: AuditError) -> Self {
        Error::new(e.code(), e.to_string())
    }
}

/// An append-only, signed, hash-chained record of decisions.
pub trait AuditLog: Send + Sync {
    /// Signs and records one decision; returns the receipt once it is stored
    /// (for a file log: written and synced to disk).
    fn append(&self, entry: ReceiptInput) -> Result<Receipt, Error>;
    /// Number of receipts. Fallible because a database log asks its
    /// database (`store_unavailable` when it cannot).
    fn len(&self) -> Result<u64, Error>;
    /// Whether nothing has been appended yet.
    fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.len()? == 0)
    }
    /// The last receipt, `None` for an empty log.
    fn head(&self) -> Result<Option<Receipt>, Error>;
    /// Receipts with `seq` in `range` (`start..end`, end ≤ `len()`).
    fn receipts(&self, range: Range<u64>) -> Result<Vec<Receipt>, Error>;
    /// The public keys that verify this log (its signing key, and older keys
    /// it was opened with).
    fn keys(&self) -> KeySet;
    /// Exports receipts `range` as a bundle whose head this log signs.
    fn export_bundle(&self, range: Range<u64>) -> Result<Bundle, Error>;
    /// [`AuditLog::export_bundle`] with each bound optional: `start` is 0
    /// and `end` is `len()` when absent, so no bound means the whole log.
    /// What every binding's `export_bundle(start?, end?)` calls.
    fn export_range(&self, start: Option<u64>, end: Option<u64>) -> Result<Bundle, Error> {
        let end = match end {
            Some(end) => end,
            None => self.len()?,
        };
        self.export_bundle(start.unwrap_or(0)..end)
    }
}

/// Exports receipts `range` of `log` as a signed [`Bundle`].
pub fn export_bundle(log: &dyn AuditLog, range: Range<u64>) -> Result<Bundle, Error> {
    log.export_bundle(range)
}

/// The tip of a chain: what the next receipt links to.
#[derive(Clone, Debug)]
struct Chain {
    len: u64,
    last_hash: String,
    last_ts: Option<i64>,
    head: Option<Receipt>,
}

impl Chain {
    fn genesis() -> Self {
        Chain {
            len: 0,
            last_hash: GENESIS.to_string(),
            last_ts: None,
            head: None,
        }
    }

    fn seal(&self, entry: &ReceiptInput, key: &SigningKey) -> Result<Receipt, Error> {
        match self.last_ts {
            Some(last) if entry.ts < last => {
                let mut entry = entry.clone();
                entry.ts = last;
                Receipt::sign(&entry, self.len, &self.last_hash, key)
            }
            _ => Receipt::sign(entry, self.len, &self.last_hash, key),
        }
    }

    fn advance(&mut self, r: &Receipt) {
        self.len = r.seq() + 1;
        self.last_hash = r.hash().to_string();
        self.last_ts = Some(r.ts());
        self.head = Some(r.clone());
    }
}

fn check_range(range: &Range<u64>, len: u64) -> Result<(), Error> {
    if range.start > range.end || range.end > len {
        return Err(AuditError::InvalidArgument(format!(
            "range {}..{} is outside the log's {} receipts",
            range.start, range.end, len
        ))
        .into());
    }
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves the state consistent before anything that
    // can fail, so a poisoned lock still guards valid data.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn log_keys(key: &SigningKey, older: &KeySet) -> Result<KeySet, Error> {
    let mut keys = older.clone();
    keys.insert(key.public_key())?;
    Ok(keys)
}

/// An audit log in memory.
#[derive(Debug)]
pub struct MemoryAuditLog {
    key: SigningKey,
    keys: KeySet,
    inner: Mutex<(Chain, Vec<Receipt>)>,
}

impl MemoryAuditLog {
    /// An empty log whose receipts `signing_key` signs.
    pub fn new(signing_key: SigningKey) -> Self {
        let keys = KeySet::from_keys([signing_key.public_key()])
            .expect("one key is within a key set's bound");
        MemoryAuditLog {
            key: signing_key,
            keys,
            inner: Mutex::new((Chain::genesis(), Vec::new())),
        }
    }
}

impl AuditLog for MemoryAuditLog {
    fn append(&self, entry: ReceiptInput) -> Result<Receipt, Error> {
        let mut inner = lock(&self.inner);
        let r = inner.0.seal(&entry, &self.key)?;
        inner.0.advance(&r);
        inner.1.push(r.clone());
        Ok(r)
    }

    fn len(&self) -> Result<u64, Error> {
        Ok(lock(&self.inner).0.len)
    }

    fn head(&self) -> Result<Option<Receipt>, Error> {
        Ok(lock(&self.inner).0.head.clone())
    }

    fn receipts(&self, range: Range<u64>) -> Result<Vec<Receipt>, Error> {
        let inner = lock(&self.inner);
        check_range(&range, inner.0.len)?;
        Ok(inner.1[range.start as usize..range.end as usize].to_vec())
    }

    fn keys(&self) -> KeySet {
        self.keys.clone()
    }

    fn export_bundle(&self, range: Range<u64>) -> Result<Bundle, Error> {
        Bundle::seal(self.receipts(range)?, &self.keys, &self.key)
    }
}

#[derive(Debug)]
struct FileState {
    file: File,
    chain: Chain,
    /// Byte offset of each line.
    offsets: Vec<u64>,
    end: u64,
    failed: Option<String>,
}

/// What opening a file log says where there is no file system: the
/// wasm32-unknown-unknown build, in browsers, edge runtimes and under Node
/// alike (Node's `fs` is out of its reach; the file log is `std::fs` code).
pub const UNSUPPORTED_FILES: &str = "file audit logs need a file system, which WebAssembly without WASI cannot reach (in browsers, edge runtimes and under Node alike); use an in-memory audit log and export bundles to store them, or, under Node, the Node package's file log";

/// Largest audit log file read or written, in bytes (1 GiB). A log at the
/// limit refuses appends (`limit_exceeded`): start a new log file.
pub const MAX_LOG_BYTES: u64 = 1 << 30;

/// Longest line of a log file: one receipt and its newline.
pub const MAX_LOG_LINE_BYTES: usize = MAX_RECEIPT_BYTES + 1;

/// An append-only JSON Lines audit log file, synced on every append.
#[derive(Debug)]
pub struct FileAuditLog {
    path: PathBuf,
    key: SigningKey,
    keys: KeySet,
    inner: Mutex<FileState>,
}

/// What [`FileAuditLog::repair`] cut off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TornTail {
    /// 1-based line number of the incomplete line.
    pub line: u64,
    /// Byte offset where it started (the file's new length).
    pub offset: u64,
    /// Bytes removed.
    pub bytes: u64,
}

fn io_err(path: &Path, what: &str, e: std::io::Error) -> Error {
    AuditError::Io(format!("{what} {}: {e}", path.display())).into()
}

/// What a path that is not a regular file is, in words.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "something other than a regular file"
}

fn not_regular(path: &Path, meta: &std::fs::Metadata) -> Error {
    // Named here, not by the OS: its wording differs per platform.
    AuditError::Io(format!(
        "cannot open audit log {}: it is {}, not a file",
        path.display(),
        kind_of(meta)
    ))
    .into()
}

/// Opens an audit log file for reading and appending, refusing anything but a
/// regular file. A symbolic link is followed when it leads to a regular file
/// (what is checked is the file actually opened); a dangling link is refused
/// rather than creating its target.
fn open_regular(path: &Path, create: bool) -> Result<(File, bool), Error> {
    let existed = match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => true,
        Ok(meta) => return Err(not_regular(path, &meta)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Only a link that is still there is dangling: another handle
            // may have created the file since `metadata` looked (then the
            // open below takes the new file, and fstat checks it).
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(AuditError::Io(format!(
                    "cannot open audit log {}: it is a symbolic link to nothing; \
                     create the file it names, or point the link at an existing log",
                    path.display()
                ))
                .into());
            }
            if !create {
                return Err(io_err(path, "cannot open audit log", e));
            }
            false
        }
        Err(e) => return Err(io_err(path, "cannot open audit log", e)),
    };
    let mut opts = OpenOptions::new();
    opts.read(true).append(true).create(create && !existed);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // If the path is swapped for a FIFO or a terminal between the check
        // above and this open, never block on it or adopt it; fstat below refuses it.
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts
        .open(path)
        .map_err(|e| io_err(path, "cannot open audit log", e))?;
    let meta = file
        .metadata()
        .map_err(|e| io_err(path, "cannot read audit log", e))?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    Ok((file, existed))
}

/// An exclusive OS lock on a log file (`flock` on Unix, `LockFileEx` on
/// Windows, through std), released when dropped. Every writer of the file, in
/// this process or another, takes it around read-head/append/fsync, so two
/// writers never chain onto the same head.
struct FileLock<'a>(&'a File);

impl<'a> FileLock<'a> {
    fn acquire(file: &'a File, path: &Path) -> Result<FileLock<'a>, Error> {
        loop {
            match file.lock() {
                Ok(()) => return Ok(FileLock(file)),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_err(path, "cannot lock audit log", e)),
            }
        }
    }
}

impl Drop for FileLock<'_> {
    fn drop(&mut self) {
        // Failure to unlock cannot be reported from a destructor; closing the
        // file releases the lock anyway.
        let _ = self.0.unlock();
    }
}

/// Reads `file` from `from` to its end, at most `MAX_LOG_BYTES` in all.
fn read_tail(file: &File, path: &Path, from: u64) -> Result<Vec<u8>, Error> {
    let mut file = file;
    let len = file
        .metadata()
        .map_err(|e| io_err(path, "cannot read audit log", e))?
        .len();
    if len > MAX_LOG_BYTES {
        return Err(too_big(path, len));
    }
    let want = len.saturating_sub(from);
    let mut bytes = Vec::with_capacity(usize::try_from(want).unwrap_or(0));
    file.seek(SeekFrom::Start(from))
        .map_err(|e| io_err(path, "cannot read audit log", e))?;
    // Bounded even if the file grows while it is read.
    let limit = MAX_LOG_BYTES.saturating_sub(from).saturating_add(1);
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| io_err(path, "cannot read audit log", e))?;
    let total = from.saturating_add(bytes.len() as u64);
    if total > MAX_LOG_BYTES {
        return Err(too_big(path, total));
    }
    Ok(bytes)
}

fn too_big(path: &Path, len: u64) -> Error {
    AuditError::LimitExceeded(format!(
        "audit log {} is {len} bytes or more, over the {MAX_LOG_BYTES}-byte limit of a log file; \
         export it in bundles and start a new log file",
        path.display()
    ))
    .into()
}

impl FileAuditLog {
    /// Opens (or creates) the log at `path`, verifying every receipt already
    /// in it, and continues its chain with `signing_key`.
    pub fn open(path: impl AsRef<Path>, signing_key: SigningKey) -> Result<Self, Error> {
        FileAuditLog::open_with_keys(path, signing_key, &KeySet::new())
    }

    /// Like [`FileAuditLog::open`], also trusting `older_keys` for receipts
    /// written before a key rotation.
    pub fn open_with_keys(
        path: impl AsRef<Path>,
        signing_key: SigningKey,
        older_keys: &KeySet,
    ) -> Result<Self, Error> {
        FileAuditLog::open_inner(path.as_ref(), signing_key, older_keys, None)
    }

    /// Like [`FileAuditLog::open_with_keys`], and the log must still contain
    /// `expect_head`, a receipt this log signed earlier (its `head()` then)
    /// that the caller kept somewhere the log file's writer cannot reach.
    /// A log cut after that receipt, or rewritten so that another receipt
    /// holds its `seq`, is refused (`chain_broken`) naming how many receipts
    /// are missing. `expect_head` must verify with this log's keys.
    ///
    /// What this can prove: that the file still holds every receipt up to the
    /// checkpoint, unchanged. What no local file can prove by itself: that
    /// nothing after the newest checkpoint was cut, or that whoever holds the
    /// signing key did not rewrite the whole log. Keep checkpoints (or
    /// exported bundles) often, and elsewhere.
    pub fn open_expecting(
        path: impl AsRef<Path>,
        signing_key: SigningKey,
        older_keys: &KeySet,
        expect_head: &Receipt,
    ) -> Result<Self, Error> {
        FileAuditLog::open_inner(path.as_ref(), signing_key, older_keys, Some(expect_head))
    }

    /// What every binding's `AuditLog.open(path, signing_key, expect_head?)`
    /// calls: `expect_head` is the JSON text of the kept receipt (`head().to_json()`).
    pub fn open_expecting_text(
        path: impl AsRef<Path>,
        signing_key: SigningKey,
        expect_head: Option<&str>,
    ) -> Result<Self, Error> {
        if cfg!(all(target_arch = "wasm32", target_os = "unknown")) {
            return Err(Error::new(ErrorCode::Unsupported, UNSUPPORTED_FILES));
        }
        let head = match expect_head {
            Some(text) => Some(Receipt::parse(text).map_err(|e| {
                Error::new(
                    e.code(),
                    format!(
                        "expect_head must be the JSON text of a receipt (head().to_json()): {}",
                        e.message()
                    ),
                )
            })?),
            None => None,
        };
        FileAuditLog::open_inner(path.as_ref(), signing_key, &KeySet::new(), head.as_ref())
    }

    fn open_inner(
        path: &Path,
        signing_key: SigningKey,
        older_keys: &KeySet,
        expect_head: Option<&Receipt>,
    ) -> Result<Self, Error> {
        if cfg!(all(target_arch = "wasm32", target_os = "unknown")) {
            return Err(Error::new(ErrorCode::Unsupported, UNSUPPORTED_FILES));
        }
        let path = path.to_path_buf();
        let keys = log_keys(&signing_key, older_keys)?;
        if let Some(cp) = expect_head {
            cp.verify(&keys).map_err(|e| {
                Error::new(
                    e.code(),
                    format!(
                        "audit log {}: the expected head (seq {}) does not verify with the log's keys: {}",
                        path.display(),
                        cp.seq(),
                        e.message()
                    ),
                )
            })?;
        }
        let (file, existed) = open_regular(&path, true)?;
        if !existed {
            sync_parent(&path)?;
        }
        let (chain, offsets, end) = {
            let _lock = FileLock::acquire(&file, &path)?;
            let bytes = read_tail(&file, &path, 0)?;
            let (receipts, offsets) = load(&bytes, &path, 0, 0)?;
            verify_chain(&receipts, &keys, GENESIS).map_err(|e| {
                Error::new(
                    e.code(),
                    format!("audit log {}: {}", path.display(), e.message()),
                )
            })?;
            if let Some(cp) = expect_head {
                check_checkpoint(&receipts, cp, &path)?;
            }
            let mut chain = Chain::genesis();
            if let Some(last) = receipts.last() {
                chain.advance(last);
            }
            (chain, offsets, bytes.len() as u64)
        };
        Ok(FileAuditLog {
            path,
            key: signing_key,
            keys,
            inner: Mutex::new(FileState {
                file,
                chain,
                offsets,
                end,
                failed: None,
            }),
        })
    }

    /// Cuts off an incomplete last line (a write torn by a crash) so the log
    /// can be reopened. Call it knowingly: it is what `log_corrupt` on open
    /// asks for when the last line has no newline. Such a line can never hold
    /// an acknowledged receipt (`append` returns only after the newline is
    /// synced). Returns what was removed, or `None` when the file ends cleanly.
    /// Any other damage is left alone and still fails [`FileAuditLog::open`].
    pub fn repair(path: impl AsRef<Path>) -> Result<Option<TornTail>, Error> {
        let path = path.as_ref();
        let (file, _) = open_regular(path, false)?;
        let _lock = FileLock::acquire(&file, path)?;
        let bytes = read_tail(&file, path, 0)?;
        if bytes.is_empty() || bytes.ends_with(b"\n") {
            return Ok(None);
        }
        let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let line = bytes[..keep].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        file.set_len(keep as u64)
            .and_then(|_| file.sync_all())
            .map_err(|e| io_err(path, "cannot truncate audit log", e))?;
        Ok(Some(TornTail {
            line,
            offset: keep as u64,
            bytes: (bytes.len() - keep) as u64,
        }))
    }

    /// The file the log appends to.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The log must hold `cp` at its `seq`.
fn check_checkpoint(receipts: &[Receipt], cp: &Receipt, path: &Path) -> Result<(), Error> {
    let len = receipts.len() as u64;
    let broken = |why: String| -> Error {
        AuditError::ChainBroken(format!("audit log {}: {why}", path.display())).into()
    };
    match usize::try_from(cp.seq()).ok().and_then(|i| receipts.get(i)) {
        Some(r) if r.hash() == cp.hash() => Ok(()),
        Some(r) => {
            // Only the receipt at the checkpoint's seq was replaced when the
            // one before it is still the one the checkpoint links to.
            let one = cp.seq() > 0
                && usize::try_from(cp.seq() - 1)
                    .ok()
                    .and_then(|i| receipts.get(i))
                    .is_some_and(|b| b.hash() == cp.prev());
            Err(broken(format!(
                "receipt {} (hash {}) is not the expected head (hash {}): the log was cut behind \
                 it and rewritten (a fork); {} of the expected chain {} missing",
                cp.seq(),
                r.hash(),
                cp.hash(),
                if one {
                    "1 receipt"
                } else {
                    "at least 2 receipts"
                },
                if one { "is" } else { "are" },
            )))
        }
        None => {
            let missing = cp.seq().saturating_add(1).saturating_sub(len);
            Err(broken(format!(
                "{missing} receipt{} missing: the log holds {len} receipt{} but the expected head is \
                 seq {} (hash {}); the file was cut or replaced by an older copy",
                if missing == 1 { " is" } else { "s are" },
                if len == 1 { "" } else { "s" },
                cp.seq(),
                cp.hash()
            )))
        }
    }
}

#[cfg(unix)]
fn sync_parent(path: &Path) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_err(dir, "cannot sync directory", e))
}

#[cfg(not(unix))]
fn sync_parent(_path: &Path) -> Result<(), Error> {
    Ok(())
}

/// Splits log text that starts at byte `base` (line `base_line` + 1) into
/// receipts and their absolute offsets; every line must be complete, valid
/// and at most [`MAX_LOG_LINE_BYTES`] long.
fn load(
    bytes: &[u8],
    path: &Path,
    base: u64,
    base_line: usize,
) -> Result<(Vec<Receipt>, Vec<u64>), Error> {
    let mut receipts = Vec::new();
    let mut offsets = Vec::new();
    let mut pos = 0usize;
    while pos < bytes.len() {
        let line_no = base_line + offsets.len() + 1;
        let at = base.saturating_add(pos as u64);
        let corrupt = |why: String| -> Error {
            AuditError::LogCorrupt(format!(
                "audit log {} line {line_no} (byte {at}): {why}",
                path.display()
            ))
            .into()
        };
        let window = &bytes[pos..bytes.len().min(pos.saturating_add(MAX_LOG_LINE_BYTES))];
        let Some(len) = window.iter().position(|&b| b == b'\n') else {
            if window.len() == MAX_LOG_LINE_BYTES {
                return Err(AuditError::LimitExceeded(format!(
                    "audit log {} line {line_no} (byte {at}): longer than {MAX_LOG_LINE_BYTES} bytes, \
                     the most a receipt line can be; this is not an audit log, or it is damaged",
                    path.display()
                ))
                .into());
            }
            return Err(corrupt(format!(
                "incomplete last line ({} bytes, no newline): a write torn by a crash; \
                 FileAuditLog::repair cuts it off (it was never acknowledged)",
                bytes.len() - pos
            )));
        };
        let line =
            std::str::from_utf8(&bytes[pos..pos + len]).map_err(|_| corrupt("not UTF-8".into()))?;
        let r = Receipt::parse(line).map_err(|e| corrupt(e.message().to_string()))?;
        offsets.push(at);
        receipts.push(r);
        pos += len + 1;
    }
    Ok((receipts, offsets))
}

impl FileAuditLog {
    /// Under the file lock: takes in receipts another handle or process
    /// appended since this handle last looked, so the next receipt chains onto
    /// the file's real head.
    fn catch_up(&self, st: &mut FileState) -> Result<(), Error> {
        let len = st
            .file
            .metadata()
            .map_err(|e| io_err(&self.path, "cannot read audit log", e))?
            .len();
        if len == st.end {
            return Ok(());
        }
        if len < st.end {
            return Err(AuditError::LogCorrupt(format!(
                "audit log {} shrank from {} to {len} bytes while open: it was cut or replaced \
                 by another program; refusing to append",
                self.path.display(),
                st.end
            ))
            .into());
        }
        let end = st.end;
        let bytes = read_tail(&st.file, &self.path, end)?;
        let (receipts, offsets) = load(&bytes, &self.path, end, st.offsets.len())?;
        let Some(first) = receipts.first() else {
            return Ok(());
        };
        let named = |e: Error| {
            Error::new(
                e.code(),
                format!(
                    "audit log {} (receipts appended by another writer): {}",
                    self.path.display(),
                    e.message()
                ),
            )
        };
        if first.seq() != st.chain.len || st.chain.last_ts.is_some_and(|t| first.ts() < t) {
            return Err(named(
                AuditError::ChainBroken(format!(
                    "receipt seq {} (ts {}) does not continue seq {} (ts {:?})",
                    first.seq(),
                    first.ts(),
                    st.chain.len,
                    st.chain.last_ts
                ))
                .into(),
            ));
        }
        verify_chain(&receipts, &self.keys, &st.chain.last_hash).map_err(named)?;
        if let Some(last) = receipts.last() {
            st.chain.advance(last);
        }
        st.offsets.extend(offsets);
        st.end = end.saturating_add(bytes.len() as u64);
        Ok(())
    }

    fn append_locked(&self, st: &mut FileState, entry: &ReceiptInput) -> Result<Receipt, Error> {
        self.catch_up(st)?;
        let r = st.chain.seal(entry, &self.key)?;
        let mut line = String::with_capacity(r.to_json().len() + 1);
        line.push_str(r.to_json());
        line.push('\n');
        if st.end.saturating_add(line.len() as u64) > MAX_LOG_BYTES {
            return Err(too_big(
                &self.path,
                st.end.saturating_add(line.len() as u64),
            ));
        }
        let written = st
            .file
            .write_all(line.as_bytes())
            .and_then(|_| st.file.sync_data());
        if let Err(e) = written {
            st.failed = Some(e.to_string());
            return Err(io_err(&self.path, "cannot write audit log", e));
        }
        let end = st.end;
        st.offsets.push(end);
        st.end += line.len() as u64;
        st.chain.advance(&r);
        Ok(r)
    }
}

impl AuditLog for FileAuditLog {
    fn append(&self, entry: ReceiptInput) -> Result<Receipt, Error> {
        let mut guard = lock(&self.inner);
        let st = &mut *guard;
        if let Some(why) = &st.failed {
            return Err(AuditError::Io(format!(
                "audit log {} refuses appends after an earlier I/O error ({why}); reopen it",
                self.path.display()
            ))
            .into());
        }
        // The OS lock borrows the file while the state is mutated: take a
        // second handle to the same open file for the lock.
        let lock_file = st
            .file
            .try_clone()
            .map_err(|e| io_err(&self.path, "cannot lock audit log", e))?;
        let _os_lock = FileLock::acquire(&lock_file, &self.path)?;
        self.append_locked(st, &entry)
    }

    fn len(&self) -> Result<u64, Error> {
        Ok(lock(&self.inner).chain.len)
    }

    fn head(&self) -> Result<Option<Receipt>, Error> {
        Ok(lock(&self.inner).chain.head.clone())
    }

    fn receipts(&self, range: Range<u64>) -> Result<Vec<Receipt>, Error> {
        let (from, to) = {
            let st = lock(&self.inner);
            check_range(&range, st.chain.len)?;
            if range.start == range.end {
                return Ok(Vec::new());
            }
            let from = st.offsets[range.start as usize];
            let to = st
                .offsets
                .get(range.end as usize)
                .copied()
                .unwrap_or(st.end);
            (from, to)
        };
        // Bytes before `end` never change: the file is append-only.
        let mut file =
            File::open(&self.path).map_err(|e| io_err(&self.path, "cannot open audit log", e))?;
        let mut bytes = vec![0u8; (to - from) as usize];
        file.seek(SeekFrom::Start(from))
            .and_then(|_| file.read_exact(&mut bytes))
            .map_err(|e| io_err(&self.path, "cannot read audit log", e))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            AuditError::LogCorrupt(format!(
                "audit log {} changed under us",
                self.path.display()
            ))
        })?;
        text.lines()
            .map(|l| {
                Receipt::parse(l).map_err(|e| {
                    AuditError::LogCorrupt(format!(
                        "audit log {} changed under us: {}",
                        self.path.display(),
                        e.message()
                    ))
                    .into()
                })
            })
            .collect()
    }

    fn keys(&self) -> KeySet {
        self.keys.clone()
    }

    fn export_bundle(&self, range: Range<u64>) -> Result<Bundle, Error> {
        Bundle::seal(self.receipts(range)?, &self.keys, &self.key)
    }
}

/// Checks signatures (in one Ed25519 batch), links, sequence and time of a
/// contiguous run of receipts whose first `prev` must be `anchor`. Errors
/// name the first bad receipt (index in `receipts`) and why.
pub(crate) fn verify_chain(receipts: &[Receipt], keys: &KeySet, anchor: &str) -> Result<(), Error> {
    // Structure first; remember the first failure.
    let mut structural: Option<(usize, Error)> = None;
    for (i, r) in receipts.iter().enumerate() {
        let fail = |code: ErrorCode, why: String| {
            Some((
                i,
                Error::new(code, format!("receipt {i} (seq {}): {why}", r.seq())),
            ))
        };
        if keys.get(r.kid()).is_err() {
            structural = fail(
                ErrorCode::UnknownKey,
                format!("signed by key {:?}, which is not trusted", r.kid()),
            );
        } else if r.seq() == 0 && r.prev() != GENESIS {
            structural = fail(
                ErrorCode::ChainBroken,
                "seq 0 does not link to the genesis value".into(),
            );
        } else if i == 0 {
            if anchor == GENESIS && r.seq() != 0 {
                structural = fail(
                    ErrorCode::ChainBroken,
                    "the chain does not start at genesis (seq 0): receipts before it are missing"
                        .into(),
                );
            } else if r.prev() != anchor {
                structural = fail(
                    ErrorCode::ChainBroken,
                    if anchor == GENESIS {
                        "the chain does not start at genesis (seq 0): receipts before it are missing".into()
                    } else {
                        "prev does not match the expected anchor (hash of the receipt before it)"
                            .into()
                    },
                );
            }
        } else {
            let before = &receipts[i - 1];
            if r.seq() != before.seq().wrapping_add(1) {
                structural = fail(
                    ErrorCode::ChainBroken,
                    format!(
                        "follows seq {} (a gap, duplicate or reordering)",
                        before.seq()
                    ),
                );
            } else if r.prev() != before.hash() {
                structural = fail(
                    ErrorCode::ChainBroken,
                    format!("prev does not match the hash of receipt {}", i - 1),
                );
            } else if r.ts() < before.ts() {
                structural = fail(
                    ErrorCode::ChainBroken,
                    format!(
                        "ts {} is earlier than receipt {}'s {}",
                        r.ts(),
                        i - 1,
                        before.ts()
                    ),
                );
            }
        }
        if structural.is_some() {
            break;
        }
    }
    // Signatures of every receipt up to and including the first structural
    // failure: a receipt altered in place shows as a bad signature at its own
    // index, before the broken link after it.
    let upto = structural.as_ref().map_or(receipts.len(), |(i, _)| i + 1);
    let checked: Vec<&Receipt> = receipts[..upto]
        .iter()
        .filter(|r| keys.get(r.kid()).is_ok())
        .collect();
    if let Some(bad) = first_bad_signature(&checked, keys) {
        let idx = receipts[..upto]
            .iter()
            .position(|r| std::ptr::eq(r, checked[bad]))
            .unwrap_or(bad);
        return Err(AuditError::BadSignature(format!(
            "receipt {idx} (seq {}): signature does not verify (the receipt was altered or forged)",
            receipts[idx].seq()
        ))
        .into());
    }
    match structural {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// Batch-verifies; on failure finds the first bad signature strictly.
fn first_bad_signature(receipts: &[&Receipt], keys: &KeySet) -> Option<usize> {
    if receipts.is_empty() {
        return None;
    }
    let mut messages = Vec::with_capacity(receipts.len());
    let mut sigs = Vec::with_capacity(receipts.len());
    let mut vks = Vec::with_capacity(receipts.len());
    for (i, r) in receipts.iter().enumerate() {
        let key = keys.get(r.kid()).ok()?;
        let Some(sig) =
            b64::decode(r.sig()).and_then(|s| ed25519_dalek::Signature::from_slice(&s).ok())
        else {
            return Some(i);
        };
        messages.push(labeled(RECEIPT_LABEL, r.signed_body().as_bytes()));
        sigs.push(sig);
        vks.push(*key.dalek());
    }
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    if ed25519_dalek::verify_batch(&refs, &sigs, &vks).is_ok() {
        return None;
    }
    receipts
        .iter()
        .position(|r| r.verify(keys).is_err())
        .or(Some(0))
}

/// The signed summary of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, eq, module = "charter")
)]
pub struct BundleHead {
    /// `prev` of the first receipt: [`GENESIS`] for a bundle from seq 0.
    pub anchor: String,
    /// Number of receipts in the bundle.
    pub count: u64,
    /// `seq` of the first receipt.
    pub first_seq: u64,
    /// Id of the key that signed the head.
    pub kid: String,
    /// Hash of the last receipt.
    pub last_hash: String,
    /// `seq` of the last receipt.
    pub last_seq: u64,
    /// Ed25519 signature over the head without `sig` (JCS, labeled).
    pub sig: String,
    /// `ts` of the last receipt.
    pub ts: i64,
    /// Bundle format version ([`BUNDLE_VERSION`]).
    pub v: u64,
}

/// Why a head always serializes: its members are strings and integers, and
/// the integers (counts, seqs, `ts`) are checked safe where they come from.
const HEAD_IS_JSON: &str = "a bundle head is strings and safe integers, always I-JSON";

impl BundleHead {
    fn body(&self) -> String {
        let mut v = serde_json::to_value(self).expect(HEAD_IS_JSON);
        v.as_object_mut()
            .expect("a struct serializes to a JSON object")
            .remove("sig");
        jcs::canonicalize(&v).expect(HEAD_IS_JSON)
    }

    fn to_json(&self) -> String {
        jcs::canonicalize(&serde_json::to_value(self).expect(HEAD_IS_JSON)).expect(HEAD_IS_JSON)
    }
}

/// A contiguous run of receipts with the keys that signed them and a signed head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    receipts: Vec<Receipt>,
    keys: KeySet,
    head: BundleHead,
}

/// What a verified bundle covers (serialized with snake_case keys, as
/// surface.json names its fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, eq, module = "charter")
)]
pub struct BundleReport {
    /// Number of receipts verified.
    pub count: u64,
    /// `seq` of the first receipt.
    pub first_seq: u64,
    /// `seq` of the last receipt.
    pub last_seq: u64,
    /// The signed head the receipts were checked against.
    pub head: BundleHead,
}

impl Bundle {
    /// Bundles `receipts` (a contiguous run, oldest first) with the keys of
    /// `log_keys` that signed them, and signs the head with `key`. Audit logs
    /// call this from [`AuditLog::export_bundle`].
    pub fn seal(
        receipts: Vec<Receipt>,
        log_keys: &KeySet,
        key: &SigningKey,
    ) -> Result<Bundle, Error> {
        let (Some(first), Some(last)) = (receipts.first(), receipts.last()) else {
            return Err(
                AuditError::InvalidArgument("a bundle holds at least one receipt".into()).into(),
            );
        };
        if receipts.len() > MAX_BUNDLE_RECEIPTS {
            return Err(AuditError::LimitExceeded(format!(
                "a bundle holds at most {MAX_BUNDLE_RECEIPTS} receipts"
            ))
            .into());
        }
        let mut keys = KeySet::new();
        keys.insert(key.public_key())?;
        for r in &receipts {
            if keys.get(r.kid()).is_err() {
                let k = log_keys.get(r.kid()).map_err(|_| {
                    AuditError::InvalidArgument(format!(
                        "receipt seq {} is signed by key {:?}, which the log does not know",
                        r.seq(),
                        r.kid()
                    ))
                })?;
                keys.insert(k.clone())?;
            }
        }
        let mut head = BundleHead {
            anchor: first.prev().to_string(),
            count: receipts.len() as u64,
            first_seq: first.seq(),
            kid: key.kid(),
            last_hash: last.hash().to_string(),
            last_seq: last.seq(),
            sig: String::new(),
            ts: last.ts(),
            v: BUNDLE_VERSION,
        };
        head.sig = b64::encode(key.sign_labeled(BUNDLE_HEAD_LABEL, head.body().as_bytes()));
        Ok(Bundle {
            receipts,
            keys,
            head,
        })
    }

    /// The receipts, oldest first.
    pub fn receipts(&self) -> &[Receipt] {
        &self.receipts
    }

    /// The keys the bundle carries (its JWKS).
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// The signed summary: anchor, range and last hash.
    pub fn head(&self) -> &BundleHead {
        &self.head
    }

    /// Canonical JSON text.
    pub fn to_json(&self) -> String {
        // Members of a canonical object in order, each canonical: the whole is canonical.
        let receipts_len: usize = self.receipts.iter().map(|r| r.to_json().len() + 1).sum();
        let head = self.head.to_json();
        let jwks = self.keys.to_jwks();
        let mut out = String::with_capacity(receipts_len + head.len() + jwks.len() + 48);
        out.push_str("{\"head\":");
        out.push_str(&head);
        out.push_str(",\"jwks\":");
        out.push_str(&jwks);
        out.push_str(",\"receipts\":[");
        for (i, r) in self.receipts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(r.to_json());
        }
        out.push_str("],\"v\":1}");
        out
    }

    /// Parses a bundle strictly (canonical text, known members only). Verifies nothing.
    pub fn parse(text: &str) -> Result<Bundle, Error> {
        if text.len() <= MAX_BUNDLE_BYTES {
            if let Some(b) = Bundle::parse_fast(text) {
                return Ok(b);
            }
        }
        Bundle::parse_strict(text)
    }

    /// Typed parsing; accepted only when the text is exactly the canonical
    /// form of what was parsed. `None` sends the text to the strict parser,
    /// which names the problem.
    fn parse_fast(text: &str) -> Option<Bundle> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Jwks {
            keys: Vec<serde_json::Map<String, Value>>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            head: BundleHead,
            jwks: Jwks,
            receipts: Vec<crate::receipt::Wire>,
            v: u64,
        }
        let w: Wire = serde_json::from_str(text).ok()?;
        if w.v != BUNDLE_VERSION
            || w.head.v != BUNDLE_VERSION
            || w.receipts.len() > MAX_BUNDLE_RECEIPTS
        {
            return None;
        }
        let safe = jcs::MAX_SAFE_INTEGER as u64;
        let h = &w.head;
        if h.count > safe || h.first_seq > safe || h.last_seq > safe || h.ts.unsigned_abs() > safe {
            return None;
        }
        let mut keys = KeySet::new();
        for jwk in w.jwks.keys {
            keys.insert(crate::keys::PublicKey::from_jwk(&Value::Object(jwk)).ok()?)
                .ok()?;
        }
        let receipts = w
            .receipts
            .into_iter()
            .map(|r| Receipt::from_wire(r, None).ok())
            .collect::<Option<Vec<_>>>()?;
        let bundle = Bundle {
            receipts,
            keys,
            head: w.head,
        };
        (bundle.to_json() == text).then_some(bundle)
    }

    fn parse_strict(text: &str) -> Result<Bundle, Error> {
        let malformed =
            |m: String| -> Error { AuditError::Malformed(format!("malformed bundle: {m}")).into() };
        if text.len() > MAX_BUNDLE_BYTES {
            return Err(AuditError::LimitExceeded(format!(
                "bundle is {} bytes, more than the {MAX_BUNDLE_BYTES}-byte limit",
                text.len()
            ))
            .into());
        }
        let value = jcs::parse(text).map_err(|e| match e.code() {
            // Too deep to read: over a limit, as for any JSON input.
            ErrorCode::LimitExceeded => e,
            _ => malformed(e.to_string()),
        })?;
        let Value::Object(mut obj) = value else {
            return Err(malformed("not a JSON object".into()));
        };
        match obj.get("v") {
            Some(v) if v == BUNDLE_VERSION => {}
            Some(v) => {
                return Err(AuditError::UnsupportedVersion(format!(
                    "bundle version {v} is not supported (this build reads {BUNDLE_VERSION})"
                ))
                .into())
            }
            None => return Err(malformed("missing member \"v\"".into())),
        }
        if let Some(k) = obj
            .keys()
            .find(|k| !["head", "jwks", "receipts", "v"].contains(&k.as_str()))
        {
            return Err(malformed(format!("unknown member {k:?}")));
        }
        let head: BundleHead = serde_json::from_value(
            obj.remove("head")
                .ok_or_else(|| malformed("missing \"head\"".into()))?,
        )
        .map_err(|e| malformed(format!("head: {e}")))?;
        if head.v != BUNDLE_VERSION {
            return Err(AuditError::UnsupportedVersion(format!(
                "bundle head version {} is not supported",
                head.v
            ))
            .into());
        }
        let jwks = obj
            .remove("jwks")
            .ok_or_else(|| malformed("missing \"jwks\"".into()))?;
        let keys =
            KeySet::from_jwks(&jcs::canonicalize(&jwks).map_err(|e| malformed(e.to_string()))?)
                .map_err(|e| malformed(format!("jwks: {e}")))?;
        let Some(Value::Array(items)) = obj.remove("receipts") else {
            return Err(malformed("\"receipts\" must be an array".into()));
        };
        if items.len() > MAX_BUNDLE_RECEIPTS {
            return Err(AuditError::LimitExceeded(format!(
                "bundle holds {} receipts, more than {MAX_BUNDLE_RECEIPTS}",
                items.len()
            ))
            .into());
        }
        let mut receipts = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let r = Receipt::from_value(item, None)
                .map_err(|e| Error::new(e.code(), format!("bundle receipt {i}: {e}")))?;
            receipts.push(r);
        }
        let bundle = Bundle {
            receipts,
            keys,
            head,
        };
        let canonical = bundle.to_json();
        if canonical != text {
            return Err(match jcs::canonicalize_str(text) {
                // Merely re-serialized, not altered: its own code, and how to fix it.
                Ok(c) if c == canonical => AuditError::NotCanonical(
                    crate::receipt::not_canonical_message("bundle", text, &canonical),
                )
                .into(),
                _ => malformed("a member is missing or not in its canonical form".into()),
            });
        }
        Ok(bundle)
    }

    /// Verifies a bundle that starts at the genesis (see the module docs).
    pub fn verify(&self, trusted: &KeySet) -> Result<BundleReport, Error> {
        self.verify_from(trusted, GENESIS)
    }

    /// Verifies a bundle whose first receipt links to `anchor`: [`GENESIS`]
    /// for a complete log, else the hash of the receipt before the bundle's
    /// first, as the auditor already knows it (the `last_hash` of the
    /// previous bundle).
    pub fn verify_from(&self, trusted: &KeySet, anchor: &str) -> Result<BundleReport, Error> {
        // Every key the bundle carries must be trusted (same kid, same key).
        for kid in self.keys.kids() {
            let theirs = self.keys.get(kid)?;
            match trusted.get(kid) {
                Ok(ours) if ours == theirs => {}
                _ => {
                    return Err(AuditError::UnknownKey(format!(
                        "the bundle carries key {kid:?}, which is not trusted"
                    ))
                    .into())
                }
            }
        }
        let (Some(first), Some(last)) = (self.receipts.first(), self.receipts.last()) else {
            return Err(AuditError::ChainBroken("the bundle holds no receipts".into()).into());
        };
        verify_chain(&self.receipts, &self.keys, anchor)?;
        let head = &self.head;
        let key = self.keys.get(&head.kid).map_err(|_| {
            AuditError::UnknownKey(format!(
                "head is signed by key {:?}, which is not trusted",
                head.kid
            ))
        })?;
        let sig = b64::decode(&head.sig)
            .ok_or_else(|| AuditError::BadSignature("head: signature is not base64url".into()))?;
        key.verify_labeled(BUNDLE_HEAD_LABEL, head.body().as_bytes(), &sig)
            .map_err(|_| AuditError::BadSignature("head: signature does not verify".into()))?;
        let broken = |what: &str, head_says: String, bundle_has: String| -> Error {
            AuditError::ChainBroken(format!(
                "head: {what} is {head_says}, but the receipts give {bundle_has} (receipts were removed or added)"
            ))
            .into()
        };
        if head.count != self.receipts.len() as u64 {
            return Err(broken(
                "count",
                head.count.to_string(),
                self.receipts.len().to_string(),
            ));
        }
        if head.first_seq != first.seq() {
            return Err(broken(
                "first_seq",
                head.first_seq.to_string(),
                first.seq().to_string(),
            ));
        }
        if head.last_seq != last.seq() {
            return Err(broken(
                "last_seq",
                head.last_seq.to_string(),
                last.seq().to_string(),
            ));
        }
        if head.anchor != first.prev() {
            return Err(broken(
                "anchor",
                head.anchor.clone(),
                first.prev().to_string(),
            ));
        }
        if head.last_hash != last.hash() {
            return Err(broken(
                "last_hash",
                head.last_hash.clone(),
                last.hash().to_string(),
            ));
        }
        if head.ts != last.ts() {
            return Err(broken("ts", head.ts.to_string(), last.ts().to_string()));
        }
        Ok(BundleReport {
            count: head.count,
            first_seq: head.first_seq,
            last_seq: head.last_seq,
            head: head.clone(),
        })
    }
}

/// Parses and verifies a bundle that starts at the genesis; see [`Bundle::verify`].
pub fn verify_bundle(bundle_json: &str, trusted: &KeySet) -> Result<BundleReport, Error> {
    Bundle::parse(bundle_json)?.verify(trusted)
}

/// Parses and verifies a partial bundle against the anchor the auditor trusts;
/// see [`Bundle::verify_from`].
pub fn verify_bundle_from(
    bundle_json: &str,
    trusted: &KeySet,
    anchor: &str,
) -> Result<BundleReport, Error> {
    Bundle::parse(bundle_json)?.verify_from(trusted, anchor)
}

/// [`verify_bundle_from`] when the auditor gives an `anchor`, else
/// [`verify_bundle`]: what every binding's `verify_bundle(bundle, trusted,
/// anchor?)` calls.
pub fn verify_bundle_with_anchor(
    bundle_json: &str,
    trusted: &KeySet,
    anchor: Option<&str>,
) -> Result<BundleReport, Error> {
    match anchor {
        Some(anchor) => verify_bundle_from(bundle_json, trusted, anchor),
        None => verify_bundle(bundle_json, trusted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{Decision, Reason};
    use serde_json::json;

    const T0: i64 = 1_700_000_000;

    fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32]).unwrap()
    }

    #[test]
    fn documents_too_deep_to_read_are_over_a_limit() {
        let deep = "[".repeat(100) + &"]".repeat(100);
        let code = |r: Result<(), Error>| r.unwrap_err().code();
        assert_eq!(
            code(Receipt::parse(&deep).map(drop)),
            ErrorCode::LimitExceeded
        );
        assert_eq!(
            code(Bundle::parse(&deep).map(drop)),
            ErrorCode::LimitExceeded
        );
        assert_eq!(code(Receipt::parse("[1]").map(drop)), ErrorCode::Malformed);
        assert_eq!(
            code(Bundle::parse("{\"v\":1,").map(drop)),
            ErrorCode::Malformed
        );
    }

    fn trusted(n: u8) -> KeySet {
        KeySet::from_keys([key(n).public_key()]).unwrap()
    }

    fn entry(i: i64) -> ReceiptInput {
        let d = if i % 3 == 2 {
            Decision::deny(vec![Reason::new(
                ErrorCode::CaveatFailed,
                Some(1),
                format!("caveat 1 failed for call {i}"),
            )])
        } else {
            Decision::allow()
        };
        ReceiptInput::from_decision(T0 + i, "agent", "tool.run", &json!({ "i": i }), &d)
            .unwrap()
            .with_capability("cap-1")
    }

    fn log_with(n: i64) -> MemoryAuditLog {
        let log = MemoryAuditLog::new(key(1));
        for i in 0..n {
            log.append(entry(i)).unwrap();
        }
        log
    }

    fn code(r: Result<BundleReport, Error>) -> ErrorCode {
        r.unwrap_err().code()
    }

    /// Re-serializes a tampered bundle and verifies it from its text.
    fn reverify(b: &Bundle, keys: &KeySet) -> Result<BundleReport, Error> {
        verify_bundle(&b.to_json(), keys)
    }

    fn altered(r: &Receipt, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Receipt {
        let mut v = r.to_value();
        f(v.as_object_mut().unwrap());
        Receipt::from_value(v, None).unwrap()
    }

    #[test]
    fn memory_log_chains_and_clamps_time() {
        let log = log_with(3);
        assert_eq!(log.len().unwrap(), 3);
        let rs = log.receipts(0..3).unwrap();
        assert_eq!(rs[0].prev(), GENESIS);
        assert_eq!(rs[1].prev(), rs[0].hash());
        assert_eq!(rs[2].seq(), 2);
        assert_eq!(log.head().unwrap().unwrap(), rs[2]);
        let mut early = entry(3);
        early.ts = T0 - 100;
        let r = log.append(early).unwrap();
        assert_eq!(r.ts(), rs[2].ts(), "time never goes backwards in a log");
        assert_eq!(
            log.receipts(2..9).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
        verify_chain(&log.receipts(0..4).unwrap(), &trusted(1), GENESIS).unwrap();
    }

    #[test]
    fn bundle_round_trip() {
        let log = log_with(5);
        let b = export_bundle(&log, 0..5).unwrap();
        let text = b.to_json();
        assert_eq!(Bundle::parse(&text).unwrap(), b);
        assert_eq!(jcs::canonicalize_str(&text).unwrap(), text);
        let report = verify_bundle(&text, &trusted(1)).unwrap();
        assert_eq!((report.count, report.first_seq, report.last_seq), (5, 0, 4));
        assert_eq!(report.head.last_hash, log.head().unwrap().unwrap().hash());
        assert_eq!(report.head.anchor, GENESIS);
        let as_json = serde_json::to_value(&report).unwrap();
        assert_eq!(as_json["count"], 5);
        assert_eq!(as_json["first_seq"], 0);
        assert_eq!(as_json["last_seq"], 4);
        assert_eq!(as_json["head"], serde_json::to_value(&report.head).unwrap());
        // A prefix of the log is a complete bundle too.
        verify_bundle(&export_bundle(&log, 0..2).unwrap().to_json(), &trusted(1)).unwrap();
        assert_eq!(
            export_bundle(&log, 2..2).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn optional_bounds_and_anchor_mean_the_whole_log_and_the_genesis() {
        let log = log_with(5);
        let whole = log.export_range(None, None).unwrap();
        assert_eq!(whole, export_bundle(&log, 0..5).unwrap());
        assert_eq!(
            log.export_range(Some(2), None).unwrap(),
            export_bundle(&log, 2..5).unwrap()
        );
        assert_eq!(
            log.export_range(None, Some(2)).unwrap(),
            export_bundle(&log, 0..2).unwrap()
        );
        assert_eq!(
            log.export_range(Some(3), Some(3)).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
        let keys = trusted(1);
        let report = verify_bundle_with_anchor(&whole.to_json(), &keys, None).unwrap();
        assert_eq!(report, verify_bundle(&whole.to_json(), &keys).unwrap());
        let tail = log.export_range(Some(2), None).unwrap().to_json();
        let anchor = log.receipts(1..2).unwrap()[0].hash().to_string();
        let from = verify_bundle_with_anchor(&tail, &keys, Some(&anchor)).unwrap();
        assert_eq!((from.first_seq, from.last_seq), (2, 4));
        // Without the anchor a partial bundle is not accepted.
        assert_eq!(
            code(verify_bundle_with_anchor(&tail, &keys, None)),
            ErrorCode::ChainBroken
        );
    }

    #[test]
    fn tampering_is_caught_and_named() {
        let log = log_with(6);
        let b = export_bundle(&log, 0..6).unwrap();
        let keys = trusted(1);

        // Reordered.
        let mut t = b.clone();
        t.receipts.swap(2, 3);
        let e = reverify(&t, &keys).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ChainBroken);
        assert!(e.message().starts_with("receipt 2 (seq 3)"), "{e}");

        // Duplicated.
        let mut t = b.clone();
        let dup = t.receipts[3].clone();
        t.receipts.insert(3, dup);
        let e = reverify(&t, &keys).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ChainBroken);
        assert!(e.message().starts_with("receipt 4 (seq 3)"), "{e}");

        // Altered in place: its own signature fails, at its own index.
        let mut t = b.clone();
        t.receipts[3] = altered(&t.receipts[3], |o| {
            o.insert("action".into(), json!("tool.delete"));
        });
        let e = reverify(&t, &keys).unwrap_err();
        assert_eq!(e.code(), ErrorCode::BadSignature);
        assert!(e.message().starts_with("receipt 3 (seq 3)"), "{e}");

        // Removed from the middle.
        let mut t = b.clone();
        t.receipts.remove(2);
        let e = reverify(&t, &keys).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ChainBroken);
        assert!(e.message().starts_with("receipt 2 (seq 3)"), "{e}");

        // Removed from the end: the head says otherwise.
        let mut t = b.clone();
        t.receipts.pop();
        let e = reverify(&t, &keys).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ChainBroken);
        assert!(e.message().starts_with("head: count"), "{e}");

        // Cut off the front, even with a head re-signed by the log's own key.
        let cut = Bundle::seal(b.receipts[2..].to_vec(), &log.keys(), &key(1)).unwrap();
        let e = reverify(&cut, &keys).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ChainBroken);
        assert!(e.message().contains("genesis"), "{e}");
        let mut t = b.clone();
        t.receipts.drain(..2);
        assert_eq!(code(reverify(&t, &keys)), ErrorCode::ChainBroken);
        // ...unless the auditor supplies the anchor they trust.
        let anchor = b.receipts[1].hash();
        let r = verify_bundle_from(&cut.to_json(), &keys, anchor).unwrap();
        assert_eq!((r.first_seq, r.last_seq, r.count), (2, 5, 4));
        assert_eq!(
            code(verify_bundle_from(
                &cut.to_json(),
                &keys,
                b.receipts[0].hash()
            )),
            ErrorCode::ChainBroken
        );
        assert_eq!(
            code(verify_bundle_from(
                &export_bundle(&log, 3..6).unwrap().to_json(),
                &keys,
                anchor
            )),
            ErrorCode::ChainBroken
        );

        // Time going backwards (a re-signed receipt, so only the time is wrong).
        let other = MemoryAuditLog::new(key(1));
        let mut e0 = entry(0);
        e0.ts = T0 + 10;
        let r0 = other.append(e0).unwrap();
        let mut e1 = entry(1);
        e1.ts = T0;
        let r1 = Receipt::sign(&e1, 1, r0.hash(), &key(1)).unwrap();
        let t = Bundle::seal(vec![r0, r1], &log.keys(), &key(1)).unwrap();
        let e = reverify(&t, &keys).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ChainBroken);
        assert!(e.message().contains("earlier"), "{e}");
    }

    #[test]
    fn keys_and_heads_are_checked() {
        let log = log_with(3);
        let b = export_bundle(&log, 0..3).unwrap();
        // A log with a foreign key.
        let foreign = MemoryAuditLog::new(key(2));
        for i in 0..3 {
            foreign.append(entry(i)).unwrap();
        }
        let fb = export_bundle(&foreign, 0..3).unwrap();
        assert_eq!(
            code(verify_bundle(&fb.to_json(), &trusted(1))),
            ErrorCode::UnknownKey
        );
        // A bundle that trusts the right keys but whose JWKS smuggles another one.
        let mut t = b.clone();
        t.keys.insert(key(2).public_key()).unwrap();
        assert_eq!(code(reverify(&t, &trusted(1))), ErrorCode::UnknownKey);
        // Forged head: altered without re-signing.
        let mut t = b.clone();
        t.head.count = 2;
        t.receipts.pop();
        t.head.last_seq = 1;
        t.head.last_hash = t.receipts[1].hash().to_string();
        let e = reverify(&t, &trusted(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::BadSignature, "{e}");
        // Forged head: signed by a foreign key.
        let mut t = b.clone();
        t.keys.insert(key(2).public_key()).unwrap();
        t.head.kid = key(2).kid();
        t.head.sig = b64::encode(key(2).sign_labeled(BUNDLE_HEAD_LABEL, t.head.body().as_bytes()));
        let mut both = trusted(1);
        assert_eq!(code(reverify(&t, &both)), ErrorCode::UnknownKey);
        // Even if that key is trusted, a head must agree with its receipts.
        both.insert(key(2).public_key()).unwrap();
        reverify(&t, &both).unwrap();
        t.head.count = 7;
        t.head.sig = b64::encode(key(2).sign_labeled(BUNDLE_HEAD_LABEL, t.head.body().as_bytes()));
        assert_eq!(code(reverify(&t, &both)), ErrorCode::ChainBroken);
        // Not canonical, unknown members, other versions.
        let text = b.to_json();
        // Merely re-serialized is not_canonical (not a verification failure),
        // and the message names the command that fixes it.
        let spaced = text.replacen("{\"head\":", "{\"head\": ", 1);
        let e = verify_bundle(&spaced, &trusted(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotCanonical);
        assert!(e.message().contains("charter audit canonicalize"), "{e}");
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<Value>(&text).unwrap()).unwrap();
        assert_eq!(
            code(verify_bundle(&pretty, &trusted(1))),
            ErrorCode::NotCanonical
        );
        let e = verify_bundle(&format!("{text}\n"), &trusted(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotCanonical);
        assert!(e.message().contains("whitespace"), "{e}");
        // Re-canonicalized, it verifies.
        let back = crate::jcs::canonicalize_str(&pretty).unwrap();
        assert_eq!(back, text);
        verify_bundle(&back, &trusted(1)).unwrap();
        let extra = text.replacen("\"v\":1}", "\"v\":1,\"x\":0}", 1);
        assert_eq!(
            code(verify_bundle(&extra, &trusted(1))),
            ErrorCode::Malformed
        );
        let v2 = format!("{}2}}", &text[..text.len() - 2]);
        assert_eq!(
            code(verify_bundle(&v2, &trusted(1))),
            ErrorCode::UnsupportedVersion
        );
    }

    #[test]
    fn every_bit_flip_of_a_bundle_is_rejected() {
        let log = log_with(3);
        let text = export_bundle(&log, 0..3).unwrap().to_json().into_bytes();
        let keys = trusted(1);
        for i in 0..text.len() {
            for bit in 0..8 {
                let mut t = text.clone();
                t[i] ^= 1 << bit;
                let Ok(s) = std::str::from_utf8(&t) else {
                    continue;
                };
                assert!(
                    verify_bundle(s, &keys).is_err(),
                    "flip of bit {bit} of byte {i} accepted"
                );
            }
        }
    }

    #[test]
    fn file_log_persists_and_continues() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        {
            let log = FileAuditLog::open(&path, key(1)).unwrap();
            for i in 0..4 {
                log.append(entry(i)).unwrap();
            }
            assert_eq!(log.receipts(1..3).unwrap().len(), 2);
        }
        let log = FileAuditLog::open(&path, key(1)).unwrap();
        assert_eq!(log.len().unwrap(), 4);
        let r = log.append(entry(4)).unwrap();
        assert_eq!(r.seq(), 4);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 5);
        assert!(text.ends_with('\n'));
        let all = log.receipts(0..5).unwrap();
        assert_eq!(all[4], r);
        assert_eq!(all[3].hash(), r.prev());
        verify_bundle(&export_bundle(&log, 0..5).unwrap().to_json(), &trusted(1)).unwrap();
        drop(log);
        // A rotated key continues the chain when the old key is still trusted.
        assert_eq!(
            FileAuditLog::open(&path, key(2)).unwrap_err().code(),
            ErrorCode::UnknownKey
        );
        let log = FileAuditLog::open_with_keys(&path, key(2), &trusted(1)).unwrap();
        log.append(entry(5)).unwrap();
        let b = export_bundle(&log, 0..6).unwrap();
        assert_eq!(b.keys().len(), 2);
        let mut both = trusted(1);
        both.insert(key(2).public_key()).unwrap();
        verify_bundle(&b.to_json(), &both).unwrap();
        assert_eq!(
            code(verify_bundle(&b.to_json(), &trusted(2))),
            ErrorCode::UnknownKey
        );
    }

    #[test]
    fn torn_and_damaged_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = FileAuditLog::open(&path, key(1)).unwrap();
        for i in 0..3 {
            log.append(entry(i)).unwrap();
        }
        drop(log);
        let good = std::fs::read(&path).unwrap();
        let lines: Vec<&[u8]> = good.split_inclusive(|&b| b == b'\n').collect();

        // Torn tail: half of a fourth line.
        let mut torn = good.clone();
        torn.extend_from_slice(&lines[1][..40]);
        std::fs::write(&path, &torn).unwrap();
        let e = FileAuditLog::open(&path, key(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LogCorrupt);
        assert!(e.message().contains("line 4"), "{e}");
        let cut = FileAuditLog::repair(&path).unwrap().unwrap();
        assert_eq!(
            cut,
            TornTail {
                line: 4,
                offset: good.len() as u64,
                bytes: 40
            }
        );
        assert_eq!(FileAuditLog::repair(&path).unwrap(), None);
        assert_eq!(FileAuditLog::open(&path, key(1)).unwrap().len().unwrap(), 3);

        // A damaged middle line is not repairable by truncation.
        let mut bad = good.clone();
        let at = lines[0].len() + 5;
        bad[at] ^= 1;
        std::fs::write(&path, &bad).unwrap();
        let e = FileAuditLog::open(&path, key(1)).unwrap_err();
        assert!(
            matches!(e.code(), ErrorCode::LogCorrupt | ErrorCode::BadSignature),
            "{e}"
        );
        assert_eq!(FileAuditLog::repair(&path).unwrap(), None);

        // A removed line breaks the chain.
        let mut missing = lines[0].to_vec();
        missing.extend_from_slice(lines[2]);
        std::fs::write(&path, &missing).unwrap();
        let e = FileAuditLog::open(&path, key(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ChainBroken, "{e}");
        assert!(e.message().contains("receipt 1 (seq 2)"), "{e}");

        // An altered (re-serialized, still canonical) line fails its signature.
        let r =
            Receipt::parse(std::str::from_utf8(&lines[1][..lines[1].len() - 1]).unwrap()).unwrap();
        let forged = altered(&r, |o| {
            o.insert("agent".into(), json!("someone-else"));
        });
        let mut text = lines[0].to_vec();
        text.extend_from_slice(forged.to_json().as_bytes());
        text.push(b'\n');
        text.extend_from_slice(lines[2]);
        std::fs::write(&path, &text).unwrap();
        let e = FileAuditLog::open(&path, key(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::BadSignature, "{e}");
        assert!(e.message().contains("receipt 1"), "{e}");
    }

    #[test]
    fn failed_state_refuses_appends() {
        let dir = tempfile::tempdir().unwrap();
        let log = FileAuditLog::open(dir.path().join("a.jsonl"), key(1)).unwrap();
        log.append(entry(0)).unwrap();
        lock(&log.inner).failed = Some("disk full".into());
        assert_eq!(log.append(entry(1)).unwrap_err().code(), ErrorCode::Io);
        assert_eq!(log.len().unwrap(), 1);
    }

    #[test]
    fn appends_from_many_threads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let log = std::sync::Arc::new(FileAuditLog::open(&path, key(1)).unwrap());
        let mem = std::sync::Arc::new(MemoryAuditLog::new(key(1)));
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (log, mem) = (log.clone(), mem.clone());
                std::thread::spawn(move || {
                    for i in 0..10 {
                        log.append(entry(t * 100 + i)).unwrap();
                        mem.append(entry(t * 100 + i)).unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(log.len().unwrap(), 40);
        drop(log);
        let log = FileAuditLog::open(&path, key(1)).unwrap();
        verify_bundle(&export_bundle(&log, 0..40).unwrap().to_json(), &trusted(1)).unwrap();
        verify_bundle(&export_bundle(&*mem, 0..40).unwrap().to_json(), &trusted(1)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_opened() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let zero = dir.path().join("zero.log");
        symlink("/dev/zero", &zero).unwrap();
        let e = FileAuditLog::open(&zero, key(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Io, "{e}");
        assert!(
            e.message().contains("a character device, not a file"),
            "{e}"
        );
        assert_eq!(
            FileAuditLog::repair(&zero).unwrap_err().code(),
            ErrorCode::Io
        );
        let e = FileAuditLog::open("/dev/null", key(1)).unwrap_err();
        assert!(e.message().contains("character device"), "{e}");

        let fifo = dir.path().join("fifo.log");
        // The core forbids unsafe code, tests included: make the FIFO with mkfifo(1).
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = FileAuditLog::open(&fifo, key(1)).unwrap_err();
        assert!(e.message().contains("named pipe"), "{e}");

        // A dangling link is refused, and its target is not created.
        let dangling = dir.path().join("dangling.log");
        symlink(dir.path().join("nowhere.log"), &dangling).unwrap();
        let e = FileAuditLog::open(&dangling, key(1)).unwrap_err();
        assert!(e.message().contains("symbolic link to nothing"), "{e}");
        assert!(!dir.path().join("nowhere.log").exists());

        // A link to a regular file is the file.
        let real = dir.path().join("real.log");
        let link = dir.path().join("link.log");
        FileAuditLog::open(&real, key(1))
            .unwrap()
            .append(entry(0))
            .unwrap();
        symlink(&real, &link).unwrap();
        let log = FileAuditLog::open(&link, key(1)).unwrap();
        assert_eq!(log.len().unwrap(), 1);
        log.append(entry(1)).unwrap();
        assert_eq!(FileAuditLog::open(&real, key(1)).unwrap().len().unwrap(), 2);
    }

    #[test]
    fn reads_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        // A line longer than any receipt, without a newline: not read to its end.
        let path = dir.path().join("long.log");
        std::fs::write(&path, vec![b'x'; MAX_LOG_LINE_BYTES + 10]).unwrap();
        let e = FileAuditLog::open(&path, key(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LimitExceeded, "{e}");
        assert!(e.message().contains("line 1 (byte 0)"), "{e}");
        // A line that long with a newline is refused the same way.
        let mut text = vec![b'x'; MAX_LOG_LINE_BYTES];
        text.push(b'\n');
        std::fs::write(&path, &text).unwrap();
        assert_eq!(
            FileAuditLog::open(&path, key(1)).unwrap_err().code(),
            ErrorCode::LimitExceeded
        );
        // A file over the log limit is refused before it is read (sparse: no disk used).
        let big = dir.path().join("big.log");
        File::create(&big)
            .unwrap()
            .set_len(MAX_LOG_BYTES + 1)
            .unwrap();
        let e = FileAuditLog::open(&big, key(1)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LimitExceeded, "{e}");
        assert!(e.message().contains("start a new log file"), "{e}");
        assert_eq!(
            FileAuditLog::repair(&big).unwrap_err().code(),
            ErrorCode::LimitExceeded
        );
        // An open log at the limit refuses to grow past it.
        let full = dir.path().join("full.log");
        let log = FileAuditLog::open(&full, key(1)).unwrap();
        lock(&log.inner).end = MAX_LOG_BYTES - 10;
        let st_end = lock(&log.inner).end;
        // Make the file's length agree with the handle so it has nothing to catch up on.
        File::options()
            .write(true)
            .open(&full)
            .unwrap()
            .set_len(st_end)
            .unwrap();
        let e = log.append(entry(0)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LimitExceeded, "{e}");
    }

    #[test]
    fn two_handles_on_one_file_keep_one_chain() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let a = FileAuditLog::open(&path, key(1)).unwrap();
        let b = FileAuditLog::open(&path, key(1)).unwrap();
        for i in 0..5 {
            let ra = a.append(entry(2 * i)).unwrap();
            let rb = b.append(entry(2 * i + 1)).unwrap();
            assert_eq!((ra.seq(), rb.seq()), (2 * i as u64, 2 * i as u64 + 1));
            assert_eq!(rb.prev(), ra.hash());
        }
        assert_eq!((a.len().unwrap(), b.len().unwrap()), (9, 10));
        // `a` caught up when it appended; its reads cover what `b` wrote.
        a.append(entry(10)).unwrap();
        assert_eq!(a.receipts(0..11).unwrap().len(), 11);
        let log = FileAuditLog::open(&path, key(1)).unwrap();
        assert_eq!(log.len().unwrap(), 11);
        verify_bundle(&export_bundle(&a, 0..11).unwrap().to_json(), &trusted(1)).unwrap();

        // A file cut under an open handle is refused, not appended to.
        let text = std::fs::read(&path).unwrap();
        let cut = text[..text.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .unwrap()
            + 1;
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(cut as u64)
            .unwrap();
        let e = a.append(entry(11)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LogCorrupt, "{e}");
        assert!(e.message().contains("shrank"), "{e}");
        // Receipts written by another writer that do not chain are refused.
        let other = dir.path().join("b.jsonl");
        let c = FileAuditLog::open(&other, key(1)).unwrap();
        c.append(entry(0)).unwrap();
        let foreign = MemoryAuditLog::new(key(1));
        foreign.append(entry(5)).unwrap();
        let r1 = foreign.append(entry(6)).unwrap();
        let mut f = OpenOptions::new().append(true).open(&other).unwrap();
        writeln!(f, "{}", r1.to_json()).unwrap();
        let e = c.append(entry(2)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ChainBroken, "{e}");
        assert!(e.message().contains("another writer"), "{e}");
    }

    #[test]
    fn many_threads_and_handles_race_on_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("race.jsonl");
        let handles: Vec<_> = (0..6)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    // Each thread its own handle: as separate processes would.
                    let log = FileAuditLog::open(&path, key(1)).unwrap();
                    (0..15)
                        .map(|i| log.append(entry(t * 100 + i)).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut acked: Vec<Receipt> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        acked.sort_by_key(|r| r.seq());
        let log = FileAuditLog::open(&path, key(1)).unwrap();
        assert_eq!(log.len().unwrap(), 90);
        assert_eq!(log.receipts(0..90).unwrap(), acked);
    }

    #[test]
    fn an_expected_head_catches_a_cut_or_forked_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let log = FileAuditLog::open(&path, key(1)).unwrap();
        for i in 0..6 {
            log.append(entry(i)).unwrap();
        }
        let all = log.receipts(0..6).unwrap();
        let checkpoint = log.head().unwrap().unwrap();
        drop(log);
        let none = KeySet::new();
        // Intact, and a log that grew past the checkpoint: fine.
        FileAuditLog::open_expecting(&path, key(1), &none, &checkpoint).unwrap();
        FileAuditLog::open_expecting(&path, key(1), &none, &all[2]).unwrap();
        // Cut cleanly at a line boundary: plain open cannot tell.
        let text = std::fs::read_to_string(&path).unwrap();
        let keep: String = text.split_inclusive('\n').take(4).collect();
        std::fs::write(&path, &keep).unwrap();
        assert_eq!(FileAuditLog::open(&path, key(1)).unwrap().len().unwrap(), 4);
        let e = FileAuditLog::open_expecting(&path, key(1), &none, &checkpoint).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ChainBroken, "{e}");
        assert!(e.message().contains("2 receipts are missing"), "{e}");
        std::fs::write(&path, "").unwrap();
        let e = FileAuditLog::open_expecting(&path, key(1), &none, &all[0]).unwrap_err();
        assert!(e.message().contains("1 receipt is missing"), "{e}");
        // Cut, then continued: the receipt at the checkpoint's seq differs.
        std::fs::write(&path, &keep).unwrap();
        let log = FileAuditLog::open(&path, key(1)).unwrap();
        log.append(entry(40)).unwrap();
        log.append(entry(41)).unwrap();
        drop(log);
        let e = FileAuditLog::open_expecting(&path, key(1), &none, &checkpoint).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ChainBroken, "{e}");
        assert!(e.message().contains("fork"), "{e}");
        // A checkpoint that is not this log's is refused as such.
        let foreign = MemoryAuditLog::new(key(2));
        let r = foreign.append(entry(0)).unwrap();
        let e = FileAuditLog::open_expecting(&path, key(1), &none, &r).unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnknownKey, "{e}");
    }
}
